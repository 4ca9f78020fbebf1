// Benchmark of the mail intake as a user runs it: `baosong start` (bin/baosong.js, a process of its own,
// its worker in a child) with a configuration pointing at a real Dovecot (started here from Debian's
// package), an SMTP sink and the in-repo Temporal test server:
//   1. latency: N mails appended one at a time; APPEND → receipt accepted by SMTP, p50/p95/p99, beside
//      Dovecot's own IDLE notice (APPEND → EXISTS seen by a second, idle client), the floor;
//   2. burst: M mails appended at once (4 connections, like MTAs); first APPEND → last receipt, loss,
//      duplicates, CPU time of baosong's processes per mail, and their peak memory;
//   3. drain: B mails that came while baosong was stopped (an upgrade, a night's outage), taken in when it
//      starts again: receipts per second from the first to the last, loss, duplicates.
// Receipts are counted by the sink's delivery events (no polling loop). The same run measures the floor of the
// stack (bench/floor: a no-op one-activity workflow on the same server) in two rounds, just before the burst and
// just after it (baosong idle, its processes left out), as bench:lifecycle does in turns: the machine's drift then
// touches the burst and the floor alike. The CPU per mail of baosong's processes and the server is stated as a ratio
// to the floor's (client, worker and server) per workflow.
//   npm run bench:intake [-- <one-by-one> <burst> <backlog>]        (defaults 200, 1000 and 1000)
// (The npm script builds first: `baosong start` runs the build a user gets from `npm ci`, never the sources.)
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { SECRET, testConfig } from '../tests/support/baosong.js';
import { DEFAULT_TEST_USER, startDovecot } from '../tests/support/dovecot.js';
import { mail } from '../tests/support/mails.js';
import { freePort } from '../tests/support/ports.js';
import { createTestEnv, uniqueTaskQueue } from '../temporal-server/testing.js';
import { startServiceProcess } from '../tests/support/service-process.js';
import { smtpSink } from './smtp-sink.js';
import { descendantsMatching, formatThreads, processTreeCpu, threadCpu, threadCpuPer } from './cpu.js';
import { combineFloors, startFloorWorker } from './floor/index.js';

const oneByOne = Number(process.argv[2] ?? 200);
const burst = Number(process.argv[3] ?? 1000);
const backlog = Number(process.argv[4] ?? 1000);
const APPENDERS = 4;
const GOAL = { ratioToFloor: 2.0, burstMailsPerSecond: 50, drainMailsPerSecond: 100, lost: 0, duplicated: 0, p95AboveNoticeMs: 100, workerPeakMB: 400 };

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN);
};
const fmt = (values: number[]) => `p50 ${pct(values, 50)} ms, p95 ${pct(values, 95)} ms, p99 ${pct(values, 99)} ms`;

