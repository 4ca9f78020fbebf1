// Chinese all the way (issue 18 §5): every mail and every page a teacher, a leader or the office reads in
// zh-CN, walked and searched for Latin words. Addresses, links, report numbers, file names and a short list of
// names and units people know are allowed; anything else is English that leaked. Pages as Chromium shows them
// (innerText), mails as their text parts; real worker, SMTP, SQLite and web server.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderExpectedMail } from '../../templates/expected.js';
import { PHRASES } from '../../templates/strings.js';
import { WEB_STRINGS } from '../../web/strings.js';
import { MAIL_KINDS, renderMail, renderNotice, renderSignIn } from '../../templates/render.js';
import type { WebServer } from '../../web/server.js';
import { startHarness, startHarnessWeb, waitForStatus, type Harness } from '../support/baosong.js';
import { launchChromium, PHONE } from '../support/browser.js';
import type { CaughtMail } from '../support/smtp.js';
import { createTestEnv } from '../support/temporal.js';
import { SAMPLES, TZ } from '../templates/fixtures.js';

/** Words people know in Latin letters: product and file names, units. */
const ALLOWED = new Set(['baosong', 'QQ', 'WPS', 'Word', 'Excel', 'PDF', 'pdf', 'jpg', 'JPG', 'jpeg', 'png', 'PNG', 'docx', 'xlsx', 'CSV', 'csv', 'JPEG', 'HEIC', 'WebP', 'MB', 'KB', 'IT', 'English', 'zh-CN', 'en']);

/** Latin words in `text` that are not an address, a link, a report number, a file name or an allowed word. */
export function latinWords(text: string): string[] {
  const cleaned = text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[\w.+-]+@[\w.-]+/g, ' ')
    .replace(/R-\d{4}-\d{4,}/g, ' ')
    .replace(/[\w\u4e00-\u9fff（）()-]+\.(jpe?g|png|pdf|docx?|xlsx?|heic|webp|gif|txt|eml)\b/gi, ' ');
  return [...new Set((cleaned.match(/[A-Za-z][A-Za-z'-]*/g) ?? []).filter((w) => !ALLOWED.has(w)))];
}

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  ({ web, base } = await startHarnessWeb(h));
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: PHONE, locale: 'zh-CN' })).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await h?.close();
  await env?.teardown();
});

const linksIn = (m: CaughtMail) => [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => (x[1] ?? '').replace(/&amp;/g, '&'));

describe('no English in what people read in zh-CN', () => {
  it('Chinese punctuation in the Chinese words of pages and mails (，；？！（）, not , ; ? ! ( ) beside Chinese)', () => {
    const ascii = /[\u4e00-\u9fff][,;?!()]|[,;?!(][\u4e00-\u9fff]|[\u4e00-\u9fff]:(?!分)|:[\u4e00-\u9fff](?<!时:分)/;
    const found = [...Object.entries(WEB_STRINGS['zh-CN']), ...Object.entries(PHRASES['zh-CN'])].filter(([, v]) => ascii.test(String(v))).map(([k, v]) => `${k}: ${String(v)}`);
    expect(found).toEqual([]);
  });

  it('every mail template', () => {
    const found: string[] = [];
    const check = (what: string, text: string) => {
      const words = latinWords(text);
      if (words.length > 0) found.push(`${what}: ${words.join(' ')}`);
    };
    for (const kind of MAIL_KINDS) {
      const m = renderMail(kind, SAMPLES[kind], { locale: 'zh-CN', timeZone: TZ });
      check(kind, `${m.subject}\n${m.text}`);
    }
    const n = renderNotice({ schoolName: '青禾市第一实验中学', recipientName: '刘芳', originalSubject: '运动会照片', reason: '邮件大小 26.0 MB，超过 25 MB 的上限。', advice: '请压缩照片后重新发送。' }, { locale: 'zh-CN', timeZone: TZ });
    check('notice', `${n.subject}\n${n.text}`);
    const s = renderSignIn({ schoolName: '青禾市第一实验中学', recipientName: '周晓梅', link: 'https://baosong.school.test/office/signin/x', expiresAt: '2026-12-05T08:00:00Z' }, { locale: 'zh-CN', timeZone: TZ });
    check('signin', `${s.subject}\n${s.text}`);
    for (const kind of ['expected_reminder', 'missing'] as const) {
      const e = renderExpectedMail(kind, { schoolName: '青禾市第一实验中学', recipientName: '刘芳', departmentName: '教务处', title: '校园开放日', eventEnd: '2026-12-04T03:30:00Z', dueAt: '2026-12-07T03:30:00Z' }, { locale: 'zh-CN', timeZone: TZ });
      check(kind, `${e.subject}\n${e.text}`);
    }
    expect(found).toEqual([]);
  });

  it('the pages of a report’s life: form, status, reviewer, office sign-in, dashboard, report, and errors', async () => {
    const found: string[] = [];
    const visit = async (what: string, url: string) => {
      await page.goto(url);
      const words = latinWords(await page.locator('body').innerText());
      if (words.length > 0) found.push(`${what}: ${words.join(' ')}`);
    };
    const now = new Date();
    const r = await h.submit({ origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` }, from: { name: '刘芳', email: 'liufang@school.test' }, category: '教育教学', urgency: 'routine', title: '七年级数学公开课', body: '今天上午，七年级数学组在 301 教室举行公开课。', eventTime: now, receivedAt: now, attachments: [] });
    const [receipt] = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'receipt');
    const [request] = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'review_request');
    await visit('submit', `${base}/submit`);
    await visit('status', linksIn(receipt!).find((l) => l.includes('/status/'))!);
    await visit('review', linksIn(request!).find((l) => l.endsWith('?do=approve'))!);
    await visit('404', `${base}/nowhere`);
    await visit('bad review link', `${base}/review/garbage`);
    await visit('office sign-in', `${base}/office/signin`);
    await page.fill('#email', 'zhouxiaomei@school.test');
    await page.click('button[type=submit]');
    const [signin] = await h.smtp.waitFor((m) => m.kind === 'signin');
    await page.goto(linksIn(signin!).find((l) => l.includes('/office/signin/'))!);
    await page.click('#sign-in');
    await waitForStatus(r.handle, (st) => st.status === 'in_review');
    await visit('dashboard', `${base}/office`);
    await visit('report page', `${base}/office/reports/${r.reportId}`);
    expect(found).toEqual([]);
  });
});
