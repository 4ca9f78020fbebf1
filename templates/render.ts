/**
 * renderMail: one notification mail (subject, HTML with inlined CSS, plain text) from a template
 * kind, the data contract in types.ts, and the school's locale and time zone.
 */
import { compile as compileHtmlToText, type FormatCallback } from 'html-to-text';
import juice from 'juice';
import { assertTimeZone } from '../domain/time.js';
import { sharedEngine, TemplateError, type Engine } from './engine.js';
import {
  LOCALES,
  type Locale,
  MAIL_KINDS,
  REPORT_FIELDS,
  REQUIRED_FIELDS,
  type MailData,
  type MailKind,
  type RenderedMail,
  type RenderOptions,
} from './types.js';

export { MAIL_KINDS, REQUIRED_FIELDS, type Locale, type MailData, type MailKind, type RenderedMail, type RenderOptions };
export type { AttachmentInfo, AttemptedAction, MailLinks, ReportSummary, ReviewStep } from './types.js';
export { TemplateError } from './engine.js';

/** A summary table in text: one "label：value" line per row, instead of aligned columns (CJK widths). */
const summaryTable = (separator: string): FormatCallback => (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 2 });
  const rows = (elem.children ?? []).flatMap((c) => (c.name === 'tbody' || c.name === 'thead' ? (c.children ?? []) : [c]));
  for (const row of rows.filter((r) => r.name === 'tr')) {
    const cells = (row.children ?? []).filter((c) => c.name === 'th' || c.name === 'td');
    builder.openBlock({ leadingLineBreaks: 1 });
    cells.forEach((cell, i) => {
      if (i > 0) builder.addInline(cells[0]?.name === 'th' && i === 1 ? separator : ' ');
      walk(cell.children ?? [], builder);
    });
    builder.closeBlock({ trailingLineBreaks: 1 });
  }
  builder.closeBlock({ trailingLineBreaks: 2 });
};

/** An action button in text: on its own line as "label：URL" / "label: URL". */
function actionLink(separator: string): FormatCallback {
  return (elem, walk, builder) => {
    builder.openBlock({ leadingLineBreaks: 1 });
    walk(elem.children ?? [], builder);
    const href: unknown = (elem.attribs as Record<string, unknown> | undefined)?.href;
    if (typeof href === 'string' && href !== '') builder.addInline(`${separator}${href}`, { noWordTransform: true });
    builder.closeBlock({ trailingLineBreaks: 1 });
  };
}

const textConverter = (locale: Locale) => compileHtmlToText({
  wordwrap: false,
  formatters: { summaryTable: summaryTable(locale === 'zh-CN' ? '：' : ': '), actionLink: actionLink(locale === 'zh-CN' ? '：' : ': ') },
  selectors: [
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table.summary', format: 'summaryTable' },
    { selector: 'table.layout', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'block' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'ul', options: { itemPrefix: ' - ' } },
    { selector: 'a.button', format: 'actionLink' },
    { selector: 'a.button-secondary', format: 'actionLink' },
  ],
});
const TO_TEXT: Record<Locale, (html: string) => string> = { 'zh-CN': textConverter('zh-CN'), en: textConverter('en') };

/** A header line: no control characters (CR/LF: header injection), whitespace collapsed. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function fail(kind: MailKind, message: string): never {
  throw new TemplateError(`${kind}`, null, `Mail "${kind}": ${message}`);
}

function missing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Checks the fields REQUIRED_FIELDS names for this kind, so a gap is reported before any template runs. */
function checkData(kind: MailKind, data: MailData): void {
  const d = data as unknown as Record<string, unknown>;
  for (const key of ['schoolName', 'recipientName', 'report'] as const) {
    if (missing(d[key])) throw new TemplateError(kind, key, `Mail "${kind}": missing required field "${key}"`);
  }
  const report = data.report as unknown as Record<string, unknown>;
  for (const key of REPORT_FIELDS) {
    if (missing(report[key])) throw new TemplateError(kind, `report.${key}`, `Mail "${kind}": missing required field "report.${key}"`);
  }
  if (!Array.isArray(report.attachments)) fail(kind, '"report.attachments" must be an array');
  for (const key of REQUIRED_FIELDS[kind]) {
    if (missing(d[key])) throw new TemplateError(kind, key, `Mail "${kind}": missing required field "${key}"`);
  }
}

/**
 * Renders one mail. Throws TemplateError (naming the kind or template file and the field) when data
 * lacks a field the kind needs, RangeError for an unknown time zone.
 */
export function renderMail(kind: MailKind, data: MailData, options: RenderOptions, engine: Engine = sharedEngine()): RenderedMail {
  if (!(MAIL_KINDS as readonly string[]).includes(kind)) throw new TemplateError(String(kind), null, `Unknown mail kind "${String(kind)}" (expected one of ${MAIL_KINDS.join(', ')})`);
  if (!(LOCALES as readonly string[]).includes(options.locale)) fail(kind, `unknown locale "${String(options.locale)}" (expected zh-CN or en)`);
  assertTimeZone(options.timeZone);
  checkData(kind, data);

  const frame = { locale: options.locale, timeZone: options.timeZone, mode: 'html' as const };
  const context = { ...data, links: data.links ?? {} };
  const base = `${options.locale}/${kind}`;

  const subject = oneLine(engine.render(`${base}.subject`, context, frame));
  const prefix = options.locale === 'zh-CN' ? `【${oneLine(data.report.id)}】` : `[${oneLine(data.report.id)}]`;
  if (!subject.startsWith(prefix)) fail(kind, `subject must start with ${prefix}, got "${subject}"`);

  return inLayout(engine, base, context, frame, subject, data.schoolName, data.replyAddress ?? null);
}

/** Content template `base`.html inside the shared layout, CSS inlined, plus its text part (for renderers of other mails). */
export function inLayout(engine: Engine, base: string, context: object, frame: { locale: Locale; timeZone: string; mode: 'html' }, subject: string, schoolName: string, replyAddress: string | null): RenderedMail {
  const content = engine.render(`${base}.html`, context, frame);
  const page = engine.render('layouts/mail', { lang: frame.locale, subject, schoolName, replyAddress, content }, frame);
  const html = juice(page, { removeStyleTags: true, preserveMediaQueries: false, applyWidthAttributes: true });
  const text = engine.has(`${base}.text`) ? engine.render(`${base}.text`, context, frame) : TO_TEXT[frame.locale](page);
  return { subject, html, text: text.replace(/\n{3,}/g, '\n\n').trim() + '\n' };
}

/** A mail about a mail that could not be processed (too large, no report found, …): not tied to a report. */
export interface NoticeData {
  schoolName: string;
  recipientName: string;
  /** The subject of the mail we could not process. */
  originalSubject: string;
  /** Why, in words the sender can act on. */
  reason: string;
  /** What to do instead (may contain line breaks). */
  advice?: string;
}

export function renderNotice(data: NoticeData, options: RenderOptions, engine: Engine = sharedEngine()): RenderedMail {
  assertTimeZone(options.timeZone);
  const frame = { locale: options.locale, timeZone: options.timeZone, mode: 'html' as const };
  const context = { ...data, originalSubject: oneLine(data.originalSubject) || '（无主题）', advice: data.advice ?? null };
  const subject = oneLine(engine.render(`${options.locale}/notice.subject`, context, frame));
  return inLayout(engine, `${options.locale}/notice`, context, frame, subject, data.schoolName, null);
}
