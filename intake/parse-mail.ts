/**
 * Raw RFC 5322 bytes → MailInput, with mailparser's simpleParser plus two charset repairs for mail
 * from Chinese clients (mailparser 3.14.2 / libmime 5.6.4 get the rest right, see
 * tests/intake/parse-mail.test.ts):
 *
 * 1. GB2312 / GBK labels are decoded as GB18030. libmime maps GB2312 to iconv-lite's GBK codec,
 *    which already covers GBK-only characters such as 镕 and 堃 but turns GB18030 four-byte
 *    sequences (𠮷, 㛃 and other rarer name characters) into "�4�5". Mail clients label such text
 *    GB2312 or GBK anyway, so every such label in a header (Content-Type charset parameters,
 *    RFC 2047 encoded words, RFC 2231 parameter values) is rewritten to GB18030, a superset,
 *    before parsing.
 * 2. Header lines sent as raw 8-bit GBK (no encoded words; some old clients and scanners do this)
 *    are decoded by mailparser as UTF-8 into "����". Header lines that are not valid UTF-8 are
 *    converted from GB18030 to UTF-8 before parsing (top-level headers and MIME part headers).
 *
 * It also never lets mailparser's clock leak in: an unreadable Date header gives `date: null`
 * (mailparser would substitute the current time).
 */
import iconv from 'iconv-lite';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { MailAddress, MailAttachmentInfo, MailInput } from '../domain/mail/types.js';
import { type ErrorCode } from '../domain/errors.js';

export class MailParseError extends Error {
  readonly code = 'EMAIL_PARSE' satisfies ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailParseError';
  }
}

/** Charset labels that mean "GB2312 or GBK" in practice; all decoded as GB18030. */
const GB_LABELS = 'gb2312|gb_2312(?:-80)?|gbk|x-gbk|cp936|ms936|windows-936|csgb2312|euc-cn|x-euc-cn|csiso58gb231280|iso-ir-58';
const ENCODED_WORD_LABEL_RE = new RegExp(`(=\\?)(?:${GB_LABELS})((?:\\*[A-Za-z0-9-]*)?\\?[BbQq]\\?)`, 'gi');
const CHARSET_PARAM_RE = new RegExp(`(charset\\s*=\\s*["']?)(?:${GB_LABELS})(?=["';\\s]|$)`, 'gim');
const RFC2231_LABEL_RE = new RegExp(`(\\*\\s*=\\s*["']?)(?:${GB_LABELS})(')`, 'gi');

/** Rewrites GB2312/GBK charset labels in one header line to GB18030 (on the bytes as latin1, so nothing else changes). */
export function relabelGbCharsets(headerLine: string): string {
  return headerLine
    .replace(ENCODED_WORD_LABEL_RE, '$1GB18030$2')
    .replace(CHARSET_PARAM_RE, '$1GB18030')
    .replace(RFC2231_LABEL_RE, '$1GB18030$2');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Applies both repairs to the header lines of the message and of its MIME parts (found by their
 * boundaries); body lines are never touched, so text that merely mentions "charset=gbk" stays as written.
 */
export function repairHeaders(raw: Buffer): Buffer {
  const latin = raw.toString('latin1');
  const boundaries = new Set<string>();
  for (const m of latin.matchAll(/boundary\s*=\s*(?:"([^"\r\n]+)"|([^\s;"]+))/gi)) {
    boundaries.add(`--${m[1] ?? m[2] ?? ''}`);
  }
  const parts: Buffer[] = [];
  let inHeader = true;
  let changed = false;
  let start = 0;
  while (start < raw.length) {
    const nl = raw.indexOf(0x0a, start);
    const end = nl === -1 ? raw.length : nl + 1;
    let line = raw.subarray(start, end);
    const text = line.toString('latin1').replace(/\r?\n$/, '');
    if (inHeader && text === '') {
      inHeader = false;
    } else if (!inHeader) {
      if (boundaries.has(text.trimEnd())) inHeader = true;
    } else {
      if (/[\x80-\xff]/.test(text) && !isUtf8(line)) {
        line = Buffer.from(iconv.decode(line, 'gb18030'), 'utf8');
        changed = true;
      }
      const latinLine = line.toString('latin1');
      const relabelled = relabelGbCharsets(latinLine);
      if (relabelled !== latinLine) {
        line = Buffer.from(relabelled, 'latin1');
        changed = true;
      }
    }
    parts.push(line);
    start = end;
  }
  return changed ? Buffer.concat(parts) : raw;
}

