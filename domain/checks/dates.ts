/**
 * Dates as Chinese school news writes them — "12月3日", "2026年12月3日", "十二月三日", "二〇二六年十二月三日",
 * each with or without a weekday "星期三", "周三", "礼拜三", "（周三）" — and the two checks on them: the weekday
 * is that date's (weekday_mismatch), and a date after the receipt is not told as having happened (date_in_future).
 */
import { parseSmallNumber } from '../mail/event-time.js';
import { formatLocalDate, parseLocalDate, toLocal, weekday, type LocalDate } from '../time.js';

const CN = '〇零一二三四五六七八九';
const DATE_RE = new RegExp(
  `(?<![0-9０-９${CN}十])(?:(?<y>[0-9０-９]{4}|[${CN}]{4})[ \\t]*年[ \\t]*)?` +
    `(?<m>[0-9０-９]{1,2}|十[一二]?|[一二三四五六七八九])[ \\t]*月[ \\t]*` +
    `(?<d>[0-9０-９]{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[ \\t]*[日号]`,
  'g',
);
/** Right after a date: "星期三", "周三", "礼拜天", "（周三）", "(星期三)". */
const WEEKDAY_RE = /^[ \t]*[（(]?[ \t]*(?:星期|周|礼拜)([一二三四五六日天])[ \t]*[)）]?/;
const WEEKDAY_NUMBER: Record<string, number> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };
const WEEKDAY_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];
const WEEKDAY_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface WrittenDate {
  /** The date meant, the year inferred when not written. */
  date: LocalDate;
  /** Whether the year was written. */
  yearWritten: boolean;
  /** The written weekday (0 = Sunday), or null. */
  weekday: number | null;
  /** Offsets of the whole expression (date and weekday) in the text. */
  start: number;
  end: number;
}

function ascii(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

function number(text: string): number {
  const t = ascii(text);
  if (/^\d+$/.test(t)) return Number(t);
  if (/^[〇零一二三四五六七八九]{4}$/.test(t)) return Number([...t].map((c) => String(Math.max(0, CN.indexOf(c) - 1))).join(''));
  return parseSmallNumber(t);
}

function realDate(year: number, month: number, day: number): LocalDate | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  try {
    const text = formatLocalDate({ year, month, day });
    parseLocalDate(text);
    return text;
  } catch {
    return null;
  }
}

const dayNumber = (date: LocalDate) => {
  const { year, month, day } = parseLocalDate(date);
  return Date.UTC(year, month - 1, day) / 86_400_000;
};

/**
 * The year a date without one means: of last year, this year and next, the one nearest the receipt. So
 * "1月5日" written in December is next January, and "12月30日" read on 2 January last December.
 */
function nearestYear(month: number, day: number, received: LocalDate): LocalDate | null {
  const year = parseLocalDate(received).year;
  let best: LocalDate | null = null;
  for (const y of [year - 1, year, year + 1]) {
    const date = realDate(y, month, day);
    if (date && (best === null || Math.abs(dayNumber(date) - dayNumber(received)) < Math.abs(dayNumber(best) - dayNumber(received)))) best = date;
  }
  return best;
}

/** Every real date written in `text`, with the weekday written after it. */
export function findDates(text: string, received: LocalDate): WrittenDate[] {
  const out: WrittenDate[] = [];
  for (const m of text.matchAll(DATE_RE)) {
    const g = m.groups ?? {};
    const month = number(g['m'] ?? '');
    const day = number(g['d'] ?? '');
    const date = g['y'] !== undefined ? realDate(number(g['y']), month, day) : nearestYear(month, day, received);
    if (!date) continue;
    const end = m.index + m[0].length;
    const w = WEEKDAY_RE.exec(text.slice(end, end + 12));
    out.push({ date, yearWritten: g['y'] !== undefined, weekday: w ? (WEEKDAY_NUMBER[w[1] ?? ''] ?? null) : null, start: m.index, end: end + (w ? w[0].length : 0) });
  }
  return out;
}

export interface DateProblem {
  code: 'weekday_mismatch' | 'date_in_future';
  start: number;
  end: number;
  zh: string;
  en: string;
}

/** Words that make a sentence an announcement or a plan, not a report of what happened. */
const ANNOUNCEMENT_RE = /将|拟|计划|准备|预计|定于|届时|报名|截止|[日号](?:之?前|以前|起)|欢迎|敬请|请|须|需|要求|通知|安排|预告|倒计时/;
/** Words that tell an event as having happened (news style: "12月3日，我校举行…" needs no 了). */
const HAPPENED_RE = /了|圆满|顺利|落下帷幕|落幕|闭幕|结束|举行|举办|召开|开展|组织|进行|参加|参观|荣获|获得|表彰/;
const SENTENCE_END = /[。！？!?；;\n]/;

function sentenceAround(text: string, start: number, end: number): string {
  let a = start;
  while (a > 0 && !SENTENCE_END.test(text[a - 1] ?? '')) a--;
  let b = end;
  while (b < text.length && !SENTENCE_END.test(text[b] ?? '')) b++;
  return text.slice(a, b);
}

const zhDate = (date: LocalDate) => {
  const { year, month, day } = parseLocalDate(date);
  return `${year}年${month}月${day}日`;
};

export function checkDates(text: string, receivedAt: Date, timeZone: string): DateProblem[] {
  const received = formatLocalDate(toLocal(receivedAt, timeZone));
  const problems: DateProblem[] = [];
  for (const d of findDates(text, received)) {
    const actual = weekday(d.date);
    if (d.weekday !== null && d.weekday !== actual) {
      problems.push({
        code: 'weekday_mismatch',
        start: d.start,
        end: d.end,
        zh: `${zhDate(d.date)}是${WEEKDAY_ZH[actual]}，不是${WEEKDAY_ZH[d.weekday]}${d.yearWritten ? '' : '（年份按收稿日期推定）'}。请核对日期和星期，改正其中错的一处。`,
        en: `${d.date} is a ${WEEKDAY_EN[actual]}, not a ${WEEKDAY_EN[d.weekday]}${d.yearWritten ? '' : ' (year taken from the receipt date)'}. Check the date and the weekday and correct the wrong one.`,
      });
    }
    if (d.date > received) {
      const sentence = sentenceAround(text, d.start, d.end);
      if (HAPPENED_RE.test(sentence) && !ANNOUNCEMENT_RE.test(sentence)) {
        problems.push({
          code: 'date_in_future',
          start: d.start,
          end: d.end,
          zh: `${zhDate(d.date)}晚于收稿日期（${zhDate(received)}），但这句写的是已经发生的事。请核对日期；如果是预告，请写明“将于”。`,
          en: `${d.date} is after the report was received (${received}), yet the sentence tells it as having happened. Check the date; for an announcement write 将于.`,
        });
      }
    }
  }
  return problems;
}

/** Whether the text says when something happened: a date, a day word, a clock time. */
export function hasTime(text: string, received: LocalDate): boolean {
  return findDates(text, received).length > 0 || /今天|今日|昨天|昨日|前天|[上本]周[一二三四五六日天]|[0-9０-９]{1,2}[:：][0-9０-９]{2}|[上下]午[0-9０-９一二三四五六七八九十]{1,2}[点时]/.test(text);
}
