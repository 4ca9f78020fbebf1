/**
 * The working-day calendar: China's statutory calendar (weekends off, public holidays off,
 * 调休 make-up working days on) from the `chinese-days` data, plus the school's own overrides.
 * Pure: the statutory data is a JSON table, nothing reads the clock.
 */
import statutory from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, parseLocalDate, weekday, type LocalDate } from './time.js';

export interface CalendarOverrides {
  /** Extra days off decided by the school (e.g. 校运会补休), YYYY-MM-DD. */
  holidays?: readonly LocalDate[];
  /** Extra working days decided by the school (e.g. a Saturday open day), YYYY-MM-DD. */
  workdays?: readonly LocalDate[];
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday' | 'school_holiday' | 'school_workday';

export interface DayInfo {
  date: LocalDate;
  working: boolean;
  kind: DayKind;
  /** The statutory holiday or make-up day's name, e.g. "国庆节". */
  name: string | null;
}

const statutoryHolidays = statutory.holidays as Record<string, string>;
const statutoryWorkdays = statutory.workdays as Record<string, string>;

/** Years for which the statutory table has data; outside them only weekends and school overrides count. */
export const STATUTORY_YEARS: readonly number[] = [
  ...new Set(Object.keys(statutoryHolidays).map((d) => Number(d.slice(0, 4)))),
].sort((a, b) => a - b);

/** "National Day,国庆节,3" → "国庆节" */
function chineseName(entry: string | undefined): string | null {
  if (!entry) return null;
  const parts = entry.split(',');
  return parts[1] ?? parts[0] ?? null;
}

/** Longest run of non-working days we accept before calling the configuration broken. */
const MAX_DAYS_OFF_IN_A_ROW = 120;

export class CalendarError extends Error {
  readonly code = 'ECALENDAR';
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

export class WorkingCalendar {
  private readonly extraHolidays: ReadonlySet<string>;
  private readonly extraWorkdays: ReadonlySet<string>;

  constructor(overrides: CalendarOverrides = {}) {
    for (const d of [...(overrides.holidays ?? []), ...(overrides.workdays ?? [])]) parseLocalDate(d);
    this.extraHolidays = new Set(overrides.holidays ?? []);
    this.extraWorkdays = new Set(overrides.workdays ?? []);
    const both = [...this.extraHolidays].filter((d) => this.extraWorkdays.has(d));
    if (both.length > 0) {
      throw new CalendarError(`Dates listed both as school holiday and as school workday: ${both.join(', ')}`);
    }
  }

  /** Whether the statutory table knows this date's year (else only weekends count as days off). */
  covers(date: LocalDate): boolean {
    return STATUTORY_YEARS.includes(Number(date.slice(0, 4)));
  }

  day(date: LocalDate): DayInfo {
    parseLocalDate(date);
    if (this.extraHolidays.has(date)) return { date, working: false, kind: 'school_holiday', name: null };
    if (this.extraWorkdays.has(date)) return { date, working: true, kind: 'school_workday', name: null };
    const holiday = statutoryHolidays[date];
    if (holiday !== undefined) return { date, working: false, kind: 'holiday', name: chineseName(holiday) };
    const makeup = statutoryWorkdays[date];
    if (makeup !== undefined) return { date, working: true, kind: 'makeup_workday', name: chineseName(makeup) };
    const wd = weekday(date);
    if (wd === 0 || wd === 6) return { date, working: false, kind: 'weekend', name: null };
    return { date, working: true, kind: 'workday', name: null };
  }

  isWorkingDay(date: LocalDate): boolean {
    return this.day(date).working;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: LocalDate): LocalDate {
    let d = date;
    for (let i = 0; i < MAX_DAYS_OFF_IN_A_ROW; i++) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) return d;
    }
    throw new CalendarError(`No working day within ${MAX_DAYS_OFF_IN_A_ROW} days after ${date}: check the calendar overrides`);
  }

  /** The `n`-th working day after `date` (n ≥ 1). */
  addWorkingDays(date: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n) || n < 1) throw new CalendarError(`Working-day count must be a whole number ≥ 1, got ${n}`);
    let d = date;
    for (let i = 0; i < n; i++) d = this.nextWorkingDay(d);
    return d;
  }
}
