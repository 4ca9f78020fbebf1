// Benchmark of a district's deployment (issue 25, docs/district.md), on PostgreSQL and our Temporal test server
// with time skipping:
//   1. A simulated week through the workflows: S schools × 25 reports a day, Monday to Sunday on the server's clock,
//      each report received, approved twice, published (and every tenth used, 录用), served by ONE worker process
//      for all S schools (bench/worker-process.ts, as `baosong start --deployment` runs it). CPU per report of each
//      process (worker, test server, the load, PostgreSQL) and the peak memory of each; the week's database size
//      per 10,000 reports; the p95 of the bureau's figures across all schools and of a school's dashboard list on
//      that week's data, against the floor of one indexed count over the week's reports in the same database.
//   2. Tenancy's cost: R reports through the same chain over S schools on one worker, against the same R reports
//      in a one-school deployment in the same run (the floor): CPU of every process per report, and the ratio.
//   npm run bench:district [-- <schools> <reports> <days>]      (defaults 200 1000 7)
// The test server forgets closed runs after the namespace's retention (1 day; TEMPORAL_TEST_SERVER_RETENTION),
// as a cluster does: a week of 35,000 histories would not fit in its memory otherwise.
// Ends with one JSON line: {"bench":"district", figures, floor, ratio, host, goal, met}.
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Worker } from '@temporalio/worker';
import { districtActivities } from '../activities/district.js';
import { createActivities } from '../activities/index.js';
import { ChatRobots } from '../chat/index.js';
import type { Config } from '../config/schema.js';
import { migrateToLatest, openDatabase, ReadModel, scopeDatabase } from '../db/index.js';
import { ReportUses } from '../db/uses.js';
import { districtWeekFigures } from '../digest/district-figures.js';
import { weekOf, weekRange } from '../digest/weeks.js';
import { submitReport } from '../intake/submit.js';
import { smtpTransport } from '../mail/transport.js';
import { districtSchools, type DistrictSchool } from '../worker/district.js';
import { approveSignal, markPublishedSignal } from '../workflows/report.js';
import { WORKFLOWS_PATH } from '../worker/index.js';
import { startPostgres } from '../tests/support/postgres.js';
import { createTestEnv, uniqueTaskQueue } from '../temporal-server/testing.js';
import { cpuSince, descendantsMatching, processTreeCpu } from './cpu.js';
import { BENCH_DEPLOYMENT_SECRET, benchDistrict } from './district-setup.js';
import { smtpSink } from './smtp-sink.js';
import { spawnWorker } from './spawn-worker.js';
import { routineSubmission } from './submission.js';

const schoolCount = Number(process.argv[2] ?? 200);
const reports = Number(process.argv[3] ?? 1000);
const days = Number(process.argv[4] ?? 7);
const perDay = 25;
const concurrency = 100;

async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]! * 100) / 100;
};
const round1 = (x: number) => Math.round(x * 10) / 10;
const peakRssMb = (pid: number | 'self') => Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

type Env = Awaited<ReturnType<typeof createTestEnv>>;
interface BenchSchool { config: Config; readModel: ReadModel; uses?: ReportUses }

/** One report through the whole chain, as its people would move it: received, approved twice, published. */
async function oneReport(env: Env, s: BenchSchool, i: number, now: Date): Promise<void> {
  const domain = s.config.mail.address.split('@')[1]!;
  const head = { name: '王建国', email: `wangjianguo@${domain}` };
  const office = { name: '谢雨桐', email: `xieyutong@${domain}` };
  const r = await submitReport({ client: env.client, config: s.config, readModel: s.readModel }, routineSubmission(now, domain));
  const handle = env.client.workflow.getHandle(r.workflowId);
  await handle.signal(approveSignal, { actor: head, evidence: { via: 'web', ref: `h${i}` }, step: 0 });
  await handle.signal(approveSignal, { actor: office, evidence: { via: 'web', ref: `o${i}` }, step: 1 });
  await handle.signal(markPublishedSignal, { actor: office, evidence: { via: 'web', ref: `p${i}` }, url: `https://www.${domain}/news/${i}.html` });
  const outcome = (await handle.result()) as { status: string };
  if (outcome.status !== 'published') throw new Error(`report ${r.reportId} ended ${outcome.status}`);
  // Every tenth piece used by the county's site (录用), as the office records it.
  if (s.uses && i % 10 === 0) await s.uses.add({ reportId: r.reportId, outlet: '青禾教育网', level: '县区级', kind: '网站', usedOn: now.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 10), ref: '', source: 'office', recordedBy: office, recordedAt: now });
}

