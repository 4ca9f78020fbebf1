/**
 * The template engine shared by mails (and, later, the weekly digest and web pages): one isolated
 * Handlebars environment in strict mode, the helpers, the partials, and a compile cache.
 *
 * Template names are paths under templates/ without ".hbs": "zh-CN/receipt.html", "layouts/mail".
 * Files are read and compiled at first use and kept. Names ending in ".subject" or ".text" are plain
 * text (no HTML escaping); all others are HTML, where every {{value}} is escaped. Helpers that build
 * HTML (multiline, t) escape their input first and return a SafeString.
 */
import Handlebars from 'handlebars';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCategory, REPORT_STATUS_LABELS, URGENCY_LABELS, type ReportStatus, type Urgency } from '../domain/report.js';
import { formatAmount, formatDateTime, formatDuration, formatSize, toInstant, type DurationUnit } from './format.js';
import { isPhraseKey, LABELS, PHRASES } from './strings.js';
import { LOCALES, type Locale } from './types.js';
import { type ErrorCode } from '../domain/errors.js';

export type OutputMode = 'html' | 'text';

/** What every render gets in its @data frame; helpers read it. */
export interface RenderFrame {
  locale: Locale;
  timeZone: string;
  mode: OutputMode;
}

/** A template failed to render; names the template file and, when known, the field and the expression. */
export class TemplateError extends Error {
  readonly code = 'ETEMPLATE' satisfies ErrorCode;
  constructor(
    /** File under templates/, e.g. "zh-CN/receipt.html.hbs". */
    readonly template: string,
    /** Path of the missing field, e.g. "report.dueAt", when that is what went wrong. */
    readonly field: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

interface Loc {
  start: { line: number; column: number };
}

/** Thrown inside helpers; turned into a TemplateError by the template that called the helper. */
class HelperError extends Error {
  constructor(
    readonly helper: string,
    readonly loc: Loc | undefined,
    readonly missing: number | string | null,
    message: string,
  ) {
    super(message);
  }
}

/** A helper got no value; `which` is the positional argument (0-based) or hash key that was empty. */
class MissingValue extends Error {
  constructor(readonly which: number | string) {
    super('missing');
  }
}

interface HelperOptions {
  hash: Record<string, unknown>;
  data?: Partial<RenderFrame>;
  loc?: Loc;
}

const PATH_TOKEN_RE = /[@A-Za-z_][\w.@/-]*/g;

/** The {{…}} around line:column of a template source, or null. */
function expressionAt(source: string, line: number, column: number): string | null {
  const text = source.split('\n')[line - 1];
  if (text === undefined) return null;
  const start = text.lastIndexOf('{{', column);
  if (start < 0) return null;
  const end = text.indexOf('}}', start);
  return end < 0 ? null : text.slice(start, end + 2).replace(/^\{\{~?/, '{{').replace(/~?\}\}$/, '}}');
}

function toTemplateError(error: unknown, file: string, source: string): TemplateError {
  if (error instanceof TemplateError) {
    error.message = `${error.message} (included from ${file})`;
    return error;
  }
  if (error instanceof HelperError) {
    const line = error.loc?.start.line;
    const expr = line === undefined ? null : expressionAt(source, line, error.loc?.start.column ?? 0);
    const where = `Template ${file}${line === undefined ? '' : ` line ${line}`}`;
    if (error.missing !== null) {
      const field = expr === null ? null : argumentPath(expr, error.helper, error.missing);
      return new TemplateError(file, field, `${where}: missing field${field ? ` "${field}"` : ''}${expr ? ` in ${expr}` : ''} (helper ${error.helper})`, { cause: error });
    }
    return new TemplateError(file, null, `${where}: ${expr ?? error.helper}: ${error.message}`, { cause: error });
  }
  if (error instanceof Error) {
    const e = error as Error & { lineNumber?: number; column?: number };
    const strict = /^"([^"]+)" not defined in/.exec(e.message);
    if (strict && e.lineNumber !== undefined) {
      const name = strict[1] ?? '';
      const expr = expressionAt(source, e.lineNumber, e.column ?? 0);
      const field = expr?.match(PATH_TOKEN_RE)?.find((t) => t === name || t.endsWith(`.${name}`)) ?? name;
      return new TemplateError(file, field, `Template ${file} line ${e.lineNumber}: missing field "${field}"${expr ? ` in ${expr}` : ''}`, { cause: error });
    }
    return new TemplateError(file, null, `Template ${file}: ${e.message}`, { cause: error });
  }
  return new TemplateError(file, null, `Template ${file}: ${String(error)}`, { cause: error });
}

/** The templates/ directory: next to this module, or (when running from dist/) the source tree's. */
export function findTemplateRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [here, path.resolve(here, '../../templates')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'layouts', 'mail.hbs')));
  if (!found) throw new Error(`Mail templates not found (looked in ${candidates.join(', ')})`);
  return found;
}

