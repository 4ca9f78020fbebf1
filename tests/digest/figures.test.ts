import { describe, expect, test } from 'vitest';
import { ReadModel } from '../../db/index.js';
import { computeDigest, computeStats, rankByOnTimeRate, type DepartmentFigures } from '../../digest/figures.js';
import { DIALECTS, useBackend } from '../db/harness.js';
import { BASE_URL, DEPARTMENTS, NOW, seed, sh, TIME_ZONE } from './seed.js';

const zero = { submitted: 0, onTime: 0, late: 0, missing: 0, returned: 0, published: 0, decided: 0, onTimeRate: null, medianDecisionMinutes: null };

describe.each(DIALECTS)('digest figures on %s', (dialect) => {
  const backend = useBackend(dialect);

  async function seeded() {
    const { database } = await backend.fresh({ migrated: true });
    await seed(new ReadModel(database));
    return database;
  }

  test('2026-W48 figures match the seeded week worked out by hand (see seed.ts)', async () => {
    const database = await seeded();
    const f = await computeDigest(database, { week: '2026-W48', timeZone: TIME_ZONE, departments: DEPARTMENTS, baseUrl: `${BASE_URL}/`, now: NOW });

    expect(f).toMatchObject({ week: '2026-W48', monday: '2026-11-23', sunday: '2026-11-29', previousWeek: '2026-W47', computedAt: NOW.toISOString() });
    expect(f.current.from).toBe('2026-11-22T16:00:00.000Z');
    expect(f.current.to).toBe('2026-11-29T16:00:00.000Z');

    // Received in W48 (Mon 23 00:00 inclusive … Mon 30 00:00 exclusive, so 0104 counts and 0204 does not):
    // jiaowu 0101 0102 0103 0104; deyu 0201 0202 0203; zongwu 0301.
    expect(f.current.departments).toEqual([
      // 教务处: 4 in; late only 0102; returned only 0102 (returnedCount 1); published in W48 per the published
      // table: 0002 (23 Nov, received in W47) and 0101 (24 Nov); decided in W48: 0002 after 5 d 1 h = 7260 min,
      // 0101 after 120 min, 0102 after 90 min → median 120. On time 3/4.
      { departmentId: 'jiaowu', name: '教务处', submitted: 4, onTime: 3, late: 1, missing: 0, returned: 1, published: 2, decided: 3, onTimeRate: 0.75, medianDecisionMinutes: 120 },
      // 德育处: 0201 and 0203 late, 0202 on time and returned; 0201 published and decided after 30 min;
      // missing: E5 (due Sun 29 23:59, the week's last minute); E6 is due Mon 30 00:00, next week.
      { departmentId: 'deyu', name: '德育处', submitted: 3, onTime: 1, late: 2, missing: 1, returned: 1, published: 1, decided: 1, onTimeRate: 1 / 3, medianDecisionMinutes: 30 },
      // 总务处: 0301 on time, decided after exactly one day (1440 min); missing E1 only (E2 is W47, E3 still
      // waiting, E4 arrived late and is linked: late, not missing).
      { departmentId: 'zongwu', name: '总务处', submitted: 1, onTime: 1, late: 0, missing: 1, returned: 0, published: 0, decided: 1, onTimeRate: 1, medianDecisionMinutes: 1440 },
      // 体育组 never reports.
      { departmentId: 'tiyu', name: '体育组', ...zero },
    ]);
    // School: sums; median of [30, 90, 120, 1440, 7260] = 120; on time 5/8.
    expect(f.current.school).toEqual({ submitted: 8, onTime: 5, late: 3, missing: 2, returned: 2, published: 3, decided: 5, onTimeRate: 5 / 8, medianDecisionMinutes: 120 });

    // Categories in the seed's order; 其他 (0204) belongs to W49.
    expect(f.current.categories).toEqual([
      { category: '教育教学', submitted: 2, byDepartment: { jiaowu: 2 } },
      { category: '校园文化', submitted: 2, byDepartment: { jiaowu: 1, deyu: 1 } },
      { category: '师生成长', submitted: 1, byDepartment: { jiaowu: 1 } },
      { category: '安全管理', submitted: 2, byDepartment: { deyu: 1, zongwu: 1 } },
      { category: '家校共育', submitted: 1, byDepartment: { deyu: 1 } },
    ]);

    // W47: jiaowu 0001 0002 on time, 0001 published 18 Nov and decided after 60 min; deyu 0003 late, returned
    // twice (counts once); zongwu E2 missing.
    expect(f.previous.departments).toEqual([
      { departmentId: 'jiaowu', name: '教务处', submitted: 2, onTime: 2, late: 0, missing: 0, returned: 0, published: 1, decided: 1, onTimeRate: 1, medianDecisionMinutes: 60 },
      { departmentId: 'deyu', name: '德育处', submitted: 1, onTime: 0, late: 1, missing: 0, returned: 1, published: 0, decided: 0, onTimeRate: 0, medianDecisionMinutes: null },
      { departmentId: 'zongwu', name: '总务处', ...zero, missing: 1 },
      { departmentId: 'tiyu', name: '体育组', ...zero },
    ]);
    expect(f.previous.school).toEqual({ submitted: 3, onTime: 2, late: 1, missing: 1, returned: 1, published: 1, decided: 1, onTimeRate: 2 / 3, medianDecisionMinutes: 60 });

    // Change = W48 − W47.
    expect(f.change.departments).toEqual({
      jiaowu: { submitted: 2, onTime: 1, late: 1, missing: 0, returned: 1, published: 1, onTimeRate: -0.25 },
      deyu: { submitted: 2, onTime: 1, late: 1, missing: 1, returned: 0, published: 1, onTimeRate: 1 / 3 },
      zongwu: { submitted: 1, onTime: 1, late: 0, missing: 0, returned: 0, published: 0, onTimeRate: null },
      tiyu: { submitted: 0, onTime: 0, late: 0, missing: 0, returned: 0, published: 0, onTimeRate: null },
    });
    expect(f.change.school.submitted).toBe(5);
    expect(f.change.school.published).toBe(2);
    expect(f.change.school.onTimeRate).toBeCloseTo(5 / 8 - 2 / 3, 12);

    // Ranking: 总务处 1/1, 教务处 3/4, 德育处 1/3, then 体育组 with nothing submitted.
    expect(f.ranking).toEqual([
      { rank: 1, departmentId: 'zongwu', name: '总务处', submitted: 1, onTime: 1, onTimeRate: 1 },
      { rank: 2, departmentId: 'jiaowu', name: '教务处', submitted: 4, onTime: 3, onTimeRate: 0.75 },
      { rank: 3, departmentId: 'deyu', name: '德育处', submitted: 3, onTime: 1, onTimeRate: 1 / 3 },
      { rank: 4, departmentId: 'tiyu', name: '体育组', submitted: 0, onTime: 0, onTimeRate: null },
    ]);

    // In review at Mon 30 Nov 09:00, oldest waiting first: 0003 since its latest review request (20 Nov 10:00),
    // overdue because its review was due 21 Nov; 0104 since its last change (23 Nov 00:00), flagged overdue;
    // 0103 since 25 Nov 15:00, due 30 Nov 14:00: not yet overdue.
    expect(f.pending).toEqual([
      {
        reportId: 'R-2026-0003', title: '“红领巾”主题队日活动', departmentId: 'deyu', departmentName: '德育处', category: '校园文化', urgency: 'routine',
        stepKind: 'department_head', holders: [{ name: '刘主任', email: 'liu@school.example' }], since: new Date(sh('2026-11-20 10:00')).toISOString(),
        reviewDueAt: new Date(sh('2026-11-21 10:00')).toISOString(), overdue: true, url: `${BASE_URL}/reports/R-2026-0003`,
      },
      {
        reportId: 'R-2026-0104', title: '学生科技创新大赛获奖<喜报>', departmentId: 'jiaowu', departmentName: '教务处', category: '师生成长', urgency: 'routine',
        stepKind: 'department_head', holders: [{ name: '张主任', email: 'zhang@school.example' }], since: new Date(sh('2026-11-23 00:00')).toISOString(),
        reviewDueAt: new Date(sh('2026-11-24 00:00')).toISOString(), overdue: true, url: `${BASE_URL}/reports/R-2026-0104`,
      },
      {
        reportId: 'R-2026-0103', title: '读书节启动仪式', departmentId: 'jiaowu', departmentName: '教务处', category: '校园文化', urgency: 'routine',
        stepKind: 'office', holders: [{ name: '李干事', email: 'li@school.example' }], since: new Date(sh('2026-11-25 15:00')).toISOString(),
        reviewDueAt: new Date(sh('2026-11-30 14:00')).toISOString(), overdue: false, url: `${BASE_URL}/reports/R-2026-0103`,
      },
    ]);
    expect(f.overdue.map((p) => p.reportId)).toEqual(['R-2026-0003', 'R-2026-0104']);

    // Published in W48, newest first; 0201 has no website link, so the dashboard's.
    expect(f.highlights.map((h) => [h.reportId, h.departmentName, h.url])).toEqual([
      ['R-2026-0101', '教务处', 'https://www.school.example/news/3?a=1&b=2'],
      ['R-2026-0201', '德育处', `${BASE_URL}/reports/R-2026-0201`],
      ['R-2026-0002', '教务处', 'https://www.school.example/news/2'],
    ]);
  });

  test('term statistics over any period: the same per-department figures', async () => {
    const database = await seeded();
    // W47 + W48 together (16 Nov 00:00 … 30 Nov 00:00): jiaowu 2 + 4 reports, etc.
    const stats = await computeStats(database, { from: sh('2026-11-16 00:00'), to: sh('2026-11-30 00:00'), timeZone: TIME_ZONE, departments: DEPARTMENTS });
    expect(stats.departments.map((d) => [d.departmentId, d.submitted, d.onTime, d.late, d.missing, d.returned, d.published, d.decided])).toEqual([
      ['jiaowu', 6, 5, 1, 0, 1, 3, 4],
      ['deyu', 4, 1, 3, 1, 2, 1, 1],
      ['zongwu', 1, 1, 0, 2, 0, 0, 1],
      ['tiyu', 0, 0, 0, 0, 0, 0, 0],
    ]);
    // jiaowu decisions: 60, 7260, 120, 90 → median (90 + 120) / 2 = 105.
    expect(stats.departments[0]?.medianDecisionMinutes).toBe(105);
    expect(stats.school).toMatchObject({ submitted: 11, onTime: 7, late: 4, missing: 3 });
    await expect(computeStats(database, { from: sh('2026-11-30 00:00'), to: sh('2026-11-30 00:00'), timeZone: TIME_ZONE, departments: DEPARTMENTS })).rejects.toMatchObject({ code: 'EFIGURES' });
  });

  test('a department that reports but is no longer configured is still counted, after the configured ones', async () => {
    const database = await seeded();
    const f = await computeDigest(database, { week: '2026-W48', timeZone: TIME_ZONE, departments: DEPARTMENTS.filter((d) => d.id !== 'deyu'), now: NOW });
    expect(f.current.departments.map((d) => [d.departmentId, d.name])).toEqual([['jiaowu', '教务处'], ['zongwu', '总务处'], ['tiyu', '体育组'], ['deyu', 'deyu']]);
    expect(f.current.school.submitted).toBe(8);
    expect(f.pending[0]?.url).toBeNull();
  });
});

describe('ranking by on-time rate', () => {
  const d = (id: string, submitted: number, onTime: number): DepartmentFigures => ({
    departmentId: id, name: id, submitted, onTime, late: submitted - onTime, missing: 0, returned: 0, published: 0, decided: 0,
    onTimeRate: submitted === 0 ? null : onTime / submitted, medianDecisionMinutes: null,
  });
  test('ties on rate go to the department that submitted more; equal rate and count share a rank; nothing submitted is last', () => {
    const ranking = rankByOnTimeRate([d('a', 0, 0), d('b', 2, 1), d('c', 4, 2), d('d', 4, 2), d('e', 1, 1)]);
    expect(ranking.map((r) => [r.rank, r.departmentId])).toEqual([[1, 'e'], [2, 'c'], [2, 'd'], [4, 'b'], [5, 'a']]);
  });
});
