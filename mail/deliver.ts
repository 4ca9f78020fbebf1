/**
 * Sending one mail once, as far as SMTP allows. The order of operations:
 *   1. record the attempt (sent_mail row 'sending', keyed by the mail's deterministic Message-ID);
 *   2. SMTP: the server answers 250;
 *   3. record it sent at once; if the database cannot take it, note it in the local sent journal
 *      (flushed to disk) first, so the retry does not send it again.
 * The one window left: the process dies between the server's 250 and step 3 (milliseconds). The retry
 * then finds the attempt still 'sending' with an unknown outcome and, by policy (mail.unknownOutcome),
 * sends the identical message again with the same Message-ID (`resend`, the default: at-least-once;
 * mail clients and servers drop the copy by its Message-ID) or holds it for the office (`hold`).
 */
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import type { MailTransport, OutgoingMail } from './transport.js';
import { countMailAttempt } from '../ops/metrics.js';
import { inSpan } from '../ops/tracing.js';

export interface DeliveryRecord {
  messageId: string;
  reportId: string | null;
  /** Template name, e.g. review_request, notice, digest. */
  kind: string;
  to: string[];
  subject: string;
  createdAt: Date | string;
}

/** Sends `mail` unless the record says it was sent; records every attempt. Returns false when it had been sent already (or is held). */
export async function deliverOnce(readModel: ReadModel, transport: MailTransport, record: DeliveryRecord, mail: () => OutgoingMail): Promise<boolean> {
  // Nearly every mail is sent at its first attempt: one statement records it (a retry reads what happened before).
  if (await readModel.recordFirstMailAttempt(record)) return send(readModel, transport, record, mail, 1);
  const before = await readModel.sentMail(record.messageId);
  if (before && DONE.has(before.status)) return false;
  if (before) {
    // Tried before. Accepted while the database was away? Then record it, do not send it again.
    if (await transport.journal?.has(record.messageId)) {
      await readModel.markMailSent(record.messageId, 'sent', new Date());
      return false;
    }
    // Left 'sending': that attempt died between handing the mail over and hearing back. Unknown outcome.
    if (before.status === 'sending' && transport.unknownOutcome === 'hold') {
      await readModel.markMailHeld(record.messageId, 'held: a previous attempt stopped mid-send and may have been delivered (mail.unknownOutcome: hold)');
      return false;
    }
  }
  // The attempt is recorded before a byte goes to the SMTP server (a sent row is never changed back).
  const row = await readModel.recordMailSending(record);
  if (DONE.has(row.status)) return false;
  return send(readModel, transport, record, mail, row.attempts);
}

/** The attempt is recorded ('sending'): hand the mail to SMTP, then record how it went. */
async function send(readModel: ReadModel, transport: MailTransport, record: DeliveryRecord, mail: () => OutgoingMail, attempts: number): Promise<boolean> {
  let result: Awaited<ReturnType<MailTransport['send']>>;
  try {
    result = await inSpan('mail out', { 'baosong.mail.kind': record.kind, 'baosong.report': record.reportId ?? '' }, () => transport.send(mail()));
  } catch (err) {
    countMailAttempt(record.kind, attempts, false);
    await readModel.markMailFailed(record.messageId, (err as Error).message);
    throw err;
  }
  countMailAttempt(record.kind, attempts, true);
  try {
    await readModel.markMailSent(record.messageId, result.status, new Date());
  } catch (err) {
    // Accepted, but not recorded: keep that on local disk before failing, so the retry does not resend.
    await transport.journal?.add(record.messageId);
    throw err;
  }
  return true;
}

const DONE = new Set(['sent', 'outbox', 'held']);

/** A mail from the school's baosong address to one person, marked as automatic (no auto-replies back). */
export function automaticMail(
  config: Config,
  mail: { messageId: string; to: { name: string; email: string }; at: string; kind: string; rendered: { subject: string; html: string; text: string }; headers?: Record<string, string>; attachments?: OutgoingMail['attachments'] },
): OutgoingMail {
  return {
    messageId: mail.messageId,
    date: new Date(mail.at),
    from: { name: config.mail.fromName, address: config.mail.address },
    to: { name: mail.to.name, address: mail.to.email },
    subject: mail.rendered.subject,
    html: mail.rendered.html,
    text: mail.rendered.text,
    ...(mail.attachments ? { attachments: mail.attachments } : {}),
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': mail.kind, ...mail.headers },
  };
}
