// ResetWorkflowExecution: a new run of the workflow that keeps the base run's history up to a workflow task,
// fails that task with the cause RESET_WORKFLOW (naming the base and the new run), reapplies the signals the
// base received after it, and goes on from there; a running base is terminated. As Temporal does it, for
// reset points where no timer or activity is half done (started before the point and not finished by it: not
// carried into the new run here, so such a reset is FAILED_PRECONDITION). Child workflows started before the
// point go on as the new run's children (their close is reported to it, its close policy applies to them).
import { randomUUID } from 'node:crypto';
import { Run, type Engine } from './engine.js';
import { failedPrecondition, invalidArgument } from './errors.js';
import { EventType, temporal, type Obj, type T } from './proto.js';

const RESET_WORKFLOW = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW;
const REAPPLY_NONE = temporal.api.enums.v1.ResetReapplyType.RESET_REAPPLY_TYPE_NONE;

type Event = Obj & { eventId?: number | Long; eventType?: number };
type Long = { toNumber(): number };
const id = (v: unknown): number => (typeof v === 'number' ? v : v ? Number(v) : 0);
const attrs = (e: Event, key: string): Obj | undefined => e[`${key}EventAttributes`] as Obj | undefined;

/** The started event of the workflow task the reset point names, or an INVALID_ARGUMENT saying why not. */
function startedEventOf(history: Event[], finishEventId: number): number {
  const e = history[finishEventId - 1];
  switch (e?.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
      return finishEventId;
    case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      return id(attrs(e, 'workflowTaskCompleted')?.startedEventId);
    case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
      return id(attrs(e, 'workflowTaskFailed')?.startedEventId);
    case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
      return id(attrs(e, 'workflowTaskTimedOut')?.startedEventId);
    default:
      throw invalidArgument(`WorkflowTaskFinishEventId ${finishEventId} is not a workflow task completed, failed, timed out or started event.`);
  }
}

/** Timers and activities started in `kept` and not finished there (children go on: see below). */
function halfDone(kept: Event[]): string[] {
  const open = new Map<string, string>();
  for (const e of kept) {
    const timer = attrs(e, 'timerStarted');
    if (timer) open.set(`timer:${String(timer.timerId)}`, 'a timer');
    for (const key of ['timerFired', 'timerCanceled']) {
      const a = attrs(e, key);
      if (a) open.delete(`timer:${String(a.timerId)}`);
    }
    if (attrs(e, 'activityTaskScheduled')) open.set(`activity:${id(e.eventId)}`, 'an activity');
    for (const key of ['activityTaskCompleted', 'activityTaskFailed', 'activityTaskTimedOut', 'activityTaskCanceled']) {
      const a = attrs(e, key);
      if (a) open.delete(`activity:${id(a.scheduledEventId)}`);
    }
  }
  return [...new Set(open.values())];
}

export function resetWorkflow(engine: Engine, base: Run, req: T.api.workflowservice.v1.IResetWorkflowExecutionRequest): Run {
  const history = base.history as Event[];
  const startedId = startedEventOf(history, id(req.workflowTaskFinishEventId));
  if (startedId <= 0 || startedId > history.length) throw invalidArgument('the reset point has no workflow task started event.');
  const kept = history.slice(0, startedId);
  const pending = halfDone(kept);
  if (pending.length > 0)
    throw failedPrecondition(`reset to event ${startedId} would carry ${pending.join(', ')} started before it and not finished; the baosong test server resets only to points where nothing is half done (see temporal-server/README.md)`);

  const identity = req.identity ?? '';
  const reason = req.reason ?? '';
  const later = history.slice(startedId);
  const runId = randomUUID();
  // Children initiated before the point belong to the new run from now on (the base's close policy spares them).
  const adopted = [...base.children.values()].filter((c) => c.initiatedEventId < startedId);
  for (const child of adopted) {
    base.children.delete(child.initiatedEventId);
    const childRun = engine.latestRun(child.workflowId);
    if (childRun?.params.parent?.runId === base.runId) childRun.params.parent = { ...childRun.params.parent, runId };
  }
  if (base.running) engine.terminate(base, reason || 'reset', undefined, identity);

  const run = new Run(runId, base.firstRunId, { ...base.params, firstTaskBackoffMs: 0, requestId: req.requestId ?? '' }, engine.clock.now());
  run.searchAttributes = { ...base.searchAttributes };
  run.memo = { ...base.memo };
  run.executionExpirationMs = base.executionExpirationMs;
  engine.runs.set(runId, run);
  engine.byWorkflowId.get(base.workflowId)!.push(run);
  for (const e of kept) run.history.push({ ...e });
  for (const child of adopted) run.children.set(child.initiatedEventId, child);
  run.lastCompletedStartedId = kept.reduce((last, e) => (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ? id(attrs(e, 'workflowTaskCompleted')?.startedEventId) : last), 0);

  const started = attrs(history[startedId - 1]!, 'workflowTaskStarted');
  engine.append(run, 'workflowTaskFailed', {
    scheduledEventId: id(started?.scheduledEventId),
    startedEventId: startedId,
    cause: RESET_WORKFLOW,
    failure: { message: reason, source: 'baosong test server', resetWorkflowFailureInfo: {} },
    identity,
    baseRunId: base.runId,
    newRunId: runId,
    forkEventVersion: 0,
  });
  // What the base was told after the point is told again (signals by default; none with RESET_REAPPLY_TYPE_NONE).
  if (req.resetReapplyType !== REAPPLY_NONE)
    for (const e of later) {
      const signal = attrs(e, 'workflowExecutionSignaled');
      if (signal) engine.append(run, 'workflowExecutionSignaled', { ...signal });
    }
  engine.scheduleWorkflowTask(run);
  return run;
}
