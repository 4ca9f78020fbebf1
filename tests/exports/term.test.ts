// A whole autumn term scored from the facts (tests/exports/term-seed.ts has the hand-computed table).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, test } from 'vitest';
import { scoringDocument } from '../../exports/scoring-docx.js';
import { scoringWorkbook } from '../../exports/scoring-xlsx.js';
import { termSummaryDocument } from '../../exports/summary-docx.js';
import { draftParagraphs } from '../../exports/summary-text.js';
import { renderDocx } from '../support/libreoffice.js';
import { computeDigest } from '../../digest/figures.js';
import { renderDigest } from '../../templates/render.js';
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

describe('the term’s documents, opened as the office and the bureau open them', () => {
  const backend = useBackend('sqlite');
  const out = join(import.meta.dirname, '..', '..', 'test-output', 'exports');

  test('the workbook reopens with its three sheets, the 25 uses and the ranking', async () => {
    const readModel = await backend.readModel();
    await seedTerm(readModel);
    const book = await scoringBook(readModel.database, options);
    const wb = new ExcelJS.Workbook();
    const file = await scoringWorkbook(book);
    await wb.xlsx.load(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['信息录用情况登记表', '宣传考核量分表', '个人得分']);
    const register = wb.getWorksheet('信息录用情况登记表')!;
    expect(register.getCell('A1').text).toBe('示范中学信息录用情况登记表（2026年秋季学期，2026-08-15 至 2027-02-14）');
    expect(register.getRow(2).values).toEqual([undefined, '序号', '报送编号', '标题', '部门', '作者', '简讯/详讯', '录用单位（栏目）', '级别', '类别', '录用日期', '网址/期号', '是否计分']);
    expect(register.rowCount).toBe(2 + 25);
    const sheet = wb.getWorksheet('宣传考核量分表')!;
    const ranking = [3, 4, 5, 6, 7, 8].map((r) => [sheet.getCell(r, 1).value, sheet.getCell(r, 2).value, sheet.getCell(r, 8).value]);
    expect(ranking).toEqual([
      [1, '团委', 74],
      [2, '教务处', 73],
      [3, '德育处', 33],
      [4, '总务处', 14],
      [5, '科学组', 9],
      [6, '安全办', 3],
    ]);
    expect(sheet.getCell(8, 9).text).toContain('-5 瞒报：实验室小火情未报送');
  });

  test('the register and the summary render with LibreOffice: titles, departments, totals, page numbers', async () => {
    mkdirSync(out, { recursive: true });
    const readModel = await backend.readModel();
    await seedTerm(readModel);
    const book = await scoringBook(readModel.database, options);
    const sheetDoc = await renderDocx(await scoringDocument(book), 'scoring-2026-autumn', out);
    expect(sheetDoc.text).toContain('示范中学信息录用情况登记表');
    expect(sheetDoc.text).toContain('示范中学宣传考核量分表');
    for (const d of DEPARTMENTS) expect(sheetDoc.text).toContain(d.name);
    expect(sheetDoc.text).toMatch(/团委\s+5\s+4\s+0\s+0\s+0\s+74/);
    expect(sheetDoc.text).toMatch(/—\s*1\s*—/);
    expect(sheetDoc.pages).toBeGreaterThanOrEqual(2);
    expect(sheetDoc.pages).toBeLessThanOrEqual(8);

    const facts = await termFacts(readModel.database, options);
    const summary = { ...facts, paragraphs: draftParagraphs(facts) };
    expect(summary.paragraphs[0]).toBe('本学期，我校各部门共报送信息40篇，其中按时报送37篇，按时率92.5%；迟报3篇，漏报2篇。经审核通过37篇，在学校网站、公众号等渠道发布31篇。');
    expect(summary.paragraphs[1]).toContain('全学期共有16篇稿件被录用25篇次，其中校外录用22篇次（省级2篇次，市级4篇次，县区级16篇次）');
    const doc = await renderDocx(await termSummaryDocument(summary), 'summary-2026-autumn', out);
    // (the PDF's text wraps where the page does)
    const flat = doc.text.replace(/\s+/g, '');
    expect(flat).toContain('示范中学2026年秋季学期信息宣传工作总结');
    for (const h of ['一、基本情况', '二、亮点稿件', '三、各部门情况', '四、存在的问题和下一步打算']) expect(flat).toContain(h);
    expect(flat).toContain('按时率92.5%');
    expect(doc.pages).toBeGreaterThanOrEqual(2);
    expect(doc.pngs.length).toBe(doc.pages);
  }, 240_000);
});

describe('the weekly digest after 审核通过', () => {
  const backend = useBackend('sqlite');
  test('says what waits to be published, the week’s uses and the term’s ranking so far', async () => {
    const readModel = await backend.readModel();
    await seedTerm(readModel);
    // The seed's uses were recorded on 1 December 2026, in 2026-W49.
    const figures = await computeDigest(readModel.database, {
      week: '2026-W49',
      timeZone: 'Asia/Shanghai',
      departments: DEPARTMENTS,
      now: new Date('2026-12-04T08:00:00Z'),
      scoring: async (db) => {
        const book = await scoringBook(db, options);
        return { term: '2026年秋季学期', departments: book.departments.map((d) => ({ rank: d.rank, department: d.department, points: d.points })) };
      },
    });
    expect(figures.toPublish?.map((p) => p.reportId)).toEqual([ID.A1, ID.A2, ID.A3, ID.A4, ID.A5, ID.A6]);
    expect(figures.uses).toHaveLength(26);
    const mail = renderDigest(figures, { locale: 'zh-CN', timeZone: 'Asia/Shanghai', schoolName: '示范中学', chartCid: null });
    expect(mail.text).toContain('已审核通过、尚未确认发布的有 6 篇');
    expect(mail.text).toMatch(/本周录用[\s\S]*《?T1 的稿件》?[\s\S]*省教育报（省级 报刊/);
    expect(mail.text).toMatch(/考核量分（2026年秋季学期，截至本周）[\s\S]*1\s+团委\s+74/);
  });
});
