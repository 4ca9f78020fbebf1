// Workflow executions: history, the workflow-task state machine, commands, signals, cancel,
// terminate and continue-as-new. Activities and queries live in their own modules and call back
// into the engine through `deliver`, `append` and the task queues.
import { randomUUID } from 'node:crypto';
import { VirtualClock, type TimerHandle } from './clock.js';
import { invalidArgument, notFound } from './errors.js';
import { EventType, RetryState, Status, temporal, durationToMs, lookupType, msToDuration, msToTimestamp, num, type Obj, type T } from './proto.js';
import { TaskQueues } from './queues.js';
import { Activities, type Activity } from './activities.js';
import { Queries, type PendingQuery } from './queries.js';
import { Updates, type Update } from './updates.js';
import { Children, type Child, type ParentRef } from './children.js';
import { compileSpec, nextMatch } from './calendar.js';
import { StandaloneActivities } from './standalone-activities.js';
import { Nexus, type NexusOp } from './nexus.js';
import { SearchAttributeTypes, clearsMemo, keywordList, upsertInto } from './search-attributes.js';
import { decodeToken, encodeToken } from './tokens.js';

type Payloads = T.api.common.v1.IPayloads;
type Command = T.api.command.v1.ICommand;

const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;
/**
 * Temporal's defaults for suggesting continue-as-new in WorkflowTaskStarted (dynamic config
 * limit.historyCount.suggestContinueAsNew and limit.historySize.suggestContinueAsNew); tests can
 * lower them with TEMPORAL_TEST_SERVER_SUGGEST_CAN_EVENTS / _BYTES, as one would the dev server's.
 */
const SUGGEST_CAN_EVENTS = Number(process.env.TEMPORAL_TEST_SERVER_SUGGEST_CAN_EVENTS) || 4 * 1024;
const SUGGEST_CAN_BYTES = Number(process.env.TEMPORAL_TEST_SERVER_SUGGEST_CAN_BYTES) || 4 * 1024 * 1024;
const HistoryEvent = lookupType('temporal.api.history.v1.HistoryEvent');
/** Who the server names when it terminates a workflow itself. */
const SERVER_IDENTITY = 'baosong-test-server';
const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;
const CommandType = temporal.api.enums.v1.CommandType;

export interface WorkflowTask {
  scheduledEventId: number;
  startedEventId: number;
  attempt: number;
  scheduledTime: number;
  startedTime: number;
  timeout?: TimerHandle;
  /** Set when the task waits on a worker's sticky queue: the fallback to the normal queue. */
  stickyTimeout?: TimerHandle;
  /** The sticky queue the task was offered on, if any (then the worker gets a partial history). */
  stickyQueue?: string;
}

/** Where a worker that caches a run wants its next workflow tasks (StickyExecutionAttributes). */
export interface Stickiness {
  queue: string;
  scheduleToStartMs: number;
}

interface TimerState {
  startedEventId: number;
  handle: TimerHandle;
  canceled: boolean;
}

export interface StartParams {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input?: Payloads | null;
  header?: Obj | null;
  memo?: Obj | null;
  searchAttributes?: { indexedFields?: Record<string, Obj> | null } | null;
  workflowTaskTimeoutMs: number;
  workflowRunTimeout?: Obj | null;
  workflowExecutionTimeout?: Obj | null;
  identity: string;
  continuedExecutionRunId?: string;
  firstExecutionRunId?: string;
  lastCompletionResult?: Payloads | null;
  continuedFailure?: Obj | null;
  initiator?: number;
  retryPolicy?: T.api.common.v1.IRetryPolicy | null;
  /** Run attempt (workflow retries), 1 for the first. */
  attempt?: number;
  /** Delay before the first workflow task: startDelay, or a retry's backoff. */
  firstTaskBackoffMs?: number;
  /** Summary and details (user metadata) of the start. */
  userMetadata?: Obj | null;
  /** The start request's id, so that a retried start is recognised. */
  requestId?: string;
  /** Absolute (virtual) time the whole execution expires, carried across continue-as-new. */
  executionExpirationMs?: number;
  /** Set for a child workflow: its parent (kept by its continue-as-new and retries). */
  parent?: ParentRef;
  /** A child's root workflow execution (the top of its tree). */
  root?: Obj;
  /** Priority and fairness (kept on the started event; carried by continue-as-new and retries). */
  priority?: Obj | null;
  /** A cron workflow: each run that closes starts the next at the schedule's next time (the chain ends on terminate or cancel). */
  cronSchedule?: string;
  /** Completion callbacks of the start (a Nexus operation's: see nexus.ts), carried by continue-as-new and retries. */
  completionCallbacks?: T.api.common.v1.ICallback[] | null;
}

export class Run {
  readonly history: Obj[] = [];
  status: number = Status.WORKFLOW_EXECUTION_STATUS_RUNNING;
  closeTime = 0;
  wft: WorkflowTask | null = null;
  lastCompletedStartedId = 0;
  /** The worker that has this run in its cache, as it said in its last completion. */
  sticky: Stickiness | null = null;
  buffered: Array<() => void> = [];
  readonly timers = new Map<string, TimerState>();
  readonly activities = new Map<number, Activity>();
  pendingQueries: PendingQuery[] = [];
  cancelRequested = false;
  runTimeout: TimerHandle | undefined;
  executionExpirationMs: number | undefined;
  readonly waiters = new Set<() => void>();
  searchAttributes: Record<string, Obj>;
  memo: Record<string, Obj>;
  /** The first workflow task's backoff (start delay, retry), while it is pending. */
  backoff: TimerHandle | undefined;
  /** Serialized size of history[0 .. sizedEvents), in bytes (computed when asked for). */
  historyBytes = 0;
  sizedEvents = 0;
  /** Workflow updates by update id (see updates.ts). */
  readonly updates = new Map<string, Update>();
  /** Build ids of the workers that completed its workflow tasks (the BuildIds search attribute). */
  readonly buildIds = new Set<string>();
  /** Child workflows initiated and not yet closed, by initiated event id (see children.ts). */
  readonly children = new Map<number, Child>();
  /** Nexus operations scheduled and not yet closed, by scheduled event id (see nexus.ts). */
  readonly nexusOps = new Map<number, NexusOp>();
  /** Set on the hidden run that carries a standalone activity (standalone-activities.ts): it gets no workflow tasks. */
  standalone?: { dispatched(): void; closed(): void };

  constructor(
    readonly runId: string,
    readonly firstRunId: string,
    readonly params: StartParams,
    readonly startTime: number,
  ) {
    this.searchAttributes = { ...(params.searchAttributes?.indexedFields ?? {}) };
    this.memo = { ...(((params.memo as { fields?: Record<string, Obj> } | null)?.fields) ?? {}) };
    this.backoff = undefined;
  }

