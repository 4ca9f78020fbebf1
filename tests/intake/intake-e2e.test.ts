// The whole intake path for real: mail APPENDed to a real Dovecot inbox, the watcher (IDLE) handing it to
// the intake, the report workflow on the Temporal test server, mail caught by a real SMTP server.
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { handleMail } from '../../intake/handle.js';
import { MailboxWatcher } from '../../intake/mailbox.js';
import { statusQuery } from '../../workflows/report.js';
import { SECRET, startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { DEFAULT_TEST_USER, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { mail, replyTo } from '../support/mails.js';
import { createTestEnv } from '../support/temporal.js';
import { until } from '../support/waiting.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let dovecot: TestDovecot;
let watcher: MailboxWatcher;
const user = DEFAULT_TEST_USER.user;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  dovecot = await startDovecot();
  watcher = new MailboxWatcher({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user, pass: DEFAULT_TEST_USER.password },
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    handle: (message) => handleMail({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET }, message),
  });
  await watcher.start();
});

afterAll(async () => {
  await watcher?.stop();
  await dovecot?.stop();
  await h?.close();
  await env?.teardown();
});

const liufang = '刘芳 <liufang@school.test>';
const wangjianguo = '王建国 <wangjianguo@school.test>';

async function messageIdsIn(folder: string): Promise<string[]> {
  const messages = await dovecot.list(user, folder);
  return Promise.all(messages.map(async (m) => (await simpleParser(m.raw)).messageId ?? ''));
}


describe('mail intake through a real IMAP server', () => {
  it('a report mailed in gets its receipt; the review request, answered by a quoted reply, advances it; both mails end in Processed', async () => {
    const messageId = `<${randomUUID()}@school.test>`;
    await dovecot.append(user, 'INBOX', mail({ from: liufang, subject: '【教育教学】七年级公开课周', body: '时间：2026-11-26 15:00\n公开课周顺利结束。', messageId }));
    const [receipt] = await h.smtp.waitFor((m) => m.kind === 'receipt' && m.inReplyTo === messageId);
    const reportId = receipt!.reportId!;
    const [request] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');

    const replyId = `<${randomUUID()}@school.test>`;
    await dovecot.append(user, 'INBOX', replyTo(request!, wangjianguo, '同意，可以发。', { messageId: replyId }));
    const handle = env.client.workflow.getHandle((await h.readModel.getReport(reportId))!.workflowId);
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await until('both mails in Processed', async () => {
      const processed = await messageIdsIn('Processed');
      return processed.includes(messageId) && processed.includes(replyId);
    });
    expect(await messageIdsIn('INBOX')).toEqual([]);
  });

  it('a duplicate delivery makes one report; a 30 MB attachment is refused with a reply and kept in Quarantine', async () => {
    const messageId = `<${randomUUID()}@school.test>`;
    const raw = mail({ from: liufang, subject: '【校园文化】读书节（重复投递）', body: '读书节开幕。', messageId });
    await dovecot.append(user, 'INBOX', raw);
    await dovecot.append(user, 'INBOX', raw);
    const bigId = `<${randomUUID()}@school.test>`;
    await dovecot.append(user, 'INBOX', mail({ from: liufang, subject: '【校园文化】运动会原图', body: '见附件', messageId: bigId, attachment: { name: 'IMG_2001.jpg', type: 'image/jpeg', content: Buffer.alloc(30 * 1024 * 1024, 3) } }));

    const [notice] = await h.smtp.waitFor((m) => m.kind === 'notice' && m.inReplyTo === bigId, 1, 60_000);
    expect(notice!.text).toMatch(/超过 25 MB/);
    await until('the duplicate handled', async () => (await messageIdsIn('Processed')).filter((id) => id === messageId).length === 2);
    expect(h.smtp.mails.filter((m) => m.kind === 'receipt' && m.inReplyTo === messageId)).toHaveLength(1);
    expect(await messageIdsIn('Quarantine')).toContain(bigId);
  });

  it('Dovecot restarted mid-stream: every report is made once, no mail is lost or left behind', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = `<restart-${i}-${randomUUID()}@school.test>`;
      ids.push(id);
      await dovecot.append(user, 'INBOX', mail({ from: liufang, subject: `【教育教学】重启测试 ${i}`, body: `第 ${i} 份。`, messageId: id }));
      if (i === 7) await dovecot.restart({ downMs: 500 });
    }
    await until('all 20 in Processed', async () => {
      const processed = await messageIdsIn('Processed');
      return ids.every((id) => processed.includes(id));
    }, 60_000);
    const processed = await messageIdsIn('Processed');
    for (const id of ids) expect(processed.filter((p) => p === id)).toHaveLength(1);
    expect(await messageIdsIn('INBOX')).toEqual([]);
    await until('20 receipts', () => Promise.resolve(ids.every((id) => h.smtp.mails.some((m) => m.kind === 'receipt' && m.inReplyTo === id))));
    for (const id of ids) expect(h.smtp.mails.filter((m) => m.kind === 'receipt' && m.inReplyTo === id)).toHaveLength(1);
    expect(watcher.health().state).not.toBe('disconnected');
    const any = h.smtp.mails.find((m) => m.kind === 'receipt' && m.inReplyTo === ids[0]);
    const status = await env.client.workflow.getHandle((await h.readModel.getReport(any!.reportId!))!.workflowId).query(statusQuery);
    expect(status.status).toBe('in_review');
  });
});
