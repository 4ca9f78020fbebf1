// LibreOffice (Debian libreoffice-writer-nogui) renders the .docx files we make, as Word would show them, to
// PDF; poppler's pdftotext / pdftoppm read the PDF's text and draw its pages to PNG for a person to look at.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Rendered {
  pdf: Buffer;
  text: string;
  pages: number;
  /** PNG files written, one per page. */
  pngs: string[];
}

/** Converts `docx` with a private LibreOffice profile (parallel runs do not share one), then reads the PDF. */
export async function renderDocx(docx: Buffer, name: string, pngDir: string): Promise<Rendered> {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-lo-'));
  try {
    const file = join(dir, `${name}.docx`);
    writeFileSync(file, docx);
    await run('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], { timeout: 110_000 });
    const pdfFile = join(dir, `${name}.pdf`);
    const pdf = readFileSync(pdfFile);
    const { stdout: text } = await run('pdftotext', ['-layout', pdfFile, '-'], { maxBuffer: 16 * 1024 * 1024 });
    const { stdout: info } = await run('pdfinfo', [pdfFile]);
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? 0);
    await run('pdftoppm', ['-png', '-r', '60', pdfFile, join(pngDir, basename(name))]);
    const pngs = readdirSync(pngDir).filter((f) => f.startsWith(basename(name)) && f.endsWith('.png')).map((f) => join(pngDir, f));
    return { pdf, text, pages, pngs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
