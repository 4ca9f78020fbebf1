/**
 * Term statistics as files for the office: CSV (UTF-8 with a BOM, CRLF, so Excel shows Chinese
 * correctly) and XLSX (exceljs). One row per department plus the whole school; the XLSX also has the
 * categories and the period.
 *
 *   writeFileSync('stats.csv', statsCsv(stats, { locale: 'zh-CN', timeZone }));
 *   writeFileSync('stats.xlsx', await statsXlsx(stats, { locale: 'zh-CN', timeZone }));
 */
import ExcelJS from 'exceljs';
import { findCategory } from '../domain/report.js';
import { formatLocalDate, toLocal } from '../domain/time.js';
import type { Locale } from '../templates/types.js';
import type { Counts, PeriodFigures } from './figures.js';
import { csvField } from '../templates/csv.js';

export interface ExportOptions {
  locale: Locale;
  /** The school's zone: the period's dates are shown in it. */
  timeZone: string;
}

const HEADERS: Record<Locale, readonly string[]> = {
  'zh-CN': ['部门编号', '部门', '报送', '按时', '迟报', '漏报', '退回', '发布', '已决定', '按时率', '审核用时中位数（分钟）'],
  en: ['Department id', 'Department', 'Submitted', 'On time', 'Late', 'Missing', 'Returned', 'Published', 'Decided', 'On-time rate', 'Median minutes to decision'],
};
const SCHOOL: Record<Locale, string> = { 'zh-CN': '全校', en: 'Whole school' };

type Cell = string | number | null;

function rows(stats: PeriodFigures, locale: Locale): Cell[][] {
  const line = (id: string, name: string, c: Counts): Cell[] => [id, name, c.submitted, c.onTime, c.late, c.missing, c.returned, c.published, c.decided, c.onTimeRate, c.medianDecisionMinutes];
  return [...stats.departments.map((d) => line(d.departmentId, d.name, d)), line('', SCHOOL[locale], stats.school)];
}

/** The first and last local day of the period (its end is exclusive). */
export function periodDates(stats: PeriodFigures, timeZone: string): { first: string; last: string } {
  const day = (instant: Date) => formatLocalDate(toLocal(instant, timeZone));
  return { first: day(new Date(stats.from)), last: day(new Date(new Date(stats.to).getTime() - 1)) };
}

/** CSV with a BOM; the on-time rate as a percentage ("75.0%"), which Excel reads as a number. */
export function statsCsv(stats: PeriodFigures, options: ExportOptions): Buffer {
  const lines = [HEADERS[options.locale], ...rows(stats, options.locale).map((r) => r.map((v, i) => (i === 9 && typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : v)))];
  const text = lines.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** XLSX: sheet 1 per department (rate formatted as a percentage), sheet 2 per category, sheet 3 the period. */
export async function statsXlsx(stats: PeriodFigures, options: ExportOptions): Promise<Buffer> {
  const zh = options.locale === 'zh-CN';
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'baosong';

  const departments = workbook.addWorksheet(zh ? '各部门' : 'Departments');
  departments.addRow([...HEADERS[options.locale]]).font = { bold: true };
  for (const r of rows(stats, options.locale)) departments.addRow(r);
  departments.getRow(departments.rowCount).font = { bold: true };
  departments.getColumn(10).numFmt = '0.0%';
  departments.columns.forEach((column, i) => {
    column.width = i === 1 ? 16 : i === 10 ? 22 : 11;
  });
  departments.views = [{ state: 'frozen', ySplit: 1 }];

  const categories = workbook.addWorksheet(zh ? '分类' : 'Categories');
  const names = stats.departments.map((d) => d.name);
  categories.addRow([zh ? '类别' : 'Category', zh ? '报送' : 'Submitted', ...names]).font = { bold: true };
  for (const c of stats.categories) {
    const label = findCategory(c.category);
    categories.addRow([label ? (zh ? label.zh : label.en) : c.category, c.submitted, ...stats.departments.map((d) => c.byDepartment[d.departmentId] ?? 0)]);
  }

  const about = workbook.addWorksheet(zh ? '说明' : 'About');
  const { first, last } = periodDates(stats, options.timeZone);
  about.addRow([zh ? '统计期间' : 'Period', `${first} – ${last}`]);
  about.addRow([zh ? '时区' : 'Time zone', options.timeZone]);
  about.addRow([zh ? '说明' : 'Note', zh ? '报送按接收时间计入期间；漏报为期间内到期而未报送的预期报送；审核用时为期间内作出最终决定的报送。' : 'Reports count by when they were received; missing = expected reports due in the period that never came; time to decision for reports decided in the period.']);
  about.getColumn(1).width = 14;
  about.getColumn(2).width = 60;

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
