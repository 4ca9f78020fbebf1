/**
 * An expected report (应报事项): the office says a department owes a report on an event. Before the
 * deadline its liaisons are reminded; at the deadline, if nothing came, it is missing (漏报) and the
 * department head and the office are told; a report that comes later is linked and counted late.
 */
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { Urgency } from '../domain/report.js';
import type { Person } from '../domain/review.js';

type Activities = ReturnType<typeof createActivities>;

const { recordExpectedState, sendExpectedMail } = proxyActivities<Activities>({
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

export function expectedWorkflowId(id: string): string {
  return `expected-${id}`;
}

export async function expectedReportWorkflow(input: ExpectedReportInput): Promise<ExpectedReportView> {
  let status: ExpectedStatus = 'waiting';
  // The first report linked to it (set by the signal handler, so kept in an object TS will not narrow).
  const arrived: { report: { reportId: string; receivedAt: string } | null } = { report: null };
  const view = (): ExpectedReportView => ({ id: input.id, status, reportId: arrived.report?.reportId ?? null, dueAt: input.dueAt });
  setHandler(expectedStatusQuery, view);
  setHandler(satisfyExpectedSignal, (r) => {
    arrived.report ??= r;
  });
  // A deadline already past still gets a (1 ms) timer: the workflow then goes straight on.
  const until = (iso: string) => Math.max(1, Date.parse(iso) - Date.now());

  await recordExpectedState({ input, status, reportId: null });

  if (input.remindAt && !(await condition(() => arrived.report !== null, until(input.remindAt)))) {
    await sendExpectedMail({ input, kind: 'expected_reminder', to: input.department.liaisons, at: nowIso() });
  }
  if (await condition(() => arrived.report !== null, until(input.dueAt))) {
    status = arrived.report && arrived.report.receivedAt <= input.dueAt ? 'satisfied' : 'late';
    await recordExpectedState({ input, status, reportId: arrived.report?.reportId ?? null });
    return view();
  }

  status = 'missing';
  await recordExpectedState({ input, status, reportId: null });
  const at = nowIso();
  const chats = (input.chatRobots ?? []).map((robot) => sendExpectedChat({ input, robot, at }).catch(() => undefined));
  await sendExpectedMail({ input, kind: 'missing', to: [input.department.head, ...input.office], at });

  if (await condition(() => arrived.report !== null, `${input.lateWindowDays ?? 30} days`)) {
    status = 'late';
    await recordExpectedState({ input, status, reportId: arrived.report?.reportId ?? null });
  }
  await Promise.all(chats);
  return view();
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
