// Activity tasks: scheduling, dispatch, heartbeats, server-side retries with backoff, timeouts and
// cancellation. Each activity holds a time-skipping lock from scheduled to closed, except while it
// waits out a retry backoff.
import { randomUUID } from 'node:crypto';
import type { TimerHandle } from './clock.js';
import type { Engine, Run } from './engine.js';
import { invalidArgument, notFound } from './errors.js';
import { RetryState, TimeoutType, temporal, durationToMs, msToDuration, msToTimestamp, type Obj, type T } from './proto.js';
import { decodeToken, encodeToken } from './tokens.js';

type Payloads = T.api.common.v1.IPayloads;
const PendingActivityState = temporal.api.enums.v1.PendingActivityState;
type Failure = T.api.failure.v1.IFailure;

interface Retry {
  initialMs: number;
  backoff: number;
  maxMs: number;
  maxAttempts: number;
  nonRetryable: string[];
}

export interface Activity {
  run: Run;
  scheduledEventId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  header: Obj | null | undefined;
  input: Payloads | null | undefined;
  priority: Obj | null | undefined;
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
  retry: Retry;
  attempt: number;
  state: 'scheduled' | 'started' | 'backoff' | 'closed';
  scheduledTime: number;
  attemptScheduledTime: number;
  startedTime: number;
  identity: string;
  heartbeatDetails: Payloads | null | undefined;
  lastHeartbeatTime: number;
  lastFailure: Failure | null | undefined;
  cancelRequested: boolean;
  cancelRequestedEventId: number;
  /** PauseActivity: no new attempt is handed out until UnpauseActivity; a running one hears of it on its heartbeat. */
  paused: boolean;
  /** ResetActivity while an attempt runs: it hears of it on its heartbeat, and its retry starts at once. */
  resetPending: boolean;
  /** A reset without keepPaused unpauses the activity when it takes effect (when the running attempt ends). */
  unpauseOnReset?: boolean;
  /** The next attempt, held back while paused (a dispatch or a retry). */
  held?: () => void;
  locked: boolean;
  scheduleToCloseTimer?: TimerHandle;
  attemptTimers: TimerHandle[];
}

export class Activities {
  constructor(private readonly engine: Engine) {}

  private get clock() {
    return this.engine.clock;
  }

  /**
   * ScheduleActivityTask command. With `eager` the task is not queued: the caller hands it to the
   * completing worker with `startEager` (Temporal's eager activity execution).
   */
  schedule(run: Run, a: T.api.command.v1.IScheduleActivityTaskCommandAttributes, completedId: number, eager = false): Activity {
    let scheduleToCloseMs = durationToMs(a.scheduleToCloseTimeout);
    let startToCloseMs = durationToMs(a.startToCloseTimeout);
    if (scheduleToCloseMs <= 0 && startToCloseMs <= 0)
      throw invalidArgument('A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.');
    let scheduleToStartMs = durationToMs(a.scheduleToStartTimeout);
    if (startToCloseMs <= 0) startToCloseMs = scheduleToCloseMs;
    if (scheduleToCloseMs > 0) {
      startToCloseMs = Math.min(startToCloseMs, scheduleToCloseMs);
      scheduleToStartMs = scheduleToStartMs > 0 ? Math.min(scheduleToStartMs, scheduleToCloseMs) : scheduleToCloseMs;
    } else {
      scheduleToCloseMs = 0;
    }
    const heartbeatMs = Math.min(durationToMs(a.heartbeatTimeout), startToCloseMs);
    const rp = a.retryPolicy ?? {};
    const initialMs = durationToMs(rp.initialInterval) || 1000;
    const retry: Retry = {
      initialMs,
      backoff: rp.backoffCoefficient && rp.backoffCoefficient >= 1 ? rp.backoffCoefficient : 2,
      maxMs: durationToMs(rp.maximumInterval) || 100 * initialMs,
      maxAttempts: rp.maximumAttempts ?? 0,
      nonRetryable: rp.nonRetryableErrorTypes ?? [],
    };
    const taskQueue = a.taskQueue?.name || run.taskQueue;
    const ev = this.engine.append(run, 'activityTaskScheduled', {
      activityId: a.activityId,
      activityType: a.activityType,
      taskQueue: { name: taskQueue, kind: 1 },
      header: a.header,
      input: a.input,
      scheduleToCloseTimeout: msToDuration(scheduleToCloseMs),
      scheduleToStartTimeout: msToDuration(scheduleToStartMs),
      startToCloseTimeout: msToDuration(startToCloseMs),
      heartbeatTimeout: msToDuration(heartbeatMs),
      workflowTaskCompletedEventId: completedId,
      retryPolicy: retryPolicyObj(retry),
      priority: a.priority,
    });
    const now = this.clock.now();
    const act: Activity = {
      run,
      scheduledEventId: ev.eventId,
      activityId: a.activityId ?? '',
      activityType: a.activityType?.name ?? '',
      taskQueue,
      header: a.header as Obj | null | undefined,
      input: a.input,
      priority: a.priority as Obj | null | undefined,
      scheduleToCloseMs,
      scheduleToStartMs,
      startToCloseMs,
      heartbeatMs,
      retry,
      attempt: 1,
      state: 'scheduled',
      scheduledTime: now,
      attemptScheduledTime: now,
      startedTime: 0,
      identity: '',
      heartbeatDetails: undefined,
      lastHeartbeatTime: 0,
      lastFailure: undefined,
      cancelRequested: false,
      cancelRequestedEventId: 0,
      paused: false,
      resetPending: false,
      locked: true,
      attemptTimers: [],
    };
    this.clock.lockActivity();
    run.activities.set(act.scheduledEventId, act);
    if (scheduleToCloseMs > 0)
      act.scheduleToCloseTimer = this.clock.schedule(scheduleToCloseMs, () => {
        // Temporal fires a schedule-to-start timeout before a schedule-to-close one due at the same
        // time: an activity no worker ever picked up (only scheduleToCloseTimeout given, so both
        // are equal) times out as SCHEDULE_TO_START.
        if (act.state === 'scheduled' && act.scheduleToStartMs > 0 && act.attemptScheduledTime + act.scheduleToStartMs <= this.clock.now())
          this.timeOut(act, act.attempt, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START, true);
        else this.timeOut(act, null, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, true);
      });
    if (!eager) this.enqueue(act);
    return act;
  }

