import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findIgnorable } from '../../../domain/mail/classify.js';
import type { MailInput } from '../../../domain/mail/types.js';
import { understandMail } from '../../../domain/mail/understand.js';
import { formatIsoInZone } from '../../../domain/time.js';

const TZ = 'Asia/Shanghai';
const RECEIVED = new Date('2026-11-26T16:00:00+08:00');

function mail(over: Partial<MailInput> = {}): MailInput {
  return {
    messageId: '<m1@school.test>',
    from: { address: 'wangfang@school.test', name: '王芳' },
    to: [{ address: 'baosong@school.test' }],
    replyTo: [],
    subject: '七年级召开家长会',
    date: RECEIVED,
    receivedAt: RECEIVED,
    inReplyTo: null,
    references: [],
    headers: {},
    text: '11月26日下午3点，七年级召开家长会。',
    html: null,
    attachments: [],
    ...over,
  };
}

const photo = { filename: '合影.jpg', contentType: 'image/jpeg', size: 2048, disposition: 'attachment' as const };

describe('understandMail: new reports', () => {
  it('reads a plain report', () => {
    const u = understandMail(mail(), { timeZone: TZ });
    expect(u).toMatchObject({
      kind: 'report',
      intent: null,
      reportId: null,
      subject: '七年级召开家长会',
      title: '七年级召开家长会',
      category: '家校共育',
      categorySource: 'keyword',
      urgency: 'routine',
      eventTimeSource: 'body',
      reason: null,
      flags: ['category_guessed', 'urgency_default'],
    });
    expect(formatIsoInZone(u.eventTime ?? new Date(0), TZ)).toBe('2026-11-26T15:00:00+08:00');
  });

  it('uses the received time when the text names none, flagged', () => {
    const u = understandMail(mail({ text: '家长会开得很成功。' }), { timeZone: TZ });
    expect(u.eventTime).toEqual(RECEIVED);
    expect(u.eventTimeSource).toBe('received');
    expect(u.flags).toContain('event_time_missing');
  });

  it('flags an event time later than the mail', () => {
    const u = understandMail(mail({ text: '时间：2026-11-27 09:00' }), { timeZone: TZ });
    expect(u.flags).toContain('event_time_in_future');
    expect(understandMail(mail({ text: '时间：2026-11-26 16:05' }), { timeZone: TZ }).flags).not.toContain('event_time_in_future');
  });

  it('takes the title from the text when the subject is empty', () => {
    const u = understandMail(mail({ subject: '', text: '初一年级开展消防演练\n时间：2026-11-26 10:00' }), { timeZone: TZ });
    expect(u).toMatchObject({ kind: 'report', subject: '', title: '初一年级开展消防演练', category: '安全管理' });
    expect(u.flags).toContain('subject_missing');
  });

  it('accepts a report that is only attachments under a subject', () => {
    const u = understandMail(mail({ text: '', attachments: [photo] }), { timeZone: TZ });
    expect(u.kind).toBe('report');
  });

  it('reads the HTML when there is no text part, without the quoted history', () => {
    const u = understandMail(
      mail({ text: null, html: '<p>11月26日下午3点召开家长会</p><blockquote>时间：2026-11-01 08:00</blockquote>' }),
      { timeZone: TZ },
    );
    expect(u.body).toBe('11月26日下午3点召开家长会');
    expect(u.eventTimeText).toBe('11月26日下午3点');
  });

  it('takes a forwarded report whose content is all below the quote marker', () => {
    const u = understandMail(
      mail({
        subject: '转发：初二年级家访总结',
        text: '------------------ 原始邮件 ------------------\n发件人: "刘洋"<liuyang@school.test>;\n\n本周完成了初二年级家访。',
      }),
      { timeZone: TZ },
    );
    expect(u).toMatchObject({ kind: 'report', subject: '初二年级家访总结', category: '家校共育' });
    expect(u.body).toContain('本周完成了初二年级家访。');
  });

  it('takes a mail with reply headers but no report number as a new report, flagged', () => {
    const u = understandMail(mail({ inReplyTo: '<notice@school.test>' }), { timeZone: TZ });
    expect(u.kind).toBe('report');
    expect(u.flags).toContain('reply_headers_without_report');
  });

  it('throws on an unknown time zone', () => {
    expect(() => understandMail(mail(), { timeZone: 'Mars/Base' })).toThrow(/Mars\/Base/);
  });

  it('is deterministic: the same input gives the same output', () => {
    expect(understandMail(mail(), { timeZone: TZ })).toEqual(understandMail(mail(), { timeZone: TZ }));
  });
});

