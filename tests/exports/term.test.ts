// A whole autumn term scored from the facts (tests/exports/term-seed.ts has the hand-computed table).
import { describe, expect, test } from 'vitest';
import { ReportUses } from '../../db/uses.js';
import { scoringBook, termFacts, type BookOptions } from '../../exports/build.js';
import { COUNTY_SHEET } from '../../domain/scoring.js';
import { termRange } from '../../domain/terms.js';
import { DIALECTS, useBackend } from '../db/harness.js';
import { DEPARTMENTS, ID, seedTerm, TITLE } from './term-seed.js';

const term = termRange('2026-秋');
const options: BookOptions = {
  school: '示范中学',
  locale: 'zh-CN',
  timeZone: 'Asia/Shanghai',
  departments: DEPARTMENTS,
  sheet: COUNTY_SHEET,
  detailedFromChars: 300,
  from: term.from,
  to: term.to,
  label: term.label.zh,
  now: new Date('2027-01-20T02:00:00Z'),
};

describe.each(DIALECTS)('the 2026-秋 term on %s', (dialect) => {
  const backend = useBackend(dialect);

  test('the ranking, each department’s counts and the people’s points match the hand-computed table', async () => {
    const readModel = await backend.readModel();
    await seedTerm(readModel);
    const book = await scoringBook(readModel.database, options);
    expect(book.departments.map((d) => [d.rank, d.department, d.points, d.pieces, d.used, d.late, d.missing, d.concealed])).toEqual([
      [1, '团委', 74, 5, 4, 0, 0, 0],
      [2, '教务处', 73, 8, 4, 1, 0, 0],
      [3, '德育处', 33, 6, 4, 1, 1, 0],
      [4, '总务处', 14, 6, 2, 1, 1, 0],
      [5, '科学组', 9, 6, 1, 0, 0, 0],
      [6, '安全办', 3, 6, 1, 0, 0, 1],
    ]);
    // Every point has its reason, and the lines add up to the total.
    for (const d of book.departments) expect(d.lines.reduce((s, l) => s + l.points, 0)).toBe(d.points);
    const jiaowu = book.departments.find((d) => d.department === '教务处')!;
    expect(jiaowu.lines.find((l) => l.reportId === ID.J1)!.reason).toBe(`《${TITLE('J1')}》被市教育简报（市级简报）录用（详讯），共录用 3 次，按最高一次计`);
    expect(jiaowu.lines.find((l) => l.reportId === ID.J6)!.reason).toBe(`《${TITLE('J6')}》报送未录用（详讯）`);
    expect(book.departments.find((d) => d.department === '德育处')!.lines.filter((l) => l.points < 0).map((l) => l.reason)).toEqual([`迟报（${ID.D7}）`, '漏报：国庆升旗仪式']);
    expect(book.departments.find((d) => d.department === '安全办')!.lines.at(-1)).toEqual({ points: -5, reason: '瞒报：实验室小火情未报送' });
    expect(book.people.slice(0, 3).map((p) => [p.rank, p.author, p.department, p.points])).toEqual([
      [1, '吴婷', '团委', 74],
      [2, '刘芳', '教务处', 64],
      [3, '赵敏', '德育处', 35],
    ]);
    expect(book.people.find((p) => p.author === '孙老师')!.points).toBe(9);
  });

  test('the register lists the 25 uses of the term’s pieces, the one counted per piece marked', async () => {
    const readModel = await backend.readModel();
    await seedTerm(readModel);
    const book = await scoringBook(readModel.database, options);
    expect(book.uses).toHaveLength(25);
    expect(book.uses.filter((u) => u.counted)).toHaveLength(16);
    expect(book.uses.some((u) => u.reportId === 'R-2026-0900')).toBe(false);
    const t1 = book.uses.filter((u) => u.reportId === ID.T1);
    expect(t1.map((u) => [u.outlet, u.counted])).toEqual([
      ['省教育报', true],
      ['市日报', false],
      ['县教育网', false],
    ]);
    // The office's 简讯 stands against the length's guess.
    expect(book.uses.find((u) => u.reportId === ID.D6)!.size).toBe('简讯');
    expect(book.uses.find((u) => u.reportId === ID.J1)!.size).toBe('详讯');
  });

  test('the term summary’s figures and highlights', async () => {
    const readModel = await backend.readModel();
    await seedTerm(readModel);
    const summary = await termFacts(readModel.database, options);
    expect(summary.figures).toEqual({ submitted: 40, onTime: 37, late: 3, missing: 2, returned: 2, approved: 37, published: 31, usesByLevel: { 校级: 3, 县区级: 16, 市级: 4, 省级: 2, 国家级: 0 }, piecesUsed: 16 });
    expect(summary.highlights.map((h) => [h.reportId, h.points, h.uses])).toEqual([
      [ID.T1, 40, 3],
      [ID.J3, 40, 1],
      [ID.J1, 20, 3],
      [ID.D1, 20, 2],
      [ID.T2, 20, 1],
    ]);
    expect(summary.perDepartment.find((d) => d.department === '德育处')).toEqual({ department: '德育处', submitted: 8, onTime: 7, late: 1, missing: 1, returned: 1, published: 6, used: 4, points: 33, rank: 3 });
  });

  test('the same use recorded twice (a forwarded notice, an import read again) is one use', async () => {
    const readModel = await backend.readModel();
    await seedTerm(readModel);
    const uses = new ReportUses(readModel.database);
    const by = { name: '李干事', email: 'li@school.example' };
    const again = await uses.add({ reportId: ID.J2!, outlet: ' 县教育网', level: '县区级', kind: '网站', usedOn: '2026-09-12', ref: 'https://news.example/J2/0/', source: 'mail', recordedBy: by, recordedAt: new Date() });
    expect(again.added).toBe(false);
    const book = await scoringBook(readModel.database, options);
    expect(book.uses).toHaveLength(25);
  });
});
