/**
 * Mail loops die out. A staff mailbox that forwards everything to the shared inbox (or a server that
 * redirects, or a list that echoes) sends baosong's own mail back to it; answering that would answer it
 * again, forever. Two defences:
 * - `ownMailCameBack`: recognise our mail coming back: our headers, our own Message-ID, a forward of
 *   a mail whose References name one of ours, or our mail's text arriving as if written anew;
 * - the notice limit (config `mail.limits.noticesPerHour`, see handle.ts): never more than a few
 *   automatic answers to one address per hour, whatever slipped through.
 */
import { bodyText } from '../domain/mail/understand.js';
import { extractNewText } from '../domain/mail/quoted.js';
import { stripSubjectPrefixes } from '../domain/mail/subject.js';
import type { MailInput } from '../domain/mail/types.js';
import { PHRASES } from '../templates/strings.js';

export interface OwnMailOptions {
  /** The shared inbox address (our From). */
  address: string;
  /** The domain of our Message-IDs. */
  domain: string;
  schoolName: string;
  /**
   * The sender is another baosong we work with (the bureau of `upward`, or a school whose department names a shared
   * key): its mail carries the same headers and, on a shared provider (both on 163.com), Message-IDs of our domain.
   * Only our own From address then marks an echo.
   */
  peer?: boolean;
}

/** The local parts of the Message-IDs baosong makes (mail/message-id.ts, notices, digests, reminders, sign-in links). */
const OUR_ID_LOCAL_RE = /^(?:R-\d{4}-\d{4,}(?:\.[^@]*)?|notice(?:-limit)?\.[0-9a-f]+|digest\.[^@]+|expected\.[^@]+|signin\.[0-9a-f]+)$/;

/** One of our own Message-IDs. */
export function isOurMessageId(id: string | null, domain: string): boolean {
  const m = /^<([^<>@\s]+)@([^<>@\s]+)>$/.exec(id?.trim() ?? '');
  return m !== null && m[2]!.toLowerCase() === domain.toLowerCase() && OUR_ID_LOCAL_RE.test(m[1]!);
}

/** The sentence every mail of ours ends with, in each language. */
function fingerprints(schoolName: string): string[] {
  return Object.values(PHRASES).map((p) => p['footer.auto'].replace('{school}', schoolName));
}

/** Why this mail is one of ours come back as it was (our From, our headers, our Message-ID), or null. */
export function ownMailCameBack(input: MailInput, o: OwnMailOptions): string | null {
  if (input.from?.address.toLowerCase() === o.address.toLowerCase()) return `our own notification came back (From: ${o.address}); not answered`;
  // Another baosong (the bureau's, a school's sending up) marks its mail the same way: ours only under our Message-ID domain
  // (a list or a forward keeps the Message-ID; a mail without one is taken as ours, to be safe).
  if (o.peer) return null;
  const ours = Object.keys(input.headers).find((k) => k.startsWith('x-baosong-'));
  const idDomain = /@([^<>@\s]+)>?\s*$/.exec(input.messageId ?? '')?.[1]?.toLowerCase() ?? null;
  if (ours && (idDomain === null || idDomain === o.domain.toLowerCase())) return `our own notification came back (${ours}); not answered`;
  if (isOurMessageId(input.messageId, o.domain)) return 'our own notification came back (its Message-ID is ours: redirected or resent); not answered';
  return null;
}

/** Why this mail is a copy of ours that someone's mailbox forwarded (not a reply a person wrote), or null. */
export function forwardedCopyOfOurs(input: MailInput, o: OwnMailOptions): string | null {
  const subject = stripSubjectPrefixes(input.subject);
  const repliesToOurs = isOurMessageId(input.inReplyTo, o.domain);
  const refersToOurs = repliesToOurs || input.references.some((id) => isOurMessageId(id, o.domain));
  // A genuine reply says "Re:" and answers one of ours; a forward, or a copy under our subject, does not.
  if (refersToOurs && (subject.isForward || !subject.isReply)) return 'a forwarded copy of our own notification (References name our mail, but it is no reply); not answered';
  const full = bodyText(input);
  const prints = fingerprints(o.schoolName);
  const quotesUs = prints.some((p) => full.includes(p));
  if (quotesUs && subject.isForward && extractNewText(full).text.replace(/\s+/g, '') === '') return 'a forwarded copy of our own notification (nothing added); not answered';
  // Our text arriving as if newly written (an auto-forward that inlines the mail without quoting it).
  if (quotesUs && !repliesToOurs && prints.some((p) => extractNewText(full).text.includes(p))) return 'a copy of our own notification in the body (forwarded without quoting); not answered';
  return null;
}
