// The 上报 Word file rendered by LibreOffice as the bureau would see it; pages go to test-output/exports/upward-*.png
// for a person to look at.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { pictureSize, upwardDocument, type UpwardPiece } from '../../exports/upward-docx.js';
import { png } from '../support/images.js';
import { renderDocx } from '../support/libreoffice.js';

const run = promisify(execFile);
const out = join(import.meta.dirname, '..', '..', 'test-output', 'exports');

/** A real JPEG of width×height: poppler draws a one-page PDF of two coloured rectangles. */
async function jpeg(width: number, height: number): Promise<Buffer> {
  const content = `0.2 0.45 0.7 rg 0 0 ${width} ${height} re f 0.95 0.7 0.1 rg ${width / 4} ${height / 4} ${width / 2} ${height / 2} re f`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Contents 4 0 R >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((o, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  const dir = mkdtempSync(join(tmpdir(), 'baosong-jpeg-'));
  try {
    writeFileSync(join(dir, 'p.pdf'), pdf, 'latin1');
    await run('pdftoppm', ['-jpeg', '-r', '72', '-singlefile', join(dir, 'p.pdf'), join(dir, 'p')]);
    return readFileSync(join(dir, 'p.jpg'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The images LibreOffice put in the PDF, with their displayed size: pixels over pixels-per-inch. */
async function pdfImages(pdf: Buffer): Promise<{ width: number; height: number; widthMm: number; heightMm: number }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-pdfimages-'));
  try {
    writeFileSync(join(dir, 'd.pdf'), pdf);
    const { stdout } = await run('pdfimages', ['-list', join(dir, 'd.pdf')]);
    // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
    return stdout
      .split('\n')
      .slice(2)
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c[2] === 'image')
      .map((c) => ({ width: Number(c[3]), height: Number(c[4]), widthMm: (Number(c[3]) / Number(c[12])) * 25.4, heightMm: (Number(c[4]) / Number(c[13])) * 25.4 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const flat = (s: string) => s.replace(/\s+/g, '');
// LibreOffice leaves out a 。 or ， that would hang past the right margin of a justified line (Word hangs it), so
// the paragraphs are compared without their punctuation.
const words = (s: string) => flat(s).replace(/[。，、；：！？]/g, '');

const piece: UpwardPiece = {
  school: '某某市第一中学',
  reportId: 'R-2026-0042',
  title: '我校开展冬季消防安全应急疏散演练',
  category: '安全管理',
  urgency: '紧急',
  department: '政教处',
  author: '李明',
  eventTime: '2026年12月5日 09:00',
  sentOn: '2026年12月5日',
  body: [
    '为增强师生消防安全意识，提高应对突发事件的能力，12月5日上午，我校组织全校师生开展冬季消防安全应急疏散演练。',
    '',
    '演练开始前，政教处对各班级疏散路线、集合地点和注意事项进行了详细部署。警报响起后，各班在教师带领下迅速有序撤离，全校2100余名师生用时3分12秒全部到达操场指定位置。',
    '   ',
    '演练结束后，消防中队教官现场讲解了灭火器的使用方法。下一步，学校将把消防安全教育纳入日常管理，切实筑牢校园安全防线。',
  ].join('\n'),
  photos: [],
};
const paragraphs = piece.body.split('\n').filter((l) => l.trim() !== '');

describe('the 上报 Word file', () => {
  beforeAll(() => {
    // renderDocx lists PNGs by name prefix: pages left from an earlier, longer run would be counted.
    mkdirSync(out, { recursive: true });
    for (const f of readdirSync(out)) if (f.startsWith('upward-') && f.endsWith('.png')) rmSync(join(out, f));
  });

  test('reads the size of PNG and JPEG files from their bytes, and nothing from other bytes', async () => {
    expect(pictureSize(png(37, 21))).toEqual({ type: 'png', width: 37, height: 21 });
    expect(pictureSize(await jpeg(320, 200))).toEqual({ type: 'jpg', width: 320, height: 200 });
    expect(pictureSize(Buffer.from('not a picture at all'))).toBeNull();
    expect(pictureSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a]))).toBeNull(); // a JPEG cut short
    expect(pictureSize(Buffer.alloc(0))).toBeNull();
  });

  test('title, facts block, one paragraph per line, photos with captions and the 落款', async () => {
    const photos = [
      { filename: '疏散现场.jpg', contentType: 'image/jpeg', content: await jpeg(480, 360) },
      // Larger than the text block: must be scaled down to it, not run off the page.
      { filename: 'assembly.png', contentType: 'image/png', content: png(1600, 900, { seed: 1 }) },
    ];
    const doc = await renderDocx(await upwardDocument({ ...piece, photos }), 'upward-zh', out);
    const text = flat(doc.text);
    expect(text).toContain(flat(piece.title));
    // Each label beside its value, two to a row.
    expect(doc.text).toMatch(/报送单位\s+某某市第一中学\s+学校报送编号\s+R-2026-0042/);
    expect(doc.text).toMatch(/信息类别\s+安全管理\s+紧急程度\s+紧急/);
    expect(doc.text).toMatch(/报送部门\s+政教处\s+撰稿人\s+李明/);
    expect(doc.text).toMatch(/事件时间\s+2026\s*年\s*12\s*月\s*5\s*日\s*09:00/);
    // One paragraph per non-empty line, in order, after the facts.
    const at = paragraphs.map((p) => words(doc.text).indexOf(words(p)));
    expect(at.every((i) => i > words(doc.text).indexOf('R-2026-0042'))).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Each starts a paragraph of its own, indented (pdftotext keeps the indent; a wrapped line starts at the margin).
    for (const p of paragraphs) expect(doc.text).toMatch(new RegExp(`^ {2,}${p.trim().slice(0, 8)}`, 'm'));
    // and the blank lines of the text make no empty paragraphs between them.
    expect(doc.text.slice(doc.text.indexOf(paragraphs[0]!.slice(0, 8)), doc.text.indexOf(paragraphs[2]!.slice(0, 8)))).not.toMatch(/\n[ \t]*\n/);
    expect(text).toContain('图1疏散现场.jpg');
    expect(text).toContain('图2assembly.png');
    expect(text).toMatch(/—1—/);
    // The school and the date sign the document after the photos, on the last photo's page, not on one of their own.
    expect(doc.text).toMatch(/图\s*2\s+assembly\.png\s+某某市第一中学\s+2026\s*年\s*12\s*月\s*5\s*日\s+—\s*\d\s*—\s*$/);

    const images = await pdfImages(doc.pdf);
    expect(images.map((i) => [i.width, i.height])).toEqual([
      [480, 360],
      [1600, 900],
    ]);
    // Shown at its own size (480 px at 96 dpi = 127 mm), and the large one at the 150 mm limit, neither stretched.
    expect(images[0]!.widthMm).toBeCloseTo(127, 0);
    expect(images[1]!.widthMm).toBeCloseTo(150, 0);
    for (const i of images) expect(i.widthMm / i.heightMm).toBeCloseTo(i.width / i.height, 2);
    expect(doc.pngs).toHaveLength(doc.pages);
  }, 120_000);

  test('a photo whose size cannot be read is listed by name and the rest still renders', async () => {
    const photos = [
      { filename: 'broken.jpg', contentType: 'image/jpeg', content: Buffer.from('this is not a JPEG') },
      { filename: 'cut.jpg', contentType: 'image/jpeg', content: (await jpeg(200, 100)).subarray(0, 40) },
      { filename: 'ok.png', contentType: 'image/png', content: png(240, 160) },
    ];
    const doc = await renderDocx(await upwardDocument({ ...piece, photos }), 'upward-broken', out);
    const text = flat(doc.text);
    expect(text).toContain('照片“broken.jpg”无法嵌入本文档）');
    expect(text).toContain('照片“cut.jpg”无法嵌入本文档）');
    // Figures are numbered by what is shown.
    expect(text).toContain('图1ok.png');
    expect(text).not.toContain('图2');
    expect(await pdfImages(doc.pdf)).toHaveLength(1);
    expect(words(doc.text)).toContain(words(paragraphs[2]!));
  }, 120_000);

  test('English labels with locale en, and no photos is a document too', async () => {
    const doc = await renderDocx(await upwardDocument({ ...piece, title: 'Winter fire drill', body: 'First paragraph.\nSecond paragraph.' }, { locale: 'en' }), 'upward-en', out);
    // "School report no." wraps in its cell, and pdftotext puts its two lines above and below the row's values.
    expect(doc.text).toMatch(/School\s+(School\s+)?某某市第一中学\s+(School report no\.\s+)?R-2026-0042/);
    expect(doc.text).toMatch(/School(\s+|[^\n]*\n[^\n]*\n\s*)report no\./);
    expect(doc.text).toMatch(/Category\s+安全管理\s+Urgency\s+紧急/);
    expect(doc.text).toMatch(/Department\s+政教处\s+Author\s+李明/);
    expect(doc.text).toMatch(/Event time\s+2026/);
    for (const s of ['Winter fire drill', 'First paragraph.', 'Second paragraph.']) expect(doc.text).toContain(s);
    expect(doc.text).not.toMatch(/报送单位|事件时间/);
    expect(await pdfImages(doc.pdf)).toHaveLength(0);
    expect(doc.pages).toBe(1);

    const withPhoto = await renderDocx(await upwardDocument({ ...piece, photos: [{ filename: 'a.png', contentType: 'image/png', content: png(120, 80) }] }, { locale: 'en' }), 'upward-photo-en', out);
    expect(flat(withPhoto.text)).toContain('Figure1a.png');
    expect(flat(withPhoto.text)).not.toContain('图1');
  }, 120_000);
});
