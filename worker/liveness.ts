/**
 * Is the worker moving reports? (issue 22 item 9: once, under heavy load, mails reached Processed and nothing
 * happened for 6 minutes, and nothing said so.)
 *
 * The worker side (`WorkerLiveness`) counts every finished activity — each step of a report runs one — and
 * writes a heartbeat to the database every few seconds with the SDK's own status (pollers, polls outstanding,
 * tasks in flight). The other side (`StallWatch`), in whichever process takes mail or serves /healthz, is told
 * when work arrives (a mail processed, a form submitted) and compares: work waiting for longer than
 * `stallMs` with no activity finished since is a stall; a heartbeat older than `silentMs` is a worker that
 * cannot even write (dead, or its event loop blocked). Both show in /healthz and as metrics, and a stall is
 * logged as a warning once, with its recovery.
 */
import { hostname } from 'node:os';
import type { Worker, WorkerInterceptors } from '@temporalio/worker';
import type { WorkerBeat, WorkerBeats } from '../db/worker-beats.js';
import { observeWorkerLiveness } from '../ops/metrics.js';

export interface LivenessLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The worker's part: count finished activities, write a heartbeat. */
export class WorkerLiveness {
  readonly workerId: string;
  readonly #beats: WorkerBeats;
  readonly #everyMs: number;
  readonly #now: () => number;
  readonly #startedAt: number;
  #lastActivityAt: number | null = null;
  #completed = 0;
  #worker: Worker | null = null;
  #timer: NodeJS.Timeout | null = null;
  #writeFailed = false;
  readonly #logger: LivenessLogger | undefined;

  constructor(options: { beats: WorkerBeats; workerId?: string; everyMs?: number; now?: () => number; logger?: LivenessLogger }) {
    this.#beats = options.beats;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    this.#everyMs = options.everyMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#logger = options.logger;
  }

  /** Worker interceptors that count each finished activity (failed ones too: the worker is working either way). */
  interceptors(): WorkerInterceptors {
    const finished = () => {
      this.#lastActivityAt = this.#now();
      this.#completed += 1;
    };
    return {
      activity: [
        () => ({
          inbound: {
            async execute(input, next) {
              try {
                return await next(input);
              } finally {
                finished();
              }
            },
          },
        }),
      ],
    };
  }

  /** Starts the heartbeat for this worker (once it is created). */
  attach(worker: Worker): void {
    this.#worker = worker;
    void this.beat();
    this.#timer = setInterval(() => void this.beat(), this.#everyMs);
    this.#timer.unref();
  }

