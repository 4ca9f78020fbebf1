// Someone edits the database: a report's row gets a bumped version and the status "published", a forged
// "approved by the principal" event is added, and one real event's detail is no longer JSON. The office's
// report page still answers (the rest of the timeline, the bad row logged), and `baosong reindex` puts back
// what Temporal has — the row, the damaged event — removes the forged one, and says what it changed.
// Real worker on the Temporal test server, real SMTP server, SQLite, the real web server.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadModel } from '../../db/index.js';
import { signInUrl } from '../../mail/links.js';
import { reindex } from '../../ops/reindex.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { approveSignal, statusQuery } from '../../workflows/report.js';
import { SECRET, startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
const damaged: string[] = [];

const LIAISON = { name: '刘芳', email: 'liufang@school.test' };
const HEAD = { name: '王建国', email: 'wangjianguo@school.test' };
const OFFICE = 'zhouxiaomei@school.test';

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  web = await startWeb({ config: h.config, client: env.client, readModel: new ReadModel(h.database, { onDamaged: (p) => damaged.push(p) }), transport: h.transport, secret: SECRET, port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await web?.close();
  await h?.close();
  await env?.teardown();
});

/** A signed-in office session's cookie header (the one-time link opened and confirmed). */
async function officeCookie(): Promise<string> {
  const path = new URL(signInUrl(h.config.web.baseUrl, OFFICE, SECRET).url).pathname;
  const page = await fetch(`${web.url}${path}`);
  const jar = page.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const confirmed = await fetch(`${web.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.join('; '), 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(csrf)}` });
  return [...jar, ...confirmed.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
}

describe('a tampered read model', () => {
  it('the report page shows the rest; reindex puts back the row and the damaged event, removes the forged one, and says so', async () => {
    const { reportId, handle } = await h.submit({
      origin: { kind: 'web', ref: randomUUID() }, from: LIAISON, category: '校园文化', urgency: 'routine', title: '艺术节闭幕式', body: '艺术节圆满闭幕。',
      eventTime: new Date(Date.now() - 30 * 60_000), receivedAt: new Date(), attachments: [],
    });
    await waitForStatus(handle, (s) => s.status === 'in_review');
    await handle.signal(approveSignal, { actor: HEAD, evidence: { via: 'mail', ref: `<${randomUUID()}@school.test>` } });
    const truth = await waitForStatus(handle, (s) => s.step?.index === 1);
    const readModel = h.readModel;
    for (let i = 0; i < 100 && (await readModel.timeline(reportId)).length < truth.timeline.length; i++) await new Promise((r) => setTimeout(r, 100));
    const honest = await readModel.getReport(reportId);
    expect(honest?.version).toBe(truth.timeline.length);

    // The tampering.
    const db = h.database.db;
    await db.updateTable('reports').set({ version: 99, status: 'published' }).where('id', '=', reportId).execute();
    const last = truth.timeline.at(-1)!.seq;
    await readModel.appendEvent({ reportId, seq: last + 1, at: new Date(), type: 'approved', actorEmail: 'zhangguodong@school.test', actorName: '张国栋', step: 2, evidence: null, detail: { round: 1, via: 'web', note: null, refused: null } });
    const victim = truth.timeline.find((e) => e.type === 'approved')!.seq;
    await db.updateTable('report_events').set({ detail: '{"round": 1, "via": "mail", not json' }).where('report_id', '=', reportId).where('seq', '=', victim).execute();

    // The page answers, without the unreadable row, and the row is logged.
    const page = await fetch(`${web.url}/office/reports/${reportId}`, { headers: { cookie: await officeCookie() } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('艺术节闭幕式');
    expect(damaged.some((d) => d.includes(`event ${victim} of ${reportId}`))).toBe(true);

    // Reindex on the same database.
    const lines: string[] = [];
    const result = await reindex({ client: env.client, readModel, log: (l) => lines.push(l) });
    expect(result.failed).toEqual([]);
    const repaired = result.repaired.find((x) => x.reportId === reportId);
    expect(repaired?.changes).toEqual([
      `row put back (version 99 → ${truth.timeline.length}, status published → in_review)`,
      `event ${victim} (approved) replaced by the workflow's (approved; the stored detail was not JSON)`,
      `event ${last + 1} (approved by 张国栋) removed: the workflow never had it`,
    ]);
    expect(lines).toContain(`reindex: ${reportId}: event ${last + 1} (approved by 张国栋) removed: the workflow never had it`);

    const now = await handle.query(statusQuery);
    const row = await readModel.getReport(reportId);
    expect({ version: row?.version, status: row?.status, step: row?.currentStep }).toEqual({ version: now.timeline.length, status: 'in_review', step: 1 });
    expect((await readModel.timeline(reportId)).map((e) => `${e.seq}:${e.type}:${e.actorName ?? ''}`)).toEqual(now.timeline.map((e) => `${e.seq}:${e.type}:${e.actor?.name ?? ''}`));

    // A second run finds nothing to change.
    expect((await reindex({ client: env.client, readModel })).repaired).toEqual([]);
  }, 120_000);
});
