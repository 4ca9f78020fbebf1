import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { describe, expect, it } from 'vitest';
import { checkAuthenticationResults, checkSender } from '../../intake/authenticity.js';

// A school domain with a DKIM key and a DMARC policy, served by a resolver of our own (no network).
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dns: Record<string, string[][]> = {
  's1._domainkey.school.test': [[`v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`]],
  '_dmarc.school.test': [['v=DMARC1; p=reject']],
};
const resolver = (name: string, rrtype: string): Promise<string[][]> => {
  if (rrtype === 'TXT' && dns[name]) return Promise.resolve(dns[name]);
  return Promise.reject(Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' }));
};

const reply = (from: string) =>
  Buffer.from(
    [`From: 王建国 <${from}>`, 'To: baosong+r2026-0042-1-0-abcdefghijklmnop@school.test', 'Subject: =?UTF-8?B?5Zue5aSN77ya44CQUi0yMDI2LTAwNDLjgJE=?=', 'Date: Thu, 26 Nov 2026 15:03:00 +0800', 'Message-ID: <reply-1@school.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', '同意', ''].join('\r\n'),
  );

async function signed(from: string, domain = 'school.test'): Promise<Buffer> {
  const message = reply(from);
  // mailauth signs with `signatureData` (its .d.ts names top-level fields the code does not read).
  const options = { signatureData: [{ signingDomain: domain, selector: 's1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) }] };
  const { signatures } = await dkimSign(message, options as unknown as Parameters<typeof dkimSign>[1]);
  return Buffer.concat([Buffer.from(signatures), message]);
}

const dkimPolicy = { policy: 'dkim' as const, trustedAuthservIds: [], resolver };

describe('sender authentication (policy dkim, through mailauth and a local resolver)', () => {
  it('accepts a reply signed by the school’s own domain', async () => {
    expect(await checkSender(await signed('wangjianguo@school.test'), 'wangjianguo@school.test', dkimPolicy)).toEqual({ ok: true, method: 'dmarc=pass' });
  });

  it('refuses an unsigned reply that claims to be from the school (a forged From)', async () => {
    expect(await checkSender(reply('wangjianguo@school.test'), 'wangjianguo@school.test', dkimPolicy)).toEqual({ ok: false, problem: 'DMARC fail for school.test' });
  });

  it('refuses a reply whose signature broke on the way (body changed after signing)', async () => {
    const tampered = Buffer.from((await signed('wangjianguo@school.test')).toString('utf8').replace('同意', '同意！'));
    expect(await checkSender(tampered, 'wangjianguo@school.test', dkimPolicy)).toMatchObject({ ok: false });
  });
});

describe('sender authentication (policy authserv: the school’s server wrote Authentication-Results)', () => {
  const withResults = (...values: string[]) => Buffer.concat([Buffer.from(values.map((v) => `Authentication-Results: ${v}\r\n`).join('')), reply('wangjianguo@school.test')]);

  it('trusts dmarc=pass from a trusted authserv-id', () => {
    expect(checkAuthenticationResults(withResults('mail.school.test; dkim=pass header.d=school.test; dmarc=pass header.from=school.test'), 'wangjianguo@school.test', ['mail.school.test'])).toEqual({ ok: true, method: 'authserv mail.school.test dmarc=pass' });
  });

  it('refuses dmarc=fail, and ignores headers from servers it does not trust', () => {
    expect(checkAuthenticationResults(withResults('mail.school.test; dmarc=fail header.from=school.test'), 'wangjianguo@school.test', ['mail.school.test'])).toEqual({ ok: false, problem: 'mail.school.test reports dmarc=fail for school.test' });
    expect(checkAuthenticationResults(withResults('evil.example; dmarc=pass header.from=school.test'), 'wangjianguo@school.test', ['mail.school.test'])).toMatchObject({ ok: false, problem: expect.stringMatching(/no Authentication-Results from a trusted server/) });
  });

  it('uses the topmost trusted header (the one the school’s server added last), not one the sender put lower down', () => {
    const raw = withResults('mail.school.test; dmarc=fail header.from=school.test', 'mail.school.test; dmarc=pass header.from=school.test');
    expect(checkAuthenticationResults(raw, 'wangjianguo@school.test', ['mail.school.test'])).toMatchObject({ ok: false });
  });
});
