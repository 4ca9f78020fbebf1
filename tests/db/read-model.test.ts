import { describe, expect, test } from 'vitest';
import { ReadModel, type Report, type ReportRecord } from '../../db/index.js';
import { DIALECTS, useBackend } from './harness.js';

/** A report as the workflow records it right after receipt; override what a test is about. */
function report(overrides: Partial<ReportRecord> = {}): ReportRecord {
  const id = overrides.id ?? 'R-2026-0001';
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
    title: '初三年级期中教学质量分析会',
    eventTime: '2026-09-30T16:00:00+08:00',
    receivedAt: '2026-09-30T17:05:00+08:00',
    dueAt: '2026-10-08T16:00:00+08:00',
    timeliness: 'on_time',
    reviewDueAt: '2026-10-08T17:05:00+08:00',
    status: 'received',
    currentStep: null,
    currentStepKind: null,
    holders: [],
    overdue: false,
    returnedCount: 0,
    decidedAt: null,
    publishedAt: null,
    updatedAt: '2026-09-30T17:05:00+08:00',
    version: 1,
    ...overrides,
  };
}

describe.each(DIALECTS)('read model on %s', (dialect) => {
  const backend = useBackend(dialect);

  describe('report numbers', () => {
    test('a retried allocation gets the same number and does not use up one', async () => {
      const readModel = await backend.readModel();
      const first = await readModel.allocateReportNumber('mail:<a@x>', 2026);
      const retry = await readModel.allocateReportNumber('mail:<a@x>', 2026);
      const next = await readModel.allocateReportNumber('web:form-7', 2026);
      expect([first, retry, next]).toEqual(['R-2026-0001', 'R-2026-0001', 'R-2026-0002']);
    });

    test('50 concurrent allocations for distinct origins get 50 distinct consecutive numbers', async () => {
      const { database, reopen } = await backend.fresh({ migrated: true });
      // Two handles, as two parts of the service would open. On PostgreSQL these are two pools, each
      // handing out several connections, so the allocations really run side by side.
      const callers = [new ReadModel(database), new ReadModel(await reopen())];
      const numbers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => callers[i % callers.length]!.allocateReportNumber(`mail:<m${i}@x>`, 2026)),
      );
      const expected = Array.from({ length: 50 }, (_, i) => `R-2026-${String(i + 1).padStart(4, '0')}`);
      expect([...numbers].sort()).toEqual(expected);
    });

    test('concurrent retries for one origin all get its one number', async () => {
      const readModel = await backend.readModel();
      const numbers = await Promise.all(Array.from({ length: 10 }, () => readModel.allocateReportNumber('mail:<dup@x>', 2026)));
      expect(new Set(numbers)).toEqual(new Set(['R-2026-0001']));
      expect(await readModel.allocateReportNumber('mail:<other@x>', 2026)).toBe('R-2026-0002');
    });

    test('numbering restarts every year', async () => {
      const readModel = await backend.readModel();
      expect(await readModel.allocateReportNumber('a', 2026)).toBe('R-2026-0001');
      expect(await readModel.allocateReportNumber('b', 2026)).toBe('R-2026-0002');
      expect(await readModel.allocateReportNumber('c', 2027)).toBe('R-2027-0001');
      expect(await readModel.allocateReportNumber('d', 2026)).toBe('R-2026-0003');
    });

    test('a year that is not four digits is refused before anything is written', async () => {
      const readModel = await backend.readModel();
      await expect(readModel.allocateReportNumber('a', 26)).rejects.toMatchObject({ code: 'EREPORT_NUMBER' });
      expect(await readModel.allocateReportNumber('a', 2026)).toBe('R-2026-0001');
    });
  });

  describe('reports', () => {
    test('timestamps come back as the same ISO 8601 UTC strings, JSON parsed, booleans as booleans', async () => {
      const readModel = await backend.readModel();
      await readModel.recordReport(
        report({
          status: 'in_review',
          currentStep: 0,
          currentStepKind: 'department_head',
          holders: [{ name: '李主任', email: 'head@school.example' }],
          overdue: true,
          eventTime: new Date('2026-09-30T08:00:00.123Z'),
          decidedAt: '2026-10-02T09:30:00+08:00',
        }),
      );
      const expected: Report = {
        id: 'R-2026-0001',
        workflowId: 'report-R-2026-0001',
        origin: 'mail',
        originRef: '<R-2026-0001@mail.school.example>',
        departmentId: 'jiaowu',
        submitterEmail: 'liaison@school.example',
        submitterName: '王老师',
        category: '教育教学',
        urgency: 'routine',
        title: '初三年级期中教学质量分析会',
        eventTime: '2026-09-30T08:00:00.123Z',
        receivedAt: '2026-09-30T09:05:00.000Z',
        dueAt: '2026-10-08T08:00:00.000Z',
        timeliness: 'on_time',
        reviewDueAt: '2026-10-08T09:05:00.000Z',
        status: 'in_review',
        currentStep: 0,
        currentStepKind: 'department_head',
        holders: [{ name: '李主任', email: 'head@school.example' }],
        overdue: true,
        returnedCount: 0,
        decidedAt: '2026-10-02T01:30:00.000Z',
        publishedAt: null,
        updatedAt: '2026-09-30T09:05:00.000Z',
        version: 1,
      };
      expect(await readModel.getReport('R-2026-0001')).toStrictEqual(expected);
      expect(await readModel.listReports()).toStrictEqual([expected]);
      expect(await readModel.getReport('R-2026-9999')).toBeNull();
    });

    test('an older version never overwrites a newer state; the same version again is harmless', async () => {
      const readModel = await backend.readModel();
      expect(await readModel.recordReport(report({ version: 1, status: 'received' }))).toBe(true);
      expect(
        await readModel.recordReport(
          report({ version: 3, status: 'returned', returnedCount: 1, holders: [{ name: '王老师', email: 'liaison@school.example' }] }),
        ),
      ).toBe(true);
      // The retry of transition 2 arrives late.
      expect(await readModel.recordReport(report({ version: 2, status: 'in_review', currentStep: 0, currentStepKind: 'department_head' }))).toBe(
        false,
      );
      const stored = await readModel.getReport('R-2026-0001');
      expect(stored).toMatchObject({ version: 3, status: 'returned', returnedCount: 1, currentStep: null, currentStepKind: null });
      expect(stored?.holders).toEqual([{ name: '王老师', email: 'liaison@school.example' }]);

      expect(await readModel.recordReport(report({ version: 3, status: 'returned', returnedCount: 1 }))).toBe(true);
      expect(await readModel.recordReport(report({ version: 4, status: 'withdrawn' }))).toBe(true);
      expect((await readModel.getReport('R-2026-0001'))?.status).toBe('withdrawn');
      expect(await readModel.listReports()).toHaveLength(1);
    });

    test('listReports filters by department, category, status, lateness, overdue and receipt time, newest first', async () => {
      const readModel = await backend.readModel();
      const rows = [
        report({ id: 'R-2026-0001', departmentId: 'jiaowu', category: '教育教学', status: 'published', receivedAt: '2026-09-01T08:00:00+08:00' }),
        report({ id: 'R-2026-0002', departmentId: 'deyu', category: '安全管理', status: 'in_review', timeliness: 'late', receivedAt: '2026-09-02T08:00:00+08:00' }),
        report({ id: 'R-2026-0003', departmentId: 'jiaowu', category: '安全管理', status: 'returned', overdue: true, receivedAt: '2026-09-03T08:00:00+08:00' }),
        report({ id: 'R-2026-0004', departmentId: 'zongwu', category: '家校共育', status: 'in_review', timeliness: 'late', overdue: true, receivedAt: '2026-09-04T08:00:00+08:00' }),
        report({ id: 'R-2026-0005', departmentId: 'jiaowu', category: '教育教学', status: 'received', receivedAt: '2026-09-05T08:00:00+08:00' }),
      ];
      // Recorded out of order, so the order below comes from the query.
      for (const i of [2, 0, 4, 1, 3]) await readModel.recordReport(rows[i]!);
      const ids = async (filter: Parameters<ReadModel['listReports']>[0]) => (await readModel.listReports(filter)).map((r) => r.id.slice(-1));

      expect(await ids({})).toEqual(['5', '4', '3', '2', '1']);
      expect(await ids({ department: 'jiaowu' })).toEqual(['5', '3', '1']);
      expect(await ids({ category: '安全管理' })).toEqual(['3', '2']);
      expect(await ids({ status: 'in_review' })).toEqual(['4', '2']);
      expect(await ids({ status: ['returned', 'received'] })).toEqual(['5', '3']);
      expect(await ids({ status: [] })).toEqual([]);
      expect(await ids({ late: true })).toEqual(['4', '2']);
      expect(await ids({ late: false })).toEqual(['5', '3', '1']);
      expect(await ids({ overdue: true })).toEqual(['4', '3']);
      expect(await ids({ overdue: false })).toEqual(['5', '2', '1']);
      expect(await ids({ department: 'jiaowu', overdue: false })).toEqual(['5', '1']);
      // from is inclusive, to exclusive; instants compare as instants whatever offset they are written in.
      expect(await ids({ from: '2026-09-02T00:00:00.000Z', to: new Date('2026-09-04T00:00:00.000Z') })).toEqual(['3', '2']);
      expect(await ids({ from: '2026-09-03T08:00:00+08:00' })).toEqual(['5', '4', '3']);
      expect(await ids({ to: '2026-09-03T00:00:00Z' })).toEqual(['2', '1']);
      expect(await ids({ limit: 2 })).toEqual(['5', '4']);
      expect(await ids({ limit: 2, offset: 2 })).toEqual(['3', '2']);
      expect(await ids({ offset: 3 })).toEqual(['2', '1']);
      await expect(readModel.listReports({ limit: -1 })).rejects.toMatchObject({ code: 'EDB_INVALID' });
      await expect(readModel.listReports({ from: 'last tuesday' })).rejects.toMatchObject({ code: 'EDB_INVALID' });
    });

    test('a report number belongs to one workflow', async () => {
      const readModel = await backend.readModel();
      await readModel.recordReport(report({ id: 'R-2026-0001', workflowId: 'wf-1' }));
      await expect(readModel.recordReport(report({ id: 'R-2026-0002', workflowId: 'wf-1' }))).rejects.toThrow();
    });
  });

  describe('timeline', () => {
    test('an event delivered twice is recorded once; the timeline is in workflow order', async () => {
      const readModel = await backend.readModel();
      await readModel.recordReport(report());
      expect(
        await readModel.appendEvent({ reportId: 'R-2026-0001', seq: 2, at: '2026-09-30T17:06:00+08:00', type: 'review_requested', step: 0, detail: { to: ['head@school.example'] } }),
      ).toBe(true);
      expect(
        await readModel.appendEvent({
          reportId: 'R-2026-0001',
          seq: 1,
          at: '2026-09-30T17:05:00+08:00',
          type: 'received',
          actorEmail: 'liaison@school.example',
          actorName: '王老师',
          evidence: '<R-2026-0001@mail.school.example>',
        }),
      ).toBe(true);
      // The retried activity delivers event 2 again (even with a different detail): not recorded twice.
      expect(await readModel.appendEvent({ reportId: 'R-2026-0001', seq: 2, at: '2026-09-30T17:07:00+08:00', type: 'review_requested', detail: { retry: true } })).toBe(
        false,
      );
      expect(await readModel.appendEvent({ reportId: 'R-2026-0001', seq: 3, at: '2026-10-01T09:00:00+08:00', type: 'approved', actorEmail: 'head@school.example', step: 0 })).toBe(
        true,
      );

      const timeline = await readModel.timeline('R-2026-0001');
      expect(timeline.map((e) => [e.seq, e.type])).toEqual([
        [1, 'received'],
        [2, 'review_requested'],
        [3, 'approved'],
      ]);
      expect(timeline[0]).toMatchObject({
        reportId: 'R-2026-0001',
        at: '2026-09-30T09:05:00.000Z',
        actorEmail: 'liaison@school.example',
        actorName: '王老师',
        step: null,
        evidence: '<R-2026-0001@mail.school.example>',
        detail: {},
      });
      expect(timeline[1]).toMatchObject({ at: '2026-09-30T09:06:00.000Z', step: 0, actorEmail: null, detail: { to: ['head@school.example'] } });
      expect(typeof timeline[0]?.id).toBe('number');
      expect(await readModel.timeline('R-2026-0002')).toEqual([]);
    });

    test('an event for a report not recorded yet is refused with EDB_NO_REPORT', async () => {
      const readModel = await backend.readModel();
      await expect(readModel.appendEvent({ reportId: 'R-2026-0404', seq: 1, at: new Date(), type: 'received' })).rejects.toMatchObject({
        code: 'EDB_NO_REPORT',
        message: expect.stringContaining('recordReport'),
      });
    });
  });

  describe('attachments and publication', () => {
    test('an attachment recorded twice is one row; another file name with the same content is another', async () => {
      const readModel = await backend.readModel();
      const attachment = {
        reportId: 'R-2026-0001',
        sha256: 'a'.repeat(64),
        filename: '现场照片.jpg',
        contentType: 'image/jpeg',
        size: 123456,
        storagePath: 'attachments/2026/aa/aaaa.jpg',
      };
      expect(await readModel.recordAttachment(attachment)).toBe(true);
      expect(await readModel.recordAttachment(attachment)).toBe(false);
      expect(await readModel.recordAttachment({ ...attachment, filename: '现场照片(1).jpg' })).toBe(true);
      expect(await readModel.attachmentsFor('R-2026-0001')).toEqual([{ ...attachment, filename: '现场照片(1).jpg' }, attachment].sort((a, b) => (a.filename < b.filename ? -1 : 1)));
    });

    test('publishing twice keeps one row, and a correction replaces it', async () => {
      const readModel = await backend.readModel();
      await readModel.recordReport(report());
      const published = {
        reportId: 'R-2026-0001',
        publishedAt: '2026-10-09T10:00:00+08:00',
        title: '初三年级召开期中教学质量分析会',
        departmentId: 'jiaowu',
        category: '教育教学',
        summary: '10 月 8 日，初三年级召开期中教学质量分析会。',
      };
      await readModel.recordPublished(published);
      await readModel.recordPublished(published);
      expect(await readModel.getPublished('R-2026-0001')).toEqual({ ...published, publishedAt: '2026-10-09T02:00:00.000Z', url: null });
      await readModel.recordPublished({ ...published, url: 'https://school.example/news/42' });
      expect((await readModel.getPublished('R-2026-0001'))?.url).toBe('https://school.example/news/42');
      await expect(readModel.recordPublished({ ...published, reportId: 'R-2026-0404' })).rejects.toMatchObject({ code: 'EDB_NO_REPORT' });
      expect(await readModel.getPublished('R-2026-0404')).toBeNull();
    });
  });

  describe('sent mail', () => {
    const mail = {
      messageId: '<receipt.R-2026-0001@baosong.school.example>',
      reportId: 'R-2026-0001',
      kind: 'receipt',
      to: ['liaison@school.example'],
      subject: '【回执】R-2026-0001 初三年级期中教学质量分析会',
      createdAt: '2026-09-30T17:05:01+08:00',
    };

    test('a mail that failed and was then sent keeps one row with 2 attempts', async () => {
      const readModel = await backend.readModel();
      expect(await readModel.sentMail(mail.messageId)).toBeNull();
      expect(await readModel.recordMailSending(mail)).toMatchObject({ status: 'sending', attempts: 1 });
      await readModel.markMailFailed(mail.messageId, '421 4.7.0 Try again later');
      expect(await readModel.sentMail(mail.messageId)).toMatchObject({ status: 'failed', attempts: 1, error: '421 4.7.0 Try again later' });
      expect(await readModel.recordMailSending(mail)).toMatchObject({ status: 'sending', attempts: 2 });
      await readModel.markMailSent(mail.messageId, 'sent', '2026-09-30T17:06:00+08:00');

      expect(await readModel.mailFor('R-2026-0001')).toStrictEqual([
        {
          messageId: mail.messageId,
          reportId: 'R-2026-0001',
          kind: 'receipt',
          to: ['liaison@school.example'],
          subject: mail.subject,
          status: 'sent',
          attempts: 2,
          createdAt: '2026-09-30T09:05:01.000Z',
          sentAt: '2026-09-30T09:06:00.000Z',
          error: null,
        },
      ]);
    });

    test('a first attempt is recorded in one statement; a second first attempt changes nothing and says so', async () => {
      const readModel = await backend.readModel();
      expect(await readModel.recordFirstMailAttempt(mail)).toBe(true);
      expect(await readModel.sentMail(mail.messageId)).toMatchObject({ status: 'sending', attempts: 1, kind: 'receipt', to: ['liaison@school.example'] });
      await readModel.markMailFailed(mail.messageId, '421 4.7.0 Try again later');
      expect(await readModel.recordFirstMailAttempt(mail)).toBe(false);
      expect(await readModel.sentMail(mail.messageId)).toMatchObject({ status: 'failed', attempts: 1 });
    });

    test('a mail already sent stays sent when a retried activity records it again', async () => {
      const readModel = await backend.readModel();
      await readModel.recordMailSending(mail);
      await readModel.markMailSent(mail.messageId, 'outbox', '2026-09-30T09:06:00Z');
      expect(await readModel.recordMailSending(mail)).toMatchObject({ status: 'outbox', attempts: 1 });
      await readModel.markMailFailed(mail.messageId, 'late failure');
      expect(await readModel.sentMail(mail.messageId)).toMatchObject({ status: 'outbox', attempts: 1, error: null });
    });

    test('marking a mail that was never recorded says so', async () => {
      const readModel = await backend.readModel();
      await expect(readModel.markMailSent('<nope@x>', 'sent', new Date())).rejects.toMatchObject({ code: 'EDB_NOT_FOUND' });
      await expect(readModel.markMailFailed('<nope@x>', 'x')).rejects.toMatchObject({ code: 'EDB_NOT_FOUND' });
    });

    test("mailFor lists only that report's mail, oldest first", async () => {
      const readModel = await backend.readModel();
      await readModel.recordMailSending({ ...mail, messageId: '<b@x>', kind: 'review_request', createdAt: '2026-09-30T09:10:00Z' });
      await readModel.recordMailSending({ ...mail, messageId: '<a@x>', createdAt: '2026-09-30T09:05:00Z' });
      await readModel.recordMailSending({ ...mail, messageId: '<c@x>', reportId: 'R-2026-0002' });
      await readModel.recordMailSending({ ...mail, messageId: '<digest@x>', reportId: null, kind: 'digest' });
      expect((await readModel.mailFor('R-2026-0001')).map((m) => m.messageId)).toEqual(['<a@x>', '<b@x>']);
      expect((await readModel.sentMail('<digest@x>'))?.reportId).toBeNull();
    });
  });
});
