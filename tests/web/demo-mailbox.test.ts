// The demo mailbox in a real browser: a report written as a mail on the page goes through the intake's
// own handler, each person's mail shows up in their box (HTML in a sandboxed frame), and replies 同意 on
// the page walk the report to publication. Real worker on our Temporal test server, real SMTP, SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { handleMail } from '../../intake/handle.js';
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

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  h.config.web = { ...h.config.web, port, baseUrl: base };
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
      deliver: (raw) => handleMail({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET }, { uid: 0, raw, internalDate: new Date(), size: raw.length }),
      route: '（测试：直接交给收件处理程序）',
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
  await h?.close();
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
    expect(await page.textContent('main')).toContain('直接交给收件处理程序');
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

    // Published: the editor got the report first, the submitter is told.
    await h.smtp.waitFor((m) => m.reportId === report.id && m.kind === 'published', 2);
    await openMail('xieyutong@school.test', '待发布');
    await openMail('liufang@school.test', '已发布');
    await screenshots(page, '33-demo-published');
    expect((await h.readModel.getReport(report.id))?.status).toBe('published');
  });
});
