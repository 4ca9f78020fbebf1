/**
 * A throw-away Dovecot (Debian's `dovecot-imapd`) on a loopback port, for tests that need a real IMAP server.
 *
 * Everything lives in one temp dir (config, log, maildirs); `stop()` ends the server, waits for it to exit and
 * removes the temp dir. `append/list/mailboxes` go through an imapflow client of
 * their own (the test's "mail client"), serialised with `restart()` so a test can keep appending while the
 * server restarts: an append waits for the server to be back rather than failing.
 *
 * The server itself (config, start, stop) is intake/private-dovecot.ts, the same code the demo runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { startPrivateDovecot } from '../../intake/private-dovecot.js';
import { freePort } from './ports.js';

export interface TestDovecotUser {
  user: string;
  password: string;
}

export interface TestDovecot {
  host: '127.0.0.1';
  port: number;
  users: TestDovecotUser[];
  /** The temp dir holding config, log and maildirs (gone after `stop()`). */
  dir: string;
  /** Appends a message as a mail client would (the mailbox is created if missing). */
  append(user: string, mailbox: string, raw: Buffer | string, options?: { internalDate?: Date; flags?: string[] }): Promise<void>;
  /** Every message in a mailbox, in UID order (an empty list if the mailbox does not exist). */
  list(user: string, mailbox: string): Promise<{ uid: number; raw: Buffer; internalDate: Date }[]>;
  /** Deletes a mailbox with everything in it, as a user tidying up in a mail client might. */
  deleteMailbox(user: string, mailbox: string): Promise<void>;
  /** The user's mailbox paths, sorted. */
  mailboxes(user: string): Promise<string[]>;
  /** SIGSTOP / SIGCONT every server process: connections stay open but nothing answers (a hung server, a dead NAT). */
  freeze(): void;
  thaw(): void;
  /** Open IMAP sessions of `user` on the server (`doveadm who`), not counting this helper's own mail client. */
  connections(user: string): Promise<number>;
  /** Dovecot's own log so far (for failure messages). */
  log(): Promise<string>;
  /** Stops the server process (every connection drops), waits `downMs` (default 0) and starts it again on the same port and data. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_TEST_USER: TestDovecotUser = { user: 'baosong@school.test', password: 'secret' };

function doveadmBinary(): string {
  return existsSync('/usr/bin/doveadm') ? '/usr/bin/doveadm' : 'doveadm';
}

export interface StartDovecotOptions {
  users?: TestDovecotUser[];
  /** Replaces the capabilities Dovecot announces after login (`imap_capability`), to play an older server. */
  imapCapability?: string;
}

export async function startDovecot(options: StartDovecotOptions = {}): Promise<TestDovecot> {
  const users = options.users ?? [DEFAULT_TEST_USER];
  for (const u of users) {
    if (/[:\s]/.test(u.user) || /[:\n]/.test(u.password)) throw new Error(`startDovecot: user or password unusable in a passwd-file: ${u.user}`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'baosong-dovecot-'));
  const port = await freePort();
  const server = await startPrivateDovecot({ dir, users, port, ...(options.imapCapability ? { imapCapability: options.imapCapability } : {}) }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  const confPath = server.confPath;

  // The mail client: one imapflow connection per user, opened on demand, dropped on restart.
  const clients = new Map<string, ImapFlow>();
  async function clientFor(user: string): Promise<ImapFlow> {
    const existing = clients.get(user);
    if (existing?.usable) return existing;
    const entry = users.find((u) => u.user === user);
    if (!entry) throw new Error(`TestDovecot: unknown user ${user}`);
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user: entry.user, pass: entry.password },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => {
      /* a dropped mail-client connection is reopened on next use */
    });
    await client.connect();
    clients.set(user, client);
    return client;
  }
  async function closeClients(): Promise<void> {
    const all = [...clients.values()];
    clients.clear();
    await Promise.all(all.map((c) => c.logout().catch(() => c.close())));
  }

  // Serialises mail-client operations with restart/stop.
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(op: () => Promise<T>): Promise<T> {
    const result = queue.then(op);
    queue = result.catch(() => undefined);
    return result;
  }
  let stopped = false;
  function ensureRunning(): void {
    if (stopped) throw new Error('TestDovecot: already stopped');
  }

  return {
    host: '127.0.0.1',
    port,
    users,
    dir,
    append: (user, mailbox, raw, opts = {}) =>
      serial(async () => {
        ensureRunning();
        const client = await clientFor(user);
        const content = typeof raw === 'string' ? Buffer.from(raw) : raw;
        let appended = await client.append(mailbox, content, opts.flags ?? [], opts.internalDate).catch((err: unknown) => err);
        if (appended instanceof Error || appended === false) {
          const list = await client.list();
          if (list.some((m) => m.path === mailbox)) throw appended instanceof Error ? appended : new Error(`APPEND to ${mailbox} failed`);
          await client.mailboxCreate(mailbox);
          appended = await client.append(mailbox, content, opts.flags ?? [], opts.internalDate);
          if (appended === false) throw new Error(`APPEND to ${mailbox} failed`);
        }
      }),
    list: (user, mailbox) =>
      serial(async () => {
        ensureRunning();
        const client = await clientFor(user);
        const known = await client.list();
        if (!known.some((m) => m.path === mailbox)) return [];
        const opened = await client.mailboxOpen(mailbox, { readOnly: true });
        if (opened.exists === 0) return [];
        const messages = await client.fetchAll('1:*', { uid: true, source: true, internalDate: true }, { uid: true });
        return messages
          // BODY[] NIL: another session (the watcher) expunged it a moment ago, it is no longer here
          .filter((m) => Buffer.isBuffer(m.source))
          .map((m) => ({
            uid: m.uid,
            raw: m.source as Buffer,
            internalDate: m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0),
          }))
          .sort((a, b) => a.uid - b.uid);
      }),
    deleteMailbox: (user, mailbox) =>
      serial(async () => {
        ensureRunning();
        const client = await clientFor(user);
        if (client.mailbox && client.mailbox.path === mailbox) await client.mailboxClose();
        await client.mailboxDelete(mailbox);
      }),
    mailboxes: (user) =>
      serial(async () => {
        ensureRunning();
        const client = await clientFor(user);
        return (await client.list()).map((m) => m.path).sort();
      }),
    connections: (user) =>
      serial(async () => {
        ensureRunning();
        const out = await new Promise<string>((resolve, reject) => {
          execFile(doveadmBinary(), ['-c', confPath, 'who', '-1'], (err, stdout, stderrText) => {
            if (err) reject(new Error(`doveadm who failed: ${stderrText || err.message}`));
            else resolve(stdout);
          });
        });
        // `who -1`: one line per connection, "user proto pid ip"
        const count = out.split('\n').filter((line) => line.split(/\s+/)[0] === user).length;
        const own = clients.get(user)?.usable ? 1 : 0;
        return count - own;
      }),
    freeze: () => {
      const group = server.processGroup();
      if (group) process.kill(-group, 'SIGSTOP');
    },
    thaw: () => {
      const group = server.processGroup();
      if (group) process.kill(-group, 'SIGCONT');
    },
    log: () => server.log(),
    restart: (opts = {}) =>
      serial(async () => {
        ensureRunning();
        await closeClients();
        await server.stop();
        if (opts.downMs) await new Promise((r) => setTimeout(r, opts.downMs));
        await server.start();
      }),
    stop: () =>
      serial(async () => {
        if (stopped) return;
        stopped = true;
        await closeClients();
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      }),
  };
}