  /** When the run (its first workflow task) starts: after a start delay or retry backoff. */
  get executionTime(): number {
    return this.startTime + (this.params.firstTaskBackoffMs ?? 0);
  }

  get workflowId(): string {
    return this.params.workflowId;
  }
  get taskQueue(): string {
    return this.params.taskQueue;
  }
  get running(): boolean {
    return this.status === Status.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }
  execution(): Obj {
    return { workflowId: this.workflowId, runId: this.runId };
  }
  lastEvent(): Obj | undefined {
    return this.history[this.history.length - 1];
  }
}

const eventTypes = new Map<string, number>();

function eventTypeFor(key: string): number {
  const cached = eventTypes.get(key);
  if (cached !== undefined) return cached;
  const name = 'EVENT_TYPE_' + key.replace(/([A-Z])/g, '_$1').toUpperCase();
  const value = (EventType as unknown as Record<string, number>)[name];
  if (value === undefined) throw new Error(`unknown event type ${name}`);
  eventTypes.set(key, value);
  return value;
}

export class Engine {
  readonly clock = new VirtualClock();
  readonly workflowQueues: TaskQueues;
  readonly activityQueues: TaskQueues;
  /** Nexus task queues: start and cancel requests for the workers that serve an endpoint (nexus.ts). */
  readonly nexusQueues: TaskQueues;
  readonly runs = new Map<string, Run>();
  readonly byWorkflowId = new Map<string, Run[]>();
  readonly activities: Activities;
  readonly standaloneActivities: StandaloneActivities;
  readonly nexus: Nexus;
  readonly queries: Queries;
  readonly updates: Updates;
  readonly children: Children;
  /** History length and size at which WorkflowTaskStarted suggests continue-as-new (dynamic config). */
  suggestContinueAsNewEvents = SUGGEST_CAN_EVENTS;
  suggestContinueAsNewBytes = SUGGEST_CAN_BYTES;
  /**
   * Temporal's blob size limits (dynamic config limit.blobSize.error / .warn; defaults 2 MiB / 512 KiB). A
   * command carrying payloads above the error limit (and the warn limit) fails the workflow, as Temporal does;
   * DescribeNamespace tells workers the error limit, so the SDK refuses to send such payloads in the first place.
   */
  blobSizeError = 2 * 1024 * 1024;
  /** frontend.enableUpdateWorkflowExecution: off, update RPCs are PERMISSION_DENIED as on a Temporal server with them off. */
  updatesEnabled = true;
  /** frontend.enableCancelWorkerPollsOnShutdown: ShutdownWorker answers the worker's waiting polls (see service.ts). */
  cancelPollsOnShutdown = true;
  blobSizeWarn = 512 * 1024;
  /**
   * How long a closed run is kept, by namespace (its retention); Infinity keeps every run, as the SDK's own test
   * server does. With TEMPORAL_TEST_SERVER_RETENTION=enforce (main.ts) a run is forgotten once its namespace's
   * retention has passed since it closed, as a Temporal cluster deletes it: a long simulation (bench:district's
   * week) then holds only the recent runs in memory.
   */
  retentionMs: (namespace: string) => number = () => Infinity;
  /** Closed runs in the order they closed, from `closedHead` on: the candidates for forgetting. */
  private closedRuns: Run[] = [];
  private closedHead = 0;
  /** Whether a namespace exists (children and external commands may name another); main.ts sets it. */
  namespaceExists: (name: string) => boolean = () => true;
  readonly searchAttributeTypes = new SearchAttributeTypes();

  constructor(pollTimeoutMs = 55_000) {
    this.workflowQueues = new TaskQueues(pollTimeoutMs);
    this.activityQueues = new TaskQueues(pollTimeoutMs);
    this.nexusQueues = new TaskQueues(pollTimeoutMs);
    this.workflowQueues.dropAbandonedPolls = this.activityQueues.dropAbandonedPolls = () => this.cancelPollsOnShutdown;
    this.activities = new Activities(this);
    this.standaloneActivities = new StandaloneActivities(this);
    this.nexus = new Nexus(this);
    this.queries = new Queries(this);
    this.updates = new Updates(this);
    this.children = new Children(this);
  }

  // ---------------------------------------------------------------- lookup

  findRun(workflowId: string | null | undefined, runId?: string | null): Run {
    if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
    const runs = this.byWorkflowId.get(workflowId);
    if (runId) {
      const run = this.runs.get(runId);
      if (!run || run.workflowId !== workflowId)
        throw notFound(`workflow execution not found for workflowId ${workflowId} and runId ${runId}`);
      return run;
    }
    const run = runs?.[runs.length - 1];
    if (!run) throw notFound(`workflow execution not found for workflowId ${workflowId}`);
    return run;
  }

  latestRun(workflowId: string): Run | undefined {
    const runs = this.byWorkflowId.get(workflowId);
    return runs?.[runs.length - 1];
  }

  // ---------------------------------------------------------------- history

  append(run: Run, key: string, attrs: Obj, userMetadata?: Obj | null): Obj & { eventId: number } {
    const event: Obj & { eventId: number } = {
      eventId: run.history.length + 1,
      eventTime: msToTimestamp(this.clock.now()),
      eventType: eventTypeFor(key),
      [`${key}EventAttributes`]: attrs,
    };
    if (userMetadata) event.userMetadata = userMetadata;
    run.history.push(event);
    if (run.waiters.size > 0) for (const w of [...run.waiters]) w();
    return event;
  }

  /** Serialized size of a run's history in bytes, as Temporal reports it (historySizeBytes). */
  historySize(run: Run): number {
    for (; run.sizedEvents < run.history.length; run.sizedEvents++)
      run.historyBytes += HistoryEvent.encode(run.history[run.sizedEvents]).finish().length;
    return run.historyBytes;
  }

  /** Search attributes as Describe and List show them: the run's own plus BuildIds. */
  visibleSearchAttributes(run: Run): Record<string, Obj> {
    if (run.buildIds.size === 0) return run.searchAttributes;
    return { ...run.searchAttributes, BuildIds: keywordList(['unversioned', ...[...run.buildIds].map((id) => `unversioned:${id}`)]) };
  }

  /** Record something that happened to a running workflow and make sure a workflow task follows. */
  deliver(run: Run, write: () => void): void {
    if (!run.running) return;
    if (run.standalone) {
      write();
      run.standalone.closed();
      return;
    }
    if (run.wft && run.wft.startedEventId > 0) {
      run.buffered.push(write);
      return;
    }
    write();
    this.scheduleWorkflowTask(run);
  }

  // ---------------------------------------------------------------- start / close

