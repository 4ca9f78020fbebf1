/**
 * When the reported event happened, read from the text of a mail or form:
 * "时间：2026-11-26 15:00", "活动时间：11月26日15:00", "11月26日下午3点", "今天下午3点", "昨天",
 * "2026年11月26日". Dates without a year and relative days count from the time the mail was
 * received, in the school's time zone.
 */
import { addDays, formatLocalDate, fromLocal, parseLocalDate, toLocal, type LocalDate } from '../time.js';

export interface EventTimeReading {
  /** The instant, or null when the text names no usable date or time. */
  eventTime: Date | null;
  /** The matched text, e.g. "11月26日下午3点". */
  matched: string | null;
  /** 'event_time_date_only' (a day without a clock time), 'event_date_assumed' (a clock time without a day). */
  flags: string[];
}

/** Clock time used for an event given as a day only: the end of that working day (but never after receipt). */
export const DATE_ONLY_CLOCK = { hour: 17, minute: 30 } as const;

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "3", "15", "三", "十", "十二", "二十三" → number; NaN when not a number. */
export function parseSmallNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const t = text.replace(/^十/, '一十');
  const m = /^([零〇一二两三四五六七八九])?(?:(十)([一二三四五六七八九])?)?$/.exec(t);
  if (!m || text === '') return Number.NaN;
  if (!m[2]) return m[1] !== undefined ? (CN_DIGITS[m[1]] ?? Number.NaN) : Number.NaN;
  const tens = m[1] !== undefined ? (CN_DIGITS[m[1]] ?? Number.NaN) : 1;
  const ones = m[3] !== undefined ? (CN_DIGITS[m[3]] ?? 0) : 0;
  return tens * 10 + ones;
}

const NUM = '[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3}';
const PERIOD = '凌晨|清晨|早上|早晨|上午|中午|午后|下午|傍晚|晚上|夜里|夜间|晚|早';
const RELATIVE_DAY = '今天|今日|今早|今晨|今晚|昨天|昨日|昨晚|前天|前日|大前天';

// A clock time: "15:00", "15:00:00", "下午3点", "3点半", "3点15", "15时30分", "三点十五分" (full-width digits and colons are
// made ASCII first). Minutes in Chinese numerals need 分, so "7点八年级…" is 7:00. Nothing crosses a line break.
const CLOCK = `(?:(?<period>${PERIOD})[ \\t]*)?(?:(?<hh>[0-9]{1,2})[ \\t]*:[ \\t]*(?<mm>[0-9]{2})(?:[ \\t]*:[0-9]{2})?|(?<h2>${NUM})[ \\t]*[点點时時](?:[ \\t]*(?<half>半)|[ \\t]*(?<m2>[0-9]{1,2}[ \\t]*分|[0-9]{2}(?![0-9])|[零〇一二两三四五六七八九十]{1,3}[ \\t]*分))?)`;
// A day: "2026-11-26", "2026/11/26", "2026.11.26", "2026年11月26日", "11月26日", "11月26号", "今天".
const ABS_DATE = `(?<y>\\d{4})[ \\t]*(?:[-/.][ \\t]*(?<mo>\\d{1,2})[ \\t]*[-/.][ \\t]*(?<d>\\d{1,2})|年[ \\t]*(?<mo2>\\d{1,2})[ \\t]*月[ \\t]*(?<d2>\\d{1,2})[ \\t]*[日号號]?)`;
const MD_DATE = `(?<!\\d)(?<mo3>\\d{1,2})[ \\t]*月[ \\t]*(?<d3>\\d{1,2})[ \\t]*[日号號]`;

const DATE_TIME_RE = new RegExp(
  `(?:(?<abs>${ABS_DATE})|(?<md>${MD_DATE})|(?<rel>${RELATIVE_DAY}))(?:[ \\t]*[（(]?[ \\t]*(?:星期|周|礼拜)[一二三四五六日天][)）]?)?(?:[ \\t]*[T,，]?[ \\t]*(?<clock>${CLOCK}))?`,
  'g',
);
const CLOCK_ONLY_RE = new RegExp(`(?<clock>${CLOCK})`, 'g');
/** Labels that say "this is when it happened": 时间：, 活动时间：, 发生时间：… (not 发送时间/截止时间 and the like). */
const LABEL_RE = /(?<!发送|发件|寄件|收件|截止|报送|提交|上报|回复|打印)(?:时间|時間|日期)\s*[:：为為是]\s*$/;

function toAsciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

function hourWithPeriod(hour: number, period: string | undefined): number {
  if (period === undefined) return hour;
  if (['下午', '午后', '傍晚', '晚上', '夜里', '夜间', '晚'].includes(period)) return hour < 12 ? hour + 12 : hour;
  if (period === '中午') return hour <= 2 ? hour + 12 : hour;
  if (['凌晨', '清晨'].includes(period)) return hour === 12 ? 0 : hour;
  return hour; // 早上, 上午…
}

interface Clock {
  hour: number;
  minute: number;
}

