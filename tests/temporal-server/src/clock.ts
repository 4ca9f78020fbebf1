// Virtual clock with time skipping, following the lock rules of Temporal's Java test server:
// while anything holds a lock (count > 0) virtual time follows wall time; when the count drops to
// zero the clock jumps straight to the next scheduled timer.

export interface TimerHandle {
  readonly at: number;
  cancelled: boolean;
}

interface Entry extends TimerHandle {
  seq: number;
  fn: () => void;
}

export class VirtualClock {
  private offsetMs = 0;
  private locks = 1; // the Java server starts locked
  private timers: Entry[] = [];
  private seq = 0;
  private wake: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private firing = false;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  lockCount(): number {
    return this.locks;
  }

  lock(): void {
    this.locks++;
  }

  unlock(): void {
    if (this.locks > 0) this.locks--;
    if (this.locks === 0) this.arm();
  }

  /** Run fn when virtual time reaches now + delayMs. */
  schedule(delayMs: number, fn: () => void): TimerHandle {
    const entry: Entry = { at: this.now() + Math.max(0, delayMs), cancelled: false, seq: this.seq++, fn };
    this.timers.push(entry);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.arm();
    return entry;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    handle.cancelled = true;
    const i = this.timers.indexOf(handle as Entry);
    if (i >= 0) this.timers.splice(i, 1);
  }

  private arm(): void {
    if (this.firing) return;
    const next = this.timers[0];
    if (!next) {
      this.clearWake();
      return;
    }
    if (this.locks === 0) {
      // Skip: fire on the next turn of the event loop (lets the current RPC finish first).
      this.setWake(0, -1);
      return;
    }
    const delay = Math.max(0, next.at - this.now());
    this.setWake(delay, next.at);
  }

  private setWake(delay: number, at: number): void {
    if (this.wake && this.wakeAt === at && at !== -1) return;
    this.clearWake();
    this.wakeAt = at;
    this.wake = setTimeout(() => {
      this.wake = undefined;
      this.wakeAt = Infinity;
      this.fireDue();
    }, delay);
  }

  private clearWake(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    this.wakeAt = Infinity;
  }

  private fireDue(): void {
    this.firing = true;
    try {
      for (;;) {
        const next = this.timers[0];
        if (!next) break;
        if (next.at > this.now()) {
          if (this.locks > 0) break;
          this.offsetMs += next.at - this.now();
        }
        this.timers.shift();
        if (next.cancelled) continue;
        // A timer callback holds a lock while it runs, as in the Java server.
        this.locks++;
        try {
          next.fn();
        } catch (err) {
          process.stderr.write(`timer callback failed: ${String(err)}\n`);
        } finally {
          this.locks--;
        }
        // After each fired timer re-check: the callback may have taken locks (e.g. scheduled a task).
        if (this.locks > 0) continue;
      }
    } finally {
      this.firing = false;
    }
    this.arm();
  }
}
