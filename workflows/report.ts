/**
 * One report, one workflow: its whole life from receipt to publication (or withdrawal, or expiry).
 * The rules live in domain/lifecycle.ts; this file waits for people and timers and carries out
 * what the rules decide, through activities.
 */
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, defineUpdate, isCancellation, log, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import {
  alreadySeen,
  decide,
  isFinal,
  lastSeq,
  mailRequest,
  nextTimer,
  readModelSnapshot,
  roundStartedAt,
  startReport,
  statusView,
  upwardOpen,
  type ApproveAction,
  type BureauNoticeAction,
  type CommentAction,
  type Effect,
  type MarkPublishedAction,
  type PersonEvent,
  type ReassignAction,
  type RemindAction,
  type ReadModelUpdate,
  type ReportEvent,
  type ReportMailRequest,
  type ReportInput,
  type ReportState,
  type ReportStatusView,
  type ReviseAction,
  type TimelineEntry,
  type SendBackAction,
  type WithdrawAction,
} from '../domain/lifecycle.js';
import { chatRequest, type ReportChatRequest } from '../domain/chat.js';
import type { ReportStatus } from '../domain/report.js';
import { addUpdate, askPlan, batchNeedsWork, emptyBatch, isPlan, recordedForm, type StepAnswer, type StepBatch, type StepPlan, type StepWork } from './step-batch.js';

export const approveSignal = defineSignal<[ApproveAction]>('approve');
export const sendBackSignal = defineSignal<[SendBackAction]>('sendBack');
export const reviseSignal = defineSignal<[ReviseAction]>('revise');
export const withdrawSignal = defineSignal<[WithdrawAction]>('withdraw');
export const commentSignal = defineSignal<[CommentAction]>('comment');
export const reassignSignal = defineSignal<[ReassignAction]>('reassign');
/** 催办: the office reminds the current step's holders now. */
export const remindSignal = defineSignal<[RemindAction]>('remind');
/**
 * The school's calendar changed (the office added a year's holiday schedule): plan the current round again.
 * Sent by `baosong calendar replan` and by a worker that starts with a changed calendar (ops/calendar-replan.ts).
 */
export const calendarChangedSignal = defineSignal('calendarChanged');
/** The report is out on a channel (the editor's "已发布 <URL>", the editor's page, the office): 待发布 → 已发布. */
export const markPublishedSignal = defineSignal<[MarkPublishedAction]>('markPublished');
/** 上报: the bureau answered the report sent up to it (收到 / 录用 / 退回 / 催报), checked at intake. */
export const bureauNoticeSignal = defineSignal<[BureauNoticeAction]>('bureauNotice');
export const statusQuery = defineQuery<ReportStatusView>('status');

/** What `actUpdate` answers: the timeline entry the action made (a refusal is an entry too). */
export interface ActOutcome {
  /** null only when the action was decided so long ago that the workflow no longer keeps its entry. */
  entry: TimelineEntry | null;
  /** 'earlier': the same evidence was acted on before (a double click, a form sent twice): nothing new happened. */
  seen: 'now' | 'earlier';
  status: ReportStatus;
}
/** The failure type of an action the report can no longer take: it has ended (the caller says 报送已结束). */
export const REPORT_CLOSED = 'ReportClosed';
/**
 * A person's action from a page that waits for its outcome (the reviewer's signed page, the office's buttons,
 * `baosong report …`): the same as the signals above, but the caller hears what the report decided — done or
 * refused and why — as soon as it is decided, instead of reading the timeline back. Mail replies stay signals:
 * nobody waits on them. The action's evidence is its identity: an update with evidence already seen answers
 * with the earlier outcome and changes nothing.
 */
export const actUpdate = defineUpdate<ActOutcome, [PersonEvent]>('act');
/**
 * Everything a run would hand the next one: how `baosong`'s office starts a report that has ended again for
 * 投稿 (a new run of the same workflow id, from this state, with the office's action waiting; ops/report-actions.ts).
 */
