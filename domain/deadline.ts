/**
 * Deadlines, exactly as notes/domain.md reads the school's plan (时效性):
 * - major / urgent: due = event + 2 h, any day, any hour;
 * - routine, event on a working day: the next working day, same local clock time;
 * - routine, event on a non-working day: the next working day at the end of working hours (17:30).
 * Configuration may change the numbers, not the shape. The same two regimes bound review,
 * counted from receipt instead of from the event.
 */
import type { WorkingCalendar } from './calendar.js';
import type { Timeliness, Urgency } from './report.js';
import { addDays, formatLocalDate, fromLocal, parseClock, toLocal, type LocalDate } from './time.js';

export interface DeadlineRules {
  /** Hours after the event for a major report (default 2). */
  majorHours: number;
  /** Hours after the event for an urgent report (default 2). */
  urgentHours: number;
  /** Working days after the event for a routine report (default 1). */
  routineWorkingDays: number;
  /** End of the working day, "HH:MM" (default "17:30"): a routine event on a day off is due at this time. */
  workdayEnd: string;
}

export const DEFAULT_DEADLINE_RULES: DeadlineRules = {
  majorHours: 2,
  urgentHours: 2,
  routineWorkingDays: 1,
  workdayEnd: '17:30',
};

export interface DeadlineContext {
  calendar: WorkingCalendar;
  timeZone: string;
  rules?: Partial<DeadlineRules>;
}

export type DeadlineRule = 'hours_after_event' | 'working_day_same_time' | 'working_day_end_of_day';

export interface Deadline {
  dueAt: Date;
  rule: DeadlineRule;
  /** One line a school's IT person can read: why this due time. */
  explanation: string;
  /**
   * The days counted lie in a year whose State Council schedule is not known yet (only the law's holidays
   * are): the due time may move when the schedule, with its 调休, is added (`calendar.statutory`).
   */
  provisional: boolean;
}

/** The years whose schedule a provisional deadline waits for, for messages ("2027"). */
export function provisionalYears(from: LocalDate, to: LocalDate, calendar: WorkingCalendar): number[] {
  const years = new Set<number>();
  for (let d = from; d <= to; d = addDays(d, 1)) if (calendar.day(d).provisional) years.add(Number(d.slice(0, 4)));
  return [...years];
}

const HOUR_MS = 3_600_000;

/** When something that started at `from` with this urgency is due. */
export function computeDeadline(from: Date, urgency: Urgency, ctx: DeadlineContext): Deadline {
  const rules = { ...DEFAULT_DEADLINE_RULES, ...ctx.rules };
  if (Number.isNaN(from.getTime())) throw new RangeError('Deadline start time is not a valid date');
  if (urgency === 'major' || urgency === 'urgent') {
    const hours = urgency === 'major' ? rules.majorHours : rules.urgentHours;
    return {
      dueAt: new Date(from.getTime() + hours * HOUR_MS),
      rule: 'hours_after_event',
      explanation: `${urgency}: ${hours} h after the event, on any day at any hour`,
      provisional: false, // hours count the same on every day
    };
  }
  const local = toLocal(from, ctx.timeZone);
  const date = formatLocalDate(local);
  const day = ctx.calendar.day(date);
  const dueDate = ctx.calendar.addWorkingDays(date, rules.routineWorkingDays);
  const [y, m, d] = dueDate.split('-').map(Number) as [number, number, number];
  const n = rules.routineWorkingDays;
  const days = n === 1 ? 'the next working day' : `${n} working days later`;
  const provisional = provisionalYears(date, dueDate, ctx.calendar).length > 0;
  if (day.working) {
    return {
      dueAt: fromLocal({ year: y, month: m, day: d, hour: local.hour, minute: local.minute, second: local.second }, ctx.timeZone),
      rule: 'working_day_same_time',
      explanation: `routine, event on a working day (${date}): ${days} (${dueDate}) at the same clock time`,
      provisional,
    };
  }
  const end = parseClock(rules.workdayEnd);
  return {
    dueAt: fromLocal({ year: y, month: m, day: d, hour: Math.floor(end / 60), minute: end % 60, second: 0 }, ctx.timeZone),
    rule: 'working_day_end_of_day',
    explanation: `routine, event on a day off (${date}, ${day.name ?? day.kind}): ${days} (${dueDate}) at the end of working hours ${rules.workdayEnd}`,
    provisional,
  };
}

/** 按时 or 迟报: a report received at its due instant is still on time. */
export function timeliness(receivedAt: Date, dueAt: Date): Timeliness {
  return receivedAt.getTime() <= dueAt.getTime() ? 'on_time' : 'late';
}

/** What a person is told about a provisional deadline, in the school's language. */
export function provisionalWarning(years: readonly number[], locale: 'zh-CN' | 'en'): string {
  const list = years.join(locale === 'en' ? ', ' : '、');
  const keys = years.map((y) => `calendar.statutory.${y}`).join(locale === 'en' ? ', ' : '、');
  return locale === 'en'
    ? `No State Council holiday schedule for ${list} yet: this due time counts only the holidays fixed by law (no 调休 make-up days) and may change. Once the schedule is published, add it to the configuration under ${keys}.`
    : `${list} 年的放假安排（含调休）尚未录入：此时限只按《全国年节及纪念日放假办法》规定的节日推算，可能会变。国务院办公厅公布安排后，请写入配置 ${keys}。`;
}
