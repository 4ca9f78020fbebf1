/**
 * A sliding-window rate limiter for one robot: at most `limit` messages in any `windowMs`. `take()`
 * either takes a slot now (returns 0) or says how long to wait before one frees (takes nothing).
 * In memory, per process: several worker processes each keep their own count, and the robot's own
 * rate-limit answer (ECHAT_RATE_LIMITED) is the backstop.
 */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

export class RateLimiter {
  readonly #windows: { window: RateWindow; sent: number[] }[];
  readonly #now: () => number;

  constructor(windows: RateWindow[], now: () => number = Date.now) {
    this.#windows = windows.map((window) => ({ window, sent: [] }));
    this.#now = now;
  }

  /** 0 when a slot was taken; else the milliseconds until one frees (nothing taken). */
  take(): number {
    const now = this.#now();
    let wait = 0;
    for (const w of this.#windows) {
      while (w.sent.length > 0 && w.sent[0]! <= now - w.window.windowMs) w.sent.shift();
      if (w.sent.length >= w.window.limit) wait = Math.max(wait, w.sent[0]! + w.window.windowMs - now);
    }
    if (wait > 0) return wait;
    for (const w of this.#windows) w.sent.push(now);
    return 0;
  }

  /** The slot last taken was not used (the request never reached the robot): give it back. */
  giveBack(): void {
    for (const w of this.#windows) w.sent.pop();
  }

  /** The robot said it is rate limited: take no slot until `ms` from now. */
  pause(ms: number): void {
    const until = this.#now() + ms;
    for (const w of this.#windows) {
      // Fill the window with sends that expire at `until`.
      w.sent = Array.from({ length: w.window.limit }, () => until - w.window.windowMs);
    }
  }
}
