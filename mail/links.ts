/**
 * Signed links that go out in mail. A link never acts by being opened: the pages behind them show a
 * form, and only a POST from that form (with its CSRF token) does anything.
 *
 * - Status link: `/status/<report>/<22-char HMAC>`; no expiry (it is the submitter's private page).
 * - Reviewer link: `/review/<token>`, bound to one report, review round, step and reviewer, expiring.
 * - Sign-in link: `/office/signin/<token>`, for one address, expiring after minutes, used once (the web
 *   server remembers the nonces it has accepted).
 * - File link: `/files/<token>/<name>`, one attachment (by its sha256) of one report, expiring.
 * - Revise link: `/revise/<token>`, for the submitter of a returned report, one review round, expiring.
 * - Publish link: `/publish/<token>`, for the website editor of one approved report, expiring.
 *
 * Tokens are `<payload>.<signature>`: the payload is base64url JSON, the signature the first 32
 * base64url characters (192 bits) of HMAC-SHA256(secret, "baosong-link|" + payload).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function statusToken(reportId: string, secret: string): string {
  return createHmac('sha256', secret).update(`baosong-status|${reportId}`).digest('base64url').slice(0, 22);
}

export function statusUrl(baseUrl: string, reportId: string, secret: string): string {
  return `${trimBase(baseUrl)}/status/${encodeURIComponent(reportId)}/${statusToken(reportId, secret)}`;
}

/** Whether `token` is the status token of `reportId` (constant time). */
export function verifyStatusToken(reportId: string, token: string, secret: string): boolean {
  return safeEqual(statusToken(reportId, secret), token);
}

/** How long a reviewer link works after the mail that carries it was composed. */
export const REVIEW_LINK_TTL_MS = 7 * 24 * 3600_000;
/** How long a sign-in link works. */
export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;

