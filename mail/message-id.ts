/**
 * Message-IDs that are the same every time the same mail is made: a retried activity re-sends the
 * identical message (mail clients drop duplicates by Message-ID), and the sent-mail record can tell
 * "already sent" from "new".
 */
import { createHash } from 'node:crypto';

/** The domain part for our Message-IDs: the shared inbox's domain. */
export function mailDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : 'baosong.invalid';
}

const short = (text: string) => createHash('sha256').update(text.toLowerCase()).digest('hex').slice(0, 12);

/**
 * `<R-2026-0042.7-review_request.t-r2026-0042-1-0-…@school.test>`: one per report, timeline entry, kind and
 * recipient, carrying the recipient's reply token. Mail clients put it in In-Reply-To and References, so a reply
 * names its token even where the provider does not deliver `baosong+token@` sub-addresses. The token is the
 * recipient's own (each recipient gets a mail of their own) and verifies only for their address.
 * Without a token (mails sent before 2026-12): `<R-2026-0042.7-review_request.5e0b…@school.test>`.
 */
export function reportMessageId(reportId: string, key: string, recipient: string, domain: string, token?: string): string {
  return token ? `<${reportId}.${key}.t-${token}@${domain}>` : `<${reportId}.${key}.${short(recipient)}@${domain}>`;
}

/** The reply token in one of our Message-IDs (`….t-<token>@<our domain>>`), or null. */
export function tokenFromMessageId(messageId: string, domain: string): string | null {
  const m = /\.t-(r\d{4}-\d{4,}-\d{1,4}-(?:\d{1,3}|x)-[a-z2-7]{16})@([^>\s]+)>?$/i.exec(messageId.trim());
  return m && m[2]!.toLowerCase() === domain.toLowerCase() ? m[1]!.toLowerCase() : null;
}

/** The thread every mail of a report refers to, so that all of them group together in any client. */
export function reportThreadId(reportId: string, domain: string): string {
  return `<${reportId}@${domain}>`;
}

/** In-Reply-To and References for a report's mail: the liaison's own mail first, when there is one. */
export function threadHeaders(reportId: string, domain: string, originMessageId: string | null): { inReplyTo: string; references: string[] } {
  const root = reportThreadId(reportId, domain);
  const references = originMessageId ? [originMessageId, root] : [root];
  return { inReplyTo: originMessageId ?? root, references };
}
