// A report whose review runs into a year with no holiday schedule yet (only the law's holidays): the liaison's
// receipt, the reviewer's request and the status page say the due time is provisional, and the office
// dashboard carries a banner asking for the schedule. Through the real workflow, SMTP and Chromium.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import type { WebServer } from '../../web/server.js';
import { renderMail } from '../../templates/render.js';
import { launchChromium, overflowsHorizontally, PHONE, screenshots } from '../support/browser.js';
import { startHarness, startHarnessWeb, waitForStatus, type Harness } from '../support/baosong.js';
import type { CaughtMail } from '../support/smtp.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';
import { REPORT, TZ } from '../templates/fixtures.js';

const PROVISIONAL_ZH = '暂定：该年度的放假安排尚未录入，公布后此时限可能调整';
let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let base: string;
let browser: Browser;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  ({ web, base } = await startHarnessWeb(h));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await h?.close();
  await env?.teardown();
});

const linksIn = (mail: CaughtMail) => [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));

describe('a provisional review deadline, as people see it', () => {
  it('the templates say so only when it is provisional, in the school’s language', () => {
    const data = { schoolName: '青禾市第一实验中学', recipientName: '刘芳', report: REPORT, deadline: REPORT.reviewDueAt, sentAt: REPORT.receivedAt, step: { index: 1, count: 2, kind: 'department_head' as const } };
    expect(renderMail('receipt', { ...data, deadlineProvisional: true }, { locale: 'zh-CN', timeZone: TZ }).text).toContain(PROVISIONAL_ZH);
    expect(renderMail('reminder', { ...data, deadlineProvisional: true }, { locale: 'zh-CN', timeZone: TZ }).text).toContain(PROVISIONAL_ZH);
    expect(renderMail('receipt', { ...data, deadlineProvisional: true }, { locale: 'en', timeZone: TZ }).text).toContain("provisional: that year's holiday schedule is not known yet");
    expect(renderMail('receipt', data, { locale: 'zh-CN', timeZone: TZ }).text).not.toContain('暂定');
  });

  it('receipt, review request and status page of a report received on 31 December; the dashboard banner', async () => {
    const t0 = new Date('2026-12-31T16:00:00+08:00');
    await advanceTo(env, t0);
    const { reportId, handle } = await h.submit({
      origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` },
      from: { name: '刘芳', email: 'liufang@school.test' },
      category: '校园文化',
      urgency: 'routine',
      title: '元旦文艺汇演',
      body: '12月31日下午，学校举行迎新年文艺汇演。',
      eventTime: t0,
      receivedAt: t0,
      attachments: [],
    });
    const status = await waitForStatus(handle, (s) => s.status === 'in_review');
    expect(status.deadlines).toMatchObject({ reviewDueAt: '2027-01-04T08:00:00.000Z', reviewDueProvisional: true });
    const [receipt] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'receipt');
    expect(receipt!.text).toContain(PROVISIONAL_ZH);
    const [request] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');
    expect(request!.text).toContain(PROVISIONAL_ZH);

    const page: Page = await (await browser.newContext({ viewport: PHONE })).newPage();
    await page.goto(linksIn(receipt!).find((l) => l.includes('/status/'))!);
    expect(await page.textContent('main')).toContain('暂定：该年度的放假安排尚未录入，公布后可能调整');
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshots(page, 'calendar-provisional-status');

    // The office signs in (link by mail) and sees the banner.
    const office: Page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await office.goto(`${base}/office/signin`);
    await office.fill('#email', 'zhouxiaomei@school.test');
    await office.click('button[type=submit]');
    const [signin] = await h.smtp.waitFor((m) => m.kind === 'signin');
    await office.goto(linksIn(signin!).find((l) => l.includes('/office/signin/'))!);
    await office.click('#sign-in');
    await office.waitForSelector('#calendar-notice');
    expect(await office.textContent('#calendar-notice')).toMatch(/\d{4} 年的放假安排（含调休）尚未录入，这一年的时限暂按法定节日计算/);
    await screenshots(office, 'calendar-provisional-dashboard');
  });
});
