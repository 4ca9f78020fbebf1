/**
 * The shared-inbox watcher: keeps one IMAP connection to the school's reporting mailbox, hands every message
 * in the inbox to `handle()` in UID order, and moves it to the `Processed` or `Quarantine` folder once the
 * handler has decided. Nothing is ever deleted or expunged by hand: a UID MOVE is the only way a message
 * leaves the inbox.
 *
 * Up to `concurrency` messages are handled at once (default 1); messages with the same `orderKey` are
 * handled one after another in UID order (a report's replies), others overlap (new reports). Decided
 * messages are moved in batches: one UID MOVE for all the messages decided while the previous MOVE ran.
 *
 * Lifecycle of a connection:
 *   connect → create missing folders → SELECT inbox → backlog pass (every message in the inbox, UID order)
 *   → IDLE → on the server's EXISTS: fetch every UID above the last one seen (EXISTS coalesces appends)
 *   → handle → MOVE → … → back to IDLE.
 * Every `idleRefreshMs` IDLE is broken, a NOOP must come back within min(idleRefreshMs, 30 s) (else the
 * connection is presumed dead and dropped), and a full pass runs. A message whose handler threw stays in the
 * inbox and is tried again after `retryDelayMs`, 4× longer each time up to `idleRefreshMs` (IDLE is broken for
 * it; after `maxAttempts` failures in a row it goes to Quarantine with the last error as reason). Any close or
 * error: state `disconnected` at once, logged once, reconnect with exponential backoff and jitter, and run
 * the backlog pass again on the new connection (mail that arrived while down, and messages whose MOVE was
 * lost with the connection — the handler is idempotent, so they are simply handled again).
 *
 * start() rejects (and the watcher stops) if the first connection fails: EAUTH, ECONNECT, EFOLDER, or
 * EUNSUPPORTED for a server with neither MOVE nor UIDPLUS. Later failures never stop it; they show in health().
 * stop() lets the messages in hand finish (handler and MOVE; the connection is cut after 5 s) and logs out.
 * A handler that never settles stalls intake (state stays 'handling'): give it its own timeout.
 *
 * Events: 'handled' (uid, disposition, ms from notice/pass start to MOVE done), 'state' (health),
 * 'notice' (count: the server's EXISTS), 'error' (err: a MailboxError; only emitted when someone listens).
 *
 * Long file: one watcher, one connection, one state machine (connect, backlog, idle, handling, moving in
 * batches, watchdog, reconnect); its parts share that state, so splitting them would only pass it around.
 */
import { EventEmitter } from 'node:events';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { OrderedPool } from './ordered-pool.js';
import { type ErrorCodes } from '../domain/errors.js';

export interface IncomingMessage {
  uid: number;
  raw: Buffer;
  internalDate: Date;
  size: number;
}

export type Disposition = { folder: 'processed' } | { folder: 'quarantine'; reason: string };

export interface MailboxLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface MailboxOptions {
  host: string;
  port: number;
  secure: boolean;
  auth: { user: string; pass: string };
  /** The watched mailbox (default INBOX). */
  mailbox?: string;
  processedFolder?: string;
  quarantineFolder?: string;
  /** Decides where a message goes; must be idempotent (it may see the same message again after a crash). Throwing = leave it in the inbox and retry later. */
  handle(message: IncomingMessage): Promise<Disposition>;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Re-issue IDLE this often even if nothing happened (servers and NATs drop idle connections); default 5 min. */
  idleRefreshMs?: number;
  /**
   * A message whose handler threw is tried again after `retryDelayMs`, then 4× longer each time, at most
   * every idleRefreshMs (default 2 s: 2 s, 8 s, 32 s, ~2 min, then every 5 min), so a database or Temporal
   * that is back a few seconds later costs a few seconds, not a refresh period.
   */
  retryDelayMs?: number;
  /** A message whose handler threw this many times in a row is quarantined with the last error as reason (default 8, ~18 min with the default delays). */
  maxAttempts?: number;
  /** How many messages may be in the handler at once (default 1). */
  concurrency?: number;
  /** Messages with the same key are handled one after another, in UID order (default: one key for all). */
  orderKey?(message: IncomingMessage): string;
  logger?: MailboxLogger;
}

