/**
 * Office sessions, used sign-in links and rate limits, kept in the database (db/shared-state.ts) so that
 * a restart signs no one out, a sign-in link works once across every process, and several `baosong web`
 * behind one address count a client's requests together.
 *
 * A request's session is read once, in an onRequest hook (`load`), so pages can ask for it synchronously.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { SharedSession, SharedState } from '../db/shared-state.js';

export const SESSION_COOKIE = 'bs_session';
export const SESSION_TTL_MS = 8 * 3600_000;

export type Session = SharedSession;

const hash = (id: string) => createHash('sha256').update(id).digest('hex');
const COOKIE_RE = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  readonly #state: SharedState;
  readonly #loaded = new WeakMap<FastifyRequest, Session | null>();

  constructor(state: SharedState) {
    this.#state = state;
  }

  /** Starts a session; returns the cookie value. */
  async create(email: string, name: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.#state.createSession(hash(id), { email, name, expiresAt: Date.now() + SESSION_TTL_MS });
    return id;
  }

  /** Reads the request's session from the database (the onRequest hook does this for every request). */
  async load(req: FastifyRequest): Promise<Session | null> {
    const id = req.cookies[SESSION_COOKIE];
    const session = id && COOKIE_RE.test(id) ? await this.#state.getSession(hash(id)) : null;
    this.#loaded.set(req, session);
    return session;
  }

  /** The request's session as loaded when it arrived; null when none or expired. */
  get(req: FastifyRequest): Session | null {
    const s = this.#loaded.get(req) ?? null;
    return s && s.expiresAt > Date.now() ? s : null;
  }

  async end(req: FastifyRequest): Promise<void> {
    const id = req.cookies[SESSION_COOKIE];
    this.#loaded.set(req, null);
    if (id) await this.#state.endSession(hash(id));
  }

  /** Marks a sign-in link's nonce used; false when it already was, in this process or another. */
  useNonce(nonce: string, expiresAt: number): Promise<boolean> {
    return this.#state.useNonce(nonce, expiresAt);
  }

  /**
   * Counts one sign-in request for an address (whoever asked, from wherever, in every web process): how many
   * in the current window. Counted for every address, listed or not, so the count costs the same for both.
   */
  async signInRequests(email: string, windowMs: number): Promise<number> {
    return (await this.#state.hit(`signin-mail|${hash(email)}`, windowMs)).count;
  }
}

/**
 * A @fastify/rate-limit store over the database: fixed windows per route and client, counted by one
 * upsert, so every web process sees the same counts. Registered with skipOnError: if the database cannot
 * be reached the request is let through rather than the whole site refusing.
 */
export function databaseRateLimitStore(state: SharedState): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      readonly route = '*',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      state.hit(`${this.route}|${key}`, timeWindow).then(
        (r) => callback(null, { current: r.count, ttl: r.resetsInMs }),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }

    child(routeOptions: { method?: string | string[]; url?: string; path?: string; routeInfo?: { method?: string | string[]; url?: string } }): FastifyRateLimitStore {
      const info = routeOptions.routeInfo ?? routeOptions;
      const method = Array.isArray(info.method) ? info.method.join(',') : (info.method ?? '');
      return new DatabaseRateLimitStore(undefined, `${method} ${info.url ?? routeOptions.path ?? ''}`);
    }
  }
  return DatabaseRateLimitStore;
}
