/**
 * The digest's chart: per-department grouped bars (on time / late / missing) drawn as SVG here and
 * rendered to PNG with resvg, because many mail clients show no SVG. Chinese department names need a CJK
 * font file, loaded explicitly (no system font lookup): $BAOSONG_CJK_FONT, else the first one found under
 * /usr/share/fonts (Debian: fonts-wqy-microhei).
 *
 *   const png = await renderDepartmentChart(figures, { locale: 'zh-CN' });   // a Buffer, 800×400
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_TIME_ZONE, formatLocalDate, toLocal } from '../domain/time.js';
import type { Locale } from '../templates/types.js';
import type { DepartmentFigures, DigestFigures, PeriodFigures } from './figures.js';
import { type ErrorCodes } from '../domain/errors.js';

export class ChartError extends Error {
  readonly code: ErrorCodes<'ECHART_FONT' | 'ECHART_RENDER'>;
  constructor(code: ErrorCodes<'ECHART_FONT' | 'ECHART_RENDER'>, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChartError';
    this.code = code;
  }
}

export interface ChartOptions {
  locale: Locale;
  /** Pixels; default 800 × 400. */
  width?: number;
  height?: number;
  /** For term statistics: the zone the period's dates are shown in (default Asia/Shanghai). */
  timeZone?: string;
  /** A CJK font file (.ttc/.ttf/.otf); default $BAOSONG_CJK_FONT or one found under /usr/share/fonts. */
  fontFile?: string;
  /** A bureau's "departments" are its schools: the title says so. */
  unit?: 'department' | 'school';
}

/** Known CJK fonts: file name pattern → the family name inside it. */
const CJK_FONTS: readonly { pattern: RegExp; family: string }[] = [
  { pattern: /wqy-microhei\.tt[cf]$/i, family: 'WenQuanYi Micro Hei' },
  { pattern: /wqy-zenhei\.tt[cf]$/i, family: 'WenQuanYi Zen Hei' },
  { pattern: /NotoSansCJK.*\.tt[cf]$/i, family: 'Noto Sans CJK SC' },
  { pattern: /NotoSansSC.*\.(ttf|otf)$/i, family: 'Noto Sans SC' },
  { pattern: /SourceHanSans.*\.(ttc|otf)$/i, family: 'Source Han Sans SC' },
  { pattern: /DroidSansFallback.*\.ttf$/i, family: 'Droid Sans Fallback' },
];
const FONT_ROOTS = ['/usr/share/fonts', '/usr/local/share/fonts'];

let found: { file: string; family: string } | undefined;

/** The CJK font the chart uses: its file and family. Throws ChartError ECHART_FONT when there is none. */
export function findCjkFont(explicit: string | undefined = process.env.BAOSONG_CJK_FONT): { file: string; family: string } {
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new ChartError('ECHART_FONT', `The CJK font ${explicit} does not exist. Point BAOSONG_CJK_FONT (or fontFile) at a .ttc/.ttf/.otf file, or unset it to look under /usr/share/fonts.`);
    }
    return { file: explicit, family: CJK_FONTS.find((f) => f.pattern.test(basename(explicit)))?.family ?? 'sans-serif' };
  }
  if (found) return found;
  const files: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      try {
        if (statSync(path).isDirectory()) walk(path, depth + 1);
        else files.push(path);
      } catch {
        // unreadable entry: skip
      }
    }
  };
  for (const root of FONT_ROOTS) walk(root, 0);
  for (const { pattern, family } of CJK_FONTS) {
    const file = files.find((f) => pattern.test(basename(f)));
    if (file) return (found = { file, family });
  }
  throw new ChartError(
    'ECHART_FONT',
    `No CJK font found under ${FONT_ROOTS.join(' or ')}, so the chart cannot show Chinese department names. ` +
      'Install one (Debian: apt-get install fonts-wqy-microhei) or set BAOSONG_CJK_FONT to a .ttc/.ttf/.otf file.',
  );
}

const COLORS = { onTime: '#2e8b57', late: '#e08a00', missing: '#c0392b', axis: '#52606d', grid: '#e4e8ee', text: '#1f2933' };

const WORDS = {
  'zh-CN': { title: (w: string, school: boolean) => `${school ? '各学校' : '各部门'}报送情况（${w}）`, onTime: '按时', late: '迟报', missing: '漏报', none: '本周无报送' },
  en: { title: (w: string, school: boolean) => `Reports by ${school ? 'school' : 'department'} (${w})`, onTime: 'On time', late: 'Late', missing: 'Missing', none: 'No reports this week' },
} as const;

const xml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** A "nice" axis maximum and step for counts (1, 2, 5 × 10^n). */
function axis(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power);
  return { top: Math.ceil(max / step) * step, step };
}

