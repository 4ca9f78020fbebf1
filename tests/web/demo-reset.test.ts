// After a demo restart the reports are gone from Temporal but their links still verify: in the demo the
// page says the demo was reset; outside it, a missing answer is still "temporarily unavailable".
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { reviseUrl, statusUrl } from '../../mail/links.js';
import { outboxTransport } from '../../mail/transport.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { createTestEnv } from '../support/temporal.js';

const SECRET = 'demo-reset-secret-0123456789abcdef';
let env: TestWorkflowEnvironment;
let database: Database;
const servers: WebServer[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  database = await openDatabase({ file: ':memory:' });
  await migrateToLatest(database);
  // A report the read model remembers from before the restart; its workflow died with the old server.
  await new ReadModel(database).recordReport({
    id: 'R-2026-0007',
    workflowId: 'report-R-2026-0007',
    origin: 'web',
    originRef: 'form-1',
    departmentId: 'jiaowu',
    submitterEmail: 'liufang@school.test',
    category: '校园文化',
    urgency: 'routine',
    title: '读书节开幕',
    eventTime: '2026-11-24T16:00:00+08:00',
    receivedAt: '2026-11-24T17:00:00+08:00',
    dueAt: '2026-11-25T17:30:00+08:00',
    timeliness: 'on_time',
    status: 'in_review',
    currentStep: 0,
    currentStepKind: 'department_head',
    holders: [],
    overdue: false,
    returnedCount: 0,
    updatedAt: '2026-11-24T17:00:00+08:00',
    version: 1,
  });
}, 60_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await database?.close();
  await env?.teardown();
});

async function server(demo: boolean): Promise<WebServer> {
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'), EXAMPLE_CONFIG_FILE);
  const web = await startWeb({ config, demo, client: env.client, readModel: new ReadModel(database), transport: outboxTransport('/nonexistent'), secret: SECRET, port: 0, host: '127.0.0.1' });
  servers.push(web);
  return web;
}

async function statusPage(demo: boolean): Promise<{ status: number; text: string }> {
  const web = await server(demo);
  const link = statusUrl(web.url, 'R-2026-0007', SECRET);
  const res = await fetch(link);
  return { status: res.status, text: await res.text() };
}

/** The liaison's revise link, through Fastify's inject (no socket, no browser: only the answer matters). */
async function revisePage(demo: boolean): Promise<{ status: number; text: string }> {
  const web = await server(demo);
  const link = new URL(reviseUrl(web.url, { reportId: 'R-2026-0007', round: 1, submitter: 'liufang@school.test', issuedAt: new Date(), secret: SECRET }));
  const res = await web.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
  return { status: res.statusCode, text: res.body };
}

describe('an old link after the demo restarted', () => {
  it('in the demo: says the demo was reset and offers the form', async () => {
    const page = await statusPage(true);
    expect(page.status).toBe(410);
    expect(page.text).toContain('演示服务重启过');
    expect(page.text).toContain('href="/submit"');
    expect(page.text).not.toContain('暂时无法查询');
  });

  it('outside the demo: still "temporarily unavailable"', async () => {
    const page = await statusPage(false);
    expect(page.status).toBe(503);
    expect(page.text).toContain('系统暂时无法查询这份报送');
  });

  it('the revise link answers the same way (it said "temporarily unavailable" in the demo too)', async () => {
    const demo = await revisePage(true);
    expect(demo.status).toBe(410);
    expect(demo.text).toContain('演示服务重启过');
    const real = await revisePage(false);
    expect(real.status).toBe(503);
    expect(real.text).toContain('系统暂时无法查询这份报送');
  });
});
