// npm run chaos [-- --short] [-- --reports N] [-- --db sqlite|postgres|both]
//
// A real stack under fire: Dovecot (the shared inbox), an SMTP server (smtp-server), our Temporal test
// server, the worker in a process of its own, the intake (IMAP IDLE watcher + handler), SQLite and then
// PostgreSQL. Liaisons mail N reports in; every reviewer answers the review request by replying 同意 into
// Dovecot. Meanwhile the worker is SIGKILLed at random moments and started again, Dovecot restarts, the
// SMTP server answers 451 for a while, PostgreSQL restarts. At the end it checks and prints:
//   reports started = reports mailed in; every approval applied exactly once; 0 reports lost; every report
//   approved (审核通过 · 待发布); the duplicate deliveries (same Message-ID twice) and the cause of each,
// and ends with one JSON line. The short mode (`--short`) runs inside `npm test` (tests/chaos.test.ts).
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { migrateToLatest, openDatabase, ReadModel } from '../db/index.js';
import { handleMail } from '../intake/handle.js';
import { MailboxWatcher } from '../intake/mailbox.js';
import { smtpTransport } from '../mail/transport.js';
import { SECRET, testConfig } from '../tests/support/baosong.js';
import { DEFAULT_TEST_USER, startDovecot } from '../tests/support/dovecot.js';
import { mail } from '../tests/support/mails.js';
import { startPostgres, type PostgresServer } from '../tests/support/postgres.js';
import { createTestEnv, uniqueTaskQueue } from '../temporal-server/testing.js';
import { spawnWorker, type WorkerProcess } from './spawn-worker.js';

export interface ChaosOptions {
  reports: number;
  /** SIGKILLs of the worker (at least). */
  kills: number;
  dovecotRestarts: number;
  /** How long the SMTP server answers 451. */
  smtpOutageMs: number;
  database: 'sqlite' | 'postgres';
  /** Give up after this long (the check then reports what is missing). */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface Duplicate {
  messageId: string;
  kind: string | null;
  copies: number;
  cause: string;
}

export interface ChaosSummary {
  database: 'sqlite' | 'postgres';
  reportsMailedIn: number;
  reportsStarted: number;
  reportsApproved: number;
  reportsLost: number;
  approvalsExpected: number;
  approvalsApplied: number;
  approvalsTwice: number;
  kills: number;
  dovecotRestarts: number;
  smtpOutageMs: number;
  smtpRefused: number;
  postgresRestarts: number;
  mailsDelivered: number;
  /** Mails whose handling failed for a while (database restarting…) and were tried again; and quarantined ones. */
  intakeRetries: number;
  intakeQuarantined: number;
  duplicates: Duplicate[];
  /** When not ok: each report not through review (status, last timeline entry) and the chaos's own events, in ms from the start. */
  unfinished?: { id: string; status: string; last: string | null }[];
  events?: string[];
  seconds: number;
  /** CPU of this process (intake, servers but the worker), seconds. */
  harnessCpuSeconds: number;
  ok: boolean;
}

const TEACHERS = [
  { from: '刘芳 <liufang@school.test>', category: '教育教学' },
  { from: '冯磊 <fenglei@school.test>', category: '教育教学' },
];

interface Delivery {
  at: number;
  messageId: string;
  kind: string | null;
  reportId: string | null;
  to: string;
  replyTo: string | null;
  subject: string;
}

/** An SMTP server that keeps the headers of each delivery and can refuse with 451. */
async function smtpSink() {
  const deliveries: Delivery[] = [];
  const state = { failing: false, refused: 0 };
  const listeners: ((d: Delivery) => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 16_384) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        if (state.failing) {
          state.refused++;
          callback(Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 }));
          return;
        }
        const headers = (head.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
        const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(headers)?.[1]?.trim() ?? null;
        const replyTo = /<([^>]+)>/.exec(header('Reply-To') ?? '')?.[1] ?? header('Reply-To');
        const d: Delivery = {
          at: Date.now(),
          messageId: header('Message-ID') ?? '',
          kind: header('X-Baosong-Kind'),
          reportId: header('X-Baosong-Report'),
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          replyTo,
          subject: header('Subject') ?? '',
        };
        deliveries.push(d);
        callback();
        for (const l of listeners) l(d);
      });
    },
  });
  server.on('error', () => {}); // a killed worker resets its pooled connections: nothing to do about it
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    deliveries,
    state,
    onDelivery: (l: (d: Delivery) => void) => listeners.push(l),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (a: number, b: number) => a + Math.random() * (b - a);