  /** Start an eagerly scheduled activity for the worker that completed the workflow task. */
  startEager(act: Activity, identity: string): Obj | null {
    return this.dispatch(act, act.attempt, identity);
  }

  private enqueue(act: Activity): void {
    const attempt = act.attempt;
    if (act.scheduleToStartMs > 0 && act.scheduleToStartMs !== act.scheduleToCloseMs)
      act.attemptTimers.push(
        this.clock.schedule(act.scheduleToStartMs, () => {
          if (act.state === 'scheduled') this.timeOut(act, attempt, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START, true);
        }),
      );
    this.engine.activityQueues.offer(act.taskQueue, (identity) => this.dispatch(act, attempt, identity));
  }

  private dispatch(act: Activity, attempt: number, identity: string): Obj | null {
    if (act.paused && act.state === 'scheduled' && act.attempt === attempt) {
      // Paused before it was handed out: handed out again once unpaused.
      act.held = () => this.enqueue(act);
      return null;
    }
    if (act.state !== 'scheduled' || act.attempt !== attempt || !act.run.running) return null;
    act.state = 'started';
    act.identity = identity;
    act.startedTime = this.clock.now();
    act.lastHeartbeatTime = act.startedTime;
    this.clearAttemptTimers(act);
    act.attemptTimers.push(
      this.clock.schedule(act.startToCloseMs, () => this.timeOut(act, attempt, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE, false)),
    );
    this.armHeartbeat(act);
    const run = act.run;
    run.standalone?.dispatched();
    return {
      taskToken: encodeToken({ k: 'a', r: run.runId, s: act.scheduledEventId, a: attempt }),
      // A standalone activity belongs to no workflow: the worker sees its run id instead.
      ...(run.standalone
        ? { activityRunId: run.runId }
        : { workflowNamespace: run.params.namespace, workflowType: { name: run.params.workflowType }, workflowExecution: run.execution() }),
      activityType: { name: act.activityType },
      activityId: act.activityId,
      header: act.header,
      input: act.input,
      heartbeatDetails: act.heartbeatDetails,
      scheduledTime: msToTimestamp(act.scheduledTime),
      currentAttemptScheduledTime: msToTimestamp(act.attemptScheduledTime),
      startedTime: msToTimestamp(act.startedTime),
      attempt,
      scheduleToCloseTimeout: msToDuration(act.scheduleToCloseMs),
      startToCloseTimeout: msToDuration(act.startToCloseMs),
      heartbeatTimeout: msToDuration(act.heartbeatMs),
      retryPolicy: retryPolicyObj(act.retry),
      priority: act.priority,
    };
  }

  private heartbeatTimer: WeakMap<Activity, TimerHandle> = new WeakMap();

