/**
 * Runs a baosong worker in a process of its own (bench/worker-process.ts), as production does, so a
 * benchmark measures it apart from the load it generates: its memory from /proc, and no shared event loop.
 */
import { fork } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKER_CHILD_DEFAULT_ENV, WORKER_HEAP_MB, workerNodeFlags } from '../worker/child.js';
import { WORKFLOWS_PATH } from '../worker/index.js';

export interface WorkerProcess {
  readonly pid: number;
  /** Resident memory now and at its peak (VmHWM), bytes. */
  rss(): number;
  peakRss(): number;
  stop(): Promise<void>;
  /** SIGKILL: the worker dies mid-whatever, as in a power cut or the OOM killer (bench/chaos.ts). */
  kill(): Promise<void>;
  /** Where the prebuilt workflow bundle is (pass it to the next spawnWorker to start faster). */
  bundlePath: string;
}

export interface SpawnWorkerOptions {
  address: string;
  taskQueue: string;
  smtpPort: number;
  dataDir: string;
  /** PostgreSQL instead of the SQLite file in dataDir. */
  databaseUrl?: string;
  /** One worker for this many schools of a district (bench/district-setup.ts; needs databaseUrl). */
  districtSchools?: number;
  /** A bundle from an earlier spawnWorker (else one is built). */
  bundlePath?: string;
  /**
   * The V8 flags and malloc arenas `baosong start` gives its worker child (worker/child.ts), so the figure is of the
   * settings a user gets. Off for benches whose worker outgrows them (a district's worker holds far more).
   */
  shipped?: boolean;
  /** Append the worker's output (its log lines) to this file instead of this process's stdout/stderr. */
  logFile?: string;
}

export async function spawnWorker(options: SpawnWorkerOptions): Promise<WorkerProcess> {
  // The worker runs a prebuilt bundle, as a production worker should (npm run build).
  const bundlePath = options.bundlePath ?? join(options.dataDir, 'workflow-bundle.js');
  if (!options.bundlePath) writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } })).code);
  const logFd = options.logFile ? openSync(options.logFile, 'a') : undefined;
  const child = fork(fileURLToPath(new URL('./worker-process.ts', import.meta.url)), [], {
    ...(logFd === undefined ? {} : { stdio: ['ignore', logFd, logFd, 'ipc'] as const }),
    execArgv: ['--import', 'tsx', ...(options.shipped ? workerNodeFlags(WORKER_HEAP_MB) : []), ...(process.env.BENCH_WORKER_NODE_OPTIONS ?? '').split(' ').filter(Boolean)],
    env: { ...(options.shipped ? WORKER_CHILD_DEFAULT_ENV : {}), ...process.env, BAOSONG_WORKFLOW_BUNDLE: bundlePath, BENCH_WORKER: JSON.stringify(options) },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code}`)));
  });
  const status = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  if (logFd !== undefined) closeSync(logFd); // the child has its own copy
  const exited = new Promise((r) => child.once('exit', r));
  return {
    pid: child.pid ?? 0,
    bundlePath,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    rss: () => status('VmRSS'),
    peakRss: () => status('VmHWM'),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
