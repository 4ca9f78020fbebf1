/**
 * renderMail: one notification mail (subject, HTML with inlined CSS, plain text) from a template
 * kind, the data contract in types.ts, and the school's locale and time zone.
 */
import { compile as compileHtmlToText, type FormatCallback } from 'html-to-text';
import { districtRowMarks } from '../digest/district-figures.js';
import type { DigestFigures } from '../digest/figures.js';
import { CHECK_LABELS } from '../domain/checks/present.js';
import type { CheckCode } from '../domain/checks/types.js';
import { findCategory } from '../domain/report.js';
import { assertTimeZone, parseLocalDate } from '../domain/time.js';
import { sharedEngine, TemplateError, type Engine } from './engine.js';
import { formatDuration } from './format.js';
import { CssInliner } from './inline-css.js';
import { LABELS } from './strings.js';
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

/** Inlines the layout's CSS as juice does, with juice's work done once per kind of element (see inline-css.ts). */
const CSS = new CssInliner();

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

  return inLayout(engine, base, context, frame, subject, data.schoolName, data.replyAddress ?? null, true);
}

/** Content template `base`.html inside the shared layout, CSS inlined, plus its text part (for renderers of other mails). */
/**
 * `aboutReport`: a report's mail, whose footer asks to keep the report number in the subject when replying;
 * other mails (a notice, a sign-in link, the digest) have no number to keep and do not ask.
 */
export function inLayout(engine: Engine, base: string, context: object, frame: { locale: Locale; timeZone: string; mode: 'html' }, subject: string, schoolName: string, replyAddress: string | null, aboutReport = false): RenderedMail {
  const content = engine.render(`${base}.html`, context, frame);
  const page = engine.render('layouts/mail', { lang: frame.locale, subject, schoolName, replyAddress, content, aboutReport }, frame);
  const html = CSS.inline(page);
  const text = engine.has(`${base}.text`) ? engine.render(`${base}.text`, context, frame) : TO_TEXT[frame.locale](page);
  return { subject, html, text: text.replace(/\n{3,}/g, '\n\n').trim() + '\n' };
}

/** A mail about a mail that could not be processed (too large, no report found, …): not tied to a report. */
export interface NoticeData {
  schoolName: string;
  /** null: someone the school does not know (greeted without a name). */
  recipientName: string | null;
  /** The subject of the mail we could not process. */
  originalSubject: string;
  /** Why, in words the sender can act on. */
  reason: string;
  /** What to do instead (may contain line breaks). */
  advice?: string;
  /** Set when the mail was acted on (a 录用 recorded): what was done, one item per line; `reason` is then unused. */
  done?: string[];
}

export function renderNotice(data: NoticeData, options: RenderOptions, engine: Engine = sharedEngine()): RenderedMail {
  assertTimeZone(options.timeZone);
  const frame = { locale: options.locale, timeZone: options.timeZone, mode: 'html' as const };
  const context = { ...data, originalSubject: oneLine(data.originalSubject) || '（无主题）', advice: data.advice ?? null, done: data.done ?? null };
  const subject = oneLine(engine.render(`${options.locale}/notice.subject`, context, frame));
  return inLayout(engine, `${options.locale}/notice`, context, frame, subject, data.schoolName, null);
}

/** 上报: the school's report as its education bureau receives it (activities/upward.ts); the subject comes from the configuration. */
export interface UpwardMailData {
  schoolName: string;
  bureauName: string;
  title: string;
  /** (Not `category`: that is a helper's name.) */
  categoryName: string;
  urgencyLabel: string;
  eventTime: string;
  departmentName: string;
  submitterName: string;
  /** The text, or '' when the bureau takes it in the Word file only. */
  body: string;
  /** Names of the files attached (the Word file, photos). */
  files: string[];
  /** Photos too large to attach: signed download links. */
  links: { filename: string; url: string }[];
  linkDays: number;
  /** The office, whom the bureau can call or write to. */
  contacts: { name: string; email: string }[];
  sentAt: string;
}

