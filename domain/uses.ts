/**
 * Reading a use (录用) as the office writes it — in a reply ("录用：县教育网 https://…"), on the command line
 * or in a bureau's spreadsheet — and guessing its level and kind from the outlet's name when not given
 * ("市教育简报" → 市级 简报). Pure; a guess can be corrected by writing the level and kind out:
 * "录用：晨报（市级 报刊）第 12 期".
 */
import { USE_LEVELS, type UseLevel } from './scoring.js';

export interface UseLine {
  outlet: string;
  level: UseLevel;
  kind: string;
  /** The URL or the issue ("第12期"), '' when none. */
  ref: string;
  /** YYYY-MM-DD when the line gives one. */
  usedOn: string | null;
}

export const USE_KINDS = ['网站', '简报', '报刊', '电视', '公众号', '广播', '其他'] as const;

/** 县区级 unless the name says otherwise: most uses a school records are the county's. */
export function guessLevel(outlet: string): UseLevel {
  if (/学校|本校|校园|校报|校刊|校级/.test(outlet)) return '校级';
  if (/中国|国家|全国|教育部|人民日报|新华|光明日报|央视|中央/.test(outlet)) return '国家级';
  if (/省/.test(outlet)) return '省级';
  if (/市/.test(outlet)) return '市级';
  return '县区级';
}

export function guessKind(outlet: string, ref = ''): string {
  if (/公众号|微信/.test(outlet) || /mp\.weixin\.qq\.com/.test(ref)) return '公众号';
  if (/简报|快报|工作信息|动态|通讯/.test(outlet)) return '简报';
  if (/电视|TV|台$/i.test(outlet)) return '电视';
  if (/广播|电台/.test(outlet)) return '广播';
  if (/网|网站|平台|客户端/.test(outlet) || /^https?:\/\//.test(ref)) return '网站';
  if (/报|刊|杂志/.test(outlet)) return '报刊';
  return '其他';
}

const URL_RE = /https?:\/\/[^\s<>"'，。；）)]+/i;
const ISSUE_RE = /(?:第\s*\d+\s*期|\d{4}\s*年?\s*第\s*\d+\s*期|No\.\s*\d+)/i;
const DATE_RE = /(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?/;
const EXPLICIT_RE = /[（(]\s*(校级|县区级|县级|区级|市级|省级|国家级)\s*[、,，\s]?\s*([^）)]*?)\s*[）)]/;

/** The text after "录用：" (or a spreadsheet's cells joined); null when no outlet is named. */
export function parseUseLine(text: string): UseLine | null {
  let rest = text.replace(/\s+/g, ' ').trim();
  const url = URL_RE.exec(rest)?.[0] ?? '';
  if (url) rest = rest.replace(url, ' ');
  const issue = url ? '' : (ISSUE_RE.exec(rest)?.[0]?.replace(/\s+/g, '') ?? '');
  if (issue) rest = rest.replace(ISSUE_RE, ' ');
  const date = DATE_RE.exec(rest);
  if (date) rest = rest.replace(DATE_RE, ' ');
  const explicit = EXPLICIT_RE.exec(rest);
  if (explicit) rest = rest.replace(EXPLICIT_RE, ' ');
  const outlet = rest.replace(/^[\s:：,，、]+|[\s:：,，、。.]+$/g, '').trim();
  if (!outlet) return null;
  const levelWord = explicit?.[1];
  const level: UseLevel = levelWord === '县级' || levelWord === '区级' ? '县区级' : levelWord && (USE_LEVELS as readonly string[]).includes(levelWord) ? (levelWord as UseLevel) : guessLevel(outlet);
  const kind = explicit?.[2]?.trim() || guessKind(outlet, url);
  const usedOn = date ? `${date[1]}-${date[2]!.padStart(2, '0')}-${date[3]!.padStart(2, '0')}` : null;
  return { outlet, level, kind, ref: url || issue, usedOn };
}
