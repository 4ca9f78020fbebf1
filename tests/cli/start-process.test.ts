// `baosong start` as a user runs it (bin/baosong.js in a process of its own) against a real Dovecot, a real
// SMTP server and our Temporal test server: the worker runs in a child process, the log says each mail
// once, no deprecation warning, and signals and failures reach both processes.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, uniqueTaskQueue } from '../../temporal-server/testing.js';
import { SECRET, testConfig } from '../support/baosong.js';
import { DEFAULT_TEST_USER, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { mail } from '../support/mails.js';
import { freePort } from '../support/ports.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

let env: TestWorkflowEnvironment;
let dovecot: TestDovecot;
let smtp: TestSmtpServer;

beforeAll(async () => {
  env = await createTestEnv();
  dovecot = await startDovecot();
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await smtp?.close();
  await dovecot?.stop();
  await env?.teardown();
});

async function start(extraEnv: NodeJS.ProcessEnv = {}): Promise<{ service: ServiceProcess; base: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-start-process-'));
  const config = testConfig({ smtpPort: smtp.port, dataDir: join(dir, 'data'), taskQueue: uniqueTaskQueue('start-process') });
  config.mail.imap = { host: dovecot.host, port: dovecot.port, secure: false, user: DEFAULT_TEST_USER.user, passwordEnv: 'TEST_IMAP_PASSWORD', mailbox: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine' };
  const port = await freePort();
  config.web = { ...config.web, port, baseUrl: `http://127.0.0.1:${port}` };
  const service = await startServiceProcess({ config, dir, env: { TEMPORAL_ADDRESS: env.address, TEST_IMAP_PASSWORD: DEFAULT_TEST_USER.password, BAOSONG_SECRET: SECRET, DATABASE_URL: '', BAOSONG_CONFIG: '', ...extraEnv } });
  return { service, base: config.web.baseUrl };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('baosong start (a process, its worker in a child)', () => {
  it('answers mailed reports, logs each mail once without warnings, and stops both processes on SIGTERM', async () => {
    const { service, base } = await start();
    const worker = service.workerPid();
    expect(worker).toBeGreaterThan(0);
    expect(worker).not.toBe(service.pid);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean; worker: string };
    expect(health).toMatchObject({ ok: true, worker: 'RUNNING' });

    const ids = [0, 1, 2].map(() => `<${randomUUID()}@school.test>`);
    for (const [i, id] of ids.entries()) await dovecot.append(DEFAULT_TEST_USER.user, 'INBOX', mail({ from: '刘芳 <liufang@school.test>', subject: `【教育教学】进程联调 ${i}`, body: '一份报送。', messageId: id }));
    for (const id of ids) await smtp.waitFor((m) => m.kind === 'receipt' && m.inReplyTo === id, 1, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(service.handledLines()).toBe(3);
    expect(service.lines.filter((l) => /Warning|FSTDEP/.test(l))).toEqual([]);

    expect(await service.stop()).toBe(0);
    expect(alive(worker)).toBe(false);
  }, 180_000);

  it('writes one log stream: every line pino JSON, the Temporal SDK’s and the web requests’ included, no link token', async () => {
    const { service, base } = await start({ TEMPORAL_LOG_LEVEL: 'INFO' });
    const id = `<${randomUUID()}@school.test>`;
    await dovecot.append(DEFAULT_TEST_USER.user, 'INBOX', mail({ from: '刘芳 <liufang@school.test>', subject: '【教育教学】日志联调', body: '一份报送。', messageId: id }));
    const [receipt] = await smtp.waitFor((m) => m.kind === 'receipt' && m.inReplyTo === id, 1, 60_000);
    const statusLink = [...receipt!.html.matchAll(/href="([^"]+\/status\/[^"]+)"/g)].map((m) => m[1]!)[0]!;
    expect(new URL(statusLink).origin).toBe(base);
    expect((await fetch(statusLink)).status).toBe(200);
    const token = new URL(statusLink).pathname.split('/').at(-1)!;
    expect(await service.stop()).toBe(0);

    const entries = service.lines.filter((l) => l.trim() !== '').map((line) => {
      try {
        return JSON.parse(line) as { part?: string; reqId?: string; req?: { url?: string }; msg?: string; sdkComponent?: string; workflowId?: string; attempt?: number; mails?: string[] };
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    // The SDK's own lines (worker state, from the child process's worker) are pino lines too.
    expect(entries.some((e) => e.part === 'temporal' && e.sdkComponent === 'worker')).toBe(true);
    // Activities log with their report (the workflow id) and attempt.
    const settled = entries.find((e) => e.msg === 'report step settled' && e.mails?.includes('receipt'));
    expect(settled).toMatchObject({ sdkComponent: 'activity', attempt: 1, workflowId: expect.stringMatching(/^report-mail-/) as string });
    const request = entries.find((e) => e.part === 'web' && e.req?.url?.startsWith('/status/'));
    expect(request?.reqId).toBeTruthy();
    expect(request?.req?.url).toContain('…');
    expect(service.lines.join('\n')).not.toContain(token);
    expect(service.lines.join('\n')).not.toContain(SECRET);
  }, 180_000);

  it('stops with a non-zero exit code, naming the worker, when the worker process dies', async () => {
    const { service } = await start();
    process.kill(service.workerPid(), 'SIGKILL');
    const code = await service.exited;
    expect(code).toBe(1);
    expect(service.lines.join('\n')).toMatch(/the worker process \(pid \d+\) exited/);
  }, 180_000);
});
