// Benchmark of the mail intake through a real Dovecot (started here from Debian's package) on the in-repo
// Temporal test server, SQLite, and an SMTP sink:
//   1. latency: N mails appended one at a time; from APPEND to the receipt accepted by the SMTP server,
//      p50/p95/p99, in total and above Dovecot's ~0.5 s IDLE notification floor (measured here too);
//   2. burst: M mails appended as fast as possible; drain rate, loss and duplicates.
//   npm run bench:intake [-- <one-by-one> <burst>]        (defaults 200 and 1000)
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { migrateToLatest, openDatabase, ReadModel } from '../db/index.js';
import { handleMail } from '../intake/handle.js';
import { MailboxWatcher } from '../intake/mailbox.js';
import { smtpTransport } from '../mail/transport.js';
import { SECRET, testConfig } from '../tests/support/baosong.js';
import { DEFAULT_TEST_USER, startDovecot } from '../tests/support/dovecot.js';
import { mail } from '../tests/support/mails.js';
import { createTestEnv, uniqueTaskQueue } from '../temporal-server/testing.js';
import { smtpSink } from './smtp-sink.js';
import { spawnWorker } from './spawn-worker.js';

const oneByOne = Number(process.argv[2] ?? 200);
const burst = Number(process.argv[3] ?? 1000);

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const fmt = (values: number[]) => `p50 ${pct(values, 50).toFixed(0)} ms, p95 ${pct(values, 95).toFixed(0)} ms, p99 ${pct(values, 99).toFixed(0)} ms`;

async function main(): Promise<void> {
  const env = await createTestEnv();
  const sink = await smtpSink();
  const dovecot = await startDovecot();
  const dataDir = mkdtempSync(join(tmpdir(), 'baosong-bench-intake-'));
  const config = testConfig({ smtpPort: sink.port, dataDir, taskQueue: uniqueTaskQueue('bench-intake') });
  const database = await openDatabase({ file: join(dataDir, 'baosong.db') });
  await migrateToLatest(database);
  const readModel = new ReadModel(database);
  const transport = smtpTransport({ host: '127.0.0.1', port: sink.port, secure: false, pool: true });
  // The worker in its own process, as `baosong worker` runs beside `baosong intake`.
  const worker = await spawnWorker({ address: env.address, taskQueue: config.temporal.taskQueue, smtpPort: sink.port, dataDir });
  const user = DEFAULT_TEST_USER.user;
  const heard = new Map<number, number>();
  const watcher = new MailboxWatcher({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user, pass: DEFAULT_TEST_USER.password },
    handle: (message) => {
      heard.set(message.uid, performance.now());
      return handleMail({ config, client: env.client, readModel, transport, secret: SECRET }, message);
    },
  });
  // The "mail client" that delivers: one connection, reused, like an MTA.
  const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user, pass: DEFAULT_TEST_USER.password }, logger: false });
  await client.connect();

  const receiptFor = (id: string) => sink.deliveries.filter((d) => d.kind === 'receipt' && d.inReplyTo === id);
  const waitReceipts = async (ids: string[], timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && !ids.every((id) => receiptFor(id).length > 0)) await new Promise((r) => setTimeout(r, 5));
  };
  const report = (i: number, id: string) => mail({ from: '刘芳 <liufang@school.test>', subject: `【教育教学】基准测试 ${i}`, body: `时间：2026-11-26 15:00\n第 ${i} 份。`, messageId: id });

  {
    await watcher.start();
    // Warm-up (workflow bundle, first isolate).
    const warm = `<warm-${randomUUID()}@school.test>`;
    await client.append('INBOX', report(0, warm));
    await waitReceipts([warm], 60_000);

    const total: number[] = [];
    const notice: number[] = [];
    for (let i = 0; i < oneByOne; i++) {
      const id = `<lat-${i}-${randomUUID()}@school.test>`;
      const t0 = performance.now();
      const appended = await client.append('INBOX', report(i, id));
      await waitReceipts([id], 30_000);
      const receipt = receiptFor(id)[0];
      if (!receipt) throw new Error(`no receipt for mail ${i}`);
      total.push(receipt.at - t0);
      const heardAt = appended && typeof appended === 'object' ? heard.get(Number(appended.uid)) : undefined;
      if (heardAt !== undefined) notice.push(heardAt - t0);
    }
    const overhead = total.map((t, i) => t - (notice[i] ?? 0));
    console.log(`intake latency, ${oneByOne} mails one by one (APPEND → receipt accepted by SMTP): ${fmt(total)}`);
    console.log(`  of which Dovecot's IDLE notice (APPEND → handler called): ${fmt(notice)}`);
    console.log(`  baosong's own part (handler called → receipt accepted): ${fmt(overhead)}`);

    const ids = Array.from({ length: burst }, (_, i) => `<burst-${i}-${randomUUID()}@school.test>`);
    let handledInBurst = 0;
    let drained = 0;
    watcher.on('handled', () => {
      handledInBurst++;
      drained = performance.now();
    });
    const b0 = performance.now();
    for (const [i, id] of ids.entries()) await client.append('INBOX', report(i, id));
    const appendedIn = (performance.now() - b0) / 1000;
    await waitReceipts(ids, 600_000);
    const last = Math.max(...ids.flatMap((id) => receiptFor(id).map((d) => d.at)));
    const seconds = (last - b0) / 1000;
    const lost = ids.filter((id) => receiptFor(id).length === 0).length;
    const duplicated = ids.filter((id) => receiptFor(id).length > 1).length;
    while (handledInBurst < burst) await new Promise((r) => setTimeout(r, 50));
    const drainSeconds = (drained - b0) / 1000;
    console.log(`burst: ${burst} mails appended in ${appendedIn.toFixed(1)} s; inbox drained (every mail's workflow started and the mail moved to Processed) after ${drainSeconds.toFixed(1)} s = ${(burst / drainSeconds).toFixed(1)} mails/s`);
    console.log(`  all receipts accepted by SMTP after ${seconds.toFixed(1)} s = ${(burst / seconds).toFixed(1)} receipts/s (bounded by the worker, see bench:lifecycle); lost ${lost}, duplicated ${duplicated}`);
    console.log(`  watcher: ${JSON.stringify(watcher.health().handled)}`);
    await watcher.stop();
  }
  await worker.stop();
  await client.logout();
  transport.close();
  await sink.close();
  await dovecot.stop();
  await database.close();
  await env.teardown();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
