/**
 * What a reviewer (or submitter) means by a reply: approve, send back with a reason, or comment.
 * Decided on the first meaningful line of the new text (the second when the first says nothing);
 * a refusal is never read as approval, and when unsure the answer is "comment".
 */
import { parseUseLine, type UseLine } from '../uses.js';
import type { ReplyIntent } from './types.js';

export interface IntentReading {
  intent: ReplyIntent;
  /** For send_back: the reason ("照片不清晰"), or null when none was given. */
  reason: string | null;
  /** The line the decision was made on, or null when the text has none. */
  decidedOn: string | null;
  /** published: the page's address ("已发布 https://…"), null when none was given. */
  publishedUrl?: string | null;
  /** use: each "录用：…" line read (domain/uses.ts). */
  uses?: UseLine[];
  /** approve: "同意，仅存档" — kept on record, not for publishing (the last step only). */
  archive?: boolean;
}

/** An approval that keeps the report on record instead of publishing it. */
const ARCHIVE_RE = /仅存档|只存档|存档即可|存档备查|不对外发布|archive only|keep on record/i;

/** "已发布", "已在网站发布", "Published" at the start of the first line: the editor confirms publication. */
const PUBLISHED_RE = /^(?:已经?(?:在[^\s，,。]{1,12})?(?:正式)?(?:发布|上线|推送|刊发|发出)|published\b)/i;
/** "录用：县教育网 https://…", one per line: the office records where a piece was used. */
const USE_RE = /^(?:已?被?录用|采用)\s*[:：]\s*(.+)$/;
/** A mail names at most this many uses; more lines are left for a person (nothing a sender writes grows without bound). */
export const MAX_USES_PER_MAIL = 10;
const URL_IN_LINE_RE = /https?:\/\/[^\s<>"'，。；）)]+/i;

/**
 * Refusals: the reason follows the word ("退回：照片不清晰", "不同意发布，标题有误").
 * Order matters: longer/negated forms first so "不同意" is never read as "同意".
 */
const REFUSAL_RE =
  /(不予?同意|不能同意|无法同意|不太同意|不赞同|不予?通过|未通过|没(?:有)?通过|不能通过|不批准|不予批准|不可以发?|不能发(?:布|出)?|不宜发(?:布)?|暂不(?:发布|通过|同意|予?发)|退回|驳回|打回|拒绝|not\s+approved?|disapprove[ds]?|reject(?:ed)?|send\s+(?:it\s+)?back|sent\s+back|declined?|do\s+not\s+(?:publish|approve|send)|don't\s+(?:publish|approve|send)|can(?:no|')t\s+approve)/i;
/** Requests for changes: the whole line is the reason ("请修改标题", "照片需修改"). */
const CHANGE_RE =
  /(请修改|需修改|需要修改|请改(?:一下|下)?|修改后再|改一下|改下|请补充|需补充|需要补充|请重新(?:提交|上报|报送)|重新提交|请完善|needs?\s+(?:changes?|revision|edits?)|please\s+(?:revise|fix|change))/i;
/** Approval words; only counted when not negated, not asked and not hedged. */
const APPROVE_RE =
  /(同意|通过(?=$|[了啊吧的。，,.!！~～\s])|批准|准予|可以发|可以(?=$|[的了啊吧。，,.!！~～\s])|好的(?=$|[，,。.!！~～\s])|没问题|可发|发吧|发布吧|审核通过|\bok(?:ay)?\b|\bapproved?\b|\blgtm\b|\byes\b|👍)/i;
/** An approval word further into a line than this (in characters, a Latin word counting as one) is part of a sentence, not a decision. */
const APPROVAL_WORD_MAX_INDEX = 10;
/** A negation anywhere before an approval word ("我不觉得可以", "not OK"). */
const NEGATION_BEFORE_RE = /[不没未非别勿无莫]|\bnot\b|n't\b|\bno\b|\bnever\b/i;
/** Positive phrases that happen to contain a negation character ("经核对无误，同意", "非常好，同意"). */
const POSITIVE_WITH_NEGATION_RE = /没问题|没有问题|无问题|无误|无异议|没意见|没有意见|无意见|不错|非常|毫无疑问|no problem|no issues?/gi;
/** A question about approval is not approval ("可以发吗？", "是否同意"). */
const QUESTION_RE = /[?？]|吗|呢|是否|能否|可否|要不要|行不行|可不可以|\bwhether\b/i;
/** Hedges and conditions: "好的，我再看看", "同意，但是…". */
const HEDGE_RE = /再看看|再看一下|稍后|回头|等一下|等等|先别|暂缓|考虑一下|待定|商量|研究一下|但是|但|不过|然而|\bbut\b|\bhowever\b|\blater\b/i;

