/**
 * Where outgoing mail goes: the school's SMTP server (pooled), or — when none is configured — an
 * outbox folder of .eml files, so a trial install still shows every mail it would send.
 */
import { mkdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { readSecret } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { metrics } from '../ops/metrics.js';
import { SentJournal } from './sent-journal.js';

export interface OutgoingMail extends Mail.Options {
  messageId: string;
}

export interface MailTransport {
  /** 'sent' when an SMTP server accepted it, 'outbox' when written as a file. */
  readonly kind: 'smtp' | 'outbox';
  send(mail: OutgoingMail): Promise<{ status: 'sent' | 'outbox'; response: string }>;
  close(): void;
  /** Where mails accepted while the database could not record them are noted (mail/deliver.ts). */
  journal?: SentJournal | undefined;
  /** A retry of an attempt that stopped mid-send: send again (default) or hold it (config mail.unknownOutcome). */
  unknownOutcome?: 'resend' | 'hold' | undefined;
}

export function createMailTransport(config: Config, env: NodeJS.ProcessEnv = process.env): MailTransport {
  const smtp = config.mail.smtp;
  if (!smtp) return outboxTransport(config.mail.outboxDir ?? join(config.dataDir, 'outbox'));
  const pass = smtp.passwordEnv ? readSecret(smtp.passwordEnv, 'mail.smtp.passwordEnv', env, config.school.locale) : undefined;
  const transport = smtpTransport({ host: smtp.host, port: smtp.port, secure: smtp.secure, pool: smtp.pool, ...(smtp.user ? { auth: { user: smtp.user, pass: pass ?? '' } } : {}) });
  return Object.assign(transport, { journal: new SentJournal(join(config.dataDir, 'mail-sent.journal')), unknownOutcome: config.mail.unknownOutcome });
}

/**
 * Text and HTML parts in base64: our mails are mostly Chinese, which quoted-printable triples (=E6=8A=A5
 * per byte) and encodes byte by byte in JavaScript; base64 is a third larger and done natively. Readers
 * see the same text.
 */
const TEXT_ENCODING = 'base64';

/**
 * SMTP timeouts below the mail activities' 1-minute start-to-close timeout: an attempt that hangs gives
 * up before Temporal starts the next one, so two attempts of one mail never talk to the server at once.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export function smtpTransport(options: { host: string; port: number; secure: boolean; pool?: boolean; auth?: { user: string; pass: string }; ignoreTLS?: boolean }): MailTransport {
  const transporter = options.pool
    ? nodemailer.createTransport({ ...SMTP_TIMEOUTS, ...options, pool: true, maxConnections: 3 })
    : nodemailer.createTransport({ ...SMTP_TIMEOUTS, ...options, pool: false });
  transporter.use('stream', wholeMessage);
  let failing = false; // the last send failed: the next one that works counts as a reconnect
  return {
    kind: 'smtp',
    async send(mail) {
      const info = await transporter.sendMail({ textEncoding: TEXT_ENCODING, ...mail }).catch((err: unknown) => {
        failing = true;
        throw err;
      });
      if (failing) metrics.smtpReconnects.inc();
      failing = false;
      return { status: 'sent', response: String(info.response) };
    },
    close: () => transporter.close(),
  };
}

/**
 * A mail without files is handed to the SMTP connection as one buffer, not the ~40 pieces nodemailer's composer
 * streams out (headers, each part's base64 lines, boundaries): each piece was a socket write on our side and a read
 * on the server's (issue 26: with the one-statement first attempt of mail/deliver.ts, 0.17 ms less CPU per mail). A mail with files still streams, so a
 * large attachment is never held in memory whole.
 */
function wholeMessage(mail: { data: Mail.Options; message: { processFunc(fn: (input: Readable) => Readable): void } }, done: (err?: Error | null) => void): void {
  if ((mail.data.attachments?.length ?? 0) > 0) return done();
  // An error of the composer's stream reaches the connection through ours. Not stream.pipeline: it makes an
  // AbortController per mail and aborts it at the end, and the DOMException that builds (a stack trace) cost
  // ~85 µs a mail in bench:lifecycle's profile, more than the rest of this function.
  mail.message.processFunc((input) => {
    const whole = new OneChunk();
    input.once('error', (err) => whole.destroy(err));
    return input.pipe(whole);
  });
  done();
}

class OneChunk extends Transform {
  readonly #chunks: Buffer[] = [];
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.#chunks.push(chunk);
    callback();
  }
  override _flush(callback: (err: null, data: Buffer) => void): void {
    callback(null, Buffer.concat(this.#chunks));
  }
}

export function outboxTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(mail) {
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._@-]/g, '_')}.eml`);
      const exists = await access(file).then(
        () => true,
        () => false,
      );
      if (!exists) {
        const info = await transporter.sendMail({ textEncoding: TEXT_ENCODING, ...mail });
        await writeFile(file, info.message as Buffer);
      }
      return { status: 'outbox', response: file };
    },
    close: () => transporter.close(),
  };
}
