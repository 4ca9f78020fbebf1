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