  /**
   * Eager workflow start: the run's first workflow task goes straight back to the starter (a worker
   * sharing the client's connection) instead of through the task queue. Null when it cannot (start delay).
   */
  startEager(p: StartParams, identity: string): { run: Run; task: Obj | null } {
    const run = this.startWorkflow(p, randomUUID(), false);
    const wft = run.wft;
    if (!wft) return { run, task: null };
    const task = this.dispatchWorkflowTask(run, wft, identity);
    if (!task) this.workflowQueues.offer(run.taskQueue, (id) => this.dispatchWorkflowTask(run, wft, id));
    return { run, task };
  }

  startWorkflow(p: StartParams, runId: string = randomUUID(), offerFirstTask = true): Run {
    const now = this.clock.now();
    const run = new Run(runId, p.firstExecutionRunId ?? runId, p, now);
    const backoffMs = Math.max(0, p.firstTaskBackoffMs ?? 0);
    const searchAttributes = p.searchAttributes?.indexedFields ? { indexedFields: this.searchAttributeTypes.stamp(p.searchAttributes.indexedFields) } : p.searchAttributes;
    run.searchAttributes = { ...(searchAttributes?.indexedFields ?? {}) };
    const executionTimeoutMs = durationToMs(p.workflowExecutionTimeout);
    run.executionExpirationMs = p.executionExpirationMs ?? (executionTimeoutMs > 0 ? now + executionTimeoutMs : undefined);
    this.runs.set(runId, run);
    const list = this.byWorkflowId.get(p.workflowId) ?? [];
    list.push(run);
    this.byWorkflowId.set(p.workflowId, list);
    this.append(run, 'workflowExecutionStarted', {
      workflowType: { name: p.workflowType },
      taskQueue: { name: p.taskQueue, kind: 1 },
      input: p.input,
      header: p.header,
      memo: p.memo,
      searchAttributes,
      workflowRunTimeout: p.workflowRunTimeout,
      workflowExecutionTimeout: p.workflowExecutionTimeout,
      workflowTaskTimeout: msToDuration(p.workflowTaskTimeoutMs),
      continuedExecutionRunId: p.continuedExecutionRunId ?? '',
      initiator: p.initiator ?? 0,
      continuedFailure: p.continuedFailure,
      lastCompletionResult: p.lastCompletionResult,
      originalExecutionRunId: runId,
      firstExecutionRunId: run.firstRunId,
      identity: p.identity,
      retryPolicy: p.retryPolicy,
      attempt: p.attempt ?? 1,
      firstWorkflowTaskBackoff: backoffMs > 0 ? msToDuration(backoffMs) : undefined,
      workflowId: p.workflowId,
      parentWorkflowNamespace: p.parent?.namespace,
      parentWorkflowExecution: p.parent ? { workflowId: p.parent.workflowId, runId: p.parent.runId } : undefined,
      parentInitiatedEventId: p.parent?.initiatedEventId,
      rootWorkflowExecution: p.root,
      priority: p.priority,
      cronSchedule: p.cronSchedule ?? '',
      prevAutoResetPoints: {},
      workflowExecutionExpirationTime: run.executionExpirationMs ? msToTimestamp(run.executionExpirationMs) : undefined,
    }, p.userMetadata);
    const runTimeoutMs = durationToMs(p.workflowRunTimeout);
    const deadline = Math.min(runTimeoutMs > 0 ? now + backoffMs + runTimeoutMs : Infinity, run.executionExpirationMs ?? Infinity);
    if (deadline < Infinity) run.runTimeout = this.clock.schedule(deadline - now, () => this.timeOutRun(run));
    if (backoffMs > 0) {
      // Nothing holds the clock meanwhile, so time skipping jumps to the end of the delay.
      run.backoff = this.clock.schedule(backoffMs, () => {
        run.backoff = undefined;
        this.scheduleWorkflowTask(run);
      });
    } else {
      this.scheduleWorkflowTask(run, 1, offerFirstTask);
    }
    return run;
  }

  workflowTaskTimeoutOf(d: Obj | null | undefined): number {
    return Engine.workflowTaskTimeout(d);
  }

  static workflowTaskTimeout(d: Obj | null | undefined): number {
    const ms = durationToMs(d);
    if (ms <= 0) return DEFAULT_WORKFLOW_TASK_TIMEOUT_MS;
    return Math.min(ms, MAX_WORKFLOW_TASK_TIMEOUT_MS);
  }

  /** A signal-with-start to a run still in its start delay dispatches its first task now (as Temporal does). */
  endBackoff(run: Run): void {
    if (!run.backoff || !run.running) return;
    this.clock.cancel(run.backoff);
    run.backoff = undefined;
    this.scheduleWorkflowTask(run);
  }

