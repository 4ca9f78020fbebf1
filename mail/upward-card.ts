/**
 * Upward cards: when a school's baosong reports up (上报) to a bureau that runs baosong too, the upward mail
 * carries `X-Baosong-Upward` (our report number, round, category, urgency, event time) and the bureau's mails
 * back (回执, 录用, 退回, 催报) carry `X-Baosong-Notice`, so neither side has to guess from subjects and bodies.
 * Mail clients never show these headers: a bureau without baosong just sees ordinary mail.
 *
 * A card is signed with the key both sides configured, and bound to its mail's Message-ID and From, so a
 * header copied into another mail or sent from another address does not verify. Mail is hostile: reading
 * never throws, and nothing a sender writes is taken beyond its bound.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CATEGORIES, URGENCIES, type CategoryKey, type Urgency } from '../domain/report.js';
import { USE_LEVELS, type UseLevel } from '../domain/scoring.js';

export const REPORT_HEADER = 'X-Baosong-Upward';
export const NOTICE_HEADER = 'X-Baosong-Notice';

export interface ReportCard { ref: string; round: number; category: CategoryKey; urgency: Urgency; eventTime: string /* ISO 8601 UTC */ }
export type NoticeKind = 'received' | 'used' | 'returned' | 'chase';
export interface NoticeCard { ref: string /* the school's report number */; kind: NoticeKind; bureauRef?: string; level?: UseLevel; outlet?: string; url?: string; reason?: string }
/** The shared key, and the mail the card travels in (its Message-ID and From address). */
export interface CardBinding { key: string; messageId: string; from: string }
export type CardResult<C> = { ok: true; card: C } | { ok: false; problem: string };

const NOTICE_KINDS: readonly NoticeKind[] = ['received', 'used', 'returned', 'chase'];
/**
 * A card within every field bound must fit: a 1,000-character Chinese reason alone is 4,000 base64
 * characters, then a 500-character URL, the outlet and bureau number, and the folding.
 */
const MAX_VALUE = 8_000;
const LIMITS: Record<string, number> = { bref: 100, outlet: 100, url: 500, reason: 1_000 };
/** Written as is; anything else (Chinese, spaces, `;` and `=` in URLs) goes as `b64.<base64url of UTF-8>`. */
const TOKEN = /^[A-Za-z0-9._:@+\-/]*$/;
/** base64url is cut into pieces with spaces between: the only places a mail server may fold a long line. */
const PIECE = /.{1,64}/g;

type Fields = [name: string, value: string | undefined][];

const CHECKS: Record<string, (v: string) => boolean> = {
  ref: (v) => /^R-\d{4}-\d{4,}$/.test(v),
  round: (v) => /^[1-9]\d{0,3}$/.test(v) && Number(v) <= 1000,
  cat: (v) => CATEGORIES.some((c) => c.key === v),
  urgency: (v) => (URGENCIES as readonly string[]).includes(v),
  time: isIsoUtc,
  kind: (v) => (NOTICE_KINDS as readonly string[]).includes(v),
  level: (v) => (USE_LEVELS as readonly string[]).includes(v),
};

/** `2026-03-05T08:00:00Z` or with milliseconds, and a real instant (V8 would roll 02-30 over to 03-02). */
function isIsoUtc(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(v)) return false;
  const t = new Date(v);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, v.length - 1) === v.slice(0, -1);
}

/** What is wrong with a card's fields, in the same words for the signer (a RangeError) and the reader. */
function fieldProblem(fields: Fields, required: readonly string[]): string | null {
  for (const [name, value] of fields) {
    if (value === undefined && required.includes(name)) return `missing field ${name}`;
    if (value === undefined) continue;
    if (value.length > (LIMITS[name] ?? Infinity)) return `field ${name} too long`;
    // A lone surrogate does not survive UTF-8: the reader would see U+FFFD and a signature that cannot match.
    if (/\p{Cs}/u.test(value) || CHECKS[name]?.(value) === false) return `malformed field ${name}`;
  }
  return null;
}

const bindingProblem = (b: CardBinding) => (b.messageId.trim() === '' ? 'no message id' : b.from.trim() === '' ? 'no from address' : null);

/** Message-IDs compare trimmed and lower-cased, with their angle brackets (added when a caller left them off). */
function messageIdOf(id: string): string {
  const t = id.trim().toLowerCase();
  return t.startsWith('<') && t.endsWith('>') ? t : `<${t}>`;
}

/** 16 bytes of HMAC-SHA256 over JSON (unambiguous, whatever the values hold), decoded values, absent = null. */
function mac(header: string, fields: Fields, b: CardBinding): Buffer {
  const canonical = JSON.stringify(['baosong-card', 1, header, fields.map(([n, v]) => [n, v ?? null]), messageIdOf(b.messageId), b.from.trim().toLowerCase()]);
  return createHmac('sha256', b.key).update(canonical).digest().subarray(0, 16);
}