/** R reports through the whole chain, round-robin over `schools`; CPU of the process tree per report. */
async function chain(env: Env, schools: BenchSchool[], count: number): Promise<number> {
  const now = new Date(await env.currentTimeMs());
  for (let i = 0; i < Math.min(20, schools.length); i++) await oneReport(env, schools[i]!, i, now); // warm-up: the first isolate, the first statements
  const before = processTreeCpu();
  await pool(Array.from({ length: count }, (_, i) => i + 1000), concurrency, (i) => oneReport(env, schools[i % schools.length]!, i, now));
  return round1(cpuSince(before).total / count);
}

/** The next Monday 08:00 in Beijing (UTC+8, no DST) after `ms`. */
function nextMondayMorning(ms: number): number {
  const local = new Date(ms + 8 * 3_600_000);
  const ahead = (8 - local.getUTCDay()) % 7 || 7;
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + ahead, 8) - 8 * 3_600_000;
}

/** Moves the test server's clock forward to `ms` (time skipping), if it is not there yet. */
async function skipTo(env: Env, ms: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (ms > now) await env.sleep(ms - now);
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** Part 1: the simulated week through the workflows, one worker process for all schools. */
async function simulatedWeek(env: Env, smtpPort: number, pg: Awaited<ReturnType<typeof startPostgres>>) {
  const taskQueue = uniqueTaskQueue('bench-district-week');
  const loaded = benchDistrict(schoolCount, smtpPort, taskQueue);
  const url = await pg.createDatabase('bench_week');
  const weekDb = await openDatabase({ url, poolSize: 10 });
  await migrateToLatest(weekDb);
  const dataDir = mkdtempSync(join(tmpdir(), 'baosong-bench-district-'));
  const worker = await spawnWorker({ address: env.address, taskQueue, smtpPort, dataDir, databaseUrl: url, districtSchools: schoolCount, logFile: join(dataDir, 'worker.log') });
  const schools: BenchSchool[] = loaded.schools.map((s) => ({ config: s.config, readModel: new ReadModel(scopeDatabase(weekDb, s.id)), uses: new ReportUses(scopeDatabase(weekDb, s.id)) }));
  const sizeOf = async () => Number((await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(weekDb.root)).rows[0]!.n);
  const sizeBefore = await sizeOf();

  const monday = nextMondayMorning(await env.currentTimeMs());
  await skipTo(env, monday);
  const serverPids = descendantsMatching(/temporal-server|test-server/);
  const pgPids = descendantsMatching(/postgres/);
  const before = processTreeCpu();
  const started = performance.now();
  let total = 0;
  for (let d = 0; d < days; d++) {
    await skipTo(env, monday + d * 86_400_000);
    const now = new Date(await env.currentTimeMs());
    const n = perDay * schoolCount;
    const t = performance.now();
    await pool(Array.from({ length: n }, (_, i) => total + i), concurrency, (i) => oneReport(env, schools[i % schools.length]!, i, now));
    total += n;
    console.log(`  day ${d + 1} (${now.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })}): ${n} reports in ${((performance.now() - t) / 1000).toFixed(0)} s; worker RSS ${Math.round(worker.rss() / 2 ** 20)} MB`);
  }
  const wallS = (performance.now() - started) / 1000;
  const cpu = cpuSince(before).byPid;
  const sum = (pids: number[]) => pids.reduce((n, pid) => n + (cpu.get(pid) ?? 0), 0);
  const perReport = (ms: number) => round1(ms / total);
  const all = [...cpu.values()].reduce((a, b) => a + b, 0);
  const cpuMsPerReport = { worker: perReport(cpu.get(worker.pid) ?? 0), testServer: perReport(sum(serverPids)), load: perReport(cpu.get(process.pid) ?? 0), postgres: perReport(sum(pgPids)), total: perReport(all) };
  const memoryPeakMb = { worker: Math.round(worker.peakRss() / 2 ** 20), testServer: serverPids.length > 0 ? peakRssMb(serverPids[0]!) : null, load: peakRssMb('self') };
  await worker.stop();

  await sql`vacuum analyze`.execute(weekDb.root);
  const mbPer10k = round1((((await sizeOf()) - sizeBefore) / 2 ** 20) * (10_000 / total));
  console.log(`week: ${total} reports of ${schoolCount} schools through the workflows in ${wallS.toFixed(0)} s; CPU per report ${JSON.stringify(cpuMsPerReport)} ms; peak memory ${JSON.stringify(memoryPeakMb)} MB; database ${mbPer10k} MB per 10,000 reports`);

  // The dashboards on the week's data.
  const timeZone = 'Asia/Shanghai';
  const week = weekOf(new Date(monday), timeZone);
  const range = weekRange(week, timeZone);
  const names = loaded.schools.map((s) => ({ id: s.id, name: s.config.school.name }));
  const lo = range.start.toISOString();
  const hi = range.end.toISOString();
  const floorRuns = await timed(60, () => weekDb.root.selectFrom('reports').where('received_at', '>=', lo).where('received_at', '<', hi).select((eb) => eb.fn.countAll().as('n')).execute());
  const figuresRuns = await timed(60, () => districtWeekFigures(weekDb, week, timeZone, names));
  const figures = await districtWeekFigures(weekDb, week, timeZone, names);
  if (figures.total.submitted !== total) throw new Error(`the bureau's figures count ${figures.total.submitted} reports, the week had ${total}`);
  const schoolRuns = await timed(200, async () => {
    const s = loaded.schools[Math.floor(Math.random() * loaded.schools.length)]!;
    const rm = new ReadModel(scopeDatabase(weekDb, s.id));
    await Promise.all([rm.listReports({ limit: 50 }), rm.countReports()]);
  });
  await weekDb.close();
  return { reports: total, wallS: Math.round(wallS), cpuMsPerReport, memoryPeakMb, mbPer10k, floorP95: p95(floorRuns.slice(10)), figuresP95: p95(figuresRuns.slice(10)), schoolP95: p95(schoolRuns.slice(10)), published: figures.total.published, used: figures.total.usesTotal };
}

async function main(): Promise<void> {
  process.env.TEMPORAL_TEST_SERVER_RETENTION = 'enforce'; // the server is spawned with this environment
  const env = await createTestEnv();
  const sink = await smtpSink();
  const pg = await startPostgres();

  // 1. The simulated week (first: the load's own peak memory is then the load's alone).
  const w = await simulatedWeek(env, sink.port, pg);
  console.log(`queries on the week (p95): the bureau's figures across ${schoolCount} schools ${w.figuresP95} ms, a school's dashboard list ${w.schoolP95} ms; floor (one indexed count over the week) ${w.floorP95} ms`);

  // 2. Tenancy's cost, district against one school, same run.
  const transport = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false, pool: true });
  const taskQueue = uniqueTaskQueue('bench-district');
  const loaded = benchDistrict(schoolCount, sink.port, taskQueue);
  const districtDb = await openDatabase({ url: await pg.createDatabase('bench_district'), poolSize: 10 });
  await migrateToLatest(districtDb);
  const schools: DistrictSchool[] = districtSchools(loaded, districtDb, { deploymentSecret: BENCH_DEPLOYMENT_SECRET, transportFor: () => transport });
  const activities = districtActivities(new Map(schools.map((s) => [s.id, createActivities({ ...s, chat: new ChatRobots(s.config) })])));
  const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowsPath: WORKFLOWS_PATH, activities, maxCachedWorkflows: 100 });
  let running = worker.run();
  const districtCpu = await chain(env, schools, reports);
  worker.shutdown();
  await running;
  console.log(`district: ${reports} reports over ${schoolCount} schools, one worker: ${districtCpu} ms CPU per report (all processes)`);

  const oneDb = await openDatabase({ url: await pg.createDatabase('bench_one_school'), poolSize: 10 });
  await migrateToLatest(oneDb);
  const one = { ...schools[0]!, config: { ...schools[0]!.config, district: undefined, temporal: { ...schools[0]!.config.temporal, taskQueue: uniqueTaskQueue('bench-one') } }, database: oneDb, readModel: new ReadModel(oneDb) };
  const oneWorker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue: one.config.temporal.taskQueue, workflowsPath: WORKFLOWS_PATH, activities: createActivities({ ...one, chat: new ChatRobots(one.config) }), maxCachedWorkflows: 100 });
  running = oneWorker.run();
  const oneCpu = await chain(env, [one], reports);
  oneWorker.shutdown();
  await running;
  console.log(`one school (the floor): the same ${reports} reports: ${oneCpu} ms CPU per report`);
  const tenancyRatio = Math.round((districtCpu / oneCpu) * 100) / 100;
  const dashboardRatio = Math.round((w.figuresP95 / w.floorP95) * 100) / 100;

  const figures = {
    schools: schoolCount,
    week: { reports: w.reports, days, wallSeconds: w.wallS, published: w.published, used: w.used, cpuMsPerReport: w.cpuMsPerReport, memoryPeakMb: w.memoryPeakMb },
    databaseMbPer10kReports: w.mbPer10k,
    figuresP95Ms: w.figuresP95,
    schoolDashboardP95Ms: w.schoolP95,
    tenancy: { reports, districtCpuMsPerReport: districtCpu },
  };
  const floor = { oneSchoolCpuMsPerReport: oneCpu, weekCountP95Ms: w.floorP95 };
  const ratio = { tenancy: tenancyRatio, figures: dashboardRatio };
  const goal = { tenancy: 1.25, figures: 10 };
  const met = tenancyRatio <= goal.tenancy && dashboardRatio <= goal.figures;
  const host = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  transport.close();
  await Promise.all([districtDb.close(), oneDb.close()]);
  await sink.close();
  await pg.stop();
  await env.teardown();
  console.log(JSON.stringify({ bench: 'district', figures, floor, ratio, host, goal, met }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