const HEADER_FIELD_RE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/** Text read byte-for-byte (latin1) as a person would read it: UTF-8, else GB18030 (what Chinese editors save). */
function readable(latin1: string): string {
  const bytes = Buffer.from(latin1, 'latin1');
  return (isUtf8(bytes) ? bytes.toString('utf8') : iconv.decode(bytes, 'gb18030')).replace(/[\p{Cc}\ufffd]/gu, '?');
}

function assertLooksLikeMail(buf: Buffer): void {
  const head = buf.subarray(0, 4096).toString('latin1').replace(/^(?:\uFEFF|\xEF\xBB\xBF)/, '');
  if (head.trim() === '') throw new MailParseError('邮件内容为空，无法解析。');
  const firstLine = head.replace(/^\s+/, '').split(/\r?\n/, 1)[0] ?? '';
  if (!HEADER_FIELD_RE.test(firstLine) && !/^From \S/.test(firstLine)) {
    throw new MailParseError(
      `不是邮件格式：开头应是邮件头（如 "From:"、"Subject:"），实际是 "${readable(firstLine).slice(0, 40)}"（not an RFC 5322 message）`,
    );
  }
  if (head.split(/\r?\n\r?\n/, 1)[0]?.includes('\0')) {
    throw new MailParseError('邮件头中有二进制数据，文件可能已损坏或不是邮件。');
  }
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!value) return [];
  const out: MailAddress[] = [];
  const visit = (entries: AddressObject['value']): void => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address) out.push(e.name ? { address: e.address, name: e.name } : { address: e.address });
    }
  };
  for (const obj of Array.isArray(value) ? value : [value]) visit(obj.value);
  return out;
}

const ENCODED_WORDS_RE = /=\?([^?*\s]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=(?:[ \t]+(?==\?))?/g;

/** Decodes RFC 2047 encoded words mailparser leaves alone (it only decodes the headers it knows). */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  // Adjacent words of one charset are joined as bytes first: clients split a character across words.
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = (): void => {
    if (!pending) return;
    const charset = /^(?:gb2312|gbk|x-gbk|cp936|euc-cn)$/i.test(pending.charset) ? 'gb18030' : pending.charset;
    out += iconv.encodingExists(charset) ? iconv.decode(Buffer.concat(pending.bytes), charset) : Buffer.concat(pending.bytes).toString('utf8');
    pending = null;
  };
  for (const m of value.matchAll(ENCODED_WORDS_RE)) {
    const between = value.slice(last, m.index);
    if (between !== '') {
      flush();
      out += between;
    }
    const [, charset = 'utf-8', encoding = 'B', text = ''] = m;
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_w, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    if (pending && pending.charset.toLowerCase() !== charset.toLowerCase()) flush();
    pending ??= { charset, bytes: [] };
    pending.bytes.push(bytes);
    last = m.index + m[0].length;
  }
  flush();
  return out + value.slice(last);
}

function unfold(line: string): string {
  return line.replace(/\r?\n[ \t]+/g, ' ');
}

function headerRecord(mail: ParsedMail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, line } of mail.headerLines) {
    if (key in out) continue;
    const parsed = mail.headers.get(key);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    if (typeof first === 'string') out[key] = decodeEncodedWords(first);
    else if (first && typeof first === 'object' && 'text' in first && typeof first.text === 'string') out[key] = first.text;
    else out[key] = unfold(line).replace(/^[^:]*:\s*/, '').trim();
  }
  return out;
}

