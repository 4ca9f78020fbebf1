/**
 * The working-day calendar: China's statutory calendar (weekends off, public holidays off, 调休 make-up
 * working days on) plus the school's own overrides. Where each year's statutory days come from, first that
 * has the year wins:
 * 1. the office's copy of the State Council's schedule for that year (`calendar.statutory` in the
 *    configuration) — so a new year needs no new release, and a mistake in the published data can be mended;
 * 2. the `chinese-days` data (official schedules, up to the newest year it has);
 * 3. the days fixed by law (《全国年节及纪念日放假办法》, domain/law-holidays.json): no 调休 is known yet,
 *    so every day of such a year is **provisional** and says so.
 * Pure: the data are JSON tables, nothing reads the clock.
 */
import statutory from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import law from './law-holidays.json' with { type: 'json' };
import { addDays, parseLocalDate, weekday, type LocalDate } from './time.js';
import { type ErrorCode } from './errors.js';

/** One year of the State Council's schedule (国务院办公厅关于X年部分节假日安排的通知), as the office copied it. */
export interface OfficeYearSchedule {
  /** The notice, e.g. "国办发明电〔2026〕7号". */
  source?: string | undefined;
  /** Every day off, with its holiday's name. */
  holidays: readonly { date: LocalDate; name: string }[];
  /** The 调休 make-up working days (weekend days that are worked), with the holiday they belong to. */
  workdays: readonly { date: LocalDate; name: string }[];
}

export interface CalendarOverrides {
  /** Extra days off decided by the school (e.g. 校运会补休), YYYY-MM-DD. */
  holidays?: readonly LocalDate[];
  /** Extra working days decided by the school (e.g. a Saturday open day), YYYY-MM-DD. */
  workdays?: readonly LocalDate[];
  /** The State Council's schedule for years the data does not have yet (or corrects), by year. */
  statutory?: Readonly<Record<string, OfficeYearSchedule>>;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday' | 'school_holiday' | 'school_workday';

/** Where a year's statutory days come from. */
export type YearSource = 'office' | 'official' | 'provisional' | 'unknown';

export interface DayInfo {
  date: LocalDate;
  working: boolean;
  kind: DayKind;
  /** The statutory holiday or make-up day's name, e.g. "国庆节". */
  name: string | null;
  /** Only the law's holidays are known for this day's year (no State Council schedule yet): 调休 may change it. */
  provisional: boolean;
}

const statutoryHolidays = statutory.holidays as Record<string, string>;
const statutoryWorkdays = statutory.workdays as Record<string, string>;

/** Years for which the published statutory table has data. */
export const STATUTORY_YEARS: readonly number[] = [
  ...new Set(Object.keys(statutoryHolidays).map((d) => Number(d.slice(0, 4)))),
].sort((a, b) => a - b);

const lawYears = law.years as Record<string, Record<string, string>>;
/** Years for which the law's own holidays are tabulated (the 2024 revision, from 2025 on). */
export const LAW_YEARS: readonly number[] = Object.keys(lawYears).map(Number).sort((a, b) => a - b);

/** The days off the law fixes in a year (元旦, 春节 with 除夕, 清明, 劳动节, 端午, 中秋, 国庆), or [] outside the table. */
export function lawHolidays(year: number): { date: LocalDate; name: string }[] {
  return Object.entries(lawYears[String(year)] ?? {}).map(([date, name]) => ({ date, name }));
}

/** "National Day,国庆节,3" → "国庆节" */
function chineseName(entry: string | undefined): string | null {
  if (!entry) return null;
  const parts = entry.split(',');
  return parts[1] ?? parts[0] ?? null;
}

/** Longest run of non-working days we accept before calling the configuration broken. */
const MAX_DAYS_OFF_IN_A_ROW = 120;

export class CalendarError extends Error {
  readonly code = 'ECALENDAR' satisfies ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

export class WorkingCalendar {
  private readonly extraHolidays: ReadonlySet<string>;
  private readonly extraWorkdays: ReadonlySet<string>;
  /** The office's schedules: year → date → holiday or make-up day. */
  private readonly office = new Map<number, { holidays: Map<string, string>; workdays: Map<string, string> }>();

  constructor(overrides: CalendarOverrides = {}) {
    for (const d of [...(overrides.holidays ?? []), ...(overrides.workdays ?? [])]) parseLocalDate(d);
    this.extraHolidays = new Set(overrides.holidays ?? []);
    this.extraWorkdays = new Set(overrides.workdays ?? []);
    const both = [...this.extraHolidays].filter((d) => this.extraWorkdays.has(d));
    if (both.length > 0) {
      throw new CalendarError(`Dates listed both as school holiday and as school workday: ${both.join(', ')}`);
    }
    for (const [year, schedule] of Object.entries(overrides.statutory ?? {})) {
      const problems = checkOfficeSchedule(Number(year), schedule);
      if (problems.length > 0) throw new CalendarError(`calendar.statutory.${year}: ${problems.map((p) => describeScheduleProblem(Number(year), p)).join('; ')}`);
      // A range such as 元旦 may begin in the last days of the year before: each day counts where it falls.
      this.office.set(Number(year), {
        holidays: new Map(schedule.holidays.map((h) => [h.date, h.name])),
        workdays: new Map(schedule.workdays.map((w) => [w.date, w.name])),
      });
    }
  }

  /** Where the statutory days of `year` come from. */
  yearSource(year: number): YearSource {
    if (this.office.has(year)) return 'office';
    if (STATUTORY_YEARS.includes(year)) return 'official';
    if (LAW_YEARS.includes(year)) return 'provisional';
    return 'unknown';
  }