function frameOf(o: HelperOptions): RenderFrame {
  const d = o.data;
  if (!d || !d.locale || !(LOCALES as readonly string[]).includes(d.locale) || !d.timeZone || !d.mode) {
    throw new Error('render frame missing: render through Engine.render (locale, timeZone, mode)');
  }
  return { locale: d.locale, timeZone: d.timeZone, mode: d.mode };
}

function present(value: unknown, which: number | string = 0): unknown {
  if (value === undefined || value === null || value === '') throw new MissingValue(which);
  return value;
}

/** The path a helper was given as argument `which` in `{{helper a b key=c}}`, best effort. */
function argumentPath(expr: string, helper: string, which: number | string): string | null {
  if (typeof which === 'string') return new RegExp(`\\b${which}=([@\\w./-]+)`).exec(expr)?.[1] ?? null;
  const m = new RegExp(`(?:^\\{\\{[#^/]?\\s*|\\()${helper}\\s+([^()}]*)`).exec(expr);
  const args = (m?.[1] ?? '').split(/\s+/).filter((a) => a !== '' && !a.includes('='));
  const arg = args[which];
  return arg && /^[@A-Za-z_][\w.@/-]*$/.test(arg) ? arg : null;
}

const URL_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const escape = (s: string): string => Handlebars.Utils.escapeExpression(s);

function label<K extends string>(table: Record<K, Record<Locale, string>>, key: unknown, locale: Locale, what: string): string {
  present(key);
  if (typeof key !== 'string' || !Object.hasOwn(table, key)) throw new Error(`unknown ${what} ${JSON.stringify(key)}`);
  return table[key as K][locale];
}

const URGENCY_TABLE = Object.fromEntries(Object.entries(URGENCY_LABELS).map(([k, v]) => [k, { 'zh-CN': v.zh, en: v.en }])) as Record<Urgency, Record<Locale, string>>;
const STATUS_TABLE = Object.fromEntries(Object.entries(REPORT_STATUS_LABELS).map(([k, v]) => [k, { 'zh-CN': v.zh, en: v.en }])) as Record<ReportStatus, Record<Locale, string>>;
const DURATION_UNITS: readonly DurationUnit[] = ['minutes', 'hours', 'days', 'working_days'];

type HelperBody = (args: unknown[], o: HelperOptions, frame: RenderFrame) => unknown;

/** “…” inside a quoted text become ‘…’ (and "…" pairs too): Chinese nesting of quotation marks. */
export function innerQuotes(text: string): string {
  return text.replace(/“([^“”]*)”/g, '‘$1’').replace(/"([^"]*)"/g, '‘$1’');
}