export type MailboxState = 'connecting' | 'backlog' | 'idle' | 'handling' | 'disconnected' | 'stopped';

export interface MailboxHealth {
  state: MailboxState;
  connectedSince: Date | null;
  disconnectedSince: Date | null;
  lastMailAt: Date | null;
  lastError: { at: Date; message: string } | null;
  /** Messages waiting in the watched mailbox (new ones and ones whose handler threw), as last seen. */
  backlog: number;
  handled: { processed: number; quarantined: number; failed: number };
}

export type MailboxErrorCode = ErrorCodes<
  | 'EAUTH' // login refused
  | 'ECONNECT' // server unreachable, TLS or greeting failure
  | 'EFOLDER' // a folder could not be created or the mailbox selected
  | 'ECLOSED' // an established connection dropped
  | 'EMOVE' // the server refused a MOVE
  | 'EHANDLER' // handle() threw
  | 'EUNSUPPORTED' // the server lacks both MOVE and UIDPLUS
  | 'EOPTIONS'
  | 'ESTOPPED' // stop() before the first connection
>;

export class MailboxError extends Error {
  override readonly name = 'MailboxError';
  constructor(
    readonly code: MailboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const DEFAULTS = {
  mailbox: 'INBOX',
  processedFolder: 'Processed',
  quarantineFolder: 'Quarantine',
  initialDelayMs: 500,
  maxDelayMs: 60_000,
  idleRefreshMs: 5 * 60_000,
  retryDelayMs: 2_000,
  maxAttempts: 8,
  concurrency: 1,
};
/** A source FETCH asks for at most this many messages / bytes at once (a backlog can be large). */
const FETCH_BATCH_MESSAGES = 100;
const FETCH_BATCH_BYTES = 32 * 1024 * 1024;
const LOGOUT_GRACE_MS = 2_000;
/** Up to this many announced messages are fetched with their sources straight away. */
const NOTICE_DIRECT_FETCH = 20;
/** The watchdog NOOP must be answered within idleRefreshMs, clamped to these bounds. */
const WATCHDOG_MIN_MS = 1_000;
const WATCHDOG_MAX_MS = 30_000;

type WakeReason = 'notice' | 'refresh' | 'retry' | 'closed' | 'idle-ended' | 'stop';

interface ImapErrorLike {
  code?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
  message?: string;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const e = err as ImapErrorLike;
    const parts = [e.responseText || err.message];
    if (e.code && !parts[0]?.includes(e.code)) parts.push(`(${e.code})`);
    return parts.join(' ');
  }
  return String(err);
}

const noopLogger: MailboxLogger = { info() {}, warn() {}, error() {} };

export class MailboxWatcher extends EventEmitter {
  private readonly opts: Required<Omit<MailboxOptions, 'reconnect' | 'logger'>> & { initialDelayMs: number; maxDelayMs: number };
  /** Decided messages waiting for their MOVE, and the MOVE loop running now (one per session). */
  private moves: PendingMove[] = [];
  private moving: Promise<void> | null = null;
  /** Set when a MOVE found the connection gone: the pass stops and the session reconnects. */
  private moveFailure: MailboxError | null = null;
  private readonly log: MailboxLogger;
  private readonly where: string;

  private healthState: MailboxHealth = {
    state: 'stopped',
    connectedSince: null,
    disconnectedSince: null,
    lastMailAt: null,
    lastError: null,
    backlog: 0,
    handled: { processed: 0, quarantined: 0, failed: 0 },
  };

  private client: ImapFlow | null = null;
  /** The client of the current established session (null while connecting or down). */
  private sessionClient: ImapFlow | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** Set by the server's EXISTS; cleared when a pass starts. */
  private noticed = false;
  private noticedAt = 0;
  /** Messages the server announced since the last pass started (decides between a direct FETCH and a listing first). */
  private announced = 0;
  private waiter: ((reason: WakeReason) => void) | null = null;
  private cancelSleep: (() => void) | null = null;
  /** Highest UID fetched under `uidValidity`: a notice fetches everything above it. */
  private lastUid = 0;
  private uidValidity: bigint | null = null;
  /** Messages whose handler threw, by UID (under `uidValidity`): failures in a row, the last error, when to try again (performance.now()). */
  private readonly attempts = new Map<number, { count: number; lastError: string; retryAt: number }>();

