// The office's desk for quarantined mail, on both dialects: a mail noted twice is one row, a decision is
// taken once however many processes click at once, an alias is one alias, the audit trail keeps its order.
import { describe, expect, test } from 'vitest';
import { QuarantineDesk } from '../../db/quarantine-desk.js';
import { DIALECTS, useBackend } from './harness.js';

const MAIL = {
  originRef: '<a1@163.com>',
  fromAddress: 'liufang.home@163.com',
  fromName: '刘芳',
  subject: '七年级数学公开课',
  receivedAt: new Date('2026-12-05T00:19:00Z'),
  reasonCode: 'unknown_sender' as const,
  reason: 'unknown sender',
  preview: '七年级数学组举行公开课。',
  rawSha256: 'a'.repeat(64),
  rawSize: 1234,
};

describe.each(DIALECTS)('the quarantine desk on %s', (dialect) => {
  const backend = useBackend(dialect);

  test('one row per mail; decided once, by whoever was first; listed pending then decided', async () => {
    const { database, reopen } = await backend.fresh({ migrated: true });
    const a = new QuarantineDesk(database);
    const b = new QuarantineDesk(await reopen());
    const id = await a.record(MAIL);
    expect(await b.record({ ...MAIL, reason: 'again' })).toBe(id);
    expect(await b.get(id)).toMatchObject({ ...MAIL, id, status: 'pending', reportId: null, resolvedBy: null });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).resolve(id, 'accepted', `p${i}`, 'R-2026-0042')));
    expect(results.filter(Boolean)).toHaveLength(1);
    const decided = await a.get(id);
    expect(decided).toMatchObject({ status: 'accepted', reportId: 'R-2026-0042' });
    expect(decided!.resolvedAt).toBeInstanceOf(Date);
    await a.record({ ...MAIL, originRef: '<a2@163.com>' });
    const listed = await b.list();
    expect(listed.pendingCount).toBe(1);
    expect(listed.pending.map((m) => m.originRef)).toEqual(['<a2@163.com>']);
    expect(listed.decided.map((m) => m.id)).toEqual([id]);
  });

  test('aliases and the audit trail', async () => {
    const { database } = await backend.fresh({ migrated: true });
    const desk = new QuarantineDesk(database);
    expect(await desk.addAlias(' LiuFang.Home@163.com ', 'liufang@school.test', '周晓梅')).toBe(true);
    expect(await desk.addAlias('liufang.home@163.com', 'someone@school.test', '周晓梅')).toBe(false);
    expect(await desk.aliasOf('liufang.home@163.com')).toBe('liufang@school.test');
    expect(await desk.aliasOf('other@163.com')).toBeNull();
    await desk.audit({ at: new Date(1000), actorEmail: 'zhouxiaomei@school.test', actorName: '周晓梅', action: 'quarantine.alias', subject: 'm1', detail: { address: 'liufang.home@163.com' } });
    await desk.audit({ at: new Date(2000), actorEmail: 'zhouxiaomei@school.test', actorName: '周晓梅', action: 'quarantine.ignore', subject: 'm1', detail: {} });
    expect((await desk.auditFor('m1')).map((e) => [e.action, e.at.getTime(), e.detail])).toEqual([
      ['quarantine.alias', 1000, { address: 'liufang.home@163.com' }],
      ['quarantine.ignore', 2000, {}],
    ]);
  });
});