  /** Workflow run or execution timeout; a run timeout is retried under the workflow's retry policy. */
  private timeOutRun(run: Run): void {
    if (!run.running) return;
    const expired = run.executionExpirationMs !== undefined && this.clock.now() >= run.executionExpirationMs;
    const retry = expired ? { retryState: RetryState.RETRY_STATE_TIMEOUT } : this.retryDecision(run, undefined);
    const newRunId = retry.delayMs !== undefined ? randomUUID() : undefined;
    this.append(run, 'workflowExecutionTimedOut', {
      retryState: retry.delayMs !== undefined ? RetryState.RETRY_STATE_IN_PROGRESS : expired ? RetryState.RETRY_STATE_TIMEOUT : retry.retryState,
      newExecutionRunId: newRunId,
    });
    this.close(run, Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
    if (newRunId && retry.delayMs !== undefined) this.startRetry(run, newRunId, retry.delayMs, timeoutFailure(), SERVER_IDENTITY);
  }

  /**
   * Whether a failed (or run-timed-out) run is retried under its workflow retry policy, and after
   * what backoff: the policy's defaults as for activities (1 s, ×2, at most 100 × initial,
   * unlimited attempts), non-retryable failures and types, maximum attempts and the execution timeout.
   */
  private retryDecision(run: Run, failure: T.api.failure.v1.IFailure | null | undefined): { retryState: number; delayMs?: number } {
    const rp = run.params.retryPolicy;
    if (!rp) return { retryState: RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET };
    const info = failure?.applicationFailureInfo;
    if (info?.nonRetryable || (info?.type && (rp.nonRetryableErrorTypes ?? []).includes(info.type)))
      return { retryState: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE };
    const attempt = run.params.attempt ?? 1;
    if ((rp.maximumAttempts ?? 0) > 0 && attempt >= (rp.maximumAttempts ?? 0)) return { retryState: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
    const initialMs = durationToMs(rp.initialInterval) || 1000;
    const coefficient = rp.backoffCoefficient && rp.backoffCoefficient >= 1 ? rp.backoffCoefficient : 2;
    const maxMs = durationToMs(rp.maximumInterval) || 100 * initialMs;
    const explicit = durationToMs(info?.nextRetryDelay);
    const delayMs = explicit > 0 ? explicit : Math.min(initialMs * Math.pow(coefficient, attempt - 1), maxMs);
    if (run.executionExpirationMs !== undefined && this.clock.now() + delayMs >= run.executionExpirationMs)
      return { retryState: RetryState.RETRY_STATE_TIMEOUT };
    return { retryState: RetryState.RETRY_STATE_IN_PROGRESS, delayMs };
  }

  /** The next attempt of a failed run: a new run of the same execution chain, after its backoff. */
  private startRetry(run: Run, newRunId: string, delayMs: number, failure: Obj | null | undefined, identity: string): void {
    const p = run.params;
    this.startWorkflow({
      ...p,
      memo: { fields: run.memo },
      searchAttributes: { indexedFields: run.searchAttributes },
      attempt: (p.attempt ?? 1) + 1,
      firstTaskBackoffMs: delayMs,
      requestId: '',
      continuedExecutionRunId: run.runId,
      firstExecutionRunId: run.firstRunId,
      executionExpirationMs: run.executionExpirationMs,
      lastCompletionResult: undefined,
      continuedFailure: failure,
      initiator: CONTINUE_AS_NEW_INITIATOR_RETRY,
      identity,
    }, newRunId);
  }

  /** The next run of a cron chain, if this run is one and its schedule (and execution timeout) has a next time. */
  private nextCron(run: Run): { runId: string; backoffMs: number } | null {
    const cron = run.params.cronSchedule;
    if (!cron) return null;
    const backoffMs = cronBackoffMs(cron, this.clock.now());
    if (backoffMs === null) return null;
    if (run.executionExpirationMs !== undefined && this.clock.now() + backoffMs >= run.executionExpirationMs) return null;
    return { runId: randomUUID(), backoffMs };
  }

  /** The next scheduled run of a cron workflow: a new run of the chain, held back until its time. */
  private startCron(run: Run, next: { runId: string; backoffMs: number }, carried: { lastCompletionResult?: Payloads | null; continuedFailure?: Obj | null }, identity: string): void {
    const p = run.params;
    this.startWorkflow({
      ...p,
      memo: { fields: run.memo },
      searchAttributes: { indexedFields: run.searchAttributes },
      attempt: 1,
      firstTaskBackoffMs: next.backoffMs,
      requestId: '',
      continuedExecutionRunId: run.runId,
      firstExecutionRunId: run.firstRunId,
      executionExpirationMs: run.executionExpirationMs,
      lastCompletionResult: carried.lastCompletionResult,
      continuedFailure: carried.continuedFailure,
      initiator: CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE,
      identity,
    }, next.runId);
  }

  /** Move a run to a closed status and release everything it holds. */
  private close(run: Run, status: number): void {
    run.status = status;
    run.closeTime = this.clock.now();
    this.clock.cancel(run.runTimeout);
    this.clock.cancel(run.backoff);
    run.backoff = undefined;
    if (run.wft) {
      this.clock.cancel(run.wft.timeout);
      run.wft = null;
      this.clock.unlock();
    }
    run.buffered = [];
    for (const t of run.timers.values()) this.clock.cancel(t.handle);
    run.timers.clear();
    this.activities.closeAll(run);
    if (run.nexusOps.size > 0) this.nexus.closeAll(run);
    for (const w of [...run.waiters]) w();
    this.queries.flush(run);
    if (run.updates.size > 0) this.updates.closed(run);
    if (run.params.parent || run.children.size > 0) this.children.closed(run);
    if (run.params.completionCallbacks?.length) this.nexus.closed(run);
    if (!run.standalone && this.retentionMs(run.params.namespace) !== Infinity) {
      this.closedRuns.push(run);
      this.forgetExpired();
    }
  }

  /**
   * Forgets the closed runs whose retention has passed (checked as runs close: no timer of its own, so time
   * skipping never jumps ahead for it). Oldest first; a namespace with a longer retention at the front holds the
   * others back until it is due, which only delays forgetting.
   */
  private forgetExpired(): void {
    const now = this.clock.now();
    while (this.closedHead < this.closedRuns.length) {
      const run = this.closedRuns[this.closedHead]!;
      if (run.closeTime + this.retentionMs(run.params.namespace) > now) break;
      this.closedHead++;
      if (run.running || this.runs.get(run.runId) !== run) continue;
      this.runs.delete(run.runId);
      const list = this.byWorkflowId.get(run.workflowId)?.filter((r) => r !== run) ?? [];
      if (list.length > 0) this.byWorkflowId.set(run.workflowId, list);
      else this.byWorkflowId.delete(run.workflowId);
    }
    if (this.closedHead > 1024 && this.closedHead * 2 > this.closedRuns.length) {
      this.closedRuns = this.closedRuns.slice(this.closedHead);
      this.closedHead = 0;
    }
  }

  terminate(run: Run, reason: string, details: Payloads | null | undefined, identity: string): void {
    if (!run.running) throw notFound('workflow execution already completed');
    this.append(run, 'workflowExecutionTerminated', { reason, details, identity });
    this.close(run, Status.WORKFLOW_EXECUTION_STATUS_TERMINATED);
  }

  /** A cancel request, from a client or (`external`) another workflow's RequestCancelExternal command. */
  requestCancel(run: Run, reason: string, identity: string, external?: { initiatedEventId: number; execution: Obj }): void {
    if (!run.running) throw notFound('workflow execution already completed');
    if (run.cancelRequested) return;
    run.cancelRequested = true;
    this.deliver(run, () =>
      this.append(run, 'workflowExecutionCancelRequested', {
        cause: reason,
        identity,
        externalInitiatedEventId: external?.initiatedEventId,
        externalWorkflowExecution: external?.execution,
      }),
    );
  }

  /** A signal, from a client or (`from`) another workflow's SignalExternal command. */
  signal(run: Run, signalName: string, input: Payloads | null | undefined, header: Obj | null | undefined, identity: string, from?: Obj): void {
    if (!run.running) throw notFound('workflow execution already completed');
    this.deliver(run, () =>
      this.append(run, 'workflowExecutionSignaled', { signalName, input, header, identity, externalWorkflowExecution: from }),
    );
  }

  // ---------------------------------------------------------------- workflow tasks

  scheduleWorkflowTask(run: Run, attempt = 1, offer = true): void {
    if (run.wft || !run.running || run.backoff) return;
    const sticky = run.sticky;
    const ev = this.append(run, 'workflowTaskScheduled', {
      taskQueue: sticky ? { name: sticky.queue, kind: TASK_QUEUE_KIND_STICKY, normalName: run.taskQueue } : { name: run.taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
      startToCloseTimeout: msToDuration(run.params.workflowTaskTimeoutMs),
      attempt,
    });
    const wft: WorkflowTask = { scheduledEventId: ev.eventId, startedEventId: 0, attempt, scheduledTime: this.clock.now(), startedTime: 0 };
    run.wft = wft;
    this.clock.lock();
    if (sticky) {
      // As Temporal does: the worker that has the run cached gets the task with only the new events;
      // if it does not take it within its schedule-to-start timeout, any worker gets it with full history.
      wft.stickyQueue = sticky.queue;
      wft.stickyTimeout = this.clock.schedule(sticky.scheduleToStartMs, () => this.unstick(run, wft));
    }
    if (offer) this.workflowQueues.offer(wft.stickyQueue ?? run.taskQueue, (identity) => this.dispatchWorkflowTask(run, wft, identity));
  }

  /**
   * A task waiting on a sticky queue that nobody took in time (or whose worker shut down) moves to the
   * normal queue: WorkflowTaskTimedOut (SCHEDULE_TO_START), stickiness cleared, a new task scheduled.
   */
  unstick(run: Run, wft: WorkflowTask): void {
    run.sticky = null;
    if (run.wft !== wft || !run.running || wft.startedEventId > 0) return;
    this.append(run, 'workflowTaskTimedOut', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: 0,
      timeoutType: TIMEOUT_TYPE_SCHEDULE_TO_START,
    });
    this.endWorkflowTask(run, wft, wft.attempt, true);
  }

  /** ResetStickyTaskQueue: the run's next workflow task (also one already waiting on the sticky queue) goes to the normal queue. */
  resetSticky(run: Run): void {
    run.sticky = null;
    const wft = run.wft;
    if (!wft?.stickyQueue || wft.startedEventId > 0) return;
    this.clock.cancel(wft.stickyTimeout);
    wft.stickyQueue = undefined;
    this.workflowQueues.offer(run.taskQueue, (identity) => this.dispatchWorkflowTask(run, wft, identity));
  }

  /** A worker shut down: the runs it had cached go back to the normal queue at once. */
  releaseStickyQueue(queue: string): void {
    for (const run of this.runs.values()) {
      if (run.sticky?.queue !== queue) continue;
      if (run.wft?.stickyQueue === queue && run.wft.startedEventId === 0) this.unstick(run, run.wft);
      else run.sticky = null;
    }
  }

  private dispatchWorkflowTask(run: Run, wft: WorkflowTask, identity: string): Obj | null {
    if (!run.running || run.wft !== wft || wft.startedEventId > 0) return null;
    this.clock.cancel(wft.stickyTimeout);
    const historySizeBytes = this.historySize(run);
    const ev = this.append(run, 'workflowTaskStarted', {
      scheduledEventId: wft.scheduledEventId,
      identity,
      requestId: randomUUID(),
      historySizeBytes,
      suggestContinueAsNew: run.history.length + 1 >= this.suggestContinueAsNewEvents || historySizeBytes >= this.suggestContinueAsNewBytes,
    });
    wft.startedEventId = ev.eventId;
    wft.startedTime = this.clock.now();
    wft.timeout = this.clock.schedule(run.params.workflowTaskTimeoutMs, () => this.timeOutWorkflowTask(run, wft));
    const messages = run.updates.size > 0 ? this.updates.messagesFor(run, wft.startedEventId) : [];
    return {
      messages,
      taskToken: encodeToken({ k: 'w', r: run.runId, s: wft.scheduledEventId, a: wft.attempt }),
      workflowExecution: run.execution(),
      workflowType: { name: run.params.workflowType },
      previousStartedEventId: run.lastCompletedStartedId,
      startedEventId: wft.startedEventId,
      attempt: wft.attempt,
      // Sticky: only what the caching worker has not seen (it fetches the rest itself on a cache miss).
      history: { events: wft.stickyQueue ? run.history.slice(run.lastCompletedStartedId) : run.history },
      workflowExecutionTaskQueue: { name: run.taskQueue, kind: 1 },
      scheduledTime: msToTimestamp(wft.scheduledTime),
      startedTime: msToTimestamp(wft.startedTime),
    };
  }

  /** Validate a workflow task token and return the run and its started task. */
  startedTask(token: Uint8Array | null | undefined): { run: Run; wft: WorkflowTask } {
    const t = decodeToken(token, 'w');
    const run = this.runs.get(t.r);
    if (!run) throw notFound('workflow execution not found');
    if (!run.running) throw notFound('workflow execution already completed');
    const wft = run.wft;
    if (!wft || wft.scheduledEventId !== t.s || wft.attempt !== t.a || wft.startedEventId === 0)
      throw notFound('workflow task not found');
    return { run, wft };
  }

  /** Finish the current task: flush buffered events, schedule the next task if needed, release the lock. */
  private endWorkflowTask(run: Run, wft: WorkflowTask, nextAttempt: number, needTask: boolean): void {
    this.clock.cancel(wft.timeout);
    this.clock.cancel(wft.stickyTimeout);
    run.wft = null;
    const buffered = run.buffered;
    run.buffered = [];
    for (const write of buffered) write();
    if (run.running && (needTask || buffered.length > 0 || (run.updates.size > 0 && this.updates.pending(run))))
      this.scheduleWorkflowTask(run, nextAttempt);
    this.clock.unlock();
    if (!run.wft) this.queries.flush(run);
  }

  private timeOutWorkflowTask(run: Run, wft: WorkflowTask): void {
    if (run.wft !== wft || !run.running) return;
    if (process.env.TEMPORAL_TEST_SERVER_DEBUG) process.stderr.write(`workflow task timed out: ${run.workflowId} attempt ${wft.attempt}\n`);
    this.append(run, 'workflowTaskTimedOut', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: wft.startedEventId,
      timeoutType: TIMEOUT_TYPE_START_TO_CLOSE,
    });
    run.sticky = null; // the worker may be gone: the retry goes to any worker, with full history
    this.endWorkflowTask(run, wft, wft.attempt + 1, true);
  }

  failWorkflowTask(req: T.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest): void {
    const { run, wft } = this.startedTask(req.taskToken);
    this.append(run, 'workflowTaskFailed', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: wft.startedEventId,
      cause: req.cause ?? 0,
      failure: req.failure,
      identity: req.identity ?? '',
    });
    run.sticky = null; // a worker that fails a task drops the run from its cache
    this.endWorkflowTask(run, wft, wft.attempt + 1, true);
  }

