// Queries as legacy query tasks: handed to a workflow worker on the workflow's task queue when no
// workflow task is outstanding, answered through RespondQueryTaskCompleted. Closed workflows can be
// queried too (the worker replays their history).
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Engine, Run } from './engine.js';
import { RpcError, invalidArgument, notFound } from './errors.js';
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
}

export class Queries {
  private readonly pending = new Map<string, PendingQuery>();

  constructor(private readonly engine: Engine) {}

  query(run: Run, query: T.api.query.v1.IWorkflowQuery): Promise<Obj> {
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
      this.engine.workflowQueues.offer(run.taskQueue, () => this.dispatch(pq));
    }
  }

  private dispatch(pq: PendingQuery): Obj | null {
    if (pq.done) return null;
    const run = pq.run;
    if (run.wft) {
      // A workflow task got scheduled meanwhile: the query waits for it to finish.
      run.pendingQueries.push(pq);
      return null;
    }
    return {
      taskToken: encodeToken({ k: 'q', id: pq.id }),
      workflowExecution: run.execution(),
      workflowType: { name: run.params.workflowType },
      previousStartedEventId: run.lastCompletedStartedId,
      startedEventId: 0,
      attempt: 1,
      history: { events: run.history },
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
    this.pending.delete(pq.id);
    if (outcome instanceof Error) pq.reject(outcome);
    else pq.resolve(outcome);
  }
}
