/**
 * Sending one mail at most once: the sent-mail record (keyed by the mail's deterministic Message-ID)
 * says whether it already went out; a retry after a failure sends the identical message again.
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

/** Sends `mail` unless the record says it was sent; records every attempt. Returns false when it had been sent already. */
export async function deliverOnce(readModel: ReadModel, transport: MailTransport, record: DeliveryRecord, mail: () => OutgoingMail): Promise<boolean> {
  // Records the attempt, or finds the mail already sent (a sent row is never changed back).
  const row = await readModel.recordMailSending(record);
  if (row.status === 'sent' || row.status === 'outbox') return false;
  try {
    const result = await inSpan('mail out', { 'baosong.mail.kind': record.kind, 'baosong.report': record.reportId ?? '' }, () => transport.send(mail()));
    await readModel.markMailSent(record.messageId, result.status, new Date());
    countMailAttempt(record.kind, row.attempts, true);
    return true;
  } catch (err) {
    countMailAttempt(record.kind, row.attempts, false);
    await readModel.markMailFailed(record.messageId, (err as Error).message);
    throw err;
  }
}

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