function registerHelpers(hb: typeof Handlebars): void {
  const def = (name: string, body: HelperBody): void => {
    hb.registerHelper(name, function (...all: unknown[]): unknown {
      const o = all.pop() as HelperOptions;
      try {
        return body(all, o, frameOf(o));
      } catch (e) {
        throw new HelperError(name, o.loc, e instanceof MissingValue ? e.which : null, e instanceof Error ? e.message : String(e));
      }
    });
  };

  /** {{t "key" name=value}}: a shared phrase; in HTML the phrase and values are escaped. */
  def('t', ([key], o, f) => {
    if (!isPhraseKey(key)) throw new Error(`unknown phrase ${JSON.stringify(key)}`);
    const html = f.mode === 'html';
    const phrase = PHRASES[f.locale][key];
    const out = phrase
      .split(/(\{\w+\})/)
      .map((piece) => {
        const m = /^\{(\w+)\}$/.exec(piece);
        if (!m) return html ? escape(piece) : piece;
        const v = present(o.hash[m[1] ?? ''], m[1] ?? '');
        const s = typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
        return html ? escape(s) : s;
      })
      .join('');
    return html ? new hb.SafeString(out) : out;
  });

  /**
   * {{inner title}}: a text about to be put inside “…”: its own double quotes become single ones, as Chinese
   * nests them (“读书节‘阅读之星’评选”), never “…“…”…”. Escaped like any value.
   */
  def('inner', ([v]) => innerQuotes(String(present(v))));

  /** {{date iso}}: 2026年11月26日 15:00（周四） / Thu 26 Nov 2026, 15:00 in the school's zone. */
  def('date', ([v], _o, f) => formatDateTime(present(v), f.locale, f.timeZone));

  /** {{duration fromIso toIso}} → "2 小时 15 分钟"; {{duration 1 "working_days"}} → "1 个工作日". */
  def('duration', ([a, b], _o, f) => {
    if (typeof a === 'number') {
      if (typeof b !== 'string' || !(DURATION_UNITS as readonly string[]).includes(b)) throw new Error(`unknown unit ${JSON.stringify(b)}`);
      return formatAmount(a, b as DurationUnit, f.locale);
    }
    return formatDuration(toInstant(present(b, 1)).getTime() - toInstant(present(a, 0)).getTime(), f.locale);
  });

  /** {{#if (before a b)}}: whether instant a is earlier than instant b. */
  def('before', ([a, b]) => toInstant(present(a, 0)).getTime() < toInstant(present(b, 1)).getTime());
  def('eq', ([a, b]) => a === b);
  def('or', (args) => args.some(Boolean));

  def('category', ([v], _o, f) => {
    const text = present(v);
    if (typeof text !== 'string') throw new Error('category must be a string');
    const c = findCategory(text);
    return c ? (f.locale === 'zh-CN' ? c.zh : c.en) : text;
  });
  def('urgency', ([v], _o, f) => label(URGENCY_TABLE, v, f.locale, 'urgency'));
  def('status', ([v], _o, f) => label(STATUS_TABLE, v, f.locale, 'status'));
  def('timeliness', ([v], _o, f) => label(LABELS.timeliness, v, f.locale, 'timeliness'));
  def('action', ([v], _o, f) => label(LABELS.action, v, f.locale, 'attempted action'));
  /** {{stepName step}}: the step's configured label, or the kind's label for the locale. */
  def('stepName', ([v], _o, f) => {
    const step = present(v) as { kind?: unknown; label?: unknown };
    if (typeof step.label === 'string' && step.label.trim() !== '' && f.locale === 'zh-CN') return step.label;
    return label(LABELS.step, step.kind, f.locale, 'step kind');
  });

  /** {{multiline text}}: escaped, newlines kept as <br> (HTML); unchanged in text. */
  def('multiline', ([v], _o, f) => {
    const text = present(v);
    if (typeof text !== 'string') throw new Error('expected text');
    const normal = text.replace(/\r\n?/g, '\n');
    if (f.mode !== 'html') return normal;
    return new hb.SafeString(escape(normal).replace(/\n/g, '<br>\n'));
  });

  /**
   * {{url link}}: only http(s) links without whitespace. In HTML it is escaped for an attribute
   * (& < > " ') but "=" is left alone, so query strings read normally in every mail client.
   */
  def('url', ([v], _o, f) => {
    const u = present(v);
    if (typeof u !== 'string' || !/^https?:\/\/\S+$/i.test(u)) throw new Error(`not an http(s) link: ${JSON.stringify(u)}`);
    if (f.mode !== 'html') return u;
    return new hb.SafeString(u.replace(/[&<>"']/g, (c) => URL_ESCAPES[c] ?? c));
  });

  def('fileSize', ([v]) => {
    const n = present(v);
    if (typeof n !== 'number') throw new Error('size must be a number of bytes');
    return formatSize(n);
  });
}

type Compiled = (context: unknown, frame: RenderFrame) => string;

export class Engine {
  private readonly hb = Handlebars.create();
  private readonly cache = new Map<string, Compiled | null>();

  constructor(readonly root: string = findTemplateRoot()) {
    registerHelpers(this.hb);
    this.loadPartials();
  }

  private loadPartials(): void {
    const dir = path.join(this.root, 'partials');
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs')).sort()) {
      const name = file.slice(0, -'.hbs'.length);
      const rel = `partials/${file}`;
      const source = readFileSync(path.join(dir, file), 'utf8');
      const fn = this.hb.compile(source, { strict: true });
      const wrapped = (context: unknown, options?: Handlebars.RuntimeOptions): string => {
        try {
          return fn(context, options);
        } catch (e) {
          throw toTemplateError(e, rel, source);
        }
      };
      this.hb.registerPartial(name, wrapped);
    }
  }

  private load(name: string): Compiled | null {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const rel = `${name}.hbs`;
    const file = path.join(this.root, rel);
    if (!existsSync(file)) {
      this.cache.set(name, null);
      return null;
    }
    const source = readFileSync(file, 'utf8');
    const text = /\.(subject|text)$/.test(name);
    const fn = this.hb.compile(source, { strict: true, noEscape: text });
    const compiled: Compiled = (context, frame) => {
      try {
        return fn(context, { data: { ...frame, mode: text ? 'text' : frame.mode } });
      } catch (e) {
        throw toTemplateError(e, rel, source);
      }
    };
    this.cache.set(name, compiled);
    return compiled;
  }

  /** Whether templates/<name>.hbs exists. */
  has(name: string): boolean {
    return this.load(name) !== null;
  }

  render(name: string, context: unknown, frame: RenderFrame): string {
    const compiled = this.load(name);
    if (!compiled) throw new TemplateError(`${name}.hbs`, null, `Template ${name}.hbs not found under ${this.root}`);
    return compiled(context, frame);
  }
}

let shared: Engine | undefined;

/** The process-wide engine (templates compiled once, at first use). */
export function sharedEngine(): Engine {
  shared ??= new Engine();
  return shared;
}
