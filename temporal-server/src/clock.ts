// Virtual clock with time skipping, following the lock rules of Temporal's Java test server:
// while anything holds a lock (count > 0) virtual time follows wall time; when the count drops to
// zero the clock jumps straight to the next scheduled timer.
//
// Locks come from two sides: the server itself (workflow tasks, activities, timer callbacks) and
// test clients (TestService Lock/UnlockTimeSkipping; the server starts with one such lock, as the
// Java server does). One deviation: Java rejects an unlock at count 0. Concurrent `result()` calls in
// the TS client do exactly that (unlock, unlock, lock, lock), so the client-side count may go below
// zero instead; it counts as unlocked until the matching locks bring it back. Server-side locks are
// counted separately, so a negative client count never lets time skip past an outstanding task.
//
// Activities' locks are the exception, matching what the Java server's single counter does for
// the SDK's documented pattern of calling `env.sleep()` inside an activity while the test awaits
// `result()`: an UnlockTimeSkippingWithSleep that takes the client count below zero borrows one
// activity lock until its sleep ends, so a running activity does not hold the clock against the
// sleep it asked for. Workflow tasks and timer callbacks are never borrowed.

import { TimerHeap } from './timer-heap.js';

export interface TimerHandle {
  readonly at: number;
  cancelled: boolean;
}

interface Entry extends TimerHandle {
  seq: number;
  fn: () => void;
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class VirtualClock {
  private offsetMs = 0;
  private locks = 0; // server-side holders other than activities
  private activityLocks = 0; // activities from scheduled to closed (not in retry backoff)
  private borrowed = 0; // activity locks released by sleeping clients (see the header)
  private clientLocks = 1; // TestService callers; the Java server starts locked
  private readonly timers = new TimerHeap<Entry>();
  private seq = 0;
  private wake: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private firing = false;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  private get locked(): boolean {
    return this.locks > 0 || this.activityLocks > this.borrowed || this.clientLocks > 0;
  }

  /** For diagnostics. */
  state(): { locks: number; activityLocks: number; borrowed: number; clientLocks: number; timers: number; nextInMs: number | undefined } {
    const next = this.timers.peek();
    return {
      locks: this.locks,
      activityLocks: this.activityLocks,
      borrowed: this.borrowed,
      clientLocks: this.clientLocks,
      timers: this.timers.size,
      nextInMs: next ? next.at - this.now() : undefined,
    };
  }

  lock(): void {
    this.locks++;
  }

  unlock(): void {
    if (this.locks > 0) this.locks--;
    if (!this.locked) this.arm();
  }

  lockActivity(): void {
    this.activityLocks++;
  }

  unlockActivity(): void {
    if (this.activityLocks > 0) this.activityLocks--;
    if (!this.locked) this.arm();
  }

  lockClient(): void {
    this.clientLocks++;
  }

  unlockClient(): void {
    this.clientLocks--;
    if (!this.locked) this.arm();
  }

  /** UnlockTimeSkippingWithSleep: unlock, borrowing an activity lock if the client count goes below zero. */
  unlockClientForSleep(): boolean {
    const borrows = this.clientLocks <= 0;
    if (borrows) this.borrowed++;
    this.unlockClient();
    return borrows;
  }

  /** The end of a sleep started with unlockClientForSleep. */
  relockClientAfterSleep(borrowed: boolean): void {
    if (borrowed && this.borrowed > 0) this.borrowed--;
    this.lockClient();
  }

  /** Run fn when virtual time reaches now + delayMs. */
  schedule(delayMs: number, fn: () => void): TimerHandle {
    const entry: Entry = { at: this.now() + Math.max(0, delayMs), cancelled: false, seq: this.seq++, fn };
    this.timers.push(entry);
    this.arm();
    return entry;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.timers.cancel(handle as Entry);
  }

  private arm(): void {
    if (this.firing) return;
    const next = this.timers.peek();
    if (!next) {
      this.clearWake();
      return;
    }
    if (!this.locked) {
      // Skip: fire on the next turn of the event loop (lets the current RPC finish first).
      this.setWake(0, -1);
      return;
    }
    // Node's timers hold at most 2^31 - 1 ms (24.8 days); a later timer wakes us early and re-arms.
    const delay = Math.min(MAX_TIMEOUT_MS, Math.max(0, next.at - this.now()));
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
        const next = this.timers.peek();
        if (!next) break;
        if (next.at > this.now()) {
          if (this.locked) break;
          this.offsetMs += next.at - this.now();
        }
        this.timers.pop();
        next.cancelled = true; // fired: a later cancel() is a no-op
        // A timer callback holds a lock while it runs, as in the Java server.
        this.locks++;
        try {
          next.fn();
        } catch (err) {
          process.stderr.write(`timer callback failed: ${String(err)}\n`);
        } finally {
          this.locks--;
        }
      }
    } finally {
      this.firing = false;
    }
    this.arm();
  }
}
