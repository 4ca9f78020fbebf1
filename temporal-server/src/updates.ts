// Workflow updates (UpdateWorkflowExecution, PollWorkflowExecutionUpdate), as Temporal runs them:
// an update request is not an event; it rides to the worker as a protocol message on the next
// workflow task. The worker's validator accepts or rejects it (Acceptance / Rejection messages); the
// handler's result comes back as a Response message. Acceptance and Response are written as
// WorkflowExecutionUpdateAccepted / Completed where the worker's PROTOCOL_MESSAGE commands put them;
// a rejection writes nothing. Callers wait for the stage they asked for (ACCEPTED or COMPLETED).
// Update-with-start (ExecuteMultiOperation, service.ts) starts or finds the run, then updates it here.
// At most 10 updates may be in flight per run (Temporal's default), more are RESOURCE_EXHAUSTED.
// Not modelled: durable admission (UpdateAdmitted events), speculative workflow tasks (a rejected
// update leaves its workflow task in the history).
import type { Engine, Run } from './engine.js';
import { invalidArgument, notFound, resourceExhausted } from './errors.js';
import { lookupType, temporal, type Obj, type T } from './proto.js';

/** Lifecycle stages as plain numbers (they are compared by order). */
const Stage = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage as unknown as Record<
  'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED' | 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED' | 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED',
  number
>;
const TYPE_PREFIX = 'type.googleapis.com/';
const RequestType = lookupType('temporal.api.update.v1.Request');
const AcceptanceType = lookupType('temporal.api.update.v1.Acceptance');
const RejectionType = lookupType('temporal.api.update.v1.Rejection');
const ResponseType = lookupType('temporal.api.update.v1.Response');
const DECODE = { longs: Number, enums: Number, bytes: Buffer, arrays: true, objects: false, defaults: false };
/** How long an update call waits for its stage before answering with the stage reached (the client calls again). */
const UPDATE_LONG_POLL_MS = 20_000;
/** Temporal's default history.maxInFlightUpdates: more concurrent updates are RESOURCE_EXHAUSTED. */
const MAX_IN_FLIGHT_UPDATES = 10;

type Message = T.api.protocol.v1.IMessage;

export interface Update {
  id: string;
  run: Run;
  request: Obj;
  /** requested: not yet sent, or sent on a task that did not settle it. */
  state: 'requested' | 'sent' | 'accepted' | 'completed';
  /** The protocol message id and sequencing event id of the request as last sent. */
  messageId: string;
  sequencingEventId: number;
  acceptedEventId: number;
  outcome: Obj | undefined;
  waiters: Set<() => void>;
}

function anyOf(typeName: string, type: { encode(m: unknown): { finish(): Uint8Array } }, value: unknown): Obj {
  return { type_url: TYPE_PREFIX + typeName, value: Buffer.from(type.encode(value).finish()) };
}

export class Updates {
  constructor(private readonly engine: Engine) {}

  /** UpdateWorkflowExecution. */
  async update(req: T.api.workflowservice.v1.IUpdateWorkflowExecutionRequest): Promise<Obj> {
    const run = this.engine.findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
    if (req.firstExecutionRunId && run.firstRunId !== req.firstExecutionRunId) throw notFound('workflow execution not found for this first execution run id');
    const updateId = req.request?.meta?.updateId;
    if (!updateId) throw invalidArgument('Update id is not set on request.');
    if (!req.request?.input?.name) throw invalidArgument('Update name is not set on request.');
    let u = run.updates.get(updateId);
    if (!u) {
      if (!run.running) throw notFound('workflow execution already completed');
      if (this.inFlight(run) >= MAX_IN_FLIGHT_UPDATES)
        throw resourceExhausted(`limit on the number of concurrent in-flight updates has been reached (${MAX_IN_FLIGHT_UPDATES})`);
      u = {
        id: updateId,
        run,
        request: req.request as Obj,
        state: 'requested',
        messageId: '',
        sequencingEventId: 0,
        acceptedEventId: 0,
        outcome: undefined,
        waiters: new Set(),
      };
      run.updates.set(updateId, u);
      // No event: the request rides on the next task; a run still in its start delay starts now, as in Temporal.
      if (run.backoff) this.engine.endBackoff(run);
      else this.engine.scheduleWorkflowTask(run);
    }
    const wanted = Number(req.waitPolicy?.lifecycleStage ?? 0) || Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED;
    await this.waitFor(u, wanted);
    return this.answer(u, wanted);
  }

  /** PollWorkflowExecutionUpdate. */
  async poll(req: T.api.workflowservice.v1.IPollWorkflowExecutionUpdateRequest): Promise<Obj> {
    const ref = req.updateRef;
    const run = this.engine.findRun(ref?.workflowExecution?.workflowId, ref?.workflowExecution?.runId);
    const u = run.updates.get(ref?.updateId ?? '');
    if (!u) throw notFound(`update ${ref?.updateId ?? ''} not found`);
    // Without a stage to wait for, the answer is the stage reached now (the client always names COMPLETED).
    const wanted = Number(req.waitPolicy?.lifecycleStage ?? 0);
    if (!wanted) return this.answer(u, 0);
    await this.waitFor(u, wanted);
    return this.answer(u, wanted);
  }

  private stageOf(u: Update): number {
    if (u.state === 'completed') return Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
    if (u.state === 'accepted') return Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED;
    return Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;
  }

