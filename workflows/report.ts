/**
 * One report, one workflow: its whole life from receipt to publication (or withdrawal, or expiry).
 * The rules live in domain/lifecycle.ts; this file waits for people and timers and carries out
 * what the rules decide, through activities.
 */
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import {
  alreadySeen,
  decide,
  isFinal,
  mailRequest,
  nextTimer,
  readModelSnapshot,
  startReport,
  statusView,
  type ApproveAction,
  type CommentAction,
  type Effect,
  type PersonEvent,
  type ReassignAction,
  type ReadModelUpdate,
  type ReportEvent,
  type ReportMailRequest,
  type ReportInput,
  type ReportState,
  type ReportStatusView,
  type ReviseAction,
  type SendBackAction,
  type WithdrawAction,
} from '../domain/lifecycle.js';
import { chatRequest, type ReportChatRequest } from '../domain/chat.js';
import type { ReportStatus } from '../domain/report.js';

export const approveSignal = defineSignal<[ApproveAction]>('approve');
export const sendBackSignal = defineSignal<[SendBackAction]>('sendBack');
export const reviseSignal = defineSignal<[ReviseAction]>('revise');
export const withdrawSignal = defineSignal<[WithdrawAction]>('withdraw');
export const commentSignal = defineSignal<[CommentAction]>('comment');
export const reassignSignal = defineSignal<[ReassignAction]>('reassign');
export const statusQuery = defineQuery<ReportStatusView>('status');
/** Everything the read model holds about the report (all its events), for `baosong reindex`. */
export const readModelQuery = defineQuery<ReadModelUpdate & { publishedUrl: string | null }>('readModel');

type Activities = ReturnType<typeof createActivities>;

const { settleReport, publishReport, planReviewRound, planRevisionWindow, planOverdueReminders } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Mail servers go down for hours; keep trying, but not more often than every 5 minutes.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// Chat is a second channel: tried for an hour at most, never awaited before mail (see startChat).
const { sendReportChat } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export interface ReportOutcome {
  reportId: string;
  status: ReportStatus;
  rounds: number;
  publishedUrl: string | null;
}

export async function reportWorkflow(input: ReportInput): Promise<ReportOutcome> {
  const inbox: PersonEvent[] = [];
  /** Chat messages on their way; a chat outage must not hold up the report, only its end. */
  const chats: Promise<void>[] = [];
  const started = startReport(input, nowIso());
  let state: ReportState = started.state;

  setHandler(statusQuery, () => statusView(input, state));
  setHandler(readModelQuery, () => ({ ...readModelSnapshot(input, state, 0), publishedUrl: state.publishedUrl }));
  setHandler(approveSignal, (a) => void inbox.push({ type: 'approve', ...a }));
  setHandler(sendBackSignal, (a) => void inbox.push({ type: 'sendBack', ...a }));
  setHandler(reviseSignal, (a) => void inbox.push({ type: 'revise', ...a }));
  setHandler(withdrawSignal, (a) => void inbox.push({ type: 'withdraw', ...a }));
  setHandler(commentSignal, (a) => void inbox.push({ type: 'comment', ...a }));
  setHandler(reassignSignal, (a) => void inbox.push({ type: 'reassign', ...a }));

  /**
   * Record what changed, then do what the rules asked for, in their order. The record and the mails
   * that follow it go in one activity (fewer round trips; each part is idempotent on its own).
   */
  async function settle(next: ReportState, effects: Effect[], recordedUpTo: number): Promise<void> {
    state = next;
    let update: ReadModelUpdate | null = readModelSnapshot(input, state, recordedUpTo);
    let mails: ReportMailRequest[] = [];
    const flush = async () => {
      if (update || mails.length > 0) await settleReport({ update, mails });
      update = null;
      mails = [];
    };
    for (const effect of effects) {
      if (effect.type === 'chat') {
        startChat(chatRequest(input, state, effect, nowIso()));
        continue;
      }
      // A mail is composed when its turn comes: after any planning before it (the 'returned' mail
      // tells the revision deadline that plan_revision just set).
      if (effect.type === 'mail') mails.push(mailRequest(input, state, effect, nowIso()));
      else {
        await flush();
        await carryOut(effect);
      }
    }
    await flush();
  }

  /** Started, not awaited: the mails of the same step go out whatever the chat robot does. */
  function startChat(request: ReportChatRequest): void {
    chats.push(sendReportChat(request).catch(() => undefined)); // a failure is recorded by the activity and shown in /healthz
  }

  async function apply(event: ReportEvent): Promise<void> {
    const before = state.timeline.length;
    const d = decide(input, state, event, nowIso());
    await settle(d.state, d.effects, before);
  }

  async function carryOut(effect: Exclude<Effect, { type: 'mail' | 'chat' }>): Promise<void> {
    switch (effect.type) {
      case 'publish':
        return apply({ type: 'published', url: (await publishReport(readModelSnapshot(input, state, state.timeline.length))).url });
      case 'plan_review':
        return apply({ type: 'review_planned', plan: await planReviewRound({ from: effect.from, urgency: input.facts.urgency }) });
      case 'plan_revision':
        return apply({ type: 'revision_planned', plan: await planRevisionWindow({ from: effect.from }) });
      case 'plan_overdue':
        return apply({ type: 'overdue_planned', reminders: await planOverdueReminders({ after: effect.after, urgency: input.facts.urgency }) });
    }
  }

  await settle(started.state, started.effects, 0);

  while (!isFinal(state.status)) {
    const timer = nextTimer(state);
    const wait = timer ? Date.parse(timer.at) - Date.now() : null;
    const signalled = wait === null ? (await condition(() => inbox.length > 0), true) : wait > 0 && (await condition(() => inbox.length > 0, wait));
    if (signalled) {
      const event = inbox.shift();
      // A redelivered reply or a double-clicked link is the same action: act on it once.
      if (event && !alreadySeen(state, event.evidence)) await apply(event);
    } else if (timer) {
      await apply({ type: 'timer', timer: timer.timer });
    }
  }
  await Promise.all(chats);
  return { reportId: input.facts.reportId, status: state.status, rounds: state.round, publishedUrl: state.publishedUrl };
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