/** The Date header when it is a real date; null when missing or unreadable. */
function readDate(mail: ParsedMail, headers: Record<string, string>): Date | null {
  const raw = headers['date'];
  if (raw === undefined || raw.trim() === '') return null;
  const cleaned = raw.replace(/\([^)]*\)/g, ' ').trim();
  if (Number.isNaN(Date.parse(cleaned))) return null;
  return mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : new Date(Date.parse(cleaned));
}

/**
 * Longest Message-ID taken from a mail. Real ones are well under 100 characters; RFC 5322 caps a whole
 * header line at 998, and baosong writes ids back into In-Reply-To / References, so a longer one is
 * treated as absent (the mail is then identified by its bytes) and never echoed.
 */
export const MAX_MESSAGE_ID_LENGTH = 250;
/** References kept from a mail: the newest ones (a thread deeper than this adds nothing we use). */
const MAX_REFERENCES = 50;

// eslint-disable-next-line no-control-regex
const usableId = (id: string) => id.length <= MAX_MESSAGE_ID_LENGTH && !/[\s\x00-\x1f\x7f]/.test(id);

function messageIds(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const joined = Array.isArray(value) ? value.join(' ') : value;
  const ids = joined.match(/<[^<>\s]+>/g) ?? joined.split(/\s+/).filter((s) => s !== '');
  return ids.filter(usableId);
}

function attachmentInfo(a: ParsedMail['attachments'][number]): MailAttachmentInfo {
  const disposition = a.contentDisposition === 'attachment' || a.contentDisposition === 'inline' ? a.contentDisposition : null;
  // A truncated part can leave mailparser without a content type string: such a part is of unknown type.
  const contentType = typeof a.contentType === 'string' && a.contentType !== '' ? a.contentType : 'application/octet-stream';
  const info: MailAttachmentInfo = { filename: typeof a.filename === 'string' ? a.filename : null, contentType, size: a.size, disposition };
  if (a.cid) info.contentId = a.cid;
  return info;
}

/**
 * Parses one raw message. A string is taken as the message's text (UTF-8 when written out).
 * `receivedAt` is `options.receivedAt`, else the Date header, else the Unix epoch (1970-01-01) as an
 * explicit "unknown" marker: callers that know better (the CLI uses the file's mtime, the intake
 * the IMAP INTERNALDATE) should pass `receivedAt`.
 * @throws MailParseError (code 'EMAIL_PARSE') when the input is empty or not a mail at all.
 */
export async function parseMail(raw: Buffer | string, options: { receivedAt?: Date } = {}): Promise<MailInput> {
  return (await parse(raw, options)).input;
}

/** parseMail, plus the decoded bytes of each attachment (same order as `input.attachments`), for storing them. */
export async function parseMailWithContent(raw: Buffer | string, options: { receivedAt?: Date } = {}): Promise<{ input: MailInput; contents: Buffer[] }> {
  const { input, mail } = await parse(raw, options);
  return { input, contents: mail.attachments.map((a) => a.content) };
}

async function parse(raw: Buffer | string, options: { receivedAt?: Date }): Promise<{ input: MailInput; mail: ParsedMail }> {
  const original = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  assertLooksLikeMail(original);
  const prepared = repairHeaders(original);
  let mail: ParsedMail;
  try {
    mail = await simpleParser(prepared, { keepCidLinks: true, skipTextToHtml: true, checksumAlgo: false });
  } catch (err) {
    throw new MailParseError(`无法解析邮件：${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const headers = headerRecord(mail);
  const date = readDate(mail, headers);
  const from = addresses(mail.from)[0] ?? null;
  const input: MailInput = {
    messageId: mail.messageId && usableId(mail.messageId) ? mail.messageId : null,
    from,
    to: addresses(mail.to),
    replyTo: addresses(mail.replyTo),
    subject: mail.subject ?? '',
    date,
    receivedAt: options.receivedAt ?? date ?? new Date(0),
    inReplyTo: messageIds(mail.inReplyTo)[0] ?? null,
    references: messageIds(mail.references).slice(-MAX_REFERENCES),
    headers,
    text: mail.text ?? null,
    html: typeof mail.html === 'string' ? mail.html : null,
    attachments: mail.attachments.map(attachmentInfo),
  };
  return { input, mail };
}
