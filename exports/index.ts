/**
 * The 考核 exports as the office downloads them and the CLI writes them: the book of a period from the
 * configuration's sheet, and each file with its name. The documents are laid out by scoring-xlsx.ts,
 * scoring-docx.ts and summary-docx.ts, loaded when asked for (they pull in exceljs and docx).
 */
import type { Config } from '../config/schema.js';
import type { Database } from '../db/connect.js';
import type { TermRange } from '../domain/terms.js';
import type { Locale } from '../templates/types.js';
import { scoringBook, termFacts, type BookOptions } from './build.js';
import type { TermSummary } from './book.js';

export class ScoringError extends Error {
  readonly code = 'ESCORING' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ScoringError';
  }
}

/** What a book of `range` is computed with; ScoringError when the configuration has no sheet. */
export function bookOptions(config: Config, range: Pick<TermRange, 'from' | 'to' | 'label'> & { name?: string }, locale: Locale = config.school.locale): BookOptions {
  const s = config.scoring;
  if (!s) {
    throw new ScoringError(
      locale === 'en'
        ? 'The configuration has no scoring sheet (scoring:). Add one as in config/example.yaml (the county sheet there is a sample).'
        : '配置文件中没有考核规则（scoring）。请参照 config/example.yaml 添加（其中的县级量分规则可作样例）。',
    );
  }
  return {
    school: config.school.name,
    locale,
    timeZone: config.school.timeZone,
    departments: config.departments.map((d) => ({ id: d.id, name: d.name })),
    sheet: { sentNotUsed: s.sentNotUsed, rules: s.rules, deductions: s.deductions },
    detailedFromChars: s.detailedFromChars,
    from: range.from,
    to: range.to,
    label: locale === 'en' ? range.label.en : range.label.zh,
  };
}

export type DownloadKind = 'register.xlsx' | 'register.docx' | 'summary.docx';

export interface ScoringFile {
  /** The name the office sees: 2026年秋季学期信息录用与考核量分.xlsx … */
  filename: string;
  /** An ASCII fallback for old clients. */
  asciiName: string;
  contentType: string;
  data: Buffer;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The term summary's data and its drafted paragraphs. */
export async function termSummary(database: Database, config: Config, range: Pick<TermRange, 'from' | 'to' | 'label'>, locale: Locale = config.school.locale): Promise<TermSummary> {
  const facts = await termFacts(database, bookOptions(config, range, locale));
  const { draftParagraphs } = await import('./summary-text.js');
  return { ...facts, paragraphs: draftParagraphs(facts) };
}

export async function scoringDownload(database: Database, config: Config, range: Pick<TermRange, 'name' | 'from' | 'to' | 'label'>, kind: DownloadKind, locale: Locale = config.school.locale): Promise<ScoringFile> {
  const en = locale === 'en';
  const label = en ? range.label.en : range.label.zh;
  const ascii = range.name.replace(/秋/g, 'autumn').replace(/春/g, 'spring').replace(/[^\w.-]/g, '');
  if (kind === 'summary.docx') {
    const summary = await termSummary(database, config, range, locale);
    const { termSummaryDocument } = await import('./summary-docx.js');
    return { filename: en ? `${config.school.name} ${label} summary.docx` : `${config.school.name}${label}信息宣传工作总结.docx`, asciiName: `summary-${ascii}.docx`, contentType: DOCX, data: await termSummaryDocument(summary) };
  }
  const book = await scoringBook(database, bookOptions(config, range, locale));
  const base = en ? `${label} uses and scoring` : `${label}信息录用与考核量分`;
  if (kind === 'register.xlsx') {
    const { scoringWorkbook } = await import('./scoring-xlsx.js');
    return { filename: `${base}.xlsx`, asciiName: `scoring-${ascii}.xlsx`, contentType: XLSX, data: await scoringWorkbook(book) };
  }
  const { scoringDocument } = await import('./scoring-docx.js');
  return { filename: `${base}.docx`, asciiName: `scoring-${ascii}.docx`, contentType: DOCX, data: await scoringDocument(book) };
}
