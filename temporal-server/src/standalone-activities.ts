// Standalone activities (StartActivityExecution and its RPCs): an activity started by a client, not by a
// workflow, run by any worker polling its task queue. Each is carried by a hidden host run — never listed,
// never given workflow tasks — so scheduling, dispatch, heartbeats, retries, timeouts and cancellation are the
// activity machinery of activities.ts, unchanged; the host's history ends with the activity's outcome.
import { status as grpcStatus } from '@grpc/grpc-js';
import proto from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import type { Activity } from './activities.js';
import { Run, type Engine } from './engine.js';
import { RpcError, invalidArgument, notFound } from './errors.js';
import type { CallContext } from './queues.js';
import { ActivityIdConflictPolicy, ActivityIdReusePolicy, ActivityStatus, Status, durationToMs, msToDuration, msToTimestamp, temporal, type Obj, type T } from './proto.js';
import { parseQuery, type Filterable } from './visibility.js';

const Reuse = ActivityIdReusePolicy;
const Conflict = ActivityIdConflictPolicy;
const PendingActivityState = temporal.api.enums.v1.PendingActivityState;

/** How long PollActivityExecution waits for an outcome before answering without one (the client asks again). */
const DEFAULT_LONG_POLL_MS = 20_000;

export interface StandaloneActivity {
  namespace: string;
  activityId: string;
  runId: string;
  request: T.api.workflowservice.v1.IStartActivityExecutionRequest;
  host: Run;
  /** The activity while it is scheduled or running (null before a start delay ends, and once closed). */
  act: Activity | null;
  status: number;
  scheduleTime: number;
  closeTime: number;
  lastStartedTime: number;
  canceledReason: string;
  outcome: Obj | null;
  waiters: Set<() => void>;
}

export class StandaloneActivities {
  private readonly byId = new Map<string, StandaloneActivity[]>();
  /** activity.longPollTimeout (dynamic config). */
  longPollMs = DEFAULT_LONG_POLL_MS;

  constructor(private readonly engine: Engine) {}

  private key(namespace: string, activityId: string): string {
    return `${namespace}/${activityId}`;
  }

  private latest(namespace: string, activityId: string): StandaloneActivity | undefined {
    return this.byId.get(this.key(namespace, activityId))?.at(-1);
  }

  find(namespace: string, activityId: string | null | undefined, runId: string | null | undefined): StandaloneActivity {
    if (!activityId) throw invalidArgument('ActivityId is not set on request.');
    const all = this.byId.get(this.key(namespace, activityId)) ?? [];
    const found = runId ? all.find((a) => a.runId === runId) : all.at(-1);
    if (!found) throw notFound(`activity execution not found: ${activityId}${runId ? ` (run ${runId})` : ''}`);
    return found;
  }

  /** The started attempt of a standalone activity by id (the *ById RPCs of async completion carry no namespace). */
  started(activityId: string, runId: string | null | undefined): Activity | undefined {
    for (const list of this.byId.values())
      for (const sa of list) if (sa.activityId === activityId && (!runId || sa.runId === runId) && sa.act?.state === 'started') return sa.act;
    return undefined;
  }

