/**
 * The term 工作总结 as a Word document the office edits: the drafted text, 基本情况 with the figures and a chart,
 * 亮点稿件, 各部门情况 with the ranking, 存在的问题和下一步打算, and the school's name and date to sign it.
 */
import { Resvg } from '@resvg/resvg-js';
import { AlignmentType, Document, ImageRun, Packer, Paragraph } from 'docx';
import { findCjkFont } from '../digest/chart.js';
import { USE_LEVELS } from '../domain/scoring.js';
import type { TermSummary } from './book.js';
import { body, fontsFor, heading, section, SIZE, table, TEXT_WIDTH, title } from './docx-common.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Two bar groups: uses by level, and points per department (the ranking). PNG via resvg with a CJK font. */
export function summaryChart(s: TermSummary, width = 900, height = 420): Buffer {
  const en = s.locale === 'en';
  const font = findCjkFont();
  const left: { label: string; value: number }[] = USE_LEVELS.map((l) => ({ label: l, value: s.figures.usesByLevel[l] }));
  const right = s.departments.slice(0, 8).map((d) => ({ label: d.department, value: d.points }));
  const panel = (items: { label: string; value: number }[], x0: number, w: number, caption: string, colour: string) => {
    const max = Math.max(1, ...items.map((i) => i.value));
    const base = height - 60;
    const top = 70;
    const bw = Math.min(60, (w - 40) / Math.max(1, items.length) - 14);
    const parts = [`<text x="${x0 + w / 2}" y="40" font-size="20" text-anchor="middle" fill="#1f2d3d">${esc(caption)}</text>`, `<line x1="${x0 + 10}" y1="${base}" x2="${x0 + w - 10}" y2="${base}" stroke="#888"/>`];
    items.forEach((it, i) => {
      const x = x0 + 20 + i * ((w - 40) / items.length) + ((w - 40) / items.length - bw) / 2;
      const h = (Math.max(0, it.value) / max) * (base - top);
      parts.push(`<rect x="${x}" y="${base - h}" width="${bw}" height="${h}" fill="${colour}"/>`);
      parts.push(`<text x="${x + bw / 2}" y="${base - h - 6}" font-size="15" text-anchor="middle" fill="#1f2d3d">${it.value}</text>`);
      parts.push(`<text x="${x + bw / 2}" y="${base + 22}" font-size="14" text-anchor="middle" fill="#1f2d3d">${esc(it.label.length > 5 ? `${it.label.slice(0, 5)}…` : it.label)}</text>`);
    });
    return parts.join('');
  };
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${esc(font.family)}"><rect width="100%" height="100%" fill="#fff"/>` +
    panel(left, 0, width * 0.42, en ? 'Uses by level' : '录用篇次（按级别）', '#2f6db5') +
    panel(right, width * 0.45, width * 0.55, en ? 'Points per department' : '各部门考核得分', '#d08a2e') +
    '</svg>';
  return Buffer.from(new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [font.file], defaultFontFamily: font.family } }).render().asPng());
}

export async function termSummaryDocument(s: TermSummary, options: { chartPng?: Buffer | null } = {}): Promise<Buffer> {
  const en = s.locale === 'en';
  const f = fontsFor(s.locale);
  const [opening, used, leaders, ...rest] = s.paragraphs;
  const fig = s.figures;
  const chart = options.chartPng === undefined ? summaryChart(s) : options.chartPng;
  const figuresTable = table(
    f,
    en ? ['Sent', 'On time', 'Late', 'Missing', 'Sent back', 'Approved', 'Published', 'Pieces used'] : ['报送', '按时', '迟报', '漏报', '退回修改', '审核通过', '发布', '被录用稿件'],
    [[fig.submitted, fig.onTime, fig.late, fig.missing, fig.returned, fig.approved, fig.published, fig.piecesUsed]],
    [1, 1, 1, 1, 1, 1, 1, 1.2],
    TEXT_WIDTH.portrait,
  );
  const levels = table(f, USE_LEVELS.map((l) => l), [USE_LEVELS.map((l) => fig.usesByLevel[l])], [1, 1, 1, 1, 1], TEXT_WIDTH.portrait);
  const children = [
    en ? title(f, s.school, `Publicity work in the ${s.periodLabel}`) : title(f, s.school, `${s.periodLabel}信息宣传工作总结`),
    ...(opening ? [body(f, opening)] : []),
    heading(f, en ? '1. The term in figures' : '一、基本情况'),
    ...(used ? [body(f, used)] : []),
    figuresTable,
    body(f, en ? 'Uses recorded, by level (times):' : '各级录用情况（篇次）：', { indent: false }),
    levels,
    ...(chart ? [new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 200 }, children: [new ImageRun({ type: 'png', data: chart, transformation: { width: 600, height: 280 }, altText: { name: 'chart', description: en ? 'Uses by level and points per department' : '录用篇次与各部门得分', title: 'chart' } })] })] : []),
    heading(f, en ? '2. Highlights' : '二、亮点稿件'),
    s.highlights.length > 0
      ? table(f, en ? ['Report', 'Title', 'Department', 'Best use', 'Uses', 'Points'] : ['编号', '标题', '部门', '最高录用', '次数', '得分'], s.highlights.map((h) => [h.reportId, h.title, h.department, h.best, h.uses, h.points]), [1.9, 2.6, 1.1, 2.6, 0.7, 0.7], TEXT_WIDTH.portrait, SIZE.小五)
      : body(f, en ? 'No piece was used outside the school this term.' : '本学期暂无校外录用的稿件。'),
    heading(f, en ? '3. Departments' : '三、各部门情况'),
    ...(leaders ? [body(f, leaders)] : []),
    table(
      f,
      en ? ['Rank', 'Department', 'Sent', 'On time', 'Late', 'Missing', 'Sent back', 'Published', 'Used', 'Points'] : ['名次', '部门', '报送', '按时', '迟报', '漏报', '退回', '发布', '录用', '得分'],
      s.perDepartment.map((d) => [d.rank, d.department, d.submitted, d.onTime, d.late, d.missing, d.returned, d.published, d.used, d.points]),
      [0.8, 1.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9],
      TEXT_WIDTH.portrait,
    ),
    heading(f, en ? '4. What to improve next term' : '四、存在的问题和下一步打算'),
    ...rest.map((p) => body(f, p)),
    body(f, '', { indent: false }),
    body(f, s.school, { align: 'right', indent: false }),
    body(f, en ? s.generatedAt.slice(0, 10) : chineseDate(s.generatedAt), { align: 'right', indent: false }),
  ];
  const doc = new Document({ creator: s.school, title: en ? `${s.school}: ${s.periodLabel} summary` : `${s.school}${s.periodLabel}信息宣传工作总结`, sections: [section(f, children)] });
  return Packer.toBuffer(doc);
}

/** 2027年1月20日 */
function chineseDate(iso: string): string {
  const d = new Date(iso);
  const local = new Date(d.getTime() + 8 * 3_600_000); // the date signed is Beijing's
  return `${local.getUTCFullYear()}年${local.getUTCMonth() + 1}月${local.getUTCDate()}日`;
}
