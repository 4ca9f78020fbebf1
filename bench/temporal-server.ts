// Benchmark for the baosong Temporal test server: 1,000 simple workflows (one activity and one
// timer each) through the real Client and Worker (the SDK's default settings: workflow cache on, so
// sticky task queues are used), reported as workflows per second of wall time and CPU per workflow of
// the server process and of the bench process (client + worker). The goal is a ratio measured in the
// same run, so it holds on any host: the server's CPU at most 0.3× what the SDK's own client and worker
// spend on the same workflows (a server that costs more than the SDK around it would be what slows the
// suite and the other benches down). Ends with one JSON line.
//   npm run bench:temporal-server [-- <count> [<timer ms>]]
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createTestEnv, createTestWorker, testEnvKind, uniqueTaskQueue } from '../temporal-server/testing.js';
import * as activities from '../temporal-server/conformance/activities.js';
import { simple } from '../temporal-server/conformance/workflows.js';

const count = Number(process.argv[2] ?? 1000);
const timerMs = Number(process.argv[3] ?? 60_000);
const workflowsPath = fileURLToPath(new URL('../temporal-server/conformance/workflows.ts', import.meta.url));

/** The server's CPU per workflow over the SDK client's and worker's (issue 26; the old 300 workflows/s aim is retired). */
const GOAL_SERVER_TO_SDK = 0.3;
const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds (user + system) of this process's direct children, e.g. the spawned test server. */
function childrenCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue; // ppid
      total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
    } catch {
      // the process went away meanwhile
    }
  }
  return total;
}

function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  try {
    const taskQueue = uniqueTaskQueue('bench');
    // The SDK's defaults (what the ratio is measured against); BENCH_WORKER_OPTIONS (JSON) overrides.
    const tuning = JSON.parse(process.env.BENCH_WORKER_OPTIONS ?? '{}') as Record<string, unknown>;
    const worker = await createTestWorker(env, { taskQueue, workflowsPath, activities, ...tuning });
    await worker.runUntil(async () => {
      // Warm up: the first workflow pays for bundling and isolate creation.
      await env.client.workflow.execute(simple, { taskQueue, workflowId: 'bench-warmup', args: ['warmup', timerMs] });
      const loadBefore = loadavg();
      const serverCpu0 = childrenCpuSeconds();
      const ownCpu0 = ownCpuSeconds();
      const t0 = performance.now();
      const handles = await Promise.all(
        Array.from({ length: count }, (_, i) => env.client.workflow.start(simple, { taskQueue, workflowId: `bench-${i}`, args: [`n${i}`, timerMs] })),
      );
      const results = await Promise.all(handles.map((h) => h.result()));
      const seconds = (performance.now() - t0) / 1000;
      const serverCpuMs = ((childrenCpuSeconds() - serverCpu0) * 1000) / count;
      const workerCpuMs = ((ownCpuSeconds() - ownCpu0) * 1000) / count;
      const wrong = results.filter((r, i) => r !== `Hello, n${i}!`).length;
      if (wrong > 0) throw new Error(`${wrong} workflows returned a wrong result`);
      console.log(
        `cpus: ${cpus().length}  load average before: ${loadBefore.map((l) => l.toFixed(1)).join(' ')}\n` +
          `server: ${testEnvKind()}  workflows: ${count} (1 activity + 1 timer each)  wall: ${seconds.toFixed(2)} s  ` +
          `throughput: ${(count / seconds).toFixed(0)} workflows/s  ` +
          `CPU per workflow: server ${serverCpuMs.toFixed(2)} ms, client + worker ${workerCpuMs.toFixed(2)} ms`,
      );
      const workflowsPerSecond = Math.round(count / seconds);
      const ratio = Math.round((serverCpuMs / workerCpuMs) * 100) / 100;
      console.log(`the server's CPU is ${ratio}× the SDK client's and worker's (goal ≤ ${GOAL_SERVER_TO_SDK})`);
      console.log(
        JSON.stringify({
          bench: 'temporal-server',
          server: testEnvKind(),
          workflows: count,
          figures: {
            seconds: Number(seconds.toFixed(2)),
            workflowsPerSecond,
            cpuMsPerWorkflow: { server: Number(serverCpuMs.toFixed(2)), clientAndWorker: Number(workerCpuMs.toFixed(2)) },
          },
          floor: { what: 'the SDK client and worker CPU per workflow', cpuMsPerWorkflow: Number(workerCpuMs.toFixed(2)) },
          ratio,
          host: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: Number(loadBefore[0]!.toFixed(2)) },
          goal: { serverToSdkCpu: GOAL_SERVER_TO_SDK },
          met: ratio <= GOAL_SERVER_TO_SDK,
        }),
      );
    });
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
