/**
 * What the web processes share through the database (migration 0003): office sessions, used sign-in
 * nonces and rate-limit counters. Every operation is one statement, atomic on both dialects, so two
 * `baosong web` processes on one database see the same sessions, never both accept one nonce, and count
 * one client's requests together.
 */
import type { Database } from './connect.js';

export interface SharedSession {
  email: string;
  name: string;
  expiresAt: number;
}

/** How often, at most, expired rows are deleted (on the next write after this long). */
const SWEEP_EVERY_MS = 5 * 60_000;

export class SharedState {
  readonly #database: Database;
  #lastSweep = 0;

  constructor(database: Database) {
    this.#database = database;
  }

  get #db() {
    return this.#database.db;
  }

  /** Records a session under the hash of its id (the cookie value never reaches the database). */
  async createSession(idHash: string, session: SharedSession, now = Date.now()): Promise<void> {
    await this.#sweep(now);
    await this.#db.insertInto('web_sessions').values({ id_hash: idHash, email: session.email, name: session.name, created_at_ms: now, expires_at_ms: session.expiresAt }).execute();
  }

  async getSession(idHash: string, now = Date.now()): Promise<SharedSession | null> {
    const row = await this.#db.selectFrom('web_sessions').select(['email', 'name', 'expires_at_ms']).where('id_hash', '=', idHash).where('expires_at_ms', '>', now).executeTakeFirst();
    return row ? { email: row.email, name: row.name, expiresAt: Number(row.expires_at_ms) } : null;
  }

  async endSession(idHash: string): Promise<void> {
    await this.#db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
  }

  /** Marks a one-time nonce used until it expires; false when it already was (here or in another process). */
  async useNonce(nonce: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    await this.#sweep(now);
    const row = await this.#db
      .insertInto('used_nonces')
      .values({ nonce, expires_at_ms: expiresAt })
      .onConflict((oc) => oc.column('nonce').doNothing())
      .returning('nonce')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Counts one request under `key` in a fixed window of `windowMs`: the count so far in the window
   * (this one included) and the ms until the window resets.
   */
  async hit(key: string, windowMs: number, now = Date.now()): Promise<{ count: number; resetsInMs: number }> {
    await this.#sweep(now);
    const resetsAt = now + windowMs;
    const row = await this.#db
      .insertInto('rate_limits')
      .values({ key, count: 1, resets_at_ms: resetsAt })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          count: eb.case().when('rate_limits.resets_at_ms', '<=', now).then(1).else(eb('rate_limits.count', '+', 1)).end(),
          resets_at_ms: eb.case().when('rate_limits.resets_at_ms', '<=', now).then(resetsAt).else(eb.ref('rate_limits.resets_at_ms')).end(),
        })),
      )
      .returning(['count', 'resets_at_ms'])
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), resetsInMs: Math.max(0, Number(row.resets_at_ms) - now) };
  }

  /** Deletes expired sessions, nonces and counters; done by the writes themselves every few minutes. */
  async sweep(now = Date.now()): Promise<void> {
    this.#lastSweep = now;
    await this.#db.deleteFrom('web_sessions').where('expires_at_ms', '<=', now).execute();
    await this.#db.deleteFrom('used_nonces').where('expires_at_ms', '<=', now).execute();
    await this.#db.deleteFrom('rate_limits').where('resets_at_ms', '<=', now).execute();
  }

  async #sweep(now: number): Promise<void> {
    if (now - this.#lastSweep >= SWEEP_EVERY_MS) await this.sweep(now);
  }
}
