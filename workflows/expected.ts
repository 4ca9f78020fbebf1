/**
 * An expected report (应报事项): the office says a department owes a report on an event. Before the
 * deadline its liaisons are reminded; at the deadline, if nothing came, it is missing (漏报) and the
 * department head and the office are told; a report that comes later is linked and counted late.
 */
import { condition, defineQuery, defineSignal, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { Urgency } from '../domain/report.js';
import type { Person } from '../domain/review.js';

type Activities = ReturnType<typeof createActivities>;

const { recordExpectedState, sendExpectedMail, planExpectedDeadline } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// Chat is a second channel: tried for an hour at most, started without waiting so mail goes out regardless.
const { sendExpectedChat } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export interface ExpectedReportInput {
  id: string;
  department: { id: string; name: string; head: Person; liaisons: Person[] };
  office: Person[];
  title: string;
  urgency: Urgency;
  /** ISO instants, decided before start (deadline rules need the calendar). */
  eventEnd: string;
  dueAt: string;
  remindAt: string | null;
  /** How long after the deadline a late report is still linked to it. */
  lateWindowDays?: number;
  /** Chat robots told when it is missing (漏报), decided from the configuration at registration. */
  chatRobots?: string[];
}

export type ExpectedStatus = 'waiting' | 'satisfied' | 'late' | 'missing';

export interface ExpectedReportView {
  id: string;
  status: ExpectedStatus;
  reportId: string | null;
  dueAt: string;
}

export const satisfyExpectedSignal = defineSignal<[{ reportId: string; receivedAt: string }]>('satisfy');
export const expectedStatusQuery = defineQuery<ExpectedReportView>('status');
/**
 * The school's calendar changed (a year's holiday schedule added): plan the deadline and the reminder again,
 * if they are still ahead. Sent by ops/calendar-replan.ts, like the report workflow's `calendarChanged`.
 */
export const expectedCalendarChangedSignal = defineSignal('calendarChanged');

export function expectedWorkflowId(id: string): string {
  return `expected-${id}`;
}

export async function expectedReportWorkflow(input: ExpectedReportInput): Promise<ExpectedReportView> {
  let status: ExpectedStatus = 'waiting';
  // The first report linked to it (set by the signal handler, so kept in an object TS will not narrow).
  const arrived: { report: { reportId: string; receivedAt: string } | null } = { report: null };
  // The deadline and reminder as now planned: the input's, until the calendar changes.
  const plan = { dueAt: input.dueAt, remindAt: input.remindAt, calendarChanged: false };
  const current = (): ExpectedReportInput => ({ ...input, dueAt: plan.dueAt, remindAt: plan.remindAt });
  const view = (): ExpectedReportView => ({ id: input.id, status, reportId: arrived.report?.reportId ?? null, dueAt: plan.dueAt });
  setHandler(expectedStatusQuery, view);
  setHandler(satisfyExpectedSignal, (r) => {
    arrived.report ??= r;
  });
  setHandler(expectedCalendarChangedSignal, () => void (plan.calendarChanged = true));
  // A deadline already past still gets a (1 ms) timer: the workflow then goes straight on.
  const until = (iso: string) => Math.max(1, Date.parse(iso) - Date.now());

  /**
   * Waits for a report or the planned moment, whichever comes first (true: a report came). A changed calendar
   * plans both moments again and waits on; without that signal the timers are the ones histories recorded before.
   */
  async function reportBy(moment: 'remindAt' | 'dueAt'): Promise<boolean> {
    for (;;) {
      const at = plan[moment];
      if (at === null) return false;
      const woke = await condition(() => arrived.report !== null || plan.calendarChanged, until(at));
      if (arrived.report !== null) return true;
      if (!woke) return false;
      plan.calendarChanged = false;
      if (patched('expected-calendar-replan')) {
        const again = await planExpectedDeadline({ eventEnd: input.eventEnd, urgency: input.urgency });
        if (again.dueAt !== plan.dueAt) {
          plan.dueAt = again.dueAt;
          // A reminder already sent stays sent; one still ahead moves with the deadline.
          if (moment === 'remindAt') plan.remindAt = again.remindAt;
          await recordExpectedState({ input: current(), status, reportId: null });
        }
      }
    }
  }

  await recordExpectedState({ input, status, reportId: null });

  if (plan.remindAt && !(await reportBy('remindAt'))) {
    await sendExpectedMail({ input: current(), kind: 'expected_reminder', to: input.department.liaisons, at: nowIso() });
  }
  if (await reportBy('dueAt')) {
    status = arrived.report && arrived.report.receivedAt <= plan.dueAt ? 'satisfied' : 'late';
    await recordExpectedState({ input: current(), status, reportId: arrived.report?.reportId ?? null });
    return view();
  }

  status = 'missing';
  await recordExpectedState({ input: current(), status, reportId: null });
  const at = nowIso();
  const chats = (input.chatRobots ?? []).map((robot) => sendExpectedChat({ input: current(), robot, at }).catch(() => undefined));
  await sendExpectedMail({ input: current(), kind: 'missing', to: [input.department.head, ...input.office], at });

  if (await condition(() => arrived.report !== null, `${input.lateWindowDays ?? 30} days`)) {
    status = 'late';
    await recordExpectedState({ input: current(), status, reportId: arrived.report?.reportId ?? null });
  }
  await Promise.all(chats);
  return view();
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