export function renderUpward(data: UpwardMailData, subject: string, options: RenderOptions, engine: Engine = sharedEngine()): RenderedMail {
  assertTimeZone(options.timeZone);
  const frame = { locale: options.locale, timeZone: options.timeZone, mode: 'html' as const };
  const context = { ...data, body: data.body || null, files: data.files.length > 0 ? data.files : null, links: data.links.length > 0 ? data.links : null, contacts: data.contacts.length > 0 ? data.contacts : null };
  return inLayout(engine, `${options.locale}/upward`, context, frame, oneLine(subject), data.schoolName, null);
}

/** The one-time sign-in link for the office dashboard. */
export interface SignInData {
  schoolName: string;
  recipientName: string;
  /** The absolute sign-in link (http/https). */
  link: string;
  /** When the link stops working (ISO). */
  expiresAt: string;
}

export function renderSignIn(data: SignInData, options: RenderOptions, engine: Engine = sharedEngine()): RenderedMail {
  assertTimeZone(options.timeZone);
  const frame = { locale: options.locale, timeZone: options.timeZone, mode: 'html' as const };
  const subject = oneLine(engine.render(`${options.locale}/signin.subject`, data, frame));
  return inLayout(engine, `${options.locale}/signin`, data, frame, subject, data.schoolName, null);
}

// ---------------------------------------------------------------------------------------------------
// The weekly digest

/**
 * What the configuration's departments are to the digest's readers: a school's offices and grade groups, or,
 * for an education bureau (config.school.level other than 校级), the schools it oversees.
 */
export type DigestUnit = 'department' | 'school';

export interface DigestRenderOptions extends RenderOptions {
  schoolName: string;
  /** Content-ID of the chart PNG attached to the mail (shown as <img src="cid:…">); null: no chart. */
  chartCid: string | null;
  /** Default 'department'; a bureau's callers pass 'school' so its people read 学校 where a school reads 部门. */
  unit?: DigestUnit;
}

/**
 * The unit's words as the templates need them: `head` a column heading, `one` in a sentence, `all` for the lot
 * (各部门 / departments), `heads` a heading over several (Departments), `caps` the English plain-text section
 * title (capitals stand in for the HTML heading there), `total` the row that sums them all.
 */
const UNIT_WORDS: Record<Locale, Record<DigestUnit, { head: string; heads: string; one: string; all: string; caps: string; total: string }>> = {
  'zh-CN': {
    department: { head: '部门', heads: '各部门', one: '部门', all: '各部门', caps: '各部门', total: '全校' },
    school: { head: '学校', heads: '各学校', one: '学校', all: '各学校', caps: '各学校', total: '全部学校' },
  },
  en: {
    department: { head: 'Department', heads: 'Departments', one: 'department', all: 'departments', caps: 'DEPARTMENT', total: 'Whole school' },
    school: { head: 'School', heads: 'Schools', one: 'school', all: 'schools', caps: 'SCHOOL', total: 'All schools' },
  },
};

/** The review step holding a pending report; a bureau's first step is the school's own head, not a department's. */
const SCHOOL_HEAD_STEP: Record<Locale, string> = { 'zh-CN': '学校负责人审核', en: 'school head review' };

/** One figure in a table: the value and its change against the previous week (▲ more, ▼ fewer). */
interface Cell {
  value: string;
  delta: string | null;
  /** For the colour: 'good' (more on-time, fewer late) or 'bad'; null when unchanged. */
  dir: 'good' | 'bad' | null;
}

/** The most pending reviews and highlights a digest mail lists (the figures keep them all). */
export const DIGEST_LIST_LIMIT = 30;

const EN_MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** "2026年第48周（11月23日—11月29日）" / "week 48 of 2026 (23 Nov – 29 Nov)". */
export function digestWeekLabel(figures: Pick<DigestFigures, 'week' | 'monday' | 'sunday'>, locale: Locale): string {
  const [year, week] = figures.week.split('-W').map(Number);
  const a = parseLocalDate(figures.monday);
  const b = parseLocalDate(figures.sunday);
  if (locale === 'zh-CN') return `${year}年第${week}周（${a.month}月${a.day}日—${b.month}月${b.day}日）`;
  return `week ${week} of ${year} (${a.day} ${EN_MONTH_NAMES[a.month - 1] ?? ''} – ${b.day} ${EN_MONTH_NAMES[b.month - 1] ?? ''})`;
}

