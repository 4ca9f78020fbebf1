import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, test } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel } from '../../db/index.js';
import { computeStats, type PeriodFigures } from '../../digest/figures.js';
import { statsCsv, statsXlsx } from '../../digest/stats-export.js';
import { DEPARTMENTS, seed, sh, TIME_ZONE } from './seed.js';

let stats: PeriodFigures;

beforeAll(async () => {
  const database = await openDatabase({ file: ':memory:' });
  await migrateToLatest(database);
  await seed(new ReadModel(database));
  // W47 + W48 (see figures.test.ts for the same period worked out by hand).
  stats = await computeStats(database, { from: sh('2026-11-16 00:00'), to: sh('2026-11-30 00:00'), timeZone: TIME_ZONE, departments: DEPARTMENTS });
  await database.close();
});

describe('term statistics export', () => {
  test('CSV: UTF-8 BOM, CRLF, the header, a row per department and the school', () => {
    const csv = statsCsv(stats, { locale: 'zh-CN', timeZone: TIME_ZONE });
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.subarray(3).toString('utf8').split('\r\n');
    expect(lines).toEqual([
      '部门编号,部门,报送,按时,迟报,漏报,退回,发布,已决定,按时率,审核用时中位数（分钟）',
      // jiaowu: decisions 60, 7260, 120, 90 min → median 105.
      'jiaowu,教务处,6,5,1,0,1,3,4,83.3%,105',
      'deyu,德育处,4,1,3,1,2,1,1,25.0%,30',
      'zongwu,总务处,1,1,0,2,0,0,1,100.0%,1440',
      'tiyu,体育组,0,0,0,0,0,0,0,,',
      // school decisions: 60, 7260, 120, 90, 30, 1440 → median (90 + 120) / 2 = 105.
      ',全校,11,7,4,3,3,4,6,63.6%,105',
      '',
    ]);
    expect(statsCsv(stats, { locale: 'en', timeZone: TIME_ZONE }).toString('utf8')).toContain('Department id,Department,Submitted,On time,Late,Missing');
  });

  test('CSV defuses names a spreadsheet would run as formulas and quotes commas', () => {
    const odd = { ...stats, departments: [{ ...stats.departments[0]!, departmentId: 'x', name: '=HYPERLINK("http://evil")' }, { ...stats.departments[0]!, departmentId: 'y', name: '后勤,保卫' }] };
    const text = statsCsv(odd, { locale: 'zh-CN', timeZone: TIME_ZONE }).toString('utf8');
    expect(text).toContain(`x,"'=HYPERLINK(""http://evil"")"`);
    expect(text).toContain('y,"后勤,保卫"');
  });

  test('XLSX read back with exceljs has the figures, the categories and the period', async () => {
    const workbook = new ExcelJS.Workbook();
    const file = await statsXlsx(stats, { locale: 'zh-CN', timeZone: TIME_ZONE });
    // exceljs declares its own Buffer (an ArrayBuffer): hand it the bytes as one.
    await workbook.xlsx.load(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
    const sheet = workbook.getWorksheet('各部门');
    const values = (row: number) => (sheet?.getRow(row).values as unknown[]).slice(1);
    expect(values(1)).toEqual(['部门编号', '部门', '报送', '按时', '迟报', '漏报', '退回', '发布', '已决定', '按时率', '审核用时中位数（分钟）']);
    expect(values(2)).toEqual(['jiaowu', '教务处', 6, 5, 1, 0, 1, 3, 4, 5 / 6, 105]);
    expect(values(3)).toEqual(['deyu', '德育处', 4, 1, 3, 1, 2, 1, 1, 0.25, 30]);
    expect(values(6).slice(1, 9)).toEqual(['全校', 11, 7, 4, 3, 3, 4, 6]);
    expect(sheet?.getRow(2).getCell(10).numFmt).toBe('0.0%');
    const categories = workbook.getWorksheet('分类');
    expect((categories?.getRow(1).values as unknown[]).slice(1)).toEqual(['类别', '报送', '教务处', '德育处', '总务处', '体育组']);
    // 教育教学 in W47 + W48: 0001, 0002, 0101, 0102, all 教务处.
    expect((categories?.getRow(2).values as unknown[]).slice(1)).toEqual(['教育教学', 4, 4, 0, 0, 0]);
    expect(workbook.getWorksheet('说明')?.getRow(1).getCell(2).value).toBe('2026-11-16 – 2026-11-29');
  });
});
