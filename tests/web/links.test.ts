// Signed links: what a forged, altered, expired or misused token gets.
import { describe, expect, it } from 'vitest';
import { REVIEW_LINK_TTL_MS, reviewToken, reviewUrls, signInUrl, statusToken, verifyReviewLink, verifySignInLink, verifyStatusToken } from '../../mail/links.js';

const secret = 'a-secret-for-link-tests-0123456789';
const issuedAt = new Date('2026-11-26T02:00:00Z');
const claims = { reportId: 'R-2026-0042', round: 1, step: 0, reviewer: 'WangJianguo@school.test', issuedAt, secret };

describe('reviewer links', () => {
  it('carry report, round, step and reviewer, and expire after the TTL', () => {
    const token = reviewToken(claims);
    const ok = verifyReviewLink(token, secret, new Date(issuedAt.getTime() + 60_000));
    expect(ok).toMatchObject({ ok: true, claims: { kind: 'review', reportId: 'R-2026-0042', round: 1, step: 0, email: 'wangjianguo@school.test' } });
    expect(verifyReviewLink(token, secret, new Date(issuedAt.getTime() + REVIEW_LINK_TTL_MS + 1000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('the same mail gives the same link (a retried activity sends an identical message)', () => {
    expect(reviewToken(claims)).toBe(reviewToken({ ...claims }));
    const urls = reviewUrls('https://baosong.school.test/', claims);
    expect(urls.approve).toMatch(/^https:\/\/baosong\.school\.test\/review\/[\w-]+\.[\w-]{32}\?do=approve$/);
    expect(urls.sendBack.split('?')[0]).toBe(urls.approve.split('?')[0]);
  });

  it('refuses another secret, an altered payload or signature, and garbage', () => {
    const token = reviewToken(claims);
    const now = new Date(issuedAt.getTime() + 1000);
    expect(verifyReviewLink(token, 'another-secret-0123456789abcdef', now)).toEqual({ ok: false, reason: 'bad_signature' });
    const [payload, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), s: 1 })).toString('base64url');
    expect(verifyReviewLink(`${forged}.${sig}`, secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyReviewLink(`${payload}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyReviewLink('../../etc/passwd', secret, now)).toEqual({ ok: false, reason: 'malformed' });
    // An expired *forgery* is a forgery, not "expired".
    expect(verifyReviewLink(`${forged}.${sig}`, secret, new Date(issuedAt.getTime() + REVIEW_LINK_TTL_MS * 2))).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('a sign-in token is not a review token and the other way round', () => {
    const signIn = signInUrl('http://x', 'zhouxiaomei@school.test', secret, issuedAt).url.split('/').pop()!;
    expect(verifyReviewLink(signIn, secret, issuedAt)).toEqual({ ok: false, reason: 'wrong_kind' });
    expect(verifySignInLink(reviewToken(claims), secret, issuedAt)).toEqual({ ok: false, reason: 'wrong_kind' });
  });
});

describe('sign-in links', () => {
  it('work for 15 minutes and differ each time (one-time nonce)', () => {
    const a = signInUrl('http://x', 'zhouxiaomei@school.test', secret, issuedAt);
    const b = signInUrl('http://x', 'zhouxiaomei@school.test', secret, issuedAt);
    expect(a.url).not.toBe(b.url);
    const token = a.url.split('/').pop()!;
    expect(verifySignInLink(token, secret, new Date(issuedAt.getTime() + 14 * 60_000))).toMatchObject({ ok: true, claims: { email: 'zhouxiaomei@school.test' } });
    expect(verifySignInLink(token, secret, new Date(issuedAt.getTime() + 15 * 60_000))).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('status links', () => {
  it('belong to one report', () => {
    const t = statusToken('R-2026-0042', secret);
    expect(verifyStatusToken('R-2026-0042', t, secret)).toBe(true);
    expect(verifyStatusToken('R-2026-0043', t, secret)).toBe(false);
    expect(verifyStatusToken('R-2026-0042', t.slice(1), secret)).toBe(false);
  });
});