async function main(): Promise<void> {
  const env = await createTestEnv();
  const sink = await smtpSink();
  const dovecot = await startDovecot();
  const dir = mkdtempSync(join(tmpdir(), 'baosong-bench-intake-'));
  const config = testConfig({ smtpPort: sink.port, dataDir: join(dir, 'data'), taskQueue: uniqueTaskQueue('bench-intake') });
  config.mail.smtp = { host: '127.0.0.1', port: sink.port, secure: false, pool: true };
  const user = DEFAULT_TEST_USER;
  config.mail.imap = { host: dovecot.host, port: dovecot.port, secure: false, user: user.user, passwordEnv: 'BENCH_IMAP_PASSWORD', mailbox: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine' };
  const port = await freePort();
  config.web = { ...config.web, port, baseUrl: `http://127.0.0.1:${port}` };
  const start = () =>
    startServiceProcess({
      config,
      dir,
      env: { TEMPORAL_ADDRESS: env.address, BENCH_IMAP_PASSWORD: user.password, BAOSONG_SECRET: SECRET, DATABASE_URL: '', BAOSONG_CONFIG: '' },
    });
  const service = await start();
  const memoryAtStart = service.memoryMB();
  console.log(`baosong start: pid ${service.pid}, worker pid ${service.workerPid()}; RSS ${memoryAtStart.service.rss} MB + worker ${memoryAtStart.worker.rss} MB`);

  const connect = async () => {
    const c = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: user.user, pass: user.password }, logger: false });
    // An idle connection that times out while baosong is slow must not end the bench with an unhandled 'error'.
    c.on('error', (err: Error) => console.error(`bench IMAP client: ${err.message}`));
    await c.connect();
    return c;
  };
  // Dovecot's own notice: a second client idling on the inbox sees EXISTS grow.
  const observer = await connect();
  await observer.mailboxOpen('INBOX');
  const notices: number[] = [];
  observer.on('exists', (info: { count: number; prevCount: number }) => {
    if (info.count > info.prevCount) notices.push(performance.now());
  });
  void observer.idle();
  const appenders = await Promise.all(Array.from({ length: APPENDERS }, connect));
  const report = (i: number, id: string) => mail({ from: '刘芳 <liufang@school.test>', subject: `【教育教学】基准测试 ${i}`, body: `时间：2026-11-26 15:00\n第 ${i} 份。`, messageId: id });

  // Warm-up (first isolate, first statements).
  const warm = `<warm-${randomUUID()}@school.test>`;
  await appenders[0]!.append('INBOX', report(0, warm));
  await sink.next('receipt', warm);

  const total: number[] = [];
  const notice: number[] = [];
  for (let i = 0; i < oneByOne; i++) {
    const id = `<lat-${i}-${randomUUID()}@school.test>`;
    const t0 = performance.now();
    await appenders[0]!.append('INBOX', report(i, id));
    const receipt = await sink.next('receipt', id);
    total.push(receipt.at - t0);
    const seen = notices.find((t) => t >= t0);
    if (seen !== undefined) notice.push(seen - t0);
  }
  console.log(`latency, ${oneByOne} mails one by one (APPEND → receipt accepted by SMTP): ${fmt(total)}`);
  console.log(`  Dovecot's IDLE notice (APPEND → EXISTS at an idle client): ${fmt(notice)}`);

  /** Appends the mails over all connections at once, as MTAs deliver. */
  const appendAll = async (batch: string[], label: (i: number) => number) => {
    let next = 0;
    await Promise.all(
      appenders.map(async (c) => {
        while (next < batch.length) {
          const i = next++;
          await c.append('INBOX', report(label(i), batch[i]!));
        }
      }),
    );
  };
  /** Every receipt of `batch`, or null after 10 minutes. */
  const allReceipts = async (batch: string[]) => {
    let giveUp: NodeJS.Timeout | undefined;
    const receipts = await Promise.race([
      Promise.all(batch.map((id) => sink.next('receipt', id))),
      new Promise<null>((resolve) => (giveUp = setTimeout(() => resolve(null), 600_000))),
    ]);
    clearTimeout(giveUp); // else the process waits out the 10 minutes after printing its result
    return receipts;
  };
  const countLost = (batch: string[]) => batch.filter((id) => sink.delivered('receipt', id).length === 0).length;
  const countDuplicated = (batch: string[]) => batch.filter((id) => sink.delivered('receipt', id).length > 1).length;

  // The floor's first round, just before the burst (half its workflows; the other half just after it).
  const floorWorker = await startFloorWorker({ client: env.client, address: env.address, dataDir: dir, shape: 'oneActivity' });
  const baosongPids = () => [service.pid, service.workerPid()];
  const floorBefore = await floorWorker.run(Math.ceil(burst / 2), { excludePids: baosongPids() });

  const ids = Array.from({ length: burst }, (_, i) => `<burst-${i}-${randomUUID()}@school.test>`);
  const [serverPid] = descendantsMatching(/temporal-server|temporal-test-server/);
  const serverCpu = () => (serverPid === undefined ? 0 : (processTreeCpu().get(serverPid) ?? 0));
  const cpu0 = service.cpuMs();
  const server0 = serverCpu();
  const workerThreads0 = threadCpu(service.workerPid());
  const b0 = performance.now();
  await appendAll(ids, (i) => i);
  const appendedIn = (performance.now() - b0) / 1000;
  const receipts = await allReceipts(ids);
  const seconds = (Math.max(...ids.flatMap((id) => sink.delivered('receipt', id).map((d) => d.at))) - b0) / 1000;
  const cpu1 = service.cpuMs();
  const server1 = serverCpu();
  const workerThreads = threadCpuPer(service.workerPid(), workerThreads0, burst);
  await new Promise((r) => setTimeout(r, 2000)); // a late duplicate would show up here
  const lost = countLost(ids);
  const duplicated = countDuplicated(ids);
  const rate = burst / seconds;
  const cpuPerMail = {
    service: +((cpu1.service - cpu0.service) / burst).toFixed(1),
    worker: +((cpu1.worker - cpu0.worker) / burst).toFixed(1),
    server: +((server1 - server0) / burst).toFixed(1),
  };
  const memory = service.memoryMB();
  const floorAfter = await floorWorker.run(Math.floor(burst / 2), { excludePids: baosongPids() });
  await floorWorker.stop();
  console.log(`burst: ${burst} mails appended in ${appendedIn.toFixed(1)} s over ${APPENDERS} connections; all receipts accepted by SMTP after ${seconds.toFixed(1)} s = ${rate.toFixed(1)} mails/s${receipts ? '' : ' (TIMED OUT)'}; lost ${lost}, duplicated ${duplicated}`);
  console.log(`  CPU per mail: intake + web process ${cpuPerMail.service} ms, worker process ${cpuPerMail.worker} ms, test server ${cpuPerMail.server} ms`);
  console.log(`  the worker's CPU per mail by thread: ${formatThreads(workerThreads)}`);
  console.log(`  peak RSS: intake + web process ${memory.service.peak} MB, worker process ${memory.worker.peak} MB`);

  const handledLines = service.handledLines();
  const code = await service.stop();
  const warnings = service.lines.filter((l) => /Warning|FSTDEP/.test(l)).length;
  const mails = 1 + oneByOne + burst;
  console.log(`baosong start logged ${handledLines} 'mail handled' lines for ${mails} mails, ${warnings} warnings; exit code ${code} after SIGTERM`);

  // The backlog: mails that came while baosong was stopped, taken in when it starts again.
  const backlogIds = Array.from({ length: backlog }, (_, i) => `<backlog-${i}-${randomUUID()}@school.test>`);
  await appendAll(backlogIds, (i) => burst + i);
  const restarted = await start();
  const r0 = performance.now();
  const drained = await allReceipts(backlogIds);
  await new Promise((r) => setTimeout(r, 2000));
  const backlogAt = backlogIds.flatMap((id) => sink.delivered('receipt', id).map((d) => d.at));
  const drainSeconds = (Math.max(...backlogAt) - Math.min(...backlogAt)) / 1000;
  const drainRate = (backlog - 1) / drainSeconds;
  const drain = {
    mails: backlog,
    firstReceiptAfterStartSeconds: +((Math.min(...backlogAt) - r0) / 1000).toFixed(1),
    seconds: +drainSeconds.toFixed(1),
    mailsPerSecond: +drainRate.toFixed(1),
    lost: countLost(backlogIds),
    duplicated: countDuplicated(backlogIds),
    workerPeakMB: restarted.memoryMB().worker.peak,
  };
  const restartedCode = await restarted.stop();
  const restartedWarnings = restarted.lines.filter((l) => /Warning|FSTDEP/.test(l)).length;
  console.log(
    `drain: ${backlog} mails waiting when baosong started again; first receipt ${drain.firstReceiptAfterStartSeconds} s after it was ready, then ${drainRate.toFixed(1)} mails/s to the last${drained ? '' : ' (TIMED OUT)'}; lost ${drain.lost}, duplicated ${drain.duplicated}; worker peak RSS ${drain.workerPeakMB} MB; ${restartedWarnings} warnings, exit code ${restartedCode}`,
  );
  for (const c of [observer, ...appenders]) await c.logout().catch(() => undefined);
  // The floor on the same server, as many workflows as the burst had mails, in its two rounds.
  const floor = combineFloors([floorBefore, floorAfter]);
  const perMail = cpuPerMail.service + cpuPerMail.worker + cpuPerMail.server;
  const ratio = Math.round((perMail / floor.cpuMsPerWorkflow) * 100) / 100;
  console.log(`floor (a no-op one-activity workflow): ${floor.cpuMsPerWorkflow} ms CPU per workflow (${floorBefore.cpuMsPerWorkflow} just before the burst, ${floorAfter.cpuMsPerWorkflow} just after); a mail costs ${perMail.toFixed(1)} ms = ${ratio}× that`);
  console.log(`  the floor worker's CPU per workflow by thread: ${formatThreads(floor.workerThreadsMsPerWorkflow)}`);
  await sink.close();
  await dovecot.stop();
  await env.teardown();

  const p95 = pct(total, 95);
  const noticeP95 = pct(notice, 95);
  console.log(
    JSON.stringify({
      bench: 'intake',
      via: 'baosong start',
      latencyMs: { p50: pct(total, 50), p95, p99: pct(total, 99) },
      noticeMs: { p50: pct(notice, 50), p95: noticeP95 },
      burst: { mails: burst, seconds: +seconds.toFixed(1), mailsPerSecond: +rate.toFixed(1), lost, duplicated },
      drain,
      cpuMsPerMail: cpuPerMail,
      workerThreadsMsPerMail: workerThreads,
      floor,
      floorRoundsMsPerWorkflow: [floorBefore.cpuMsPerWorkflow, floorAfter.cpuMsPerWorkflow],
      ratio,
      host: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
      peakRssMB: { service: memory.service.peak, worker: memory.worker.peak },
      handledLogLines: handledLines,
      mails: mails + backlog,
      warnings: warnings + restartedWarnings,
      exitCodes: { first: code, restarted: restartedCode },
      goal: GOAL,
      met:
        ratio <= GOAL.ratioToFloor &&
        rate >= GOAL.burstMailsPerSecond &&
        drainRate >= GOAL.drainMailsPerSecond &&
        lost + drain.lost === 0 &&
        duplicated + drain.duplicated === 0 &&
        p95 <= noticeP95 + GOAL.p95AboveNoticeMs &&
        Math.max(memory.worker.peak, drain.workerPeakMB) < GOAL.workerPeakMB &&
        code === 0 &&
        restartedCode === 0,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
