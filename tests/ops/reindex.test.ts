// `baosong reindex`: the read model is lost mid-term (its PostgreSQL database dropped) and rebuilt from
// the workflows in Temporal into an empty one: the dashboard's rows, each report's timeline, the expected
// reports, the weekly digest's figures and the report numbers come back the same. Real worker, real
// Temporal test server, real PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { computeDigest } from '../../digest/figures.js';
import { weekOf } from '../../digest/weeks.js';
import { registerExpectation } from '../../intake/expected.js';
import { reindex } from '../../ops/reindex.js';
import { approveSignal, markPublishedSignal, sendBackSignal } from '../../workflows/report.js';
import { startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let pg: PostgresServer;
let h: Harness;
let lostUrl: string;

const LIAISON = { name: '刘芳', email: 'liufang@school.test' };
const evidence = () => ({ via: 'mail' as const, ref: `<${randomUUID()}@school.test>` });

beforeAll(async () => {
  env = await createTestEnv();
  pg = await startPostgres();
  lostUrl = await pg.createDatabase('lost');
  h = await startHarness(env, { url: lostUrl });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  await pg?.stop();
});

async function figures(database: Database, now: Date) {
  const readModel = new ReadModel(database);
  // updatedAt is bookkeeping (when the row was last written), shown nowhere: a rebuild writes each row once.
  const reports = (await readModel.listReports({ limit: 1000 })).map(({ updatedAt: _u, ...r }) => r);
  const timelines = await Promise.all(reports.map((r) => readModel.timeline(r.id)));
  const published = await Promise.all(reports.map((r) => readModel.getPublished(r.id)));
  const expected = (await readModel.listExpected()).map(({ source: _s, createdAt: _c, updatedAt: _u, ...e }) => e);
  const tz = h.config.school.timeZone;
  const digest = await computeDigest(database, { week: weekOf(now, tz), timeZone: tz, departments: h.config.departments.map((d) => ({ id: d.id, name: d.name })), baseUrl: h.config.web.baseUrl, now });
  return { reports, timelines: timelines.map((t) => t.map(({ id: _id, ...e }) => e)), published, expected, digest };
}

describe('baosong reindex', () => {
  it('rebuilds the dashboard, timelines, expected reports, digest figures and report numbers from Temporal', async () => {
    const submit = (title: string, urgency: 'routine' | 'urgent') =>
      h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: LIAISON, category: '校园文化', urgency, title, body: `${title}：正文。`, eventTime: new Date(Date.now() - 30 * 60_000), receivedAt: new Date(), attachments: [] });

    // Published: approved at every step.
    const published = await submit('读书节开幕式', 'routine');
    for (;;) {
      const s = await waitForStatus(published.handle, (v) => v.status !== 'received');
      if (s.status !== 'in_review' || !s.step) break;
      await published.handle.signal(approveSignal, { actor: s.step.holders[0]!, evidence: evidence() });
      await waitForStatus(published.handle, (v) => v.status !== 'in_review' || v.step?.index !== s.step?.index || v.round !== s.round);
    }
    // The editor confirms the publication, with its page.
    await waitForStatus(published.handle, (v) => v.status === 'approved');
    await published.handle.signal(markPublishedSignal, { actor: { name: '谢雨桐', email: 'xieyutong@school.test' }, evidence: evidence(), url: 'https://www.school.test/news/7.html' });
    await waitForStatus(published.handle, (v) => v.status === 'published');

    // Returned with a reason.
    const returned = await submit('运动会通讯稿', 'routine');
    const r = await waitForStatus(returned.handle, (v) => v.status === 'in_review');
    await returned.handle.signal(sendBackSignal, { actor: r.step!.holders[0]!, evidence: evidence(), reason: '照片不清晰' });
    await waitForStatus(returned.handle, (v) => v.status === 'returned');

    // Waiting for review and overdue (urgent: due within hours).
    const overdue = await submit('消防演练', 'urgent');
    await waitForStatus(overdue.handle, (v) => v.status === 'in_review');
    const expectation = await registerExpectation({ client: env.client, config: h.config, readModel: h.readModel }, { departmentId: 'jiaowu', title: '校园开放日', eventEnd: new Date(Date.now() + 86_400_000), urgency: 'routine', source: 'cli' });
    await env.sleep('3 hours');
    await waitForStatus(overdue.handle, (v) => v.overdue);

    // Let the record activities settle, then take the figures the office sees.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = new Date();
    const before = await figures(h.database, now);
    expect(before.reports).toHaveLength(3);
    expect(before.reports.map((x) => x.status).sort()).toEqual(['in_review', 'published', 'returned']);
    expect(before.expected.map((e) => e.id)).toContain(expectation.id);

    // The database is lost: dropped, with everything in it.
    await h.database.close();
    const admin = await openDatabase({ url: pg.url });
    await sql.raw(`drop database "${new URL(lostUrl).pathname.slice(1)}" with (force)`).execute(admin.db);
    await admin.close();

    // Rebuilt into an empty database.
    const fresh = await openDatabase({ url: await pg.createDatabase('rebuilt') });
    try {
      await migrateToLatest(fresh);
      const result = await reindex({ client: env.client, readModel: new ReadModel(fresh) });
      expect(result.failed).toEqual([]);
      expect(result.reports).toBe(3);
      expect(result.expected).toBeGreaterThanOrEqual(1);

      const after = await figures(fresh, now);
      expect(after.reports).toEqual(before.reports);
      expect(after.timelines).toEqual(before.timelines);
      expect(after.published).toEqual(before.published);
      expect(after.expected).toEqual(before.expected);
      expect(after.digest).toEqual(before.digest);

      // Numbers continue after the highest one; an origin keeps its number.
      const year = Number(published.reportId.slice(2, 6));
      expect(await new ReadModel(fresh).allocateReportNumber(`web:${randomUUID()}`, year)).toBe(`R-${year}-0004`);
      const origin = before.reports.find((x) => x.id === published.reportId)!;
      expect(await new ReadModel(fresh).allocateReportNumber(`${origin.origin}:${origin.originRef}`, year)).toBe(published.reportId);
    } finally {
      await fresh.close();
    }
  });
});