/** Greeting and address lines that carry no decision ("王老师：", "李主任，", "您好！", "Hi all,"). */
const SALUTATION_RE =
  /^(?:[\p{Script=Han}A-Za-z·]{0,8}(?:老师|主任|校长|同志|组长|干事|书记|领导|们)[\s,，:：!！。.]*|(?:您好|你好|大家好|各位(?:老师|领导)?好?|老师好|(?:hi|hello|dear)\b[^\n]{0,20}?)[!！,，。.:：]*)$/iu;

function isSalutation(line: string): boolean {
  return SALUTATION_RE.test(line) && !REFUSAL_RE.test(line) && !CHANGE_RE.test(line) && !APPROVE_RE.test(line);
}

function meaningfulLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !isSalutation(l));
}

function cleanReason(text: string): string {
  return text
    .replace(/^[\s:：,，。.;；、!！\-－—]+/, '')
    .replace(/^(?:发布|发送|上报|报送|通过|发|此稿|该稿|本稿|这篇|稿件)+[\s:：,，。.;；、!！]*/, '')
    .replace(/^(?:原因|理由|意见)\s*[:：是为]\s*/, '')
    .replace(/^[\s:：,，。.;；、!！\-－—]+/, '')
    .trim();
}

function restLines(lines: readonly string[], after: number): string {
  return lines
    .slice(after + 1)
    .join('\n')
    .trim();
}

function approves(line: string): boolean {
  const m = APPROVE_RE.exec(line);
  // Latin words count as one character each, so "No problem, approved" is as short as "没问题，同意".
  if (!m || line.slice(0, m.index).replace(/[A-Za-z]+/g, 'a').length > APPROVAL_WORD_MAX_INDEX) return false;
  if (QUESTION_RE.test(line) || HEDGE_RE.test(line)) return false;
  // Every approval word on the line must stand free of negation ("没问题", "无误" are not negations).
  for (const a of line.matchAll(new RegExp(APPROVE_RE.source, 'gi'))) {
    if (NEGATION_BEFORE_RE.test(line.slice(0, a.index).replace(POSITIVE_WITH_NEGATION_RE, ''))) return false;
  }
  return true;
}

/** Reads the intent of a reply from its new text. */
export function readIntent(newText: string): IntentReading {
  const lines = meaningfulLines(newText);
  const first = lines[0] ?? '';
  const uses = lines.map((l) => USE_RE.exec(l)?.[1]).filter((t): t is string => t !== undefined);
  if (uses.length > 0 && USE_RE.test(first)) {
    const read = uses.slice(0, MAX_USES_PER_MAIL).map(parseUseLine).filter((u): u is UseLine => u !== null);
    if (read.length > 0) return { intent: 'use', reason: null, decidedOn: first, uses: read };
  }
  if (PUBLISHED_RE.test(first) && !QUESTION_RE.test(first) && !REFUSAL_RE.test(first)) {
    const url = URL_IN_LINE_RE.exec(lines.slice(0, 2).join(' '))?.[0] ?? null;
    return { intent: 'published', reason: null, decidedOn: first, publishedUrl: url };
  }
  for (let i = 0; i < Math.min(2, lines.length); i++) {
    const line = lines[i] ?? '';
    const refusal = REFUSAL_RE.exec(line);
    if (refusal) {
      const sameLine = cleanReason(line.slice(refusal.index + refusal[0].length));
      const reason = sameLine !== '' ? sameLine : restLines(lines, i);
      return { intent: 'send_back', reason: reason === '' ? null : reason, decidedOn: line };
    }
    const change = CHANGE_RE.exec(line);
    if (change) {
      // "请修改：数据要核实" → the words after the colon; "请修改标题" → the whole request.
      const afterColon = /^\s*[:：]\s*(.+)$/.exec(line.slice(change.index + change[0].length));
      const whole = afterColon ? cleanReason(afterColon[1] ?? '') : cleanReason(line);
      const more = restLines(lines, i);
      return { intent: 'send_back', reason: [whole, more].filter((s) => s !== '').join('\n'), decidedOn: line };
    }
    if (approves(line)) {
      // An approval followed at once by a change request, a refusal or a "but" is mixed: leave it to a person.
      const following = lines.slice(i + 1, i + 3);
      const mixed =
        following.some((l) => REFUSAL_RE.test(l) || CHANGE_RE.test(l)) || HEDGE_RE.test(following[0] ?? '');
      if (mixed) return { intent: 'comment', reason: null, decidedOn: line };
      return { intent: 'approve', reason: null, decidedOn: line, ...(ARCHIVE_RE.test(line) ? { archive: true } : {}) };
    }
    // A line with an approval word that was negated, asked or hedged decides: comment.
    if (APPROVE_RE.test(line)) return { intent: 'comment', reason: null, decidedOn: line };
  }
  return { intent: 'comment', reason: null, decidedOn: lines[0] ?? null };
}
