/**
 * A real SMTP server (the `smtp-server` package) on a loopback port, keeping every message it accepts,
 * parsed. `failWith(451)` makes it refuse mail, as a school's server does during an outage.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  messageId: string;
  /** When the server had the whole message (Date.now(), before parsing it and answering 250). */
  receivedAt: number;
  to: string[];
  subject: string;
  kind: string | null;
  reportId: string | null;
  date: Date | null;
  inReplyTo: string | null;
  references: string[];
  replyTo: string | null;
  autoSubmitted: string | null;
  html: string;
  text: string;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  mails: CaughtMail[];
  /** Refuse every message with this SMTP code from now on (null: accept again). */
  failWith(code: number | null): void;
  /** Answer each message this long after it arrived, as a slow school server does (0: at once). */
  delayAnswers(ms: number): void;
  /** How many times a message was refused. */
  refused: number;
  /** Calls `listener` with every mail accepted from now on (e.g. to forward it somewhere, as a mailbox rule would). */
  onMail(listener: (m: CaughtMail) => void): void;
  /** Resolves when `count` mails matching `filter` have arrived. */
  waitFor(filter: (m: CaughtMail) => boolean, count?: number, timeoutMs?: number): Promise<CaughtMail[]>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  let failure: number | null = null;
  let answerDelayMs = 0;
  const mails: CaughtMail[] = [];
  const listeners = new Set<() => void>();
  const mailListeners: ((m: CaughtMail) => void)[] = [];
  const state = { refused: 0 };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (answerDelayMs > 0 ? setTimeout(answer, answerDelayMs) : answer()));
      const answer = () => {
        const receivedAt = Date.now();
        if (failure !== null) {
          state.refused++;
          const err = Object.assign(new Error('Temporary failure, try again later'), { responseCode: failure });
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const header = (name: string) => {
              const v = parsed.headers.get(name);
              return typeof v === 'string' ? v : null;
            };
            const refs = parsed.references;
            mails.push({
              messageId: parsed.messageId ?? '',
              receivedAt,
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: parsed.subject ?? '',
              kind: header('x-baosong-kind'),
              reportId: header('x-baosong-report'),
              date: parsed.date ?? null,
              inReplyTo: parsed.inReplyTo ?? null,
              references: Array.isArray(refs) ? refs : refs ? [refs] : [],
              replyTo: parsed.replyTo?.value[0]?.address ?? null,
              autoSubmitted: header('auto-submitted'),
              html: typeof parsed.html === 'string' ? parsed.html : '',
              text: parsed.text ?? '',
              raw,
              parsed,
            });
            for (const l of listeners) l();
            for (const l of mailListeners) l(mails[mails.length - 1]!);
            callback();
          })
          .catch((err: Error) => callback(err));
      };
    },
  });
  // A client that dies mid-transaction (a SIGKILLed worker) resets its connection: nothing to report.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    mails,
    get refused() {
      return state.refused;
    },
    onMail(listener) {
      mailListeners.push(listener);
    },
    failWith(code) {
      failure = code;
    },
    delayAnswers(ms) {
      answerDelayMs = ms;
    },
    waitFor(filter, count = 1, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = mails.filter(filter);
          if (found.length >= count) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`Timed out waiting for ${count} mail(s); have ${mails.filter(filter).length} matching of ${mails.length}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
