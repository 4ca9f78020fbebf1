// The floor of the stack, alone: `npm run bench:floor [-- <workflows>]` (default 1000) measures both floor
// shapes on our Temporal test server and ends with one JSON line. bench:lifecycle and bench:intake measure
// the same floor in their own run and state their figure as a ratio to it.
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestEnv } from '../temporal-server/testing.js';
import { formatThreads } from './cpu.js';
import { measureFloor } from './floor/index.js';

const count = Number(process.argv[2] ?? 1000);
const env = await createTestEnv();
try {
  const dataDir = mkdtempSync(join(tmpdir(), 'baosong-floor-'));
  const report = await measureFloor({ client: env.client, address: env.address, dataDir, shape: 'report', count });
  const oneActivity = await measureFloor({ client: env.client, address: env.address, dataDir, shape: 'oneActivity', count });
  for (const f of [report, oneActivity]) {
    console.log(`floor ${f.shape}: ${f.cpuMsPerWorkflow} ms CPU per workflow (worker ${f.cpuMsPerWorkflowByProcess.worker}, client ${f.cpuMsPerWorkflowByProcess.bench}, server ${f.cpuMsPerWorkflowByProcess.server}), ${f.workflowsPerSecond} workflows/s; the worker by thread: ${formatThreads(f.workerThreadsMsPerWorkflow)}`);
  }
  const host = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  // The floor is a measure, not a goal: it is met when both shapes ran to the end.
  console.log(JSON.stringify({ bench: 'floor', figures: { report, oneActivity }, host, goal: 'both floors measured', met: report.workflows === count && oneActivity.workflows === count }));
} finally {
  await env.teardown();
}
