/**
 * Reminder and escalation plans as absolute instants. They need the working-day calendar, so they are
 * computed outside the workflow (before it starts, or in an activity) and handed to it as data.
 */
import { computeDeadline, type DeadlineContext } from './deadline.js';
import type { Urgency } from './report.js';
import { addDays, formatLocalDate, fromLocal, parseClock, parseDuration, toLocal, type LocalDate } from './time.js';

export interface ReminderRule {
  /** Reminders this long before the deadline ("2h", "30m"). */
  before: readonly string[];
  /** Urgent/major: after the deadline, remind this often ("30m"). Routine reminds once every working day. */
  every?: string | undefined;
}

export interface PlanContext extends DeadlineContext {
  workingHours: { start: string; end: string };
  reminders: Record<Urgency, ReminderRule>;
  /** Working days a returned report has for its revision, and until it expires. */
  revisionWorkingDays: number;
  expireWorkingDays: number;
}

/** When a review round is due and when its holder is reminded, as ISO instants (UTC). */
export interface ReviewPlan {
  dueAt: string;
  /** The due time counts days of a year whose holiday schedule is not known yet (only the law's holidays): it may move. */
  provisional?: boolean | undefined;
  /** Before the deadline, ascending. */
  reminders: string[];
  /** After the deadline, ascending: every working day (routine) or every `every` (urgent/major). */
  overdueReminders: string[];
}

export interface RevisionPlan {
  /** The submitter should revise by then… */
  revisionDueAt: string;
  /** …is reminded after that, every working morning… */
  reminders: string[];
  /** …and the report expires at this instant if still not revised. */
  expiresAt: string;
}

/** How many overdue reminders a plan lists; a workflow that uses them all asks for a new plan. */
export const OVERDUE_REMINDERS = 10;

const iso = (d: Date) => d.toISOString();

function atClock(date: LocalDate, minutes: number, ctx: PlanContext): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return fromLocal({ year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 }, ctx.timeZone);
}

/**
 * The latest moment at or before `t` that lies in working hours on a working day
 * (08:00–17:30 by default), or null when there is none after `notBefore`.
 */
export function latestWorkingMoment(t: Date, notBefore: Date, ctx: PlanContext): Date | null {
  const start = parseClock(ctx.workingHours.start);
  const end = parseClock(ctx.workingHours.end);
  let date = formatLocalDate(toLocal(t, ctx.timeZone));
  for (let i = 0; i < 60; i++) {
    if (ctx.calendar.isWorkingDay(date)) {
      const open = atClock(date, start, ctx);
      const close = atClock(date, end, ctx);
      const candidate = t < open ? null : t > close ? close : t;
      if (candidate) return candidate < notBefore ? null : candidate;
    }
    date = addDays(date, -1);
    if (atClock(date, end, ctx) < notBefore) return null;
  }
  return null;
}

/** Working-day mornings (start of working hours) strictly after `after`, up to `count` of them, before `until`. */
export function workingMornings(after: Date, count: number, ctx: PlanContext, until?: Date): Date[] {
  const start = parseClock(ctx.workingHours.start);
  const out: Date[] = [];
  let date = formatLocalDate(toLocal(after, ctx.timeZone));
  if (!ctx.calendar.isWorkingDay(date) || atClock(date, start, ctx) <= after) date = ctx.calendar.nextWorkingDay(date);
  while (out.length < count) {
    const t = atClock(date, start, ctx);
    if (until && t >= until) break;
    out.push(t);
    date = ctx.calendar.nextWorkingDay(date);
  }
  return out;
}

/** The plan of a review round that starts at `from` (receipt, or a revision). */
export function planReview(from: Date, urgency: Urgency, ctx: PlanContext): ReviewPlan {
  const deadline = computeDeadline(from, urgency, ctx);
  const due = deadline.dueAt;
  const rule = ctx.reminders[urgency];
  const routine = urgency === 'routine';
  const reminders = new Set<string>();
  for (const before of rule.before) {
    const t = new Date(due.getTime() - parseDuration(before));
    if (t <= from) continue;
    const at = routine ? latestWorkingMoment(t, from, ctx) : t;
    if (at && at < due) reminders.add(iso(at));
  }
  let overdue: Date[];
  if (routine || !rule.every) {
    overdue = workingMornings(due, OVERDUE_REMINDERS, ctx);
  } else {
    const every = parseDuration(rule.every);
    overdue = Array.from({ length: OVERDUE_REMINDERS }, (_, i) => new Date(due.getTime() + (i + 1) * every));
  }
  return { dueAt: iso(due), reminders: [...reminders].sort(), overdueReminders: overdue.map(iso), ...(deadline.provisional ? { provisional: true } : {}) };
}

/** More overdue reminders after the last planned one (for reports that stay overdue for weeks). */
export function planMoreOverdueReminders(after: Date, urgency: Urgency, ctx: PlanContext): string[] {
  const every = ctx.reminders[urgency].every;
  if (urgency === 'routine' || !every) return workingMornings(after, OVERDUE_REMINDERS, ctx).map(iso);
  const ms = parseDuration(every);
  return Array.from({ length: OVERDUE_REMINDERS }, (_, i) => iso(new Date(after.getTime() + (i + 1) * ms)));
}

/** The plan for a report sent back at `returnedAt`. */
/** Reminders that an approved report still waits to be published: after `days` working days, then the next two working mornings. */
export function planPublishReminders(approvedAt: Date, days: number, ctx: PlanContext): string[] {
  const first = computeDeadline(approvedAt, 'routine', { ...ctx, rules: { ...ctx.rules, routineWorkingDays: days } }).dueAt;
  return [first, ...workingMornings(first, 2, ctx)].map(iso);
}

export function planRevision(returnedAt: Date, ctx: PlanContext): RevisionPlan {
  const within = (days: number) => computeDeadline(returnedAt, 'routine', { ...ctx, rules: { ...ctx.rules, routineWorkingDays: days } }).dueAt;
  const revisionDue = within(ctx.revisionWorkingDays);
  const expires = within(Math.max(ctx.expireWorkingDays, ctx.revisionWorkingDays));
  return {
    revisionDueAt: iso(revisionDue),
    reminders: workingMornings(revisionDue, 30, ctx, expires).map(iso),
    expiresAt: iso(expires),
  };
}
