// Benchmark for the baosong Temporal test server: 1,000 simple workflows (one activity and one
// timer each) through the real Client and Worker, reported as workflows per second of wall time.
//   npm run bench:temporal-server [-- <count> [<timer ms>]]
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createTestEnv, createTestWorker, testEnvKind, uniqueTaskQueue } from '../temporal-server/testing.js';
import * as activities from '../temporal-server/conformance/activities.js';
import { simple } from '../temporal-server/conformance/workflows.js';

const count = Number(process.argv[2] ?? 1000);
const timerMs = Number(process.argv[3] ?? 60_000);
const workflowsPath = fileURLToPath(new URL('../temporal-server/conformance/workflows.ts', import.meta.url));

async function main(): Promise<void> {
  const env = await createTestEnv();
  try {
    const taskQueue = uniqueTaskQueue('bench');
    // Two workflow threads use both cores of a small machine; BENCH_WORKER_OPTIONS (JSON) overrides.
    const tuning = { workflowThreadPoolSize: 2, ...(JSON.parse(process.env.BENCH_WORKER_OPTIONS ?? '{}') as Record<string, unknown>) };
    const worker = await createTestWorker(env, { taskQueue, workflowsPath, activities, ...tuning });
    await worker.runUntil(async () => {
      // Warm up: the first workflow pays for bundling and isolate creation.
      await env.client.workflow.execute(simple, { taskQueue, workflowId: 'bench-warmup', args: ['warmup', timerMs] });
      const loadBefore = loadavg();
      const t0 = performance.now();
      const handles = await Promise.all(
        Array.from({ length: count }, (_, i) => env.client.workflow.start(simple, { taskQueue, workflowId: `bench-${i}`, args: [`n${i}`, timerMs] })),
      );
      const results = await Promise.all(handles.map((h) => h.result()));
      const seconds = (performance.now() - t0) / 1000;
      const wrong = results.filter((r, i) => r !== `Hello, n${i}!`).length;
      if (wrong > 0) throw new Error(`${wrong} workflows returned a wrong result`);
      console.log(
        `cpus: ${cpus().length}  load average before: ${loadBefore.map((l) => l.toFixed(1)).join(' ')}\n` +
          `server: ${testEnvKind()}  workflows: ${count} (1 activity + 1 timer each)  wall: ${seconds.toFixed(2)} s  ` +
          `throughput: ${(count / seconds).toFixed(0)} workflows/s`,
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
