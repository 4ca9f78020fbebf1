import { describe, expect, test } from 'vitest';
import type { ExpectedReportRecord, ReadModel, ReportRecord } from '../../db/index.js';
import { DIALECTS, useBackend } from './harness.js';

function expected(overrides: Partial<ExpectedReportRecord> = {}): ExpectedReportRecord {
  return {
    id: 'E-1',
    departmentId: 'jiaowu',
    title: '秋季运动会',
    eventEnd: '2026-11-24T16:00:00+08:00',
    urgency: 'major',
    dueAt: '2026-11-24T18:00:00+08:00',
    source: 'cli',
    createdAt: '2026-11-20T09:00:00+08:00',
    ...overrides,
  };
}

async function recordReport(readModel: ReadModel, id: string): Promise<void> {
  const report: ReportRecord = {
    id,
    workflowId: `report-${id}`,
    origin: 'mail',
    originRef: `<${id}@x>`,
    departmentId: 'jiaowu',
    submitterEmail: 'a@school.example',
    category: '校园文化',
    urgency: 'major',
    title: '秋季运动会圆满举行',
    eventTime: '2026-11-24T16:00:00+08:00',
    receivedAt: '2026-11-24T17:00:00+08:00',
    dueAt: '2026-11-24T18:00:00+08:00',
    timeliness: 'on_time',
    status: 'received',
    currentStep: null,
    currentStepKind: null,
    holders: [],
    overdue: false,
    returnedCount: 0,
    updatedAt: '2026-11-24T17:00:00+08:00',
    version: 1,
  };
  await readModel.recordReport(report);
}