  completeWorkflowTask(req: T.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest): Obj {
    const { run, wft } = this.startedTask(req.taskToken);
    const commands = req.commands ?? [];
    const unsupported = commands.find((c) => !SUPPORTED_COMMANDS.has(c.commandType ?? 0));
    if (unsupported) this.failUnsupported(run, wft, req.identity ?? '', unsupported.commandType ?? 0);
    const cronChild = commands.find((c) => c.startChildWorkflowExecutionCommandAttributes?.cronSchedule);
    if (cronChild) this.failUnsupported(run, wft, req.identity ?? '', cronChild.commandType ?? 0, 'a child workflow with a cron schedule');
    for (const c of commands) this.checkSupported(c);

    const closes = commands.some((c) => CLOSE_COMMANDS.has(c.commandType ?? 0));
    if (closes && run.buffered.length > 0) {
      run.sticky = null;
      // New events arrived while the worker was deciding to close: reject the close.
      this.append(run, 'workflowTaskFailed', {
        scheduledEventId: wft.scheduledEventId,
        startedEventId: wft.startedEventId,
        cause: 1, // WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND
        identity: req.identity ?? '',
      });
      this.endWorkflowTask(run, wft, 1, true);
      throw invalidArgument('UnhandledCommand');
    }

    const completed = this.append(run, 'workflowTaskCompleted', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: wft.startedEventId,
      identity: req.identity ?? '',
      binaryChecksum: req.binaryChecksum ?? '',
      sdkMetadata: req.sdkMetadata,
      meteringMetadata: req.meteringMetadata,
      // Which build completed the task: a worker replaying the history reads workflowInfo().currentBuildId from it.
      workerVersion: req.workerVersionStamp ?? (buildIdOf(req) ? { buildId: buildIdOf(req) } : undefined),
    });
    run.lastCompletedStartedId = wft.startedEventId;
    run.sticky = stickinessOf(req.stickyAttributes);
    const buildId = req.workerVersionStamp?.buildId || req.deploymentOptions?.buildId || req.binaryChecksum;
    if (buildId) run.buildIds.add(buildId);
    const messages = this.updates.byId(req.messages ?? []);
    const ctx: CommandContext = { run, completedId: completed.eventId, identity: req.identity ?? '', needTask: false, eager: [], messages, after: [] };
    for (const c of commands) {
      if (!run.running) break;
      if (this.failIfTooLarge(ctx, c)) break;
      const before = run.history.length;
      this.applyCommand(ctx, c, c.userMetadata as Obj | null | undefined);
      // A command's summary (user metadata) goes on the event it produced, as Temporal keeps it.
      if (c.userMetadata && run.history.length > before) run.history[before]!.userMetadata = c.userMetadata;
    }
    // Update messages no PROTOCOL_MESSAGE command placed (rejections write nothing) come after the commands.
    if (run.running) for (const m of messages.values()) this.updates.apply(run, m, ctx.identity);
    if (run.running) {
      this.endWorkflowTask(run, wft, 1, ctx.needTask || !!req.forceCreateNewWorkflowTask);
    }
    // What the commands do to other workflows (children, signals, cancels) happens once the task is done.
    for (const job of ctx.after) job();
    const activityTasks = ctx.eager.map((act) => this.activities.startEager(act, ctx.identity)).filter((t) => t !== null);
    return { activityTasks };
  }

  /**
   * A command this server does not implement. Retrying the task could never succeed (the same code
   * sends the same command), so rather than leave the workflow retrying every task timeout, the task
   * is failed with the cause Temporal gives a bad command of that kind and the workflow is terminated
   * with a reason naming the command: result() fails at once with that message.
   */
  private failUnsupported(run: Run, wft: WorkflowTask, identity: string, commandType: number, what = UNSUPPORTED_FEATURES[commandType]): never {
    const name = ((CommandType as unknown as Record<number, string>)[commandType] ?? String(commandType)).replace(/^COMMAND_TYPE_/, '');
    const message =
      `command ${name}${what ? ` (${what})` : ''} is not supported by the baosong test server; ` +
      'the workflow is terminated instead of retrying its task (see temporal-server/README.md)';
    const cause = (WorkflowTaskFailedCause as unknown as Record<string, number>)[UNSUPPORTED_CAUSES[commandType] ?? ''] ?? 0;
    this.append(run, 'workflowTaskFailed', {
      scheduledEventId: wft.scheduledEventId,
      startedEventId: wft.startedEventId,
      cause,
      failure: { message, source: SERVER_IDENTITY, applicationFailureInfo: { type: 'UnsupportedCommand', nonRetryable: true } },
      identity,
    });
    run.sticky = null;
    this.append(run, 'workflowExecutionTerminated', { reason: message, identity: SERVER_IDENTITY });
    this.close(run, Status.WORKFLOW_EXECUTION_STATUS_TERMINATED);
    throw invalidArgument(message);
  }

  /** A command whose payloads exceed the blob size limit fails the workflow (Temporal: a non-retryable server failure). */
  private failIfTooLarge(ctx: CommandContext, c: Command): boolean {
    const carried = payloadsOf(c);
    if (!carried) return false;
    const size = payloadsSize(carried.payloads);
    if (size <= this.blobSizeError || size <= this.blobSizeWarn) return false;
    this.append(ctx.run, 'workflowExecutionFailed', {
      failure: { message: `${carried.field} exceeds size limit.`, source: SERVER_IDENTITY, serverFailureInfo: { nonRetryable: true } },
      retryState: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
      workflowTaskCompletedEventId: ctx.completedId,
    });
    this.close(ctx.run, Status.WORKFLOW_EXECUTION_STATUS_FAILED);
    return true;
  }

  private checkSupported(c: Command): void {
    const type = c.commandType ?? 0;
    if (type === CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION) {
      const a = c.startChildWorkflowExecutionCommandAttributes;
      if (!a?.workflowId || !a.workflowType?.name) throw invalidArgument('StartChildWorkflowExecutionCommand needs a workflowId and a workflowType.');
    }
    if (type === CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION) {
      const a = c.signalExternalWorkflowExecutionCommandAttributes;
      if (!a?.execution?.workflowId || !a.signalName) throw invalidArgument('SignalExternalWorkflowExecutionCommand needs a workflowId and a signalName.');
    }
    if (type === CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION && !c.requestCancelExternalWorkflowExecutionCommandAttributes?.workflowId)
      throw invalidArgument('RequestCancelExternalWorkflowExecutionCommand needs a workflowId.');
    if (type === CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK) {
      const a = c.scheduleActivityTaskCommandAttributes;
      if (!a?.activityId || !a.activityType?.name)
        throw invalidArgument('ScheduleActivityTaskCommand needs an activityId and an activityType.');
      if (durationToMs(a.scheduleToCloseTimeout) <= 0 && durationToMs(a.startToCloseTimeout) <= 0)
        throw invalidArgument('A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.');
    }
  }

  private applyCommand(ctx: CommandContext, c: Command, userMetadata: Obj | null | undefined): void {
    const { run, completedId } = ctx;
    switch (c.commandType) {
      case CommandType.COMMAND_TYPE_START_TIMER: {
        const a = c.startTimerCommandAttributes ?? {};
        const timerId = a.timerId ?? '';
        const ev = this.append(run, 'timerStarted', {
          timerId,
          startToFireTimeout: a.startToFireTimeout,
          workflowTaskCompletedEventId: completedId,
        });
        const state: TimerState = {
          startedEventId: ev.eventId,
          canceled: false,
          handle: this.clock.schedule(durationToMs(a.startToFireTimeout), () =>
            this.deliver(run, () => {
              if (state.canceled) return;
              run.timers.delete(timerId);
              this.append(run, 'timerFired', { timerId, startedEventId: state.startedEventId });
            }),
          ),
        };
        run.timers.set(timerId, state);
        return;
      }
      case CommandType.COMMAND_TYPE_CANCEL_TIMER: {
        const timerId = c.cancelTimerCommandAttributes?.timerId ?? '';
        const state = run.timers.get(timerId);
        if (!state) return;
        state.canceled = true;
        this.clock.cancel(state.handle);
        run.timers.delete(timerId);
        this.append(run, 'timerCanceled', {
          timerId,
          startedEventId: state.startedEventId,
          workflowTaskCompletedEventId: completedId,
          identity: ctx.identity,
        });
        return;
      }
      case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
        const a = c.scheduleActivityTaskCommandAttributes ?? {};
        const eager = !!a.requestEagerExecution && (!a.taskQueue?.name || a.taskQueue.name === run.taskQueue);
        const act = this.activities.schedule(run, a, completedId, eager);
        if (eager) ctx.eager.push(act);
        return;
      }
      case CommandType.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION:
        this.nexus.schedule(run, c.scheduleNexusOperationCommandAttributes ?? {}, completedId, ctx.after);
        return;
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION:
        if (this.nexus.requestCancel(run, num(c.requestCancelNexusOperationCommandAttributes?.scheduledEventId), completedId)) ctx.needTask = true;
        return;
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
        if (this.activities.requestCancel(run, num(c.requestCancelActivityTaskCommandAttributes?.scheduledEventId), completedId))
          ctx.needTask = true;
        return;
      case CommandType.COMMAND_TYPE_RECORD_MARKER: {
        const a = c.recordMarkerCommandAttributes ?? {};
        this.append(run, 'markerRecorded', {
          markerName: a.markerName,
          details: a.details,
          header: a.header,
          failure: a.failure,
          workflowTaskCompletedEventId: completedId,
        });
        return;
      }
      case CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = this.searchAttributeTypes.stamp(c.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes?.indexedFields as Record<string, Obj>);
        upsertInto(run.searchAttributes, fields);
        this.append(run, 'upsertWorkflowSearchAttributes', { searchAttributes: { indexedFields: fields }, workflowTaskCompletedEventId: completedId });
        return;
      }
      case CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
        const memo = c.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo;
        upsertInto(run.memo, memo?.fields as Record<string, Obj>, clearsMemo);
        this.append(run, 'workflowPropertiesModified', { upsertedMemo: memo, workflowTaskCompletedEventId: completedId });
        return;
      }
      case CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION: {
        const result = c.completeWorkflowExecutionCommandAttributes?.result;
        const cron = this.nextCron(run);
        this.append(run, 'workflowExecutionCompleted', {
          result,
          workflowTaskCompletedEventId: completedId,
          newExecutionRunId: cron?.runId,
        });
        this.close(run, Status.WORKFLOW_EXECUTION_STATUS_COMPLETED);
        if (cron) this.startCron(run, cron, { lastCompletionResult: result }, ctx.identity);
        return;
      }
      case CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION: {
        const failure = c.failWorkflowExecutionCommandAttributes?.failure;
        const retry = this.retryDecision(run, failure);
        // A failed cron run that is not retried is followed by the next scheduled run, which sees the failure.
        const cron = retry.delayMs === undefined ? this.nextCron(run) : null;
        const newRunId = retry.delayMs !== undefined ? randomUUID() : cron?.runId;
        this.append(run, 'workflowExecutionFailed', {
          failure,
          retryState: retry.retryState,
          workflowTaskCompletedEventId: completedId,
          newExecutionRunId: newRunId,
        });
        this.close(run, Status.WORKFLOW_EXECUTION_STATUS_FAILED);
        if (newRunId && retry.delayMs !== undefined) this.startRetry(run, newRunId, retry.delayMs, failure as Obj, ctx.identity);
        else if (cron) this.startCron(run, cron, { continuedFailure: failure as Obj }, ctx.identity);
        return;
      }
      case CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
        this.append(run, 'workflowExecutionCanceled', {
          details: c.cancelWorkflowExecutionCommandAttributes?.details,
          workflowTaskCompletedEventId: completedId,
        });
        this.close(run, Status.WORKFLOW_EXECUTION_STATUS_CANCELED);
        return;
      case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
        this.continueAsNew(ctx, c.continueAsNewWorkflowExecutionCommandAttributes ?? {});
        return;
      case CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
        this.children.initiate(run, c.startChildWorkflowExecutionCommandAttributes ?? {}, completedId, ctx.after, userMetadata);
        return;
      case CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
        this.children.signal(run, c.signalExternalWorkflowExecutionCommandAttributes ?? {}, completedId, ctx.after);
        return;
      case CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
        this.children.cancel(run, c.requestCancelExternalWorkflowExecutionCommandAttributes ?? {}, completedId, ctx.after);
        return;
      case CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE: {
        const id = c.protocolMessageCommandAttributes?.messageId ?? '';
        const m = ctx.messages.get(id);
        if (!m) throw invalidArgument(`PROTOCOL_MESSAGE command names message ${id}, which the completion does not carry`);
        ctx.messages.delete(id);
        this.updates.apply(run, m, ctx.identity);
        return;
      }
      default:
        return;
    }
  }

  private continueAsNew(ctx: CommandContext, a: T.api.command.v1.IContinueAsNewWorkflowExecutionCommandAttributes): void {
    const { run } = ctx;
    const p = run.params;
    const newRunId = randomUUID();
    const workflowType = a.workflowType?.name || p.workflowType;
    const taskQueue = a.taskQueue?.name || p.taskQueue;
    const workflowTaskTimeoutMs = a.workflowTaskTimeout ? Engine.workflowTaskTimeout(a.workflowTaskTimeout as Obj) : p.workflowTaskTimeoutMs;
    this.append(run, 'workflowExecutionContinuedAsNew', {
      newExecutionRunId: newRunId,
      workflowType: { name: workflowType },
      taskQueue: { name: taskQueue, kind: 1 },
      input: a.input,
      workflowRunTimeout: a.workflowRunTimeout,
      workflowTaskTimeout: msToDuration(workflowTaskTimeoutMs),
      workflowTaskCompletedEventId: ctx.completedId,
      header: a.header,
      memo: a.memo,
      searchAttributes: a.searchAttributes,
      initiator: a.initiator ?? 1,
    });
    this.close(run, Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
    this.startWorkflow({
      ...p,
      workflowType,
      taskQueue,
      input: a.input,
      header: (a.header as Obj | null) ?? p.header,
      // Without new ones, the next run keeps the memo and search attributes as they are now.
      memo: (a.memo as Obj | null) ?? { fields: run.memo },
      searchAttributes: (a.searchAttributes as StartParams['searchAttributes']) ?? { indexedFields: run.searchAttributes },
      attempt: 1,
      firstTaskBackoffMs: durationToMs(a.backoffStartInterval),
      userMetadata: undefined,
      workflowTaskTimeoutMs,
      workflowRunTimeout: (a.workflowRunTimeout as Obj | null) ?? p.workflowRunTimeout,
      requestId: '',
      continuedExecutionRunId: run.runId,
      firstExecutionRunId: run.firstRunId,
      executionExpirationMs: run.executionExpirationMs,
      lastCompletionResult: a.lastCompletionResult,
      continuedFailure: a.failure as Obj | null,
      initiator: a.initiator ?? 1,
      identity: ctx.identity,
    }, newRunId);
  }
}


