/**
 * Reply tokens: our review mails carry `Reply-To: baosong+<token>@school.test`, minted for one report,
 * one review round and step, and one recipient, signed with the school's HMAC secret. The intake reads
 * the token back from the address a reply was sent to; a reply whose token does not verify for its
 * sender, report and step can never approve anything.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { findReportNumber } from '../domain/report.js';

export interface ReplyTokenClaims {
  reportId: string;
  round: number;
  /**
   * The review step the mail asked to decide; null for a report's other mails (receipt, returned, …),
   * whose token proves who answers about which report but can never approve or send back.
   */
  step: number | null;
}

export interface MintOptions extends ReplyTokenClaims {
  /** Who the mail goes to: the token is theirs alone. */
  recipient: string;
  secret: string;
}

export type VerifyResult = ({ ok: true } & ReplyTokenClaims) | { ok: false; reason: 'malformed' | 'bad_signature' };

const TOKEN_RE = /^r(\d{4})-(\d{4,})-(\d{1,4})-(\d{1,3}|x)-([a-z2-7]{16})$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function signature(claims: ReplyTokenClaims, recipient: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(`baosong-reply|${claims.reportId}|${claims.round}|${claims.step ?? 'x'}|${recipient.trim().toLowerCase()}`).digest();
  return base32(mac, 16); // 80 bits
}

/** `r2026-0042-1-0-<16 base32 chars>` (`-x-` for no step): lower case only (some servers fold local parts), 38 characters. */
export function mintReplyToken(o: MintOptions): string {
  if (o.secret.length < 16) throw Object.assign(new Error('The reply-token secret must have at least 16 characters'), { code: 'ESECRET' });
  const [, year, seq] = /^R-(\d{4})-(\d{4,})$/.exec(o.reportId) ?? [];
  if (!year || !seq) throw Object.assign(new Error(`Not a report number: ${o.reportId}`), { code: 'EREPORT_NUMBER' });
  return `r${year}-${seq}-${o.round}-${o.step ?? 'x'}-${signature(o, o.recipient, o.secret)}`;
}

/** Checks a token against the address the reply came from. */
export function verifyReplyToken(token: string, sender: string, secret: string): VerifyResult {
  const m = TOKEN_RE.exec(token.trim().toLowerCase());
  if (!m) return { ok: false, reason: 'malformed' };
  const claims = { reportId: findReportNumber(`R-${m[1]}-${m[2]}`) ?? '', round: Number(m[3]), step: m[4] === 'x' ? null : Number(m[4]) };
  if (!claims.reportId) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(signature(claims, sender, secret));
  const given = Buffer.from(m[5] ?? '');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, ...claims };
}

/** `baosong@school.test` + token → `baosong+<token>@school.test`. */
export function replyAddress(inbox: string, token: string): string {
  const at = inbox.lastIndexOf('@');
  const local = inbox.slice(0, at).split('+')[0];
  return `${local}+${token}@${inbox.slice(at + 1)}`;
}

/** The token in `baosong+<token>@school.test`, or null. */
export function tokenFromAddress(address: string): string | null {
  const m = /^[^@+]+\+([^@]+)@/.exec(address.trim());
  return m?.[1]?.toLowerCase() ?? null;
}
