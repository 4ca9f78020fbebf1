// The demo mailbox in a real browser: a report written as a mail on the page is APPENDed to the demo's private
// Dovecot and taken in by the real IMAP intake, each person's mail shows up in their box (HTML in a sandboxed
// frame), and replies 同意 on the page walk the report to publication. Real worker on our Temporal test server,
// real Dovecot, real SMTP, SQLite. Without Dovecot the page hands mail to the handler and says so.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { startDemoInbox, type DemoInbox } from '../../intake/demo-inbox.js';
import { handleMail } from '../../intake/handle.js';
import type { MailboxLogger } from '../../intake/mailbox.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { SECRET, startHarness, type Harness } from '../support/baosong.js';
import { launchChromium, screenshots } from '../support/browser.js';
import { freePort } from '../support/ports.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let browser: Browser;
let page: Page;
let base: string;
let dataDir: string;
let inbox: DemoInbox;

const quiet: MailboxLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const demoWarnings: string[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  h.config.web = { ...h.config.web, port, baseUrl: base };
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'baosong-demo-'));
  await chmod(dataDir, 0o755); // like a data directory made by `mkdir`: Dovecot's own users must reach its mail dir
  inbox = await startDemoInbox({
    dataDir,
    address: h.config.mail.address,
    handle: (message) => handleMail({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET }, message),
    logger: { ...quiet, warn: (obj, msg) => demoWarnings.push(`${msg} ${JSON.stringify(obj)}`) },
  });
  web = await startWeb({
    config: h.config,
    client: env.client,
    readModel: h.readModel,
    transport: h.transport,
    secret: SECRET,
    port,
    host: '127.0.0.1',
    demoMailbox: {
      sent: () => Promise.resolve(h.smtp.mails.map((m) => m.raw)),
      deliver: inbox.deliver,
      route: inbox.route,
    },
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })).newPage();
  page.on('dialog', (d) => {
    throw new Error(`a script ran on the page: dialog "${d.message()}"`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await inbox?.stop();
  await h?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  await env?.teardown();
});

/** Opens `email`'s box until a mail whose subject contains `text` is there, then opens it. */
async function openMail(email: string, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await page.goto(`${base}/demo/mail?who=${encodeURIComponent(email)}`);
    const link = page.locator('#letters a', { hasText: text });
    if ((await link.count()) > 0) {
      await link.first().click();
      await page.waitForSelector('#letter');
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail "${text}" for ${email}`);
}

describe('the demo mailbox', () => {
  it('walks a report from a mail to publication by replies', async () => {
    await page.goto(`${base}/demo/mail?who=${encodeURIComponent('liufang@school.test')}`);
    expect(inbox.kind, demoWarnings.join('\n')).toBe('imap'); // Debian's dovecot-imapd is installed on the test machine
    expect(await page.textContent('main')).toContain('through a private Dovecot, the real IMAP intake');
    await page.selectOption('#category', '校园文化');
    await page.fill('#subject', '演示：读书节闭幕式');
    await page.fill('#body', '今天下午举行了读书节闭幕式，表彰了十位“阅读之星”。');
    await screenshots(page, '30-demo-mailbox');
    await page.click('#send');
    expect(await page.textContent('#note')).toContain('系统已处理');

    // The receipt in the submitter's box, shown in a sandboxed frame.
    await openMail('liufang@school.test', '演示：读书节闭幕式');
    expect(await page.getAttribute('#letter', 'sandbox')).not.toContain('allow-scripts');
    const frame = page.frameLocator('#letter');
    expect(await frame.locator('body').textContent()).toContain('演示：读书节闭幕式');
    await screenshots(page, '31-demo-receipt');
    // The liaison's receipt asks no decision: no 同意 button, only a reply (a revision, a note).
    expect(await page.locator('#reply-approve').count()).toBe(0);
    expect(await page.locator('#reply-form').count()).toBe(1);

    // The department head replies 同意 from the review request; then the office does.
    await openMail('wangjianguo@school.test', '演示：读书节闭幕式');
    expect(await page.frameLocator('#letter').locator('body').textContent()).toContain('阅读之星');
    await screenshots(page, '32-demo-review-request');
    await page.click('#reply-approve');
    expect(await page.textContent('#note')).toContain('系统已处理');
    const report = (await h.readModel.listReports()).find((r) => r.title === '演示：读书节闭幕式')!;
    for (let i = 0; i < 100 && !h.smtp.mails.some((m) => m.reportId === report.id && m.kind === 'review_request' && m.to.includes('zhouxiaomei@school.test')); i++) await new Promise((r) => setTimeout(r, 100));
    await openMail('zhouxiaomei@school.test', '演示：读书节闭幕式');
    await page.click('#reply-approve');
    expect(await page.textContent('#note')).toContain('系统已处理');

    // Approved, not yet published: the liaison hears 审核通过 (waiting to be published); the editor gets the report.
    await h.smtp.waitFor((m) => m.reportId === report.id && m.kind === 'approved', 2);
    await openMail('liufang@school.test', '审核通过');
    expect(await page.frameLocator('#letter').locator('body').textContent()).toContain('等待发布');
    expect((await h.readModel.getReport(report.id))?.status).toBe('approved');
    // The editor publishes it on the website and replies 已发布 with the page: then it is 已发布, with the link.
    await openMail('xieyutong@school.test', '待发布');
    expect(await page.inputValue('#reply-body')).toBe('已发布 ');
    await page.fill('#reply-body', '已发布 https://www.school.test/news/2026/dushujie.html');
    await screenshots(page, '33-demo-editor-publishes');
    await page.click('#reply-send');
    expect(await page.textContent('#note')).toContain('系统已处理');
    await h.smtp.waitFor((m) => m.reportId === report.id && m.kind === 'published', 2);
    await openMail('liufang@school.test', '已发布');
    expect(await page.frameLocator('#letter').locator('body').textContent()).toContain('https://www.school.test/news/2026/dushujie.html');
    await screenshots(page, '34-demo-published');
    expect((await h.readModel.getReport(report.id))?.status).toBe('published');

    // The four mails written on the page went through IMAP: the intake moved them out of the inbox into Processed.
    const imap = inbox.imap!;
    const client = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.pass }, logger: false, disableAutoIdle: true });
    await client.connect();
    try {
      const processed = await client.status(imap.processedFolder, { messages: true });
      const waiting = await client.status('INBOX', { messages: true });
      expect({ processed: processed && processed.messages, inbox: waiting && waiting.messages }).toEqual({ processed: 4, inbox: 0 });
    } finally {
      await client.logout();
    }
  });

  it('hands mail to the handler directly, and says so, when Dovecot is not installed', async () => {
    const warnings: string[] = [];
    const handled: number[] = [];
    const fallback = await startDemoInbox({
      dataDir: path.join(dataDir, 'fallback'),
      address: h.config.mail.address,
      dovecotBinary: path.join(dataDir, 'no-such-dovecot'),
      handle: (message) => (handled.push(message.size), Promise.resolve({ folder: 'processed' as const })),
      logger: { ...quiet, warn: (_obj, msg) => warnings.push(msg ?? '') },
    });
    try {
      expect(fallback.kind).toBe('direct');
      expect(fallback.route).toBe('未安装 Dovecot：写下的邮件直接交给收件处理程序，与共享收件箱里的邮件走同一段代码。'); // the page's words, Chinese only
      expect(warnings).toEqual([expect.stringContaining('Dovecot is not installed')]);
      expect(await fallback.deliver(Buffer.from('Subject: x\r\n\r\nhello\r\n'))).toEqual({ folder: 'processed' });
      expect(handled).toHaveLength(1);
    } finally {
      await fallback.stop();
    }
  });
});
