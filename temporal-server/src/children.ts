// Child workflows and the commands that reach another workflow (signal it, ask it to cancel), as
// Temporal runs them: the command writes its "initiated" event in the completing workflow task; the
// work on the other workflow is done once that task has completed (Temporal's transfer tasks), and
// its outcome comes back to the initiating workflow as events that schedule its next workflow task.
// A child reports its close to its parent only when its whole chain closes (continue-as-new and
// retries carry the parent along); a parent that closes applies each open child's parent close policy.
import type { Engine, Run } from './engine.js';
import { Status, temporal, type Obj, type T } from './proto.js';

type StartChildAttrs = T.api.command.v1.IStartChildWorkflowExecutionCommandAttributes;
type SignalExternalAttrs = T.api.command.v1.ISignalExternalWorkflowExecutionCommandAttributes;
type CancelExternalAttrs = T.api.command.v1.IRequestCancelExternalWorkflowExecutionCommandAttributes;

const enums = temporal.api.enums.v1;
const PARENT_CLOSE_TERMINATE = enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE as number;
const PARENT_CLOSE_REQUEST_CANCEL = enums.ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL as number;
const START_FAILED_ALREADY_EXISTS = enums.StartChildWorkflowExecutionFailedCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS as number;
const START_FAILED_NAMESPACE_NOT_FOUND = enums.StartChildWorkflowExecutionFailedCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND as number;
const SIGNAL_FAILED_NOT_FOUND = enums.SignalExternalWorkflowExecutionFailedCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND as number;
const CANCEL_FAILED_NOT_FOUND = enums.CancelExternalWorkflowExecutionFailedCause.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND as number;
const REUSE_ALLOW_DUPLICATE_FAILED_ONLY = 2;
const REUSE_REJECT_DUPLICATE = 3;
/** Who the server names when it terminates or cancels a child itself. */
const SERVER_IDENTITY = 'baosong-test-server';

/** A child workflow as its parent tracks it, from initiated to closed. */
export interface Child {
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  parentClosePolicy: number;
  /** The child's first run, once started. */
  runId: string;
  startedEventId: number;
}

/** What a child run knows of its parent (carried across its continue-as-new and retries). */
export interface ParentRef {
  namespace: string;
  workflowId: string;
  runId: string;
  initiatedEventId: number;
}

const STATUS_FAILED_LIKE = new Set<number>([
  Status.WORKFLOW_EXECUTION_STATUS_FAILED,
  Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
  Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
]);

export class Children {
  constructor(private readonly engine: Engine) {}

  // ------------------------------------------------------------ start a child

  /** StartChildWorkflowExecution: the initiated event now, the start itself once the task has completed. */
  initiate(parent: Run, a: StartChildAttrs, completedId: number, after: Array<() => void>, userMetadata?: Obj | null): void {
    const namespace = a.namespace || parent.params.namespace;
    const workflowType = a.workflowType?.name ?? '';
    const ev = this.engine.append(parent, 'startChildWorkflowExecutionInitiated', {
      namespace,
      workflowId: a.workflowId,
      workflowType: a.workflowType,
      taskQueue: a.taskQueue?.name ? a.taskQueue : { name: parent.taskQueue, kind: 1 },
      input: a.input,
      workflowExecutionTimeout: a.workflowExecutionTimeout,
      workflowRunTimeout: a.workflowRunTimeout,
      workflowTaskTimeout: a.workflowTaskTimeout,
      parentClosePolicy: a.parentClosePolicy,
      control: a.control,
      workflowTaskCompletedEventId: completedId,
      workflowIdReusePolicy: a.workflowIdReusePolicy,
      retryPolicy: a.retryPolicy,
      cronSchedule: a.cronSchedule,
      header: a.header,
      memo: a.memo,
      searchAttributes: a.searchAttributes,
      inheritBuildId: a.inheritBuildId,
      priority: a.priority,
    });
    const child: Child = {
      initiatedEventId: ev.eventId,
      namespace,
      workflowId: a.workflowId ?? '',
      workflowType,
      parentClosePolicy: Number(a.parentClosePolicy ?? 0) || PARENT_CLOSE_TERMINATE,
      runId: '',
      startedEventId: 0,
    };
    parent.children.set(child.initiatedEventId, child);
    after.push(() => this.start(parent, child, a, completedId, userMetadata));
  }

