// Schools of a district in one database (issue 25, db/school-scope.ts): what one school writes, another never
// reads, changes or deletes, whichever repository or query builds the SQL; report numbers restart per school.
// Two schools with the same report numbers need PostgreSQL (what a district runs on); SQLite keeps one school.
import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { migrateToLatest, ReadModel, scopeDatabase, type ReportRecord } from '../../db/index.js';
import { QuarantineDesk } from '../../db/quarantine-desk.js';
import { ReportUses } from '../../db/uses.js';
import { SharedState } from '../../db/shared-state.js';
import { DIALECTS, useBackend } from './harness.js';

function report(id: string, title: string): ReportRecord {
  return {
    id,
    workflowId: `report-${id}`,
    origin: 'mail',
    originRef: `<${id}@mail.school.example>`,
    departmentId: 'jiaowu',
    submitterEmail: 'liaison@school.example',
    submitterName: '王老师',
    category: '教育教学',
    urgency: 'routine',
    title,
    eventTime: '2026-11-30T16:00:00+08:00',
    receivedAt: '2026-11-30T17:05:00+08:00',
    dueAt: '2026-12-01T17:30:00+08:00',
    timeliness: 'on_time',
    reviewDueAt: null,
    status: 'received',
    currentStep: null,
    currentStepKind: null,
    holders: [],
    overdue: false,
    returnedCount: 0,
    decidedAt: null,
    publishedAt: null,
    updatedAt: '2026-11-30T17:05:00+08:00',
    version: 1,
  };
}

