// Benchmark of the whole report chain on the in-repo Temporal test server:
//   1. reports/s: N reports through start → receipt → head approves → office approves → published, every
//      mail rendered and delivered to a real SMTP server, every transition recorded in SQLite;
//   2. the worker's memory while M reports wait for review: the peak RSS (VmHWM) of the worker, which runs
//      in a process of its own (bench/worker-process.ts), apart from this load generator.
//   npm run bench:lifecycle [-- <reports> <waiting> <rounds>]        (defaults 1000, 0 and 4)
// The memory figure of record is bench:memory's (`baosong start` from the build, as a user runs it); the waiting part
// here runs the worker from the sources under tsx, which costs memory a user's worker does not have: off by default.
// The figure that counts on a shared machine is CPU per report: the CPU time of every process (this load
// generator, the worker process, the Temporal test server) over the timed part, divided by the reports.
// The same run measures the floor of the stack (bench/floor: a no-op workflow of a report's shape on the same
// server, driven the same way) and states CPU per report as a ratio to it: absolute figures differ between
// machines, the ratio travels. Reports and floor take turns, in rounds, because a machine also drifts within a
// run (on a VM whose neighbours come and go, the same code measured 93 and 122 ms a report ten minutes apart).
// Both workers run from the first round to the last, warmed up once: a floor worker started fresh for each round
// would count its own warming up (a floor of 100 workflows from a fresh worker came out 73 ms, of 250 about 44). Ends with one JSON line: {"bench":"lifecycle", figures, floor, ratio, goal, met}.
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, ReadModel } from '../db/index.js';
import { submitReport } from '../intake/submit.js';
import { approveSignal, markPublishedSignal } from '../workflows/report.js';
import { testConfig } from '../tests/support/baosong.js';
import { createTestEnv, uniqueTaskQueue } from '../temporal-server/testing.js';
import { addThreadCpuSince, cpuSince, emptyThreadCpu, formatThreads, processTreeCpu, threadCpu, threadCpuPerItem, type ThreadCpu } from './cpu.js';
import { combineFloors, startFloorWorker, type FloorFigures } from './floor/index.js';
import { smtpSink } from './smtp-sink.js';
import { routineSubmission } from './submission.js';
import { spawnWorker } from './spawn-worker.js';

const reports = Number(process.argv[2] ?? 1000);
const waiting = Number(process.argv[3] ?? 0);
const rounds = Math.max(1, Math.min(reports, Number(process.argv[4] ?? 4)));
const concurrency = 100;

const head = { name: '王建国', email: 'wangjianguo@school.test' };
const office = { name: '谢雨桐', email: 'xieyutong@school.test' };

async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

interface Figures {
  reportsPerSecond?: number;
  mailsPerSecond?: number;
  cpuMsPerReport?: number;
  cpuMsPerReportByProcess?: Record<string, number>;
  workerThreadsMsPerReport?: ThreadCpu;
  waiting?: number;
  workerPeakRssMb?: number;
  /** Each round's CPU per report over its own floor: how much the machine moved during the run. */
  ratioByRound?: number[];
}

