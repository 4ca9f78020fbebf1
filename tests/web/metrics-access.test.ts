// /metrics on the web port answers only this machine and web.metricsAllow; /healthz answers everyone, but
// with ok and each part's state only — the last error (here an IMAP login failure naming the mailbox) and
// the counts only for the same addresses. A visitor's address is the one the trusted proxy appended
// (web.trustProxy); a request that came through a proxy baosong was not told about is from outside.
// Real web server and SQLite; Temporal is not needed for these pages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { smtpTransport } from '../../mail/transport.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { SECRET, testConfig } from '../support/baosong.js';

const LOGIN_ERROR = 'IMAP login refused for baosong@school.test: AUTHENTICATIONFAILED';
const health = () => ({
  ok: false,
  worker: 'RUNNING',
  intake: { state: 'disconnected', backlog: 12, lastError: { at: new Date(), message: LOGIN_ERROR }, summary: `intake disconnected: ${LOGIN_ERROR}` },
  chat: [{ name: 'office-dingtalk', state: 'failing', message: 'errmsg: token=abc123 invalid' }],
});

let web: WebServer | undefined;
let database: Database;
// One database for the file: the process's metrics read the first read model they are given.
beforeAll(async () => {
  database = await openDatabase({ file: join(mkdtempSync(join(tmpdir(), 'baosong-metrics-access-')), 'baosong.db') });
  await migrateToLatest(database);
});
afterEach(async () => {
  await web?.close();
});
afterAll(async () => {
  await database?.close();
});

async function start(web_: { trustProxy?: false | string[]; metricsAllow?: string[] }): Promise<WebServer> {
  const config = testConfig({ smtpPort: 9, dataDir: mkdtempSync(join(tmpdir(), 'baosong-metrics-access-')), taskQueue: 'unused' });
  config.web = { ...config.web, ...web_ };
  web = await startWeb({
    config, client: new Client(), readModel: new ReadModel(database), secret: SECRET, port: 0, host: '127.0.0.1', health,
    transport: smtpTransport({ host: '127.0.0.1', port: 9, secure: false, pool: false }),
  });
  return web;
}

const get = async (url: string, forwardedFor?: string) => {
  const res = await fetch(url, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
  return { status: res.status, text: await res.text() };
};

describe('/metrics and /healthz on the web port', () => {
  test('behind the trusted proxy: the monitoring network and this machine read everything, a visitor gets 403 and the states only', async () => {
    const { url } = await start({ trustProxy: ['127.0.0.1'], metricsAllow: ['203.0.113.0/24'] });

    // This machine (curl on the server): everything.
    expect((await get(`${url}/metrics`)).status).toBe(200);
    const local = await get(`${url}/healthz`);
    expect(local.status).toBe(503);
    expect(local.text).toContain(LOGIN_ERROR);

    // The monitoring server, through the proxy.
    const monitor = await get(`${url}/metrics`, '203.0.113.9');
    expect(monitor.status).toBe(200);
    expect(monitor.text).toMatch(/^process_cpu_seconds_total/m);
    expect((await get(`${url}/healthz`, '203.0.113.9')).text).toContain(LOGIN_ERROR);

    // A visitor, through the proxy (even one who writes a loopback address first).
    for (const visitor of ['198.51.100.7', '127.0.0.1, 198.51.100.7']) {
      const metrics = await get(`${url}/metrics`, visitor);
      expect(metrics.status).toBe(403);
      expect(metrics.text).toContain('运行指标只对本机和 web.metricsAllow 中列出的地址开放');
      expect(metrics.text).not.toContain('process_cpu_seconds_total');
      const healthz = await get(`${url}/healthz`, visitor);
      expect(healthz.status).toBe(503);
      expect(JSON.parse(healthz.text)).toEqual({ ok: false, worker: 'RUNNING', intake: 'disconnected', chat: ['failing'] });
    }
  });

  test('behind a proxy baosong was not told about (every request from loopback): forwarded requests count as outside', async () => {
    const { url } = await start({});
    expect((await get(`${url}/metrics`)).status).toBe(200);
    expect((await get(`${url}/metrics`, '198.51.100.7')).status).toBe(403);
    expect((await get(`${url}/healthz`, '198.51.100.7')).text).not.toContain('AUTHENTICATIONFAILED');
  });
});