  start(req: T.api.workflowservice.v1.IStartActivityExecutionRequest, namespace: string): Obj {
    const activityId = req.activityId;
    if (!activityId) throw invalidArgument('ActivityId is not set on request.');
    if (!req.activityType?.name) throw invalidArgument('ActivityType is not set on request.');
    if (!req.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
    if (durationToMs(req.scheduleToCloseTimeout) <= 0 && durationToMs(req.startToCloseTimeout) <= 0)
      throw invalidArgument('A valid StartToClose or ScheduleToCloseTimeout is not set on request.');

    const previous = this.latest(namespace, activityId);
    if (previous) {
      if (req.requestId && previous.request.requestId === req.requestId) return { runId: previous.runId, started: true };
      if (previous.status === ActivityStatus.ACTIVITY_EXECUTION_STATUS_RUNNING) {
        if (Number(req.idConflictPolicy ?? 0) === Conflict.ACTIVITY_ID_CONFLICT_POLICY_USE_EXISTING) return { runId: previous.runId, started: false };
        throw alreadyStarted(previous);
      }
      const reuse = Number(req.idReusePolicy ?? 0) || Reuse.ACTIVITY_ID_REUSE_POLICY_ALLOW_DUPLICATE;
      if (reuse === Reuse.ACTIVITY_ID_REUSE_POLICY_REJECT_DUPLICATE) throw alreadyStarted(previous);
      if (reuse === Reuse.ACTIVITY_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY && previous.status === ActivityStatus.ACTIVITY_EXECUTION_STATUS_COMPLETED)
        throw alreadyStarted(previous);
    }

    const runId = randomUUID();
    const now = this.engine.clock.now();
    // The host: a run of its own id, known to task tokens (engine.runs) but to no workflow listing.
    const host = new Run(runId, runId, { namespace, workflowId: `activity/${activityId}`, workflowType: '', taskQueue: req.taskQueue.name, workflowTaskTimeoutMs: 10_000, identity: req.identity ?? '' }, now);
    const sa: StandaloneActivity = {
      namespace,
      activityId,
      runId,
      request: req,
      host,
      act: null,
      status: ActivityStatus.ACTIVITY_EXECUTION_STATUS_RUNNING,
      scheduleTime: now,
      closeTime: 0,
      lastStartedTime: 0,
      canceledReason: '',
      outcome: null,
      waiters: new Set(),
    };
    host.standalone = { dispatched: () => void (sa.lastStartedTime = this.engine.clock.now()), closed: () => this.settle(sa) };
    this.engine.runs.set(runId, host);
    const list = this.byId.get(this.key(namespace, activityId)) ?? [];
    list.push(sa);
    this.byId.set(this.key(namespace, activityId), list);

    const schedule = () => {
      if (sa.status !== ActivityStatus.ACTIVITY_EXECUTION_STATUS_RUNNING) return;
      sa.act = this.engine.activities.schedule(host, {
        activityId,
        activityType: req.activityType,
        taskQueue: req.taskQueue,
        header: req.header,
        input: req.input,
        scheduleToCloseTimeout: req.scheduleToCloseTimeout,
        scheduleToStartTimeout: req.scheduleToStartTimeout,
        startToCloseTimeout: req.startToCloseTimeout,
        heartbeatTimeout: req.heartbeatTimeout,
        retryPolicy: req.retryPolicy,
        priority: req.priority,
      }, 0);
    };
    const delayMs = durationToMs((req as { startDelay?: Obj | null }).startDelay);
    if (delayMs > 0) this.engine.clock.schedule(delayMs, schedule);
    else schedule();
    return { runId, started: true };
  }

  /** The activity closed: read its outcome from the host's last event and answer whoever waits for it. */
  private settle(sa: StandaloneActivity): void {
    if (sa.status !== ActivityStatus.ACTIVITY_EXECUTION_STATUS_RUNNING) return;
    const last = sa.host.lastEvent() as Record<string, Obj | undefined> | undefined;
    const completed = last?.activityTaskCompletedEventAttributes;
    const failed = last?.activityTaskFailedEventAttributes;
    const timedOut = last?.activityTaskTimedOutEventAttributes;
    const canceled = last?.activityTaskCanceledEventAttributes;
    if (completed) this.close(sa, ActivityStatus.ACTIVITY_EXECUTION_STATUS_COMPLETED, { result: completed.result ?? { payloads: [] } });
    else if (failed) this.close(sa, ActivityStatus.ACTIVITY_EXECUTION_STATUS_FAILED, { failure: failed.failure, retryState: failed.retryState });
    else if (timedOut) this.close(sa, ActivityStatus.ACTIVITY_EXECUTION_STATUS_TIMED_OUT, { failure: timedOut.failure, retryState: timedOut.retryState });
    else if (canceled)
      this.close(sa, ActivityStatus.ACTIVITY_EXECUTION_STATUS_CANCELED, {
        failure: { message: sa.canceledReason || 'activity canceled', source: 'Server', canceledFailureInfo: { details: canceled.details } },
      });
  }

  private close(sa: StandaloneActivity, status: number, outcome: Obj): void {
    sa.status = status;
    sa.outcome = outcome;
    sa.closeTime = this.engine.clock.now();
    sa.act = null;
    sa.host.status = Status.WORKFLOW_EXECUTION_STATUS_COMPLETED; // its task tokens are stale from now on
    for (const w of [...sa.waiters]) w();
  }

  requestCancel(sa: StandaloneActivity, reason: string): void {
    if (sa.status !== ActivityStatus.ACTIVITY_EXECUTION_STATUS_RUNNING) return;
    sa.canceledReason = reason;
    if (!sa.act) {
      // Still in its start delay: canceled before it ever ran.
      this.close(sa, ActivityStatus.ACTIVITY_EXECUTION_STATUS_CANCELED, { failure: { message: reason || 'activity canceled', source: 'Server', canceledFailureInfo: {} } });
      return;
    }
    // Scheduled: canceled at once; started: the worker hears of it on its next heartbeat and reports it.
    if (this.engine.activities.requestCancel(sa.host, sa.act.scheduledEventId, 0)) this.settle(sa);
  }

  terminate(sa: StandaloneActivity, reason: string, identity: string): void {
    if (sa.status !== ActivityStatus.ACTIVITY_EXECUTION_STATUS_RUNNING) throw notFound('activity execution already completed');
    if (sa.act) this.engine.activities.drop(sa.act);
    this.close(sa, ActivityStatus.ACTIVITY_EXECUTION_STATUS_TERMINATED, {
      failure: { message: reason, source: 'Server', terminatedFailureInfo: {} },
      terminatedBy: identity,
    });
  }

  /** Waits (up to the long-poll timeout) for the outcome; answers without one if it has not come. */
  poll(sa: StandaloneActivity, ctx: CallContext): Promise<Obj> {
    if (sa.outcome) return Promise.resolve({ runId: sa.runId, outcome: outcomeMessage(sa.outcome) });
    return new Promise((resolve) => {
      const done = () => {
        sa.waiters.delete(done);
        clearTimeout(timer);
        resolve(sa.outcome ? { runId: sa.runId, outcome: outcomeMessage(sa.outcome) } : { runId: sa.runId });
      };
      const timer = setTimeout(done, this.longPollMs);
      sa.waiters.add(done);
      ctx.onCancel(done);
    });
  }

  describe(sa: StandaloneActivity, req: T.api.workflowservice.v1.IDescribeActivityExecutionRequest): Obj {
    const act = sa.act;
    const r = sa.request;
    const runState = !act
      ? undefined
      : act.cancelRequested
        ? PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
        : act.state === 'started'
          ? PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
          : PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;
    const now = this.engine.clock.now();
    const info: Obj = {
      activityId: sa.activityId,
      runId: sa.runId,
      activityType: r.activityType,
      status: sa.status,
      runState,
      taskQueue: r.taskQueue?.name ?? '',
      scheduleToCloseTimeout: r.scheduleToCloseTimeout,
      scheduleToStartTimeout: r.scheduleToStartTimeout,
      startToCloseTimeout: r.startToCloseTimeout,
      heartbeatTimeout: r.heartbeatTimeout,
      retryPolicy: r.retryPolicy,
      heartbeatDetails: req.includeHeartbeatDetails ? act?.heartbeatDetails : undefined,
      lastHeartbeatTime: act?.lastHeartbeatTime ? msToTimestamp(act.lastHeartbeatTime) : undefined,
      lastStartedTime: sa.lastStartedTime ? msToTimestamp(sa.lastStartedTime) : undefined,
      attempt: act?.attempt ?? this.lastAttempt(sa),
      executionDuration: sa.closeTime ? msToDuration(sa.closeTime - sa.scheduleTime) : msToDuration(now - sa.scheduleTime),
      scheduleTime: msToTimestamp(sa.scheduleTime),
      closeTime: sa.closeTime ? msToTimestamp(sa.closeTime) : undefined,
      lastFailure: req.includeLastFailure ? (act?.lastFailure ?? (sa.outcome?.failure)) : undefined,
      lastWorkerIdentity: act?.identity ?? '',
      priority: r.priority,
      searchAttributes: r.searchAttributes,
      header: r.header,
      userMetadata: r.userMetadata,
      canceledReason: sa.canceledReason,
    };
    return {
      runId: sa.runId,
      info,
      input: req.includeInput ? r.input : undefined,
      outcome: req.includeOutcome && sa.outcome ? outcomeMessage(sa.outcome) : undefined,
    };
  }

  /** The attempt the closed activity ended on (from the host's ActivityTaskStarted event). */
  private lastAttempt(sa: StandaloneActivity): number {
    for (let i = sa.host.history.length - 1; i >= 0; i--) {
      const started = (sa.host.history[i] as { activityTaskStartedEventAttributes?: { attempt?: number } }).activityTaskStartedEventAttributes;
      if (started) return started.attempt ?? 1;
    }
    return 1;
  }

  list(namespace: string, query: string | null | undefined): StandaloneActivity[] {
    const parsed = parseQuery(query);
    const all = [...this.byId.values()].flat().filter((sa) => sa.namespace === namespace && parsed.filter(filterable(sa)));
    return all.sort((a, b) => b.scheduleTime - a.scheduleTime);
  }

  listInfo(sa: StandaloneActivity): Obj {
    return {
      activityId: sa.activityId,
      runId: sa.runId,
      activityType: sa.request.activityType,
      scheduleTime: msToTimestamp(sa.scheduleTime),
      closeTime: sa.closeTime ? msToTimestamp(sa.closeTime) : undefined,
      status: sa.status,
      searchAttributes: sa.request.searchAttributes,
      taskQueue: sa.request.taskQueue?.name ?? '',
      executionDuration: sa.closeTime ? msToDuration(sa.closeTime - sa.scheduleTime) : undefined,
    };
  }
}

function outcomeMessage(outcome: Obj): Obj {
  return outcome.result ? { result: outcome.result } : { failure: outcome.failure };
}

/** The activity as visibility queries see it: ActivityId, ActivityType, TaskQueue, ExecutionStatus and its search attributes. */
function filterable(sa: StandaloneActivity): Filterable {
  const keyword = (v: string): Obj => ({ metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') }, data: Buffer.from(JSON.stringify(v)) });
  return {
    workflowType: sa.request.activityType?.name ?? '',
    workflowId: sa.activityId,
    runId: sa.runId,
    status: WORKFLOW_STATUS[sa.status] ?? Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
    taskQueue: sa.request.taskQueue?.name ?? '',
    startTime: sa.scheduleTime,
    ...(sa.closeTime ? { closeTime: sa.closeTime } : {}),
    searchAttributes: {
      ...((sa.request.searchAttributes?.indexedFields as Record<string, Obj> | undefined) ?? {}),
      ActivityId: keyword(sa.activityId),
      ActivityType: keyword(sa.request.activityType?.name ?? ''),
    },
  };
}

/** Activity statuses as the workflow statuses ExecutionStatus queries name. */
const WORKFLOW_STATUS: Record<number, number> = {
  [ActivityStatus.ACTIVITY_EXECUTION_STATUS_RUNNING]: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
  [ActivityStatus.ACTIVITY_EXECUTION_STATUS_COMPLETED]: Status.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  [ActivityStatus.ACTIVITY_EXECUTION_STATUS_FAILED]: Status.WORKFLOW_EXECUTION_STATUS_FAILED,
  [ActivityStatus.ACTIVITY_EXECUTION_STATUS_CANCELED]: Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
  [ActivityStatus.ACTIVITY_EXECUTION_STATUS_TERMINATED]: Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  [ActivityStatus.ACTIVITY_EXECUTION_STATUS_TIMED_OUT]: Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
};

/** ALREADY_EXISTS with an ActivityExecutionAlreadyStartedFailure: the client throws ActivityExecutionAlreadyStartedError. */
function alreadyStarted(sa: StandaloneActivity): RpcError {
  const F = proto.temporal.api.errordetails.v1.ActivityExecutionAlreadyStartedFailure;
  return new RpcError(grpcStatus.ALREADY_EXISTS, `activity execution already started: ${sa.activityId}`, [
    { typeUrl: 'type.googleapis.com/temporal.api.errordetails.v1.ActivityExecutionAlreadyStartedFailure', value: F.encode({ startRequestId: sa.request.requestId ?? '', runId: sa.runId }).finish() },
  ]);
}