function encode(v: string): string {
  if (TOKEN.test(v) && !v.startsWith('b64.')) return v;
  return `b64.${(Buffer.from(v, 'utf8').toString('base64url').match(PIECE) ?? []).join(' ')}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function decode(raw: string): string | null {
  if (!raw.startsWith('b64.')) return TOKEN.test(raw) ? raw : null;
  const b64 = raw.slice(4);
  const bytes = Buffer.from(b64, 'base64url');
  // Buffer skips what is not base64: only the canonical spelling of some bytes is accepted.
  if (!/^[A-Za-z0-9_-]*$/.test(b64) || bytes.toString('base64url') !== b64) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function sign(header: string, fields: Fields, required: readonly string[], b: CardBinding): string {
  if (b.key.length < 16) throw Object.assign(new Error('The upward-card key must have at least 16 characters'), { code: 'ESECRET' });
  const problem = fieldProblem(fields, required) ?? bindingProblem(b);
  if (problem) throw new RangeError(`${header}: ${problem}`);
  const parts = fields.flatMap(([n, v]) => (v === undefined ? [] : [`${n}=${encode(v)}`]));
  const value = ['v=1', ...parts, `sig=${mac(header, fields, b).toString('base64url')}`].join('; ');
  if (value.length > MAX_VALUE) throw new RangeError(`${header}: card too long`);
  return value;
}

/**
 * `value` is the header as a parser gives it: mailparser gives a string for one header (unfolded), an array
 * when the header came twice (refused: which one would be meant?), undefined when absent or empty.
 */
function read(header: string, names: readonly string[], required: readonly string[], value: unknown, b: CardBinding): { ok: true; got: Map<string, string> } | { ok: false; problem: string } {
  const fail = (problem: string) => ({ ok: false as const, problem });
  if (value === undefined || value === null || value === '') return fail('no header');
  if (Array.isArray(value)) return fail('header repeated');
  if (typeof value !== 'string') return fail('not a text header');
  if (value.length > MAX_VALUE) return fail('header too long');
  const binding = b.key.length < 16 ? 'key too short' : bindingProblem(b);
  if (binding) return fail(binding);
  // Folding (CRLF + space, or the single space an unfolding parser leaves) is never part of a value.
  const text = value.replace(/\s+/g, '');
  const [first, ...rest] = text.split(';');
  if (!first?.startsWith('v=')) return fail(text ? 'no version' : 'no header');
  if (first !== 'v=1') return fail('unknown version');
  const order = [...names, 'sig'];
  const got = new Map<string, string>();
  let last = -1;
  for (const part of rest) {
    const m = /^([a-z]+)=(.*)$/.exec(part);
    if (!m) return fail('malformed');
    const [, name = '', raw = ''] = m;
    const at = order.indexOf(name);
    if (at < 0) return fail(`unknown field ${name}`);
    if (got.has(name)) return fail(`duplicated field ${name}`);
    if (at < last) return fail('fields out of order');
    last = at;
    const decoded = decode(raw);
    if (decoded === null) return fail(`malformed field ${name}`);
    got.set(name, decoded);
  }
  const sig = got.get('sig');
  const fields: Fields = names.map((n) => [n, got.get(n)]);
  const problem = sig === undefined ? 'no signature' : fieldProblem(fields, required);
  if (problem) return fail(problem);
  const given = Buffer.from(sig ?? '', 'base64url');
  const expected = mac(header, fields, b);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('bad signature');
  return { ok: true, got };
}

const REPORT_FIELDS = ['ref', 'round', 'cat', 'urgency', 'time'];
const reportFields = (c: ReportCard): Fields => [['ref', c.ref], ['round', String(c.round)], ['cat', c.category], ['urgency', c.urgency], ['time', c.eventTime]];

/** The `X-Baosong-Upward` value for the school's upward mail. Throws RangeError for a card it could not read back. */
export function signReportCard(card: ReportCard, b: CardBinding): string {
  return sign(REPORT_HEADER, reportFields(card), REPORT_FIELDS, b);
}

export function readReportCard(value: unknown, b: CardBinding): CardResult<ReportCard> {
  const r = read(REPORT_HEADER, REPORT_FIELDS, REPORT_FIELDS, value, b);
  if (!r.ok) return r;
  const f = (n: string) => r.got.get(n) ?? '';
  return { ok: true, card: { ref: f('ref'), round: Number(f('round')), category: f('cat') as CategoryKey, urgency: f('urgency') as Urgency, eventTime: f('time') } };
}

/** bref: the bureau's own number for the piece (its 稿件编号), when it has one. */
const NOTICE_FIELDS = ['ref', 'kind', 'bref', 'level', 'outlet', 'url', 'reason'];
const NOTICE_KEYS = { bref: 'bureauRef', level: 'level', outlet: 'outlet', url: 'url', reason: 'reason' } as const;
const noticeFields = (c: NoticeCard): Fields => [['ref', c.ref], ['kind', c.kind], ['bref', c.bureauRef], ['level', c.level], ['outlet', c.outlet], ['url', c.url], ['reason', c.reason]];

/** The `X-Baosong-Notice` value for the bureau's mail back. Throws RangeError for a card it could not read back. */
/** A text cut to `units` UTF-16 code units (the cards' limits count those), never in the middle of a character. */
export function cardText(text: string, units: number): string {
  const cut = text.slice(0, units);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

export function signNoticeCard(card: NoticeCard, b: CardBinding): string {
  return sign(NOTICE_HEADER, noticeFields(card), ['ref', 'kind'], b);
}

export function readNoticeCard(value: unknown, b: CardBinding): CardResult<NoticeCard> {
  const r = read(NOTICE_HEADER, NOTICE_FIELDS, ['ref', 'kind'], value, b);
  if (!r.ok) return r;
  const card: NoticeCard = { ref: r.got.get('ref') ?? '', kind: r.got.get('kind') as NoticeKind };
  for (const [name, key] of Object.entries(NOTICE_KEYS)) if (r.got.has(name)) Object.assign(card, { [key]: r.got.get(name) });
  return { ok: true, card };
}
