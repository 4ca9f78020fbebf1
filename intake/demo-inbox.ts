/**
 * The demo's shared inbox (`baosong start --demo` without mail.imap): when Dovecot is installed, a private one
 * under the data directory, watched by the real IMAP intake (MailboxWatcher); mail written on the demo mailbox
 * page is APPENDed to it and the page waits until the intake has moved it to Processed or Quarantine.
 * Without Dovecot (or if it does not start) the written mail goes straight to the intake's handler, and the
 * page says so.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { Disposition, IncomingMessage } from './mailbox.js';
import { MailboxWatcher, type MailboxLogger } from './mailbox.js';
import { startPrivateDovecot, type PrivateDovecot } from './private-dovecot.js';

export const ROUTE_IMAP = '写下的邮件经由私有 Dovecot 投递到共享收件箱，由真实的 IMAP 收件程序处理（through a private Dovecot, the real IMAP intake）。';
export const ROUTE_DIRECT = '未安装 Dovecot：写下的邮件直接交给收件处理程序，与共享收件箱里的邮件走同一段代码。';
export const ROUTE_DIRECT_FAILED = '私有 Dovecot 没有启动（见日志）：写下的邮件直接交给收件处理程序，与共享收件箱里的邮件走同一段代码。';

export interface DemoInboxOptions {
  /** The data directory; the private Dovecot lives in `<dataDir>/demo-dovecot` (emptied at start). */
  dataDir: string;
  /** The shared inbox's address (mail.address): the IMAP user. */
  address: string;
  /** The intake's handler (handleMail). */
  handle: (message: IncomingMessage) => Promise<Disposition>;
  /** The `dovecot` binary (default /usr/sbin/dovecot; env BAOSONG_DEMO_DOVECOT in the service). */
  dovecotBinary?: string;
  logger: MailboxLogger;
  /** How long `deliver` waits for the intake to handle an appended mail (default 30 s). */
  handledTimeoutMs?: number;
}

export interface DemoInbox {
  /** 'imap' through the private Dovecot, 'direct' to the handler. */
  kind: 'imap' | 'direct';
  /** Said on the demo mailbox page. */
  route: string;
  /** The intake watching the private inbox (null when direct). */
  watcher: MailboxWatcher | null;
  /** Where the private inbox is (null when direct): for a mail client, or a test. */
  imap: { host: '127.0.0.1'; port: number; user: string; pass: string; processedFolder: string; quarantineFolder: string } | null;
  deliver: (raw: Buffer) => Promise<Disposition>;
  stop: () => Promise<void>;
}

function direct(options: DemoInboxOptions, route: string): DemoInbox {
  return {
    kind: 'direct',
    route,
    watcher: null,
    imap: null,
    deliver: (raw) => options.handle({ uid: 0, raw, internalDate: new Date(), size: raw.length }),
    stop: () => Promise.resolve(),
  };
}

export async function startDemoInbox(options: DemoInboxOptions): Promise<DemoInbox> {
  const dir = resolve(options.dataDir, 'demo-dovecot');
  const user = options.address;
  const pass = randomBytes(12).toString('hex');
  let server: PrivateDovecot | null = null;
  let watcher: MailboxWatcher | null = null;
  let appender: ImapFlow | null = null;
  try {
    await rm(dir, { recursive: true, force: true }); // the demo's state does not outlive the demo
    await mkdir(dir, { recursive: true });
    server = await startPrivateDovecot({ dir, users: [{ user, password: pass }], guardParent: true, ...(options.dovecotBinary ? { binary: options.dovecotBinary } : {}) });
    const imap = { host: '127.0.0.1' as const, port: server.port, user, pass, processedFolder: 'Processed', quarantineFolder: 'Quarantine' };
    watcher = new MailboxWatcher({ host: imap.host, port: imap.port, secure: false, auth: { user, pass }, processedFolder: imap.processedFolder, quarantineFolder: imap.quarantineFolder, handle: options.handle, logger: options.logger });
    await watcher.start();
    const running = watcher;
    const handled = new Map<number, Disposition>();
    const waiting = new Map<number, (d: Disposition) => void>();
    running.on('handled', (uid: number, disposition: Disposition) => {
      const wake = waiting.get(uid);
      if (wake) wake(disposition);
      else handled.set(uid, disposition);
    });
    // The page's mail client: one connection, reopened when dropped; appends one at a time.
    let queue: Promise<unknown> = Promise.resolve();
    const client = async () => {
      if (appender?.usable) return appender;
      appender = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user, pass }, logger: false, disableAutoIdle: true });
      appender.on('error', () => undefined);
      await appender.connect();
      return appender;
    };
    const timeoutMs = options.handledTimeoutMs ?? 30_000;
    const deliver = (raw: Buffer): Promise<Disposition> => {
      const appended = queue.then(async () => {
        const result = await (await client()).append('INBOX', raw);
        if (!result || !result.uid) throw new Error('the private Dovecot refused the APPEND');
        return result.uid;
      });
      queue = appended.catch(() => undefined);
      return appended.then(
        (uid) =>
          new Promise<Disposition>((resolveHandled) => {
            const known = handled.get(uid);
            if (known) {
              handled.delete(uid);
              return resolveHandled(known);
            }
            const timer = setTimeout(() => {
              waiting.delete(uid);
              resolveHandled({ folder: 'quarantine', reason: `已投递到收件箱（UID ${uid}），但收件程序 ${Math.round(timeoutMs / 1000)} 秒内没有处理完；稍后刷新页面查看` });
            }, timeoutMs);
            waiting.set(uid, (d) => {
              clearTimeout(timer);
              waiting.delete(uid);
              resolveHandled(d);
            });
          }),
      );
    };
    const stopServer = server;
    options.logger.info({ port: imap.port, dir }, `demo: a private Dovecot on 127.0.0.1:${imap.port} is the shared inbox; the IMAP intake watches it`);
    return {
      kind: 'imap',
      route: ROUTE_IMAP,
      watcher: running,
      imap,
      deliver,
      stop: async () => {
        await appender?.logout().catch(() => undefined);
        await running.stop();
        await stopServer.stop();
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      },
    };
  } catch (err) {
    await watcher?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    const missing = (err as { code?: string }).code === 'EDOVECOT_MISSING';
    const why = missing ? 'Dovecot is not installed' : `the private Dovecot did not start: ${(err as Error).message.split('\n')[0]}`;
    options.logger.warn({ err: (err as Error).message }, `demo: ${why}; mail written on the demo mailbox page goes to the intake's handler directly`);
    return direct(options, missing ? ROUTE_DIRECT : ROUTE_DIRECT_FAILED);
  }
}
