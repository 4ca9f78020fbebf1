/**
 * 信息录用情况登记表, 宣传考核量分表 and 个人得分 as one workbook (exceljs), laid out to print on A4 landscape
 * with the header row repeated; dates are text (YYYY-MM-DD) because bureaus paste them into their own forms.
 */
import ExcelJS from 'exceljs';
import type { Locale } from '../templates/types.js';
import type { ScoringBook } from './book.js';

export interface Column {
  header: string;
  /** Excel width in characters; also the proportion of the Word table. */
  width: number;
}

export function registerColumns(locale: Locale): Column[] {
  const zh: [string, number][] = [['序号', 6], ['报送编号', 14], ['标题', 36], ['部门', 10], ['作者', 10], ['简讯/详讯', 10], ['录用单位（栏目）', 20], ['级别', 8], ['类别', 8], ['录用日期', 12], ['网址/期号', 30], ['是否计分', 9]];
  const en: [string, number][] = [['No.', 6], ['Report', 14], ['Title', 36], ['Department', 12], ['Author', 12], ['Size', 8], ['Used by', 20], ['Level', 8], ['Kind', 8], ['Date', 12], ['Address / issue', 30], ['Counted', 9]];
  return (locale === 'en' ? en : zh).map(([header, width]) => ({ header, width }));
}

export function sheetColumns(locale: Locale): Column[] {
  const zh: [string, number][] = [['名次', 6], ['部门', 12], ['报送篇数', 9], ['录用篇数', 9], ['迟报', 6], ['漏报', 6], ['瞒报', 6], ['得分', 8], ['计分明细', 60]];
  const en: [string, number][] = [['Rank', 6], ['Department', 14], ['Pieces', 8], ['Used', 8], ['Late', 6], ['Missing', 8], ['Concealed', 10], ['Points', 8], ['Points in detail', 60]];
  return (locale === 'en' ? en : zh).map(([header, width]) => ({ header, width }));
}

const thin = { style: 'thin' as const, color: { argb: 'FF000000' } };
const box = { top: thin, left: thin, bottom: thin, right: thin };

function sheetWith(wb: ExcelJS.Workbook, name: string, heading: string, columns: Column[], rows: (string | number)[][]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: 2 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '2:2', horizontalCentered: true },
  });
  ws.columns = columns.map((c) => ({ width: c.width }));
  ws.mergeCells(1, 1, 1, columns.length);
  const top = ws.getCell(1, 1);
  top.value = heading;
  top.font = { name: '黑体', size: 16, bold: true };
  top.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 30;
  const head = ws.getRow(2);
  columns.forEach((c, i) => {
    const cell = head.getCell(i + 1);
    cell.value = c.header;
    cell.font = { name: '黑体', size: 11, bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = box;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
  });
  for (const values of rows) {
    const row = ws.addRow(values);
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cell.font = { name: '宋体', size: 11 };
      cell.border = box;
      cell.alignment = { vertical: 'middle', wrapText: true, horizontal: typeof cell.value === 'number' || (columns[col - 1]?.width ?? 0) <= 10 ? 'center' : 'left' };
    });
  }
  return ws;
}

export async function scoringWorkbook(book: ScoringBook): Promise<Buffer> {
  const en = book.locale === 'en';
  const wb = new ExcelJS.Workbook();
  wb.creator = book.school;
  wb.created = new Date(book.generatedAt);
  const period = `（${book.periodLabel}，${book.from} 至 ${book.to}）`;
  sheetWith(
    wb,
    en ? 'Register of uses' : '信息录用情况登记表',
    en ? `${book.school}: register of uses, ${book.periodLabel} (${book.from} to ${book.to})` : `${book.school}信息录用情况登记表${period}`,
    registerColumns(book.locale),
    book.uses.map((u, i) => [i + 1, u.reportId, u.title, u.department, u.author, u.size, u.outlet, u.level, u.kind, u.usedOn, u.where, u.counted ? (en ? 'yes' : '是') : '']),
  );
  sheetWith(
    wb,
    en ? 'Scoring sheet' : '宣传考核量分表',
    en ? `${book.school}: scoring sheet, ${book.periodLabel} (${book.from} to ${book.to})` : `${book.school}宣传考核量分表${period}`,
    sheetColumns(book.locale),
    book.departments.map((d) => [d.rank, d.department, d.pieces, d.used, d.late, d.missing, d.concealed, d.points, d.lines.map((l) => `${l.points > 0 ? '+' : ''}${l.points} ${l.reason}`).join('\n')]),
  );
  sheetWith(
    wb,
    en ? 'Points per person' : '个人得分',
    en ? `${book.school}: points per person, ${book.periodLabel}` : `${book.school}个人得分${period}`,
    (en ? [['Rank', 6], ['Author', 14], ['Department', 14], ['Points', 8]] : [['名次', 6], ['作者', 14], ['部门', 14], ['得分', 8]]).map(([header, width]) => ({ header: String(header), width: Number(width) })),
    book.people.map((p) => [p.rank, p.author, p.department, p.points]),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
