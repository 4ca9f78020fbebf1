// Duplicate mails after a crash (issue 10, item 7): what a retry does when an earlier attempt was
// accepted by the SMTP server but not recorded. Real smtp-server, real SQLite read model.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { deliverOnce, type DeliveryRecord } from '../../mail/deliver.js';
import { SentJournal } from '../../mail/sent-journal.js';
import { smtpTransport, type MailTransport, type OutgoingMail } from '../../mail/transport.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

let smtp: TestSmtpServer;
let dir: string;
let n = 0;

beforeAll(async () => {
  smtp = await startSmtpServer();
  dir = mkdtempSync(join(tmpdir(), 'baosong-deliver-'));
});
afterAll(async () => {
  await smtp.close();
});

async function openReadModel(file: string): Promise<{ database: Database; readModel: ReadModel }> {
  const database = await openDatabase({ file });
  await migrateToLatest(database);
  return { database, readModel: new ReadModel(database) };
}

function aMail(): { record: DeliveryRecord; mail: () => OutgoingMail } {
  const messageId = `<R-2026-0042.${++n}-receipt.abc@school.test>`;
  return {
    record: { messageId, reportId: null, kind: 'receipt', to: ['liufang@school.test'], subject: '回执', createdAt: new Date() },
    mail: () => ({ messageId, from: 'baosong@school.test', to: 'liufang@school.test', subject: '回执', text: '已收到', headers: { 'X-Baosong-Kind': 'receipt' } }),
  };
}

const copies = (messageId: string) => smtp.mails.filter((m) => m.messageId === messageId).length;

describe('a retry after the SMTP server accepted a mail that was not recorded', () => {
  let file: string;
  let journal: SentJournal;
  beforeEach(() => {
    file = join(dir, `baosong-${++n}.db`);
    journal = new SentJournal(join(dir, `journal-${n}`));
  });

  it('the database went away right after the 250: the mail is journalled, and the retry records it without sending it again', async () => {
    const first = await openReadModel(file);
    const smtpOnly = smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false });
    // The database restarts while the SMTP server is saying 250: closed as soon as the send resolves.
    const restarting: MailTransport = {
      kind: 'smtp',
      journal,
      async send(mail) {
        const result = await smtpOnly.send(mail);
        await first.database.close();
        return result;
      },
      close: () => smtpOnly.close(),
    };
    const { record, mail } = aMail();
    await expect(deliverOnce(first.readModel, restarting, record, mail)).rejects.toThrow();
    expect(copies(record.messageId)).toBe(1);
    expect(await journal.has(record.messageId)).toBe(true);

    // The activity's retry, with the database back.
    const again = await openReadModel(file);
    const transport = Object.assign(smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false }), { journal });
    expect(await deliverOnce(again.readModel, transport, record, mail)).toBe(false);
    expect(copies(record.messageId)).toBe(1);
    expect(await again.readModel.sentMail(record.messageId)).toMatchObject({ status: 'sent' });
    transport.close();
    smtpOnly.close();
    await again.database.close();
  });

  it('the worker died between the 250 and the record (attempt left in flight): resend sends the identical mail once more', async () => {
    const { database, readModel } = await openReadModel(file);
    const transport = Object.assign(smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false }), { journal, unknownOutcome: 'resend' as const });
    const { record, mail } = aMail();
    // What a killed attempt leaves: the attempt recorded, the mail accepted, nothing after.
    await readModel.recordMailSending(record);
    await transport.send(mail());
    expect(await deliverOnce(readModel, transport, record, mail)).toBe(true);
    const sent = smtp.mails.filter((m) => m.messageId === record.messageId);
    expect(sent).toHaveLength(2); // at-least-once: the same Message-ID twice, so mail clients show it once
    expect(sent[1]!.text).toBe(sent[0]!.text);
    expect(await readModel.sentMail(record.messageId)).toMatchObject({ status: 'sent', attempts: 2 });
    transport.close();
    await database.close();
  });

  it('… and under mail.unknownOutcome: hold it is held, not sent again, and the row says why', async () => {
    const { database, readModel } = await openReadModel(file);
    const transport = Object.assign(smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false }), { journal, unknownOutcome: 'hold' as const });
    const { record, mail } = aMail();
    await readModel.recordMailSending(record);
    await transport.send(mail());
    expect(await deliverOnce(readModel, transport, record, mail)).toBe(false);
    expect(copies(record.messageId)).toBe(1);
    expect(await readModel.sentMail(record.messageId)).toMatchObject({ status: 'held', error: expect.stringContaining('mail.unknownOutcome') });
    // Held stays held: later retries do not send it either.
    expect(await deliverOnce(readModel, transport, record, mail)).toBe(false);
    expect(copies(record.messageId)).toBe(1);
    transport.close();
    await database.close();
  });

  it('a mail the server refused (451) is sent again on the retry, whatever the policy', async () => {
    const { database, readModel } = await openReadModel(file);
    const transport = Object.assign(smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false }), { journal, unknownOutcome: 'hold' as const });
    const { record, mail } = aMail();
    smtp.failWith(451);
    await expect(deliverOnce(readModel, transport, record, mail)).rejects.toThrow();
    smtp.failWith(null);
    expect(await readModel.sentMail(record.messageId)).toMatchObject({ status: 'failed' });
    expect(await deliverOnce(readModel, transport, record, mail)).toBe(true);
    expect(copies(record.messageId)).toBe(1);
    transport.close();
    await database.close();
  });
});