const TASK_QUEUE_KIND_NORMAL = temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL;
const TASK_QUEUE_KIND_STICKY = temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY;
const TIMEOUT_TYPE_START_TO_CLOSE = temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE;
const TIMEOUT_TYPE_SCHEDULE_TO_START = temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
const WorkflowTaskFailedCause = temporal.api.enums.v1.WorkflowTaskFailedCause;
const CONTINUE_AS_NEW_INITIATOR_RETRY = temporal.api.enums.v1.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY;
const CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE = temporal.api.enums.v1.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE;

function timeoutFailure(): Obj {
  return { message: 'workflow run timed out', source: SERVER_IDENTITY, timeoutFailureInfo: { timeoutType: temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE } };
}

/** What each unsupported command is for, in its error message. */
const UNSUPPORTED_FEATURES: Record<number, string> = {
  [CommandType.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION]: 'Nexus operations',
  [CommandType.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION]: 'Nexus operations',
};

/** The WorkflowTaskFailedCause Temporal writes for a bad command of each kind. */
const UNSUPPORTED_CAUSES: Record<number, string> = {
  [CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION]: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES',
  [CommandType.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION]: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES',
  [CommandType.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION]: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES',
};
/** The Go and TS SDKs' default; used when a worker asks for stickiness without a timeout. */
const DEFAULT_STICKY_SCHEDULE_TO_START_MS = 10_000;

