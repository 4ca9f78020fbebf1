/**
 * The 公文-like page the office's Word documents share: A4, the margins of GB/T 9704 (37 / 35 / 28 / 26 mm),
 * body in 仿宋 三号, headings in 黑体, the title in 宋体 bold 二号, page numbers "— 1 —" centred at the foot.
 * Fonts are named, not embedded: Word and WPS on the school's Windows PCs have 仿宋, 黑体 and 宋体; LibreOffice
 * substitutes what it has.
 */
import {
  AlignmentType,
  BorderStyle,
  Footer,
  PageNumber,
  PageOrientation,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type ISectionOptions,
} from 'docx';
import type { Locale } from '../templates/types.js';

const mm = (n: number) => Math.round(n * 56.7);
/** Half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt, 五号 10.5 pt. */
export const SIZE = { 二号: 44, 三号: 32, 四号: 28, 小四: 24, 五号: 21, 小五: 18 } as const;

export interface Fonts {
  body: string;
  heading: string;
  title: string;
  latin: string;
}

export function fontsFor(locale: Locale): Fonts {
  return locale === 'en'
    ? { body: 'Times New Roman', heading: 'Arial', title: 'Times New Roman', latin: 'Times New Roman' }
    : { body: '仿宋', heading: '黑体', title: '宋体', latin: 'Times New Roman' };
}

const font = (f: Fonts, eastAsia: string) => ({ ascii: f.latin, hAnsi: f.latin, eastAsia, cs: f.latin });

/** The title; `lines` break where a 公文 title would (the school's name, then what it is), not where the page does. */
export function title(f: Fonts, ...lines: string[]): Paragraph {
  const runs = lines.map((text, i) => new TextRun({ text, bold: true, size: SIZE.二号, font: font(f, f.title), ...(i > 0 ? { break: 1 } : {}) }));
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 400, line: 580 }, children: runs });
}

export function heading(f: Fonts, text: string): Paragraph {
  return new Paragraph({ spacing: { before: 200, after: 120, line: 560 }, indent: { firstLine: 640 }, keepNext: true, children: [new TextRun({ text, size: SIZE.三号, font: font(f, f.heading) })] });
}

/** A body paragraph: 仿宋 三号, first line indented two characters, 28 pt line spacing (the 公文 rhythm). */
export function body(f: Fonts, text: string, options: { indent?: boolean; align?: 'right' | 'center' } = {}): Paragraph {
  return new Paragraph({
    alignment: options.align === 'right' ? AlignmentType.RIGHT : options.align === 'center' ? AlignmentType.CENTER : AlignmentType.JUSTIFIED,
    spacing: { line: 560 },
    ...(options.indent === false ? {} : { indent: { firstLine: 640 } }),
    // A 。 at the end of a justified line hangs in the margin, as in Word; without it LibreOffice drops the mark.
    overflowPunctuation: true,
    children: [new TextRun({ text, size: SIZE.三号, font: font(f, f.body) })],
  });
}

const border = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const borders = { top: border, bottom: border, left: border, right: border };

/** A bordered table in 仿宋 五号 (小四 for headers), columns in proportions of the width, header repeated on each page. */
export function table(f: Fonts, header: string[], rows: (string | number)[][], widths: number[], totalTwips: number, size: number = SIZE.五号): Table {
  const sum = widths.reduce((a, b) => a + b, 0);
  const cols = widths.map((w) => Math.floor((w / sum) * totalTwips));
  const cell = (text: string, i: number, head: boolean) =>
    new TableCell({
      width: { size: cols[i]!, type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      borders,
      margins: { top: 30, bottom: 30, left: 50, right: 50 },
      children: String(text)
        .split('\n')
        .map((line) => new Paragraph({ alignment: head || line.length <= 6 ? AlignmentType.CENTER : AlignmentType.LEFT, children: [new TextRun({ text: line, size, bold: head, font: font(f, head ? f.heading : f.body) })] })),
    });
  return new Table({
    width: { size: totalTwips, type: WidthType.DXA },
    columnWidths: cols,
    layout: TableLayoutType.FIXED,
    rows: [new TableRow({ tableHeader: true, cantSplit: true, children: header.map((h, i) => cell(h, i, true)) }), ...rows.map((r) => new TableRow({ cantSplit: true, children: r.map((v, i) => cell(String(v), i, false)) }))],
  });
}

/** Width of the text block in twips. */
export const TEXT_WIDTH = { portrait: 11906 - mm(28) - mm(26), landscape: 16838 - mm(20) - mm(20) };

export function section(f: Fonts, children: ISectionOptions['children'], landscape = false): ISectionOptions {
  return {
    properties: {
      page: {
        size: { width: 11906, height: 16838, orientation: landscape ? PageOrientation.LANDSCAPE : PageOrientation.PORTRAIT },
        // Wide registers get more of the page; the 公文 margins are for text.
        margin: landscape ? { top: mm(25), bottom: mm(25), left: mm(20), right: mm(20) } : { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26) },
      },
    },
    footers: {
      default: new Footer({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], size: SIZE.四号, font: font(f, f.latin) })] })] }),
    },
    children,
  };
}

/** 2026-08-15 → 2026年8月15日: the way a Chinese document writes a date, and it never breaks at a hyphen. */
export function chineseDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}
