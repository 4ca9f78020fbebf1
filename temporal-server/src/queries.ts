// Queries as legacy query tasks: handed to a workflow worker when no workflow task is outstanding,
// answered through RespondQueryTaskCompleted. A run cached by a worker (sticky) is queried on that
// worker's sticky queue with no history (it answers from its cache, or fetches the history on a cache
// miss); if that worker does not take the query within its schedule-to-start timeout, the query goes to
// the normal queue with the full history. Closed workflows can be queried too (the worker replays them).
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Engine, Run } from './engine.js';
import { RpcError, failedPrecondition, invalidArgument, notFound } from './errors.js';
import type { Obj, T } from './proto.js';
import { decodeToken, encodeToken } from './tokens.js';

const QUERY_TIMEOUT_MS = 30_000;

export interface PendingQuery {
  id: string;
  run: Run;
  query: T.api.query.v1.IWorkflowQuery;
  resolve: (res: Obj) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  done: boolean;
  /** Handed to a poller already (it may sit on a sticky and on the normal queue at once). */
  taken?: boolean;
  fallback?: NodeJS.Timeout;
}

export class Queries {
  private readonly pending = new Map<string, PendingQuery>();

  constructor(private readonly engine: Engine) {}

  query(run: Run, query: T.api.query.v1.IWorkflowQuery): Promise<Obj> {
    // Still in its start delay: no workflow task to wait for (Temporal answers the same).
    if (run.running && run.backoff && run.lastCompletedStartedId === 0)
      return Promise.reject(failedPrecondition('workflow task is not scheduled yet: the workflow is in its start delay'));
    return new Promise<Obj>((resolve, reject) => {
      const id = randomUUID();
      const pq: PendingQuery = {
        id,
        run,
        query,
        resolve,
        reject,
        done: false,
        timer: setTimeout(() => this.settle(pq, new RpcError(status.DEADLINE_EXCEEDED, 'query timed out: no worker answered')), QUERY_TIMEOUT_MS),
      };
      this.pending.set(id, pq);
      run.pendingQueries.push(pq);
      if (!run.wft) this.flush(run);
    });
  }

  /** Hand the run's waiting queries to pollers (called whenever no workflow task is outstanding). */
  flush(run: Run): void {
    const queued = run.pendingQueries;
    run.pendingQueries = [];
    for (const pq of queued) {
      if (pq.done) continue;
      pq.taken = false;
      const sticky = run.running ? run.sticky : null;
      if (!sticky) {
        this.engine.workflowQueues.offer(run.taskQueue, () => this.dispatch(pq, false));
        continue;
      }
      this.engine.workflowQueues.offer(sticky.queue, () => this.dispatch(pq, true));
      clearTimeout(pq.fallback);
      pq.fallback = setTimeout(() => {
        if (!pq.done && !pq.taken) this.engine.workflowQueues.offer(run.taskQueue, () => this.dispatch(pq, false));
      }, sticky.scheduleToStartMs);
    }
  }

  private dispatch(pq: PendingQuery, sticky: boolean): Obj | null {
    if (pq.done || pq.taken) return null;
    const run = pq.run;
    if (run.wft || (run.running && run.lastCompletedStartedId === 0)) {
      // A workflow task got scheduled meanwhile, or the first one has not completed yet: the query
      // waits for it to finish (a worker cannot answer for a workflow it has never run).
      if (!run.pendingQueries.includes(pq)) run.pendingQueries.push(pq);
      return null;
    }
    pq.taken = true;
    clearTimeout(pq.fallback);
    return {
      taskToken: encodeToken({ k: 'q', id: pq.id }),
      workflowExecution: run.execution(),
      workflowType: { name: run.params.workflowType },
      previousStartedEventId: run.lastCompletedStartedId,
      startedEventId: 0,
      attempt: 1,
      history: { events: sticky ? [] : run.history },
      query: pq.query,
      workflowExecutionTaskQueue: { name: run.taskQueue, kind: 1 },
    };
  }

  respond(req: T.api.workflowservice.v1.IRespondQueryTaskCompletedRequest): void {
    const t = decodeToken(req.taskToken, 'q');
    const pq = this.pending.get(t.id);
    if (!pq || pq.done) throw notFound('query task not found or already answered');
    if (Number(req.completedType) === 1) {
      this.settle(pq, { queryResult: req.queryResult });
    } else {
      this.settle(pq, invalidArgument(req.errorMessage || req.failure?.message || 'query failed'));
    }
  }

  private settle(pq: PendingQuery, outcome: Obj | Error): void {
    if (pq.done) return;
    pq.done = true;
    clearTimeout(pq.timer);
    clearTimeout(pq.fallback);
    this.pending.delete(pq.id);
    if (outcome instanceof Error) pq.reject(outcome);
    else pq.resolve(outcome);
  }
}
