/**
 * Sending one mail at most once: the sent-mail record (keyed by the mail's deterministic Message-ID)
 * says whether it already went out; a retry after a failure sends the identical message again.
 */
import type { ReadModel } from '../db/read-model.js';
import type { MailTransport, OutgoingMail } from './transport.js';

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
    const result = await transport.send(mail());
    await readModel.markMailSent(record.messageId, result.status, new Date());
    return true;
  } catch (err) {
    await readModel.markMailFailed(record.messageId, (err as Error).message);
    throw err;
  }
}