  private start(parent: Run, child: Child, a: StartChildAttrs, completedId: number, userMetadata: Obj | null | undefined): void {
    if (!parent.running) return; // the parent closed in the same task: Temporal drops the start too
    const failStart = (cause: number): void => {
      parent.children.delete(child.initiatedEventId);
      this.engine.deliver(parent, () =>
        this.engine.append(parent, 'startChildWorkflowExecutionFailed', {
          namespace: child.namespace,
          workflowId: child.workflowId,
          workflowType: { name: child.workflowType },
          cause,
          control: a.control,
          initiatedEventId: child.initiatedEventId,
          workflowTaskCompletedEventId: completedId,
        }),
      );
    };
    if (!this.engine.namespaceExists(child.namespace)) return failStart(START_FAILED_NAMESPACE_NOT_FOUND);
    const latest = this.engine.latestRun(child.workflowId);
    const reuse = Number(a.workflowIdReusePolicy ?? 0);
    if (
      latest &&
      (latest.running ||
        reuse === REUSE_REJECT_DUPLICATE ||
        (reuse === REUSE_ALLOW_DUPLICATE_FAILED_ONLY && !STATUS_FAILED_LIKE.has(latest.status)))
    )
      return failStart(START_FAILED_ALREADY_EXISTS);
    const run = this.engine.startWorkflow({
      namespace: child.namespace,
      workflowId: child.workflowId,
      workflowType: child.workflowType,
      taskQueue: a.taskQueue?.name || parent.taskQueue,
      input: a.input,
      header: a.header as Obj | null,
      memo: a.memo as Obj | null,
      searchAttributes: a.searchAttributes as { indexedFields?: Record<string, Obj> } | null,
      workflowTaskTimeoutMs: this.engine.workflowTaskTimeoutOf(a.workflowTaskTimeout as Obj | null),
      workflowRunTimeout: a.workflowRunTimeout as Obj | null,
      workflowExecutionTimeout: a.workflowExecutionTimeout as Obj | null,
      identity: SERVER_IDENTITY,
      retryPolicy: a.retryPolicy,
      parent: { namespace: parent.params.namespace, workflowId: parent.workflowId, runId: parent.runId, initiatedEventId: child.initiatedEventId },
      root: parent.params.root ?? parent.execution(),
      userMetadata,
      priority: a.priority as Obj | null,
    });
    child.runId = run.runId;
    this.engine.deliver(parent, () => {
      const ev = this.engine.append(parent, 'childWorkflowExecutionStarted', {
        namespace: child.namespace,
        initiatedEventId: child.initiatedEventId,
        workflowExecution: { workflowId: child.workflowId, runId: child.runId },
        workflowType: { name: child.workflowType },
        header: a.header,
      });
      child.startedEventId = ev.eventId;
    });
  }

  // ------------------------------------------------------------ closes

  /**
   * A run closed. If it was the last run of a child's chain, its parent learns how it ended; if it
   * had open children, their parent close policies apply (on every close, continue-as-new included,
   * as Temporal does).
   */
  closed(run: Run): void {
    if (run.params.parent) this.tellParent(run, run.params.parent);
    if (run.children.size > 0) this.applyParentClosePolicies(run);
  }

  private tellParent(run: Run, ref: ParentRef): void {
    const close = run.lastEvent() as Record<string, Obj | undefined> | undefined;
    if (run.status === Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) return;
    const key = CLOSE_EVENTS[run.status];
    if (!key || !close) return;
    const attrs = close[`${CLOSE_ATTRS[run.status]}EventAttributes`] ?? {};
    if (attrs.newExecutionRunId) return; // retried: the chain goes on
    const parent = this.engine.runs.get(ref.runId);
    if (!parent) return;
    this.engine.deliver(parent, () => {
      const child = parent.children.get(ref.initiatedEventId);
      if (!child) return;
      parent.children.delete(ref.initiatedEventId);
      const common = {
        namespace: child.namespace,
        workflowExecution: run.execution(),
        workflowType: { name: child.workflowType },
        initiatedEventId: child.initiatedEventId,
        startedEventId: child.startedEventId,
      };
      switch (run.status) {
        case Status.WORKFLOW_EXECUTION_STATUS_COMPLETED:
          this.engine.append(parent, key, { ...common, result: attrs.result });
          return;
        case Status.WORKFLOW_EXECUTION_STATUS_FAILED:
          this.engine.append(parent, key, { ...common, failure: attrs.failure, retryState: attrs.retryState });
          return;
        case Status.WORKFLOW_EXECUTION_STATUS_CANCELED:
          this.engine.append(parent, key, { ...common, details: attrs.details });
          return;
        case Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
          this.engine.append(parent, key, { ...common, retryState: attrs.retryState });
          return;
        default:
          this.engine.append(parent, key, common);
      }
    });
  }

  private applyParentClosePolicies(parent: Run): void {
    const children = [...parent.children.values()];
    parent.children.clear();
    for (const child of children) {
      const run = child.runId ? this.chainRun(child) : undefined;
      if (!run?.running) continue;
      if (child.parentClosePolicy === PARENT_CLOSE_TERMINATE) this.engine.terminate(run, 'by parent close policy', undefined, SERVER_IDENTITY);
      else if (child.parentClosePolicy === PARENT_CLOSE_REQUEST_CANCEL) this.engine.requestCancel(run, 'by parent close policy', SERVER_IDENTITY);
    }
  }

  /** The current run of a child's chain (its first run, or what continue-as-new or a retry made of it). */
  private chainRun(child: Child): Run | undefined {
    const latest = this.engine.latestRun(child.workflowId);
    return latest && latest.firstRunId === child.runId ? latest : undefined;
  }

  // ------------------------------------------------------------ other workflows

