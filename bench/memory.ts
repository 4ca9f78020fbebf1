// Benchmark of memory with the settings `npm start` ships: `baosong start` as a user runs it (bin/baosong.js,
// its worker in a child process with the heap cap and the prebuilt workflow bundle of the build), on the
// in-repo Temporal test server, SQLite and an SMTP sink. M reports are submitted and left waiting for
// review; the peak RSS (VmHWM) of the worker process and of the intake + web process is read from /proc.
//   npm run bench:memory [-- <waiting>]        (default 10000)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, ReadModel } from '../db/index.js';
import { submitReport } from '../intake/submit.js';
import { SECRET, testConfig } from '../tests/support/baosong.js';
import { freePort } from '../tests/support/ports.js';
import { startServiceProcess } from '../tests/support/service-process.js';
import { createTestEnv, uniqueTaskQueue } from '../temporal-server/testing.js';
import { smtpSink } from './smtp-sink.js';
import { routineSubmission } from './submission.js';

const waiting = Number(process.argv[2] ?? 10_000);
const concurrency = 50;
const GOAL = { workerPeakMB: 300 };

async function main(): Promise<void> {
  const env = await createTestEnv();
  const sink = await smtpSink();
  const dir = mkdtempSync(join(tmpdir(), 'baosong-bench-memory-'));
  const config = testConfig({ smtpPort: sink.port, dataDir: join(dir, 'data'), taskQueue: uniqueTaskQueue('bench-memory') });
  config.mail.smtp = { host: '127.0.0.1', port: sink.port, secure: false, pool: true };
  delete config.mail.imap; // reports come from this bench, as from the web form
  const port = await freePort();
  config.web = { ...config.web, port, baseUrl: `http://127.0.0.1:${port}` };
  const service = await startServiceProcess({ config, dir, env: { TEMPORAL_ADDRESS: env.address, BAOSONG_SECRET: SECRET, DATABASE_URL: '', BAOSONG_CONFIG: '' } });
  const atStart = service.memoryMB();
  console.log(`baosong start: worker process RSS ${atStart.worker.rss} MB, intake + web process ${atStart.service.rss} MB`);

  const database = await openDatabase({ file: join(config.dataDir, 'baosong.db') });
  await migrateToLatest(database);
  const deps = { client: env.client, config, readModel: new ReadModel(database) };
  const now = new Date(await env.currentTimeMs());
  const submission = () => routineSubmission(now);

  // Each waiting report has had its receipt and its review request delivered.
  let delivered = 0;
  let settled: () => void = () => undefined;
  const allDelivered = new Promise<void>((resolve) => (settled = resolve));
  sink.onDelivery(() => {
    if (++delivered >= waiting * 2) settled();
  });
  const cpu0 = service.cpuMs();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < waiting) {
        next++;
        await submitReport(deps, submission());
      }
    }),
  );
  await allDelivered;
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = service.cpuMs();
  await new Promise((r) => setTimeout(r, 2000));
  const memory = service.memoryMB();
  console.log(`${waiting} reports waiting for review after ${seconds.toFixed(1)} s (${delivered} mails)`);
  console.log(`peak RSS: worker process ${memory.worker.peak} MB (now ${memory.worker.rss} MB), intake + web process ${memory.service.peak} MB (now ${memory.service.rss} MB)`);
  const cpuPerReport = { service: +((cpu1.service - cpu0.service) / waiting).toFixed(1), worker: +((cpu1.worker - cpu0.worker) / waiting).toFixed(1) };
  console.log(`CPU per report: worker ${cpuPerReport.worker} ms, intake + web ${cpuPerReport.service} ms`);

  const code = await service.stop();
  if (code !== 0) console.log(`baosong start exited with ${code}; its last lines:\n${service.lines.slice(-8).join('\n')}`);
  await database.close();
  await sink.close();
  await env.teardown();
  console.log(
    JSON.stringify({
      bench: 'memory',
      via: 'baosong start',
      waiting,
      peakRssMB: { worker: memory.worker.peak, service: memory.service.peak, whole: memory.worker.peak + memory.service.peak },
      atStartMB: { worker: atStart.worker.rss, service: atStart.service.rss },
      cpuMsPerReport: cpuPerReport,
      seconds: +seconds.toFixed(1),
      exitCode: code,
      goal: GOAL,
      met: memory.worker.peak < GOAL.workerPeakMB,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
