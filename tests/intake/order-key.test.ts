import { describe, expect, it } from 'vitest';
import { orderKey, REPLIES_KEY } from '../../intake/order-key.js';

const message = (headers: string[], uid = 7) => ({ uid, raw: Buffer.from([...headers, '', 'body', ''].join('\r\n')), internalDate: new Date(), size: 0 });
const base = ['From: 刘芳 <liufang@school.test>', 'To: baosong@school.test', 'Message-ID: <a@school.test>'];

describe('orderKey (which mails keep their arrival order)', () => {
  it('gives each new report a key of its own, so reports are handled side by side', () => {
    expect(orderKey(message([...base, 'Subject: 【教育教学】公开课'], 7))).toBe('new:7');
    expect(orderKey(message([...base, 'Subject: =?UTF-8?B?44CQ5pWZ6IKy5pWZ5a2m44CR5YWs5byA6K++?='], 8))).toBe('new:8');
  });

  it('puts every mail that may act on a report in one queue: replies, report numbers (also encoded), reply-token addresses', () => {
    expect(orderKey(message([...base, 'Subject: Re: x', 'In-Reply-To: <r@school.test>']))).toBe(REPLIES_KEY);
    expect(orderKey(message([...base, 'Subject: x', 'References: <r@school.test>\r\n <s@school.test>']))).toBe(REPLIES_KEY);
    expect(orderKey(message([...base, 'Subject: 补充材料【R-2026-0042】']))).toBe(REPLIES_KEY);
    const encoded = `=?UTF-8?B?${Buffer.from('同意【R-2026-0042】').toString('base64')}?=`;
    expect(orderKey(message([...base, `Subject: ${encoded}`]))).toBe(REPLIES_KEY);
    const gbk = `=?GBK?Q?${[...Buffer.from('R-2026-0042 ')].map((b) => `=${b.toString(16).toUpperCase()}`).join('')}?=`;
    expect(orderKey(message([...base, `Subject: ${gbk}`]))).toBe(REPLIES_KEY);
    expect(orderKey(message(['From: a@school.test', 'To: "Baosong" <baosong+r2026-0042-1-0-abc@school.test>', 'Subject: 同意']))).toBe(REPLIES_KEY);
  });
});