  constructor(options: MailboxOptions) {
    super();
    if (!options || typeof options.handle !== 'function') throw new MailboxError('EOPTIONS', 'MailboxWatcher: options.handle(message) is required');
    if (!options.host || !options.port || !options.auth?.user) throw new MailboxError('EOPTIONS', 'MailboxWatcher: host, port and auth.user are required');
    this.opts = {
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: options.auth,
      handle: (message) => options.handle(message),
      mailbox: options.mailbox ?? DEFAULTS.mailbox,
      processedFolder: options.processedFolder ?? DEFAULTS.processedFolder,
      quarantineFolder: options.quarantineFolder ?? DEFAULTS.quarantineFolder,
      idleRefreshMs: options.idleRefreshMs ?? DEFAULTS.idleRefreshMs,
      retryDelayMs: Math.max(0, options.retryDelayMs ?? DEFAULTS.retryDelayMs),
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts),
      concurrency: Math.max(1, Math.floor(options.concurrency ?? DEFAULTS.concurrency)),
      orderKey: options.orderKey ? (m: IncomingMessage) => options.orderKey!(m) : () => '',
      initialDelayMs: options.reconnect?.initialDelayMs ?? DEFAULTS.initialDelayMs,
      maxDelayMs: options.reconnect?.maxDelayMs ?? DEFAULTS.maxDelayMs,
    };
    this.log = options.logger ?? noopLogger;
    this.where = `${this.opts.auth.user} at ${this.opts.host}:${this.opts.port}`;
  }

  /** Resolves once connected (folders exist, mailbox selected) the first time; rejects with a MailboxError otherwise. */
  start(): Promise<void> {
    if (this.loop) return Promise.reject(new MailboxError('EOPTIONS', `MailboxWatcher for ${this.where} was already started`));
    this.stopping = false;
    return new Promise<void>((resolve, reject) => {
      this.loop = this.run(resolve, reject);
    });
  }