describe('understandMail: replies', () => {
  it('reads a reply by its subject prefix and report number', () => {
    const u = understandMail(mail({ subject: '回复：【R-2026-0042】七年级召开家长会', text: '退回：照片不清晰' }), { timeZone: TZ });
    expect(u).toMatchObject({
      kind: 'reply',
      reportId: 'R-2026-0042',
      intent: 'send_back',
      sendBackReason: '照片不清晰',
      subject: '七年级召开家长会',
      eventTime: null,
      flags: [],
    });
  });

  it('takes a report number without a prefix as a mail about that report', () => {
    const u = understandMail(mail({ subject: 'R-2026-0042 修改稿', text: '附件是修改稿', attachments: [photo] }), { timeZone: TZ });
    expect(u).toMatchObject({ kind: 'reply', reportId: 'R-2026-0042', intent: 'comment' });
  });

  it('finds the report number in the quoted text of a reply whose subject lost it', () => {
    const u = understandMail(
      mail({
        subject: 'Re: 家长会',
        inReplyTo: '<notify-R-2026-0043@baosong.school.test>',
        text: '同意\n\n------------------ 原始邮件 ------------------\n主题: 【R-2026-0043】家长会',
      }),
      { timeZone: TZ },
    );
    expect(u).toMatchObject({ kind: 'reply', reportId: 'R-2026-0043', intent: 'approve', flags: ['report_id_from_body'] });
  });

  it('flags a send-back without a reason', () => {
    const u = understandMail(mail({ subject: 'Re: R-2026-0042', text: '不通过' }), { timeZone: TZ });
    expect(u).toMatchObject({ intent: 'send_back', sendBackReason: null, flags: ['send_back_without_reason'] });
  });

  it('rejects a reply with nothing new in it', () => {
    const u = understandMail(mail({ subject: '回复：R-2026-0042', text: '\n发自我的iPhone\n\n> 请审核' }), { timeZone: TZ });
    expect(u).toMatchObject({ kind: 'invalid', reportId: 'R-2026-0042', flags: ['empty_reply'] });
    expect(u.reason).toMatch(/R-2026-0042/);
  });

  it('rejects a reply that names no report', () => {
    const u = understandMail(mail({ subject: '回复：本周报送', text: '好的' }), { timeZone: TZ });
    expect(u).toMatchObject({ kind: 'invalid', intent: null, flags: ['report_id_missing'] });
    expect(u.reason).toMatch(/报送编号/);
  });
});

describe('understandMail: invalid new mail', () => {
  it('rejects an empty body with no attachment', () => {
    const u = understandMail(mail({ text: '\n-- \n王芳' }), { timeZone: TZ });
    expect(u).toMatchObject({ kind: 'invalid', flags: ['empty_body'] });
    expect(u.reason).toMatch(/正文为空/);
  });

  it('rejects a mail with neither subject nor body, even with an attachment', () => {
    const u = understandMail(mail({ subject: '', text: '', attachments: [photo] }), { timeZone: TZ });
    expect(u).toMatchObject({ kind: 'invalid', flags: ['empty_mail'] });
    expect(u.reason).toMatch(/只有附件/);
  });
});

