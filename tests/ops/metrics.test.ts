// /metrics, read as Prometheus reads it: after real work (a report through the web form and the real
// worker on the Temporal test server, a report sent back, mails at a real SMTP server, mail handled by the
// real intake watcher on Dovecot, a Dovecot restart), the figures a school's operator would chart.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxWatcher, type Disposition } from '../../intake/mailbox.js';
import { observeIntake, temporalTelemetry } from '../../ops/metrics.js';
import { startMetricsServer } from '../../ops/metrics-http.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { sendBackSignal } from '../../workflows/report.js';
import { SECRET, startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { startDovecot, type TestDovecot } from '../support/dovecot.js';
import { freePort } from '../support/ports.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let sdkAddress: string;

/** One sample's value from the Prometheus text: name{labels} value (labels matched as a subset, in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string | undefined> = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

const scrape = async (url: string) => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

beforeAll(async () => {
  // As `baosong worker` does with BAOSONG_TEMPORAL_METRICS set: the SDK serves its own metrics.
  sdkAddress = `127.0.0.1:${await freePort()}`;
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: temporalTelemetry(sdkAddress)! });
  env = await createTestEnv();
  h = await startHarness(env);
  web = await startWeb({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET, port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await web?.close();
  await h?.close();
  await env?.teardown();
});

describe('/metrics', () => {
  it('counts reports, reviews, mails and web requests, and carries the Temporal SDK worker metrics', async () => {
    const before = await scrape(`${web.url}/metrics`);
    const category = '校园文化';
    const r = await h.submit({
      origin: { kind: 'web', ref: randomUUID() },
      from: { name: '刘芳', email: 'liufang@school.test' },
      category,
      urgency: 'major',
      title: '读书节开幕式',
      body: '今天下午举行了读书节开幕式。',
      eventTime: new Date(Date.now() - 3600_000),
      receivedAt: new Date(),
      attachments: [],
    });
    await waitForStatus(r.handle, (s) => s.status === 'in_review');
    await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'review_request');
    // The same submission again (a reload): received twice, started once.
    const second = await h.submit({ origin: { kind: 'web', ref: 'dup-' + r.reportId }, from: { name: '刘芳', email: 'liufang@school.test' }, category, urgency: 'major', title: 'x', body: 'x', eventTime: new Date(Date.now() - 3600_000), receivedAt: new Date(), attachments: [] });
    const again = await h.submit({ origin: { kind: 'web', ref: 'dup-' + r.reportId }, from: { name: '刘芳', email: 'liufang@school.test' }, category, urgency: 'major', title: 'x', body: 'x', eventTime: new Date(Date.now() - 3600_000), receivedAt: new Date(), attachments: [] });
    expect(again.reportId).toBe(second.reportId);
    await waitForStatus(second.handle, (s) => s.status === 'in_review');
    await h.smtp.waitFor((m) => m.reportId === second.reportId && m.kind === 'review_request');
    await fetch(`${web.url}/healthz`);
    await fetch(`${web.url}/status/nonexistent-token`);

    let text = await scrape(`${web.url}/metrics`);
    const labels = { origin: 'web', category, urgency: 'major' };
    const delta = (name: string, l: Record<string, string> = {}) => (sample(text, name, l) ?? 0) - (sample(before, name, l) ?? 0);
    expect(delta('baosong_reports_received_total', labels)).toBe(3);
    expect(delta('baosong_reports_started_total', labels)).toBe(2);
    expect(sample(text, 'baosong_reviews_pending', { step: 'department_head' })).toBe(2);
    expect(sample(text, 'baosong_reviews_overdue', { step: 'department_head' })).toBe(0);
    expect(delta('baosong_mails_sent_total', { kind: 'review_request' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'baosong_web_request_duration_seconds_count', { method: 'GET', route: '/healthz', status: '200' })).toBe(1);
    // By route pattern, not by URL: a token never becomes a label.
    expect(text).not.toContain('nonexistent-token');
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // The SDK's own worker metrics come through (from its exporter at BAOSONG_TEMPORAL_METRICS).
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).toMatch(/^temporal_workflow_task_execution_latency\w*/m);

    // Sent back: returned, by category and urgency (once, however often the record activity ran).
    await r.handle.signal(sendBackSignal, { actor: { name: '王建国', email: 'wangjianguo@school.test' }, evidence: { via: 'mail', ref: `<${randomUUID()}@school.test>` }, reason: '照片不清晰' });
    await waitForStatus(r.handle, (s) => s.status === 'returned');
    await until('the returned count', async () => {
      text = await scrape(`${web.url}/metrics`);
      return delta('baosong_reports_returned_total', { category, urgency: 'major' }) === 1;
    });
    expect(sample(text, 'baosong_reviews_pending', { step: 'department_head' })).toBe(1);
  });

  it('a process without web pages serves the same on its own port', async () => {
    const server = await startMetricsServer({ port: 0 });
    try {
      const text = await scrape(server.url);
      expect(text).toContain('# TYPE baosong_reports_received_total counter');
      expect(text).toMatch(/^temporal_\w+/m);
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('intake metrics', () => {
  let dovecot: TestDovecot;
  beforeAll(async () => {
    dovecot = await startDovecot();
  }, 60_000);
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('state, mails by disposition, latency, quarantine, and reconnects after the IMAP server comes back', async () => {
    const user = dovecot.users[0]!;
    const watcher = new MailboxWatcher({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: user.user, pass: user.password },
      reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
      handle: (m): Promise<Disposition> => Promise.resolve(m.raw.toString('utf8').includes('Subject: junk') ? { folder: 'quarantine', reason: 'not understood' } : { folder: 'processed' }),
    });
    watcher.on('error', () => undefined);
    observeIntake(watcher);
    const metricsServer = await startMetricsServer({ port: 0 });
    const before = await scrape(metricsServer.url);
    const delta = (text: string, name: string, l: Record<string, string> = {}) => (sample(text, name, l) ?? 0) - (sample(before, name, l) ?? 0);
    const raw = (id: string, subject: string) => `From: liufang@school.test\r\nTo: ${user.user}\r\nSubject: ${subject}\r\nMessage-ID: <${id}@school.test>\r\n\r\nbody\r\n`;
    try {
      await watcher.start();
      await dovecot.append(user.user, 'INBOX', raw('m1', 'report'));
      await dovecot.append(user.user, 'INBOX', raw('m2', 'junk'));
      await dovecot.append(user.user, 'INBOX', raw('m3', 'report'));
      let text = '';
      await until('three mails handled', async () => {
        text = await scrape(metricsServer.url);
        return delta(text, 'baosong_intake_mails_total', { disposition: 'processed' }) === 2 && delta(text, 'baosong_intake_mails_total', { disposition: 'quarantined' }) === 1;
      });
      expect(delta(text, 'baosong_intake_quarantined_total')).toBe(1);
      expect(delta(text, 'baosong_intake_latency_seconds_count')).toBe(3);
      expect(sample(text, 'baosong_intake_state', { state: 'idle' })).toBe(1);
      expect(sample(text, 'baosong_intake_state', { state: 'disconnected' })).toBe(0);

      await dovecot.restart({ downMs: 300 });
      await until('the reconnect', async () => {
        text = await scrape(metricsServer.url);
        return delta(text, 'baosong_imap_reconnects_total') === 1 && sample(text, 'baosong_intake_state', { state: 'idle' }) === 1;
      });
    } finally {
      await watcher.stop();
      await metricsServer.close();
    }
  });
});
