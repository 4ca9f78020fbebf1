/**
 * The fuzz harness (npm run fuzz, and a short run in tests/intake/fuzz.test.ts): hostile mails through the
 * real parser and the real handler (handleMail, in-process), against a real SQLite read model, a real SMTP
 * server, and the real report workflows on the in-repo Temporal test server with the real worker: signals
 * really reach the workflows (no recording stub). Three reports are opened first, so that tokens, forwards
 * and auto-replies have something real to aim at.
 */
import { statusQuery } from '../../workflows/report.js';
import { handleMail, type IntakeDeps } from '../../intake/handle.js';
import type { Disposition } from '../../intake/mailbox.js';
import { SECRET, startHarness } from './baosong.js';
import { hostileMail, prng, type FuzzContext, type FuzzTarget } from './hostile-mails.js';
import { mail } from './mails.js';
import { createTestEnv } from './temporal.js';

export interface FuzzSummary {
  fuzz: 'intake';
  mails: number;
  seed: number;
  concurrency: number;
  processed: number;
  quarantined: number;
  /** handleMail threw (the watcher would retry, then quarantine): must be 0. */
  crashes: number;
  unhandledRejections: number;
  /** A disposition without a folder, or a quarantine without a reason: must be 0. */
  withoutReason: number;
  /** Approvals recorded anywhere (timeline of any report): must be 0. */
  approvals: number;
  shapes: Record<string, number>;
  msPerMail: { p50: number; p95: number; p99: number; max: number };
  cpuMsPerMail: number;
  wallSeconds: number;
  firstCrashes: { shape: string; error: string }[];
  ok: boolean;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * `concurrency`: mails handled at once (default 1, as the intake does). More keeps the machine busy while a
 * mail waits for Temporal; each mail's time is then measured under that load.
 */
export async function runFuzz(options: { count: number; seed?: number; concurrency?: number; onProgress?: (done: number) => void }): Promise<FuzzSummary> {
  const seed = options.seed ?? 20261127;
  let unhandled = 0;
  const onUnhandled = () => void unhandled++;
  process.on('unhandledRejection', onUnhandled);
  const env = await createTestEnv();
  const h = await startHarness(env);
  try {
    const deps: IntakeDeps = { config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET };
    const config = h.config;
    const people = [...config.departments.flatMap((d) => [d.head, ...d.liaisons, ...d.members]), ...config.office.reviewers, ...config.leadership];
    const staff = [...new Set(people.map((p) => `=?UTF-8?B?${Buffer.from(p.name).toString('base64')}?= <${p.email}>`))];

    // Three open reports, each waiting for its department head.
    const targets: FuzzTarget[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await handleMail(deps, { uid: i + 1, raw: mail({ from: '刘芳 <liufang@school.test>', subject: `【教育教学】模糊测试靶子 ${i}`, body: `靶子 ${i}：公开课周顺利结束。` }), internalDate: new Date(), size: 0 });
      if (d.folder !== 'processed') throw new Error(`could not open a target report: ${JSON.stringify(d)}`);
      const [request] = await h.smtp.waitFor((m) => m.kind === 'review_request' && m.subject.includes(`模糊测试靶子 ${i}`));
      targets.push({ reportId: request!.reportId!, holder: `王建国 <${request!.to[0]}>`, replyTo: request!.replyTo!, requestMessageId: request!.messageId, requestSubject: request!.subject });
    }
    const ctx: FuzzContext = { inbox: config.mail.address, staff, targets, ours: h.smtp.mails.map((m) => m.raw) };

    const rng = prng(seed);
    const times: number[] = [];
    const shapes: Record<string, number> = {};
    const firstCrashes: FuzzSummary['firstCrashes'] = [];
    let crashes = 0;
    let processed = 0;
    let quarantined = 0;
    let withoutReason = 0;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    let next = 0;
    let done = 0;
    const lane = async () => {
      while (next < options.count) {
        const i = next++;
        const m = hostileMail(rng, ctx);
        shapes[m.shape] = (shapes[m.shape] ?? 0) + 1;
        const t0 = performance.now();
        let d: Disposition | undefined;
        try {
          d = await handleMail(deps, { uid: 100 + i, raw: m.raw, internalDate: new Date(), size: m.raw.length });
        } catch (err) {
          crashes++;
          if (firstCrashes.length < 5) firstCrashes.push({ shape: m.shape, error: (err as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(err) });
        }
        times.push(performance.now() - t0);
        if (d?.folder === 'processed') processed++;
        else if (d?.folder === 'quarantine' && typeof d.reason === 'string' && d.reason.trim() !== '') quarantined++;
        else if (d) withoutReason++;
        if (++done % 500 === 0) options.onProgress?.(done);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, lane));
    const cpu = process.cpuUsage(cpu0);
    const wallSeconds = (performance.now() - wall0) / 1000;

    // Let the workflows take every signal sent, then look: no step moved, no approval anywhere.
    await new Promise((r) => setTimeout(r, 2000));
    let approvals = 0;
    for (const t of targets) {
      const s = await env.client.workflow.getHandle((await h.readModel.getReport(t.reportId))!.workflowId).query(statusQuery);
      if (s.step?.index !== 0) approvals++;
    }
    const row = await h.database.db.selectFrom('report_events').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).where('type', '=', 'approved').executeTakeFirst();
    approvals += Number(row?.n ?? 0);

    const sorted = [...times].sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    const summary: FuzzSummary = {
      fuzz: 'intake',
      mails: options.count,
      seed,
      concurrency: Math.max(1, options.concurrency ?? 1),
      processed,
      quarantined,
      crashes,
      unhandledRejections: unhandled,
      withoutReason,
      approvals,
      shapes,
      msPerMail: { p50: round(pct(sorted, 50)), p95: round(pct(sorted, 95)), p99: round(pct(sorted, 99)), max: round(sorted[sorted.length - 1] ?? 0) },
      cpuMsPerMail: round((cpu.user + cpu.system) / 1000 / Math.max(1, options.count)),
      wallSeconds: round(wallSeconds),
      firstCrashes,
      ok: false,
    };
    summary.ok = crashes === 0 && unhandled === 0 && withoutReason === 0 && approvals === 0 && processed + quarantined === options.count;
    return summary;
  } finally {
    await h.close();
    await env.teardown();
    process.off('unhandledRejection', onUnhandled);
  }
}
