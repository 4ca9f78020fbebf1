/**
 * The new text of a mail: everything the sender wrote this time, without the quoted history and the
 * signature that mail clients used in Chinese schools add:
 *
 * - QQ Mail / Foxmail: "------------------ 原始邮件 ------------------", "------------------ Original ------------------"
 * - Outlook zh/en: a "发件人: … 发送时间: …" / "From: … Sent: …" header block, "-----Original Message-----", "-----原始邮件-----"
 * - NetEase 163/126: "在 2026-11-26 15:03:11，"张老师" <a@b> 写道："
 * - Apple Mail / iPhone: "在 2026年11月26日，15:03，张老师 <a@b> 写道：", "发自我的iPhone"
 * - Gmail: "On Thu, Nov 26, 2026 at 3:03 PM … wrote:" (possibly wrapped over two lines)
 * - "-- " signatures, ">"-quoted lines.
 */

export interface NewText {
  /** The new text, trimmed; '' when nothing new was written. */
  text: string;
  /** Quoted history was found and removed. */
  quoted: boolean;
  /** A signature or "sent from my phone" line was found and removed. */
  signature: boolean;
}

const SEPARATOR_MARKERS: readonly RegExp[] = [
  /^-{2,}\s*(?:原始邮件|Original|Original Message|原始郵件|回复的邮件|回覆的郵件)\s*-{2,}$/i,
  /^_{8,}$/, // Outlook draws a line above its header block
];

const HEADER_FROM = /^\*?\s*(?:发件人|寄件者|寄件人|From)\s*\*?\s*[:：]/i;
const HEADER_OTHER = /^\*?\s*(?:发送时间|发件时间|寄件日期|日期|时间|Sent|Date|收件人|Send time|To|抄送|Cc|主题|Subject)\s*\*?\s*[:：]/i;

/** "在 2026-11-26 15:03:11，"张老师" <a@b> 写道：" (163/126), "在 2026年11月26日，15:03，张老师 <a@b> 写道：" (Apple). */
const WROTE_ZH_RE = /^(?:在|于)\s*.{0,160}写道\s*[:：]?\s*$/;
const WROTE_ZH_END_RE = /写道\s*[:：]\s*$/;
const WROTE_EN_RE = /^On\s.{0,200}\swrote:\s*$/i;
const WROTE_EN_END_RE = /\swrote:\s*$/i;

/** Lines a phone or web client appends; everything from here on is not the sender's text. */
const SENT_FROM_RE =
  /^(?:发自我的\s*(?:iPhone|iPad|华为手机|HUAWEI|小米手机|手机|荣耀手机|vivo|OPPO|Android)|Sent from my (?:iPhone|iPad|Android|phone|mobile)|发自\s*(?:网易邮箱大师|网易邮箱|QQ邮箱|手机QQ邮箱|Outlook|WPS邮箱|企业微信|钉钉邮箱)|Sent from (?:Outlook|Mail for Windows|NetEase Mail Master)|来自\s*(?:网易邮箱大师|QQ邮箱)).*$/i;

const SIGNATURE_DELIMITER_RE = /^--\s?$/;

/** Drops trailing spaces, tabs and no-break spaces (a loop: a regex anchored at the end is quadratic on long runs). */
function trimEndBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && ' \t\u00a0'.includes(line[end - 1] ?? '')) end--;
  return line.slice(0, end);
}

function normaliseLine(line: string): string {
  return line.replace(/[\u00a0\u3000]/g, ' ').trim();
}

/** Index of the line where the quoted history starts, or -1. */
function findQuoteStart(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = normaliseLine(lines[i] ?? '');
    if (SEPARATOR_MARKERS.some((re) => re.test(line))) {
      // "_____" alone is only a marker when a header block follows.
      if (/^_+$/.test(line) && !HEADER_FROM.test(normaliseLine(nextNonEmpty(lines, i + 1) ?? ''))) continue;
      return i;
    }
    if (HEADER_FROM.test(line)) {
      const following = lines.slice(i + 1, i + 5).map(normaliseLine);
      if (following.some((l) => HEADER_OTHER.test(l))) return ruleAbove(lines, i);
    }
    if (WROTE_ZH_RE.test(line) || WROTE_EN_RE.test(line)) return i;
    const next = normaliseLine(lines[i + 1] ?? '');
    // A "写道/wrote" line the client wrapped: "在 … <" / "wangfang@school.test> 写道：".
    if (/^(?:在|于)\s*\d/.test(line) && WROTE_ZH_END_RE.test(next)) return i;
    if (/^On\s.*\d/.test(line) && WROTE_EN_END_RE.test(next)) return i;
  }
  return -1;
}

const RULE_RE = /^[-_=*—─]{5,}$/;

/** The header block starts at the horizontal rule drawn right above it (Outlook's <hr>), if any. */
function ruleAbove(lines: readonly string[], index: number): number {
  for (let j = index - 1; j >= 0; j--) {
    const l = normaliseLine(lines[j] ?? '');
    if (l === '') continue;
    return RULE_RE.test(l) ? j : index;
  }
  return index;
}

function nextNonEmpty(lines: readonly string[], from: number): string | undefined {
  for (let i = from; i < lines.length; i++) {
    if (normaliseLine(lines[i] ?? '') !== '') return lines[i];
  }
  return undefined;
}

/** Splits the new text from quoted history and signatures. */
export function extractNewText(body: string): NewText {
  let lines = body.replace(/\r\n?/g, '\n').split('\n');
  let quoted = false;
  let signature = false;

  const start = findQuoteStart(lines);
  if (start !== -1) {
    lines = lines.slice(0, start);
    quoted = true;
  }
  const kept: string[] = [];
  for (const raw of lines) {
    const line = normaliseLine(raw);
    if (SIGNATURE_DELIMITER_RE.test(raw.replace(/\u00a0/g, ' ').trimStart()) || SENT_FROM_RE.test(line)) {
      signature = true;
      break;
    }
    if (/^[>＞]/.test(line)) {
      quoted = true;
      continue;
    }
    kept.push(trimEndBlanks(raw));
  }
  // A line introducing ">"-quoted text that did not match the patterns above ("… wrote:") goes too.
  for (;;) {
    const last = kept[kept.length - 1];
    if (last === undefined) break;
    if (last.trim() === '') kept.pop();
    else if (/(?:wrote|写道)\s*[:：]\s*$/i.test(last)) {
      kept.pop();
      quoted = true;
    } else break;
  }
  const text = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, quoted, signature };
}
