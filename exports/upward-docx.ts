/**
 * A piece as the county 教育局 asks for it when a school reports upward (上报): a Word file in the 公文 layout
 * of docx-common.ts — the title, a facts block the bureau's clerk reads at a glance, the text, the photos with
 * captions, and the school's 落款.
 */
import { AlignmentType, BorderStyle, Document, ImageRun, Packer, Paragraph, Table, TableCell, TableLayoutType, TableRow, TextRun, VerticalAlign, WidthType } from 'docx';
import { body, fontsFor, section, SIZE, TEXT_WIDTH, title, type Fonts } from './docx-common.js';

export interface UpwardPhoto {
  filename: string;
  contentType: string;
  content: Buffer;
}
export interface UpwardPiece {
  school: string;
  reportId: string;
  title: string;
  category: string;
  urgency: string;
  department: string;
  author: string;
  eventTime: string;
  sentOn: string;
  body: string;
  photos: UpwardPhoto[];
}

/** docx sizes drawings in pixels at 96 to the inch. */
const PX_PER_MM = 96 / 25.4;
const MAX_WIDTH = Math.round(150 * PX_PER_MM);
// So that a portrait photo and its caption fit on one page (the text block is 225 mm tall).
const MAX_HEIGHT = Math.round(170 * PX_PER_MM);

export interface Picture {
  type: 'png' | 'jpg';
  width: number;
  height: number;
}

/**
 * Format and pixel size from the bytes themselves: the declared content type comes from a mail client or a
 * browser and is not always right, and docx writes whatever type it is told.
 */
export function pictureSize(b: Buffer): Picture | null {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    const width = b.readUInt32BE(16);
    const height = b.readUInt32BE(20);
    return width > 0 && height > 0 ? { type: 'png', width, height } : null;
  }
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    // Fill bytes and the markers that stand alone, without a length.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = b.readUInt16BE(at + 2);
    // SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > b.length) return null;
      const height = b.readUInt16BE(at + 5);
      const width = b.readUInt16BE(at + 7);
      return width > 0 && height > 0 ? { type: 'jpg', width, height } : null;
    }
    // The image data starts at SOS: a file without a frame header before it is not one we can size.
    if (marker === 0xda || length < 2) return null;
    at += 2 + length;
  }
  return null;
}

/** Fits the box, keeping the aspect ratio; a small picture is not enlarged, which would only blur it. */
function fit(p: Picture): { width: number; height: number } {
  const scale = Math.min(1, MAX_WIDTH / p.width, MAX_HEIGHT / p.height);
  return { width: Math.max(1, Math.round(p.width * scale)), height: Math.max(1, Math.round(p.height * scale)) };
}

// docx-common keeps its font mapping private: the same one here. Labels look like its table headers, bold 黑体.
const run = (f: Fonts, text: string, size: number, label: boolean, newLine = false) =>
  new TextRun({ text, size, bold: label, font: { ascii: f.latin, hAnsi: f.latin, eastAsia: label ? f.heading : f.body, cs: f.latin }, ...(newLine ? { break: 1 } : {}) });

const edge = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const COLUMNS = [1.1, 1.5, 1.1, 1.3].map((w) => Math.floor((w / 5) * TEXT_WIDTH.portrait));

/**
 * Label and value side by side, two facts a row: docx-common's table() puts its labels in a header row above
 * the values, where seven labels in one row wrap mid-word (紧急程/度) at any readable size.
 */
function factsTable(f: Fonts, rows: string[][]): Table {
  const cell = (text: string, column: number, span: number) =>
    new TableCell({
      width: { size: COLUMNS.slice(column, column + span).reduce((a, b) => a + b, 0), type: WidthType.DXA },
      columnSpan: span,
      verticalAlign: VerticalAlign.CENTER,
      borders: { top: edge, bottom: edge, left: edge, right: edge },
      margins: { top: 60, bottom: 60, left: 100, right: 100 },
      children: [new Paragraph({ alignment: column % 2 === 0 ? AlignmentType.CENTER : AlignmentType.LEFT, children: [run(f, text, SIZE.小四, column % 2 === 0)] })],
    });
  return new Table({
    width: { size: TEXT_WIDTH.portrait, type: WidthType.DXA },
    columnWidths: COLUMNS,
    layout: TableLayoutType.FIXED,
    // The last row's value runs to the right edge when it has no pair.
    rows: rows.map((r) => new TableRow({ cantSplit: true, children: r.map((text, i) => cell(text, i, i === r.length - 1 ? COLUMNS.length - i : 1)) })),
  });
}

export async function upwardDocument(piece: UpwardPiece, options: { locale?: 'zh-CN' | 'en' } = {}): Promise<Buffer> {
  const locale = options.locale ?? 'zh-CN';
  const en = locale === 'en';
  const f = fontsFor(locale);
  const facts = factsTable(f, [
    [en ? 'School' : '报送单位', piece.school, en ? 'School report no.' : '学校报送编号', piece.reportId],
    [en ? 'Category' : '信息类别', piece.category, en ? 'Urgency' : '紧急程度', piece.urgency],
    [en ? 'Department' : '报送部门', piece.department, en ? 'Author' : '撰稿人', piece.author],
    [en ? 'Event time' : '事件时间', piece.eventTime],
  ]);
  const paragraphs = piece.body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => body(f, line));

  // Captions and notes are made here rather than by body(), to be kept with the 落款 when last: a page holding
  // only the school's name and the date is what GB/T 9704 asks a document never to end with.
  const note = (text: string, keepNext = false) => new Paragraph({ alignment: AlignmentType.CENTER, keepNext, spacing: { after: 120 }, children: [run(f, text, SIZE.四号, false)] });
  const photos: Paragraph[] = [];
  let figure = 0;
  piece.photos.forEach((photo, i) => {
    const last = i === piece.photos.length - 1;
    const picture = pictureSize(photo.content);
    if (!picture) {
      // The bureau still learns the photo exists; the office sends the file itself.
      photos.push(note(en ? `(Photo “${photo.filename}” could not be embedded.)` : `（照片“${photo.filename}”无法嵌入本文档）`, last));
      return;
    }
    figure += 1;
    const caption = en ? `Figure ${figure} ${photo.filename}` : `图${figure} ${photo.filename}`;
    photos.push(
      // Not body(): its line spacing is for text, and would apply to the picture's line too.
      new Paragraph({
        alignment: AlignmentType.CENTER,
        keepNext: true,
        spacing: { before: 240, after: 60 },
        children: [new ImageRun({ type: picture.type, data: photo.content, transformation: fit(picture), altText: { name: photo.filename, title: caption, description: caption } })],
      }),
      note(caption, last),
    );
  });

  const children = [
    title(f, piece.title),
    facts,
    body(f, '', { indent: false }),
    ...paragraphs,
    ...photos,
    // One paragraph, kept whole: a page break between the school's name and the date would unsign the document.
    new Paragraph({ alignment: AlignmentType.RIGHT, keepLines: true, spacing: { before: 560, line: 560 }, children: [run(f, piece.school, SIZE.三号, false), run(f, piece.sentOn, SIZE.三号, false, true)] }),
  ];
  const doc = new Document({ creator: piece.school, title: piece.title, subject: piece.reportId, sections: [section(f, children)] });
  return Packer.toBuffer(doc);
}