  private armHeartbeat(act: Activity): void {
    if (act.heartbeatMs <= 0) return;
    const previous = this.heartbeatTimer.get(act);
    if (previous) {
      this.clock.cancel(previous);
      act.attemptTimers = act.attemptTimers.filter((t) => t !== previous);
    }
    const attempt = act.attempt;
    const handle = this.clock.schedule(act.heartbeatMs, () => this.timeOut(act, attempt, TimeoutType.TIMEOUT_TYPE_HEARTBEAT, false));
    this.heartbeatTimer.set(act, handle);
    act.attemptTimers.push(handle);
  }

  private clearAttemptTimers(act: Activity): void {
    for (const t of act.attemptTimers) this.clock.cancel(t);
    act.attemptTimers = [];
  }

  /** Find the started attempt a token refers to. */
  private started(token: Uint8Array | null | undefined): Activity {
    const t = decodeToken(token, 'a');
    const run = this.engine.runs.get(t.r);
    if (!run) throw notFound('workflow execution not found');
    if (!run.running) throw notFound('workflow execution already completed');
    const act = run.activities.get(t.s);
    if (!act || act.state !== 'started' || act.attempt !== t.a) throw notFound('activity task not found');
    return act;
  }

  /** The started activity of a workflow by activity id (the *ById RPCs of async completion). */
  byId(workflowId: string | null | undefined, runId: string | null | undefined, activityId: string | null | undefined): Activity {
    if (!workflowId && activityId) {
      // A standalone activity: named by its own id (and run id), not a workflow's.
      const act = this.engine.standaloneActivities.started(activityId, runId);
      if (act) return act;
      throw notFound(`activity ${activityId} not found or not started`);
    }
    const run = this.engine.findRun(workflowId, runId);
    if (!run.running) throw notFound('workflow execution already completed');
    for (const act of run.activities.values()) if (act.activityId === activityId && act.state === 'started') return act;
    throw notFound(`activity ${activityId ?? ''} not found or not started`);
  }

  heartbeat(req: T.api.workflowservice.v1.IRecordActivityTaskHeartbeatRequest, act = this.started(req.taskToken)): Obj {
    if (req.details) act.heartbeatDetails = req.details;
    act.lastHeartbeatTime = this.clock.now();
    this.armHeartbeat(act);
    return { cancelRequested: act.cancelRequested, activityPaused: act.paused, activityReset: act.resetPending };
  }

  completed(req: T.api.workflowservice.v1.IRespondActivityTaskCompletedRequest, act = this.started(req.taskToken)): void {
    const identity = req.identity ?? act.identity;
    this.close(act, (startedId) =>
      this.engine.append(act.run, 'activityTaskCompleted', {
        result: req.result,
        scheduledEventId: act.scheduledEventId,
        startedEventId: startedId,
        identity,
      }),
    );
  }

  failed(req: T.api.workflowservice.v1.IRespondActivityTaskFailedRequest, act = this.started(req.taskToken)): void {
    if (req.lastHeartbeatDetails) act.heartbeatDetails = req.lastHeartbeatDetails;
    const failure = req.failure ?? { message: 'activity failed' };
    const info = failure.applicationFailureInfo;
    const nonRetryable = !!info?.nonRetryable || (!!info?.type && act.retry.nonRetryable.includes(info.type));
    const identity = req.identity ?? act.identity;
    this.attemptFailed(act, failure, nonRetryable, durationToMs(info?.nextRetryDelay), (retryState, startedId) =>
      this.engine.append(act.run, 'activityTaskFailed', {
        failure,
        scheduledEventId: act.scheduledEventId,
        startedEventId: startedId,
        identity,
        retryState,
      }),
    );
  }

  canceled(req: T.api.workflowservice.v1.IRespondActivityTaskCanceledRequest, act = this.started(req.taskToken)): void {
    const identity = req.identity ?? act.identity;
    if (!act.cancelRequested && (act.paused || act.resetPending)) {
      // Cancelled by a pause or reset, not by its workflow: an attempt that failed (retried once unpaused).
      const failure: Failure = { message: act.paused ? 'activity paused' : 'activity reset', source: 'Server', canceledFailureInfo: { details: req.details } };
      this.attemptFailed(act, failure, false, 0, (retryState, startedId) =>
        this.engine.append(act.run, 'activityTaskFailed', { failure, scheduledEventId: act.scheduledEventId, startedEventId: startedId, identity, retryState }),
      );
      return;
    }
    this.close(act, (startedId) =>
      this.engine.append(act.run, 'activityTaskCanceled', {
        details: req.details,
        latestCancelRequestedEventId: act.cancelRequestedEventId,
        scheduledEventId: act.scheduledEventId,
        startedEventId: startedId,
        identity,
      }),
    );
  }

