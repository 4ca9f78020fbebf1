/**
 * The doctor's mail checks: the shared inbox over IMAP (login, IDLE, MOVE or UIDPLUS, the three
 * folders) and the SMTP server (connection, TLS, login, and a test mail only when asked).
 */
import { ImapFlow } from 'imapflow';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { randomBytes } from 'node:crypto';
import { speaker } from '../config/messages.js';
import { MAIL_PROVIDERS, type MailProvider } from '../config/providers.js';
import type { Config } from '../config/schema.js';
import { replyAddress } from '../mail/reply-token.js';
import { smtpTransport } from '../mail/transport.js';
import { fail, firstLine, ok, warn, type CheckLine, type DoctorCheck } from './lines.js';

type ErrorLike = Error & { code?: string; authenticationFailed?: boolean; responseText?: string; response?: string; responseCode?: number };

/** Where the provider's password comes from, appended to a refused login's fix. */
function providerNote(config: Config): string {
  const provider = config.mail.provider ? MAIL_PROVIDERS[config.mail.provider] : null;
  return provider ? speaker(config.school.locale)(` — ${provider.note}`, `。${provider.noteZh}`) : '';
}

/** What a failed connection most likely means, and what to change. */
function connectionTrouble(t: (en: string, zh: string) => string, e: ErrorLike, host: string, port: number, secure: boolean, kind: 'IMAP' | 'SMTP'): { message: string; fix: string } {
  const text = `${e.code ?? ''} ${e.message}`;
  const said = firstLine(e.message);
  const key = `mail.${kind.toLowerCase()}`;
  const portHint =
    kind === 'IMAP'
      ? t('IMAP is port 993 with secure: true (TLS), or 143 with secure: false (STARTTLS)', 'IMAP 用 993 端口配 secure: true（TLS），或 143 端口配 secure: false（STARTTLS）')
      : t('SMTP is port 465 with secure: true (TLS), or 587 with secure: false (STARTTLS)', 'SMTP 用 465 端口配 secure: true（TLS），或 587 端口配 secure: false（STARTTLS）');
  if (/ENOTFOUND|EAI_AGAIN|EDNS/.test(text)) return { message: t(`host ${host} not found (DNS)`, `找不到主机 ${host}（DNS 解析失败）`), fix: t(`check ${key}.host (a provider preset fills it: mail.provider)`, `检查 ${key}.host（也可以用 mail.provider 按服务商自动填写）`) };
  if (/ECONNREFUSED/.test(text)) return { message: t(`nothing answers at ${host}:${port} (connection refused)`, `${host}:${port} 没有响应（连接被拒绝）`), fix: t(`check ${key}.port: ${portHint}`, `检查 ${key}.port：${portHint}`) };
  if (/wrong version number|SSL routines|packet length too long|EPROTO|ECONNRESET|unexpected greeting|Unexpected/i.test(text)) {
    const spoken = secure ? 'TLS' : t(`plain ${kind}`, `不加密的 ${kind}`);
    return { message: t(`${host}:${port} does not speak ${spoken} (${said})`, `${host}:${port} 不是${spoken}端口（${said}）`), fix: t(`secure and port do not match: ${portHint}`, `secure 与端口不匹配：${portHint}`) };
  }
  if (/timed? ?out|ETIMEDOUT|ETIMEOUT|CONNECT_TIMEOUT|Greeting never received/i.test(text)) {
    return { message: t(`no answer from ${host}:${port} in time (${said})`, `${host}:${port} 超时没有响应（${said}）`), fix: t(`check the port (${portHint}) and that a firewall lets baosong out to it`, `检查端口（${portHint}），以及防火墙是否放行 baosong 访问它`) };
  }
  if (/certificate|CERT_|self.signed|unable to verify/i.test(text)) {
    return { message: t(`TLS certificate of ${host} not trusted (${said})`, `${host} 的 TLS 证书不受信任（${said}）`), fix: t(`use the host name the certificate is for, or install the school's CA (NODE_EXTRA_CA_CERTS)`, `改用证书上写的主机名，或安装学校的 CA 证书（NODE_EXTRA_CA_CERTS）`) };
  }
  return { message: t(`cannot connect to ${host}:${port}: ${said}`, `连不上 ${host}:${port}：${said}`), fix: t(`check ${key} host, port and secure`, `检查 ${key} 的 host、port 和 secure`) };
}