export interface ReviewClaims {
  kind: 'review';
  reportId: string;
  round: number;
  /** 0-based index of the step in the review chain, as in the workflow. */
  step: number;
  /** The reviewer the link was minted for (lower case). */
  email: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

export interface SignInClaims {
  kind: 'signin';
  email: string;
  expiresAt: number;
  /** Random; a sign-in link is accepted once. */
  nonce: string;
}

export interface FileClaims {
  kind: 'file';
  reportId: string;
  /** The attachment's content hash (it is stored by it). */
  sha256: string;
  expiresAt: number;
}

export interface ReviseClaims {
  kind: 'revise';
  reportId: string;
  /** The review round that returned the report: a revision answers that round only. */
  round: number;
  /** The submitter (lower case). */
  email: string;
  expiresAt: number;
}

export interface PublishClaims {
  kind: 'publish';
  reportId: string;
  /** The editor (or office member) the 待发布 mail went to (lower case). */
  email: string;
  expiresAt: number;
}

export type LinkClaims = ReviewClaims | SignInClaims | FileClaims | ReviseClaims | PublishClaims;

export type LinkCheck<C> = { ok: true; claims: C; linkId: string } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_kind' };

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sign(payload: string, secret: string): string {
  if (secret.length < 16) throw Object.assign(new Error('The link secret must have at least 16 characters'), { code: 'ESECRET' });
  return createHmac('sha256', secret).update(`baosong-link|${payload}`).digest('base64url').slice(0, 32);
}

function mint(claims: LinkClaims, secret: string): string {
  const x = Math.floor(claims.expiresAt / 1000);
  const compact =
    claims.kind === 'review'
      ? { k: 'r', r: claims.reportId, n: claims.round, s: claims.step, e: claims.email.toLowerCase(), x }
      : claims.kind === 'signin'
        ? { k: 's', e: claims.email.toLowerCase(), x, i: claims.nonce }
        : claims.kind === 'file'
          ? { k: 'f', r: claims.reportId, h: claims.sha256, x }
          : claims.kind === 'publish'
            ? { k: 'p', r: claims.reportId, e: claims.email.toLowerCase(), x }
            : { k: 'v', r: claims.reportId, n: claims.round, e: claims.email.toLowerCase(), x };
  const payload = Buffer.from(JSON.stringify(compact)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The id a link's use is recorded under (timeline evidence `{ via: 'link', ref }`): stable per token. */
function linkIdOf(signature: string): string {
  return `link-${signature.slice(0, 16)}`;
}

function parse(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Checks signature first (a forged token is "bad_signature", never "expired"), then expiry. */
export function verifyLink(token: string, secret: string, now: Date = new Date()): LinkCheck<LinkClaims> {
  const m = /^([A-Za-z0-9_-]{8,600})\.([A-Za-z0-9_-]{32})$/.exec(token.trim());
  if (!m || !m[1] || !m[2]) return { ok: false, reason: 'malformed' };
  const [, payload, sig] = m;
  if (!safeEqual(sign(payload, secret), sig)) return { ok: false, reason: 'bad_signature' };
  const c = parse(payload);
  if (!c || typeof c.x !== 'number') return { ok: false, reason: 'malformed' };
  let claims: LinkClaims;
  if (c.k === 'r' && typeof c.r === 'string' && typeof c.n === 'number' && typeof c.s === 'number' && typeof c.e === 'string') {
    claims = { kind: 'review', reportId: c.r, round: c.n, step: c.s, email: c.e, expiresAt: c.x * 1000 };
  } else if (c.k === 's' && typeof c.e === 'string' && typeof c.i === 'string') {
    claims = { kind: 'signin', email: c.e, expiresAt: c.x * 1000, nonce: c.i };
  } else if (c.k === 'f' && typeof c.r === 'string' && typeof c.h === 'string' && /^[0-9a-f]{64}$/.test(c.h)) {
    claims = { kind: 'file', reportId: c.r, sha256: c.h, expiresAt: c.x * 1000 };
  } else if (c.k === 'p' && typeof c.r === 'string' && typeof c.e === 'string') {
    claims = { kind: 'publish', reportId: c.r, email: c.e, expiresAt: c.x * 1000 };
  } else if (c.k === 'v' && typeof c.r === 'string' && typeof c.n === 'number' && typeof c.e === 'string') {
    claims = { kind: 'revise', reportId: c.r, round: c.n, email: c.e, expiresAt: c.x * 1000 };
  } else {
    return { ok: false, reason: 'malformed' };
  }
  if (now.getTime() >= claims.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims, linkId: linkIdOf(sig) };
}

export function verifyReviewLink(token: string, secret: string, now?: Date): LinkCheck<ReviewClaims> {
  const r = verifyLink(token, secret, now);
  if (!r.ok) return r;
  return r.claims.kind === 'review' ? { ok: true, claims: r.claims, linkId: r.linkId } : { ok: false, reason: 'wrong_kind' };
}

export function verifySignInLink(token: string, secret: string, now?: Date): LinkCheck<SignInClaims> {
  const r = verifyLink(token, secret, now);
  if (!r.ok) return r;
  return r.claims.kind === 'signin' ? { ok: true, claims: r.claims, linkId: r.linkId } : { ok: false, reason: 'wrong_kind' };
}

export function verifyFileLink(token: string, secret: string, now?: Date): LinkCheck<FileClaims> {
  const r = verifyLink(token, secret, now);
  if (!r.ok) return r;
  return r.claims.kind === 'file' ? { ok: true, claims: r.claims, linkId: r.linkId } : { ok: false, reason: 'wrong_kind' };
}

export function verifyReviseLink(token: string, secret: string, now?: Date): LinkCheck<ReviseClaims> {
  const r = verifyLink(token, secret, now);
  if (!r.ok) return r;
  return r.claims.kind === 'revise' ? { ok: true, claims: r.claims, linkId: r.linkId } : { ok: false, reason: 'wrong_kind' };
}

export function verifyPublishLink(token: string, secret: string, now?: Date): LinkCheck<PublishClaims> {
  const r = verifyLink(token, secret, now);
  if (!r.ok) return r;
  return r.claims.kind === 'publish' ? { ok: true, claims: r.claims, linkId: r.linkId } : { ok: false, reason: 'wrong_kind' };
}

/** How long the editor's 确认已发布 link works (a month: publishing can wait for the next issue of a column). */
export const PUBLISH_LINK_TTL_MS = 30 * 24 * 3600_000;

/** `<base>/publish/<token>`: the editor's page to say an approved report is published, with its address. */
export function publishUrl(baseUrl: string, o: { reportId: string; editor: string; issuedAt: Date | string; secret: string }): string {
  const token = mint({ kind: 'publish', reportId: o.reportId, email: o.editor, expiresAt: new Date(o.issuedAt).getTime() + PUBLISH_LINK_TTL_MS }, o.secret);
  return `${trimBase(baseUrl)}/publish/${token}`;
}

/** How long a download link works (from when the page or mail carrying it was made). */
export const FILE_LINK_TTL_MS = 7 * 24 * 3600_000;

/**
 * `<base>/files/<token>/<name>`: a signed, expiring download link for one attachment of one report.
 * `issuedAt` is when the page or mail is made (a mail's composition time: deterministic for retries).
 */
export function fileUrl(baseUrl: string, o: { reportId: string; sha256: string; filename: string; issuedAt: Date | string; secret: string }): string {
  const token = mint({ kind: 'file', reportId: o.reportId, sha256: o.sha256, expiresAt: new Date(o.issuedAt).getTime() + FILE_LINK_TTL_MS }, o.secret);
  return `${trimBase(baseUrl)}/files/${token}/${encodeURIComponent(o.filename)}`;
}

/** How long a revise link works after the mail that carries it was composed. */
export const REVISE_LINK_TTL_MS = 14 * 24 * 3600_000;

/** `<base>/revise/<token>`: the submitter's page to revise a returned report online (one round). */
export function reviseUrl(baseUrl: string, o: { reportId: string; round: number; submitter: string; issuedAt: Date | string; secret: string }): string {
  const token = mint({ kind: 'revise', reportId: o.reportId, round: o.round, email: o.submitter, expiresAt: new Date(o.issuedAt).getTime() + REVISE_LINK_TTL_MS }, o.secret);
  return `${trimBase(baseUrl)}/revise/${token}`;
}

export interface ReviewLinkOptions {
  reportId: string;
  round: number;
  step: number;
  reviewer: string;
  /** When the mail is composed; the link works for REVIEW_LINK_TTL_MS after it (deterministic for retries). */
  issuedAt: Date | string;
  secret: string;
}

export function reviewToken(o: ReviewLinkOptions): string {
  const expiresAt = new Date(o.issuedAt).getTime() + REVIEW_LINK_TTL_MS;
  return mint({ kind: 'review', reportId: o.reportId, round: o.round, step: o.step, email: o.reviewer, expiresAt }, o.secret);
}

/** `<base>/review/<token>?do=approve` and `?do=send_back`: the reviewer page, with the action preselected. */
export function reviewUrls(baseUrl: string, o: ReviewLinkOptions): { approve: string; sendBack: string } {
  const page = `${trimBase(baseUrl)}/review/${reviewToken(o)}`;
  return { approve: `${page}?do=approve`, sendBack: `${page}?do=send_back` };
}

/** A one-time sign-in link for the office dashboard. */
export function signInUrl(baseUrl: string, email: string, secret: string, now: Date = new Date()): { url: string; expiresAt: Date } {
  const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS);
  const token = mint({ kind: 'signin', email, expiresAt: expiresAt.getTime(), nonce: randomBytes(12).toString('base64url') }, secret);
  return { url: `${trimBase(baseUrl)}/office/signin/${token}`, expiresAt };
}