describe.each(DIALECTS)('expected reports and digests on %s', (dialect) => {
  const backend = useBackend(dialect);

  test('recordExpected inserts, then updates by id; times come back as UTC ISO strings', async () => {
    const readModel = await backend.readModel();
    const first = await readModel.recordExpected(expected());
    expect(first).toEqual({
      id: 'E-1',
      departmentId: 'jiaowu',
      title: '秋季运动会',
      eventEnd: '2026-11-24T08:00:00.000Z',
      urgency: 'major',
      dueAt: '2026-11-24T10:00:00.000Z',
      status: 'waiting',
      reportId: null,
      source: 'cli',
      createdAt: '2026-11-20T01:00:00.000Z',
      updatedAt: '2026-11-20T01:00:00.000Z',
    });
    expect(await readModel.recordExpected(expected())).toEqual(first);
    const moved = await readModel.recordExpected(expected({ title: '秋季运动会（延期）', dueAt: '2026-11-25T18:00:00+08:00', updatedAt: '2026-11-21T09:00:00+08:00' }));
    expect(moved).toMatchObject({ title: '秋季运动会（延期）', dueAt: '2026-11-25T10:00:00.000Z', status: 'waiting', updatedAt: '2026-11-21T01:00:00.000Z' });
    expect(await readModel.getExpected('E-1')).toEqual(moved);
    expect(await readModel.getExpected('E-404')).toBeNull();
  });

  test('re-recording keeps the status unless the record names one', async () => {
    const readModel = await backend.readModel();
    await readModel.recordExpected(expected());
    await readModel.markExpected('E-1', 'missing', null, '2026-11-24T18:00:00+08:00');
    expect((await readModel.recordExpected(expected())).status).toBe('missing');
    expect((await readModel.recordExpected(expected({ status: 'waiting' }))).status).toBe('waiting');
  });

  test('markExpected: missing, then a late report links it; a late timer cannot undo a satisfied one', async () => {
    const readModel = await backend.readModel();
    await recordReport(readModel, 'R-2026-0001');
    await readModel.recordExpected(expected());
    await readModel.recordExpected(expected({ id: 'E-2' }));

    expect(await readModel.markExpected('E-1', 'missing', null, '2026-11-24T10:00:00Z')).toMatchObject({ status: 'missing', reportId: null });
    expect(await readModel.markExpected('E-1', 'missing', null, '2026-11-24T10:00:00Z')).toMatchObject({ status: 'missing' });
    expect(await readModel.markExpected('E-1', 'late', 'R-2026-0001', '2026-11-25T10:00:00Z')).toMatchObject({
      status: 'late',
      reportId: 'R-2026-0001',
      updatedAt: '2026-11-25T10:00:00.000Z',
    });

    await readModel.markExpected('E-2', 'satisfied', 'R-2026-0001', '2026-11-24T09:00:00Z');
    expect(await readModel.markExpected('E-2', 'missing', null, '2026-11-24T10:00:00Z')).toMatchObject({ status: 'satisfied', reportId: 'R-2026-0001' });

    await expect(readModel.markExpected('E-404', 'missing')).rejects.toMatchObject({ code: 'EDB_NOT_FOUND' });
    await expect(readModel.markExpected('E-1', 'satisfied')).rejects.toMatchObject({ code: 'EDB_INVALID' });
    await expect(readModel.markExpected('E-1', 'gone' as 'missing')).rejects.toMatchObject({ code: 'EDB_INVALID' });
  });

  test('listExpected filters by department, status and due range, soonest due first', async () => {
    const readModel = await backend.readModel();
    await readModel.recordExpected(expected({ id: 'E-3', dueAt: '2026-11-30T10:00:00+08:00' }));
    await readModel.recordExpected(expected({ id: 'E-1', dueAt: '2026-11-23T10:00:00+08:00' }));
    await readModel.recordExpected(expected({ id: 'E-2', departmentId: 'deyu', dueAt: '2026-11-24T10:00:00+08:00' }));
    await readModel.markExpected('E-2', 'missing');
    const ids = async (filter: Parameters<ReadModel['listExpected']>[0]) => (await readModel.listExpected(filter)).map((e) => e.id);
    expect(await ids({})).toEqual(['E-1', 'E-2', 'E-3']);
    expect(await ids({ department: 'jiaowu' })).toEqual(['E-1', 'E-3']);
    expect(await ids({ status: 'missing' })).toEqual(['E-2']);
    expect(await ids({ status: ['waiting', 'missing'] })).toEqual(['E-1', 'E-2', 'E-3']);
    expect(await ids({ status: [] })).toEqual([]);
    expect(await ids({ dueFrom: '2026-11-24T00:00:00+08:00', dueTo: '2026-11-30T10:00:00+08:00' })).toEqual(['E-2']);
  });

  test('a digest is recorded once per week and marked sent once', async () => {
    const readModel = await backend.readModel();
    expect(await readModel.digestFor('2026-W48')).toBeNull();
    const first = await readModel.recordDigest({ week: '2026-W48', computedAt: '2026-11-27T08:00:00Z', figures: { submitted: 3, 部门: '教务处' } });
    expect(first).toEqual({ week: '2026-W48', computedAt: '2026-11-27T08:00:00.000Z', sentAt: null, messageIds: [], figures: { submitted: 3, 部门: '教务处' } });
    // A second computation of the same week keeps the first figures.
    expect(await readModel.recordDigest({ week: '2026-W48', computedAt: '2026-11-27T09:00:00Z', figures: { submitted: 4 } })).toEqual(first);

    const sent = await readModel.markDigestSent('2026-W48', ['<digest-2026-W48-a@x>'], '2026-11-27T08:00:05Z');
    expect(sent).toMatchObject({ sentAt: '2026-11-27T08:00:05.000Z', messageIds: ['<digest-2026-W48-a@x>'] });
    expect(await readModel.markDigestSent('2026-W48', ['<other@x>'], '2026-11-28T08:00:00Z')).toEqual(sent);
    expect(await readModel.digestFor('2026-W48')).toEqual(sent);

    await expect(readModel.markDigestSent('2026-W49', [], '2026-12-04T08:00:00Z')).rejects.toMatchObject({ code: 'EDB_NOT_FOUND' });
    await expect(readModel.recordDigest({ week: '2026-48', computedAt: new Date(), figures: {} })).rejects.toMatchObject({ code: 'EDB_INVALID' });
  });
});
