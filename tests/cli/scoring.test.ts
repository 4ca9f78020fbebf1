// `baosong scoring`, `summary`, `uses` and `concealed` run as the IT teacher would, on the hand-made term of
// tests/exports/term-seed.ts in the example school's data directory.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel } from '../../db/index.js';
import type { ScoringBook } from '../../exports/book.js';
import { runCli } from '../support/cli.js';
import { ID, seedTerm } from '../exports/term-seed.js';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));
const env = { DATABASE_URL: '' };
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baosong-scoring-cli-'));
  mkdirSync(join(dir, 'data'));
  const database = await openDatabase({ file: join(dir, 'data', 'baosong.db') });
  await migrateToLatest(database);
  await seedTerm(new ReadModel(database));
  await database.close();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, '--config', EXAMPLE_CONFIG], { cwd: dir, env });

describe('baosong scoring and summary', () => {
  test('--format json: the ranking with its reasons; --format xlsx writes the workbook under the name the office knows', async () => {
    const json = await cli('scoring', '--term', '2026-秋', '--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    const book = JSON.parse(json.stdout) as ScoringBook;
    expect(book.departments.find((d) => d.department === '教务处')).toMatchObject({ points: 73, pieces: 8, late: 1 });
    expect(book.uses).toHaveLength(25);

    const xlsx = await cli('scoring', '--term', '2026-秋');
    expect(xlsx.code, xlsx.stderr).toBe(0);
    const file = join(dir, '2026年秋季学期信息录用与考核量分.xlsx');
    expect(xlsx.stderr).toContain(`已写入 ${file}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['信息录用情况登记表', '宣传考核量分表', '个人得分']);
  });

  test('summary --out writes the 工作总结 as .docx', async () => {
    const r = await cli('summary', '--term', '2026-秋', '--out', '工作总结.docx');
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, '工作总结.docx')).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  test('a term that is not one is refused in words', async () => {
    const r = await cli('scoring', '--term', '明年');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('“明年”不是学期：请写 2026-秋、2027-春 或 2026-2027');
  });
});

describe('baosong uses and concealed', () => {
  test('add records once; import previews, then records, and skips rows it cannot use', async () => {
    const first = await cli('uses', 'add', ID.J4!, '市教育网 https://jyj.city.test/a/9', '--date', '2026-10-30');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ added: true });
    expect(JSON.parse((await cli('uses', 'add', ID.J4!, '市教育网 https://jyj.city.test/a/9')).stdout)).toMatchObject({ added: false });

    writeFileSync(
      join(dir, '采用情况.csv'),
      `\uFEFF报送编号,录用单位,级别,网址\n${ID.K2},县教育网,县区级,https://jyj.county.test/k2\n${ID.K3},省教育报,省级,第5期\nR-2026-9999,县教育网,县区级,https://x.test\n${ID.K4},,,\n`,
    );
    const preview = await cli('uses', 'import', '采用情况.csv');
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stderr).toContain('以上为预览，尚未登记');
    const p = JSON.parse(preview.stdout) as { applied: boolean; rows: { reportId: string; outcome: string }[] };
    expect(p.rows.map((r) => `${r.reportId} ${r.outcome}`)).toEqual([`${ID.K2} would add`, `${ID.K3} would add`, 'R-2026-9999 skipped', `${ID.K4} skipped`]);
    const applied = JSON.parse((await cli('uses', 'import', '采用情况.csv', '--apply')).stdout) as typeof p;
    expect(applied.rows.map((r) => r.outcome)).toEqual(['added', 'added', 'skipped', 'skipped']);
    const again = JSON.parse((await cli('uses', 'import', '采用情况.csv', '--apply')).stdout) as typeof p;
    expect(again.rows.map((r) => r.outcome)).toEqual(['already recorded', 'already recorded', 'skipped', 'skipped']);
    const list = JSON.parse((await cli('uses', 'list', ID.K3!)).stdout) as { outlet: string; level: string; kind: string; ref: string }[];
    expect(list).toEqual([expect.objectContaining({ outlet: '省教育报', level: '省级', kind: '报刊', ref: '第5期' })]);

    const c = await cli('concealed', 'add', '--department', 'anquan', '--incident', '食堂停电未报送', '--date', '2026-12-01');
    expect(c.code, c.stderr).toBe(0);
    const book = JSON.parse((await cli('scoring', '--term', '2026-秋', '--format', 'json')).stdout) as ScoringBook;
    expect(book.departments.find((d) => d.department === '安全办')).toMatchObject({ concealed: 2, points: -2 });
  });
});
