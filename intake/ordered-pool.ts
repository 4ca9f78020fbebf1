/**
 * Runs tasks with bounded concurrency while keeping an order where it matters: tasks with the same key run
 * one after another, in the order they were added; tasks with different keys may overlap, at most `limit`
 * at a time. A task waiting for an earlier task of its key takes no slot, so one busy key never holds
 * the others back. Tasks must not reject (they handle their own errors).
 */
export class OrderedPool {
  private active = 0;
  private queued = 0;
  private readonly slots: (() => void)[] = [];
  private readonly tails = new Map<string, Promise<void>>();
  private readonly drained: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`OrderedPool: limit must be at least 1, got ${limit}`);
  }

  /** Tasks added and not yet finished (waiting or running). */
  get pending(): number {
    return this.queued;
  }

  add(key: string, task: () => Promise<void>): void {
    this.queued++;
    const previous = this.tails.get(key);
    const run = (async () => {
      if (previous) await previous;
      await this.slot();
      try {
        await task();
      } finally {
        this.release();
      }
    })();
    this.tails.set(key, run);
    void run.finally(() => {
      if (this.tails.get(key) === run) this.tails.delete(key);
      this.queued--;
      for (const notify of this.drained.splice(0)) notify();
    });
  }

  /** Resolves once at most `n` tasks are pending (backpressure for whoever adds them). */
  async below(n: number): Promise<void> {
    while (this.queued > n) await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  /** Resolves when every task added so far has finished. */
  idle(): Promise<void> {
    return this.below(0);
  }

  private slot(): Promise<void> | void {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    return new Promise<void>((resolve) => this.slots.push(resolve)); // the slot is handed over by release()
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.active--;
  }
}
