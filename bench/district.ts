// Benchmark of a district's deployment (issue 25, docs/district.md), in two parts, on PostgreSQL and our Temporal
// test server:
//   1. Tenancy's cost: R reports through the whole chain (receipt → two approvals → published) spread over S
//      schools served by one worker (activities sent to each workflow's school, every query kept to its school),
//      against the same R reports in a one-school deployment in the same run (the floor). CPU of every process per
//      report, and the ratio district / one school.
//   2. A week's data of S schools × 25 reports a day, written as the workflows' activities write it (report row,
//      timeline, mails, attachment, publication, uses) through each school's scoped read model: database size per
//      10,000 reports, and the p95 of the bureau's figures across all schools and of a school's dashboard list,
//      against the floor of one indexed count over the week's reports in the same database.
//   npm run bench:district [-- <schools> <reports> <days>]      (defaults 200 1000 7)
// Ends with one JSON line: {"bench":"district", figures, floor, ratio, host, goal, met}.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { sql } from 'kysely';
import { Worker } from '@temporalio/worker';
import { districtActivities } from '../activities/district.js';
import { createActivities } from '../activities/index.js';
import { ChatRobots } from '../chat/index.js';
import { parseDeployment, schoolConfig, type LoadedDeployment } from '../config/deployment.js';
import { EXAMPLE_CONFIG_FILE } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { migrateToLatest, openDatabase, ReadModel, scopeDatabase, type Database } from '../db/index.js';
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
import { smtpSink } from './smtp-sink.js';
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

/** S schools as a bureau would configure them: the example school, each at its own domain. */
function district(smtpPort: number, taskQueue: string): LoadedDeployment {
  const deployment = parseDeployment(`deployment:\n  name: 青禾县教育局\ndataDir: /tmp/baosong-bench-district\ntemporal:\n  taskQueue: ${taskQueue}\nweb:\n  schoolUrl: https://{school}.baosong.qhjy.example.cn\n`, 'bench');
  const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace(/^dataDir:.*$/m, '').replace(/^temporal:\n(?: {2}.*\n)*/m, '');
  const schools = Array.from({ length: schoolCount }, (_, i) => {
    const id = `school-${String(i + 1).padStart(4, '0')}`;
    const config = schoolConfig(deployment, id, example.replaceAll('school.test', `${id}.test`).replace(/^mail:\n/m, `mail:\n  smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false, pool: true }\n`), `${id}.yaml`);
    return { id, file: `${id}.yaml`, config };
  });
  return { deployment, file: 'bench', schools, broken: [] };
}

/** R reports through the whole chain, round-robin over `schools`; CPU of the process tree per report. */
async function chain(env: Awaited<ReturnType<typeof createTestEnv>>, schools: { config: Config; readModel: ReadModel }[], count: number): Promise<number> {
  const now = new Date(await env.currentTimeMs());
  const run = async (i: number) => {
    const s = schools[i % schools.length]!;
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
  };
  for (let i = 0; i < Math.min(20, schools.length); i++) await run(i); // warm-up: the first isolate, the first statements
  const before = processTreeCpu();
  await pool(Array.from({ length: count }, (_, i) => i + 1000), concurrency, run);
  return round1(cpuSince(before).total / count);
}

