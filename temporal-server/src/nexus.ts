// Nexus: endpoints (kept by OperatorService), the ScheduleNexusOperation and RequestCancelNexusOperation
// commands, Nexus tasks for the handler's worker (PollNexusTaskQueue / RespondNexusTask*), and the outcome
// back in the caller's history — at once for a synchronous operation, through the completion callback of the
// workflow an asynchronous one started (the handler passes our callback to StartWorkflowExecution). As Temporal:
// a retryable handler error is retried until the schedule-to-close timeout; a cancel of an operation not yet
// started ends it at once, of a started one goes to the handler as a cancel task.
import { randomUUID } from 'node:crypto';
import type { Engine, Run } from './engine.js';
import { notFound } from './errors.js';
import { TimeoutType, durationToMs, msToTimestamp, temporal, type Obj, type T } from './proto.js';
import type { CallContext } from './queues.js';
import { decodeToken, encodeToken } from './tokens.js';

export interface NexusEndpoint {
  id: string;
  version: number;
  spec: T.api.nexus.v1.IEndpointSpec;
  createdTime: number;
  lastModifiedTime: number;
}

export interface NexusOp {
  run: Run;
  scheduledEventId: number;
  endpoint: string;
  endpointId: string;
  service: string;
  operation: string;
  input: Obj | null | undefined;
  header: Record<string, string>;
  requestId: string;
  taskQueue: string;
  state: 'scheduled' | 'started' | 'closed';
  /** Which start attempt's task is current (a stale response is NOT_FOUND). */
  attempt: number;
  operationToken: string;
  cancelRequested: boolean;
  /** The NexusOperationCancelRequested event, which the handler's answer to the cancel refers to. */
  cancelRequestedEventId: number;
  locked: boolean;
  /** When schedule-to-close ends it (virtual clock), if it has one. */
  deadline?: number;
  startTimer?: ReturnType<Engine['clock']['schedule']>;
  /** Start-to-close of an asynchronous operation: from its start to its completion. */
  startToCloseMs: number;
  timer?: ReturnType<Engine['clock']['schedule']>;
}