  /** RequestCancelActivityTask command. Returns true when the cancel completed at once (needs a new task). */
  requestCancel(run: Run, scheduledEventId: number, completedId: number): boolean {
    const ev = this.engine.append(run, 'activityTaskCancelRequested', { scheduledEventId, workflowTaskCompletedEventId: completedId });
    const act = run.activities.get(scheduledEventId);
    if (!act) return false; // already closed; its result is on its way
    act.cancelRequested = true;
    act.cancelRequestedEventId = ev.eventId;
    if (act.state === 'started') return false; // the worker learns of it on its next heartbeat
    this.release(act);
    this.engine.append(run, 'activityTaskCanceled', {
      latestCancelRequestedEventId: ev.eventId,
      scheduledEventId,
      startedEventId: 0,
      identity: '',
    });
    return true;
  }

  private attemptFailed(
    act: Activity,
    failure: Failure,
    nonRetryable: boolean,
    nextRetryDelayMs: number,
    write: (retryState: number, startedId: number) => void,
  ): void {
    const reset = act.resetPending;
    act.resetPending = false;
    if (reset && act.unpauseOnReset) act.paused = false;
    const decision = this.retryDecision(act, nonRetryable, reset ? 1 : nextRetryDelayMs);
    if (decision.delayMs === undefined) {
      this.close(act, (startedId) => write(decision.state, startedId));
      return;
    }
    // Retry: no events, the next attempt starts after the backoff.
    this.clearAttemptTimers(act);
    act.state = 'backoff';
    act.lastFailure = failure;
    if (act.locked) {
      act.locked = false;
      this.clock.unlockActivity();
    }
    act.attemptTimers.push(this.clock.schedule(decision.delayMs, () => this.nextAttempt(act)));
  }

  /** The backoff is over (or cut short): the next attempt is scheduled, unless the activity is paused. */
  private nextAttempt(act: Activity): void {
    if (act.state !== 'backoff' || !act.run.running) return;
    if (act.paused) {
      act.held = () => this.nextAttempt(act);
      return;
    }
    this.clearAttemptTimers(act);
    act.attempt++;
    act.state = 'scheduled';
    act.attemptScheduledTime = this.clock.now();
    act.locked = true;
    this.clock.lockActivity();
    this.enqueue(act);
  }

  /** The activities of a workflow an activity operation names (by id, by type, or all). */
  private named(req: { execution?: T.api.common.v1.IWorkflowExecution | null; id?: string | null; type?: string | null; matchAll?: boolean | null; unpauseAll?: boolean | null }): Activity[] {
    const run = this.engine.findRun(req.execution?.workflowId, req.execution?.runId);
    if (!run.running) throw notFound('workflow execution already completed');
    const found = [...run.activities.values()].filter((a) => (req.id ? a.activityId === req.id : req.type ? a.activityType === req.type : !!(req.matchAll || req.unpauseAll)));
    if (found.length === 0) throw notFound(`no pending activity ${req.id ? `with id ${req.id}` : req.type ? `of type ${req.type}` : ''} in workflow ${run.workflowId}`);
    return found;
  }

  /** PauseActivity. */
  pause(req: T.api.workflowservice.v1.IPauseActivityRequest): void {
    for (const act of this.named(req)) act.paused = true;
  }

  /** UnpauseActivity: a held attempt goes out now. */
  unpause(req: T.api.workflowservice.v1.IUnpauseActivityRequest): void {
    for (const act of this.named(req)) {
      act.paused = false;
      if (req.resetAttempts && act.state === 'backoff') act.attempt = 0;
      if (req.resetHeartbeat) act.heartbeatDetails = undefined;
      const held = act.held;
      act.held = undefined;
      held?.();
    }
  }

  /** ResetActivity: the attempts start again from 1 (a running attempt hears of it and is retried at once). */
  reset(req: T.api.workflowservice.v1.IResetActivityRequest): void {
    for (const act of this.named(req)) {
      if (req.resetHeartbeat) act.heartbeatDetails = undefined;
      if (act.state === 'started') {
        // Takes effect when the running attempt ends (it hears of it, and of a pause, meanwhile).
        act.resetPending = true;
        act.unpauseOnReset = !req.keepPaused;
        continue;
      }
      if (!req.keepPaused) act.paused = false;
      if (act.state === 'backoff') {
        act.attempt = 0;
        act.held = undefined;
        this.nextAttempt(act);
      }
    }
  }

