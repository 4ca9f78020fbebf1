/**
 * Subject lines: reply/forward prefixes in the forms Chinese and English mail clients write them
 * (Re:, RE：, 回复：, 答复:, Re[2]:, Fwd:, FW:, 转发：, …), repeated and nested, and the cleaned-up
 * subject baosong shows (no prefixes, no tags, no report-number token).
 */
import { findReportNumber } from '../report.js';
import { stripTags } from './tags.js';

/** Words a client puts before a subject to say "this is a reply" (lower case). */
export const REPLY_PREFIXES = ['re', '回复', '答复', '回覆', 'aw', 'sv', 'antw', '自动回复', '自動回覆', '自动答复', 'automatic reply', 'auto reply'] as const;
/** Words a client puts before a subject to say "this is forwarded" (lower case). */
export const FORWARD_PREFIXES = ['fwd', 'fw', '转发', '轉寄', '转寄', '轉發', 'tr', 'wg'] as const;

const ALL_PREFIXES = [...REPLY_PREFIXES, ...FORWARD_PREFIXES].sort((a, b) => b.length - a.length);
// "Re:", "RE：", "Re[2]:", "Re(3)：", "回复 :", optionally wrapped in brackets as some clients do ("[转发]").
const PREFIX_RE = new RegExp(
  `^(?:(${ALL_PREFIXES.join('|')})\\s*(?:[\\[［(（]\\d+[\\]］)）])?\\s*[:：﹕︰]|[\\[［【](${ALL_PREFIXES.join('|')})[\\]］】])\\s*`,
  'i',
);
// "[Fwd: original subject]" as some older clients write a forward.
const WRAPPED_FORWARD_RE = /^[[［](?:fwd?|fw)\s*[:：]\s*(.*)[\]］]$/i;

export interface SubjectPrefixes {
  /** The subject with every leading prefix removed (tags and report numbers kept). */
  rest: string;
  /** At least one reply prefix (Re:, 回复：, 答复：…) was present. */
  isReply: boolean;
  /** At least one forward prefix (Fwd:, FW:, 转发：…) was present. */
  isForward: boolean;
}

/** Unicode-aware whitespace clean-up: full-width spaces and runs of blanks become one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u3000\u00a0\u200b\ufeff]+/g, ' ').trim();
}

/** Removes leading reply/forward prefixes, however many and however nested. */
export function stripSubjectPrefixes(subject: string): SubjectPrefixes {
  let rest = collapseWhitespace(subject);
  let isReply = false;
  let isForward = false;
  for (;;) {
    const wrapped = WRAPPED_FORWARD_RE.exec(rest);
    if (wrapped) {
      isForward = true;
      rest = collapseWhitespace(wrapped[1] ?? '');
      continue;
    }
    const m = PREFIX_RE.exec(rest);
    if (!m) break;
    const word = (m[1] ?? m[2] ?? '').toLowerCase();
    if ((REPLY_PREFIXES as readonly string[]).includes(word)) isReply = true;
    else isForward = true;
    rest = rest.slice(m[0].length);
  }
  return { rest, isReply, isForward };
}

const REPORT_TOKEN_RE = /[[［【(（〔]?\s*(?<![A-Za-z0-9])[RrＲ][-－—–‐]\d{4}[-－—–‐]\d{4,}(?![0-9])\s*[\]］】)）〕]?/g;

/** Removes report-number tokens ("【R-2026-0042】", "R-2026-0042") from a subject. */
export function stripReportNumbers(text: string): string {
  return text.replace(REPORT_TOKEN_RE, ' ');
}

/** Punctuation left dangling at the edges once prefixes, tags and numbers are gone. */
const EDGE_CHARS = ' :：,，、;；-－—|/';
function trimEdges(text: string): string {
  const t = collapseWhitespace(text);
  let start = 0;
  let end = t.length;
  while (start < end && EDGE_CHARS.includes(t[start] ?? '')) start++;
  while (end > start && EDGE_CHARS.includes(t[end - 1] ?? '')) end--;
  return t.slice(start, end);
}

/**
 * The subject as baosong shows it: no reply/forward prefixes, no tags (【紧急】, #安全管理), no
 * report number. Idempotent: normalising twice gives the same as once.
 */
export function normaliseSubject(subject: string): string {
  let current = subject;
  for (;;) {
    const next = trimEdges(stripTags(stripReportNumbers(stripSubjectPrefixes(current).rest)).text);
    if (next === current) return next;
    current = next;
  }
}

export interface SubjectInfo extends SubjectPrefixes {
  /** normaliseSubject(subject) */
  normalised: string;
  /** Report number in the subject ("R-2026-0042"), or null. */
  reportId: string | null;
}

export function readSubject(subject: string): SubjectInfo {
  const prefixes = stripSubjectPrefixes(subject);
  return { ...prefixes, normalised: normaliseSubject(subject), reportId: findReportNumber(subject) };
}
