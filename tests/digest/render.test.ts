// The rendered digest (HTML of both locales and the PNG chart) is written to test-output/digest/ for a
// person to look at.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel } from '../../db/index.js';
import { departmentChartSvg, findCjkFont, renderDepartmentChart } from '../../digest/chart.js';
import { computeDigest, type DigestFigures } from '../../digest/figures.js';
import { renderDigest } from '../../templates/render.js';
import { BASE_URL, DEPARTMENTS, NOW, seed, TIME_ZONE } from './seed.js';

const OUT = fileURLToPath(new URL('../../test-output/digest/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let figures: DigestFigures;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  const database = await openDatabase({ file: ':memory:' });
  await migrateToLatest(database);
  await seed(new ReadModel(database));
  figures = await computeDigest(database, { week: '2026-W48', timeZone: TIME_ZONE, departments: DEPARTMENTS, baseUrl: BASE_URL, now: NOW });
  await database.close();
});

function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('digest chart', () => {
  test('is a valid 800×400 PNG with a CJK font, written for a person to look at', async () => {
    expect(findCjkFont().file).toMatch(/\.(ttc|ttf|otf)$/);
    for (const locale of ['zh-CN', 'en'] as const) {
      const png = await renderDepartmentChart(figures, { locale });
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
      expect(pngSize(png)).toEqual({ width: 800, height: 400 });
      expect(png.length).toBeGreaterThan(5000);
      writeFileSync(path.join(OUT, `digest-2026-W48.${locale}.png`), png);
    }
  });

  test('the SVG has every department name (escaped), the legend and one bar per department and series', () => {
    const svg = departmentChartSvg([...figures.current.departments, { ...figures.current.departments[0]!, departmentId: 'x', name: '<后勤&保卫>' }], {
      locale: 'zh-CN',
      title: 't',
      fontFamily: 'WenQuanYi Micro Hei',
    });
    for (const name of ['教务处', '德育处', '总务处', '体育组', '&lt;后勤&amp;保卫&gt;', '按时', '迟报', '漏报']) expect(svg).toContain(name);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#(2e8b57|e08a00|c0392b)"\/>/g)).toHaveLength(5 * 3 + 3); // a bar per department and series, and the legend's three swatches
  });

  test('with many departments the names are turned so they do not overlap', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ ...figures.current.departments[0]!, departmentId: `d${i}`, name: `第${i + 1}年级组` }));
    expect(departmentChartSvg(many, { locale: 'zh-CN', title: 't', fontFamily: 'x' })).toContain('rotate(-40');
    const png = await renderDepartmentChart({ ...figures, current: { ...figures.current, departments: many } }, { locale: 'zh-CN' });
    writeFileSync(path.join(OUT, 'digest-30-departments.png'), png);
    expect(pngSize(png)).toEqual({ width: 800, height: 400 });
  });

  test('no CJK font: a clear error naming the way out', async () => {
    await expect(renderDepartmentChart(figures, { locale: 'zh-CN', fontFile: '/nonexistent/font.ttc' })).rejects.toMatchObject({
      code: 'ECHART_FONT',
      message: expect.stringContaining('does not exist') as unknown,
    });
  });
});

describe('digest mail', () => {
  test('zh-CN: subject, tables, changes, pending with holders, ranking, highlights, chart by CID', () => {
    const mail = renderDigest(figures, { locale: 'zh-CN', timeZone: TIME_ZONE, schoolName: '示例中学', chartCid: 'chart-2026-W48@baosong' });
    writeFileSync(path.join(OUT, 'digest-2026-W48.zh-CN.html'), mail.html.replace('cid:chart-2026-W48@baosong', 'digest-2026-W48.zh-CN.png'));
    writeFileSync(path.join(OUT, 'digest-2026-W48.zh-CN.txt'), mail.text);
    expect(mail.subject).toBe('【信息报送周报】2026年第48周（11月23日—11月29日）');
    expect(mail.html).toContain('<img');
    expect(mail.html).toContain('src="cid:chart-2026-W48@baosong"');
    // 教务处 row: 4 ▲2 | 3 ▲1 | 1 ▲1 | 0 | 1 ▲1 | 2 ▲1 | 75% ▼25 | 2 小时
    const row = /<tr[^>]*>\s*<td[^>]*>教务处<\/td>(.*?)<\/tr>/s.exec(mail.html)?.[1] ?? '';
    const cells = [...row.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, '').trim());
    expect(cells).toEqual(['4 ▲2', '3 ▲1', '1 ▲1', '0', '1 ▲1', '2 ▲1', '75% ▼25', '2 小时']);
    expect(mail.html).toMatch(/全校<\/td>.*?8 .*?▲5/s);
    // The title with angle brackets is escaped, never raw.
    expect(mail.html).toContain('学生科技创新大赛获奖&lt;喜报&gt;');
    expect(mail.html).not.toContain('<喜报>');
    expect(mail.html).toContain('刘主任');
    expect(mail.html).toContain('已逾期');
    expect(mail.html).toContain('其中 <span');
    expect(mail.html).toContain('href="https://www.school.example/news/3?a=1&amp;b=2"');
    expect(mail.html).toContain(`href="${BASE_URL}/reports/R-2026-0201"`);
    expect(mail.text).toContain('教务处');
    expect(mail.text).toContain('升旗仪式');
  });

  test('en: the same figures in English', () => {
    const mail = renderDigest(figures, { locale: 'en', timeZone: TIME_ZONE, schoolName: 'Example Middle School', chartCid: 'chart-2026-W48@baosong' });
    writeFileSync(path.join(OUT, 'digest-2026-W48.en.html'), mail.html.replace('cid:chart-2026-W48@baosong', 'digest-2026-W48.en.png'));
    writeFileSync(path.join(OUT, 'digest-2026-W48.en.txt'), mail.text);
    expect(mail.subject).toBe('[Weekly digest] Information reporting, week 48 of 2026 (23 Nov – 29 Nov)');
    expect(mail.html).toContain('Teaching');
    expect(mail.html).toContain('department head review');
    expect(mail.html).toContain('Overdue');
    expect(mail.html).toContain('src="cid:chart-2026-W48@baosong"');
  });

  test('a long list of pending reviews is cut at 30 in the mail, saying how many more there are', () => {
    const pending = Array.from({ length: 35 }, (_, i) => ({ ...figures.pending[0]!, reportId: `R-2026-${String(9000 + i)}` }));
    const mail = renderDigest({ ...figures, pending, overdue: pending }, { locale: 'zh-CN', timeZone: TIME_ZONE, schoolName: '示例中学', chartCid: null });
    expect(mail.html.match(/R-2026-90\d\d<\/a>/g)).toHaveLength(30);
    expect(mail.html).toContain('其中 <span class="strong"');
    expect(mail.html).toMatch(/另有 5 份待审核报送未列出/);
    expect(mail.text).toContain('另有 5 份未列出。');
  });

  test('without a chart there is no image; an unknown locale is refused', () => {
    const mail = renderDigest(figures, { locale: 'zh-CN', timeZone: TIME_ZONE, schoolName: '示例中学', chartCid: null });
    expect(mail.html).not.toContain('<img');
    expect(() => renderDigest(figures, { locale: 'fr' as 'en', timeZone: TIME_ZONE, schoolName: 'x', chartCid: null })).toThrow(/unknown locale/);
  });
});