function readClock(groups: Record<string, string | undefined>, relWord?: string): Clock | null {
  let period = groups['period'];
  if (period === undefined && relWord !== undefined) {
    if (/晚$/.test(relWord)) period = '晚上';
    else if (/早|晨$/.test(relWord)) period = '上午';
  }
  let hour: number;
  let minute: number;
  if (groups['hh'] !== undefined) {
    hour = Number(toAsciiDigits(groups['hh']));
    minute = Number(toAsciiDigits(groups['mm'] ?? '0'));
  } else if (groups['h2'] !== undefined) {
    hour = parseSmallNumber(toAsciiDigits(groups['h2']));
    const m2 = groups['m2']?.replace(/[ \t]*分$/, '');
    minute = groups['half'] ? 30 : m2 !== undefined ? parseSmallNumber(m2) : 0;
  } else {
    return null;
  }
  hour = hourWithPeriod(hour, period);
  if (!Number.isInteger(hour) || !Number.isInteger(minute) || hour > 23 || minute > 59) return null;
  return { hour, minute };
}

function validDate(year: number, month: number, day: number): LocalDate | null {
  const text = formatLocalDate({ year, month, day });
  try {
    parseLocalDate(text);
    return text;
  } catch {
    return null;
  }
}

interface Candidate {
  date: LocalDate | null;
  clock: Clock | null;
  matched: string;
  labelled: boolean;
  index: number;
  end: number;
}

function isLabelled(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 12), index);
  return LABEL_RE.test(before);
}

function dateFromGroups(groups: Record<string, string | undefined>, received: LocalDate): LocalDate | null {
  const recv = parseLocalDate(received);
  if (groups['abs'] !== undefined) {
    const month = Number(groups['mo'] ?? groups['mo2']);
    const day = Number(groups['d'] ?? groups['d2']);
    return validDate(Number(groups['y']), month, day);
  }
  if (groups['md'] !== undefined) {
    const month = Number(groups['mo3']);
    const day = Number(groups['d3']);
    const thisYear = validDate(recv.year, month, day);
    if (!thisYear) return validDate(recv.year - 1, month, day);
    // "12月30日" read on 2 January is last December, not next.
    const ahead = Date.UTC(recv.year, month - 1, day) - Date.UTC(recv.year, recv.month - 1, recv.day);
    return ahead > 183 * 86_400_000 ? validDate(recv.year - 1, month, day) : thisYear;
  }
  const rel = groups['rel'];
  if (rel === undefined) return null;
  if (rel.startsWith('大前')) return addDays(received, -3);
  if (rel.startsWith('前')) return addDays(received, -2);
  if (rel.startsWith('昨')) return addDays(received, -1);
  return received;
}

function findCandidates(text: string, received: LocalDate): Candidate[] {
  const out: Candidate[] = [];
  const covered: [number, number][] = [];
  for (const m of text.matchAll(DATE_TIME_RE)) {
    const groups = m.groups ?? {};
    const date = dateFromGroups(groups, received);
    if (!date) continue;
    const clock = groups['clock'] !== undefined ? readClock(groups, groups['rel']) : null;
    out.push({ date, clock, matched: m[0].trim(), labelled: isLabelled(text, m.index), index: m.index, end: m.index + m[0].length });
    covered.push([m.index, m.index + m[0].length]);
  }
  for (const m of text.matchAll(CLOCK_ONLY_RE)) {
    if (covered.some(([a, b]) => m.index >= a && m.index < b)) continue;
    const groups = m.groups ?? {};
    // A bare "3点" is too loose; want "15:00", or a period word ("下午3点"), or a label ("时间：3点").
    const labelled = isLabelled(text, m.index);
    if (groups['hh'] === undefined && groups['period'] === undefined && !labelled) continue;
    const clock = readClock(groups);
    if (!clock) continue;
    out.push({ date: null, clock, matched: m[0].trim(), labelled, index: m.index, end: m.index + m[0].length });
  }
  return out;
}

/**
 * Reads the event time from `text`. Prefers a labelled date ("活动时间：…"), else the first date in
 * the text, else a clock time alone (the day of receipt assumed). Pure: `receivedAt` is the
 * reference for "今天"/"昨天" and dates without a year.
 */
export function readEventTime(text: string, receivedAt: Date, timeZone: string): EventTimeReading {
  const local = toLocal(receivedAt, timeZone);
  const received = formatLocalDate(local);
  const candidates = findCandidates(toAsciiDigits(text).replace(/：/g, ':'), received);
  const withDate = candidates.filter((c) => c.date !== null);
  let chosen =
    withDate.find((c) => c.labelled) ?? withDate[0] ?? candidates.find((c) => c.labelled) ?? candidates[0];
  if (!chosen) return { eventTime: null, matched: null, flags: [] };
  // "时间：11月26日\n下午3点": a clock time right after a day (next line, a few characters on) belongs to it.
  if (chosen.date !== null && chosen.clock === null) {
    const day = chosen;
    const clock = candidates.find((c) => c.date === null && c.index >= day.end && c.index - day.end <= 4);
    if (clock) chosen = { ...day, clock: clock.clock, matched: `${day.matched} ${clock.matched}`, end: clock.end };
  }
  const flags: string[] = [];
  const date = chosen.date ?? received;
  if (chosen.date === null) flags.push('event_date_assumed');
  const { year, month, day } = parseLocalDate(date);
  if (chosen.clock) {
    const eventTime = fromLocal({ year, month, day, hour: chosen.clock.hour, minute: chosen.clock.minute, second: 0 }, timeZone);
    return { eventTime, matched: chosen.matched, flags };
  }
  flags.push('event_time_date_only');
  let eventTime = fromLocal({ year, month, day, ...DATE_ONLY_CLOCK, second: 0 }, timeZone);
  if (date === received && eventTime.getTime() > receivedAt.getTime()) eventTime = receivedAt;
  return { eventTime, matched: chosen.matched, flags };
}
