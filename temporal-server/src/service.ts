// WorkflowService and TestService request handlers. Every method not listed here answers UNIMPLEMENTED.
import { Engine, cronBackoffMs, type Run, type StartParams } from './engine.js';
import { RpcError, alreadyExists, invalidArgument, multiOperationFailure, permissionDenied } from './errors.js';
import { Status, durationToMs, msToDuration, msToTimestamp, type Obj, type T } from './proto.js';
import type { CallContext } from './queues.js';
import { resetWorkflow } from './reset.js';
import { STATUS_DISPLAY, parseQuery, type Filterable } from './visibility.js';

export type Handler = (req: never, ctx: CallContext) => Promise<Obj>;
export type Handlers = Record<string, Handler>;

const HISTORY_LONG_POLL_MS = 20_000;
/** Temporal's default limit.maxIDLength. */
const MAX_ID_LENGTH = 1000;

const ReusePolicy = {
  ALLOW_DUPLICATE: 1,
  ALLOW_DUPLICATE_FAILED_ONLY: 2,
  REJECT_DUPLICATE: 3,
  TERMINATE_IF_RUNNING: 4,
};
const ConflictPolicy = { FAIL: 1, USE_EXISTING: 2, TERMINATE_EXISTING: 3 };

const STATUS_FAILED_LIKE = new Set<number>([
  Status.WORKFLOW_EXECUTION_STATUS_FAILED,
  Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
  Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
]);

type StartLike = T.api.workflowservice.v1.IStartWorkflowExecutionRequest | T.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest;