/** The chart as SVG text (what renderDepartmentChart rasterises). */
export function departmentChartSvg(departments: readonly DepartmentFigures[], options: { locale: Locale; title: string; fontFamily: string; width?: number; height?: number }): string {
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  const words = WORDS[options.locale];
  const rotate = departments.length > 8;
  const left = 48;
  const right = 16;
  const top = 64;
  const bottom = rotate ? 96 : 48;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const series = [
    { key: 'onTime', label: words.onTime, color: COLORS.onTime },
    { key: 'late', label: words.late, color: COLORS.late },
    { key: 'missing', label: words.missing, color: COLORS.missing },
  ] as const;
  const { top: yMax, step } = axis(Math.max(0, ...departments.flatMap((d) => [d.onTime, d.late, d.missing])));
  const y = (v: number) => top + plotH - (v / yMax) * plotH;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${xml(options.fontFamily)}">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="28" font-size="18" font-weight="bold" fill="${COLORS.text}">${xml(options.title)}</text>`);
  // Legend, top right.
  let lx = width - right - series.length * 84;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="16" width="14" height="14" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 20}" y="28" font-size="13" fill="${COLORS.text}">${xml(s.label)}</text>`);
    lx += 84;
  }
  // Grid and y axis.
  for (let v = 0; v <= yMax; v += step) {
    out.push(`<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${width - right}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? COLORS.axis : COLORS.grid}" stroke-width="1"/>`);
    out.push(`<text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" font-size="12" text-anchor="end" fill="${COLORS.axis}">${v}</text>`);
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="${COLORS.axis}" stroke-width="1"/>`);

  if (departments.length === 0) {
    out.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" font-size="14" text-anchor="middle" fill="${COLORS.axis}">${xml(words.none)}</text>`);
  }
  const slot = plotW / Math.max(1, departments.length);
  const bar = Math.max(2, Math.min(28, (slot * 0.8) / series.length));
  departments.forEach((d, i) => {
    const x0 = left + i * slot + (slot - bar * series.length) / 2;
    series.forEach((s, j) => {
      const value = d[s.key];
      const h = (value / yMax) * plotH;
      const x = x0 + j * bar;
      out.push(`<rect x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"/>`);
      if (value > 0 && bar >= 14) {
        out.push(`<text x="${(x + bar / 2).toFixed(1)}" y="${(top + plotH - h - 4).toFixed(1)}" font-size="11" text-anchor="middle" fill="${COLORS.text}">${value}</text>`);
      }
    });
    const cx = left + i * slot + slot / 2;
    const ly = top + plotH + 18;
    out.push(
      rotate
        ? `<text x="${cx.toFixed(1)}" y="${ly}" font-size="12" text-anchor="end" transform="rotate(-40 ${cx.toFixed(1)} ${ly})" fill="${COLORS.text}">${xml(d.name)}</text>`
        : `<text x="${cx.toFixed(1)}" y="${ly}" font-size="13" text-anchor="middle" fill="${COLORS.text}">${xml(d.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

/** The per-department chart of a digest (its week) or of term statistics, as a PNG. */
export async function renderDepartmentChart(figures: DigestFigures | PeriodFigures, options: ChartOptions): Promise<Buffer> {
  const font = findCjkFont(options.fontFile);
  const digest = 'current' in figures ? figures : null;
  const departments = digest ? digest.current.departments : (figures as PeriodFigures).departments;
  const label = digest ? digest.week : periodLabel(figures as PeriodFigures, options.timeZone ?? DEFAULT_TIME_ZONE);
  const svg = departmentChartSvg(departments, {
    locale: options.locale,
    title: WORDS[options.locale].title(label, options.unit === 'school'),
    fontFamily: font.family,
    ...(options.width !== undefined ? { width: options.width } : {}),
    ...(options.height !== undefined ? { height: options.height } : {}),
  });
  // The rasteriser (a native addon, ~3 MB) loads with the first chart, not with every process that imports this module.
  const { Resvg } = await import('@resvg/resvg-js');
  try {
    const resvg = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [font.file], defaultFontFamily: font.family } });
    return resvg.render().asPng();
  } catch (error) {
    throw new ChartError('ECHART_RENDER', `Cannot render the digest chart: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
}

/** "2026-09-01 – 2027-01-31": the local dates of a period's first and last day. */
function periodLabel(figures: PeriodFigures, timeZone: string): string {
  const day = (instant: Date) => formatLocalDate(toLocal(instant, timeZone));
  return `${day(new Date(figures.from))} – ${day(new Date(new Date(figures.to).getTime() - 1))}`;
}
