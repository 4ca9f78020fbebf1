// Mail loops die out. A liaison's mailbox forwards everything it receives to the shared inbox: a real SMTP
// server (the school's outgoing server in the test) hands every mail for 刘芳 to a forwarding rule that
// APPENDs it back into the real Dovecot inbox, the way mailbox rules forward (as a redirect that keeps our
// headers, as an inline "Fwd:" and as a copy under the same subject). The real intake (IMAP IDLE) and the
// real workflow run. At most 3 automatic answers reach her, then silence, and her real report still goes through.
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { handleMail, type IntakeDeps } from '../../intake/handle.js';
import { MailboxWatcher } from '../../intake/mailbox.js';
import { SECRET, startHarness, type Harness } from '../support/baosong.js';
import { DEFAULT_TEST_USER, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { mail } from '../support/mails.js';
import type { CaughtMail } from '../support/smtp.js';
import { createTestEnv } from '../support/temporal.js';
import { until as waitUntil } from '../support/waiting.js';


let env: TestWorkflowEnvironment;
let h: Harness;
let dovecot: TestDovecot;
let watcher: MailboxWatcher;
let deps: IntakeDeps;
const user = DEFAULT_TEST_USER.user;
const liufang = '刘芳 <liufang@school.test>';
const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

/** How 刘芳's mailbox forwards one mail, by turns. */
function forwarded(m: CaughtMail, n: number): Buffer {
  const id = `<fwd-${n}-${randomUUID()}@school.test>`;
  const date = new Date().toUTCString();
  switch (n % 3) {
    case 0: // a server-side redirect: the mail as it was, with Resent- fields on top
      return Buffer.concat([Buffer.from(`Resent-From: liufang@school.test\r\nResent-To: ${user}\r\nResent-Date: ${date}\r\nResent-Message-ID: ${id}\r\n`), m.raw]);
    case 1: // an inline forward written as a new message
      return mail({
        from: liufang,
        to: user,
        subject: `Fwd: ${m.subject}`,
        messageId: id,
        body: `---------- Forwarded message ---------\nFrom: 信息报送 <baosong@school.test>\nDate: ${date}\nSubject: ${m.subject}\nTo: 刘芳 <liufang@school.test>\n\n${m.text}`,
      });
    default: // a copy under the same subject, the text inlined unquoted, the thread kept
      return Buffer.from(
        [`From: ${b64('刘芳')} <liufang@school.test>`, `To: ${user}`, `Subject: ${b64(m.subject)}`, `Date: ${date}`, `Message-ID: ${id}`, `References: ${m.messageId}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(m.text).toString('base64'), ''].join('\r\n'),
      );
  }
}

let forwards = 0;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  dovecot = await startDovecot();
  deps = { config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET };
  watcher = new MailboxWatcher({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user, pass: DEFAULT_TEST_USER.password },
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    handle: (message) => handleMail(deps, message),
  });
  await watcher.start();
  h.smtp.onMail((m) => {
    if (!m.to.includes('liufang@school.test')) return;
    void dovecot.append(user, 'INBOX', forwarded(m, forwards++));
  });
});

afterAll(async () => {
  await watcher?.stop();
  await dovecot?.stop();
  await h?.close();
  await env?.teardown();
});


const toLiufang = () => h.smtp.mails.filter((m) => m.to.includes('liufang@school.test'));
const answers = () => toLiufang().filter((m) => m.kind === 'notice' || m.kind === 'refused');

describe('an auto-forwarding mailbox', () => {
  it('answers at most 3 times, then silence; the liaison’s real report still goes through and every mail is filed', async () => {
    // An unusable mail starts it: baosong answers with a notice, which her mailbox sends straight back.
    await dovecot.append(user, 'INBOX', mail({ from: liufang, subject: '【教育教学】', body: '' }));
    await until('the first notice', () => Promise.resolve(answers().length >= 1));
    // Her real report in the middle of it.
    const reportId = `<real-${randomUUID()}@school.test>`;
    await dovecot.append(user, 'INBOX', mail({ from: liufang, subject: '【家校共育】七年级家长会', body: '今天下午召开七年级家长会，到会家长 300 余人。', messageId: reportId }));
    const [receipt] = await h.smtp.waitFor((m) => m.kind === 'receipt' && m.inReplyTo === reportId, 1, 30_000);
    // Let the forwards run; then the count must stand still.
    await until('every forward filed', async () => {
      const inbox = await dovecot.list(user, 'INBOX');
      return forwards >= 3 && inbox.length === 0;
    });
    const settled = toLiufang().length;
    await new Promise((r) => setTimeout(r, 4000));
    expect(toLiufang().length).toBe(settled);
    expect(answers().length).toBeLessThanOrEqual(3);
    expect(forwards).toBe(toLiufang().length);

    // Nothing lost: the report is in review with its review request out; every mail sits in Processed or Quarantine.
    const report = await h.readModel.getReport(receipt!.reportId!);
    expect(report?.status).toBe('in_review');
    expect(h.smtp.mails.some((m) => m.reportId === receipt!.reportId && m.kind === 'review_request')).toBe(true);
    const processed = await Promise.all((await dovecot.list(user, 'Processed')).map(async (m) => (await simpleParser(m.raw)).messageId));
    const quarantined = await dovecot.list(user, 'Quarantine');
    expect(processed).toContain(reportId);
    expect(processed.length + quarantined.length).toBe(2 + forwards);
    // Only one report was made: no forward became a report of its own.
    expect(h.smtp.mails.filter((m) => m.kind === 'receipt')).toHaveLength(1);
  });
});

describe('the notice limit', () => {
  it('a fourth unusable mail in an hour from one address is quarantined unanswered; the office is told once', async () => {
    const sender = '王建国 <wangjianguo@school.test>';
    const before = h.smtp.mails.length;
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await handleMail(deps, { uid: 1000 + i, raw: mail({ from: sender, subject: `回复：没有编号的邮件 ${i}`, body: '请看' }), internalDate: new Date(), size: 100 }));
    expect(results.every((r) => r.folder === 'quarantine')).toBe(true);
    expect(results.slice(3).every((r) => r.folder === 'quarantine' && /not answered: 3 automatic answers to wangjianguo@school\.test/.test(r.reason))).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const sent = h.smtp.mails.slice(before);
    expect(sent.filter((m) => m.kind === 'notice' && m.to.includes('wangjianguo@school.test'))).toHaveLength(3);
    const office = sent.filter((m) => m.kind === 'notice_limit');
    expect(office.map((m) => m.to[0]).sort()).toEqual(['xieyutong@school.test', 'zhouxiaomei@school.test']);
    expect(office[0]!.text).toMatch(/wangjianguo@school\.test/);
  });
});

/** This file's patience: 30_000 ms, looking every 200 ms. */
function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return waitUntil(what, probe, timeoutMs, 200);
}
