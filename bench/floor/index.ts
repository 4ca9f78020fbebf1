/**
 * Measures the floor on a running Temporal (test) server: `count` floor workflows driven as bench:lifecycle
 * drives reports (start, two signals, wait for the result; 100 at a time), the worker in a process of its
 * own, CPU summed over this process, the worker and the server (every process of this process's tree).
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { cpuSince, mapThreadCpu, processTreeCpu, threadCpu, threadCpuPer, type ThreadCpu } from '../cpu.js';
import { floorApprove, oneActivityFloor, reportShapeFloor } from './workflows.js';

export type FloorShape = 'report' | 'oneActivity';

export interface FloorOptions {
  client: Client;
  address: string;
  dataDir: string;
  shape: FloorShape;
  count: number;
  concurrency?: number;
  /** Processes of the tree whose CPU is not the floor's (a baosong worker left running, idle, between rounds). */
  excludePids?: number[];
}

export interface FloorFigures {
  shape: FloorShape;
  workflows: number;
  /** CPU ms per workflow over every process (the bench's client, the floor worker, the server). */
  cpuMsPerWorkflow: number;
  cpuMsPerWorkflowByProcess: { worker: number; bench: number; server: number };
  workflowsPerSecond: number;
  /** The floor worker's CPU per workflow by group of its threads (bench/cpu.ts `threadCpu`). */
  workerThreadsMsPerWorkflow: ThreadCpu;
}

let bundled: string | undefined;

async function bundle(dataDir: string): Promise<string> {
  if (bundled) return bundled;
  const path = join(dataDir, 'floor-bundle.js');
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
  writeFileSync(path, (await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)), logger: quiet })).code);
  return (bundled = path);
}

async function pool(count: number, limit: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await run(next++);
  }));
}

/** A floor worker kept running (warmed up once), so a bench can measure the floor in turns with its own work. */
export interface FloorWorker {
  pid: number;
  /** `count` floor workflows, CPU of this process tree over them (less `excludePids`). */
  run(count: number, options?: { concurrency?: number; excludePids?: number[] }): Promise<FloorFigures>;
  stop(): Promise<void>;
}

export async function startFloorWorker(o: Omit<FloorOptions, 'count' | 'concurrency' | 'excludePids'>): Promise<FloorWorker> {
  const taskQueue = `floor-${o.shape}-${process.pid}-${Date.now()}`;
  const child = fork(fileURLToPath(new URL('./worker-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_FLOOR_NODE_OPTIONS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, BENCH_FLOOR_WORKER: JSON.stringify({ address: o.address, taskQueue, bundlePath: await bundle(o.dataDir) }) },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`floor worker exited with ${code}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  // A bench that fails between its rounds (bench:intake keeps this worker across its burst) must not leave it
  // polling: the child has its own event loop and outlives a parent that exits without `stop()`.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let runs = 0;
  const one = async (id: string) => {
    if (o.shape === 'oneActivity') {
      await o.client.workflow.execute(oneActivityFloor, { taskQueue, workflowId: id });
      return;
    }
    const handle = await o.client.workflow.start(reportShapeFloor, { taskQueue, workflowId: id });
    await handle.signal(floorApprove);
    await handle.signal(floorApprove);
    await handle.signal(floorApprove);
    await handle.result();
  };
  try {
    await one(`${taskQueue}-warmup`); // the first isolate is not what we measure
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  return {
    pid: child.pid ?? -1,
    async run(count, options = {}) {
      const batch = runs++;
      const before = processTreeCpu();
      const threadsBefore = threadCpu(child.pid ?? -1);
      const t0 = performance.now();
      await pool(count, options.concurrency ?? 100, (i) => one(`${taskQueue}-${batch}-${i}`));
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuSince(before);
      const workerThreadsMsPerWorkflow = threadCpuPer(child.pid ?? -1, threadsBefore, count);
      for (const pid of options.excludePids ?? []) cpu.total -= cpu.byPid.get(pid) ?? 0;
      const per = (ms: number) => Math.round((ms / count) * 10) / 10;
      const workerMs = cpu.byPid.get(child.pid ?? -1) ?? 0;
      const benchMs = cpu.byPid.get(process.pid) ?? 0;
      return {
        shape: o.shape,
        workflows: count,
        cpuMsPerWorkflow: per(cpu.total),
        cpuMsPerWorkflowByProcess: { worker: per(workerMs), bench: per(benchMs), server: per(cpu.total - workerMs - benchMs) },
        workflowsPerSecond: Math.round((count / seconds) * 10) / 10,
        workerThreadsMsPerWorkflow,
      };
    },
    async stop() {
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function measureFloor(o: FloorOptions): Promise<FloorFigures> {
  const worker = await startFloorWorker(o);
  try {
    return await worker.run(o.count, o);
  } finally {
    await worker.stop();
  }
}

/** Floors measured in rounds (between rounds of the real thing, so the machine's drift touches both alike), as one. */
export function combineFloors(rounds: FloorFigures[]): FloorFigures {
  const workflows = rounds.reduce((n, r) => n + r.workflows, 0);
  const weighted = (f: (r: FloorFigures) => number) => Math.round((rounds.reduce((sum, r) => sum + f(r) * r.workflows, 0) / workflows) * 10) / 10;
  const seconds = rounds.reduce((sum, r) => sum + r.workflows / r.workflowsPerSecond, 0);
  return {
    shape: rounds[0]!.shape,
    workflows,
    cpuMsPerWorkflow: weighted((r) => r.cpuMsPerWorkflow),
    cpuMsPerWorkflowByProcess: { worker: weighted((r) => r.cpuMsPerWorkflowByProcess.worker), bench: weighted((r) => r.cpuMsPerWorkflowByProcess.bench), server: weighted((r) => r.cpuMsPerWorkflowByProcess.server) },
    workflowsPerSecond: Math.round((workflows / seconds) * 10) / 10,
    workerThreadsMsPerWorkflow: mapThreadCpu((k) => weighted((r) => r.workerThreadsMsPerWorkflow[k])),
  };
}