function stickinessOf(a: T.api.taskqueue.v1.IStickyExecutionAttributes | null | undefined): Stickiness | null {
  const queue = a?.workerTaskQueue?.name;
  if (!queue) return null;
  const ms = durationToMs(a.scheduleToStartTimeout);
  return { queue, scheduleToStartMs: ms > 0 ? ms : DEFAULT_STICKY_SCHEDULE_TO_START_MS };
}

interface CommandContext {
  run: Run;
  completedId: number;
  identity: string;
  needTask: boolean;
  /** Activities the completing worker asked to run eagerly. */
  eager: Activity[];
  /** The completion's protocol messages (updates) not yet applied, by message id. */
  messages: Map<string, T.api.protocol.v1.IMessage>;
  /** Work on other workflows the commands started, done once the task has completed. */
  after: Array<() => void>;
}

const CLOSE_COMMANDS = new Set<number>([
  CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

const SUPPORTED_COMMANDS = new Set<number>([
  ...CLOSE_COMMANDS,
  CommandType.COMMAND_TYPE_START_TIMER,
  CommandType.COMMAND_TYPE_CANCEL_TIMER,
  CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
  CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
  CommandType.COMMAND_TYPE_RECORD_MARKER,
  CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
  CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE,
  CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION,
  CommandType.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION,
]);

/** The payloads a command carries that Temporal holds to the blob size limit, and the field's name in its message. */
function payloadsOf(c: Command): { payloads: T.api.common.v1.IPayloads; field: string } | null {
  const pick = (payloads: T.api.common.v1.IPayloads | null | undefined, field: string) => (payloads?.payloads?.length ? { payloads, field } : null);
  switch (c.commandType) {
    case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
      return pick(c.scheduleActivityTaskCommandAttributes?.input, 'ScheduleActivityTaskCommandAttributes.Input');
    case CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      return pick(c.completeWorkflowExecutionCommandAttributes?.result, 'CompleteWorkflowExecutionCommandAttributes.Result');
    case CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
      return pick(c.startChildWorkflowExecutionCommandAttributes?.input, 'StartChildWorkflowExecutionCommandAttributes.Input');
    case CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
      return pick(c.signalExternalWorkflowExecutionCommandAttributes?.input, 'SignalExternalWorkflowExecutionCommandAttributes.Input');
    case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      return pick(c.continueAsNewWorkflowExecutionCommandAttributes?.input, 'ContinueAsNewWorkflowExecutionCommandAttributes.Input');
    default:
      return null;
  }
}

/** The build that completed a workflow task (an unversioned worker names it only as its binary checksum). */
function buildIdOf(req: T.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest): string {
  return req.deploymentOptions?.buildId || req.workerVersionStamp?.buildId || req.binaryChecksum || '';
}

/**
 * How long from `nowMs` until a cron schedule's next time (the standard 5-field cron, macros, @every; UTC unless
 * CRON_TZ= says otherwise), or null if it never comes. Throws INVALID_ARGUMENT for a schedule it cannot read.
 */
export function cronBackoffMs(cron: string, nowMs: number): number | null {
  const next = nextMatch(compileSpec({ cronString: [cron] }), nowMs);
  return next === null ? null : Math.max(0, next - nowMs);
}

/**
 * The bytes a command's payloads carry (data and metadata values), without encoding them again: this runs for
 * every activity scheduled and every workflow completed, and the limit is megabytes, not a few bytes of framing.
 */
function payloadsSize(payloads: T.api.common.v1.IPayloads): number {
  let size = 0;
  for (const p of payloads.payloads ?? []) {
    size += p.data?.length ?? 0;
    for (const [key, value] of Object.entries(p.metadata ?? {})) size += key.length + (value?.length ?? 0);
  }
  return size;
}