/** A week of S schools' reports written as the activities write them; returns how many. */
async function writeWeek(database: Database, loaded: LoadedDeployment, start: Date): Promise<number> {
  const jobs: { school: string; n: number }[] = [];
  for (const s of loaded.schools) for (let n = 0; n < perDay * days; n++) jobs.push({ school: s.id, n });
  const models = new Map(loaded.schools.map((s) => [s.id, { readModel: new ReadModel(scopeDatabase(database, s.id)), uses: new ReportUses(scopeDatabase(database, s.id)) }]));
  const spanMs = days * 86_400_000;
  let done = 0;
  await pool(jobs, 8, async ({ school, n }) => {
    const { readModel, uses } = models.get(school)!;
    const at = new Date(start.getTime() + ((n * 7_919) % spanMs)); // spread over the days
    const id = `R-2026-${String(n + 1).padStart(4, '0')}`;
    const published = n % 5 < 3;
    await readModel.transaction(async (tx) => {
      await tx.recordReport({
        id, workflowId: `${school}:report-web-${randomUUID()}`, origin: 'web', originRef: randomUUID(), departmentId: 'jiaowu', submitterEmail: `liufang@${school}.test`, submitterName: '刘芳',
        category: '教育教学', urgency: 'routine', title: '七年级公开课周圆满结束，12位教师展示了公开课', eventTime: at.toISOString(), receivedAt: at.toISOString(),
        dueAt: new Date(at.getTime() + 86_400_000).toISOString(), timeliness: n % 10 === 0 ? 'late' : 'on_time', reviewDueAt: null, status: published ? 'published' : 'approved',
        currentStep: null, currentStepKind: null, holders: [], overdue: false, returnedCount: n % 12 === 0 ? 1 : 0, decidedAt: at.toISOString(), publishedAt: published ? at.toISOString() : null, updatedAt: at.toISOString(), version: 9,
      });
      const types: ('received' | 'approved' | 'published')[] = ['received', 'approved', 'approved', 'approved', ...(published ? (['published'] as const) : [])];
      for (const [seq, type] of types.entries()) await tx.appendEvent({ reportId: id, seq: seq + 1, at: at.toISOString(), type, actorEmail: `wangjianguo@${school}.test`, actorName: '王建国', detail: {} });
      await tx.recordAttachment({ reportId: id, sha256: randomUUID().replaceAll('-', '').padEnd(64, '0'), filename: '现场.jpg', contentType: 'image/jpeg', size: 1_200_000, storagePath: 'attachments/00/x' });
      for (const kind of ['receipt', 'review_request', 'review_request', 'review_request', 'approved_notice', ...(published ? ['published_notice'] : [])]) {
        const messageId = `<${id}.${kind}.${randomUUID()}@${school}.test>`;
        await tx.recordMailSending({ messageId, reportId: id, kind, to: [`liufang@${school}.test`], subject: `【${id}】七年级公开课周圆满结束`, createdAt: at.toISOString() });
        await tx.markMailSent(messageId, 'sent', at);
      }
      if (published) await tx.recordPublished({ reportId: id, publishedAt: at.toISOString(), title: '七年级公开课周圆满结束', departmentId: 'jiaowu', category: '教育教学', summary: '11月26日，七年级开展公开课周活动……', url: `https://www.${school}.test/news/${n}.html` });
    });
    if (n % 10 === 0) await uses.add({ reportId: id, outlet: '青禾教育网', level: '县区级', kind: '网站', usedOn: at.toISOString().slice(0, 10), ref: '', source: 'office', recordedBy: { name: '周晓梅', email: `zhouxiaomei@${school}.test` }, recordedAt: at });
    done += 1;
    if (done % 5000 === 0) console.log(`  written ${done} / ${jobs.length}`);
  });
  return jobs.length;
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

async function main(): Promise<void> {
  const env = await createTestEnv();
  const sink = await smtpSink();
  const pg = await startPostgres();
  const transport = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false, pool: true });

  // 1. Tenancy's cost, district against one school, same run.
  const taskQueue = uniqueTaskQueue('bench-district');
  const loaded = district(sink.port, taskQueue);
  const districtDb = await openDatabase({ url: await pg.createDatabase('bench_district'), poolSize: 10 });
  await migrateToLatest(districtDb);
  const schools: DistrictSchool[] = districtSchools(loaded, districtDb, { deploymentSecret: 'bench-deployment-secret-0123456789abcdef', transportFor: () => transport });
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

  // 2. A week of S schools' data: size and the dashboards' queries.
  const weekDb = await openDatabase({ url: await pg.createDatabase('bench_week'), poolSize: 10 });
  await migrateToLatest(weekDb);
  const timeZone = 'Asia/Shanghai';
  const week = weekOf(new Date(), timeZone);
  const range = weekRange(week, timeZone);
  const sizeOf = async () => Number((await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(weekDb.root)).rows[0]!.n);
  const sizeBefore = await sizeOf();
  const w0 = performance.now();
  const written = await writeWeek(weekDb, loaded, range.start);
  await sql`vacuum analyze`.execute(weekDb.root);
  const sizeAfter = await sizeOf();
  const mbPer10k = round1(((sizeAfter - sizeBefore) / 2 ** 20) * (10_000 / written));
  console.log(`week: ${written} reports of ${schoolCount} schools written in ${((performance.now() - w0) / 1000).toFixed(0)} s; database +${((sizeAfter - sizeBefore) / 2 ** 20).toFixed(0)} MB = ${mbPer10k} MB per 10,000 reports`);

  const names = loaded.schools.map((s) => ({ id: s.id, name: s.config.school.name }));
  const lo = range.start.toISOString();
  const hi = range.end.toISOString();
  const floorRuns = await timed(60, () => weekDb.root.selectFrom('reports').where('received_at', '>=', lo).where('received_at', '<', hi).select((eb) => eb.fn.countAll().as('n')).execute());
  const figuresRuns = await timed(60, () => districtWeekFigures(weekDb, week, timeZone, names));
  const schoolRuns = await timed(200, async () => {
    const s = loaded.schools[Math.floor(Math.random() * loaded.schools.length)]!;
    const rm = new ReadModel(scopeDatabase(weekDb, s.id));
    await Promise.all([rm.listReports({ limit: 50 }), rm.countReports()]);
  });
  const floorP95 = p95(floorRuns.slice(10));
  const figuresP95 = p95(figuresRuns.slice(10));
  const schoolP95 = p95(schoolRuns.slice(10));
  const dashboardRatio = Math.round((figuresP95 / floorP95) * 100) / 100;
  console.log(`queries (p95): the bureau's figures across ${schoolCount} schools ${figuresP95} ms, a school's dashboard list ${schoolP95} ms; floor (one indexed count over the week) ${floorP95} ms`);

  const serverPids = descendantsMatching(/temporal-server|test-server/);
  const memory = { benchProcessPeakMb: peakRssMb('self'), testServerPeakMb: serverPids.length > 0 ? peakRssMb(serverPids[0]!) : null };
  const figures = { schools: schoolCount, reports, districtCpuMsPerReport: districtCpu, weekReports: written, databaseMbPer10kReports: mbPer10k, figuresP95Ms: figuresP95, schoolDashboardP95Ms: schoolP95, memory };
  const floor = { oneSchoolCpuMsPerReport: oneCpu, weekCountP95Ms: floorP95 };
  const ratio = { tenancy: tenancyRatio, figures: dashboardRatio };
  const goal = { tenancy: 1.25, figures: 10 };
  const met = tenancyRatio <= goal.tenancy && dashboardRatio <= goal.figures;
  const host = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  transport.close();
  await Promise.all([districtDb.close(), oneDb.close(), weekDb.close()]);
  await sink.close();
  await pg.stop();
  await env.teardown();
  console.log(JSON.stringify({ bench: 'district', figures, floor, ratio, host, goal, met }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
