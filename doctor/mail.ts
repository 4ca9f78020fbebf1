/**
 * The doctor's mail checks: the shared inbox over IMAP (login, IDLE, MOVE or UIDPLUS, the three
 * folders) and the SMTP server (connection, TLS, login, and a test mail only when asked).
 */
import { ImapFlow } from 'imapflow';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { randomBytes } from 'node:crypto';
import { MAIL_PROVIDERS, type MailProvider } from '../config/providers.js';
import type { Config } from '../config/schema.js';
import { replyAddress } from '../mail/reply-token.js';
import { smtpTransport } from '../mail/transport.js';
import { fail, firstLine, ok, warn, type CheckLine, type DoctorCheck } from './lines.js';

type ErrorLike = Error & { code?: string; authenticationFailed?: boolean; responseText?: string; response?: string; responseCode?: number };

function providerNote(config: Config): string {
  return config.mail.provider ? ` — ${MAIL_PROVIDERS[config.mail.provider].note}` : '';
}

/** What a failed connection most likely means, and what to change. */
function connectionTrouble(e: ErrorLike, host: string, port: number, secure: boolean, kind: 'IMAP' | 'SMTP'): { message: string; fix: string } {
  const text = `${e.code ?? ''} ${e.message}`;
  const portHint =
    kind === 'IMAP'
      ? 'IMAP is port 993 with secure: true (TLS), or 143 with secure: false (STARTTLS)'
      : 'SMTP is port 465 with secure: true (TLS), or 587 with secure: false (STARTTLS)';
  if (/ENOTFOUND|EAI_AGAIN|EDNS/.test(text)) return { message: `host ${host} not found (DNS)`, fix: `check mail.${kind.toLowerCase()}.host (a provider preset fills it: mail.provider)` };
  if (/ECONNREFUSED/.test(text)) return { message: `nothing answers at ${host}:${port} (connection refused)`, fix: `check mail.${kind.toLowerCase()}.port: ${portHint}` };
  if (/wrong version number|SSL routines|packet length too long|EPROTO|ECONNRESET|unexpected greeting|Unexpected/i.test(text)) {
    return { message: `${host}:${port} does not speak ${secure ? 'TLS' : 'plain ' + kind} (${firstLine(e.message)})`, fix: `secure and port do not match: ${portHint}` };
  }
  if (/timed? ?out|ETIMEDOUT|ETIMEOUT|CONNECT_TIMEOUT|Greeting never received/i.test(text)) {
    return { message: `no answer from ${host}:${port} in time (${firstLine(e.message)})`, fix: `check the port (${portHint}) and that a firewall lets baosong out to it` };
  }
  if (/certificate|CERT_|self.signed|unable to verify/i.test(text)) return { message: `TLS certificate of ${host} not trusted (${firstLine(e.message)})`, fix: `use the host name the certificate is for, or install the school's CA (NODE_EXTRA_CA_CERTS)` };
  return { message: `cannot connect to ${host}:${port}: ${firstLine(e.message)}`, fix: `check mail.${kind.toLowerCase()} host, port and secure` };
}