export async function runChaos(o: ChaosOptions): Promise<ChaosSummary> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const env = await createTestEnv();
  const sink = await smtpSink();
  const dovecot = await startDovecot();
  const dataDir = mkdtempSync(join(tmpdir(), 'baosong-chaos-'));
  let postgres: PostgresServer | undefined;
  let databaseUrl: string | undefined;
  if (o.database === 'postgres') {
    postgres = await startPostgres();
    databaseUrl = await postgres.createDatabase('chaos');
  }
  const config = testConfig({ smtpPort: sink.port, dataDir, taskQueue: uniqueTaskQueue('chaos') });
  const database = await openDatabase(databaseUrl ? { url: databaseUrl } : { file: join(dataDir, 'baosong.db') });
  await migrateToLatest(database);
  const readModel = new ReadModel(database);
  const transport = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false, pool: false });
  const user = DEFAULT_TEST_USER.user;

  const events: { at: number; what: string }[] = [];
  const note = (what: string) => {
    events.push({ at: Date.now(), what });
    log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  };

  // Reviewers: the first recipient of each review request answers it once, by mail into Dovecot.
  const answered = new Set<string>();
  const replies: Promise<void>[] = [];
  sink.onDelivery((d) => {
    if (d.kind !== 'review_request' || !d.replyTo || !d.replyTo.includes('+')) return;
    const request = d.messageId.replace(/\.(?:[0-9a-f]{12}|t-[a-z0-9-]+)@/, '@'); // the request, whoever it went to
    if (answered.has(request)) return;
    answered.add(request);
    const reply = mail({ from: d.to, to: d.replyTo, subject: `回复：${d.reportId ?? ''} 审核`, inReplyTo: d.messageId, body: '同意' });
    replies.push(
      (async () => {
        await sleep(between(200, 2000));
        for (let attempt = 0; ; attempt++) {
          try {
            await dovecot.append(user, 'INBOX', reply);
            return;
          } catch (err) {
            if (attempt > 100) throw err;
            await sleep(500); // Dovecot restarting
          }
        }
      })(),
    );
  });

  const watcher = new MailboxWatcher({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user, pass: DEFAULT_TEST_USER.password },
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    maxAttempts: 1000,
    handle: (message) => handleMail({ config, client: env.client, readModel, transport, secret: SECRET }, message),
  });
  await watcher.start();

  // The worker's own log (every 451, every retry) goes to a file: the chaos events are what this prints.
  const logFile = join(dataDir, 'worker.log');
  log(`worker log: ${logFile}`);
  let worker: WorkerProcess = await spawnWorker({ address: env.address, taskQueue: config.temporal.taskQueue, smtpPort: sink.port, dataDir, logFile, ...(databaseUrl ? { databaseUrl } : {}) });
  const bundlePath = worker.bundlePath;
  note('worker started');

  // Liaisons mail the reports in, spread over the first seconds.
  const mailedIn: string[] = [];
  const spread = Math.min(30_000, o.reports * 100);
  const mailing = (async () => {
    for (let i = 0; i < o.reports; i++) {
      const teacher = TEACHERS[i % TEACHERS.length]!;
      const messageId = `<chaos-${i}-${randomUUID()}@school.test>`;
      mailedIn.push(messageId);
      const raw = mail({ from: teacher.from, subject: `【${teacher.category}】第${i + 1}期公开课周`, body: `时间：今天上午\n第 ${i + 1} 期公开课周顺利结束，12 位教师展示了公开课。`, messageId });
      for (let attempt = 0; ; attempt++) {
        try {
          await dovecot.append(user, 'INBOX', raw);
          break;
        } catch (err) {
          if (attempt > 100) throw err;
          await sleep(500);
        }
      }
      await sleep(spread / o.reports);
    }
  })();

  const status = async () => {
    const reports = await readModel.listReports().catch(() => null);
    return reports;
  };
  const finished = async (): Promise<boolean> => {
    if (mailedIn.length < o.reports) return false;
    const reports = await status();
    // Through review: 审核通过 · 待发布 (the website editor's 已发布 is tested on its own, tests/web/demo-mailbox.test.ts).
    return reports !== null && reports.length >= o.reports && reports.every((r) => r.status === 'approved' || r.status === 'published');
  };

  // The chaos, each on its own schedule, until done or until its quota is used.
  let stop = false;
  let kills = 0;
  let restarts = 0;
  let postgresRestarts = 0;
  const window = Math.max(20_000, spread + 10_000);
  const killing = (async () => {
    while (!stop && (kills < o.kills || !(await finished()))) {
      await sleep(between(500, window / Math.max(1, o.kills)));
      if (stop || kills >= o.kills) {
        await sleep(1000);
        if (kills >= o.kills) break;
      }
      await worker.kill();
      kills++;
      note(`worker SIGKILL #${kills}`);
      worker = await spawnWorker({ address: env.address, taskQueue: config.temporal.taskQueue, smtpPort: sink.port, dataDir, bundlePath, logFile, ...(databaseUrl ? { databaseUrl } : {}) });
      note('worker started');
    }
  })();
  const restarting = (async () => {
    for (let i = 0; i < o.dovecotRestarts && !stop; i++) {
      await sleep(between(1000, window / o.dovecotRestarts));
      note(`Dovecot restart #${i + 1}`);
      await dovecot.restart({ downMs: 1000 });
      restarts++;
    }
  })();
  let outageOver = false;
  const outage = (async () => {
    // While mail is flowing: after the first delivery (on a quiet machine the short run is over in ~20 s).
    while (!stop && sink.deliveries.length === 0) await sleep(100);
    await sleep(between(0, 2000));
    sink.state.failing = true;
    note(`SMTP answers 451 for ${o.smtpOutageMs / 1000} s`);
    await sleep(o.smtpOutageMs);
    sink.state.failing = false;
    outageOver = true;
    note('SMTP accepts again');
  })();
  const postgresRestart = (async () => {
    if (!postgres) return;
    await sleep(between(window / 3, window));
    note('PostgreSQL restart');
    await postgres.restart({ downMs: 2000 });
    postgresRestarts++;
    note('PostgreSQL back');
  })();

  await mailing;
  const deadline = t0 + o.timeoutMs;
  // Done when every report is through review and every piece of chaos has happened (a fast machine could
  // otherwise finish the work before the last kill or the outage).
  const chaosDone = () => kills >= o.kills && restarts >= o.dovecotRestarts && outageOver && (!postgres || postgresRestarts >= 1);
  while (Date.now() < deadline && !(chaosDone() && (await finished()))) await sleep(1000);
  stop = true;
  await Promise.all([killing, restarting, outage, postgresRestart]);
  // Let the last mails of the last steps arrive (the 审核通过 notices).
  const settleUntil = Date.now() + 5000;
  while (Date.now() < settleUntil && !(await finished())) await sleep(500);

  // ---- the checks -------------------------------------------------------------------------------
  const reports = (await status()) ?? [];
  const ours = reports.filter((r) => r.origin === 'mail' && mailedIn.includes(r.originRef));
  let approvalsApplied = 0;
  let approvalsTwice = 0;
  for (const r of ours) {
    const timeline = await readModel.timeline(r.id);
    const approvals = timeline.filter((e) => e.type === 'approved');
    approvalsApplied += approvals.length;
    const keys = approvals.map((e) => `${String(e.detail.round)}:${e.step}`);
    approvalsTwice += keys.length - new Set(keys).size;
  }
  const byId = new Map<string, Delivery[]>();
  for (const d of sink.deliveries) byId.set(d.messageId, [...(byId.get(d.messageId) ?? []), d]);
  const duplicates: Duplicate[] = [];
  for (const [messageId, copies] of byId) {
    if (copies.length < 2) continue;
    const first = copies[0]!.at;
    // (a mail written to the socket just before the kill reaches the server a moment after it: up to a second)
    const kill = events.find((e) => e.what.startsWith('worker SIGKILL') && e.at >= first - 1000 && e.at - first < 5000);
    const pg = events.find((e) => e.what === 'PostgreSQL restart' && Math.abs(e.at - first) < 10_000);
    const cause = kill
      ? `${kill.what} ${kill.at - first} ms after the first copy was accepted: the SMTP 250 came before the record (mail.unknownOutcome: resend)`
      : pg
        ? 'PostgreSQL restart around the first copy'
        : 'unknown';
    duplicates.push({ messageId, kind: copies[0]!.kind, copies: copies.length, cause });
  }
  const approvalsExpected = ours.length * 2; // 教育教学, routine: department head, then the office
  const published = ours.filter((r) => r.status === 'approved' || r.status === 'published').length;
  const cpu = process.cpuUsage(cpu0);
  const summary: ChaosSummary = {
    database: o.database,
    reportsMailedIn: mailedIn.length,
    reportsStarted: ours.length,
    reportsApproved: published,
    reportsLost: mailedIn.length - ours.length,
    approvalsExpected,
    approvalsApplied,
    approvalsTwice,
    kills,
    dovecotRestarts: restarts,
    smtpOutageMs: o.smtpOutageMs,
    smtpRefused: sink.state.refused,
    postgresRestarts,
    mailsDelivered: sink.deliveries.length,
    intakeRetries: watcher.health().handled.failed,
    intakeQuarantined: watcher.health().handled.quarantined,
    duplicates,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
    harnessCpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    ok: false,
  };
  summary.ok =
    summary.reportsStarted === summary.reportsMailedIn &&
    summary.reportsLost === 0 &&
    summary.reportsApproved === summary.reportsMailedIn &&
    summary.approvalsApplied === summary.approvalsExpected &&
    summary.approvalsTwice === 0 &&
    summary.kills >= o.kills &&
    summary.dovecotRestarts === o.dovecotRestarts &&
    duplicates.every((d) => d.cause !== 'unknown');

  if (!summary.ok) {
    summary.unfinished = [];
    for (const r of ours.filter((x) => x.status !== 'approved' && x.status !== 'published')) {
      const last = (await readModel.timeline(r.id)).at(-1);
      summary.unfinished.push({ id: r.id, status: r.status, last: last ? `${last.type} at ${Math.round(Date.parse(last.at) - t0)} ms` : null });
    }
    summary.events = events.map((e) => `${Math.round(e.at - t0)} ms ${e.what}`);
  }

  await Promise.allSettled(replies);
  await watcher.stop();
  await worker.stop().catch(() => undefined);
  transport.close();
  await database.close();
  await sink.close();
  await dovecot.stop();
  await postgres?.stop();
  await env.teardown();
  return summary;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const short = process.argv.includes('--short');
  const reports = Number(arg('reports') ?? (short ? 10 : 200));
  const which = arg('db') ?? 'both';
  const databases: ('sqlite' | 'postgres')[] = which === 'both' ? ['sqlite', 'postgres'] : [which as 'sqlite' | 'postgres'];
  const results: ChaosSummary[] = [];
  for (const database of databases) {
    const summary = await runChaos({
      reports,
      kills: short ? 3 : 20,
      dovecotRestarts: short ? 1 : 3,
      smtpOutageMs: short ? 5_000 : 60_000,
      database,
      timeoutMs: short ? 110_000 : 290_000,
      log: (line) => console.log(`[${database}] ${line}`),
    });
    results.push(summary);
    console.log(`[${database}] mailed in ${summary.reportsMailedIn}, started ${summary.reportsStarted}, approved ${summary.reportsApproved}, lost ${summary.reportsLost}`);
    console.log(`[${database}] approvals ${summary.approvalsApplied} of ${summary.approvalsExpected}, applied twice ${summary.approvalsTwice}`);
    console.log(`[${database}] worker SIGKILLs ${summary.kills}, Dovecot restarts ${summary.dovecotRestarts}, SMTP 451 for ${summary.smtpOutageMs / 1000} s (${summary.smtpRefused} refused), PostgreSQL restarts ${summary.postgresRestarts}`);
    console.log(`[${database}] intake: ${summary.intakeRetries} handler failures tried again, ${summary.intakeQuarantined} quarantined`);
    console.log(`[${database}] ${summary.mailsDelivered} mails delivered, ${summary.duplicates.length} delivered twice${summary.duplicates.map((d) => `\n  ${d.messageId} (${d.kind}) ×${d.copies}: ${d.cause}`).join('')}`);
    console.log(`[${database}] ${summary.seconds} s wall, harness CPU ${summary.harnessCpuSeconds} s: ${summary.ok ? 'OK' : 'FAILED'}`);
  }
  const seconds = Math.round(results.reduce((sum, r) => sum + r.seconds, 0) * 10) / 10;
  const met = results.every((r) => r.ok) && seconds < 600;
  console.log(
    JSON.stringify({
      bench: 'chaos',
      mode: short ? 'short' : 'full',
      seconds,
      runs: results.map((r) => ({ database: r.database, reports: r.reportsMailedIn, started: r.reportsStarted, approved: r.reportsApproved, lost: r.reportsLost, approvals: r.approvalsApplied, approvalsTwice: r.approvalsTwice, kills: r.kills, dovecotRestarts: r.dovecotRestarts, smtpOutageS: r.smtpOutageMs / 1000, postgresRestarts: r.postgresRestarts, mails: r.mailsDelivered, duplicates: r.duplicates.length, seconds: r.seconds })),
      goal: { startedEqualsMailedIn: true, lost: 0, approvalsTwice: 0, everyReportPublished: true, duplicatesExplained: true, secondsUnder: 600 },
      met,
    }),
  );
  if (!met) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
