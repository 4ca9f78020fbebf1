// The rendered digest (HTML of both locales and the PNG chart) is written to test-output/digest/ for a
// person to look at.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel } from '../../db/index.js';
import { ReportUses } from '../../db/uses.js';
import { departmentChartSvg, findCjkFont, renderDepartmentChart } from '../../digest/chart.js';
import { computeDigest, type DigestFigures } from '../../digest/figures.js';
import { renderDigest, type RenderedMail } from '../../templates/render.js';
import { BASE_URL, DEPARTMENTS, NOW, seed, sh, TIME_ZONE } from './seed.js';

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

describe('a bureau’s digest (unit: school)', () => {
  // The same week at a county bureau: its "departments" are the schools, each with the seed's reports.
  const SCHOOLS = [
    { id: 'jiaowu', name: '城关第一小学' },
    { id: 'deyu', name: '城关中学' },
    { id: 'zongwu', name: '东山镇中心小学' },
    { id: 'tiyu', name: '西河乡中心小学' },
  ];
  let bureau: DigestFigures;

  beforeAll(async () => {
    const database = await openDatabase({ file: ':memory:' });
    await migrateToLatest(database);
    const readModel = new ReadModel(database);
    await seed(readModel);
    const uses = new ReportUses(database);
    const use = (reportId: string, outlet: string, level: '县区级' | '市级', recordedAt: string) =>
      uses.add({ reportId, outlet, level, kind: '网站', usedOn: recordedAt.slice(0, 10), ref: `https://news.example/${reportId}/${outlet}`, source: 'office', recordedBy: { name: '李干事', email: 'li@jyj.example' }, recordedAt: new Date(recordedAt) });
    // 城关第一小学 (ranked 2nd) is used twice, 城关中学 (3rd) once: more uses must not lift either above 东山镇中心小学,
    // whose only use was recorded the week before and so counts nothing here.
    await use('R-2026-0101', '青禾县教育局网站', '县区级', sh('2026-11-24 10:00'));
    await use('R-2026-0101', '青禾市教育信息网', '市级', sh('2026-11-27 16:00'));
    await use('R-2026-0201', '青禾县教育局网站', '县区级', sh('2026-11-25 09:00'));
    await use('R-2026-0301', '青禾县教育局网站', '县区级', sh('2026-11-20 09:00'));
    bureau = await computeDigest(database, { week: '2026-W48', timeZone: TIME_ZONE, departments: SCHOOLS, baseUrl: BASE_URL, now: NOW });
    await database.close();
  });

  /** The ranking table's rows as [rank, name, submitted, on time, rate, uses], from the HTML. */
  function rankingRows(mail: RenderedMail, heading: string): string[][] {
    const table = new RegExp(`<h2[^>]*>${heading}</h2>.*?<tbody[^>]*>(.*?)</tbody>`, 's').exec(mail.html)?.[1] ?? '';
    return [...table.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((row) => [...(row[1] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((m) => (m[1] ?? '').trim()));
  }

  test('zh-CN: says 学校 wherever a school’s digest says 部门, and ranks by on-time rate with each school’s uses', () => {
    const mail = renderDigest(bureau, { locale: 'zh-CN', timeZone: TIME_ZONE, schoolName: '青禾县教育局', chartCid: 'chart-2026-W48@baosong', unit: 'school' });
    writeFileSync(path.join(OUT, 'digest-2026-W48.bureau.zh-CN.html'), mail.html.replace('cid:chart-2026-W48@baosong', 'digest-2026-W48.zh-CN.png'));
    writeFileSync(path.join(OUT, 'digest-2026-W48.bureau.zh-CN.txt'), mail.text);
    expect(mail.html).not.toContain('部门');
    expect(mail.text).not.toContain('部门');
    expect(mail.html).toContain('alt="各学校按时、迟报、漏报柱状图"');
    expect(mail.html).toMatch(/<h2[^>]*>各学校报送情况<\/h2>/);
    expect(mail.html).toMatch(/<tr class="total"[^>]*><td[^>]*>全部学校<\/td>/);
    expect(mail.html).toContain('学校负责人审核');
    expect(mail.html).toContain('各学校以按时率从高到低排名；按时率相同时报送多者在前；本周无报送的学校列在最后。“录用”为本周登记的录用条数，不影响名次。');
    expect(mail.html).toMatch(/<th[^>]*>名次<\/th><th[^>]*>学校<\/th><th[^>]*>报送<\/th><th[^>]*>按时<\/th><th[^>]*>按时率<\/th><th[^>]*>录用<\/th>/);
    expect(rankingRows(mail, '按时率排名')).toEqual([
      ['1', '东山镇中心小学', '1', '1', '100%', '0'],
      ['2', '城关第一小学', '4', '3', '75%', '2'],
      ['3', '城关中学', '3', '1', '33.3%', '1'],
      ['4', '西河乡中心小学', '0', '0', '—', '0'],
    ]);
    expect(mail.text).toContain('【各学校报送情况】');
    expect(mail.text).toContain('2. 城关第一小学：75%（报送 4，按时 3，录用 2）');
    expect(mail.text).toContain('3. 城关中学：33.3%（报送 3，按时 1，录用 1）');
  });

  test('en: School(s), never department(s)', () => {
    const mail = renderDigest(bureau, { locale: 'en', timeZone: TIME_ZONE, schoolName: 'Qinghe County Education Bureau', chartCid: 'chart-2026-W48@baosong', unit: 'school' });
    expect(mail.html).not.toMatch(/department/i);
    expect(mail.text).not.toMatch(/department/i);
    expect(mail.html).toMatch(/<h2[^>]*>By school<\/h2>/);
    expect(mail.html).toContain('All schools');
    expect(mail.html).toContain('schools that submitted nothing come last');
    expect(rankingRows(mail, 'Ranking by on-time rate').map((r) => [r[1], r[5]])).toEqual([['东山镇中心小学', '0'], ['城关第一小学', '2'], ['城关中学', '1'], ['西河乡中心小学', '0']]);
    expect(mail.text).toContain('BY SCHOOL: submitted');
    expect(mail.text).toContain('2. 城关第一小学: 75% (submitted 4, on time 3, used 2)');
  });

  test('a bureau of a district: its schools’ own weeks first, weak on-time rates in red, in both languages', () => {
    const uses = (county: number) => ({ 校级: 1, 县区级: county, 市级: 0, 省级: 0, 国家级: 0 });
    const school = (schoolId: string, name: string, submitted: number, onTime: number, county: number) => ({ schoolId, name, submitted, onTime, late: submitted - onTime, missing: 0, returned: 0, published: onTime, onTimeRate: submitted ? onTime / submitted : null, uses: uses(county), usesTotal: 1 + county });
    const district = {
      week: '2026-W48', monday: '2026-11-23', sunday: '2026-11-29', from: '', to: '', url: 'https://qinghe-jyj.baosong.example.cn/office/district?week=2026-W48',
      schools: [school('chengguan-zx', '城关中学', 10, 7, 2), school('dongshan-xx', '东山镇中心小学', 0, 0, 0)],
      total: { submitted: 10, onTime: 7, late: 3, missing: 0, returned: 0, published: 7, onTimeRate: 0.7, uses: uses(2), usesTotal: 3 },
    };
    const zh = renderDigest({ ...bureau, district }, { locale: 'zh-CN', timeZone: TIME_ZONE, schoolName: '青禾县教育局', chartCid: null, unit: 'school' });
    writeFileSync(path.join(OUT, 'digest-2026-W48.district.zh-CN.html'), zh.html); // to look at, as a mail client shows it
    expect(zh.html).toMatch(/<h2[^>]*>各校校内信息报送情况（2 所学校）<\/h2>[^]*<h2[^>]*>各学校报送情况<\/h2>/);
    expect(zh.html).toMatch(/>城关中学<\/td>(<td[^>]*>\d+<\/td>){6}<td[^>]*><span class="late"[^>]*>70%<\/span><\/td><td[^>]*>3（2）<\/td>/);
    expect(zh.html).toMatch(/>东山镇中心小学<\/td>(<td[^>]*>0<\/td>){6}<td[^>]*>—<\/td>/);
    expect(zh.text).toContain('城关中学：10 / 7 / 3 / 0 / 0 / 7 / 70% / 3（2）');
    expect(zh.text).toContain('全区（县）合计：10 / 7 / 3 / 0 / 0 / 7 / 70% / 3（2）');
    expect(zh.text).toContain('在网页上查看：https://qinghe-jyj.baosong.example.cn/office/district?week=2026-W48');
    const en = renderDigest({ ...bureau, district }, { locale: 'en', timeZone: TIME_ZONE, schoolName: 'Qinghe County Education Bureau', chartCid: null, unit: 'school' });
    expect(en.html).toMatch(/<h2[^>]*>Each school's own reporting \(2 schools\)<\/h2>/);
    expect(en.html).not.toMatch(/各校|合计|所学校|录用/);
    expect(en.text).toContain('All schools: 10 / 7 / 3 / 0 / 0 / 7 / 70% / 3 (2)');
    // A school's digest (no district) has no such section.
    expect(renderDigest(bureau, { locale: 'zh-CN', timeZone: TIME_ZONE, schoolName: '示例中学', chartCid: null }).text).not.toContain('各校校内');
  });

  test('a school’s digest of the same figures (the default unit) still says 部门, with the same uses column', () => {
    const mail = renderDigest(bureau, { locale: 'zh-CN', timeZone: TIME_ZONE, schoolName: '示例中学', chartCid: 'chart-2026-W48@baosong' });
    expect(mail.html).toContain('alt="各部门按时、迟报、漏报柱状图"');
    expect(mail.html).toMatch(/<h2[^>]*>各部门报送情况<\/h2>/);
    expect(mail.html).toMatch(/<tr class="total"[^>]*><td[^>]*>全校<\/td>/);
    expect(mail.html).toContain('部门负责人审核');
    expect(mail.html).toContain('本周无报送的部门列在最后');
    expect(mail.html).not.toMatch(/各学校|全部学校|学校负责人/);
    expect(rankingRows(mail, '按时率排名').map((r) => r[5])).toEqual(['0', '2', '1', '0']);
    expect(mail.text).toContain('【各部门报送情况】');
  });

  test('a digest computed before uses were recorded shows — for them, not 0', () => {
    const { uses: _unknown, ...older } = bureau;
    const mail = renderDigest(older, { locale: 'zh-CN', timeZone: TIME_ZONE, schoolName: '青禾县教育局', chartCid: null, unit: 'school' });
    expect(rankingRows(mail, '按时率排名').map((r) => r[5])).toEqual(['—', '—', '—', '—']);
  });
});
