/**
 * A whole baosong back end for tests: the example school's configuration, a real database (SQLite file
 * or PostgreSQL), a real SMTP server catching mail, and the real worker on the Temporal test
 * environment. Used by the workflow suites.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { ChatRobots } from '../../chat/index.js';
import { EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import type { ReportStatusView } from '../../domain/lifecycle.js';
import { smtpTransport, type MailTransport } from '../../mail/transport.js';
import { submitReport, type Submission } from '../../intake/submit.js';
import { approveSignal, statusQuery, type reportWorkflow } from '../../workflows/report.js';
import { WORKFLOWS_PATH } from '../../worker/index.js';
import type { WebOptions, WebServer } from '../../web/server.js';
import { freePort } from './ports.js';
import { startSmtpServer, type CaughtMail, type TestSmtpServer } from './smtp.js';
import type { Page } from 'playwright-core';
import { createTestWorker, uniqueTaskQueue } from './temporal.js';

export const SECRET = 'test-secret-for-reply-tokens-0123456789';

/** The workflow code for a test worker: the bundle made once per run (tests/support/global-setup.ts), else the sources. */
export function testWorkflowCode(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const bundle = process.env.BAOSONG_TEST_WORKFLOW_BUNDLE;
  return bundle && existsSync(bundle) ? { workflowBundle: { codePath: bundle } } : { workflowsPath: WORKFLOWS_PATH };
}

export interface Harness {
  env: TestWorkflowEnvironment;
  config: Config;
  database: Database;
  readModel: ReadModel;
  smtp: TestSmtpServer;
  transport: MailTransport;
  worker: Worker;
  /** Starts a (new) worker on the same task queue; the previous one must be shut down first. */
  startWorker(options?: { maxCachedWorkflows?: number }): Promise<Worker>;
  /** Shuts the worker down and waits until it has stopped (no poll of it can take a task after this). */
  stopWorker(): Promise<void>;
  submit(submission: Submission): Promise<{ reportId: string; workflowId: string; handle: WorkflowHandle<typeof reportWorkflow> }>;
  close(): Promise<void>;
}

export function testConfig(overrides: { smtpPort: number; dataDir: string; taskQueue: string }): Config {
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'), EXAMPLE_CONFIG_FILE);
  return {
    ...config,
    dataDir: overrides.dataDir,
    temporal: { ...config.temporal, taskQueue: overrides.taskQueue },
    mail: { ...config.mail, smtp: { host: '127.0.0.1', port: overrides.smtpPort, secure: false, pool: false } },
  };
}

export interface HarnessOptions {
  /** PostgreSQL database URL (default: an SQLite file). */
  url?: string;
  /** Changes to the example school's configuration (chat robots, …). */
  configure?: (config: Config) => Config;
  /** The environment the chat robots read their keys and secrets from (default: process.env). */
  chatEnv?: NodeJS.ProcessEnv;
}

export async function startHarness(env: TestWorkflowEnvironment, db: HarnessOptions = {}): Promise<Harness> {
  const smtp = await startSmtpServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'baosong-data-'));
  const base = testConfig({ smtpPort: smtp.port, dataDir, taskQueue: uniqueTaskQueue('reports') });
  const config = db.configure ? db.configure(base) : base;
  const database = await openDatabase(db.url ? { url: db.url } : { file: join(dataDir, 'baosong.db') });
  await migrateToLatest(database);
  const readModel = new ReadModel(database);
  const transport = smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false });
  const activities = createActivities({ config, database, readModel, transport, secret: SECRET, chat: new ChatRobots(config, { env: db.chatEnv ?? process.env }) });

  let worker: Worker;
  let running: Promise<void> = Promise.resolve();
  async function startWorker(options: { maxCachedWorkflows?: number } = {}): Promise<Worker> {
    worker = await createTestWorker(env, { taskQueue: config.temporal.taskQueue, ...testWorkflowCode(), activities, ...options });
    running = worker.run();
    return worker;
  }
  await startWorker();

  return {
    env,
    config,
    database,
    readModel,
    smtp,
    transport,
    get worker() {
      return worker;
    },
    startWorker,
    async stopWorker() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
    async submit(submission) {
      const r = await submitReport({ client: env.client, config, readModel }, submission);
      return { ...r, handle: env.client.workflow.getHandle<typeof reportWorkflow>(r.workflowId) };
    },
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      transport.close();
      await smtp.close();
      await database.close();
    },
  };
}

/** Polls the workflow's `status` query until `predicate` holds (the workflow works asynchronously). */
export async function waitForStatus(
  handle: WorkflowHandle<typeof reportWorkflow>,
  predicate: (s: ReportStatusView) => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<ReportStatusView> {
  const deadline = Date.now() + timeoutMs;
  let last: ReportStatusView | undefined;
  for (;;) {
    last = await handle.query(statusQuery);
    if (await predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the report; last status ${JSON.stringify({ status: last.status, step: last.step, overdue: last.overdue, timeline: last.timeline.map((e) => e.type) })}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each step's holder approves in turn by a mail reply (the example chain: the department head, then the office). */
export async function approveInTurn(handle: WorkflowHandle<typeof reportWorkflow>, ...holders: { name: string; email: string }[]): Promise<void> {
  for (const [step, actor] of holders.entries()) {
    if (step > 0) await waitForStatus(handle, (s) => s.step?.index === step);
    await handle.signal(approveSignal, { actor, evidence: { via: 'mail', ref: `<${randomUUID()}@school.test>` } });
  }
}

/**
 * The web pages for a harness on a free loopback port; the links in its mail point there (`base`).
 * `options` adds to or overrides what startWeb gets (rate limits, a logger, …).
 */
export async function startHarnessWeb(h: Harness, options: Partial<WebOptions> = {}): Promise<{ web: WebServer; base: string }> {
  // Loaded here, not at the top: bench/worker-process.ts imports this module and must stay a bare worker.
  const { startWeb } = await import('../../web/server.js');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  h.config.web = { ...h.config.web, port, baseUrl: base };
  const web = await startWeb({ config: h.config, client: h.env.client, readModel: h.readModel, transport: h.transport, secret: SECRET, port, host: '127.0.0.1', ...options });
  return { web, base };
}

/** The links of a caught mail's HTML, as a person would click them. */
export function linksIn(mail: CaughtMail): string[] {
  return [...mail.html.matchAll(/href="([^"]+)"/g)].map((x) => (x[1] ?? '').replace(/&amp;/g, '&'));
}

/** Signs `email` in to /office on `page` the way a person does: the form, the mailed link, 登录. */
export async function signInOffice(h: Harness, page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/office/signin`);
  await page.fill('#email', email);
  await page.click('button[type=submit]');
  const [signin] = await h.smtp.waitFor((m) => m.kind === 'signin' && m.to.includes(email));
  await page.goto(linksIn(signin!).find((l) => l.includes('/office/signin/'))!);
  await page.click('#sign-in');
  await page.waitForSelector('#mail-desk');
}