  /** Finishes the message in hand (handler and MOVE), logs out and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake('stop');
    const loop = this.loop;
    if (!loop) {
      this.setState('stopped');
      return;
    }
    // A command stuck on a dead connection should not hold stop() for the socket timeout.
    const force = setTimeout(() => this.client?.close(), 5_000);
    try {
      await loop;
    } finally {
      clearTimeout(force);
    }
  }

  health(): MailboxHealth {
    const h = this.healthState;
    return { ...h, lastError: h.lastError ? { ...h.lastError } : null, handled: { ...h.handled } };
  }

  // ---- connection loop ------------------------------------------------------------------------------

  private async run(onConnected: () => void, onFirstFailure: (err: MailboxError) => void): Promise<void> {
    let everConnected = false;
    let failures = 0;
    while (!this.stopping) {
      // While reconnecting, health keeps saying "disconnected since …" until a connection is back.
      if (!this.healthState.disconnectedSince) this.setState('connecting');
      let client: ImapFlow | null = null;
      let established = false;
      try {
        client = await this.connect();
        established = true;
        this.sessionClient = client;
        failures = 0;
        const now = new Date();
        const downSince = this.healthState.disconnectedSince;
        this.healthState.connectedSince = now;
        this.healthState.disconnectedSince = null;
        if (downSince) this.log.info({ host: this.opts.host, user: this.opts.auth.user, downMs: now.getTime() - downSince.getTime() }, 'mail intake reconnected');
        else this.log.info({ host: this.opts.host, user: this.opts.auth.user, mailbox: this.opts.mailbox }, 'mail intake connected');
        if (!everConnected) {
          everConnected = true;
          onConnected();
        }
        await this.session(client);
      } catch (err) {
        const error = this.classify(err, client);
        if (!everConnected) {
          // The first connection decides start(): a wrong password or host should fail loudly, not retry forever.
          const stoppedMeanwhile = this.stopping;
          this.stopping = true;
          this.recordError(error);
          onFirstFailure(stoppedMeanwhile ? new MailboxError('ESTOPPED', `stopped before connecting to ${this.where}`) : error);
          break;
        }
        if (this.stopping) break;
        if (this.healthState.state !== 'disconnected') this.markDisconnected(error);
        else if (!established) this.recordError(error); // a failed reconnect attempt: keep its reason
        failures++;
        const base = Math.min(this.opts.maxDelayMs, this.opts.initialDelayMs * 2 ** Math.min(failures - 1, 30));
        await this.sleep(base / 2 + Math.random() * (base / 2));
      } finally {
        this.sessionClient = null;
        if (client) await this.closeClient(client);
      }
    }
    if (!everConnected) {
      // stop() before the first connection was ever made
      onFirstFailure(new MailboxError('ESTOPPED', `stopped before connecting to ${this.where}`));
    }
    this.healthState.connectedSince = null;
    this.setState('stopped');
    this.loop = null;
  }

  private async connect(): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: this.opts.host,
      port: this.opts.port,
      secure: this.opts.secure,
      auth: { user: this.opts.auth.user, pass: this.opts.auth.pass },
      logger: false,
      // IDLE is driven here: imapflow's auto-IDLE waits 15 s after the last command.
      disableAutoIdle: true,
      connectionTimeout: 30_000,
    });
    this.client = client;
    client.on('error', (err: unknown) => {
      this.recordError(this.classify(err, client));
      this.wake('closed');
    });
    client.on('close', () => {
      // Reported at once, even while a handler is running: the health check must not say "idle" on a dead line.
      if (this.sessionClient === client) this.markDisconnected(this.closedError(client));
      this.wake('closed');
    });
    client.on('exists', (info: { path: string; count: number; prevCount: number }) => {
      if (info.path !== this.opts.mailbox) return;
      this.healthState.backlog = info.count;
      if (info.count <= info.prevCount) return;
      if (!this.noticed) this.noticedAt = performance.now();
      this.noticed = true;
      this.announced += info.count - info.prevCount;
      this.safeEmit('notice', info.count);
      this.wake('notice');
    });

    await client.connect();
    if (!client.capabilities.has('MOVE') && !client.capabilities.has('UIDPLUS')) {
      // imapflow would emulate MOVE with COPY + \Deleted + a plain EXPUNGE, which also removes every other
      // message someone flagged \Deleted in the inbox. Intake never expunges what it did not move.
      throw new MailboxError('EUNSUPPORTED', `IMAP server ${this.opts.host}:${this.opts.port} supports neither MOVE nor UIDPLUS; mail intake cannot move messages safely`);
    }
    try {
      const existing = new Set((await client.list()).map((m) => m.path));
      for (const folder of [this.opts.processedFolder, this.opts.quarantineFolder]) {
        if (existing.has(folder)) continue;
        try {
          await client.mailboxCreate(folder);
          this.log.info({ folder }, 'mail intake created folder');
        } catch (err) {
          // Another client may have created it meanwhile.
          const again = new Set((await client.list()).map((m) => m.path));
          if (!again.has(folder)) throw new MailboxError('EFOLDER', `Cannot create folder "${folder}" for ${this.where}: ${errorText(err)}`, { cause: err });
        }
      }
      const selected = await client.mailboxOpen(this.opts.mailbox);
      if (this.uidValidity !== selected.uidValidity) {
        if (this.uidValidity !== null) this.log.warn({ mailbox: this.opts.mailbox }, 'UIDVALIDITY changed: forgetting UIDs seen so far');
        this.uidValidity = selected.uidValidity;
        this.lastUid = 0;
        this.attempts.clear();
      }
      this.healthState.backlog = selected.exists;
    } catch (err) {
      if (err instanceof MailboxError) throw err;
      if (!client.usable) throw err;
      throw new MailboxError('EFOLDER', `Cannot open mailbox "${this.opts.mailbox}" for ${this.where}: ${errorText(err)}`, { cause: err });
    }
    return client;
  }

  /** One connected session: passes and IDLE until stopped (returns) or the connection fails (throws). */
  private async session(client: ImapFlow): Promise<void> {
    let full = true;
    for (;;) {
      if (this.stopping) return;
      if (!client.usable) throw this.closedError(client);
      const startedAt = this.noticed ? this.noticedAt : performance.now();
      this.noticed = false;
      if (this.nextRetryIn() === 0) full = true; // busy with new mail, and a failed one is due again
      await this.pass(client, full, startedAt);
      full = false;
      if (this.stopping) return;
      if (this.noticed) continue; // an EXISTS arrived while we were busy
      const reason = await this.idle(client);
      if (reason === 'stop') return;
      if (reason === 'closed') throw this.closedError(client);
      if (reason === 'retry') full = true; // a message whose handler threw is due again
      if (reason === 'refresh') {
        // Watchdog: a round trip proves the connection is alive; then retry whatever is still in the inbox.
        await this.noopWithin(client, Math.min(WATCHDOG_MAX_MS, Math.max(WATCHDOG_MIN_MS, this.opts.idleRefreshMs)));
        full = true;
      }
    }
  }