export const imapCheck: DoctorCheck = async ({ config, env, timeoutMs }) => {
  const t = speaker(config.school.locale);
  const imap = config.mail.imap;
  if (!imap) return [warn('imap', t('no mail.imap: the intake is off, reports come only from the web form', '没有 mail.imap：不收邮件，只能用网页表单报送'), t('add mail.imap (host, user, passwordEnv; or mail.provider for the host)', '添加 mail.imap（host、user、passwordEnv；主机也可以用 mail.provider 自动填写）'))];
  const pass = env[imap.passwordEnv];
  const where = t(`${imap.user} at ${imap.host}:${imap.port}`, `${imap.host}:${imap.port} 上的 ${imap.user}`);
  if (!pass) return [fail('imap', t(`not checked: ${imap.passwordEnv} is not set`, `没有检查：${imap.passwordEnv} 未设置`), `export ${imap.passwordEnv}=…${providerNote(config)}`)];
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
      const said = e.responseText ? ` (${firstLine(e.responseText)})` : '';
      return [
        fail('imap login', t(`${where}: the server refused the login${said}`, `${where}：服务器拒绝登录${said}`), t(`check mail.imap.user and the password in ${imap.passwordEnv}${providerNote(config)}`, `检查 mail.imap.user 和 ${imap.passwordEnv} 里的密码${providerNote(config)}`)),
      ];
    }
    const trouble = connectionTrouble(t, e, imap.host, imap.port, imap.secure, 'IMAP');
    return [fail('imap', trouble.message, trouble.fix)];
  }
  try {
    if (imap.secure || client.secureConnection) lines.push(ok('imap login', t(`logged in as ${where} (${imap.secure ? 'TLS' : 'STARTTLS'})`, `已登录 ${where}（${imap.secure ? 'TLS' : 'STARTTLS'}）`)));
    else lines.push(warn('imap login', t(`logged in as ${where} without TLS: the password crossed the network in clear`, `已登录 ${where}，但没有 TLS：密码以明文在网络上传输`), t('use port 993 with secure: true, or a server that offers STARTTLS', '改用 993 端口配 secure: true，或支持 STARTTLS 的服务器')));
    const caps = client.capabilities;
    lines.push(
      caps.has('IDLE')
        ? ok('imap IDLE', t('supported: new mail is noticed at once', '支持：新邮件一到就能收到'))
        : warn('imap IDLE', t('not supported: new mail is noticed only when baosong polls', '不支持：只有 baosong 定时查看时才收到新邮件'), t('use a mail server with IDLE (every common one has it)', '换用支持 IDLE 的邮件服务器（常见的都支持）')),
    );
    if (caps.has('MOVE')) lines.push(ok('imap MOVE', t('supported: handled mail moves atomically', '支持：处理过的邮件一步移走')));
    else if (caps.has('UIDPLUS')) lines.push(ok('imap MOVE', t('no MOVE, but UIDPLUS: handled mail is copied and only its own copy expunged', '不支持 MOVE，但支持 UIDPLUS：处理过的邮件先复制，再只删除它自己')));
    else {
      lines.push(
        fail(
          'imap MOVE',
          t('neither MOVE nor UIDPLUS: the intake refuses to start (it could expunge mail it did not handle)', 'MOVE 和 UIDPLUS 都不支持：收信不会启动（否则可能删掉没处理过的邮件）'),
          t('use a mail server with MOVE (RFC 6851) or UIDPLUS (RFC 4315)', '换用支持 MOVE（RFC 6851）或 UIDPLUS（RFC 4315）的邮件服务器'),
        ),
      );
    }
    const folders = new Set((await client.list()).map((m) => m.path));
    if (folders.has(imap.mailbox)) lines.push(ok(`folder ${imap.mailbox}`, t('exists (the shared inbox baosong reads)', '存在（baosong 读取的公共收件箱）')));
    else {
      const has = [...folders].sort().join(t(', ', '、'));
      lines.push(fail(`folder ${imap.mailbox}`, t(`no folder "${imap.mailbox}" (mail.imap.mailbox)`, `没有文件夹“${imap.mailbox}”（mail.imap.mailbox）`), t(`correct mail.imap.mailbox; the server has: ${has}`, `改正 mail.imap.mailbox；服务器上有：${has}`)));
    }
    for (const [key, folder] of [['processedFolder', imap.processedFolder], ['quarantineFolder', imap.quarantineFolder]] as const) {
      if (folders.has(folder)) {
        lines.push(ok(`folder ${folder}`, t('exists', '存在')));
        continue;
      }
      try {
        await client.mailboxCreate(folder);
        lines.push(ok(`folder ${folder}`, t(`did not exist; created it (mail.imap.${key}), as the intake would`, `原来没有，已创建（mail.imap.${key}），与收信时的做法相同`)));
      } catch (err) {
        const why = firstLine((err as Error).message);
        lines.push(fail(`folder ${folder}`, t(`does not exist and cannot be created: ${why}`, `不存在，也无法创建：${why}`), t(`create "${folder}" in a mail client, or set mail.imap.${key} to an existing folder`, `在邮件客户端里创建“${folder}”，或把 mail.imap.${key} 改成已有的文件夹`)));
      }
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return lines;
};

export const smtpCheck: DoctorCheck = async ({ config, env, timeoutMs, sendTestTo }) => {
  const t = speaker(config.school.locale);
  const smtp = config.mail.smtp;
  if (!smtp) {
    const lines = [warn('smtp', t('no mail.smtp: mail is written as .eml files to the outbox folder, nobody receives it', '没有 mail.smtp：邮件只写成 .eml 文件放在 outbox 文件夹，没有人会收到'), t('add mail.smtp (host, user, passwordEnv; or mail.provider for the host)', '添加 mail.smtp（host、user、passwordEnv；主机也可以用 mail.provider 自动填写）'))];
    if (sendTestTo) lines.push(fail('smtp test mail', t(`not sent to ${sendTestTo}: there is no SMTP server`, `没有发给 ${sendTestTo}：没有 SMTP 服务器`), t('add mail.smtp', '添加 mail.smtp')));
    return lines;
  }
  const pass = smtp.passwordEnv ? env[smtp.passwordEnv] : undefined;
  if (smtp.passwordEnv && !pass) return [fail('smtp', t(`not checked: ${smtp.passwordEnv} is not set`, `没有检查：${smtp.passwordEnv} 未设置`), `export ${smtp.passwordEnv}=…${providerNote(config)}`)];
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
      const trouble = connectionTrouble(t, err as ErrorLike, smtp.host, smtp.port, smtp.secure, 'SMTP');
      return [fail('smtp', trouble.message, trouble.fix)];
    }
    if (connection.secure) lines.push(ok('smtp', t(`${where} answers, ${smtp.secure ? 'TLS' : 'upgraded with STARTTLS'}`, `${where} 可以连接，${smtp.secure ? 'TLS 加密' : '已用 STARTTLS 加密'}`)));
    else lines.push(warn('smtp', t(`${where} answers, but offers no TLS (no STARTTLS): passwords and mail cross the network in clear`, `${where} 可以连接，但不支持 TLS（没有 STARTTLS）：密码和邮件以明文在网络上传输`), t('use port 465 with secure: true, or 587 with STARTTLS', '改用 465 端口配 secure: true，或 587 端口用 STARTTLS')));
    if (smtp.user) {
      try {
        await new Promise<void>((resolve, reject) => connection.login({ user: smtp.user ?? '', pass: pass ?? '' }, (err) => (err ? reject(err) : resolve())));
        lines.push(ok('smtp login', t(`logged in as ${smtp.user}`, `已登录 ${smtp.user}`)));
      } catch (err) {
        const e = err as ErrorLike;
        const said = firstLine(e.response ?? e.message);
        const variable = smtp.passwordEnv ?? 'mail.smtp.passwordEnv';
        lines.push(fail('smtp login', t(`the server refused the login of ${smtp.user}: ${said}`, `服务器拒绝 ${smtp.user} 登录：${said}`), t(`check mail.smtp.user and the password in ${variable}${providerNote(config)}`, `检查 mail.smtp.user 和 ${variable} 里的密码${providerNote(config)}`)));
        return lines;
      }
    } else {
      lines.push(ok('smtp login', t('no mail.smtp.user: sending without login (a relay that trusts baosong\'s address)', '没有 mail.smtp.user：不登录直接发信（由信任 baosong 地址的中继服务器转发）')));
    }
  } finally {
    connection.quit();
    connection.close();
  }
  if (sendTestTo) lines.push(await sendTestMail(config, pass, sendTestTo));
  return lines;
};

