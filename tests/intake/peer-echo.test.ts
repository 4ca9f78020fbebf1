// Two baosong deployments on one mail provider (a school and its bureau both on 163.com): the other's mail carries
// our headers' names and Message-IDs of our domain, yet is not our own mail come back. Our own From still is.
import { describe, expect, it } from 'vitest';
import type { MailInput } from '../../domain/mail/types.js';
import { ownMailCameBack } from '../../intake/loop.js';

const ours = { address: 'qhyz_baosong@163.com', domain: '163.com', schoolName: '青禾市第一实验中学' };
function mailFrom(address: string, headers: Record<string, string> = {}): MailInput {
  return {
    messageId: '<R-2026-0107.3-receipt.t-r2026-0107-1-x-abcdefghijklmnop@163.com>',
    from: { address, name: '青禾县教育局' },
    to: [{ address: ours.address }],
    replyTo: [],
    subject: '【R-2026-0107】已收到：七年级读书节开幕',
    date: null,
    receivedAt: new Date('2026-12-07T01:00:00Z'),
    inReplyTo: null,
    references: [],
    headers: { 'x-baosong-kind': 'receipt', ...headers },
    text: '已收到',
    html: null,
    attachments: [],
  };
}

describe('our own mail, or another baosong’s on the same provider', () => {
  it('the bureau’s mail on 163.com is an echo only when we do not know it as a peer', () => {
    expect(ownMailCameBack(mailFrom('qhjyj_baosong@163.com'), ours)).toMatch(/came back/);
    expect(ownMailCameBack(mailFrom('qhjyj_baosong@163.com'), { ...ours, peer: true })).toBeNull();
  });
  it('our own From address is an echo whoever we think sent it', () => {
    expect(ownMailCameBack(mailFrom(ours.address), { ...ours, peer: true })).toMatch(/came back/);
  });
});