/** The header our completion callbacks carry: which operation of which run the started workflow completes. */
const CALLBACK_HEADER = 'baosong-nexus-operation';
export const CALLBACK_URL = 'temporal://system';
const RETRY_MS = 1_000;
/** How long a handler has to answer one request (Temporal's default), at most what is left of schedule-to-close. */
const REQUEST_TIMEOUT_MS = 10_000;
const RETRYABLE_BY_DEFAULT = new Set(['INTERNAL', 'UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'RESOURCE_EXHAUSTED', 'UNKNOWN']);

export class Nexus {
  readonly endpoints = new Map<string, NexusEndpoint>();

  constructor(private readonly engine: Engine) {}

  private endpointNamed(name: string): NexusEndpoint | undefined {
    return [...this.endpoints.values()].find((e) => e.spec.name === name);
  }

  /** ScheduleNexusOperation: the scheduled event now, the task once the workflow task is done. */
  schedule(run: Run, a: T.api.command.v1.IScheduleNexusOperationCommandAttributes, completedId: number, after: Array<() => void>): void {
    const endpoint = this.endpointNamed(a.endpoint ?? '');
    const requestId = randomUUID();
    const ev = this.engine.append(run, 'nexusOperationScheduled', {
      endpoint: a.endpoint,
      service: a.service,
      operation: a.operation,
      input: a.input,
      scheduleToCloseTimeout: a.scheduleToCloseTimeout,
      scheduleToStartTimeout: a.scheduleToStartTimeout,
      startToCloseTimeout: a.startToCloseTimeout,
      nexusHeader: a.nexusHeader,
      workflowTaskCompletedEventId: completedId,
      requestId,
      endpointId: endpoint?.id ?? '',
    });
    const op: NexusOp = {
      run,
      scheduledEventId: ev.eventId,
      endpoint: a.endpoint ?? '',
      endpointId: endpoint?.id ?? '',
      service: a.service ?? '',
      operation: a.operation ?? '',
      input: a.input as Obj | null | undefined,
      header: { ...(a.nexusHeader ?? {}) },
      requestId,
      taskQueue: endpoint?.spec.target?.worker?.taskQueue ?? '',
      state: 'scheduled',
      attempt: 1,
      operationToken: '',
      cancelRequested: false,
      cancelRequestedEventId: 0,
      startToCloseMs: 0,
      locked: false,
    };
    run.nexusOps.set(op.scheduledEventId, op);
    const timeoutMs = durationToMs(a.scheduleToCloseTimeout);
    if (timeoutMs > 0) {
      op.deadline = this.engine.clock.now() + timeoutMs;
      op.timer = this.engine.clock.schedule(timeoutMs, () => this.timeOut(op, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE));
    }
    const toStartMs = durationToMs(a.scheduleToStartTimeout);
    if (toStartMs > 0) op.startTimer = this.engine.clock.schedule(toStartMs, () => op.state === 'scheduled' && this.timeOut(op, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START));
    op.startToCloseMs = durationToMs(a.startToCloseTimeout);
    after.push(() => {
      if (!endpoint) return this.fail(op, { message: `endpoint not registered: ${op.endpoint}`, applicationFailureInfo: { type: 'EndpointNotFound', nonRetryable: true } });
      this.offerStart(op);
    });
  }

  private lock(op: NexusOp): void {
    if (op.locked) return;
    op.locked = true;
    this.engine.clock.lockActivity();
  }

  private unlock(op: NexusOp): void {
    if (!op.locked) return;
    op.locked = false;
    this.engine.clock.unlockActivity();
  }

  /** The start request, as a task on the endpoint's task queue (held until a handler's worker takes it). */
  private offerStart(op: NexusOp): void {
    if (op.state !== 'scheduled' || !op.run.running) return;
    this.lock(op);
    const attempt = op.attempt;
    this.engine.nexusQueues.offer(op.taskQueue, () => {
      if (op.state !== 'scheduled' || op.attempt !== attempt || !op.run.running) return null;
      return {
        taskToken: encodeToken({ k: 'n', r: op.run.runId, s: op.scheduledEventId, a: attempt }),
        request: {
          // request-timeout: how long the handler has (the worker's requestDeadline; it aborts the handler after).
          header: { ...op.header, 'request-timeout': `${this.requestTimeoutMs(op)}ms` },
          scheduledTime: msToTimestamp(this.engine.clock.now()),
          endpoint: op.endpoint,
          startOperation: {
            service: op.service,
            operation: op.operation,
            requestId: op.requestId,
            callback: CALLBACK_URL,
            callbackHeader: { [CALLBACK_HEADER]: `${op.run.runId}/${op.scheduledEventId}` },
            payload: op.input,
            links: [{ url: `temporal:///namespaces/${op.run.params.namespace}/workflows/${op.run.workflowId}/${op.run.runId}/history?referenceType=EventReference&eventID=${op.scheduledEventId}&eventType=NexusOperationScheduled`, type: 'temporal.api.common.v1.Link.WorkflowEvent' }],
          },
        },
      };
    });
  }

  private requestTimeoutMs(op: NexusOp): number {
    const left = op.deadline ? op.deadline - this.engine.clock.now() : Infinity;
    return Math.max(1, Math.min(REQUEST_TIMEOUT_MS, left));
  }

  /** A cancel request for a started operation, as a task for the handler. */
  private offerCancel(op: NexusOp): void {
    this.engine.nexusQueues.offer(op.taskQueue, () => {
      if (op.state !== 'started' || !op.run.running) return null;
      return {
        taskToken: encodeToken({ k: 'n', r: op.run.runId, s: op.scheduledEventId, a: op.attempt, c: 1 }),
        request: { header: { ...op.header, 'request-timeout': `${REQUEST_TIMEOUT_MS}ms` }, scheduledTime: msToTimestamp(this.engine.clock.now()), endpoint: op.endpoint, cancelOperation: { service: op.service, operation: op.operation, operationToken: op.operationToken, operationId: op.operationToken } },
      };
    });
  }

  private find(token: Uint8Array | null | undefined): { op: NexusOp; cancel: boolean } {
    const t = decodeToken(token, 'n');
    const run = this.engine.runs.get(t.r);
    const op = run?.nexusOps.get(t.s);
    if (!run?.running || !op || op.state === 'closed' || (!t.c && (op.state !== 'scheduled' || op.attempt !== t.a))) throw notFound('nexus task not found or already completed');
    return { op, cancel: !!t.c };
  }

  completed(req: T.api.workflowservice.v1.IRespondNexusTaskCompletedRequest): Obj {
    const { op, cancel } = this.find(req.taskToken);
    if (cancel) {
      // The handler took the cancel (the operation's end comes through its callback); the caller hears that it did.
      this.engine.deliver(op.run, () =>
        this.engine.append(op.run, 'nexusOperationCancelRequestCompleted', { scheduledEventId: op.scheduledEventId, requestedEventId: op.cancelRequestedEventId }),
      );
      return {};
    }
    const start = req.response?.startOperation;
    if (start?.syncSuccess) {
      this.close(op, 'nexusOperationCompleted', { result: start.syncSuccess.payload });
    } else if (start?.asyncSuccess) {
      this.unlock(op);
      op.state = 'started';
      if (op.startToCloseMs > 0) op.startTimer = this.engine.clock.schedule(op.startToCloseMs, () => this.timeOut(op, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE));
      op.operationToken = start.asyncSuccess.operationToken || start.asyncSuccess.operationId || '';
      this.writeStarted(op);
      if (op.cancelRequested) this.offerCancel(op);
    } else {
      const failure = (start?.failure as Obj | undefined) ?? (start?.operationError?.failure ? temporalFailureOf(start.operationError.failure) : undefined);
      const canceled = !!failure?.canceledFailureInfo || start?.operationError?.operationState === 'canceled';
      if (canceled) this.close(op, 'nexusOperationCanceled', { failure: this.wrap(op, failure ?? { message: 'operation canceled', canceledFailureInfo: {} }) });
      else this.fail(op, failure ?? { message: 'operation failed' });
    }
    return {};
  }

  failed(req: T.api.workflowservice.v1.IRespondNexusTaskFailedRequest): Obj {
    const { op, cancel } = this.find(req.taskToken);
    const failure = (req.failure as Obj | null | undefined) ?? handlerErrorFailure(req.error);
    const info = failure.nexusHandlerFailureInfo as { type?: string; retryBehavior?: number } | undefined;
    const retryable = info?.retryBehavior === 1 || (info?.retryBehavior !== 2 && RETRYABLE_BY_DEFAULT.has(info?.type ?? 'INTERNAL'));
    if (cancel) {
      if (retryable) this.engine.clock.schedule(RETRY_MS, () => this.offerCancel(op));
      else
        this.engine.deliver(op.run, () =>
          this.engine.append(op.run, 'nexusOperationCancelRequestFailed', { scheduledEventId: op.scheduledEventId, requestedEventId: op.cancelRequestedEventId, failure }),
        );
      return {};
    }
    if (retryable) {
      // Tried again after a pause, until the schedule-to-close timeout ends it.
      op.attempt += 1;
      this.unlock(op);
      this.engine.clock.schedule(RETRY_MS, () => this.offerStart(op));
      return {};
    }
    this.fail(op, failure);
    return {};
  }

  /** RequestCancelNexusOperation: not started yet, canceled at once; started, the handler is asked. */
  requestCancel(run: Run, scheduledEventId: number, completedId: number): boolean {
    const requested = this.engine.append(run, 'nexusOperationCancelRequested', { scheduledEventId, workflowTaskCompletedEventId: completedId });
    const op = run.nexusOps.get(scheduledEventId);
    if (!op || op.state === 'closed' || op.cancelRequested) return false;
    op.cancelRequested = true;
    op.cancelRequestedEventId = requested.eventId;
    if (op.state === 'started') {
      this.offerCancel(op);
      return false;
    }
    this.finish(op);
    this.engine.append(run, 'nexusOperationCanceled', { scheduledEventId, requestId: op.requestId, failure: this.wrap(op, { message: 'operation canceled before it was started', canceledFailureInfo: {} }) });
    return true;
  }

  /** A run closed: if it was started by a Nexus operation (our callback), that operation learns how it ended. */
  closed(run: Run): void {
    const close = run.lastEvent() as Record<string, Obj | undefined> | undefined;
    if (!close || close.workflowExecutionContinuedAsNewEventAttributes) return;
    for (const key of ['workflowExecutionCompleted', 'workflowExecutionFailed', 'workflowExecutionTimedOut']) if (close[`${key}EventAttributes`]?.newExecutionRunId) return; // retried or cron: goes on
    const op = this.callbackTarget(run.params.completionCallbacks);
    if (!op) return;
    this.startIfNeeded(op);
    const completed = close.workflowExecutionCompletedEventAttributes;
    const failed = close.workflowExecutionFailedEventAttributes;
    const canceled = close.workflowExecutionCanceledEventAttributes;
    if (completed) this.close(op, 'nexusOperationCompleted', { result: (completed.result as { payloads?: Obj[] } | undefined)?.payloads?.[0] ?? null });
    else if (failed) this.fail(op, failed.failure as Obj);
    else if (canceled) this.close(op, 'nexusOperationCanceled', { failure: this.wrap(op, { message: 'operation canceled', canceledFailureInfo: { details: canceled.details } }) });
    else if (close.workflowExecutionTerminatedEventAttributes) this.fail(op, { message: 'operation terminated', terminatedFailureInfo: {} });
    else this.fail(op, { message: 'operation timed out', timeoutFailureInfo: { timeoutType: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE } });
  }

  /** An update with our completion callback (an UpdateWorkflow operation) settled: its operation learns the outcome. */
  updateSettled(callbacks: T.api.common.v1.ICallback[] | null | undefined, outcome: { success?: { payloads?: Obj[] | null } | null; failure?: Obj | null } | undefined): void {
    const op = this.callbackTarget(callbacks);
    if (!op || !outcome) return;
    this.startIfNeeded(op);
    if (outcome.failure) this.fail(op, outcome.failure);
    else this.close(op, 'nexusOperationCompleted', { result: outcome.success?.payloads?.[0] ?? null });
  }

  private callbackTarget(callbacks: T.api.common.v1.ICallback[] | null | undefined): NexusOp | undefined {
    const callback = callbacks?.find((c) => c.nexus?.url === CALLBACK_URL && c.nexus.header?.[CALLBACK_HEADER]);
    if (!callback) return undefined;
    const [callerRunId, scheduled] = (callback.nexus!.header![CALLBACK_HEADER] ?? '').split('/');
    const op = this.engine.runs.get(callerRunId ?? '')?.nexusOps.get(Number(scheduled));
    return op && op.state !== 'closed' ? op : undefined;
  }

  /** The callback came before the handler's answer: the operation is started now, then closed. */
  private startIfNeeded(op: NexusOp): void {
    if (op.state !== 'scheduled') return;
    op.state = 'started';
    this.unlock(op);
    this.writeStarted(op);
  }

  private writeStarted(op: NexusOp): void {
    const token = op.operationToken;
    this.engine.deliver(op.run, () => this.engine.append(op.run, 'nexusOperationStarted', { scheduledEventId: op.scheduledEventId, operationToken: token, operationId: token, requestId: op.requestId }));
  }

  /** Every operation of a run that closes is forgotten (its callbacks find nothing). */
  closeAll(run: Run): void {
    for (const op of run.nexusOps.values()) this.finish(op);
  }

  private timeOut(op: NexusOp, timeoutType: number): void {
    if (op.state === 'closed' || !op.run.running) return;
    this.close(op, 'nexusOperationTimedOut', { failure: this.wrap(op, { message: 'operation timed out', timeoutFailureInfo: { timeoutType } }) });
  }

  private fail(op: NexusOp, cause: Obj): void {
    this.close(op, 'nexusOperationFailed', { failure: this.wrap(op, cause) });
  }

  /** The failure a caller sees: a NexusOperationFailure naming the operation, with the cause inside. */
  private wrap(op: NexusOp, cause: Obj): Obj {
    return {
      message: 'nexus operation completed unsuccessfully',
      nexusOperationExecutionFailureInfo: { scheduledEventId: op.scheduledEventId, endpoint: op.endpoint, service: op.service, operation: op.operation, operationToken: op.operationToken, operationId: op.operationToken },
      cause,
    };
  }

  private close(op: NexusOp, key: string, attrs: Obj): void {
    if (op.state === 'closed') return;
    this.finish(op);
    this.engine.deliver(op.run, () => this.engine.append(op.run, key, { scheduledEventId: op.scheduledEventId, requestId: op.requestId, ...attrs }));
  }

  private finish(op: NexusOp): void {
    op.state = 'closed';
    this.unlock(op);
    if (op.timer) this.engine.clock.cancel(op.timer);
    if (op.startTimer) this.engine.clock.cancel(op.startTimer);
    op.run.nexusOps.delete(op.scheduledEventId);
  }

  poll(taskQueue: string, identity: string, ctx: CallContext, worker: string): Promise<Obj> {
    return this.engine.nexusQueues.poll(taskQueue, identity, ctx, worker);
  }
}

/**
 * A Nexus HandlerError as the Temporal failure a caller sees: the handler error (nexusHandlerFailureInfo) with
 * what caused it. Workers put the Temporal failure, as JSON, in the Nexus failure's details.
 */
function handlerErrorFailure(error: T.api.nexus.v1.IHandlerError | null | undefined): Obj {
  const info = { type: error?.errorType ?? 'INTERNAL', retryBehavior: error?.retryBehavior ?? 0 };
  const failure = error?.failure ? temporalFailureOf(error.failure) : { message: 'handler error' };
  if (failure.nexusHandlerFailureInfo) return failure;
  for (const key of Object.keys(failure)) if (key.endsWith('FailureInfo')) delete failure[key];
  return { ...failure, nexusHandlerFailureInfo: info };
}

/** The Temporal failure a Nexus failure carries as JSON in its details (workers put it there), else its message. */
function temporalFailureOf(nexusFailure: T.api.nexus.v1.IFailure): Obj {
  if (nexusFailure.metadata?.type === 'temporal.api.failure.v1.Failure' && nexusFailure.details?.length) {
    try {
      const decoded = temporal.api.failure.v1.Failure.fromObject(JSON.parse(Buffer.from(nexusFailure.details).toString('utf8')) as Record<string, unknown>);
      const failure: Obj = temporal.api.failure.v1.Failure.toObject(decoded, { defaults: false });
      if (!failure.message && nexusFailure.message) failure.message = nexusFailure.message;
      return failure;
    } catch {
      // not JSON we can read: the message alone
    }
  }
  return { message: nexusFailure.message ?? '' };
}