describe('findIgnorable', () => {
  const cases: [string, Partial<MailInput>, string][] = [
    ['Auto-Submitted', { headers: { 'auto-submitted': 'auto-replied' } }, 'auto_reply'],
    ['auto-generated', { headers: { 'auto-submitted': 'auto-generated' } }, 'auto_reply'],
    ['X-Autoreply', { headers: { 'x-autoreply': 'yes' } }, 'auto_reply'],
    ['自动回复 subject', { subject: '自动回复：七年级家长会' }, 'auto_reply'],
    ['Automatic reply subject', { subject: 'Automatic reply: R-2026-0042' }, 'auto_reply'],
    ['Out of Office', { subject: 'Out of Office: 家长会' }, 'auto_reply'],
    ['自动回复 alone', { subject: '自动回复' }, 'auto_reply'],
    ['【自动回复】', { subject: '【自动回复】R-2026-0042' }, 'auto_reply'],
    ['自动回复 before Re: without colon', { subject: '自动回复 Re: 【R-2026-0042】家长会' }, 'auto_reply'],
    ['自动答复 after 答复:', { subject: '答复: 自动答复: 家长会' }, 'auto_reply'],
    ['Out of Office AutoReply', { subject: 'Out of Office AutoReply: 家长会' }, 'auto_reply'],
    ['AutoReply after RE:', { subject: 'RE: AutoReply: 家长会' }, 'auto_reply'],
    ['休假 before Re:', { subject: '休假 Re: 家长会' }, 'auto_reply'],
    ['Abwesenheitsnotiz', { subject: 'Abwesenheitsnotiz: AW: 家长会' }, 'auto_reply'],
    ['X-Autorespond', { headers: { 'x-autorespond': 'vacation' } }, 'auto_reply'],
    ['Precedence auto_reply', { headers: { precedence: 'auto_reply' } }, 'auto_reply'],
    ['X-Auto-Response-Suppress All', { headers: { 'x-auto-response-suppress': 'All' } }, 'auto_reply'],
    ['X-MS-Exchange-Inbox-Rules-Loop', { headers: { 'x-ms-exchange-inbox-rules-loop': 'a@school.test' } }, 'auto_reply'],
    ['MDN', { headers: { 'content-type': 'multipart/report; report-type=disposition-notification; boundary="x"' } }, 'bounce'],
    ['null Return-Path', { headers: { 'return-path': '<>' } }, 'bounce'],
    ['Precedence junk', { headers: { precedence: 'junk' } }, 'bulk'],
    ['List-Post', { headers: { 'list-post': '<mailto:a@lists.test>' } }, 'bulk'],
    ['DSN', { headers: { 'content-type': 'multipart/report; report-type=delivery-status; boundary="x"' } }, 'bounce'],
    ['mailer-daemon', { from: { address: 'MAILER-DAEMON@school.test' } }, 'bounce'],
    ['postmaster', { from: { address: 'postmaster@school.test' } }, 'bounce'],
    ['Precedence bulk', { headers: { precedence: 'bulk' } }, 'bulk'],
    ['Precedence list', { headers: { precedence: 'list' } }, 'bulk'],
    ['List-Id', { headers: { 'list-id': '<weekly.edu-news.test>' } }, 'bulk'],
  ];
  it.each(cases)('%s', (_name, over, flag) => {
    const found = findIgnorable(mail(over));
    expect(found?.flag).toBe(flag);
    expect(understandMail(mail(over), { timeZone: TZ })).toMatchObject({ kind: 'ignored', flags: [flag] });
  });

  it('does not ignore mail from a person', () => {
    expect(findIgnorable(mail({ headers: { 'auto-submitted': 'no' } }))).toBeUndefined();
    // Only the values Exchange puts on its automatic replies count; "DR" alone asks for no delivery reports.
    expect(findIgnorable(mail({ headers: { 'x-auto-response-suppress': 'DR' } }))).toBeUndefined();
    expect(findIgnorable(mail({ subject: '休假安排通知' }))).toBeUndefined();
    expect(findIgnorable(mail({ subject: 'Re: 自动回复功能使用说明' }))).toBeUndefined();
    expect(findIgnorable(mail({ subject: 'Outstanding teachers' }))).toBeUndefined();
    expect(findIgnorable(mail({ headers: { precedence: 'first-class' } }))).toBeUndefined();
    // 外出 starts many real subjects: only "外出：" (an out-of-office notice) is automatic.
    expect(findIgnorable(mail({ subject: '外出研学活动安全教育' }))).toBeUndefined();
    expect(findIgnorable(mail({ subject: '自动回复功能使用说明' }))).toBeUndefined();
  });

  it('names the header in the reason', () => {
    expect(findIgnorable(mail({ headers: { 'auto-submitted': 'auto-replied' } }))?.reason).toBe(
      '自动回复邮件，不处理（Auto-Submitted: auto-replied）',
    );
  });
});

describe('understandMail: properties', () => {
  const text = fc.string({ unit: fc.constantFrom(...'同意不退回请修改今天下午3点11月26日R-2026-0042【紧急】#安全管理>：:\n -发自我的iPhone回复Re'), maxLength: 60 });

  it('always gives a consistent answer: reason only for ignored/invalid, intent only for replies, event time only for reports', () => {
    fc.assert(
      fc.property(text, text, fc.option(text, { nil: null }), fc.boolean(), (subject, body, html, threaded) => {
        const u = understandMail(mail({ subject, text: body, html, inReplyTo: threaded ? '<x@y>' : null }), { timeZone: TZ });
        expect(['report', 'reply', 'ignored', 'invalid']).toContain(u.kind);
        expect(u.reason !== null).toBe(u.kind === 'ignored' || u.kind === 'invalid');
        expect(u.intent !== null).toBe(u.kind === 'reply');
        expect(u.eventTime !== null).toBe(u.kind === 'report');
        expect(u.reportId !== null).toBe(u.kind === 'reply' || u.flags.includes('empty_reply'));
      }),
    );
  });

  it('never approves a reply whose new text says 不同意', () => {
    fc.assert(
      fc.property(text, text, (before, after) => {
        const u = understandMail(mail({ subject: '回复：R-2026-0042', text: `${before.replace(/\n/g, '')}不同意${after}` }), { timeZone: TZ });
        expect(u.intent).not.toBe('approve');
      }),
    );
  });
});