export function workflowHandlers(engine: Engine): Handlers {
  const ns = (n: string | null | undefined) => n || 'default';

  /** Apply id-reuse and id-conflict policies. Returns an existing run to use, or undefined to start a new one. */
  function resolveConflict(req: StartLike, identity: string): Run | undefined {
    const workflowId = req.workflowId ?? '';
    const latest = engine.latestRun(workflowId);
    if (!latest) return undefined;
    const reuse = Number(req.workflowIdReusePolicy ?? 0) || ReusePolicy.ALLOW_DUPLICATE;
    const conflict = Number((req as T.api.workflowservice.v1.IStartWorkflowExecutionRequest).workflowIdConflictPolicy ?? 0);
    if (latest.running) {
      if (conflict === ConflictPolicy.USE_EXISTING) return latest;
      if (conflict === ConflictPolicy.TERMINATE_EXISTING || reuse === ReusePolicy.TERMINATE_IF_RUNNING) {
        engine.terminate(latest, 'terminated by a new start (id conflict policy)', undefined, identity);
        return undefined;
      }
      throw alreadyExists(`Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${latest.runId}.`);
    }
    if (reuse === ReusePolicy.REJECT_DUPLICATE)
      throw alreadyExists(`Workflow execution already finished and its id reuse policy rejects duplicates. WorkflowId: ${workflowId}.`);
    if (reuse === ReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY && !STATUS_FAILED_LIKE.has(latest.status))
      throw alreadyExists(`Workflow execution already finished successfully. WorkflowId: ${workflowId}, id reuse policy allows failed runs only.`);
    return undefined;
  }

  function start(req: StartLike): Run {
    return engine.startWorkflow(startParams(req));
  }

  /** A start request checked and turned into the engine's start parameters. */
  function startParams(req: StartLike): StartParams {
    if (!req.workflowId) throw invalidArgument('WorkflowId is not set on request.');
    if (req.workflowId.length > MAX_ID_LENGTH) throw invalidArgument(`WorkflowId length exceeds limit (${req.workflowId.length}/${MAX_ID_LENGTH}).`);
    if (!req.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
    if (!req.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
    const startDelayMs = durationToMs(req.workflowStartDelay);
    if (startDelayMs < 0) throw invalidArgument('WorkflowStartDelay must not be negative.');
    if (req.cronSchedule && startDelayMs > 0) throw invalidArgument('CronSchedule and WorkflowStartDelay may not be used together.');
    // A cron workflow's first run waits for the schedule's first time (its firstWorkflowTaskBackoff).
    const cronDelayMs = req.cronSchedule ? cronBackoffMs(req.cronSchedule, engine.clock.now()) : null;
    return {
      namespace: ns(req.namespace),
      workflowId: req.workflowId,
      workflowType: req.workflowType.name,
      taskQueue: req.taskQueue.name,
      input: req.input,
      header: req.header as Obj | null,
      memo: req.memo as Obj | null,
      searchAttributes: req.searchAttributes as { indexedFields?: Record<string, Obj> } | null,
      workflowTaskTimeoutMs: Engine.workflowTaskTimeout(req.workflowTaskTimeout as Obj | null),
      workflowRunTimeout: req.workflowRunTimeout as Obj | null,
      workflowExecutionTimeout: req.workflowExecutionTimeout as Obj | null,
      identity: req.identity ?? '',
      retryPolicy: req.retryPolicy,
      firstTaskBackoffMs: cronDelayMs ?? startDelayMs,
      userMetadata: req.userMetadata as Obj | null,
      requestId: req.requestId ?? '',
      priority: req.priority as Obj | null,
      ...(req.cronSchedule ? { cronSchedule: req.cronSchedule } : {}),
      ...('completionCallbacks' in req && req.completionCallbacks?.length ? { completionCallbacks: req.completionCallbacks } : {}),
    };
  }

  /** StartWorkflowExecution: a new run, or the one a retried request or the conflict policy names. */
  function startOrUseExisting(req: T.api.workflowservice.v1.IStartWorkflowExecutionRequest): { run: Run; started: boolean; eagerWorkflowTask?: Obj | null } {
    // A retried request (same request id) gets the run it already started.
    const latest = engine.latestRun(req.workflowId ?? '');
    if (latest && req.requestId && latest.params.requestId === req.requestId) return { run: latest, started: true };
    const existing = resolveConflict(req, req.identity ?? '');
    if (existing) return { run: existing, started: false };
    if (req.requestEagerExecution) {
      // Eager start: the first workflow task goes back in the response, to the worker on the client's connection.
      const { run, task } = engine.startEager(startParams(req), req.identity ?? '');
      return { run, started: true, eagerWorkflowTask: task };
    }
    return { run: start(req), started: true };
  }

  function info(run: Run): Obj {
    return {
      execution: run.execution(),
      type: { name: run.params.workflowType },
      startTime: msToTimestamp(run.startTime),
      executionTime: msToTimestamp(run.executionTime),
      closeTime: run.closeTime ? msToTimestamp(run.closeTime) : undefined,
      executionDuration: run.closeTime ? msToDuration(run.closeTime - run.startTime) : undefined,
      status: run.status,
      historyLength: run.history.length,
      historySizeBytes: engine.historySize(run),
      taskQueue: run.taskQueue,
      memo: { fields: run.memo },
      searchAttributes: { indexedFields: engine.visibleSearchAttributes(run) },
      firstRunId: run.firstRunId,
      parentExecution: run.params.parent ? { workflowId: run.params.parent.workflowId, runId: run.params.parent.runId } : undefined,
      rootExecution: run.params.root ?? run.execution(),
    };
  }

  /** What visibility queries see of a run. */
  function visible(r: Run): Filterable {
    return {
      workflowId: r.workflowId,
      workflowType: r.params.workflowType,
      status: r.status,
      runId: r.runId,
      taskQueue: r.taskQueue,
      startTime: r.startTime,
      closeTime: r.closeTime,
      executionTime: r.executionTime,
      historyLength: r.history.length,
      parentWorkflowId: r.params.parent?.workflowId,
      parentRunId: r.params.parent?.runId,
      rootWorkflowId: (r.params.root?.workflowId as string | undefined) ?? r.workflowId,
      rootRunId: (r.params.root?.runId as string | undefined) ?? r.runId,
      searchAttributes: engine.visibleSearchAttributes(r),
    };
  }

  function allRuns(): Run[] {
    return [...engine.runs.values()];
  }

  return {
    GetSystemInfo: () =>
      Promise.resolve({
        serverVersion: '1.27.0-baosong-test-server',
        capabilities: {
          signalAndQueryHeader: true,
          internalErrorDifferentiation: true,
          activityFailureIncludeHeartbeat: true,
          encodedFailureAttributes: true,
          upsertMemo: true,
          sdkMetadata: true,
          eagerWorkflowStart: true,
          nexus: true,
        },
      }),

    StartWorkflowExecution: (req: T.api.workflowservice.v1.IStartWorkflowExecutionRequest) => {
      const { run, started, eagerWorkflowTask } = startOrUseExisting(req);
      return Promise.resolve({ runId: run.runId, started, status: run.status, eagerWorkflowTask });
    },

    // Update-with-start: the only multi-operation Temporal has (start, then update the run it started or found).
    ExecuteMultiOperation: async (req: T.api.workflowservice.v1.IExecuteMultiOperationRequest) => {
      if (!engine.updatesEnabled) throw permissionDenied('Workflow Update is disabled on this namespace.');
      const [first, second, ...rest] = req.operations ?? [];
      const startReq = first?.startWorkflow;
      const updateReq = second?.updateWorkflow;
      if (!startReq || !updateReq || rest.length > 0)
        throw invalidArgument('ExecuteMultiOperation takes exactly a StartWorkflow then an UpdateWorkflow operation (update-with-start).');
      let started: { run: Run; started: boolean };
      try {
        if (startReq.namespace !== req.namespace || updateReq.namespace !== req.namespace) throw invalidArgument('Operations have to use the same namespace as the request.');
        if (updateReq.workflowExecution?.workflowId !== startReq.workflowId) throw invalidArgument('UpdateWorkflow operation has to name the workflow id of the StartWorkflow operation.');
        if (updateReq.workflowExecution?.runId || updateReq.firstExecutionRunId) throw invalidArgument('UpdateWorkflow operation cannot name a run id in update-with-start.');
        if (!Number(startReq.workflowIdConflictPolicy)) throw invalidArgument('StartWorkflow operation needs a workflow id conflict policy in update-with-start.');
        if (startReq.cronSchedule) throw invalidArgument('StartWorkflow operation cannot have a cron schedule in update-with-start.');
        if (durationToMs(startReq.workflowStartDelay) > 0) throw invalidArgument('StartWorkflow operation cannot have a start delay in update-with-start.');
        if (!updateReq.request?.meta?.updateId || !updateReq.request.input?.name) throw invalidArgument('UpdateWorkflow operation needs an update id and name.');
        started = startOrUseExisting(startReq);
      } catch (err) {
        throw err instanceof RpcError ? multiOperationFailure(err, 0, 2) : err;
      }
      const { run } = started;
      let update: Obj;
      try {
        update = await engine.updates.update({ ...updateReq, workflowExecution: { workflowId: run.workflowId, runId: run.runId } });
      } catch (err) {
        throw err instanceof RpcError ? multiOperationFailure(err, 1, 2) : err;
      }
      return {
        responses: [{ startWorkflow: { runId: run.runId, started: started.started, status: run.status } }, { updateWorkflow: update }],
      };
    },

    SignalWithStartWorkflowExecution: (req: T.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest) => {
      if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
      // A running workflow is signalled unless the conflict policy says otherwise (signal-with-start
      // defaults to USE_EXISTING; TERMINATE_EXISTING replaces the run, FAIL refuses).
      const reuse = Number(req.workflowIdReusePolicy ?? 0);
      const conflict =
        Number(req.workflowIdConflictPolicy ?? 0) ||
        (reuse === ReusePolicy.TERMINATE_IF_RUNNING ? ConflictPolicy.TERMINATE_EXISTING : ConflictPolicy.USE_EXISTING);
      const existing = resolveConflict({ ...req, workflowIdConflictPolicy: conflict }, req.identity ?? '');
      const run = existing ?? start(req);
      engine.signal(run, req.signalName, req.signalInput, req.header as Obj | null, req.identity ?? '');
      // As in Temporal: a signal-with-start to a run still in its start delay starts it now.
      if (existing) engine.endBackoff(existing);
      return Promise.resolve({ runId: run.runId, started: !existing });
    },

    SignalWorkflowExecution: (req: T.api.workflowservice.v1.ISignalWorkflowExecutionRequest) => {
      if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
      const run = engine.findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      engine.signal(run, req.signalName, req.input, req.header as Obj | null, req.identity ?? '');
      return Promise.resolve({});
    },

    ResetWorkflowExecution: (req: T.api.workflowservice.v1.IResetWorkflowExecutionRequest) => {
      const base = engine.findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      return Promise.resolve({ runId: resetWorkflow(engine, base, req).runId });
    },

    TerminateWorkflowExecution: (req: T.api.workflowservice.v1.ITerminateWorkflowExecutionRequest) => {
      const run = engine.findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      engine.terminate(run, req.reason ?? '', req.details, req.identity ?? '');
      return Promise.resolve({});
    },

    RequestCancelWorkflowExecution: (req: T.api.workflowservice.v1.IRequestCancelWorkflowExecutionRequest) => {
      const run = engine.findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      engine.requestCancel(run, req.reason ?? '', req.identity ?? '');
      return Promise.resolve({});
    },

    QueryWorkflow: (req: T.api.workflowservice.v1.IQueryWorkflowRequest) => {
      const run = engine.findRun(req.execution?.workflowId, req.execution?.runId);
      if (!req.query?.queryType) throw invalidArgument('QueryType is not set on request.');
      return engine.queries.query(run, req.query);
    },

    RespondQueryTaskCompleted: (req: T.api.workflowservice.v1.IRespondQueryTaskCompletedRequest) => {
      engine.queries.respond(req);
      return Promise.resolve({});
    },

    DescribeWorkflowExecution: (req: T.api.workflowservice.v1.IDescribeWorkflowExecutionRequest) => {
      const run = engine.findRun(req.execution?.workflowId, req.execution?.runId);
      return Promise.resolve({
        executionConfig: {
          taskQueue: { name: run.taskQueue, kind: 1 },
          workflowExecutionTimeout: run.params.workflowExecutionTimeout,
          workflowRunTimeout: run.params.workflowRunTimeout,
          defaultWorkflowTaskTimeout: msToDuration(run.params.workflowTaskTimeoutMs),
          userMetadata: run.params.userMetadata ?? undefined,
        },
        workflowExecutionInfo: info(run),
        pendingActivities: engine.activities.pendingInfo(run),
        pendingChildren: engine.children.pendingInfo(run),
        pendingWorkflowTask: run.wft
          ? {
              state: run.wft.startedEventId ? 2 : 1,
              scheduledTime: msToTimestamp(run.wft.scheduledTime),
              startedTime: run.wft.startedEventId ? msToTimestamp(run.wft.startedTime) : undefined,
              attempt: run.wft.attempt,
            }
          : undefined,
      });
    },

    GetWorkflowExecutionHistory: (req: T.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest, ctx: CallContext) => {
      const run = engine.findRun(req.execution?.workflowId, req.execution?.runId);
      const closeOnly = Number(req.historyEventFilterType) === 2;
      const from = req.nextPageToken && req.nextPageToken.length > 0 ? Number(Buffer.from(req.nextPageToken).toString('utf8')) : 0;
      if (!Number.isInteger(from) || from < 0) throw invalidArgument('invalid next page token');
      const answer = (): Obj => {
        if (closeOnly) return { history: { events: run.running ? [] : [run.lastEvent()] } };
        const events = run.history.slice(from);
        const more = req.waitNewEvent && run.running;
        return { history: { events }, nextPageToken: more ? Buffer.from(String(run.history.length)) : undefined };
      };
      const ready = () => (closeOnly ? !run.running : run.history.length > from || !run.running);
      if (!req.waitNewEvent || ready()) return Promise.resolve(answer());
      return new Promise<Obj>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          run.waiters.delete(check);
          resolve(closeOnly || ready() ? answer() : { history: { events: [] }, nextPageToken: req.nextPageToken });
        };
        const check = () => {
          if (ready()) finish();
        };
        const timer = setTimeout(finish, HISTORY_LONG_POLL_MS);
        run.waiters.add(check);
        ctx.onCancel(finish);
      });
    },

    ListWorkflowExecutions: (req: T.api.workflowservice.v1.IListWorkflowExecutionsRequest) => {
      const { filter, order } = parseQuery(req.query);
      const matching = allRuns()
        .filter((r) => r.params.namespace === ns(req.namespace) && filter(visible(r)))
        .sort(order ? (a, b) => order(visible(a), visible(b)) : (a, b) => b.startTime - a.startTime);
      const offset = req.nextPageToken && req.nextPageToken.length > 0 ? Number(Buffer.from(req.nextPageToken).toString('utf8')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('invalid next page token');
      const size = req.pageSize && req.pageSize > 0 ? req.pageSize : 1000;
      const page = matching.slice(offset, offset + size);
      const next = offset + size < matching.length ? Buffer.from(String(offset + size)) : undefined;
      return Promise.resolve({ executions: page.map(info), nextPageToken: next });
    },

    CountWorkflowExecutions: (req: T.api.workflowservice.v1.ICountWorkflowExecutionsRequest) => {
      const { filter, groupBy } = parseQuery(req.query);
      const matching = allRuns().filter((r) => r.params.namespace === ns(req.namespace) && filter(visible(r)));
      if (!groupBy) return Promise.resolve({ count: matching.length });
      // GROUP BY ExecutionStatus: one group per status present, in the statuses' order.
      const byStatus = new Map<number, number>();
      for (const r of matching) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      const groups = [...byStatus.entries()]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => ({ groupValues: [jsonPayload(STATUS_DISPLAY[status] ?? String(status))], count }));
      return Promise.resolve({ count: matching.length, groups });
    },

    PollWorkflowTaskQueue: (req: T.api.workflowservice.v1.IPollWorkflowTaskQueueRequest, ctx: CallContext) => {
      if (!req.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
      return engine.workflowQueues.poll(req.taskQueue.name, req.identity ?? '', ctx, req.workerInstanceKey || req.identity || '');
    },

    RespondWorkflowTaskCompleted: (req: T.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest) => {
      const res = engine.completeWorkflowTask(req);
      return Promise.resolve(res);
    },

    RespondWorkflowTaskFailed: (req: T.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest) => {
      engine.failWorkflowTask(req);
      return Promise.resolve({});
    },

    StartActivityExecution: (req: T.api.workflowservice.v1.IStartActivityExecutionRequest) =>
      Promise.resolve(engine.standaloneActivities.start(req, ns(req.namespace))),
    DescribeActivityExecution: (req: T.api.workflowservice.v1.IDescribeActivityExecutionRequest) =>
      Promise.resolve(engine.standaloneActivities.describe(engine.standaloneActivities.find(ns(req.namespace), req.activityId, req.runId), req)),
    PollActivityExecution: (req: T.api.workflowservice.v1.IPollActivityExecutionRequest, ctx: CallContext) =>
      engine.standaloneActivities.poll(engine.standaloneActivities.find(ns(req.namespace), req.activityId, req.runId), ctx),
    RequestCancelActivityExecution: (req: T.api.workflowservice.v1.IRequestCancelActivityExecutionRequest) => {
      engine.standaloneActivities.requestCancel(engine.standaloneActivities.find(ns(req.namespace), req.activityId, req.runId), req.reason ?? '');
      return Promise.resolve({});
    },
    TerminateActivityExecution: (req: T.api.workflowservice.v1.ITerminateActivityExecutionRequest) => {
      engine.standaloneActivities.terminate(engine.standaloneActivities.find(ns(req.namespace), req.activityId, req.runId), req.reason ?? '', req.identity ?? '');
      return Promise.resolve({});
    },
    ListActivityExecutions: (req: T.api.workflowservice.v1.IListActivityExecutionsRequest) => {
      const all = engine.standaloneActivities.list(ns(req.namespace), req.query);
      const offset = req.nextPageToken?.length ? Number(Buffer.from(req.nextPageToken).toString('utf8')) || 0 : 0;
      const size = req.pageSize && req.pageSize > 0 ? req.pageSize : 1000;
      const page = all.slice(offset, offset + size);
      const next = offset + size < all.length ? Buffer.from(String(offset + size)) : undefined;
      return Promise.resolve({ executions: page.map((a) => engine.standaloneActivities.listInfo(a)), nextPageToken: next });
    },
    CountActivityExecutions: (req: T.api.workflowservice.v1.ICountActivityExecutionsRequest) =>
      Promise.resolve({ count: engine.standaloneActivities.list(ns(req.namespace), req.query).length }),

    // Nexus tasks (nexus.ts): start and cancel requests for the endpoint's task queue.
    PollNexusTaskQueue: (req: T.api.workflowservice.v1.IPollNexusTaskQueueRequest, ctx: CallContext) => {
      if (!req.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
      return engine.nexusQueues.poll(req.taskQueue.name, req.identity ?? '', ctx, req.workerInstanceKey || req.identity || '');
    },
    RespondNexusTaskCompleted: (req: T.api.workflowservice.v1.IRespondNexusTaskCompletedRequest) => Promise.resolve(engine.nexus.completed(req)),
    RespondNexusTaskFailed: (req: T.api.workflowservice.v1.IRespondNexusTaskFailedRequest) => Promise.resolve(engine.nexus.failed(req)),

    PollActivityTaskQueue: (req: T.api.workflowservice.v1.IPollActivityTaskQueueRequest, ctx: CallContext) => {
      if (!req.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
      return engine.activityQueues.poll(req.taskQueue.name, req.identity ?? '', ctx, req.workerInstanceKey || req.identity || '');
    },

    RespondActivityTaskCompleted: (req: T.api.workflowservice.v1.IRespondActivityTaskCompletedRequest) => {
      engine.activities.completed(req);
      return Promise.resolve({});
    },

    RespondActivityTaskFailed: (req: T.api.workflowservice.v1.IRespondActivityTaskFailedRequest) => {
      engine.activities.failed(req);
      return Promise.resolve({ failures: [] });
    },

    RespondActivityTaskCanceled: (req: T.api.workflowservice.v1.IRespondActivityTaskCanceledRequest) => {
      engine.activities.canceled(req);
      return Promise.resolve({});
    },

    RecordActivityTaskHeartbeat: (req: T.api.workflowservice.v1.IRecordActivityTaskHeartbeatRequest) =>
      Promise.resolve(engine.activities.heartbeat(req)),

    // Async activity completion by workflow and activity id.
    RespondActivityTaskCompletedById: (req: T.api.workflowservice.v1.IRespondActivityTaskCompletedByIdRequest) => {
      engine.activities.completed(req, engine.activities.byId(req.workflowId, req.runId, req.activityId));
      return Promise.resolve({});
    },

    RespondActivityTaskFailedById: (req: T.api.workflowservice.v1.IRespondActivityTaskFailedByIdRequest) => {
      engine.activities.failed(req, engine.activities.byId(req.workflowId, req.runId, req.activityId));
      return Promise.resolve({ failures: [] });
    },

    RespondActivityTaskCanceledById: (req: T.api.workflowservice.v1.IRespondActivityTaskCanceledByIdRequest) => {
      engine.activities.canceled(req, engine.activities.byId(req.workflowId, req.runId, req.activityId));
      return Promise.resolve({});
    },

    RecordActivityTaskHeartbeatById: (req: T.api.workflowservice.v1.IRecordActivityTaskHeartbeatByIdRequest) =>
      Promise.resolve(engine.activities.heartbeat(req, engine.activities.byId(req.workflowId, req.runId, req.activityId))),

    PauseActivity: (req: T.api.workflowservice.v1.IPauseActivityRequest) => {
      engine.activities.pause(req);
      return Promise.resolve({});
    },

    UnpauseActivity: (req: T.api.workflowservice.v1.IUnpauseActivityRequest) => {
      engine.activities.unpause(req);
      return Promise.resolve({});
    },

    ResetActivity: (req: T.api.workflowservice.v1.IResetActivityRequest) => {
      engine.activities.reset(req);
      return Promise.resolve({});
    },

    UpdateWorkflowExecution: (req: T.api.workflowservice.v1.IUpdateWorkflowExecutionRequest) => {
      if (!engine.updatesEnabled) throw permissionDenied('Workflow Update is disabled on this namespace.');
      return engine.updates.update(req);
    },

    PollWorkflowExecutionUpdate: (req: T.api.workflowservice.v1.IPollWorkflowExecutionUpdateRequest) => engine.updates.poll(req),

    ResetStickyTaskQueue: (req: T.api.workflowservice.v1.IResetStickyTaskQueueRequest) => {
      engine.resetSticky(engine.findRun(req.execution?.workflowId, req.execution?.runId));
      return Promise.resolve({});
    },

    ShutdownWorker: (req: T.api.workflowservice.v1.IShutdownWorkerRequest) => {
      if (req.stickyTaskQueue) {
        engine.workflowQueues.releasePollers(req.stickyTaskQueue);
        engine.releaseStickyQueue(req.stickyTaskQueue);
      }
      // Temporal's frontend.enableCancelWorkerPollsOnShutdown (namespace capability workerPollCompleteOnShutdown):
      // the worker's outstanding polls are answered at once, so it stops without waiting out a long poll.
      if (engine.cancelPollsOnShutdown) {
        const worker = req.workerInstanceKey || req.identity || '';
        engine.workflowQueues.releaseWorker(worker);
        engine.activityQueues.releaseWorker(worker);
        engine.nexusQueues.releaseWorker(worker);
      }
      return Promise.resolve({});
    },
  };
}

function jsonPayload(value: unknown): Obj {
  return { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) };
}

export function testHandlers(engine: Engine): Handlers {
  const clock = engine.clock;
  return {
    LockTimeSkipping: () => {
      clock.lockClient();
      return Promise.resolve({});
    },
    UnlockTimeSkipping: () => {
      clock.unlockClient();
      return Promise.resolve({});
    },
    UnlockTimeSkippingWithSleep: (req: T.api.testservice.v1.ISleepRequest, ctx: CallContext) => sleep(durationToMs(req.duration), ctx, true),
    Sleep: (req: T.api.testservice.v1.ISleepRequest, ctx: CallContext) => sleep(durationToMs(req.duration), ctx, false),
    SleepUntil: (req: T.api.testservice.v1.ISleepUntilRequest, ctx: CallContext) =>
      sleep(Math.max(0, durationToMs(req.timestamp) - clock.now()), ctx, false),
    GetCurrentTime: () => Promise.resolve({ time: msToTimestamp(clock.now()) }),
  };

  function sleep(ms: number, ctx: CallContext, unlock: boolean): Promise<Obj> {
    return new Promise<Obj>((resolve) => {
      let done = false;
      let borrowed = false;
      const handle = clock.schedule(ms, () => {
        if (done) return;
        done = true;
        if (unlock) clock.relockClientAfterSleep(borrowed);
        resolve({});
      });
      if (unlock) borrowed = clock.unlockClientForSleep();
      ctx.onCancel(() => {
        if (done) return;
        done = true;
        clock.cancel(handle);
        if (unlock) clock.relockClientAfterSleep(borrowed);
        resolve({});
      });
    });
  }
}