async function main(): Promise<void> {
  const result: Figures = {};
  let floorOfRun: FloorFigures | undefined;
  const env = await createTestEnv();
  const sink = await smtpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'baosong-bench-'));
  const config = testConfig({ smtpPort: sink.port, dataDir, taskQueue: uniqueTaskQueue('bench') });
  config.mail.smtp = { host: '127.0.0.1', port: sink.port, secure: false, pool: true };
  const database = await openDatabase({ file: join(dataDir, 'baosong.db') });
  await migrateToLatest(database);
  const readModel = new ReadModel(database);
  const worker = await spawnWorker({ address: env.address, taskQueue: config.temporal.taskQueue, smtpPort: sink.port, dataDir, shipped: true });
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  console.log(`worker process started: RSS ${mb(worker.rss())} MB (peak so far ${mb(worker.peakRss())} MB)`);

  const now = new Date(await env.currentTimeMs());
  const submission = () => routineSubmission(now);
  const deps = { client: env.client, config, readModel };

  {
    // Warm-up: bundling the workflow code and the first isolate are not what we measure.
    const warm = await submitReport(deps, submission());
    const warmHandle = env.client.workflow.getHandle(warm.workflowId);
    await warmHandle.signal(approveSignal, { actor: head, evidence: { via: 'web', ref: 'w1' } });
    await warmHandle.signal(approveSignal, { actor: office, evidence: { via: 'web', ref: 'w2' } });
    await warmHandle.signal(markPublishedSignal, { actor: office, evidence: { via: 'web', ref: 'w3' }, url: 'https://www.school.test/news/w.html' });
    await warmHandle.result();

    // The floor's worker runs beside baosong's from here on, warmed up like it; each takes its turn, the other idle.
    const floorWorker = await startFloorWorker({ client: env.client, address: env.address, dataDir, shape: 'report' });
    let mails = 0;
    let seconds = 0;
    const cpu = { total: 0, worker: 0, bench: 0 };
    const floors: FloorFigures[] = [];
    const ratios: number[] = [];
    const workerThreadsMs = emptyThreadCpu();
    for (let round = 0; round < rounds; round++) {
      const first = Math.floor((reports * round) / rounds);
      const count = Math.floor((reports * (round + 1)) / rounds) - first;
      const mailsBefore = sink.deliveries.length;
      const cpuBefore = processTreeCpu();
      const workerThreadsBefore = threadCpu(worker.pid);
      const t0 = performance.now();
      await runReports(first, count);
      seconds += (performance.now() - t0) / 1000;
      const spent = cpuSince(cpuBefore);
      // The worker's threads over the rounds of reports only (it waits idle during the floor's turns).
      addThreadCpuSince(workerThreadsMs, worker.pid, workerThreadsBefore);
      // (the floor's worker waits idle meanwhile: its CPU is not the reports')
      const reportsMs = spent.total - (spent.byPid.get(floorWorker.pid) ?? 0);
      mails += sink.deliveries.length - mailsBefore;
      cpu.total += reportsMs;
      cpu.worker += spent.byPid.get(worker.pid) ?? 0;
      cpu.bench += spent.byPid.get(process.pid) ?? 0;
      // The floor's turn, on the same server, as many workflows; the baosong worker waits idle (its CPU is not the floor's).
      const floor = await floorWorker.run(count, { excludePids: [worker.pid] });
      floors.push(floor);
      ratios.push(Math.round((reportsMs / count / floor.cpuMsPerWorkflow) * 100) / 100);
      console.log(`round ${round + 1} of ${rounds}: ${count} reports, ${(reportsMs / count).toFixed(1)} ms CPU each; floor ${floor.cpuMsPerWorkflow} ms: ${ratios.at(-1)}×`);
    }
    await floorWorker.stop();
    floorOfRun = combineFloors(floors);
    result.ratioByRound = ratios;
    const perReport = (ms: number) => Math.round((ms / reports) * 10) / 10;
    const server = cpu.total - cpu.worker - cpu.bench;
    result.reportsPerSecond = Math.round((reports / seconds) * 10) / 10;
    result.mailsPerSecond = Math.round(mails / seconds);
    result.cpuMsPerReport = perReport(cpu.total);
    result.cpuMsPerReportByProcess = { worker: perReport(cpu.worker), bench: perReport(cpu.bench), server: perReport(server) };
    console.log(`lifecycle: ${reports} reports through the whole chain in ${seconds.toFixed(1)} s = ${(reports / seconds).toFixed(1)} reports/s (${mails} mails delivered, ${(mails / seconds).toFixed(0)} mails/s)`);
    console.log(`CPU per report: ${result.cpuMsPerReport} ms across all processes (worker ${perReport(cpu.worker)}, bench ${perReport(cpu.bench)}, test server ${perReport(server)}); machine load average ${loadavg()[0]?.toFixed(2)}`);
    result.workerThreadsMsPerReport = threadCpuPerItem(workerThreadsMs, reports);
    console.log(`  the worker's CPU per report by thread: ${formatThreads(result.workerThreadsMsPerReport)}; the floor worker's per workflow: ${formatThreads(floorOfRun.workerThreadsMsPerWorkflow)}`);
  }

  /** Reports first … first+count−1 through the whole chain, 100 at a time. */
  async function runReports(first: number, count: number): Promise<void> {
    await pool(Array.from({ length: count }, (_, k) => first + k), concurrency, async (i) => {
      const r = await submitReport(deps, submission());
      const handle = env.client.workflow.getHandle(r.workflowId);
      await handle.signal(approveSignal, { actor: head, evidence: { via: 'web', ref: `h${i}` }, step: 0 });
      await handle.signal(approveSignal, { actor: office, evidence: { via: 'web', ref: `o${i}` }, step: 1 });
      // The editor (谢雨桐 in the example school) says it is out, with its page: 待发布 → 已发布, the whole chain.
      await handle.signal(markPublishedSignal, { actor: office, evidence: { via: 'web', ref: `p${i}` }, url: `https://www.school.test/news/${i}.html` });
      const outcome = (await handle.result()) as { status: string };
      if (outcome.status !== 'published') throw new Error(`report ${r.reportId} ended ${outcome.status}`);
    });
  }

  if (waiting > 0) {
    const before = sink.deliveries.length;
    const w0 = performance.now();
    await pool(Array.from({ length: waiting }, (_, i) => i), concurrency, async () => {
      await submitReport(deps, submission());
    });
    // Each waiting report has had its receipt and its review request delivered.
    while (sink.deliveries.length - before < waiting * 2) await new Promise((r) => setTimeout(r, 200));
    const settled = (performance.now() - w0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    console.log(`waiting: ${waiting} reports in review after ${settled.toFixed(1)} s; worker process peak RSS ${mb(worker.peakRss())} MB, now ${mb(worker.rss())} MB`);
    result.waiting = waiting;
    result.workerPeakRssMb = Math.round(worker.peakRss() / 2 ** 20);
  }
  await worker.stop();
  const floor = floorOfRun;
  const ratio = Math.round(((result.cpuMsPerReport ?? Infinity) / floor.cpuMsPerWorkflow) * 100) / 100;
  console.log(`floor (a no-op workflow of a report's shape, in ${rounds} rounds between the reports'): ${floor.cpuMsPerWorkflow} ms CPU per workflow (worker ${floor.cpuMsPerWorkflowByProcess.worker}, client ${floor.cpuMsPerWorkflowByProcess.bench}, server ${floor.cpuMsPerWorkflowByProcess.server}); a report costs ${ratio}× that (rounds: ${result.ratioByRound?.join(', ')})`);
  await sink.close();
  await database.close();
  await env.teardown();
  const goal = { ratioToFloor: 2.0, ...(result.workerPeakRssMb === undefined ? {} : { workerPeakRssMb: 300 }) };
  const met = ratio <= goal.ratioToFloor && (result.workerPeakRssMb ?? 0) < 300;
  const host = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  console.log(JSON.stringify({ bench: 'lifecycle', reports, figures: result, floor, ratio, host, goal, met }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