  /** The stage reached; NOT_FOUND if the workflow closed before reaching the one asked for (it never will). */
  private answer(u: Update, wanted: number): Obj {
    if (this.stageOf(u) < wanted && !u.run.running) throw notFound('workflow execution already completed');
    return {
      updateRef: { workflowExecution: u.run.execution(), updateId: u.id },
      outcome: u.outcome,
      stage: this.stageOf(u),
    };
  }

  private waitFor(u: Update, stage: number): Promise<void> {
    if (this.stageOf(u) >= stage || !u.run.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        u.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.stageOf(u) >= stage || !u.run.running) done();
      };
      const timer = setTimeout(done, UPDATE_LONG_POLL_MS);
      u.waiters.add(check);
    });
  }

  private notify(u: Update): void {
    // An update started by a Nexus operation (UpdateWorkflow) tells that operation how it ended.
    const callbacks = (u.request as { completionCallbacks?: T.api.common.v1.ICallback[] }).completionCallbacks;
    if (u.state === 'completed' && callbacks?.length) this.engine.nexus.updateSettled(callbacks, u.outcome);
    for (const w of [...u.waiters]) w();
  }

  /** Updates admitted or accepted and not yet completed. */
  private inFlight(run: Run): number {
    let n = 0;
    for (const u of run.updates.values()) if (u.state !== 'completed') n++;
    return n;
  }

  /** Whether the run has update requests its next workflow task must carry. */
  pending(run: Run): boolean {
    for (const u of run.updates.values()) if (u.state === 'requested' || u.state === 'sent') return true;
    return false;
  }

  /** The protocol messages for a workflow task being handed out (unsettled requests, sent again after a failed task). */
  messagesFor(run: Run, startedEventId: number): Obj[] {
    const messages: Obj[] = [];
    for (const u of run.updates.values()) {
      if (u.state !== 'requested' && u.state !== 'sent') continue;
      u.state = 'sent';
      u.messageId = `${u.id}/request`;
      // Processed just before the task's WorkflowTaskStarted, as Temporal sequences it.
      u.sequencingEventId = startedEventId - 1;
      messages.push({
        id: u.messageId,
        protocolInstanceId: u.id,
        eventId: u.sequencingEventId,
        body: anyOf('temporal.api.update.v1.Request', RequestType, u.request),
      });
    }
    return messages;
  }

  /**
   * Apply the messages of a workflow task completion: each PROTOCOL_MESSAGE command writes its
   * message's event at that point (`applyCommand`); messages no command named are applied after.
   */
  byId(messages: Message[]): Map<string, Message> {
    return new Map(messages.map((m) => [m.id ?? '', m]));
  }

  apply(run: Run, m: Message, identity: string): void {
    const body = m.body as { type_url?: string; typeUrl?: string; value?: Uint8Array } | null | undefined;
    const typeName = (body?.type_url ?? body?.typeUrl ?? '').replace(TYPE_PREFIX, '');
    const u = run.updates.get(m.protocolInstanceId ?? '');
    if (!u || !body?.value) throw invalidArgument(`protocol message ${m.id ?? ''} names no known update`);
    switch (typeName) {
      case 'temporal.api.update.v1.Acceptance': {
        const a = AcceptanceType.toObject(AcceptanceType.decode(body.value), DECODE) as Obj;
        const ev = this.engine.append(run, 'workflowExecutionUpdateAccepted', {
          protocolInstanceId: u.id,
          acceptedRequestMessageId: a.acceptedRequestMessageId ?? u.messageId,
          acceptedRequestSequencingEventId: a.acceptedRequestSequencingEventId ?? u.sequencingEventId,
          acceptedRequest: a.acceptedRequest ?? u.request,
        });
        u.acceptedEventId = ev.eventId;
        u.state = 'accepted';
        break;
      }
      case 'temporal.api.update.v1.Rejection': {
        const r = RejectionType.toObject(RejectionType.decode(body.value), DECODE) as Obj;
        u.outcome = { failure: r.failure };
        u.state = 'completed';
        run.updates.delete(u.id); // a rejected update leaves no trace; its id may be used again
        break;
      }
      case 'temporal.api.update.v1.Response': {
        const r = ResponseType.toObject(ResponseType.decode(body.value), DECODE) as Obj;
        this.engine.append(run, 'workflowExecutionUpdateCompleted', {
          meta: r.meta ?? { updateId: u.id, identity },
          acceptedEventId: u.acceptedEventId,
          outcome: r.outcome,
        });
        u.outcome = r.outcome as Obj;
        u.state = 'completed';
        break;
      }
      default:
        throw invalidArgument(`protocol message ${m.id ?? ''} has an unknown body ${typeName}`);
    }
    this.notify(u);
  }

  /**
   * The run closed. An accepted update whose handler had not finished is completed with the failure
   * Temporal gives it (AcceptedUpdateCompletedWorkflow); callers of updates never accepted get NOT_FOUND.
   */
  closed(run: Run): void {
    for (const u of run.updates.values()) {
      if (u.state === 'accepted') {
        u.outcome = {
          failure: {
            message: 'Workflow completed before the Update completed.',
            source: 'Server',
            applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
          },
        };
        u.state = 'completed';
      }
      this.notify(u);
    }
  }
}