  /** SignalExternalWorkflowExecution (also how a parent signals its child). */
  signal(source: Run, a: SignalExternalAttrs, completedId: number, after: Array<() => void>): void {
    const namespace = a.namespace || source.params.namespace;
    const ev = this.engine.append(source, 'signalExternalWorkflowExecutionInitiated', {
      workflowTaskCompletedEventId: completedId,
      namespace,
      workflowExecution: a.execution,
      signalName: a.signalName,
      input: a.input,
      control: a.control,
      childWorkflowOnly: a.childWorkflowOnly,
      header: a.header,
    });
    after.push(() => {
      if (!source.running) return;
      const target = this.target(source, namespace, a.execution, !!a.childWorkflowOnly);
      if (!target) {
        this.engine.deliver(source, () =>
          this.engine.append(source, 'signalExternalWorkflowExecutionFailed', {
            cause: SIGNAL_FAILED_NOT_FOUND,
            workflowTaskCompletedEventId: completedId,
            namespace,
            workflowExecution: a.execution,
            initiatedEventId: ev.eventId,
            control: a.control,
          }),
        );
        return;
      }
      this.engine.signal(target, a.signalName ?? '', a.input, a.header as Obj | null, SERVER_IDENTITY, source.execution());
      this.engine.deliver(source, () =>
        this.engine.append(source, 'externalWorkflowExecutionSignaled', {
          initiatedEventId: ev.eventId,
          namespace,
          workflowExecution: a.execution,
          control: a.control,
        }),
      );
    });
  }

  /** RequestCancelExternalWorkflowExecution (also how a parent cancels its child). */
  cancel(source: Run, a: CancelExternalAttrs, completedId: number, after: Array<() => void>): void {
    const namespace = a.namespace || source.params.namespace;
    const execution = { workflowId: a.workflowId, runId: a.runId };
    const ev = this.engine.append(source, 'requestCancelExternalWorkflowExecutionInitiated', {
      workflowTaskCompletedEventId: completedId,
      namespace,
      workflowExecution: execution,
      control: a.control,
      childWorkflowOnly: a.childWorkflowOnly,
      reason: a.reason,
    });
    after.push(() => {
      if (!source.running) return;
      const target = this.target(source, namespace, execution, !!a.childWorkflowOnly);
      if (!target) {
        this.engine.deliver(source, () =>
          this.engine.append(source, 'requestCancelExternalWorkflowExecutionFailed', {
            cause: CANCEL_FAILED_NOT_FOUND,
            workflowTaskCompletedEventId: completedId,
            namespace,
            workflowExecution: execution,
            initiatedEventId: ev.eventId,
            control: a.control,
          }),
        );
        return;
      }
      this.engine.requestCancel(target, a.reason ?? '', SERVER_IDENTITY, { initiatedEventId: ev.eventId, execution: source.execution() });
      this.engine.deliver(source, () =>
        this.engine.append(source, 'externalWorkflowExecutionCancelRequested', {
          initiatedEventId: ev.eventId,
          namespace,
          workflowExecution: execution,
        }),
      );
    });
  }

  /** The running workflow a signal or cancel command names, if any (a child of the source's, if it must be). */
  private target(source: Run, namespace: string, execution: T.api.common.v1.IWorkflowExecution | null | undefined, childOnly: boolean): Run | undefined {
    if (!this.engine.namespaceExists(namespace) || !execution?.workflowId) return undefined;
    const run = execution.runId ? this.engine.runs.get(execution.runId) : this.engine.latestRun(execution.workflowId);
    if (!run || run.workflowId !== execution.workflowId || !run.running) return undefined;
    if (childOnly && run.params.parent?.workflowId !== source.workflowId) return undefined;
    return run;
  }

  /** Describe's pendingChildren. */
  pendingInfo(run: Run): Obj[] {
    return [...run.children.values()]
      .filter((c) => c.runId)
      .map((c) => ({
        workflowId: c.workflowId,
        runId: this.chainRun(c)?.runId ?? c.runId,
        workflowTypeName: c.workflowType,
        initiatedId: c.initiatedEventId,
        parentClosePolicy: c.parentClosePolicy,
      }));
  }
}

/** The parent's event for each way a child's chain can close, and the close event it reads. */
const CLOSE_EVENTS: Record<number, string> = {
  [Status.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'childWorkflowExecutionCompleted',
  [Status.WORKFLOW_EXECUTION_STATUS_FAILED]: 'childWorkflowExecutionFailed',
  [Status.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'childWorkflowExecutionCanceled',
  [Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'childWorkflowExecutionTimedOut',
  [Status.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'childWorkflowExecutionTerminated',
};
const CLOSE_ATTRS: Record<number, string> = {
  [Status.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'workflowExecutionCompleted',
  [Status.WORKFLOW_EXECUTION_STATUS_FAILED]: 'workflowExecutionFailed',
  [Status.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'workflowExecutionCanceled',
  [Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'workflowExecutionTimedOut',
  [Status.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'workflowExecutionTerminated',
};
