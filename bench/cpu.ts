/**
 * CPU time of this process and of every process it started (the worker, the Temporal test server), read
 * from /proc: robust where wall-clock figures are not, on a machine shared with other work.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // Linux USER_HZ is 100: /proc times are in hundredths of a second.

function stat(pid: number): { ppid: number; cpuMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return null; // exited meanwhile
  }
}

/** CPU milliseconds (user + system) per process: this one and all its descendants, by pid. */
export function processTreeCpu(root = process.pid): Map<number, number> {
  const all = new Map<number, { ppid: number; cpuMs: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) all.set(Number(name), s);
  }
  const result = new Map<number, number>();
  const visit = (pid: number) => {
    const s = all.get(pid);
    if (!s || result.has(pid)) return;
    result.set(pid, s.cpuMs);
    for (const [child, c] of all) if (c.ppid === pid) visit(child);
  };
  visit(root);
  // This process: from process.cpuUsage (finer than /proc's ticks).
  if (root === process.pid) {
    const u = process.cpuUsage();
    result.set(root, (u.user + u.system) / 1000);
  }
  return result;
}

/** CPU milliseconds spent since `before` by each process of the tree (a process started meanwhile counts whole). */
export function cpuSince(before: Map<number, number>, root = process.pid): { total: number; byPid: Map<number, number> } {
  const now = processTreeCpu(root);
  const byPid = new Map<number, number>();
  let total = 0;
  for (const [pid, ms] of now) {
    const d = ms - (before.get(pid) ?? 0);
    byPid.set(pid, d);
    total += d;
  }
  return { total, byPid };
}

/** The descendants of `root` whose command line matches `pattern` (e.g. the Temporal test server). */
export function descendantsMatching(pattern: RegExp, root = process.pid): number[] {
  return [...processTreeCpu(root).keys()].filter((pid) => {
    try {
      return pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      return false;
    }
  });
}

/**
 * A Node process's threads by the names Node, V8 and the Temporal core give them: the main thread; `WorkerThread`,
 * which in a Temporal worker is the SDK's workflow thread (the process runs no other worker_threads); V8's helpers
 * (`V8Worker`: concurrent marking, parallel scavenging, sweeping, background compiling); the core's (Rust) threads.
 */
export type ThreadGroup = 'main' | 'workflows' | 'v8Helpers' | 'temporalCore' | 'other';
export type ThreadCpu = Record<ThreadGroup | 'ended', number>;
/** No CPU yet, in every group (a sum to add intervals to). */
export const emptyThreadCpu = (): ThreadCpu => ({ main: 0, workflows: 0, v8Helpers: 0, temporalCore: 0, other: 0, ended: 0 });
const THREAD_CPU_KEYS = Object.keys(emptyThreadCpu()) as (keyof ThreadCpu)[];
/** A figure per group, each `f` of its group. */
export const mapThreadCpu = (f: (key: keyof ThreadCpu) => number): ThreadCpu => Object.fromEntries(THREAD_CPU_KEYS.map((k) => [k, f(k)])) as ThreadCpu;
const THREAD_GROUPS: [RegExp, ThreadGroup][] = [
  [/^MainThread$/, 'main'],
  [/^WorkerThread$/, 'workflows'],
  [/^V8Worker$|^DelayedTaskSche/, 'v8Helpers'],
  [/^tokio-runtime|^workflow-proces|^temporal-/, 'temporalCore'],
];

/**
 * CPU milliseconds of process `pid` by group of its threads, read from /proc/<pid>/task. `ended`: the part of the
 * process's total no live thread accounts for (threads that have ended, such as the watchdog thread Node starts
 * for every `vm` call with a timeout). All zero when the process is gone.
 */
export function threadCpu(pid: number): ThreadCpu {
  const result = emptyThreadCpu();
  let live = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return result;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
      const group = THREAD_GROUPS.find(([re]) => re.test(name))?.[1] ?? 'other';
      result[group] += ms;
      live += ms;
    } catch {
      // the thread ended meanwhile: its time is in `ended`
    }
  }
  // Read after the threads, so that it includes all they had used.
  const total = stat(pid)?.cpuMs;
  if (total === undefined) return emptyThreadCpu();
  result.ended = Math.max(0, total - live);
  return result;
}

/** `ms` (threads' CPU, summed) divided by `count` (per mail, per workflow), to 0.1 ms. */
export function threadCpuPerItem(ms: ThreadCpu, count: number): ThreadCpu {
  return mapThreadCpu((key) => Math.round((ms[key] / count) * 10) / 10);
}

/** Adds `threadCpu(pid)` less `before` to `sum` (several intervals of one process). */
export function addThreadCpuSince(sum: ThreadCpu, pid: number, before: ThreadCpu): ThreadCpu {
  const now = threadCpu(pid);
  for (const key of THREAD_CPU_KEYS) sum[key] += now[key] - before[key];
  return sum;
}

/** `threadCpu(pid)` now less `before`, per item of `count`. */
export function threadCpuPer(pid: number, before: ThreadCpu, count: number): ThreadCpu {
  return threadCpuPerItem(addThreadCpuSince(emptyThreadCpu(), pid, before), count);
}

/** "main 10.1, workflows 6.5, …" for a log line. */
export function formatThreads(figures: ThreadCpu): string {
  const label: Record<keyof ThreadCpu, string> = { main: 'main', workflows: 'workflow thread', v8Helpers: 'V8 helpers (GC)', temporalCore: 'Temporal core', other: 'other', ended: 'ended threads' };
  return THREAD_CPU_KEYS.map((k) => `${label[k]} ${figures[k]}`).join(', ');
}