  /** Whether the statutory days of this date's year are known from a published schedule (the office's or the data's). */
  covers(date: LocalDate): boolean {
    const source = this.yearSource(Number(date.slice(0, 4)));
    return source === 'office' || source === 'official';
  }

  day(date: LocalDate): DayInfo {
    parseLocalDate(date);
    const year = Number(date.slice(0, 4));
    const source = this.yearSource(year);
    const provisional = source === 'provisional' || source === 'unknown';
    if (this.extraHolidays.has(date)) return { date, working: false, kind: 'school_holiday', name: null, provisional };
    if (this.extraWorkdays.has(date)) return { date, working: true, kind: 'school_workday', name: null, provisional };
    const statutoryDay = this.statutoryDay(date, source);
    if (statutoryDay) return { date, ...statutoryDay, provisional };
    const wd = weekday(date);
    if (wd === 0 || wd === 6) return { date, working: false, kind: 'weekend', name: null, provisional };
    return { date, working: true, kind: 'workday', name: null, provisional };
  }

  private statutoryDay(date: LocalDate, source: YearSource): Pick<DayInfo, 'working' | 'kind' | 'name'> | null {
    // An office schedule may reach into the neighbouring year (元旦 from 30 December): look there too.
    for (const year of [Number(date.slice(0, 4)), Number(date.slice(0, 4)) + 1, Number(date.slice(0, 4)) - 1]) {
      const office = this.office.get(year);
      const holiday = office?.holidays.get(date);
      if (holiday !== undefined) return { working: false, kind: 'holiday', name: holiday };
      const makeup = office?.workdays.get(date);
      if (makeup !== undefined) return { working: true, kind: 'makeup_workday', name: makeup };
    }
    if (source === 'office') return null;
    if (source === 'official') {
      const holiday = statutoryHolidays[date];
      if (holiday !== undefined) return { working: false, kind: 'holiday', name: chineseName(holiday) };
      const makeup = statutoryWorkdays[date];
      if (makeup !== undefined) return { working: true, kind: 'makeup_workday', name: chineseName(makeup) };
      return null;
    }
    const name = lawYears[date.slice(0, 4)]?.[date];
    return name === undefined ? null : { working: false, kind: 'holiday', name };
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

/**
 * What is wrong with an office schedule, in words the office can act on (empty when it is consistent):
 * a make-up workday must be a Saturday or Sunday, no day both off and worked, every date in or next to
 * its year, every day the law fixes inside the holidays.
 */
export type ScheduleProblem =
  | { kind: 'not_in_year'; date: LocalDate }
  | { kind: 'makeup_on_weekday'; date: LocalDate }
  | { kind: 'off_and_makeup'; date: LocalDate }
  | { kind: 'law_holiday_missing'; date: LocalDate; name: string };

/** What is wrong with an office's copy of a year's schedule (none: it can be used). Words are the caller's (config/messages.ts). */
export function checkOfficeSchedule(year: number, schedule: OfficeYearSchedule): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const near = (d: LocalDate) => Math.abs(Number(d.slice(0, 4)) - year) <= 1 && (d.slice(0, 4) === String(year) || d.slice(5) >= '12-20' || d.slice(5) <= '01-10');
  const offDays = new Set(schedule.holidays.map((h) => h.date));
  for (const { date } of [...schedule.holidays, ...schedule.workdays]) {
    parseLocalDate(date);
    if (!near(date)) problems.push({ kind: 'not_in_year', date });
  }
  for (const { date } of schedule.workdays) {
    const wd = weekday(date);
    if (wd !== 0 && wd !== 6) problems.push({ kind: 'makeup_on_weekday', date });
    if (offDays.has(date)) problems.push({ kind: 'off_and_makeup', date });
  }
  for (const { date, name } of lawHolidays(year)) {
    if (!offDays.has(date)) problems.push({ kind: 'law_holiday_missing', date, name });
  }
  return problems;
}

/** A schedule problem in English, for the calendar's own error (configuration messages have their own words). */
export function describeScheduleProblem(year: number, p: ScheduleProblem): string {
  switch (p.kind) {
    case 'not_in_year':
      return `${p.date} is not in ${year}`;
    case 'makeup_on_weekday':
      return `make-up workday ${p.date} is a weekday (调休上班 days are Saturdays or Sundays)`;
    case 'off_and_makeup':
      return `${p.date} is listed both as a day off and as a make-up workday`;
    case 'law_holiday_missing':
      return `${p.date} (${p.name}) is a day off by law (全国年节及纪念日放假办法) but is not among the holidays`;
  }
}

/** The office's schedule as the configuration writes it (holidays as ranges), day by day. */
export function expandOfficeSchedule(input: {
  source?: string | undefined;
  holidays: readonly { name: string; from: LocalDate; to?: LocalDate | undefined }[];
  workdays?: readonly { name: string; date: LocalDate }[] | undefined;
}): OfficeYearSchedule {
  const holidays: { date: LocalDate; name: string }[] = [];
  for (const h of input.holidays) {
    // Bounded: a holiday of more than a month is a typo, and the check says so rather than loop on it.
    for (let d = h.from, n = 0; d <= (h.to ?? h.from) && n < 40; d = addDays(d, 1), n++) holidays.push({ date: d, name: h.name });
  }
  return { source: input.source, holidays, workdays: [...(input.workdays ?? [])] };
}