const percent = (rate: number | null): string => (rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`);

/** `moreIsBetter`: whether a rise is good news (submitted, on time, published) or bad (late, missing, returned). */
function countCell(value: number, delta: number | undefined, moreIsBetter = true): Cell {
  if (delta === undefined || delta === 0) return { value: String(value), delta: null, dir: null };
  return { value: String(value), delta: `${delta > 0 ? '▲' : '▼'}${Math.abs(delta)}`, dir: delta > 0 === moreIsBetter ? 'good' : 'bad' };
}

function rateCell(rate: number | null, delta: number | null | undefined): Cell {
  if (delta === null || delta === undefined || Math.abs(delta) < 0.0005) return { value: percent(rate), delta: null, dir: null };
  const points = Math.round(Math.abs(delta) * 1000) / 10;
  return { value: percent(rate), delta: `${delta > 0 ? '▲' : '▼'}${points}`, dir: delta > 0 ? 'good' : 'bad' };
}

const httpLink = (url: string | null): string | null => (url !== null && /^https?:\/\/\S+$/i.test(url) ? url : null);

/** What the digest templates print: every figure already formatted for the locale. */
export function digestView(figures: DigestFigures, options: DigestRenderOptions) {
  const { locale } = options;
  const unit = UNIT_WORDS[locale][options.unit ?? 'department'];
  const stepLabel = (kind: string | null): string => {
    if (kind === 'department_head' && options.unit === 'school') return SCHOOL_HEAD_STEP[locale];
    return kind !== null && Object.hasOwn(LABELS.step, kind) ? LABELS.step[kind as keyof typeof LABELS.step][locale] : '—';
  };
  // Counted by name: the week's uses carry only the department's name, and the configuration keeps names unique.
  // Digests computed before uses were recorded show '—' there: 0 would claim nothing was used.
  const usesBy = new Map<string, number>();
  for (const u of figures.uses ?? []) usesBy.set(u.departmentName, (usesBy.get(u.departmentName) ?? 0) + 1);
  const median = (minutes: number | null) => (minutes === null ? '—' : formatDuration(minutes * 60_000, locale));
  const categoryLabel = (c: string) => {
    const found = findCategory(c);
    return found ? (locale === 'zh-CN' ? found.zh : found.en) : c;
  };
  const row = (name: string, d: DigestFigures['current']['school'], change: DigestFigures['change']['school'] | undefined) => ({
    name,
    cells: [
      countCell(d.submitted, change?.submitted),
      countCell(d.onTime, change?.onTime),
      countCell(d.late, change?.late, false),
      countCell(d.missing, change?.missing, false),
      countCell(d.returned, change?.returned, false),
      countCell(d.published, change?.published),
      rateCell(d.onTimeRate, change?.onTimeRate),
      { value: median(d.medianDecisionMinutes), delta: null, dir: null },
    ] satisfies Cell[],
    late: d.late,
    missing: d.missing,
  });
  const previousCategories = new Map(figures.previous.categories.map((c) => [c.category, c.submitted]));
  return {
    schoolName: options.schoolName,
    unit,
    week: figures.week,
    weekLabel: digestWeekLabel(figures, locale),
    // 第47周 in Chinese text, not 2026-W47 (the ISO form stays in the data and the English mail).
    previousWeekLabel: locale === 'zh-CN' ? `第${Number(figures.previousWeek.split('-W')[1])}周` : figures.previousWeek,
    chartCid: options.chartCid,
    computedAt: figures.computedAt,
    school: row(unit.total, figures.current.school, figures.change.school),
    departments: figures.current.departments.map((d) => row(d.name, d, figures.change.departments[d.departmentId])),
    categories: figures.current.categories.map((c) => ({
      label: categoryLabel(c.category),
      cell: countCell(c.submitted, c.submitted - (previousCategories.get(c.category) ?? 0)),
      breakdown: figures.current.departments
        .filter((d) => (c.byDepartment[d.departmentId] ?? 0) > 0)
        .map((d) => `${d.name} ${c.byDepartment[d.departmentId] ?? 0}`)
        .join(locale === 'zh-CN' ? '、' : ', '),
    })),
    pending: figures.pending.slice(0, DIGEST_LIST_LIMIT).map((p) => ({
      reportId: p.reportId,
      title: p.title,
      departmentName: p.departmentName,
      step: stepLabel(p.stepKind),
      holders: p.holders.map((h) => h.name).join(locale === 'zh-CN' ? '、' : ', ') || '—',
      since: p.since,
      overdue: p.overdue,
      link: httpLink(p.url),
    })),
    pendingCount: figures.pending.length,
    /** Pending reviews left out of the mail's table (it shows the longest waiting DIGEST_LIST_LIMIT). */
    pendingMore: Math.max(0, figures.pending.length - DIGEST_LIST_LIMIT),
    overdueCount: figures.overdue.length,
    ranking: figures.ranking.map((r) => ({ rank: r.rank, name: r.name, submitted: r.submitted, onTime: r.onTime, rate: percent(r.onTimeRate), uses: figures.uses === undefined ? '—' : String(usesBy.get(r.name) ?? 0) })),
    findings: (figures.findings ?? []).slice(0, DIGEST_LIST_LIMIT).map((f) => ({
      departmentName: f.departmentName,
      label: Object.hasOwn(CHECK_LABELS, f.code) ? CHECK_LABELS[f.code as CheckCode][locale] : f.code,
      error: f.severity === 'error',
      versions: f.versions,
      reports: f.reports,
    })),
    findingsMore: Math.max(0, (figures.findings ?? []).length - DIGEST_LIST_LIMIT),
    /** Digests computed before the checks were stored say nothing rather than "none found". */
    findingsKnown: figures.findings !== undefined,
    // Issue 20: what waits to be published, the week's uses (录用) and the term's 考核 ranking; absent from older digests.
    publishKnown: figures.toPublish !== undefined,
    toPublish: (figures.toPublish ?? []).slice(0, DIGEST_LIST_LIMIT).map((p) => ({ ...p, approvedAt: p.approvedAt || null })),
    toPublishCount: (figures.toPublish ?? []).length,
    uses: (figures.uses ?? []).slice(0, DIGEST_LIST_LIMIT),
    usesCount: (figures.uses ?? []).length,
    usesMore: Math.max(0, (figures.uses ?? []).length - DIGEST_LIST_LIMIT),
    district: districtView(figures.district),
    scoring: figures.scoring ? { term: figures.scoring.term, departments: figures.scoring.departments.slice(0, 10) } : null,
    highlightsMore: Math.max(0, figures.highlights.length - DIGEST_LIST_LIMIT),
    highlights: figures.highlights.slice(0, DIGEST_LIST_LIMIT).map((h) => ({
      title: h.title,
      departmentName: h.departmentName,
      categoryName: categoryLabel(h.category),
      publishedAt: h.publishedAt,
      link: httpLink(h.url),
    })),
  };
}

/** A bureau's digest: every school's own week, as its page /office/district shows it (whole percents, 80 % mark). */
function districtView(district: DigestFigures['district']) {
  if (!district) return null;
  const row = (name: string, s: NonNullable<DigestFigures['district']>['total']) => ({ name, cells: [s.submitted, s.onTime, s.late, s.missing, s.returned, s.published], uses: s.usesTotal, ...districtRowMarks(s) });
  return { count: district.schools.length, url: httpLink(district.url ?? null), schools: district.schools.map((s) => row(s.name, s)), total: row('', district.total) };
}

/**
 * The weekly digest mail: subject 【信息报送周报】2026年第48周（11月23日—11月29日）, HTML in the shared
 * layout (the chart as <img src="cid:…">, to be attached by the sender with that Content-ID), and text.
 */
export function renderDigest(figures: DigestFigures, options: DigestRenderOptions, engine: Engine = sharedEngine()): RenderedMail {
  if (!(LOCALES as readonly string[]).includes(options.locale)) {
    throw new TemplateError('digest', null, `Digest: unknown locale "${String(options.locale)}" (expected zh-CN or en)`);
  }
  assertTimeZone(options.timeZone);
  if (missing(options.schoolName)) throw new TemplateError('digest', 'schoolName', 'Digest: missing required field "schoolName"');
  const frame = { locale: options.locale, timeZone: options.timeZone, mode: 'html' as const };
  const context = digestView(figures, options);
  const subject = oneLine(engine.render(`${options.locale}/digest.subject`, context, frame));
  return inLayout(engine, `${options.locale}/digest`, context, frame, subject, options.schoolName, null);
}
