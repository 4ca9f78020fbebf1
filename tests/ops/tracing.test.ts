// Tracing, read back from an in-memory span exporter: one report's trace goes mail in → StartWorkflow →
// the workflow → its activities → the mail out at the SMTP server, with the real worker (its
// OpenTelemetry plugin) on the Temporal test server; and a web request's span carries the caller's trace.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { submitReport } from '../../intake/submit.js';
import { smtpTransport } from '../../mail/transport.js';
import { inSpan, startTracing, tracingWanted, type Tracing } from '../../ops/tracing.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { WORKFLOWS_PATH } from '../../worker/index.js';
import { SECRET, testConfig } from '../support/baosong.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let env: TestWorkflowEnvironment;
let smtp: TestSmtpServer;
let database: Database;
let worker: Worker;
let running: Promise<void>;
let web: WebServer;
let client: Client;
let config: ReturnType<typeof testConfig>;

beforeAll(async () => {
  tracing = (await startTracing({ spanProcessor: new SimpleSpanProcessor(exporter), serviceName: 'baosong-test' }))!;
  env = await createTestEnv();
  smtp = await startSmtpServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'baosong-trace-'));
  config = testConfig({ smtpPort: smtp.port, dataDir, taskQueue: uniqueTaskQueue('traced') });
  database = await openDatabase({ file: join(dataDir, 'baosong.db') });
  await migrateToLatest(database);
  const readModel = new ReadModel(database);
  const transport = smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false });
  worker = await createTestWorker(env, { taskQueue: config.temporal.taskQueue, workflowsPath: WORKFLOWS_PATH, activities: createActivities({ config, database, readModel, transport, secret: SECRET }), plugins: [tracing.plugin] });
  running = worker.run();
  client = new Client({ connection: env.client.connection, namespace: env.namespace ?? 'default', interceptors: { workflow: [tracing.clientInterceptor] } });
  web = await startWeb({ config, client, readModel, transport, secret: SECRET, port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await web?.close();
  worker?.shutdown();
  await running;
  await tracing?.shutdown();
  await database?.close();
  await smtp?.close();
  await env?.teardown();
});

const spans = () => exporter.getFinishedSpans();
const parentOf = (s: ReadableSpan) => s.parentSpanId;

describe('tracing', () => {
  it('is off unless an OTLP endpoint is set by the standard variables', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });

  it('one trace from the mail in to the mails out', async () => {
    // As the intake does for each mail (worker/service.ts): handling it runs inside a "mail in" span.
    const r = await inSpan('mail in', { 'baosong.imap.uid': 1 }, () =>
      submitReport({ client, config, readModel: new ReadModel(database) }, { origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` }, from: { name: '刘芳', email: 'liufang@school.test' }, category: '校园文化', urgency: 'routine', title: '读书节', body: '正文', eventTime: new Date(Date.now() - 3600_000), receivedAt: new Date(), attachments: [] }),
    );
    await smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'review_request');
    const deadline = Date.now() + 15_000;
    let mailIn: ReadableSpan | undefined;
    let trace: ReadableSpan[];
    for (;;) {
      mailIn = spans().find((s) => s.name === 'mail in');
      trace = spans().filter((s) => s.spanContext().traceId === mailIn?.spanContext().traceId);
      if (trace.filter((s) => s.name === 'mail out').length >= 2 && trace.some((s) => s.name === 'RunActivity:settleReport')) break;
      if (Date.now() > deadline) throw new Error(`spans so far: ${spans().map((s) => s.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const names = trace.map((s) => s.name);
    expect(names).toContain('StartWorkflow:reportWorkflow');
    expect(names).toContain('StartActivity:settleReport');
    expect(names).toContain('RunActivity:settleReport');
    // The chain: mail in ← StartWorkflow ← (the workflow's own RunWorkflow span, exported when the run ends:
    // a report's runs for days) ← StartActivity ← RunActivity ← mail out.
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const start = trace.find((s) => s.name === 'StartWorkflow:reportWorkflow')!;
    expect(parentOf(start)).toBe(mailIn!.spanContext().spanId);
    const run = trace.find((s) => s.name === 'RunActivity:settleReport')!;
    expect(byId.get(parentOf(run) ?? '')?.name).toBe('StartActivity:settleReport');
    for (const out of trace.filter((s) => s.name === 'mail out')) {
      expect(byId.get(parentOf(out) ?? '')?.name).toMatch(/^RunActivity:/);
      expect(out.attributes['baosong.report']).toBe(r.reportId);
    }
    expect(trace.filter((s) => s.name === 'mail out').map((s) => s.attributes['baosong.mail.kind'])).toEqual(expect.arrayContaining(['receipt', 'review_request']));
  });

  it('a web request is a span named by its route, in the caller’s trace', async () => {
    const traceId = 'f'.repeat(32);
    const res = await fetch(`${web.url}/healthz`, { headers: { traceparent: `00-${traceId}-${'a'.repeat(16)}-01` } });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 5000;
    let span: ReadableSpan | undefined;
    while (!(span = spans().find((s) => s.name === 'HTTP GET /healthz')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.attributes['http.response.status_code']).toBe(200);
  });
});
