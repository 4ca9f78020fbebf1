// The bureau's figures across its schools (issue 25, digest/district-figures.ts): what each school counts in a
// week, and that each of the four counts is answered from an index alone (0010-district-figures) — at 200
// schools the grouped count that read every report row of the week took 24× one indexed count (bench:district).
import { CompiledQuery, sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { ReadModel, scopeDatabase, type Database, type ReportRecord } from '../../db/index.js';
import { ReportUses } from '../../db/uses.js';
import { computeDistrictFigures, districtFigureQueries } from '../../digest/district-figures.js';
import { DIALECTS, useBackend } from './harness.js';

// The week of Monday 2026-11-30 in Beijing.
const week = { from: new Date('2026-11-29T16:00:00Z'), to: new Date('2026-12-06T16:00:00Z'), fromDate: '2026-11-30', toDate: '2026-12-07' };

function report(id: string, receivedAt: string, more: Partial<ReportRecord> = {}): ReportRecord {
  return {
    id, workflowId: `report-${id}`, origin: 'mail', originRef: `<${id}@school.example>`, departmentId: 'jiaowu', submitterEmail: 'liaison@school.example', submitterName: '王老师',
    category: '教育教学', urgency: 'routine', title: `报送 ${id}`, eventTime: receivedAt, receivedAt, dueAt: receivedAt, timeliness: 'on_time', reviewDueAt: null, status: 'received',
    currentStep: null, currentStepKind: null, holders: [], overdue: false, returnedCount: 0, decidedAt: null, publishedAt: null, updatedAt: receivedAt, version: 1, ...more,
  };
}

async function school(database: Database, id: string, reports: ReportRecord[], published: { id: string; at: string }[], uses: { id: string; on: string; level: '校级' | '县区级' }[]) {
  const scoped = scopeDatabase(database, id);
  const readModel = new ReadModel(scoped);
  for (const r of reports) await readModel.recordReport(r);
  for (const p of published) await readModel.recordPublished({ reportId: p.id, publishedAt: p.at, title: `报送 ${p.id}`, departmentId: 'jiaowu', category: '教育教学', summary: '…', url: null });
  for (const u of uses) await new ReportUses(scoped).add({ reportId: u.id, outlet: u.level === '校级' ? '学校网站' : '青禾教育网', level: u.level, kind: '网站', usedOn: u.on, ref: '', source: 'office', recordedBy: { name: '办公室', email: 'office@school.example' }, recordedAt: new Date(`${u.on}T08:00:00Z`) });
  return readModel;
}

/** Whether the database answers `query` without reading the table's rows (an index-only / covering-index plan). */
async function indexOnly(database: Database, query: CompiledQuery): Promise<{ plan: string; indexOnly: boolean }> {
  if (database.dialect === 'sqlite') {
    const rows = (await database.root.executeQuery(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]))).rows as { detail: string }[];
    const plan = rows.map((r) => r.detail).join('; ');
    return { plan, indexOnly: rows.some((r) => /USING COVERING INDEX/.test(r.detail)) && !rows.some((r) => /^SCAN \w+$/.test(r.detail)) };
  }
  // A handful of rows: PostgreSQL would rightly scan the table; forbid that to see what the index can answer.
  return database.root.transaction().execute(async (tx) => {
    await sql`set local enable_seqscan = off`.execute(tx);
    await sql`set local enable_bitmapscan = off`.execute(tx);
    const rows = (await tx.executeQuery(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]))).rows as { 'QUERY PLAN': string }[];
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    return { plan, indexOnly: /Index Only Scan/.test(plan) && !/(Seq Scan|Index Scan using|Heap)/.test(plan.replace(/Index Only Scan/g, '')) };
  });
}

describe.each(DIALECTS)('the district’s figures on %s', (dialect) => {
  const backend = useBackend(dialect);

  test('each school’s week: received, on time, 迟报, 漏报, 退回, published, uses by level — nothing of other weeks', async () => {
    const { database } = await backend.fresh({ migrated: true });
    await school(
      database,
      'qinghe-yizhong',
      [report('A-1', '2026-11-30T09:00:00+08:00'), report('A-2', '2026-12-02T10:00:00+08:00', { timeliness: 'late' }), report('A-3', '2026-12-06T23:30:00+08:00', { returnedCount: 2 }), report('A-0', '2026-11-29T23:59:00+08:00')],
      [{ id: 'A-1', at: '2026-12-01T09:00:00+08:00' }, { id: 'A-0', at: '2026-11-29T23:00:00+08:00' }],
      [{ id: 'A-1', on: '2026-12-03', level: '县区级' }, { id: 'A-0', on: '2026-11-29', level: '校级' }],
    );
    const b = await school(database, 'qinghe-erxiao', [report('B-1', '2026-12-01T08:00:00+08:00'), report('B-2', '2026-12-07T00:00:00+08:00')], [{ id: 'B-1', at: '2026-12-06T22:00:00+08:00' }], [{ id: 'B-1', on: '2026-12-06', level: '校级' }]);
    await b.recordExpected({ id: 'e1', departmentId: 'deyu', title: '家长会', eventEnd: '2026-12-02T17:00:00+08:00', urgency: 'routine', dueAt: '2026-12-03T17:00:00+08:00', status: 'missing', source: 'ics', createdAt: '2026-11-25T08:00:00+08:00' });

    const f = await computeDistrictFigures(database, { ...week, schools: [{ id: 'qinghe-yizhong', name: '青禾一中' }, { id: 'qinghe-erxiao', name: '青禾二小' }, { id: 'qinghe-sanxiao', name: '青禾三小' }] });
    const row = (id: string) => f.schools.find((s) => s.schoolId === id);
    expect(row('qinghe-yizhong')).toMatchObject({ name: '青禾一中', submitted: 3, onTime: 2, late: 1, missing: 0, returned: 1, published: 1, usesTotal: 1, uses: { 县区级: 1, 校级: 0 } });
    expect(row('qinghe-erxiao')).toMatchObject({ name: '青禾二小', submitted: 1, onTime: 1, late: 0, missing: 1, returned: 0, published: 1, usesTotal: 1, uses: { 校级: 1 } });
    expect(row('qinghe-sanxiao')).toMatchObject({ submitted: 0, onTimeRate: null, usesTotal: 0 });
    expect(f.total).toMatchObject({ submitted: 4, onTime: 3, late: 1, missing: 1, returned: 1, published: 2, usesTotal: 2 });
  });

  test('each of its four counts is answered from an index, not the rows', async () => {
    const { database } = await backend.fresh({ migrated: true });
    const q = districtFigureQueries(database, { lo: week.from.toISOString(), hi: week.to.toISOString(), fromDate: week.fromDate, toDate: week.toDate });
    for (const [name, query] of Object.entries(q)) {
      const { plan, indexOnly: only } = await indexOnly(database, query.compile());
      expect({ name, only, plan }).toMatchObject({ name, only: true });
    }
  });
});
