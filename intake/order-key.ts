/**
 * Which mails the intake must handle in their arrival order: everything that may act on an existing
 * report (a reply, a mail naming a report number, a mail to a reply-token address) shares one key, so a
 * report's approvals, send-backs, revisions and comments reach it in the order they arrived; each new
 * report has a key of its own and is handled beside the others. Read from the raw header block only
 * (cheap: no MIME parsing), erring towards "reply".
 */
import iconv from 'iconv-lite';
import type { IncomingMessage } from './mailbox.js';

/** The key every mail that may act on an existing report shares. */
export const REPLIES_KEY = 'replies';

const HEAD_LIMIT = 64 * 1024;
const REPORT_NUMBER_RE = /R\s*-\s*\d{4}\s*-\s*\d{3,}/i;
const ENCODED_WORD_RE = /=\?([^?\s]+)\?([bq])\?([^?\s]*)\?=/gi;

export function orderKey(message: IncomingMessage): string {
  const head = headerBlock(message.raw);
  const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'gim');
  if (header('(?:in-reply-to|references)').test(head)) return REPLIES_KEY;
  for (const m of head.matchAll(header('(?:to|cc|delivered-to|x-original-to)'))) if (/[^\s<,"]\+[^@\s]*@/.test(m[1] ?? '')) return REPLIES_KEY;
  for (const m of head.matchAll(header('subject'))) if (REPORT_NUMBER_RE.test(decodeWords(m[1] ?? ''))) return REPLIES_KEY;
  return `new:${message.uid}`;
}

/** The header block, unfolded, as latin1 text (8-bit bytes survive for the encoded-word check). */
function headerBlock(raw: Buffer): string {
  const text = raw.subarray(0, HEAD_LIMIT).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]+/g, ' ');
}

/** RFC 2047 encoded words decoded (unknown charsets left as they are). */
function decodeWords(text: string): string {
  return text.replace(ENCODED_WORD_RE, (word, charset: string, encoding: string, data: string) => {
    const cs = charset.split('*')[0] ?? charset;
    if (!iconv.encodingExists(cs)) return word;
    const bytes =
      encoding.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
    return iconv.decode(bytes, cs);
  });
}