describe.each(DIALECTS)('schools in one database on %s', (dialect) => {
  const backend = useBackend(dialect);

  test('what school A records, school B does not see, change or delete', async () => {
    const { database } = await backend.fresh({ migrated: true });
    const a = new ReadModel(scopeDatabase(database, 'qinghe-yizhong'));
    const b = new ReadModel(scopeDatabase(database, 'qinghe-erxiao'));

    const id = await a.allocateReportNumber('mail:<a1@yizhong>', 2026);
    await a.transaction(async (tx) => {
      await tx.recordReport(report(id, '一中：期中教学质量分析会'));
      await tx.appendEvent({ reportId: id, seq: 1, at: '2026-11-30T17:05:00+08:00', type: 'received', detail: {} });
      await tx.recordAttachment({ reportId: id, sha256: 'ab'.repeat(32), filename: '现场.jpg', contentType: 'image/jpeg', size: 10, storagePath: 'attachments/ab/x' });
    });
    await a.recordMailSending({ messageId: '<receipt.a1@yizhong>', reportId: id, kind: 'receipt', to: ['liaison@school.example'], subject: '已收到', createdAt: '2026-11-30T17:05:01+08:00' });
    await a.recordPublished({ reportId: id, publishedAt: '2026-12-01T09:00:00+08:00', title: '一中：期中教学质量分析会', departmentId: 'jiaowu', category: '教育教学', summary: '…', url: null });
    await a.recordDigest({ week: '2026-W49', computedAt: '2026-12-04T16:00:00+08:00', figures: { school: 'yizhong' } });
    await new ReportUses(scopeDatabase(database, 'qinghe-yizhong')).add({ reportId: id, outlet: '青禾教育网', level: '县区级', kind: '网站', usedOn: '2026-12-02', ref: '', source: 'office', recordedBy: { name: '办公室', email: 'office@yizhong.test' }, recordedAt: new Date('2026-12-02T08:00:00Z') });

    // B sees nothing of it, through any read.
    expect(await b.getReport(id)).toBeNull();
    expect(await b.listReports()).toEqual([]);
    expect(await b.countReports()).toBe(0);
    expect(await b.timeline(id)).toEqual([]);
    expect(await b.attachmentsFor(id)).toEqual([]);
    expect(await b.mailFor(id)).toEqual([]);
    expect(await b.sentMail('<receipt.a1@yizhong>')).toBeNull();
    expect(await b.getPublished(id)).toBeNull();
    expect(await b.digestFor('2026-W49')).toBeNull();
    expect(await new ReportUses(scopeDatabase(database, 'qinghe-erxiao')).usesOf([id])).toEqual([]);

    // B's writes by A's keys touch nothing of A's.
    await expect(b.markMailSent('<receipt.a1@yizhong>', 'sent', new Date())).rejects.toMatchObject({ code: 'EDB_NOT_FOUND' });
    await b.deleteEvent(id, 1);
    await b.moveExpectedDue('anything', new Date());
    expect(await a.sentMail('<receipt.a1@yizhong>')).toMatchObject({ status: 'sending' });
    expect(await a.timeline(id)).toHaveLength(1);
    expect((await a.getReport(id))?.title).toBe('一中：期中教学质量分析会');
    expect(await a.countReports()).toBe(1);

    // The rows carry their school; the unscoped connection (the district's) sees both schools.
    const rows = await database.root.selectFrom('reports').select(['school_id', 'id']).execute();
    expect(rows).toEqual([{ school_id: 'qinghe-yizhong', id }]);
  });

  test('a raw condition cannot swallow the school, and what cannot be scoped is refused', async () => {
    const { database } = await backend.fresh({ migrated: true });
    const scoped = scopeDatabase(database, 'qinghe-yizhong');
    const compiled = scoped.db.selectFrom('reports').select('id').where(sql<boolean>`status = 'a' or status = 'b'`).compile();
    expect(compiled.sql).toMatch(/where \(status = 'a' or status = 'b'\) and "reports"\."school_id" = /);
    const joined = scoped.db.selectFrom('report_uses').leftJoin('reports', (j) => j.onRef('reports.id', '=', 'report_uses.report_id')).select('report_uses.id').compile();
    expect(joined.sql).toMatch(/left join "reports" on \("reports"\."id" = "report_uses"\."report_id"\) and "reports"\."school_id" = /);
    expect(() => scoped.db.mergeInto('reports').using('published', 'published.report_id', 'reports.id').whenMatched().thenDelete().compile()).toThrow(/MERGE/);
  });

  test('sessions and used links of one school are not another’s', async () => {
    const { database } = await backend.fresh({ migrated: true });
    const a = new SharedState(scopeDatabase(database, 'qinghe-yizhong'));
    const b = new SharedState(scopeDatabase(database, 'qinghe-erxiao'));
    const expiresAt = Date.now() + 3_600_000;
    await a.createSession('hash-of-a-cookie', { email: 'office@yizhong.test', name: '办公室', expiresAt });
    expect(await a.getSession('hash-of-a-cookie')).toMatchObject({ email: 'office@yizhong.test' });
    expect(await b.getSession('hash-of-a-cookie')).toBeNull();
    await b.endSession('hash-of-a-cookie');
    expect(await a.getSession('hash-of-a-cookie')).not.toBeNull();
    expect(await a.useNonce('link-1', expiresAt)).toBe(true);
    // B's own first use of the same nonce: two keys alike in two schools need PostgreSQL (SQLite keeps one school).
    if (dialect === 'postgres') expect(await b.useNonce('link-1', expiresAt)).toBe(true);
    expect(await a.useNonce('link-1', expiresAt)).toBe(false);
  });

  test('a school’s mail desk lists its own mails only', async () => {
    const { database } = await backend.fresh({ migrated: true });
    const a = new QuarantineDesk(scopeDatabase(database, 'qinghe-yizhong'));
    const b = new QuarantineDesk(scopeDatabase(database, 'qinghe-erxiao'));
    const id = await a.record({ originRef: '<m1@else.test>', fromAddress: 'someone@else.test', fromName: null, subject: '投稿', receivedAt: new Date('2026-12-01T01:00:00Z'), reasonCode: 'unknown_sender', reason: '发件人不在名单中', preview: '…', rawSha256: null, rawSize: 0 });
    expect((await a.list()).pendingCount).toBe(1);
    expect((await b.list()).pendingCount).toBe(0);
    expect(await b.get(id)).toBeNull();
    expect(await b.resolve(id, 'ignored', 'office@erxiao.test')).toBe(false);
    expect((await a.get(id))?.status).toBe('pending');
  });

  if (dialect === 'postgres') {
    test('report numbers restart per school: both schools have R-2026-0001, each its own', async () => {
      const { database } = await backend.fresh({ migrated: true });
      const a = new ReadModel(scopeDatabase(database, 'qinghe-yizhong'));
      const b = new ReadModel(scopeDatabase(database, 'qinghe-erxiao'));
      const [ia, ib] = await Promise.all([a.allocateReportNumber('mail:<x@a>', 2026), b.allocateReportNumber('mail:<x@b>', 2026)]);
      expect([ia, ib]).toEqual(['R-2026-0001', 'R-2026-0001']);
      await a.recordReport(report(ia, '一中的稿件'));
      await b.recordReport({ ...report(ib, '二小的稿件'), workflowId: 'qinghe-erxiao:report-R-2026-0001' });
      await a.appendEvent({ reportId: ia, seq: 1, at: '2026-11-30T17:05:00+08:00', type: 'received', detail: {} });
      await b.appendEvent({ reportId: ib, seq: 1, at: '2026-11-30T17:06:00+08:00', type: 'received', detail: {} });
      expect((await a.getReport(ia))?.title).toBe('一中的稿件');
      expect((await b.getReport(ib))?.title).toBe('二小的稿件');
      expect(await a.allocateReportNumber('mail:<y@a>', 2026)).toBe('R-2026-0002');
      expect(await b.allocateReportNumber('mail:<x@b>', 2026)).toBe('R-2026-0001'); // a retry: the same number
    });
  }

  test('a database of 0008 keeps its rows as the one school’s after 0009', async () => {
    const { database } = await backend.fresh();
    const { Migrator } = await import('kysely/migration');
    const { migrations } = await import('../../db/index.js');
    const all = migrations(database.dialect);
    const upTo8 = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0009'));
    const migrator = new Migrator({ db: database.root, provider: { getMigrations: () => Promise.resolve(upTo8) }, migrationTableName: 'baosong_migration', migrationLockTableName: 'baosong_migration_lock' });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await sql`insert into report_numbers (year, last_sequence) values (2026, 41)`.execute(database.root);
    await sql`insert into report_number_allocations (origin_key, report_id, year, allocated_at) values ('mail:<old@x>', 'R-2026-0041', 2026, '2026-11-01T00:00:00Z')`.execute(database.root);
    expect(await migrateToLatest(database)).toEqual({ applied: ['0009-school-id', '0010-district-figures'] });
    const readModel = new ReadModel(database);
    expect(await readModel.allocateReportNumber('mail:<old@x>', 2026)).toBe('R-2026-0041');
    expect(await readModel.allocateReportNumber('mail:<new@x>', 2026)).toBe('R-2026-0042');
  });
});