  private retryDecision(act: Activity, nonRetryable: boolean, nextRetryDelayMs: number): { state: number; delayMs?: number } {
    if (nonRetryable) return { state: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE };
    if (act.cancelRequested) return { state: RetryState.RETRY_STATE_CANCEL_REQUESTED };
    const r = act.retry;
    if (r.maxAttempts > 0 && act.attempt >= r.maxAttempts) return { state: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
    const delayMs = nextRetryDelayMs > 0 ? nextRetryDelayMs : Math.min(r.initialMs * Math.pow(r.backoff, act.attempt - 1), r.maxMs);
    if (act.scheduleToCloseMs > 0 && this.clock.now() + delayMs >= act.scheduledTime + act.scheduleToCloseMs)
      return { state: RetryState.RETRY_STATE_TIMEOUT };
    return { state: RetryState.RETRY_STATE_IN_PROGRESS, delayMs };
  }

  /** attempt null: a timeout of the whole activity rather than of one attempt. */
  private timeOut(act: Activity, attempt: number | null, timeoutType: number, final: boolean): void {
    if (act.state === 'closed' || (attempt !== null && act.attempt !== attempt) || !act.run.running) return;
    const failure: Failure = {
      message: `activity ${TIMEOUT_NAMES[timeoutType] ?? ''} timeout`,
      source: 'Server',
      timeoutFailureInfo: {
        timeoutType,
        lastHeartbeatDetails: timeoutType === TimeoutType.TIMEOUT_TYPE_HEARTBEAT ? act.heartbeatDetails : undefined,
      },
    };
    const write = (retryState: number, startedId: number) =>
      this.engine.append(act.run, 'activityTaskTimedOut', {
        failure,
        scheduledEventId: act.scheduledEventId,
        startedEventId: startedId,
        retryState,
      });
    if (final) {
      this.close(act, (startedId) => write(RetryState.RETRY_STATE_TIMEOUT, startedId));
      return;
    }
    this.attemptFailed(act, failure, false, 0, write);
  }

  /** Close an activity and report it to its workflow: ActivityTaskStarted (if it ran) and the outcome. */
  private close(act: Activity, writeOutcome: (startedEventId: number) => void): void {
    const wasStarted = act.state === 'started';
    const attempt = act.attempt;
    const identity = act.identity;
    const lastFailure = act.lastFailure;
    this.release(act);
    const run = act.run;
    this.engine.deliver(run, () => {
      let startedId = 0;
      if (wasStarted) {
        startedId = this.engine.append(run, 'activityTaskStarted', {
          scheduledEventId: act.scheduledEventId,
          identity,
          requestId: randomUUID(),
          attempt,
          lastFailure,
        }).eventId;
      }
      writeOutcome(startedId);
    });
  }

  /** Forget an activity without an outcome (a standalone activity terminated by its client). */
  drop(act: Activity): void {
    this.release(act);
  }

  /** Drop all timers and the lock of an activity and forget it. */
  private release(act: Activity): void {
    act.state = 'closed';
    this.clearAttemptTimers(act);
    this.clock.cancel(act.scheduleToCloseTimer);
    if (act.locked) {
      act.locked = false;
      this.clock.unlockActivity();
    }
    act.run.activities.delete(act.scheduledEventId);
  }

  closeAll(run: Run): void {
    for (const act of [...run.activities.values()]) this.release(act);
  }

  pendingInfo(run: Run): Obj[] {
    return [...run.activities.values()].map((act) => ({
      activityId: act.activityId,
      activityType: { name: act.activityType },
      state: act.cancelRequested
        ? PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
        : act.state === 'started'
          ? PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
          : PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED,
      heartbeatDetails: act.heartbeatDetails,
      lastHeartbeatTime: act.lastHeartbeatTime ? msToTimestamp(act.lastHeartbeatTime) : undefined,
      lastStartedTime: act.startedTime ? msToTimestamp(act.startedTime) : undefined,
      attempt: act.attempt,
      maximumAttempts: act.retry.maxAttempts,
      scheduledTime: msToTimestamp(act.attemptScheduledTime),
      lastFailure: act.lastFailure,
      lastWorkerIdentity: act.identity,
      paused: act.paused,
    }));
  }
}

const TIMEOUT_NAMES: Record<number, string> = {
  [TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE]: 'StartToClose',
  [TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START]: 'ScheduleToStart',
  [TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE]: 'ScheduleToClose',
  [TimeoutType.TIMEOUT_TYPE_HEARTBEAT]: 'Heartbeat',
};

function retryPolicyObj(r: Retry): Obj {
  return {
    initialInterval: msToDuration(r.initialMs),
    backoffCoefficient: r.backoff,
    maximumInterval: msToDuration(r.maxMs),
    maximumAttempts: r.maxAttempts,
    nonRetryableErrorTypes: r.nonRetryable,
  };
}
