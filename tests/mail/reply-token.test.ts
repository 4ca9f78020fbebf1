import { describe, expect, it } from 'vitest';
import { mintReplyToken, replyAddress, tokenFromAddress, verifyReplyToken } from '../../mail/reply-token.js';

const secret = 'a-school-secret-of-enough-length';
const claims = { reportId: 'R-2026-0042', round: 1, step: 0 };
const head = 'wangjianguo@school.test';

describe('reply tokens', () => {
  const token = mintReplyToken({ ...claims, recipient: head, secret });

  it('fit in the plus part of the shared inbox address, in lower case', () => {
    expect(token).toMatch(/^r2026-0042-1-0-[a-z2-7]{16}$/);
    const address = replyAddress('baosong@school.test', token);
    expect(address).toBe(`baosong+${token}@school.test`);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(tokenFromAddress(address.toUpperCase())).toBe(token);
    expect(tokenFromAddress('baosong@school.test')).toBeNull();
  });

  it('verify for the person they were minted for, whatever the case of the address', () => {
    expect(verifyReplyToken(token, 'WangJianGuo@School.test', secret)).toEqual({ ok: true, ...claims });
  });

  it('do not verify for anyone else, another secret, or another report, round or step', () => {
    expect(verifyReplyToken(token, 'zhouxiaomei@school.test', secret)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyReplyToken(token, head, 'another-school-secret-entirely')).toEqual({ ok: false, reason: 'bad_signature' });
    for (const forged of [token.replace('-1-0-', '-1-1-'), token.replace('-1-0-', '-2-0-'), token.replace('0042', '0043')]) {
      expect(verifyReplyToken(forged, head, secret)).toEqual({ ok: false, reason: 'bad_signature' });
    }
    expect(verifyReplyToken('r2026-0042-1-0-short', head, secret)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('for a report’s other mails carry no step, and a step token cannot be turned into one (or back)', () => {
    const reportToken = mintReplyToken({ ...claims, step: null, recipient: head, secret });
    expect(reportToken).toMatch(/^r2026-0042-1-x-[a-z2-7]{16}$/);
    expect(verifyReplyToken(reportToken, head, secret)).toEqual({ ok: true, reportId: 'R-2026-0042', round: 1, step: null });
    expect(verifyReplyToken(reportToken.replace('-1-x-', '-1-0-'), head, secret)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyReplyToken(token.replace('-1-0-', '-1-x-'), head, secret)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuse to be minted with a short secret', () => {
    expect(() => mintReplyToken({ ...claims, recipient: head, secret: 'short' })).toThrow(/at least 16 characters/);
  });
});