async function sendTestMail(config: Config, pass: string | undefined, to: string): Promise<CheckLine> {
  const t = speaker(config.school.locale);
  const smtp = config.mail.smtp;
  if (!smtp) return fail('smtp test mail', t('no SMTP server', '没有 SMTP 服务器'), t('add mail.smtp', '添加 mail.smtp'));
  const transport = smtpTransport({ host: smtp.host, port: smtp.port, secure: smtp.secure, pool: false, ...(smtp.user ? { auth: { user: smtp.user, pass: pass ?? '' } } : {}) });
  const domain = config.mail.address.split('@')[1] ?? 'baosong.invalid';
  const stamp = new Date();
  try {
    const { response } = await transport.send({
      messageId: `<doctor.${stamp.getTime().toString(36)}@${domain}>`,
      from: { name: config.mail.fromName, address: config.mail.address },
      to,
      subject: t(`baosong doctor: test mail from ${config.school.name}`, `baosong doctor 测试邮件（${config.school.name}）`),
      text: `This is a test mail sent by \`baosong doctor --send-test\` at ${stamp.toISOString()}.\n这是 baosong doctor 发送的测试邮件。\n`,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': 'doctor-test' },
    });
    return ok('smtp test mail', t(`sent to ${to} (${firstLine(response)})`, `已发给 ${to}（${firstLine(response)}）`));
  } catch (err) {
    const e = err as ErrorLike;
    const said = firstLine(e.response ?? e.message);
    return fail('smtp test mail', t(`not accepted for ${to}: ${said}`, `发给 ${to} 的邮件被拒收：${said}`), t('the server refused the mail: check that mail.address is an address this SMTP account may send as', '服务器拒收了邮件：检查这个 SMTP 账号能否以 mail.address 的地址发信'));
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
  const t = speaker(config.school.locale);
  const fallback = t('replies are still recognised by the token in the Message-ID they answer (In-Reply-To), with the same sender checks', '回复仍能靠所回邮件 Message-ID 里的令牌（In-Reply-To）识别，发件人检查照旧');
  try {
    await transport.send({
      messageId,
      from: { name: config.mail.fromName, address: config.mail.address },
      to,
      subject: t('baosong doctor: sub-address test (can be deleted)', 'baosong doctor 子地址测试（可以删除）'),
      text: 'baosong doctor checks that mail to the shared inbox\'s +sub-address arrives. 这是 baosong doctor 的子地址测试邮件，可以删除。\n',
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': 'doctor-test' },
    });
  } catch (err) {
    const e = err as ErrorLike;
    const said = firstLine(e.response ?? e.message);
    const advice = known === 'no' ? t('this provider is known not to deliver sub-addresses', '已知这家服务商不投递子地址') : t('ask the provider about plus addressing (子地址)', '可以问服务商是否支持“+”子地址');
    return [warn('reply sub-address', t(`the SMTP server refused mail to ${to}: ${said}`, `SMTP 服务器拒收发往 ${to} 的邮件：${said}`), `${fallback}${t('; ', '；')}${advice}`)];
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
          if (found && found.length > 0) return [ok('reply sub-address', t(`mail to ${to} arrived (${folder}): replies to baosong's +token addresses reach the shared inbox`, `发往 ${to} 的邮件已收到（${folder}）：回复到 baosong 的“+令牌”地址能进公共收件箱`))];
        } finally {
          lock.release();
        }
      }
      if (Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const seconds = Math.round(waitMs / 1000);
    return [
      warn(
        'reply sub-address',
        t(`mail to ${to} did not reach ${imap.mailbox} within ${seconds} s: the provider may not deliver +sub-addresses${known === 'no' ? ' (this provider is known not to)' : ''}`, `发往 ${to} 的邮件 ${seconds} 秒内没有到达 ${imap.mailbox}：服务商可能不投递“+”子地址${known === 'no' ? '（已知这家不投递）' : ''}`),
        `${fallback}${t('; ', '；')}${t(`if the provider can, turn on plus addressing (子地址) for ${config.mail.address}`, `如果服务商支持，请为 ${config.mail.address} 开启子地址`)}`,
      ),
    ];
  } catch (err) {
    const why = firstLine((err as Error).message);
    return [warn('reply sub-address', t(`could not look for the test mail: ${why}`, `无法查找测试邮件：${why}`), t('see the imap lines above', '见上面 imap 的几行'))];
  } finally {
    await client.logout().catch(() => undefined);
  }
};
