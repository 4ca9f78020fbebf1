/**
 * `baosong start` as a user runs it, for tests and benchmarks: the real bin/baosong.js in a process of its own (it
 * runs its worker in a child), with a configuration file pointing at the benchmark's Dovecot, SMTP sink
 * and Temporal. CPU time and peak memory of both processes come from /proc.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Config } from '../../config/schema.js';

export interface ServiceProcess {
  pid: number;
  /** The worker child's pid (0 until it is known). */
  workerPid(): number;
  /** CPU time (user + system) so far, ms, of the service and its worker. */
  cpuMs(): { service: number; worker: number };
  /** Resident memory now and at its peak (VmHWM), MB. */
  memoryMB(): { service: { rss: number; peak: number }; worker: { rss: number; peak: number } };
  /** Lines the service printed (stdout and stderr), and how many 'mail handled' lines. */
  lines: string[];
  handledLines(): number;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

const TICK_MS = 1000 / 100; // USER_HZ on Linux

function procStat(pid: number): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  } catch {
    return 0;
  }
}

function procStatus(pid: number, field: string): number {
  if (!pid) return 0;
  try {
    return Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

export async function startServiceProcess(options: { config: Config; dir: string; env: NodeJS.ProcessEnv; readyTimeoutMs?: number }): Promise<ServiceProcess> {
  const configFile = join(options.dir, 'baosong.config.yaml');
  writeFileSync(configFile, stringify(options.config));
  const bin = fileURLToPath(new URL('../../bin/baosong.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'start', '--config', configFile], { cwd: options.dir, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let handled = 0;
  let workerPid = 0;
  let ready: () => void = () => undefined;
  const onLine = (line: string) => {
    if (!line) return;
    lines.push(line);
    if (line.includes('"msg":"mail handled"')) handled++;
    const pid = /"pid":(\d+),"msg":"worker running in its own process"/.exec(line)?.[1];
    if (pid) workerPid = Number(pid);
    if (line.includes('"parts":"worker + intake + web"')) ready();
  };
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      parts.forEach(onLine);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ready = resolve;
    const timer = setTimeout(() => reject(new Error(`baosong start not ready within ${options.readyTimeoutMs ?? 120_000} ms:\n${lines.join('\n')}`)), options.readyTimeoutMs ?? 120_000);
    void exited.then((code) => reject(new Error(`baosong start exited with ${code}:\n${lines.join('\n')}`)));
    const clear = () => clearTimeout(timer);
    ready = () => {
      clear();
      resolve();
    };
  });
  const pid = child.pid ?? 0;
  return {
    pid,
    workerPid: () => workerPid,
    cpuMs: () => ({ service: procStat(pid), worker: procStat(workerPid) }),
    memoryMB: () => ({
      service: { rss: procStatus(pid, 'VmRSS'), peak: procStatus(pid, 'VmHWM') },
      worker: { rss: procStatus(workerPid, 'VmRSS'), peak: procStatus(workerPid, 'VmHWM') },
    }),
    lines,
    handledLines: () => handled,
    exited,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