export const resumeQuery = defineQuery<ReportResume & { input: ReportInput }>('resume');
/** What the read model holds about the report (the events the workflow keeps: older comments and refusals only live in the read model), for `baosong reindex`. */
export const readModelQuery = defineQuery<ReadModelUpdate & { publishedUrl: string | null }>('readModel');

type Activities = ReturnType<typeof createActivities>;

const { publishReport, recordPublication, planReviewRound, planRevisionWindow, planOverdueReminders, planPublishReminders } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Mail servers go down for hours; keep trying, but not more often than every 5 minutes.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * The same quick work done inside the worker's own process, in runs from 'local-steps' on: the calendar's plans and
 * records that send nothing (a step without mail, the publication's record). A local activity needs no activity
 * task from the server and no workflow task of its own after it, which is most of what such a step cost (issue 26);
 * each is idempotent and short, and a worker that dies mid-way leaves the workflow task to be retried, step and all.
 * Mail and the publish webhook stay ordinary activities: they wait on servers that may be slow or down for hours.
 */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * A step's mails, tried first as one local attempt (runs from 'local-mail' on): nearly every step's mails go out at
 * once, and an ordinary activity costs an activity task and another workflow task each (issue 26: a report's mail
 * steps were most of what it cost the server). The attempt is tried once, inside the workflow task, so a query or an
 * office's action waits for it: a refusing or unreachable server fails it quickly (SMTP timeouts, mail/transport.ts),
 * and the step then goes to the ordinary `settleReport` below, which retries for hours without holding anyone up.
 */
const firstTry = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

// Recording and mailing heartbeats while it runs: a worker that dies is noticed in 20 s, not a minute.
const { settleReport } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// 上报: a mail with a Word file, sent beside the report (never holding its review or publication up); the bureau's
// server may be down for hours: tried for a day, then the failure is recorded and the office can send it again.
const { sendUpward } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// The 公众号 draft box: tried for a day (WeChat down, the quota used up); a refusal that needs a person is not retried.
const { putWechatDraft } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

// Chat is a second channel: tried for an hour at most, never awaited before mail (see startChat).
const { sendReportChat } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * A report that lives long (a thousand comments, months overdue) continues as a new run before its
 * history grows large: the new run starts from the (bounded) state and the actions still waiting, so the
 * history of each run stays far below Temporal's limits (warnings at 10,240 events / 10 MB).
 */
const HISTORY_EVENTS_PER_RUN = 1000;
/** Waiting actions carried into the next run (each is small: long texts travel as references). */
const CARRIED_ACTIONS = 50;
/** Comments waiting together are recorded together (they change nothing else): at most this many per step. */
const COMMENTS_PER_STEP = 100;

export interface ReportOutcome {
  reportId: string;
  status: ReportStatus;
  rounds: number;
  publishedUrl: string | null;
}

/** What a run hands the next one when it continues as new. */
export interface ReportResume {
  state: ReportState;
  /** Actions signalled but not acted on yet, in order. */
  inbox: PersonEvent[];
}

/** `resumed`: where a previous run of this report stopped (continue-as-new). */
export async function reportWorkflow(input: ReportInput, resumed?: ReportResume): Promise<ReportOutcome> {
  const inbox: PersonEvent[] = [...(resumed?.inbox ?? [])];
  /** Chat messages on their way; a chat outage must not hold up the report, only its end (or its next run). */
  const chats: Promise<void>[] = [];
  let chatsOnTheirWay = 0;
  const started = resumed ? { state: resumed.state, effects: [] } : startReport(input, nowIso());
  let state: ReportState = started.state;
  const since080 = patched('report-0.8.0'); // every behaviour below as of 0.8.0 in one marker; older runs ask each
  // Decided once per run: a history from before it replays as it ran (published the moment the editor was asked).
  const publishStates = since080 || patched('publish-states');
  // Plans and mail-less records as local activities (see `local`): decided once per run, like publish-states.
  const localSteps = since080 || patched('local-steps');
  const steps = localSteps ? local : { planReviewRound, planRevisionWindow, planOverdueReminders, planPublishReminders, recordPublication, settleReport };
  // Publishing without a webhook only records (the input says so: decided when the report came) and is as quick.
  const publishes = localSteps && input.publishWebhook === false ? local : { publishReport };
  // Mail tried first in the worker's own process (see `firstTry`): decided once per run, like the others.
  const mailFirstTry = since080 || patched('local-mail');
  // A step's records and mails gathered into as few activities as it allows (see `settle`): decided once per run.
  const batches = since080 || patched('step-batches');

  setHandler(statusQuery, () => statusView(input, state));
  setHandler(resumeQuery, () => ({ input, state, inbox: [...inbox] }));
  setHandler(readModelQuery, () => ({ ...readModelSnapshot(input, state, state.timeline), publishedUrl: state.publishedUrl }));
  setHandler(approveSignal, (a) => void inbox.push({ type: 'approve', ...a }));
  setHandler(sendBackSignal, (a) => void inbox.push({ type: 'sendBack', ...a }));
  setHandler(reviseSignal, (a) => void inbox.push({ type: 'revise', ...a }));
  setHandler(withdrawSignal, (a) => void inbox.push({ type: 'withdraw', ...a }));
  setHandler(commentSignal, (a) => void inbox.push({ type: 'comment', ...a }));
  setHandler(reassignSignal, (a) => void inbox.push({ type: 'reassign', ...a }));
  setHandler(remindSignal, (a) => void inbox.push({ type: 'remind', ...a }));
  setHandler(markPublishedSignal, (a) => void inbox.push({ type: 'markPublished', ...a }));
  setHandler(bureauNoticeSignal, (a) => void inbox.push({ type: 'bureau', ...a }));
  setHandler(
    actUpdate,
    async (event) => {
      const decided = () => state.timeline.find((e) => e.evidence?.via === event.evidence.via && e.evidence.ref === event.evidence.ref);
      if (alreadySeen(state, event.evidence)) return { entry: decided() ?? null, seen: 'earlier', status: state.status };
      inbox.push(event);
      // Decided in the main loop, in order with every other action; a report that ends first never decides it.
      // (投稿 is decided on an ended report too: it waits for its own entry.)
      await condition(() => decided() !== undefined || (isFinal(state.status) && (event.type !== 'sendUp' || closing)));
      return { entry: decided() ?? null, seen: 'now', status: state.status };
    },
    {
      validator: (event: PersonEvent) => {
        if (!event.evidence?.ref) throw ApplicationFailure.create({ type: 'InvalidAction', message: 'an action needs evidence with a reference', nonRetryable: true });
        // 投稿 is the one action an ended report still takes (it goes up to the bureau).
        if (isFinal(state.status) && (event.type !== 'sendUp' || closing) && !alreadySeen(state, event.evidence)) throw ApplicationFailure.create({ type: REPORT_CLOSED, message: `report ${input.facts.reportId} is ${state.status}`, nonRetryable: true });
      },
    },
  );
  let calendarChanged = false;
  /** Outcomes of work running beside the report (the upward mail), applied by the main loop in turn. */
  const arrived: ReportEvent[] = [];
  /** Set once the report has decided to end: a 投稿 that comes now is refused (the office's page starts it again). */
  let closing = false;
  setHandler(calendarChangedSignal, () => void (calendarChanged = true));

  /**
   * Record what changed, then do what the rules asked for, in their order. The record and the mails
   * that follow it go in one activity (fewer round trips; each part is idempotent on its own).
   */
  async function settle(next: ReportState, effects: Effect[], entries: TimelineEntry[]): Promise<void> {
    if (batches) return settleInBatch(next, effects, entries);
    state = next;
    let update: ReadModelUpdate | null = readModelSnapshot(input, state, entries);
    let mails: ReportMailRequest[] = [];
    const flush = async () => {
      if (mails.length > 0) await settleWithMail({ update, mails });
      else if (update) await steps.settleReport({ update, mails });
      update = null;
      mails = [];
    };
    for (const effect of effects) {
      if (startBeside(effect)) continue;
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

  // The step being gathered (runs from 'step-batches' on; the outermost `settle` owns it and flushes it), and the
  // report as this run last recorded it (a record that would change nothing is left out).
  let batch: StepBatch | null = null;
  let lastRecorded: string | null = null;

  /**
   * `settle` in runs from 'step-batches' on: the same order, in fewer activities (issue 26). A step that follows without
   * waiting on anything outside (publishing with no webhook is only a record) joins the batch, as does the publication's
   * record; the batch goes out with a plan the step needs, before any other activity, and at the end.
   */
  async function settleInBatch(next: ReportState, effects: Effect[], entries: TimelineEntry[]): Promise<void> {
    state = next;
    const owner = batch === null;
    if (owner) batch = emptyBatch();
    // (`open()`, not a local: a plan's flush below starts a new batch for what follows it)
    const open = () => batch!;
    try {
      addUpdate(open(), readModelSnapshot(input, state, entries));
      for (const effect of effects) {
        if (startBeside(effect)) continue;
        if (effect.type === 'mail') open().mails.push(mailRequest(input, state, effect, nowIso()));
        else if (effect.type === 'record_publication') {
          if (!open().update) addUpdate(open(), readModelSnapshot(input, state, []));
          open().publication = { url: effect.url, channel: effect.channel };
        } else if (effect.type === 'publish' && effect.channelsSay && input.publishWebhook === false) {
          // Without a webhook the channels are people: nothing to ask a server, the editor is asked by mail.
          await apply({ type: 'published', url: null, published: false });
        } else if (isPlan(effect)) {
          // The plan rides with the batch (asked after its record and mails, as before); its answer is the next step.
          // (An activity from an older worker answers no plan: asked apart then; see StepAnswer.)
          const plan = { ...effect, urgency: input.facts.urgency };
          await apply((await flushBatch(plan))?.planned ?? (await askPlan(steps, plan)));
        } else {
          await flushBatch();
          await carryOut(effect);
        }
      }
      if (owner) await flushBatch();
    } finally {
      if (owner) batch = null;
    }
  }

  /** The batch in one activity (none when it would change nothing), with the plan the step needs next. */
  async function flushBatch(plan?: StepPlan): Promise<StepAnswer | void> {
    const step = batch!;
    batch = emptyBatch();
    const form = step.update && recordedForm(step.update);
    const needed = batchNeedsWork(step, form, lastRecorded);
    if (!needed && !plan) return;
    const work = { update: needed ? step.update : null, mails: step.mails, ...(step.publication ? { publication: step.publication } : {}), ...(plan ? { plan } : {}) };
    const answer = step.mails.length > 0 ? await settleWithMail(work) : await steps.settleReport(work);
    if (needed && form) lastRecorded = form;
    // An activity from an older worker did only the record and the mails (see StepAnswer): the rest apart.
    if (step.publication && !answer?.publicationRecorded) await steps.recordPublication({ update: step.update ?? readModelSnapshot(input, state, []), ...step.publication });
    return answer;
  }

  /** Chat and the 公众号 draft go on their way beside the step, never waited for. */
  function startBeside(effect: Effect): effect is Extract<Effect, { type: 'chat' | 'wechat_draft' }> {
    if (effect.type === 'chat') startChat(chatRequest(input, state, effect, nowIso()));
    // Like chat, the draft is on its way while the report waits for the editor; the activity records how it went.
    else if (effect.type === 'wechat_draft') startSide(putWechatDraft(readModelSnapshot(input, state, [])));
    else return false;
    return true;
  }

  /** A step with mail: one quick local attempt, then (if that failed) the ordinary activity with its retries. */
  async function settleWithMail(step: StepWork): Promise<StepAnswer | void> {
    if (mailFirstTry) {
      try {
        return await firstTry.settleReport(step);
      } catch (err) {
        // A failed attempt hands over; a cancelled report stays cancelled. The worker logs why (and a
        // refused mail's row keeps the server's answer); each part of the step is idempotent, so the ordinary
        // activity resumes where the attempt stopped.
        if (isCancellation(err)) throw err;
      }
    }
    return settleReport(step);
  }

  /** Started, not awaited: the mails of the same step go out whatever the chat robot does. */
  function startChat(request: ReportChatRequest): void {
    chatsOnTheirWay += 1;
    const sent = sendReportChat(request)
      .catch(() => undefined) // a failure is recorded by the activity and shown in /healthz
      .finally(() => void (chatsOnTheirWay -= 1));
    chats.push(sent);
  }

  /** The 公众号 draft, on its way beside the report (the activity records a failure for the office's page). */
  function startSide(work: Promise<void>): void {
    chatsOnTheirWay += 1;
    const sent = work.catch(() => undefined).finally(() => void (chatsOnTheirWay -= 1));
    chats.push(sent);
  }

  async function apply(event: ReportEvent): Promise<void> {
    const before = lastSeq(state);
    // The office's actions follow the rules of issue 18 §3 in runs that started deciding them after it (patched).
    const officeAction = event.type === 'withdraw' || event.type === 'reassign' || event.type === 'remind';
    // Co-holders told, refusals told to the one refused (issue 18 §4): for any person's action, in runs after it.
    const personAction = officeAction || event.type === 'markPublished' || event.type === 'approve' || event.type === 'sendBack' || event.type === 'revise' || event.type === 'comment';
    const d = decide(input, state, event, nowIso(), {
      ...(officeAction ? { officeActions: since080 || patched('office-actions') } : {}),
      ...(personAction ? { reviewNotices: since080 || patched('review-notices') } : {}),
      publishStates,
    });
    await settle(d.state, d.effects, d.state.timeline.filter((e) => e.seq > before));
  }

  /** A flood of comments is one step, not one per comment: comments add to the timeline and change nothing else. */
  async function applyComments(comments: PersonEvent[]): Promise<void> {
    let next = state;
    const effects: Effect[] = [];
    const entries: TimelineEntry[] = [];
    for (const comment of comments) {
      if (alreadySeen(next, comment.evidence)) continue;
      const seq = lastSeq(next);
      const d = decide(input, next, comment, nowIso());
      next = d.state;
      effects.push(...d.effects);
      entries.push(...next.timeline.filter((e) => e.seq > seq));
    }
    if (entries.length > 0) await settle(next, effects, entries);
  }

  /** The next action, or the run of comments at the head of the inbox. */
  function takeNext(): PersonEvent[] {
    const first = inbox.shift();
    if (!first) return [];
    const taken = [first];
    while (first.type === 'comment' && inbox[0]?.type === 'comment' && taken.length < COMMENTS_PER_STEP) taken.push(inbox.shift()!);
    return taken;
  }

  async function carryOut(effect: Exclude<Effect, { type: 'mail' | 'chat' | 'wechat_draft' }>): Promise<void> {
    switch (effect.type) {
      case 'publish': {
        const snapshot = readModelSnapshot(input, state, []);
        const outcome = effect.channelsSay ? await publishes.publishReport(snapshot, { channelsSay: true }) : await publishes.publishReport(snapshot);
        return apply({ type: 'published', url: outcome.url, ...(outcome.published === undefined ? {} : { published: outcome.published }) });
      }
      case 'plan_publish':
      case 'plan_review':
      case 'plan_revision':
      case 'plan_overdue':
        return apply(await askPlan(steps, { ...effect, urgency: input.facts.urgency }));
      case 'record_publication':
        return steps.recordPublication({ update: readModelSnapshot(input, state, []), url: effect.url, channel: effect.channel });
      case 'send_upward': {
        const f = input.facts;
        const sending = sendUpward({
          reportId: f.reportId,
          send: (state.upward?.sends ?? 0) + 1,
          title: state.title,
          body: state.body,
          bodyRef: state.bodyRef,
          attachments: state.attachments,
          category: f.category,
          urgency: f.urgency,
          eventTime: f.eventTime,
          departmentName: f.department.name,
          submitterName: f.submitter.name,
          composedAt: nowIso(),
          ...(state.upward?.answerTo ? { inReplyTo: state.upward.answerTo } : {}),
        });
        // Its outcome comes back to the main loop as an event, in order with everything else.
        startSide(sending.then(({ messageId }) => void arrived.push({ type: 'upward_sent', messageId }), (err: unknown) => void arrived.push({ type: 'upward_failed', reason: failureText(err) })));
        return;
      }
    }
  }

  /** The same round, planned again on today's calendar; a different due time moves reminders and escalation. */
  async function replan(): Promise<void> {
    const from = roundStartedAt(input, state);
    if (state.status !== 'in_review' || from === null) return;
    const plan = await steps.planReviewRound({ from, urgency: input.facts.urgency });
    if (plan.dueAt !== state.plan.dueAt) await apply({ type: 'deadline_moved', plan });
  }

  if (!resumed) await settle(started.state, started.effects, started.state.timeline);

  // A report that went up to the bureau listens for its answer after its own life ended (upwardOpen).
  // A run started again for 投稿 begins with that action waiting (old histories never carry one, nor `arrived`).
  const more = () => inbox.some((e) => e.type === 'sendUp') || arrived.length > 0;
  for (;;) {
  while (!isFinal(state.status) || upwardOpen(state) || more()) {
    // (not while a chat message is on its way: continuing as new would abandon it)
    // nor while a page waits for an action's outcome: its update would be abandoned (the action itself is carried)
    if (inbox.length <= CARRIED_ACTIONS && chatsOnTheirWay === 0 && allHandlersFinished() && historyIsLong()) await continueAsNew<typeof reportWorkflow>(input, { state, inbox });
    const timer = nextTimer(state, input.upward);
    const wait = timer ? Date.parse(timer.at) - Date.now() : null;
    const woken = () => inbox.length > 0 || calendarChanged || arrived.length > 0;
    const signalled = wait === null ? (await condition(woken), true) : wait > 0 && (await condition(woken, wait));
    if (arrived.length > 0) {
      await apply(arrived.shift()!);
    } else if (calendarChanged) {
      // Only ever set by the calendarChanged signal, which histories from before it do not have.
      calendarChanged = false;
      await replan();
    } else if (signalled) {
      const [event, ...more] = takeNext();
      // A redelivered reply or a double-clicked link is the same action: act on it once.
      if (event?.type === 'comment') await applyComments([event, ...more]);
      else if (event && !alreadySeen(state, event.evidence)) await apply(event);
    } else if (timer) {
      await apply({ type: 'timer', timer: timer.timer });
    }
  }
  await Promise.all(chats);
  // A 投稿 that came, or the upward mail's outcome that arrived, while the last messages went out: back to work.
  if (more()) continue;
  closing = true;
  // A page waiting on an action the closing step made moot hears the report's end, not an abandoned update.
  await condition(allHandlersFinished);
  break;
  }
  log.info('report closed', { reportId: input.facts.reportId, status: state.status, rounds: state.round }); // not logged again on replay
  return { reportId: input.facts.reportId, status: state.status, rounds: state.round, publishedUrl: state.publishedUrl };
}

/** A failed activity's reason, one line, for the timeline. */
function failureText(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } }).cause?.message;
  const message = typeof cause === 'string' ? cause : err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.slice(0, 300);
}

function historyIsLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_PER_RUN;
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