  /** A server that stops answering (hung, or a NAT that silently dropped the line) must not stall intake. */
  private async noopWithin(client: ImapFlow, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), ms);
    });
    try {
      const outcome = await Promise.race([client.noop().then(() => 'answered' as const), expired]);
      if (outcome === 'expired') {
        const error = new MailboxError('ECLOSED', `IMAP server ${this.opts.host}:${this.opts.port} did not answer a NOOP within ${ms} ms (connection for ${this.opts.auth.user} presumed dead)`);
        this.markDisconnected(error);
        client.close();
        throw error;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async idle(client: ImapFlow): Promise<WakeReason> {
    if (this.stopping) return 'stop';
    if (!client.usable) return 'closed';
    if (this.noticed) return 'notice';
    this.setState('idle');
    const woken = new Promise<WakeReason>((resolve) => {
      this.waiter = resolve;
    });
    const refresh = setTimeout(() => this.wake('refresh'), this.opts.idleRefreshMs);
    const retryIn = this.nextRetryIn();
    const retry = retryIn !== null && retryIn < this.opts.idleRefreshMs ? setTimeout(() => this.wake('retry'), retryIn) : undefined;
    // Runs until the next command breaks it (imapflow sends DONE before any command). Only this IDLE's own
    // end may wake this wait, not a late end of an earlier one.
    const waiter = this.waiter;
    const ended = (reason: WakeReason) => {
      if (this.waiter === waiter) this.wake(reason);
    };
    void client.idle().then(
      () => ended(client.usable ? 'idle-ended' : 'closed'),
      () => ended('closed'),
    );
    try {
      return await woken;
    } finally {
      clearTimeout(refresh);
      clearTimeout(retry);
      this.waiter = null;
    }
  }

  /** A message whose handler threw and whose next try is still ahead. */
  private notDueYet(uid: number): boolean {
    const a = this.attempts.get(uid);
    return a !== undefined && a.retryAt > performance.now();
  }

  /** Milliseconds until the soonest retry of a message whose handler threw; null when none waits. */
  private nextRetryIn(): number | null {
    let soonest: number | null = null;
    for (const a of this.attempts.values()) soonest = soonest === null ? a.retryAt : Math.min(soonest, a.retryAt);
    return soonest === null ? null : Math.max(0, soonest - performance.now());
  }

  /**
   * Handles messages in the mailbox, in UID order: all of them (`full`) or those above the last UID seen.
   * A cheap FETCH of UID/size first, then the sources in batches, so a large backlog is not read at once.
   */
  private async pass(client: ImapFlow, full: boolean, startedAt: number): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox || mailbox.exists === 0) {
      this.healthState.backlog = 0;
      return;
    }
    const announced = this.announced;
    this.announced = 0;
    if (!full && announced > 0 && announced <= NOTICE_DIRECT_FETCH) {
      // The usual case, a notice of a few new messages: one FETCH with the sources, no listing round trip.
      const fetched = (await client.fetchAll(`${this.lastUid + 1}:*`, { uid: true, source: true, internalDate: true, size: true }, { uid: true }))
        .filter((m) => m.uid > this.lastUid)
        .sort((a, b) => a.uid - b.uid);
      if (fetched.length === 0) return;
      this.healthState.lastMailAt = new Date();
      this.setState('handling');
      const pool = new OrderedPool(this.opts.concurrency);
      for (const message of fetched) this.schedule(pool, client, message, startedAt);
      await this.settle(pool);
      return;
    }
    const range = full ? '1:*' : `${this.lastUid + 1}:*`;
    const listing = (await client.fetchAll(range, { uid: true, size: true }, { uid: true }))
      .filter((m) => (full || m.uid > this.lastUid) && !this.notDueYet(m.uid))
      .sort((a, b) => a.uid - b.uid);
    if (listing.length === 0) return;
    this.healthState.lastMailAt = listing.some((m) => m.uid > this.lastUid) ? new Date() : this.healthState.lastMailAt;
    this.setState(full ? 'backlog' : 'handling');

    const pool = new OrderedPool(this.opts.concurrency);
    let i = 0;
    while (i < listing.length) {
      // The next batch's sources are fetched while this one is handled, but no further ahead.
      await pool.below(this.opts.concurrency);
      if (this.stopping || this.moveFailure) break;
      const batch: number[] = [];
      let bytes = 0;
      while (i < listing.length && batch.length < FETCH_BATCH_MESSAGES) {
        const item = listing[i]!;
        if (batch.length > 0 && bytes + (item.size ?? 0) > FETCH_BATCH_BYTES) break;
        batch.push(item.uid);
        bytes += item.size ?? 0;
        i++;
      }
      const fetched = (await client.fetchAll(batch.join(','), { uid: true, source: true, internalDate: true, size: true }, { uid: true })).sort(
        (a, b) => a.uid - b.uid,
      );
      for (const message of fetched) this.schedule(pool, client, message, startedAt);
    }
    await this.settle(pool);
  }

  /** Queues one message for its handler (unless stopping). */
  private schedule(pool: OrderedPool, client: ImapFlow, message: FetchMessageObject, startedAt: number): void {
    if (this.stopping || this.moveFailure) return;
    if (message.uid > this.lastUid) this.lastUid = message.uid;
    let key = '';
    try {
      key = Buffer.isBuffer(message.source) ? this.opts.orderKey(toIncoming(message, message.source)) : '';
    } catch (err) {
      this.log.warn({ uid: message.uid, err: errorText(err) }, 'mail intake order key failed; handling the message in the common order');
    }
    pool.add(key, () => this.handleOne(client, message, startedAt));
  }

  /** Waits for every scheduled handler and the MOVEs they asked for; rethrows a connection lost meanwhile. */
  private async settle(pool: OrderedPool): Promise<void> {
    await pool.idle();
    while (this.moving) await this.moving;
    const failure = this.moveFailure;
    this.moveFailure = null;
    if (failure) throw failure;
  }

  private async handleOne(client: ImapFlow, message: FetchMessageObject, startedAt: number): Promise<void> {
    const uid = message.uid;
    const raw = message.source;
    let disposition: Disposition;
    try {
      if (this.moveFailure) return; // the connection is gone: handled again after the reconnect
      // Counted like a handler failure: retried on the next full pass, quarantined if it persists.
      if (!Buffer.isBuffer(raw)) throw new Error('the server returned no message source');
      disposition = validDisposition(await this.opts.handle(toIncoming(message, raw)));
      this.attempts.delete(uid);
    } catch (err) {
      const count = (this.attempts.get(uid)?.count ?? 0) + 1;
      const text = errorText(err);
      this.healthState.handled.failed++;
      const error = new MailboxError('EHANDLER', `Handling message UID ${uid} in ${this.opts.mailbox} failed (attempt ${count} of ${this.opts.maxAttempts}): ${text}`, { cause: err });
      this.recordError(error);
      if (this.listenerCount('error') > 0) this.safeEmit('error', error);
      if (count < this.opts.maxAttempts) {
        const delay = Math.min(this.opts.idleRefreshMs, this.opts.retryDelayMs * 4 ** (count - 1));
        this.attempts.set(uid, { count, lastError: text, retryAt: performance.now() + delay });
        this.log.warn({ uid, attempt: count, maxAttempts: this.opts.maxAttempts, err: text }, 'mail handler failed; message stays in the inbox for a retry');
        return;
      }
      this.attempts.delete(uid);
      disposition = { folder: 'quarantine', reason: `handler failed ${count} times in a row; last error: ${text}` };
    }
    const target = disposition.folder === 'processed' ? this.opts.processedFolder : this.opts.quarantineFolder;
    this.moves.push({ uid, target, disposition, startedAt });
    const moving = (this.moving ??= this.moveAll(client).finally(() => (this.moving = null)));
    // One at a time: strictly handle, move, next (nothing handled waits unmoved).
    if (this.opts.concurrency === 1) await moving;
  }

  /** Moves every decided message, a UID set per folder per round, until none is waiting. */
  private async moveAll(client: ImapFlow): Promise<void> {
    while (this.moves.length > 0) {
      const round = this.moves.splice(0);
      if (this.moveFailure) continue; // left in the inbox: handled again after the reconnect
      for (const target of new Set(round.map((m) => m.target))) {
        const items = round.filter((m) => m.target === target);
        try {
          await this.moveSet(client, items, target);
        } catch (err) {
          this.moveFailure = err instanceof MailboxError ? err : this.classify(err, client);
          break;
        }
      }
    }
  }

  private async moveSet(client: ImapFlow, items: PendingMove[], target: string): Promise<void> {
    const uids = items.map((m) => m.uid).join(',');
    // imapflow answers false both when the server refuses and when the connection is gone.
    let moved = await client.messageMove(uids, target, { uid: true });
    if (moved === false && client.usable && !(await client.list()).some((m) => m.path === target)) {
      // Someone deleted the folder while we were running: create it again and retry once.
      this.log.warn({ folder: target }, 'mail intake folder disappeared; creating it again');
      await client.mailboxCreate(target).catch(() => undefined);
      moved = await client.messageMove(uids, target, { uid: true });
    }
    if (moved === false && items.length > 1 && client.usable) {
      // Refused as a set: one by one, so only the message the server will not take stays behind.
      for (const item of items) await this.moveSet(client, [item], target);
      return;
    }
    if (moved === false) {
      if (!client.usable) throw this.closedError(client);
      // Refused (quota, permissions): the message stays in the inbox and is handled again on the next full pass.
      const uid = items[0]!.uid;
      const error = new MailboxError('EMOVE', `Server refused to move message UID ${uid} to "${target}" for ${this.where}; it stays in ${this.opts.mailbox} for a retry`);
      this.healthState.handled.failed++;
      this.recordError(error);
      this.log.error({ uid, folder: target }, error.message);
      if (this.listenerCount('error') > 0) this.safeEmit('error', error);
      return;
    }
    if (client.mailbox) this.healthState.backlog = client.mailbox.exists;
    for (const { uid, disposition, startedAt } of items) {
      const ms = Math.round(performance.now() - startedAt);
      if (disposition.folder === 'processed') {
        this.healthState.handled.processed++;
        this.log.info({ uid, folder: target, ms }, 'mail handled');
      } else {
        this.healthState.handled.quarantined++;
        this.log.warn({ uid, folder: target, reason: disposition.reason, ms }, 'mail quarantined');
      }
      this.safeEmit('handled', uid, disposition, ms);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private wake(reason: WakeReason): void {
    if (reason === 'stop') this.cancelSleep?.();
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter(reason);
    }
  }

  /** Backoff sleep; only stop() cuts it short. */
  private async sleep(ms: number): Promise<void> {
    if (this.stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cancelSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.cancelSleep = null;
  }

  private async closeClient(client: ImapFlow): Promise<void> {
    if (this.client === client) this.client = null;
    if (client.usable) {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, LOGOUT_GRACE_MS).unref());
      await Promise.race([client.logout().catch(() => undefined), grace]);
    }
    client.close();
    client.removeAllListeners('exists');
    client.removeAllListeners('close');
    // keep an 'error' listener: a late socket error must not become an uncaught exception
  }

  private closedError(client: ImapFlow): MailboxError {
    const why = client.byeReason ? `server said "${client.byeReason}"` : 'connection closed';
    return new MailboxError('ECLOSED', `IMAP connection to ${this.opts.host}:${this.opts.port} for ${this.opts.auth.user} dropped: ${why}`);
  }

  private classify(err: unknown, client: ImapFlow | null): MailboxError {
    if (err instanceof MailboxError) return err;
    const e = (err ?? {}) as ImapErrorLike;
    if (e.authenticationFailed) {
      return new MailboxError('EAUTH', `IMAP login failed for ${this.where}: ${e.responseText || e.message || 'authentication failed'}`, { cause: err });
    }
    if (client?.authenticated) {
      return new MailboxError('ECLOSED', `IMAP connection to ${this.opts.host}:${this.opts.port} for ${this.opts.auth.user} failed: ${errorText(err)}`, { cause: err });
    }
    return new MailboxError('ECONNECT', `Cannot connect to IMAP server ${this.opts.host}:${this.opts.port} (as ${this.opts.auth.user}): ${errorText(err)}`, {
      cause: err,
    });
  }

  /** Once per outage: state, timestamps, one log line, one 'error' event. */
  private markDisconnected(error: MailboxError): void {
    if (this.stopping || this.healthState.state === 'disconnected') return;
    this.healthState.disconnectedSince = new Date();
    this.healthState.connectedSince = null;
    this.recordError(error);
    this.setState('disconnected');
    this.log.warn({ host: this.opts.host, user: this.opts.auth.user, code: error.code, err: error.message }, 'mail intake disconnected; reconnecting with backoff');
    if (this.listenerCount('error') > 0) this.safeEmit('error', error);
  }

  private recordError(err: MailboxError): void {
    this.healthState.lastError = { at: new Date(), message: err.message };
  }

  /** A listener that throws must not tear down the connection or skip a MOVE. */
  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.log.error({ event, err: errorText(err) }, 'mail intake event listener threw');
    }
  }

  private setState(state: MailboxState): void {
    if (this.healthState.state === state) return;
    this.healthState.state = state;
    this.safeEmit('state', this.health());
  }
}