  async beat(): Promise<void> {
    const s = this.#worker?.getStatus();
    const beat: WorkerBeat = {
      workerId: this.workerId,
      beatAt: this.#now(),
      startedAt: this.#startedAt,
      lastActivityAt: this.#lastActivityAt,
      activitiesCompleted: this.#completed,
      status: {
        runState: s?.runState ?? 'INITIALIZED',
        workflowPollerState: s?.workflowPollerState ?? 'SHUTDOWN',
        activityPollerState: s?.activityPollerState ?? 'SHUTDOWN',
        hasOutstandingWorkflowPoll: s?.hasOutstandingWorkflowPoll ?? false,
        hasOutstandingActivityPoll: s?.hasOutstandingActivityPoll ?? false,
        numInFlightWorkflowActivations: s?.numInFlightWorkflowActivations ?? 0,
        numInFlightActivities: s?.numInFlightActivities ?? 0,
      },
    };
    try {
      await this.#beats.write(beat);
      this.#writeFailed = false;
    } catch (err) {
      // The database away: the watchers will see a silent worker, which is the truth from where they stand.
      if (!this.#writeFailed) this.#logger?.warn({ err: (err as Error).message }, 'worker heartbeat not written');
      this.#writeFailed = true;
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/**
 * ok: a worker writes and nothing has waited too long; stalled: work waiting longer than stallMs with no activity
 * finished since; silent: no heartbeat for silentMs; unknown: no worker has written yet.
 */
export type LivenessState = 'ok' | 'stalled' | 'silent' | 'unknown';

export interface LivenessView {
  state: LivenessState;
  /** Whether this makes the service unhealthy (a stall, or work waiting on a silent or absent worker). */
  failing: boolean;
  /** The oldest work (mail, form) not followed by any finished activity, ISO; null when none waits. */
  waitingSince: string | null;
  lastActivityAt: string | null;
  lastBeatAt: string | null;
  workers: number;
  pollsOutstanding: number;
  activationsInFlight: number;
  activitiesInFlight: number;
  /** For the office and the IT teacher. */
  summary: { 'zh-CN': string; en: string };
}

export interface StallWatchOptions {
  beats: WorkerBeats;
  /** Work waiting this long with no activity finished is a stall (default 60 s). */
  stallMs?: number;
  /** A heartbeat older than this is a silent worker (default 45 s: the worker writes every 10 s). */
  silentMs?: number;
  /** How often the database is read (default 5 s). */
  checkEveryMs?: number;
  logger?: LivenessLogger;
  now?: () => number;
}

/** The watching part: told when work arrives, it says whether a worker acted on it. */
export class StallWatch {
  readonly #o: Required<Omit<StallWatchOptions, 'logger'>> & { logger: LivenessLogger | undefined };
  #waitingSince: number | null = null;
  #view: LivenessView;
  #timer: NodeJS.Timeout | null = null;
  #warned = false;
  #checking = false;
  #appliedAt = -Infinity;

  constructor(options: StallWatchOptions) {
    this.#o = { stallMs: 60_000, silentMs: 45_000, checkEveryMs: 5_000, now: Date.now, ...options, logger: options.logger };
    this.#view = this.#describe('unknown', null, []);
  }

  /** A mail was processed or a form submitted: a report was started or signalled, a worker should act on it. */
  noteWork(at: number = this.#o.now()): void {
    this.#waitingSince ??= at;
  }

  /** The last check's answer (for /healthz, which must answer at once). */
  view(): LivenessView {
    return this.#view;
  }

  start(): void {
    // A tick while the last check still waits on the database is skipped: overlapping checks could finish out of
    // order, and an older check (begun before the threshold) would log a recovery that never happened.
    const tick = () => {
      if (this.#checking) return;
      this.#checking = true;
      void this.check().catch(() => undefined).finally(() => { this.#checking = false; });
    };
    tick();
    this.#timer = setInterval(tick, this.#o.checkEveryMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async check(): Promise<LivenessView> {
    const now = this.#o.now();
    const beats = await this.#o.beats.since(now - 10 * 60_000);
    const lastActivity = Math.max(-1, ...beats.map((b) => b.lastActivityAt ?? -1));
    // Any activity finished after the work arrived: the worker is moving reports (maybe others first, but moving).
    if (this.#waitingSince !== null && lastActivity >= this.#waitingSince) this.#waitingSince = null;
    const fresh = beats.length > 0 && now - beats[0]!.beatAt < this.#o.silentMs;
    const waitedTooLong = this.#waitingSince !== null && now - this.#waitingSince >= this.#o.stallMs;
    const state: LivenessState = beats.length === 0 ? (waitedTooLong ? 'stalled' : 'unknown') : !fresh ? 'silent' : waitedTooLong ? 'stalled' : 'ok';
    const view = this.#describe(state, lastActivity < 0 ? null : lastActivity, beats);
    // A direct call may still overlap a tick's: only the newest begun check speaks.
    if (now < this.#appliedAt) return view;
    this.#appliedAt = now;
    this.#view = view;
    this.#report(view);
    return view;
  }

  #describe(state: LivenessState, lastActivity: number | null, beats: WorkerBeat[]): LivenessView {
    const live = beats.filter((b) => this.#o.now() - b.beatAt < this.#o.silentMs);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const waiting = this.#waitingSince;
    const failing = state === 'stalled' || (state === 'silent' && waiting !== null);
    const minutes = waiting === null ? 0 : Math.max(1, Math.round((this.#o.now() - waiting) / 60_000));
    const summary: LivenessView['summary'] =
      state === 'stalled'
        ? { 'zh-CN': `已有报送等待处理 ${minutes} 分钟，但后台处理进程没有任何进展：请检查 baosong worker 进程和 Temporal 服务（运行 baosong doctor）。`, en: `Reports have been waiting ${minutes} min and the worker has made no progress: check the baosong worker process and Temporal (run baosong doctor).` }
        : state === 'silent'
          ? { 'zh-CN': '后台处理进程已有一段时间没有报告状态（可能已停止或过于繁忙）。', en: 'The worker has not reported for a while (stopped, or too busy to).' }
          : state === 'unknown'
            ? { 'zh-CN': '还没有后台处理进程报告状态。', en: 'No worker has reported yet.' }
            : { 'zh-CN': '后台处理正常。', en: 'The worker is moving reports.' };
    return {
      state,
      failing,
      waitingSince: iso(waiting),
      lastActivityAt: iso(lastActivity),
      lastBeatAt: iso(beats[0]?.beatAt ?? null),
      workers: live.length,
      pollsOutstanding: live.reduce((n, b) => n + Number(b.status.hasOutstandingWorkflowPoll) + Number(b.status.hasOutstandingActivityPoll), 0),
      activationsInFlight: live.reduce((n, b) => n + b.status.numInFlightWorkflowActivations, 0),
      activitiesInFlight: live.reduce((n, b) => n + b.status.numInFlightActivities, 0),
      summary,
    };
  }

  #report(view: LivenessView): void {
    observeWorkerLiveness(view);
    if (view.failing && !this.#warned) {
      this.#warned = true;
      this.#o.logger?.warn({ liveness: view }, `reports waiting but no worker progress: ${view.summary.en}`);
    } else if (!view.failing && this.#warned) {
      this.#warned = false;
      this.#o.logger?.info({ liveness: view }, 'worker progress again: reports are moving');
    }
  }
}
