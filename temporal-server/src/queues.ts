// Long-poll task queues. An entry is a dispatch function that turns a queued task into a poll
// response at the moment a live poller takes it (or returns null when the task went stale).
import type { Obj } from './proto.js';

export type Dispatch = (identity: string) => Obj | null;

export interface CallContext {
  readonly cancelled: boolean;
  onCancel(fn: () => void): void;
}

interface Waiter {
  identity: string;
  /** The polling worker's instance key (or identity): ShutdownWorker answers its polls. */
  worker: string;
  ctx: CallContext;
  resolve: (res: Obj) => void;
  timer: NodeJS.Timeout;
}

interface Queue {
  items: Dispatch[];
  waiters: Waiter[];
}

export class TaskQueues {
  private readonly queues = new Map<string, Queue>();

  /**
   * Whether a poll the client abandoned leaves the queue at once. Temporal with
   * frontend.enableCancelWorkerPollsOnShutdown off does not: a task can still be matched to a poll its
   * worker no longer reads, and is lost until its timeout (the lost tasks that setting was made to end).
   */
  dropAbandonedPolls: () => boolean = () => true;

  constructor(private readonly pollTimeoutMs: number) {}

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = { items: [], waiters: [] };
      this.queues.set(name, q);
    }
    return q;
  }

  offer(name: string, dispatch: Dispatch): void {
    const q = this.queue(name);
    while (q.waiters.length > 0) {
      const w = q.waiters[0]!;
      if (w.ctx.cancelled && this.dropAbandonedPolls()) {
        q.waiters.shift();
        clearTimeout(w.timer);
        continue;
      }
      const res = dispatch(w.identity);
      if (!res) return; // stale task: drop it, the poller keeps waiting
      q.waiters.shift();
      clearTimeout(w.timer);
      w.resolve(res);
      return;
    }
    q.items.push(dispatch);
  }

  private expire(q: Queue, w: Waiter): void {
    const i = q.waiters.indexOf(w);
    if (i >= 0) q.waiters.splice(i, 1);
    w.resolve({});
  }

  poll(name: string, identity: string, ctx: CallContext, worker = identity): Promise<Obj> {
    const q = this.queue(name);
    while (q.items.length > 0) {
      const dispatch = q.items.shift()!;
      const res = dispatch(identity);
      if (res) return Promise.resolve(res);
    }
    return new Promise<Obj>((resolve) => {
      const w: Waiter = { identity, worker, ctx, resolve, timer: setTimeout(() => this.expire(q, w), this.pollTimeoutMs) };
      q.waiters.push(w);
      ctx.onCancel(() => {
        if (!this.dropAbandonedPolls()) return; // stays until its long poll expires (see dropAbandonedPolls)
        clearTimeout(w.timer);
        const i = q.waiters.indexOf(w);
        if (i >= 0) q.waiters.splice(i, 1);
        resolve({});
      });
    });
  }

  /** Answer every waiting poll of one worker, on any queue, with an empty response (its shutdown). */
  releaseWorker(worker: string): void {
    if (!worker) return;
    for (const q of this.queues.values()) {
      for (const w of q.waiters.filter((x) => x.worker === worker)) {
        q.waiters.splice(q.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve({});
      }
    }
  }

  /** Answer every waiting poller of a queue with an empty response (worker shutdown). */
  releasePollers(name: string): void {
    const q = this.queues.get(name);
    if (!q) return;
    for (const w of q.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve({});
    }
  }
}
