/**
 * ISO 8601 weeks in the school's time zone: "2026-W48" is Monday 2026-11-23 00:00 to Monday 2026-11-30
 * 00:00, Asia/Shanghai. Pure and deterministic (no clock, no I/O): safe to import from workflow code.
 *
 *   weekRange('2026-W48', 'Asia/Shanghai')   // { start: 2026-11-22T16:00Z, end: 2026-11-29T16:00Z }
 *   weekOf(new Date('2026-11-27T08:00Z'), 'Asia/Shanghai')   // '2026-W48'
 *   digestSendTime('2026-W48', { weekday: 'friday', time: '16:00' }, 'Asia/Shanghai')   // 2026-11-27T08:00Z
 */
import { addDays, formatLocalDate, fromLocal, parseClock, parseLocalDate, toLocal, weekday, type LocalDate } from '../domain/time.js';
import { type ErrorCode } from '../domain/errors.js';

/** An ISO week as written in the CLI and the digests table, e.g. "2026-W48". */
export type IsoWeek = string;

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export class WeekError extends RangeError {
  readonly code = 'EWEEK' satisfies ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = 'WeekError';
  }
}

export interface WeekParts {
  /** The ISO week-numbering year (may differ from the calendar year near 1 January). */
  year: number;
  /** 1–52 or 53. */
  week: number;
}

const WEEK_RE = /^(\d{4})-W(\d{2})$/;

/** Monday of ISO week 1 of `year`: the Monday of the week holding 4 January. */
function firstMonday(year: number): LocalDate {
  const jan4 = formatLocalDate({ year, month: 1, day: 4 });
  return addDays(jan4, -((weekday(jan4) + 6) % 7));
}

/** 52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or is a leap year starting on a Wednesday. */
export function weeksInYear(year: number): number {
  return Math.round((toUtcDay(firstMonday(year + 1)) - toUtcDay(firstMonday(year))) / (7 * 86_400_000));
}

function toUtcDay(date: LocalDate): number {
  const { year, month, day } = parseLocalDate(date);
  return Date.UTC(year, month - 1, day);
}

export function parseWeek(week: IsoWeek): WeekParts {
  const m = WEEK_RE.exec(week.trim());
  if (!m) throw new WeekError(`"${week}" is not an ISO week (expected e.g. 2026-W48)`);
  const parts = { year: Number(m[1]), week: Number(m[2]) };
  const last = weeksInYear(parts.year);
  if (parts.week < 1 || parts.week > last) throw new WeekError(`${week} does not exist: ${parts.year} has weeks W01 to W${last}`);
  return parts;
}

export function formatWeek({ year, week }: WeekParts): IsoWeek {
  return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
}

/** The local dates Monday … Sunday of the week. */
export function weekDates(week: IsoWeek): { monday: LocalDate; sunday: LocalDate } {
  const { year, week: n } = parseWeek(week);
  const monday = addDays(firstMonday(year), (n - 1) * 7);
  return { monday, sunday: addDays(monday, 6) };
}

/** The ISO week holding a local date. */
export function weekOfDate(date: LocalDate): IsoWeek {
  const thursday = addDays(date, 3 - ((weekday(date) + 6) % 7));
  const year = parseLocalDate(thursday).year;
  const week = Math.floor((toUtcDay(thursday) - toUtcDay(firstMonday(year))) / (7 * 86_400_000)) + 1;
  return formatWeek({ year, week });
}

/** The ISO week an instant falls in, by the school's clock. */
export function weekOf(instant: Date, timeZone: string): IsoWeek {
  return weekOfDate(formatLocalDate(toLocal(instant, timeZone)));
}

/** [start, end): local Monday 00:00 of the week to local Monday 00:00 of the next, as instants. */
export function weekRange(week: IsoWeek, timeZone: string): { start: Date; end: Date } {
  const { monday } = weekDates(week);
  return { start: localMidnight(monday, timeZone), end: localMidnight(addDays(monday, 7), timeZone) };
}

export function previousWeek(week: IsoWeek): IsoWeek {
  return weekOfDate(addDays(weekDates(week).monday, -7));
}

export function nextWeek(week: IsoWeek): IsoWeek {
  return weekOfDate(addDays(weekDates(week).monday, 7));
}

/** When the digest of `week` is due out: the configured weekday and clock time of that week (default Friday 16:00). */
export function digestSendTime(week: IsoWeek, schedule: { weekday: Weekday; time: string }, timeZone: string): Date {
  const index = WEEKDAYS.indexOf(schedule.weekday);
  if (index < 0) throw new WeekError(`"${String(schedule.weekday)}" is not a weekday (expected monday … sunday)`);
  const minutes = parseClock(schedule.time);
  const date = parseLocalDate(addDays(weekDates(week).monday, index));
  return fromLocal({ ...date, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 }, timeZone);
}

/**
 * The week whose digest is the next one due at or after `instant`: this week's when its send time has
 * not passed, else next week's. The weekly loop sleeps until digestSendTime of it.
 */
export function nextDigestWeek(instant: Date, schedule: { weekday: Weekday; time: string }, timeZone: string): IsoWeek {
  const week = weekOf(instant, timeZone);
  return digestSendTime(week, schedule, timeZone).getTime() >= instant.getTime() ? week : nextWeek(week);
}

function localMidnight(date: LocalDate, timeZone: string): Date {
  return fromLocal({ ...parseLocalDate(date), hour: 0, minute: 0, second: 0 }, timeZone);
}