interface PendingMove {
  uid: number;
  target: string;
  disposition: Disposition;
  startedAt: number;
}

function toIncoming(message: FetchMessageObject, raw: Buffer): IncomingMessage {
  const internalDate = message.internalDate instanceof Date ? message.internalDate : new Date(message.internalDate ?? 0);
  return { uid: message.uid, raw, internalDate, size: message.size ?? raw.length };
}

function validDisposition(d: Disposition): Disposition {
  if (d && d.folder === 'processed') return { folder: 'processed' };
  if (d && d.folder === 'quarantine') return { folder: 'quarantine', reason: String(d.reason ?? '') || 'no reason given' };
  throw new Error(`handler returned no valid disposition: ${JSON.stringify(d)}`);
}

/** One line for logs and the health check, e.g. "intake disconnected since 10:32 (…)". Times in `timeZone` (default Asia/Shanghai). */
export function describeHealth(health: MailboxHealth, timeZone = 'Asia/Shanghai'): string {
  const hhmm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  const err = health.lastError ? ` — last error at ${hhmm(health.lastError.at)}: ${health.lastError.message}` : '';
  switch (health.state) {
    case 'disconnected':
      return `intake disconnected since ${health.disconnectedSince ? hhmm(health.disconnectedSince) : '?'}${err}`;
    case 'stopped':
      return 'intake stopped';
    case 'connecting':
      return `intake connecting${err}`;
    default: {
      const last = health.lastMailAt ? `, last mail ${hhmm(health.lastMailAt)}` : '';
      return `intake ${health.state}, connected since ${health.connectedSince ? hhmm(health.connectedSince) : '?'}${last}, ${health.backlog} waiting in the inbox`;
    }
  }
}
