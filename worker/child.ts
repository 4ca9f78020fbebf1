/**
 * `baosong start` runs the Temporal worker in a child process of its own (`baosong worker`), so the worker
 * (workflow tasks, activities: templates, MIME, SQL) and the intake + web pages (IMAP, parsing, starting
 * reports) each have a core, and the worker's heap is capped. The child inherits stdout/stderr (one log),
 * is told to drain on SIGTERM, and takes the parent down with it if it dies; it exits by itself when the
 * parent goes away (the IPC channel closes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { projectFile, RUNNING_FROM_DIST } from '../config/paths.js';
import { type ErrorCode } from '../domain/errors.js';

/** Heap cap of the worker child (MB): keeps it well under 300 MB RSS with thousands of reports waiting. */
export const WORKER_HEAP_MB = 160;
/**
 * The worker child's young generation (V8 semi-space, MB; V8's default lets it grow to 16 MB × 3): under a
 * burst it was the largest part of the worker's peak RSS. 4 MB: ~70 MB less at the peak, no more CPU per
 * report (NOTES.md, "Worker memory").
 */
export const WORKER_SEMI_SPACE_MB = 4;

/**
 * glibc malloc arenas of the worker child (MALLOC_ARENA_MAX; glibc's default is 8 per core). The worker's
 * native threads (the Temporal core's tokio runtime, libuv's pool, V8's helpers) each take an arena and keep
 * what they freed: 2 arenas held the worker's peak ~15 MB lower with 10,000 reports waiting; what it may cost in
 * malloc contention under a burst was within this host's run-to-run spread (NOTES.md, "Twelfth session"). A
 * value in the environment wins; other C libraries ignore it.
 */
export const WORKER_MALLOC_ARENAS = 2;

/** The environment `baosong start` adds for its worker child (a value already in the environment wins). */
export const WORKER_CHILD_DEFAULT_ENV: Readonly<NodeJS.ProcessEnv> = { MALLOC_ARENA_MAX: String(WORKER_MALLOC_ARENAS) };

/**
 * V8's allocation-site pretenuring off in the worker child. With it, a site whose objects once survived a scavenge
 * in bulk (html-to-text's DOM, the rendered pages, nodemailer's streams: a mail's objects outlive a 4 MB young
 * generation under load) has every later object allocated straight in the old generation, where a mail's garbage
 * waits for a mark-compact of the whole heap: a major GC every ~350 ms in bench:lifecycle, V8's helper threads
 * 11 ms a report. Off: 7 ms, the main thread 2 ms less, the same peak memory (NOTES.md, "Sixteenth session").
 */
const WORKER_V8_GC_FLAGS: readonly string[] = ['--no-allocation-site-pretenuring'];

/** The V8 flags `baosong start` gives its worker child (and deploy/systemd gives `baosong worker`). */
export function workerNodeFlags(heapMB: number): string[] {
  return [...(heapMB > 0 ? [`--max-old-space-size=${heapMB}`] : []), `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`, ...WORKER_V8_GC_FLAGS];
}

/** Set in the child's environment: the worker reports readiness and watches its parent. */
export const WORKER_CHILD_ENV = 'BAOSONG_WORKER_CHILD';

export type WorkerChildState = 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

export interface WorkerChild {
  pid: number;
  state(): WorkerChildState;
  /** Resolves with the exit code when the child has exited (for whatever reason). */
  exited: Promise<number>;
  /** SIGTERM (drain), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number>;
}

export interface WorkerChildOptions {
  configFile: string;
  env: NodeJS.ProcessEnv;
  /** Where the worker finds Temporal (the parent's target). */
  temporalAddress: string;
  namespace: string;
  /** Default WORKER_HEAP_MB when running the build, none from the sources; BAOSONG_WORKER_HEAP_MB overrides. */
  heapMB?: number;
}

export class WorkerChildError extends Error {
  readonly code = 'EWORKER' satisfies ErrorCode;
}

/** Starts `baosong worker` as a child; resolves once its worker polls Temporal, rejects if it exits first. */
export async function spawnWorkerChild(options: WorkerChildOptions): Promise<WorkerChild> {
  // The cap fits a worker running the build (dist/, prebuilt workflow bundle); one running the sources
  // bundles the workflows with webpack at start and needs far more.
  const heapMB = Number(options.env.BAOSONG_WORKER_HEAP_MB) || options.heapMB || (RUNNING_FROM_DIST ? WORKER_HEAP_MB : 0);
  const child: ChildProcess = fork(projectFile('bin', 'baosong.js'), ['worker', '--config', options.configFile], {
    execArgv: workerNodeFlags(heapMB),
    env: { ...WORKER_CHILD_DEFAULT_ENV, ...options.env, TEMPORAL_ADDRESS: options.temporalAddress, TEMPORAL_NAMESPACE: options.namespace, [WORKER_CHILD_ENV]: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let state: WorkerChildState = 'STARTING';
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => {
      // 0: it drained and stopped (told by us, or by the terminal's Ctrl-C that reached it too).
      state = code === 0 || (state === 'STOPPING' && signal === 'SIGTERM') ? 'STOPPED' : 'FAILED';
      resolve(code ?? 1);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message: unknown) => {
      if ((message as { ready?: boolean } | null)?.ready) {
        state = 'RUNNING';
        resolve();
      }
    });
    void exited.then((code) => reject(new WorkerChildError(`the worker process exited with code ${code} before it was ready (its log is above)`)));
  });
  const stop = async (graceMs = 30_000): Promise<number> => {
    if (child.exitCode === null && child.signalCode === null) {
      if (state !== 'FAILED') state = 'STOPPING';
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(kill);
      }
    }
    return exited;
  };
  return { pid: child.pid ?? 0, state: () => state, exited, stop };
}

/** In the child: tell the parent the worker runs, and stop when the parent goes away. */
export function reportToParent(stop: () => void): void {
  if (!process.send || !process.env[WORKER_CHILD_ENV]) return;
  process.send({ ready: true });
  process.once('disconnect', stop);
  process.channel?.unref(); // the channel must not keep the worker alive once it has stopped
}