export const imapCheck: DoctorCheck = async ({ config, env, timeoutMs }) => {
  const imap = config.mail.imap;
  if (!imap) return [warn('imap', 'no mail.imap: the intake is off, reports come only from the web form', 'add mail.imap (host, user, passwordEnv; or mail.provider for the host)')];
  const pass = env[imap.passwordEnv];
  const where = `${imap.user} at ${imap.host}:${imap.port}`;
  if (!pass) return [fail('imap', `not checked: ${imap.passwordEnv} is not set`, `export ${imap.passwordEnv}=…${providerNote(config)}`)];
  const client = new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.user, pass },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
  });
  client.on('error', () => undefined); // reported through the awaited calls
  const lines: CheckLine[] = [];
  try {
    await client.connect();
  } catch (err) {
    const e = err as ErrorLike;
    if (e.authenticationFailed || /AUTHENTICATIONFAILED|LOGIN failed|authentication failed|Invalid credentials/i.test(`${e.message} ${e.responseText ?? ''}`)) {
      return [fail('imap login', `${where}: the server refused the login${e.responseText ? ` (${firstLine(e.responseText)})` : ''}`, `check mail.imap.user and the password in ${imap.passwordEnv}${providerNote(config)}`)];
    }
    const t = connectionTrouble(e, imap.host, imap.port, imap.secure, 'IMAP');
    return [fail('imap', t.message, t.fix)];
  }
  try {
    if (imap.secure || client.secureConnection) lines.push(ok('imap login', `logged in as ${where} (${imap.secure ? 'TLS' : 'STARTTLS'})`));
    else lines.push(warn('imap login', `logged in as ${where} without TLS: the password crossed the network in clear`, 'use port 993 with secure: true, or a server that offers STARTTLS'));
    const caps = client.capabilities;
    lines.push(caps.has('IDLE') ? ok('imap IDLE', 'supported: new mail is noticed at once') : warn('imap IDLE', 'not supported: new mail is noticed only when baosong polls', 'use a mail server with IDLE (every common one has it)'));
    if (caps.has('MOVE')) lines.push(ok('imap MOVE', 'supported: handled mail moves atomically'));
    else if (caps.has('UIDPLUS')) lines.push(ok('imap MOVE', 'no MOVE, but UIDPLUS: handled mail is copied and only its own copy expunged'));
    else lines.push(fail('imap MOVE', 'neither MOVE nor UIDPLUS: the intake refuses to start (it could expunge mail it did not handle)', 'use a mail server with MOVE (RFC 6851) or UIDPLUS (RFC 4315)'));
    const folders = new Set((await client.list()).map((m) => m.path));
    if (folders.has(imap.mailbox)) lines.push(ok(`folder ${imap.mailbox}`, 'exists (the shared inbox baosong reads)'));
    else lines.push(fail(`folder ${imap.mailbox}`, `no folder "${imap.mailbox}" (mail.imap.mailbox)`, `correct mail.imap.mailbox; the server has: ${[...folders].sort().join(', ')}`));
    for (const [key, folder] of [['processedFolder', imap.processedFolder], ['quarantineFolder', imap.quarantineFolder]] as const) {
      if (folders.has(folder)) {
        lines.push(ok(`folder ${folder}`, 'exists'));
        continue;
      }
      try {
        await client.mailboxCreate(folder);
        lines.push(ok(`folder ${folder}`, `did not exist; created it (mail.imap.${key}), as the intake would`));
      } catch (err) {
        lines.push(fail(`folder ${folder}`, `does not exist and cannot be created: ${firstLine((err as Error).message)}`, `create "${folder}" in a mail client, or set mail.imap.${key} to an existing folder`));
      }
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return lines;
};

export const smtpCheck: DoctorCheck = async ({ config, env, timeoutMs, sendTestTo }) => {
  const smtp = config.mail.smtp;
  if (!smtp) {
    const lines = [warn('smtp', 'no mail.smtp: mail is written as .eml files to the outbox folder, nobody receives it', 'add mail.smtp (host, user, passwordEnv; or mail.provider for the host)')];
    if (sendTestTo) lines.push(fail('smtp test mail', `not sent to ${sendTestTo}: there is no SMTP server`, 'add mail.smtp'));
    return lines;
  }
  const pass = smtp.passwordEnv ? env[smtp.passwordEnv] : undefined;
  if (smtp.passwordEnv && !pass) return [fail('smtp', `not checked: ${smtp.passwordEnv} is not set`, `export ${smtp.passwordEnv}=…${providerNote(config)}`)];
  const where = `${smtp.host}:${smtp.port}`;
  const connection = new SMTPConnection({ host: smtp.host, port: smtp.port, secure: smtp.secure, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs * 3 });
  connection.on('error', () => undefined); // reported through the callbacks
  const lines: CheckLine[] = [];
  try {
    try {
      // connect() calls back only on success; a failure is an 'error' event.
      await new Promise<void>((resolve, reject) => {
        connection.once('error', reject);
        connection.connect((err) => (err ? reject(err) : resolve()));
      });
    } catch (err) {
      const t = connectionTrouble(err as ErrorLike, smtp.host, smtp.port, smtp.secure, 'SMTP');
      return [fail('smtp', t.message, t.fix)];
    }
    if (connection.secure) lines.push(ok('smtp', `${where} answers, ${smtp.secure ? 'TLS' : 'upgraded with STARTTLS'}`));
    else lines.push(warn('smtp', `${where} answers, but offers no TLS (no STARTTLS): passwords and mail cross the network in clear`, 'use port 465 with secure: true, or 587 with STARTTLS'));
    if (smtp.user) {
      try {
        await new Promise<void>((resolve, reject) => connection.login({ user: smtp.user ?? '', pass: pass ?? '' }, (err) => (err ? reject(err) : resolve())));
        lines.push(ok('smtp login', `logged in as ${smtp.user}`));
      } catch (err) {
        const e = err as ErrorLike;
        lines.push(fail('smtp login', `the server refused the login of ${smtp.user}: ${firstLine(e.response ?? e.message)}`, `check mail.smtp.user and the password in ${smtp.passwordEnv ?? 'mail.smtp.passwordEnv'}${providerNote(config)}`));
        return lines;
      }
    } else {
      lines.push(ok('smtp login', 'no mail.smtp.user: sending without login (a relay that trusts baosong\'s address)'));
    }
  } finally {
    connection.quit();
    connection.close();
  }
  if (sendTestTo) lines.push(await sendTestMail(config, pass, sendTestTo));
  return lines;
};

async function sendTestMail(config: Config, pass: string | undefined, to: string): Promise<CheckLine> {
  const smtp = config.mail.smtp;
  if (!smtp) return fail('smtp test mail', 'no SMTP server', 'add mail.smtp');
  const transport = smtpTransport({ host: smtp.host, port: smtp.port, secure: smtp.secure, pool: false, ...(smtp.user ? { auth: { user: smtp.user, pass: pass ?? '' } } : {}) });
  const domain = config.mail.address.split('@')[1] ?? 'baosong.invalid';
  const stamp = new Date();
  try {
    const { response } = await transport.send({
      messageId: `<doctor.${stamp.getTime().toString(36)}@${domain}>`,
      from: { name: config.mail.fromName, address: config.mail.address },
      to,
      subject: `baosong doctor: test mail from ${config.school.name}`,
      text: `This is a test mail sent by \`baosong doctor --send-test\` at ${stamp.toISOString()}.\n这是 baosong doctor 发送的测试邮件。\n`,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': 'doctor-test' },
    });
    return ok('smtp test mail', `sent to ${to} (${firstLine(response)})`);
  } catch (err) {
    const e = err as ErrorLike;
    return fail('smtp test mail', `not accepted for ${to}: ${firstLine(e.response ?? e.message)}`, 'the server refused the mail: check that mail.address is an address this SMTP account may send as');
  } finally {
    transport.close();
  }
}

/** What the provider table says of sub-addresses (undefined: no provider named). */
function subaddressingOf(config: Config): MailProvider['subaddressing'] {
  return config.mail.provider ? MAIL_PROVIDERS[config.mail.provider].subaddressing : undefined;
}

/**
 * With --send-test: does the provider deliver `baosong+token@…`, the address every reply is asked to go to?
 * A mail to such a sub-address of the shared inbox is sent through SMTP and looked for over IMAP (in the inbox,
 * or already moved by a running intake). Where it never arrives, replies still authenticate: each of our mails
 * carries its recipient's token in its Message-ID, which the reply names in In-Reply-To.
 */
export const subaddressCheck: DoctorCheck = async ({ config, env, timeoutMs, sendTestTo }) => {
  const { imap, smtp } = config.mail;
  if (!sendTestTo || !imap || !smtp) return [];
  const imapPass = env[imap.passwordEnv];
  const smtpPass = smtp.passwordEnv ? env[smtp.passwordEnv] : undefined;
  if (!imapPass || (smtp.passwordEnv && !smtpPass)) return [];
  const domain = config.mail.address.split('@')[1] ?? 'baosong.invalid';
  const tag = `doctor-${randomBytes(5).toString('hex')}`;
  const to = replyAddress(config.mail.address, tag);
  const messageId = `<doctor.${tag}@${domain}>`;
  const transport = smtpTransport({ host: smtp.host, port: smtp.port, secure: smtp.secure, pool: false, ...(smtp.user ? { auth: { user: smtp.user, pass: smtpPass ?? '' } } : {}) });
  const known = subaddressingOf(config);
  const fallback = 'replies are still recognised by the token in the Message-ID they answer (In-Reply-To), with the same sender checks';
  try {
    await transport.send({
      messageId,
      from: { name: config.mail.fromName, address: config.mail.address },
      to,
      subject: 'baosong doctor: sub-address test (can be deleted)',
      text: 'baosong doctor checks that mail to the shared inbox\'s +sub-address arrives. 这是 baosong doctor 的子地址测试邮件，可以删除。\n',
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': 'doctor-test' },
    });
  } catch (err) {
    const e = err as ErrorLike;
    return [warn('reply sub-address', `the SMTP server refused mail to ${to}: ${firstLine(e.response ?? e.message)}`, `${fallback}; ${known === 'no' ? 'this provider is known not to deliver sub-addresses' : 'ask the provider about plus addressing (子地址)'}`)];
  } finally {
    transport.close();
  }
  const client = new ImapFlow({ host: imap.host, port: imap.port, secure: imap.secure, auth: { user: imap.user, pass: imapPass }, logger: false, disableAutoIdle: true, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs * 3 });
  client.on('error', () => undefined);
  const waitMs = Math.max(10_000, timeoutMs * 3);
  try {
    await client.connect();
    const until = Date.now() + waitMs;
    for (;;) {
      // The intake, if it runs, quarantines our own test mail at once: look where it may have gone too.
      for (const folder of [imap.mailbox, imap.quarantineFolder, imap.processedFolder]) {
        const lock = await client.getMailboxLock(folder, { readOnly: true }).catch(() => null);
        if (!lock) continue;
        try {
          const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
          if (found && found.length > 0) return [ok('reply sub-address', `mail to ${to} arrived (${folder}): replies to baosong's +token addresses reach the shared inbox`)];
        } finally {
          lock.release();
        }
      }
      if (Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return [warn('reply sub-address', `mail to ${to} did not reach ${imap.mailbox} within ${Math.round(waitMs / 1000)} s: the provider may not deliver +sub-addresses${known === 'no' ? ' (this provider is known not to)' : ''}`, `${fallback}; if the provider can, turn on plus addressing (子地址) for ${config.mail.address}`)];
  } catch (err) {
    return [warn('reply sub-address', `could not look for the test mail: ${firstLine((err as Error).message)}`, 'see the imap lines above')];
  } finally {
    await client.logout().catch(() => undefined);
  }
};
