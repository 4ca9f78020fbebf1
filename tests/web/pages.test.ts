// The web pages in a real browser (Debian's Chromium through playwright-core) against the real web
// server on a loopback port, the real worker on our Temporal test server, a real SMTP server and SQLite.
// Screenshots of each page, desktop and phone width, go to test-output/web/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, ReadModel } from '../../db/index.js';
import { formatIsoInZone } from '../../domain/time.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { attachmentPath } from '../../storage/attachments.js';
import { fileUrl, reviewUrls } from '../../mail/links.js';
import { reviseSignal, statusQuery } from '../../workflows/report.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { launchChromium, overflowsHorizontally, PHONE, screenshots } from '../support/browser.js';
import { png } from '../support/images.js';
import { SECRET, startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import type { CaughtMail } from '../support/smtp.js';
import { freePort } from '../support/ports.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;

const LIAISON = 'liufang@school.test'; // 刘芳, liaison of 教务处 (jiaowu); head 王建国
const HEAD = 'wangjianguo@school.test';
const OFFICE = 'zhouxiaomei@school.test';
const EDITOR = 'xieyutong@school.test'; // publish.editorEmail of the example school

/** A small real JPEG header plus bytes: enough for the type check. */
const jpeg = (size: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]), Buffer.alloc(size - 10, 0x55)]);

const mailsAbout = (reportId: string, kind: string) => (m: CaughtMail) => m.reportId === reportId && m.kind === kind;

function linksIn(mail: CaughtMail): string[] {
  return [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
}

async function fillForm(p: Page, fields: { title: string; body?: string; category?: string; urgency?: string; files?: { name: string; mimeType: string; buffer: Buffer }[] }) {
  await p.goto(`${base}/submit`);
  await p.fill('#email', LIAISON);
  await p.selectOption('#category', fields.category ?? '校园文化');
  await p.selectOption('#urgency', fields.urgency ?? 'routine');
  await p.fill('#title', fields.title);
  await p.fill('#body', fields.body ?? '今天下午在报告厅举行了读书节开幕式。\n全体七年级学生参加。');
  if (fields.files) await p.setInputFiles('#files', fields.files);
}

async function reportByTitle(title: string) {
  const rows = (await h.readModel.listReports()).filter((r) => r.title === title);
  return rows;
}

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The links in mail must point at this server; limits small so the over-size case is quick.
  h.config.web = { ...h.config.web, port, baseUrl: base };
  h.config.mail.limits = { ...h.config.mail.limits, maxAttachmentMB: 1, maxMailMB: 3 };
  web = await startWeb({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET, logger: { info: () => {}, warn: (m) => console.warn(m), error: (m) => console.error(m) }, port, host: '127.0.0.1', rateLimits: { submit: 100, signIn: 20 } });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  page = await context.newPage();
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

describe('submitting from the form', () => {
  let reportId = '';

  it('a report with a photo: confirmation with number and status link, receipt at the SMTP server, workflow running', async () => {
    await fillForm(page, { title: '读书节开幕式（网页报送）', files: [{ name: '开幕式 现场.jpg', mimeType: 'image/jpeg', buffer: jpeg(40_000) }] });
    await screenshots(page, '01-submit-form');
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.click('button[type=submit]');
    await page.waitForSelector('#submitted');
    const text = await page.textContent('#submitted');
    reportId = /R-\d{4}-\d{4,}/.exec(text ?? '')?.[0] ?? '';
    expect(reportId).not.toBe('');
    const link = await page.getAttribute('#status-link', 'href');
    expect(link).toMatch(new RegExp(`^${base}/status/${reportId}/[A-Za-z0-9_-]{22}$`));
    await screenshots(page, '02-confirmation-and-status');

    const [receipt] = await h.smtp.waitFor(mailsAbout(reportId, 'receipt'));
    expect(receipt!.to).toEqual([LIAISON]);
    expect(receipt!.subject).toContain('读书节开幕式（网页报送）');
    expect(linksIn(receipt!)).toContain(link);
    expect(linksIn(receipt!).some((l) => l.includes('/review/'))).toBe(false); // only reviewers get reviewer links

    const row = (await h.readModel.getReport(reportId))!;
    expect(row).toMatchObject({ origin: 'web', departmentId: 'jiaowu', category: '校园文化', submitterEmail: LIAISON });
    const status = await env.client.workflow.getHandle(row.workflowId).query(statusQuery);
    expect(status).toMatchObject({ status: 'in_review', step: { index: 0, kind: 'department_head' } });
    const files = await h.readModel.attachmentsFor(reportId);
    expect(files).toEqual([expect.objectContaining({ filename: '开幕式 现场.jpg', contentType: 'image/jpeg', size: 40_000 })]);
    expect(existsSync(attachmentPath(h.config.dataDir, files[0]!.sha256))).toBe(true);
  });

  it('the status page shows state, holder, deadlines with time left, and the timeline', async () => {
    const link = (await page.getAttribute('#status-link', 'href'))!;
    await page.goto(link);
    expect(await page.textContent('#status')).toBe('审核中');
    expect(await page.textContent('#holders')).toContain('王建国');
    const body = (await page.textContent('main'))!;
    expect(body).toMatch(/审核截止.*还剩/);
    expect(await page.locator('#timeline li').first().textContent()).toContain('收到报送');
    expect(body).toContain('请求审核');
    await screenshots(page, '03-status');
    expect(await overflowsHorizontally(page)).toBe(false);
    // A forged token is refused plainly.
    const bad = await page.goto(link.replace(/\/[^/]+$/, '/AAAAAAAAAAAAAAAAAAAAAA'));
    expect(bad!.status()).toBe(404);
    expect(await page.textContent('main')).toContain('链接无效');
  });

  it('a double click makes one report with one receipt', async () => {
    const title = '家长开放日（连点两次）';
    await fillForm(page, { title, category: '家校共育' });
    await page.dblclick('button[type=submit]');
    await page.waitForSelector('#submitted');
    const reportId2 = /R-\d{4}-\d{4,}/.exec((await page.textContent('#submitted')) ?? '')![0];
    await h.smtp.waitFor(mailsAbout(reportId2, 'receipt'));
    await new Promise((r) => setTimeout(r, 500));
    expect(await reportByTitle(title)).toHaveLength(1);
    expect(h.smtp.mails.filter(mailsAbout(reportId2, 'receipt'))).toHaveLength(1);
  });

  it('the same form posted twice at once (Chromium sends a double click once; a slow network may not) is one report', async () => {
    const title = '同一表单同时提交两次';
    await fillForm(page, { title, files: [{ name: '同一张.jpg', mimeType: 'image/jpeg', buffer: jpeg(5000) }] });
    const sid = await page.inputValue('input[name=sid]');
    const csrf = await page.inputValue('input[name=csrf]');
    const form = { csrf, sid, email: LIAISON, department: '', category: '校园文化', urgency: 'routine', eventTime: localNow(), title, body: '两次提交。', files: { name: '同一张.jpg', mimeType: 'image/jpeg', buffer: jpeg(5000) } };
    const [a, b] = await Promise.all([0, 1].map(() => context.request.post(`${base}/submit`, { multipart: form, maxRedirects: 0 })));
    expect([a!.status(), b!.status()]).toEqual([303, 303]);
    expect(a!.headers().location).toBe(b!.headers().location);
    const reportId = /R-\d{4}-\d{4,}/.exec(a!.headers().location!)![0];
    await h.smtp.waitFor(mailsAbout(reportId, 'receipt'));
    await new Promise((r) => setTimeout(r, 500));
    expect(await reportByTitle(title)).toHaveLength(1);
    expect(h.smtp.mails.filter(mailsAbout(reportId, 'receipt'))).toHaveLength(1);
    expect(await h.readModel.attachmentsFor(reportId)).toHaveLength(1);
  });

  it('replaying the exact same POST (reload) lands on the same report', async () => {
    await fillForm(page, { title: '重新加载也只报一次' });
    const sid = await page.inputValue('input[name=sid]');
    const csrf = await page.inputValue('input[name=csrf]');
    await page.click('button[type=submit]');
    await page.waitForSelector('#submitted');
    const first = page.url();
    const again = await context.request.post(`${base}/submit`, {
      multipart: { csrf, sid, email: LIAISON, department: '', category: '校园文化', urgency: 'routine', eventTime: localNow(), title: '重新加载也只报一次', body: '同一张表单再次提交。' },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    expect(new URL(again.headers().location!, base).pathname).toBe(new URL(first).pathname);
    expect(await reportByTitle('重新加载也只报一次')).toHaveLength(1);
  });

  it('an uploaded file name with a path is stored by content under a plain name', async () => {
    await fillForm(page, { title: '路径穿越的文件名' });
    const form = { csrf: await page.inputValue('input[name=csrf]'), sid: await page.inputValue('input[name=sid]'), email: LIAISON, department: '', category: '校园文化', urgency: 'routine', eventTime: localNow(), title: '路径穿越的文件名', body: '附件名带路径。', files: { name: '../../../etc/cron.d/evil.jpg', mimeType: 'image/jpeg', buffer: jpeg(3000) } };
    const r = await context.request.post(`${base}/submit`, { multipart: form, maxRedirects: 0 });
    expect(r.status()).toBe(303);
    const [row] = await reportByTitle('路径穿越的文件名');
    const [file] = await h.readModel.attachmentsFor(row!.id);
    expect(file).toMatchObject({ filename: 'evil.jpg', size: 3000 });
    expect(attachmentPath(h.config.dataDir, file!.sha256).startsWith(h.config.dataDir)).toBe(true);
    expect(existsSync(attachmentPath(h.config.dataDir, file!.sha256))).toBe(true);
  });

  it('an XSS title and body show as text, and no script runs', async () => {
    const title = '<img src=x onerror=alert(1)><script>alert(2)</script>运动会';
    await fillForm(page, { title, body: '<b onclick="alert(3)">加粗</b><script>alert(4)</script>正文' });
    await page.click('button[type=submit]');
    await page.waitForSelector('#submitted');
    expect(await page.textContent('#title')).toBe(title);
    expect(await page.locator('#title img, #title script').count()).toBe(0);
    expect(await page.locator('.body script, .body [onclick]').count()).toBe(0);
    expect(await page.textContent('.body')).toContain('加粗');
    await screenshots(page, '04-xss-title-as-text');
  });

  it('an over-size photo gets a clear message and makes no report', async () => {
    await fillForm(page, { title: '超大照片', files: [{ name: '太大了.jpg', mimeType: 'image/jpeg', buffer: jpeg(1_600_000) }] });
    await page.click('button[type=submit]');
    await page.waitForSelector('#errors');
    const message = (await page.textContent('#errors'))!;
    expect(message).toContain('太大了.jpg');
    expect(message).toContain('超过 1 MB 的上限');
    expect(await page.inputValue('#title')).toBe('超大照片'); // what was typed is kept
    await screenshots(page, '05-oversize-upload');
    expect(await reportByTitle('超大照片')).toHaveLength(0);
  });

  it('a file that is not what it claims to be is refused; an unknown address is told so', async () => {
    await fillForm(page, { title: '伪装的图片', files: [{ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('#!/bin/sh\nrm -rf /\n') }] });
    await page.click('button[type=submit]');
    await page.waitForSelector('#errors');
    expect(await page.textContent('#errors')).toContain('类型不支持');
    expect(await page.textContent('#errors')).toContain('内容实际是脚本'); // what the file really is
    // A ZIP renamed to .pdf says what it really is, not only the type it claimed.
    await fillForm(page, { title: '改名的压缩包', files: [{ name: '活动总结.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]) }] });
    await page.click('button[type=submit]');
    await page.waitForSelector('#errors');
    expect(await page.textContent('#errors')).toContain('“活动总结.pdf”的类型不支持：它标为 application/pdf，内容实际是 ZIP 压缩包');
    await screenshots(page, '05b-renamed-file');

    // A refused submission (a stranger) uses up no report number: the next report gets the next number.
    const numberOf = (id: string) => Number(id.split('-')[2]);
    const last = Math.max(...(await h.readModel.listReports()).map((r) => numberOf(r.id)));
    await fillForm(page, { title: '陌生人' });
    await page.fill('#email', 'stranger@example.com');
    await page.click('button[type=submit]');
    await page.waitForSelector('#errors');
    expect(await page.textContent('#errors')).toContain('无法用邮箱 stranger@example.com 提交报送');
    expect(await page.textContent('#errors')).not.toContain('名单'); // says nothing about the school's list
    expect(await reportByTitle('伪装的图片')).toHaveLength(0);
    await fillForm(page, { title: '陌生人之后的下一份' });
    await page.click('button[type=submit]');
    await page.waitForSelector('#submitted');
    const next = /R-\d{4}-\d{4,}/.exec((await page.textContent('#submitted')) ?? '')![0];
    expect(numberOf(next)).toBe(last + 1);
  });

  it('a POST without the CSRF token is refused', async () => {
    const r = await fetch(`${base}/submit`, { method: 'POST', body: formData({ sid: crypto.randomUUID(), email: LIAISON, category: '其他', urgency: 'routine', eventTime: localNow(), title: '跨站伪造', body: 'x' }) });
    expect(r.status).toBe(403);
    expect(await reportByTitle('跨站伪造')).toHaveLength(0);
  });

  it('submit and sign-in are rate limited per client', async () => {
    // Its own database: rate-limit counts are shared through the database, and this file's other tests posted already.
    const database = await openDatabase({ file: join(h.config.dataDir, 'strict.db') });
    await migrateToLatest(database);
    const strict = await startWeb({ config: h.config, client: env.client, readModel: new ReadModel(database), transport: h.transport, secret: SECRET, port: 0, host: '127.0.0.1', rateLimits: { submit: 2, signIn: 2 } });
    try {
      const post = (path: string) => fetch(`${strict.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.c' });
      expect((await post('/office/signin')).status).toBe(403); // no CSRF token, but counted
      expect((await post('/office/signin')).status).toBe(403);
      const third = await post('/office/signin');
      expect(third.status).toBe(429);
      expect(await third.text()).toContain('操作太频繁');
      const submits = [];
      for (let i = 0; i < 3; i++) submits.push((await fetch(`${strict.url}/submit`, { method: 'POST', body: formData({ title: 'x' }) })).status);
      expect(submits).toEqual([403, 403, 429]);
    } finally {
      await strict.close();
      await database.close();
    }
  });

  it('English is available', async () => {
    await page.goto(`${base}/submit?lang=en`);
    expect(await page.textContent('h1')).toBe('Submit a report');
    await screenshots(page, '06-submit-form-en');
    await page.goto(`${base}/submit?lang=zh-CN`);
    expect(await page.textContent('h1')).toBe('填写信息报送');
  });
});

describe('the reviewer page', () => {
  it('a prefetch GET does not act; the Approve button does, through the workflow', async () => {
    await fillForm(page, { title: '校园开放日（审核链接）', files: [{ name: 'a.jpg', mimeType: 'image/jpeg', buffer: jpeg(2000) }] });
    await page.click('button[type=submit]');
    await page.waitForSelector('#submitted');
    const reportId = /R-\d{4}-\d{4,}/.exec((await page.textContent('#submitted')) ?? '')![0];
    const [request] = await h.smtp.waitFor((m) => mailsAbout(reportId, 'review_request')(m) && m.to.includes(HEAD));
    const approve = linksIn(request!).find((l) => l.includes('/review/') && l.endsWith('do=approve'))!;
    const sendBack = linksIn(request!).find((l) => l.endsWith('do=send_back'))!;
    expect(approve.startsWith(`${base}/review/`)).toBe(true);
    expect(sendBack.split('?')[0]).toBe(approve.split('?')[0]);

    // A mail scanner opens both links: nothing happens.
    for (const l of [approve, sendBack]) expect((await fetch(l)).status).toBe(200);
    const row = (await h.readModel.getReport(reportId))!;
    const handle = env.client.workflow.getHandle(row.workflowId);
    await new Promise((r) => setTimeout(r, 500));
    let status = await handle.query(statusQuery);
    expect(status).toMatchObject({ status: 'in_review', step: { index: 0 } });
    expect(status.timeline.map((e) => e.type)).not.toContain('approved');

    // A forged POST without the page's CSRF token: refused, nothing happens.
    const forged = await fetch(approve.split('?')[0]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=approve' });
    expect(forged.status).toBe(403);

    await page.goto(approve);
    expect(await page.textContent('#title')).toBe('校园开放日（审核链接）');
    await screenshots(page, '07-reviewer');
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.click('#approve');
    await page.waitForSelector('.msg.ok');
    expect(await page.textContent('main')).toContain('已同意');
    status = await waitForStatus(handle, (s) => s.step?.index === 1);
    expect(status.step?.kind).toBe('office');
    const approved = status.timeline.find((e) => e.type === 'approved')!;
    expect(approved.actor?.email).toBe(HEAD);
    expect(approved.evidence?.via).toBe('link');
    await screenshots(page, '08-reviewer-done');

    // Used: the same link again says so plainly; so does the send-back one.
    await page.goto(sendBack);
    expect(await page.textContent('main')).toContain('已经通过此链接处理过');
    // The office reviewer now holds the step: their own link works; a link minted for someone else does not.
    const [office] = await h.smtp.waitFor((m) => mailsAbout(reportId, 'review_request')(m) && m.to.includes(OFFICE));
    expect(linksIn(office!).some((l) => l.includes('/review/'))).toBe(true);
    const foreign = reviewUrls(base, { reportId, round: status.round, step: 1, reviewer: LIAISON, issuedAt: new Date(), secret: SECRET });
    const res = await page.goto(foreign.approve);
    expect(res!.status()).toBe(403);
    expect(await page.textContent('main')).toContain(`此链接是发给 ${LIAISON} 的`);
    const expired = reviewUrls(base, { reportId, round: status.round, step: 1, reviewer: OFFICE, issuedAt: new Date(Date.now() - 8 * 86_400_000), secret: SECRET });
    expect((await page.goto(expired.approve))!.status()).toBe(410);
    expect(await page.textContent('main')).toContain('已过期');
    await screenshots(page, '09-reviewer-expired-link');
    const tampered = foreign.approve.replace(/(.)\?do=/, (_m, c: string) => `${c === 'A' ? 'B' : 'A'}?do=`);
    expect((await page.goto(tampered))!.status()).toBe(400);
    expect(await page.textContent('main')).toContain('链接无效');
  });

  it('reviewers see the photos: thumbnails and signed downloads; the review mail carries them up to the cap; the editor gets the final report first', async () => {
    const cap = h.config.mail.attachUpToMB;
    h.config.mail.attachUpToMB = 0.1; // 104 857 bytes: the first photo goes with the mail, the second as a link
    try {
      const first = png(240, 160, { padTo: 60_000 });
      const second = png(240, 160, { padTo: 60_000, seed: 1 });
      await fillForm(page, { title: '科技节作品展（照片）', files: [{ name: '作品展-1.png', mimeType: 'image/png', buffer: first }, { name: '作品展-2.png', mimeType: 'image/png', buffer: second }] });
      await page.click('button[type=submit]');
      await page.waitForSelector('#submitted');
      const reportId = /R-\d{4}-\d{4,}/.exec((await page.textContent('#submitted')) ?? '')![0];
      const statusLink = (await page.getAttribute('#status-link', 'href'))!;

      // The review mail: the first photo attached, both as signed links.
      const [request] = await h.smtp.waitFor((m) => mailsAbout(reportId, 'review_request')(m) && m.to.includes(HEAD));
      expect(request!.parsed.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([['作品展-1.png', 'image/png', first.length]]);
      const fileLinks = linksIn(request!).filter((l) => l.includes('/files/'));
      expect(fileLinks).toHaveLength(2);
      expect(request!.text).toContain('随本邮件附上');
      expect(request!.text).toContain('点击文件名下载');
      const mailed = await fetch(fileLinks[1]!);
      expect(mailed.status).toBe(200);
      expect(Buffer.from(await mailed.arrayBuffer()).equals(second)).toBe(true);

      // The reviewer page shows both as thumbnails the browser really decodes, and links to them.
      const approve = linksIn(request!).find((l) => l.endsWith('do=approve'))!;
      await page.goto(approve);
      expect(await page.locator('#files img').count()).toBe(2);
      await page.waitForFunction('[...document.querySelectorAll("#files img")].every((i) => i.complete && i.naturalWidth === 240)');
      await screenshots(page, '07b-reviewer-photos');
      const href = new URL((await page.locator('#files a.file').nth(1).getAttribute('href'))!, base);
      const download = await fetch(href);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('image/png');
      expect(download.headers.get('content-disposition')).toMatch(/^inline; filename="[^"]*"; filename\*=UTF-8''%E4%BD%9C%E5%93%81%E5%B1%95-2\.png$/);
      expect(download.headers.get('x-content-type-options')).toBe('nosniff');
      expect(download.headers.get('content-security-policy')).toContain('sandbox');
      expect(Buffer.from(await download.arrayBuffer()).equals(second)).toBe(true);
      // Tampered, expired, or for another report: no file.
      const token = href.pathname.split('/')[2]!;
      expect((await fetch(new URL(href.pathname.replace(token, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), base))).status).toBe(404);
      const sha = (await h.readModel.attachmentsFor(reportId))[0]!.sha256;
      expect((await fetch(`${base}${fileUrl('', { reportId, sha256: sha, filename: 'x.png', issuedAt: new Date(Date.now() - 8 * 86_400_000), secret: SECRET })}`)).status).toBe(410);
      expect((await fetch(`${base}${fileUrl('', { reportId: 'R-2026-9999', sha256: sha, filename: 'x.png', issuedAt: new Date(), secret: SECRET })}`)).status).toBe(404);

      // The status page too.
      await page.goto(statusLink);
      expect(await page.locator('#files img').count()).toBe(2);
      const fromStatus = await fetch(new URL((await page.locator('#files a.file').first().getAttribute('href'))!, base));
      expect(Buffer.from(await fromStatus.arrayBuffer()).equals(first)).toBe(true);

      // Approved by both steps: the website editor's mail comes before the liaison hears 审核通过, with the text, the photo, the facts and the approvals.
      await page.goto(approve);
      await page.click('#approve');
      await page.waitForSelector('.msg.ok');
      const [officeRequest] = await h.smtp.waitFor((m) => mailsAbout(reportId, 'review_request')(m) && m.to.includes(OFFICE));
      await page.goto(linksIn(officeRequest!).find((l) => l.endsWith('do=approve'))!);
      await page.click('#approve');
      await page.waitForSelector('.msg.ok');
      const published = await h.smtp.waitFor(mailsAbout(reportId, 'approved'), 2);
      const [editor] = h.smtp.mails.filter(mailsAbout(reportId, 'publish_request'));
      expect(editor!.to).toEqual([EDITOR]);
      expect(h.smtp.mails.indexOf(editor!)).toBeLessThan(Math.min(...published.map((m) => h.smtp.mails.indexOf(m))));
      expect(editor!.subject).toBe(`【${reportId}】待发布：科技节作品展（照片）`);
      expect(editor!.parsed.attachments.map((a) => a.filename)).toEqual(['作品展-1.png']);
      expect(editor!.text).toContain('今天下午在报告厅举行了读书节开幕式。');
      for (const fact of ['校园文化', '教务处', '刘芳', '王建国 同意', '周晓梅 同意']) expect(editor!.text).toContain(fact);
      expect(editor!.html).not.toContain('/status/'); // not the submitter's private link
      // The liaison and the head hear 审核通过 (waiting to be published), not 已发布: no website has answered.
      expect(h.smtp.mails.filter(mailsAbout(reportId, 'published'))).toHaveLength(0);
    } finally {
      h.config.mail.attachUpToMB = cap;
    }
  });

  it('the submitter revises a returned report online: the link in the mail, the same checks as the form, back in review', async () => {
    await fillForm(page, { title: '在线修改测试', files: [{ name: '原图.png', mimeType: 'image/png', buffer: png(120, 90) }] });
    await page.click('button[type=submit]');
    await page.waitForSelector('#submitted');
    const reportId = /R-\d{4}-\d{4,}/.exec((await page.textContent('#submitted')) ?? '')![0];
    const [request] = await h.smtp.waitFor((m) => mailsAbout(reportId, 'review_request')(m) && m.to.includes(HEAD));
    await page.goto(linksIn(request!).find((l) => l.endsWith('do=send_back'))!);
    await page.fill('#reason', '请补充获奖名单和一张全景照片');
    await page.click('#send-back');
    await page.waitForSelector('.msg.ok');
    const [returned] = await h.smtp.waitFor(mailsAbout(reportId, 'returned'));
    const revise = linksIn(returned!).find((l) => l.includes('/revise/'))!;
    expect(revise.startsWith(`${base}/revise/`)).toBe(true);
    expect(returned!.text).toContain(`在线修改：${revise}`);

    // Opening it does nothing; the page shows the reason and the current text.
    expect((await fetch(revise)).status).toBe(200);
    await page.goto(revise);
    expect(await page.textContent('#returned')).toContain('请补充获奖名单和一张全景照片');
    expect(await page.inputValue('#title')).toBe('在线修改测试');
    expect(await page.inputValue('#body')).toContain('今天下午在报告厅举行了读书节开幕式。');
    await screenshots(page, '08b-revise');
    // No CSRF token: refused, nothing changes.
    const forged = await fetch(revise, { method: 'POST', body: formData({ title: '伪造', body: '伪造的修改' }) });
    expect(forged.status).toBe(403);
    // A file that is not what it claims is refused as on the form, and what was typed is kept.
    await page.fill('#body', '修改稿：获奖名单见附件，已补充全景照片。');
    await page.setInputFiles('#files', [{ name: 'list.pdf', mimeType: 'application/pdf', buffer: Buffer.from('#!/bin/sh\n') }]);
    await page.click('#send-revision');
    await page.waitForSelector('#errors');
    expect(await page.textContent('#errors')).toContain('内容实际是脚本');
    expect(await page.inputValue('#body')).toBe('修改稿：获奖名单见附件，已补充全景照片。');
    await page.setInputFiles('#files', [{ name: '全景.png', mimeType: 'image/png', buffer: png(160, 90, { seed: 2 }) }]);
    await page.click('#send-revision');
    await page.waitForSelector('.msg.ok');
    expect(await page.textContent('main')).toContain('修改已提交');

    const handle = env.client.workflow.getHandle((await h.readModel.getReport(reportId))!.workflowId);
    const status = await waitForStatus(handle, (s) => s.status === 'in_review');
    expect(status.timeline.find((e) => e.type === 'revised')?.evidence?.via).toBe('link');
    await h.smtp.waitFor(mailsAbout(reportId, 'revision_received'));
    const requests = await h.smtp.waitFor((m) => mailsAbout(reportId, 'review_request')(m) && m.to.includes(HEAD), 2);
    expect(requests[1]!.parsed.attachments.map((a) => a.filename)).toEqual(['原图.png', '全景.png']);
    await page.goto(linksIn(requests[1]!).find((l) => l.endsWith('do=approve'))!);
    expect(await page.textContent('.body')).toContain('修改稿：获奖名单见附件');
    expect(await page.locator('#files img').count()).toBe(2);
    // The link did its work once: opening it again says so.
    await page.goto(revise);
    expect(await page.textContent('main')).toContain('修改已提交');
  });

  it('Send back needs a reason, then returns the report with it', async () => {
    await fillForm(page, { title: '退回测试' });
    await page.click('button[type=submit]');
    await page.waitForSelector('#submitted');
    const reportId = /R-\d{4}-\d{4,}/.exec((await page.textContent('#submitted')) ?? '')![0];
    const [request] = await h.smtp.waitFor((m) => mailsAbout(reportId, 'review_request')(m) && m.to.includes(HEAD));
    const sendBack = linksIn(request!).find((l) => l.endsWith('do=send_back'))!;
    await page.goto(sendBack);
    await page.click('#send-back');
    await page.waitForSelector('#errors');
    expect(await page.textContent('#errors')).toContain('退回必须写明原因');
    await page.fill('#reason', '照片不够清晰，请补充<活动>人数');
    await page.click('#send-back');
    await page.waitForSelector('.msg.ok');
    expect(await page.textContent('main')).toContain('已退回修改，原因：照片不够清晰，请补充<活动>人数');
    const [returned] = await h.smtp.waitFor(mailsAbout(reportId, 'returned'));
    expect(returned!.to).toEqual([LIAISON]);
    expect(returned!.text).toContain('照片不够清晰');

    // The submitter revises (as a reply does); the next review request's link shows the revised text.
    const handle = env.client.workflow.getHandle((await h.readModel.getReport(reportId))!.workflowId);
    await handle.signal(reviseSignal, { actor: { name: '刘芳', email: LIAISON }, evidence: { via: 'mail', ref: `<revise-${reportId}@school.test>` }, body: '修改稿：参加人数 320 人，照片已换成清晰的。' });
    const requests = await h.smtp.waitFor((m) => mailsAbout(reportId, 'review_request')(m) && m.to.includes(HEAD), 2);
    const approve2 = linksIn(requests[1]!).find((l) => l.endsWith('do=approve'))!;
    expect(approve2).not.toBe(linksIn(requests[0]!).find((l) => l.endsWith('do=approve'))); // a new round, a new link
    await page.goto(approve2);
    expect(await page.textContent('.body')).toContain('修改稿：参加人数 320 人');
    await page.fill('#reason', '还需要补充活动照片');
    await page.click('#send-back');
    await page.waitForSelector('.msg.ok');
    await h.smtp.waitFor(mailsAbout(reportId, 'returned'), 2);
    await page.goto(sendBack); // the first round's link is used up
    expect(await page.textContent('main')).toContain('已经通过此链接处理过');
  });
});

/** The office reviewer's browser (its own context: its own cookies). */
let office: Page;

describe('the office dashboard', () => {
  it('sign-in by a one-time mailed link; a stranger gets the same answer and no mail', async () => {
    office = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await office.goto(`${base}/office`);
    expect(new URL(office.url()).pathname).toBe('/office/signin');
    await screenshots(office, '10-signin');
    await office.fill('#email', 'stranger@example.com');
    await office.click('button[type=submit]');
    const strangerAnswer = (await office.textContent('main'))!;
    await office.goto(`${base}/office/signin`);
    await office.fill('#email', OFFICE);
    await office.click('button[type=submit]');
    expect(await office.textContent('main')).toContain('登录链接已发送');
    expect(strangerAnswer.replace('stranger@example.com', OFFICE)).toBe(await office.textContent('main'));
    const [mail] = await h.smtp.waitFor((m) => m.kind === 'signin' && m.to.includes(OFFICE));
    expect(h.smtp.mails.filter((m) => m.kind === 'signin' && m.to.includes('stranger@example.com'))).toHaveLength(0);
    const link = linksIn(mail!).find((l) => l.includes('/office/signin/'))!;
    expect((await fetch(link)).status).toBe(200); // a scanner's GET does not use the link up
    await office.goto(link);
    await screenshots(office, '11-signin-confirm');
    await office.click('#sign-in');
    await office.waitForSelector('#reports');
    const cookies = await office.context().cookies();
    expect(cookies.find((c) => c.name === 'bs_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookies.find((c) => c.name === 'bs_csrf')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // Used once: a second sign-in with the same link is refused.
    const other = await (await browser.newContext()).newPage();
    await other.goto(link);
    await other.click('#sign-in');
    expect(await other.textContent('main')).toContain('已经用过');
    await other.context().close();
  });

  it('lists reports with the right status, filters them, exports CSV, and shows the detail', async () => {
    await office.goto(`${base}/office`);
    const row = office.locator('#reports tr', { hasText: '读书节开幕式（网页报送）' });
    expect(await row.locator('.status-badge').textContent()).toBe('审核中');
    expect(await row.textContent()).toContain('王建国');
    expect(await office.locator('#reports tr', { hasText: '校园开放日（审核链接）' }).textContent()).toContain('周晓梅');
    expect(await office.locator('#reports tr', { hasText: '退回测试' }).locator('.status-badge').textContent()).toBe('已退回');
    // The XSS title is text here too.
    expect(await office.locator('#reports td.title', { hasText: '<script>alert(2)</script>' }).count()).toBe(1);
    await screenshots(office, '12-dashboard');

    await office.selectOption('#f-status', 'returned');
    await office.click('#apply');
    expect(await office.locator('#reports tbody tr').count()).toBe(1);
    expect(await office.textContent('#reports')).toContain('退回测试');
    await office.selectOption('#f-status', '');
    await office.selectOption('#f-category', '家校共育');
    await office.click('#apply');
    expect(await office.textContent('#reports')).toContain('家长开放日');
    expect(await office.textContent('#reports')).not.toContain('读书节');
    await office.selectOption('#f-category', '');
    await office.selectOption('#f-department', 'zongwu');
    await office.click('#apply');
    expect(await office.textContent('main')).toContain('没有符合条件的报送');
    await office.goto(`${base}/office?from=2020-01-01&to=2020-12-31`);
    expect(await office.textContent('#count')).toBe('共 0 条');
    await office.goto(`${base}/office?category=${encodeURIComponent('校园文化')}`);
    await screenshots(office, '13-dashboard-filtered');

    const csv = await office.context().request.get(`${base}/office/export.csv?category=${encodeURIComponent('校园文化')}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toContain('编号,标题,部门');
    expect(text).toContain('读书节开幕式（网页报送）');
    expect(text).not.toContain('家长开放日');
    // Signed out, the export is not available.
    expect((await fetch(`${base}/office/export.csv`, { redirect: 'manual' })).status).toBe(303);

    await office.goto(`${base}/office`);
    await office.locator('#reports tr', { hasText: '读书节开幕式（网页报送）' }).locator('a').click();
    await office.waitForSelector('#timeline');
    expect(await office.textContent('#status')).toBe('审核中');
    expect(await office.textContent('#timeline')).toContain('收到报送');
    const file = office.locator('#attachments a', { hasText: '开幕式 现场.jpg' });
    const href = (await file.getAttribute('href'))!;
    const download = await office.context().request.get(new URL(href, base).toString());
    expect(download.status()).toBe(200);
    expect((await download.body()).length).toBe(40_000);
    expect((await fetch(new URL(href, base), { redirect: 'manual' })).status).toBe(303); // not without a session
    await screenshots(office, '14-report-detail');
  });

  it('shows who holds overdue reports', async () => {
    const r = await h.submit({
      origin: { kind: 'web', ref: crypto.randomUUID() },
      from: { name: '刘芳', email: LIAISON },
      category: '安全管理',
      urgency: 'urgent',
      title: '消防演练（逾期）',
      body: '上午进行了消防疏散演练。',
      eventTime: new Date(Date.now() - 30 * 60_000),
      receivedAt: new Date(),
      attachments: [],
    });
    await env.sleep('3 hours');
    await waitForStatus(r.handle, (s) => s.overdue);
    for (let i = 0; i < 100 && !(await h.readModel.getReport(r.reportId))?.overdue; i++) await new Promise((res) => setTimeout(res, 100));
    await office.goto(`${base}/office`);
    const holders = (await office.textContent('#overdue-holders'))!;
    expect(holders).toContain('王建国');
    expect(holders).toContain(r.reportId);
    await office.goto(`${base}/office?overdue=yes`);
    expect(await office.textContent('#reports')).toContain('消防演练（逾期）');
    await screenshots(office, '15-dashboard-overdue');
  });

  it('on a phone the list is cards: no sideways scrolling, titles on a readable width', async () => {
    await office.setViewportSize(PHONE);
    try {
      await office.goto(`${base}/office`);
      expect(await overflowsHorizontally(office)).toBe(false);
      expect(await office.locator('#reports thead').isVisible()).toBe(false);
      const title = office.locator('#reports td.title', { hasText: '读书节开幕式（网页报送）' });
      const box = (await title.boundingBox())!;
      expect(box.width).toBeGreaterThan(PHONE.width * 0.6); // not one character per line
      expect(box.height).toBeLessThan(60);
      // The 事项 field of the expected-report form is styled like every other field.
      const field = await office.evaluate<{ border: string; padding: string; width: number; parent: number }>(
        `(() => { const el = document.querySelector('#e-title'); const s = getComputedStyle(el); return { border: s.borderTopWidth, padding: s.paddingTop, width: el.getBoundingClientRect().width, parent: el.parentElement.getBoundingClientRect().width }; })()`,
      );
      expect(field).toMatchObject({ border: '1px', padding: '9px' });
      expect(field.width).toBe(field.parent);
    } finally {
      await office.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('pages through a long list (100 a page), keeping the filters', async () => {
    const at = (i: number) => new Date(Date.UTC(2019, 0, 1, 0, i));
    for (let i = 0; i < 230; i++) {
      await h.readModel.recordReport({
        id: `R-2019-${String(i + 1).padStart(4, '0')}`, workflowId: `report-old-${i}`, origin: 'web', originRef: `old-${i}`, departmentId: 'zongwu', submitterEmail: 'wumin@school.test', submitterName: '吴敏',
        category: '后勤保障', urgency: 'routine', title: `旧报送 ${i + 1}`, eventTime: at(i), receivedAt: at(i), dueAt: at(i + 1000), timeliness: 'on_time', reviewDueAt: null, status: 'published',
        currentStep: null, currentStepKind: null, holders: [], overdue: false, returnedCount: 0, decidedAt: at(i), publishedAt: at(i), updatedAt: at(i), version: 3,
      });
    }
    const all = await h.readModel.countReports();
    await office.goto(`${base}/office`);
    expect(await office.textContent('#count')).toBe(`共 ${all} 条`);
    expect(await office.locator('#reports tbody tr').count()).toBe(100);
    expect(await office.textContent('#paging')).toContain(`第 1/${Math.ceil(all / 100)} 页`);
    await office.goto(`${base}/office?department=zongwu`);
    expect(await office.textContent('#count')).toBe('共 230 条');
    await office.click('#next');
    expect(new URL(office.url()).search).toBe('?department=zongwu&page=2');
    expect(await office.locator('#reports tbody tr').count()).toBe(100);
    await office.click('#next');
    expect(await office.locator('#reports tbody tr').count()).toBe(30);
    expect(await office.textContent('#reports')).toContain('旧报送 1');
    expect(await office.locator('#next').count()).toBe(0);
    await screenshots(office, '15b-dashboard-page-3');
    await office.click('#prev');
    expect(await office.textContent('#paging')).toContain('第 2/3 页');
  });
});

describe('expected reports from the dashboard', () => {
  it('registers one (漏报 watch) and lists it as waiting; registering it again says so', async () => {
    await office.goto(`${base}/office`);
    const end = formatIsoInZone(new Date((await env.currentTimeMs()) + 10 * 86_400_000), 'Asia/Shanghai').slice(0, 16);
    await office.selectOption('#e-department', 'deyu');
    await office.fill('#e-title', '冬季长跑启动仪式');
    await office.fill('#e-end', end);
    await office.click('#expected-add');
    await office.waitForSelector('#expected-notice');
    expect(await office.textContent('#expected-notice')).toContain('已登记：冬季长跑启动仪式');
    const row = office.locator('#expected-list tr', { hasText: '冬季长跑启动仪式' });
    expect(await row.textContent()).toContain('德育处');
    expect(await row.textContent()).toContain('待报');
    const [expected] = await h.readModel.listExpected({ department: 'deyu' });
    expect(expected).toMatchObject({ title: '冬季长跑启动仪式', source: 'web', status: 'waiting' });
    await office.selectOption('#e-department', 'deyu');
    await office.fill('#e-title', '冬季长跑启动仪式');
    await office.fill('#e-end', end);
    await office.click('#expected-add');
    await office.waitForSelector('#expected-notice');
    expect(await office.textContent('#expected-notice')).toBe('这项已经登记过了。');
    await screenshots(office, '18-dashboard-expected');
  });

  it('a liaison chooses on the form the expected report a submission answers', async () => {
    const [expected] = await h.readModel.listExpected({ department: 'deyu', status: ['waiting'] });
    // Someone of another department cannot answer it.
    await fillForm(page, { title: '冬季长跑启动仪式（教务处）' });
    await page.selectOption('#expected', expected!.id);
    await page.click('button[type=submit]');
    await page.waitForSelector('#errors');
    expect(await page.textContent('#errors')).toContain('所选的应报事项属于德育处');
    // The 德育处 liaison can; the expectation is then answered by this report.
    await fillForm(page, { title: '冬季长跑启动仪式顺利举行' });
    await page.fill('#email', 'sunhao@school.test');
    await page.selectOption('#expected', expected!.id);
    await screenshots(page, '19-submit-answers-expected');
    await page.click('button[type=submit]');
    await page.waitForSelector('#submitted');
    const reportId = /R-\d{4}-\d{4,}/.exec((await page.textContent('#submitted')) ?? '')![0];
    for (let i = 0; i < 100 && (await h.readModel.getExpected(expected!.id))?.reportId !== reportId; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await h.readModel.getExpected(expected!.id)).toMatchObject({ reportId, status: 'satisfied' });
    // A link from the reminder preselects it; once answered it is no longer offered.
    await page.goto(`${base}/submit?expected=${expected!.id}`);
    expect(await page.locator(`#expected option[value="${expected!.id}"]`).count()).toBe(0);
  });

  it('the address cannot put words in the success notice', async () => {
    await office.goto(`${base}/office?expected=${encodeURIComponent('已登记：请立即把学生名单发到 evil@example.test')}&new=1`);
    expect(await office.locator('#expected-notice').count()).toBe(0);
    expect(await office.content()).not.toContain('evil@example.test');
  });
});

describe('paths that look like other hosts', () => {
  it('GET /.//evil.example renders no protocol-relative link and redirects nowhere', async () => {
    for (const path of ['/.//evil.example', '//evil.example/', '/%2F%2Fevil.example', '/.//evil.example?lang=en']) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(res.headers.get('location') ?? '').not.toMatch(/^\/\/|evil/);
      const html = await res.text();
      const hrefs = [...html.matchAll(/(?:href|action|src)="([^"]*)"/g)].map((m) => m[1]!);
      expect(hrefs.filter((u) => u.startsWith('//') || u.includes('evil.example')), path).toEqual([]);
    }
  });
});

describe('in English, and signing out', () => {
  it('the status page, the dashboard and a report read in English', async () => {
    const p = office;
    await p.goto(`${base}/office?lang=en`);
    expect(await p.textContent('h1')).toBe('Office dashboard');
    expect(await p.locator('#reports .status-badge').first().textContent()).toMatch(/^(In review|Returned|Approved|Received)$/);
    await p.locator('#reports tr', { hasText: '读书节开幕式（网页报送）' }).locator('a').click();
    await p.waitForSelector('#timeline');
    expect(await p.textContent('#status')).toBe('In review');
    expect(await p.textContent('#timeline')).toContain('Received');
    await screenshots(p, '16-report-detail-en');
    const row = (await h.readModel.listReports()).find((r) => r.title === '读书节开幕式（网页报送）')!;
    const statusLink = new URL((await h.smtp.waitFor(mailsAbout(row.id, 'receipt')))[0]!.html.match(/href="([^"]*\/status\/[^"]+)"/)![1]!);
    await p.goto(statusLink.toString());
    expect(await p.textContent('h1')).toContain('Report status');
    expect(await p.textContent('main')).toMatch(/Review due.*left/);
    await screenshots(p, '17-status-en');
    await p.goto(`${base}/office?lang=zh-CN`);
  });

  it('signing out ends the session', async () => {
    const p = office;
    await p.goto(`${base}/office`);
    await p.click('text=退出登录');
    expect(new URL(p.url()).pathname).toBe('/office/signin');
    await p.goto(`${base}/office`);
    expect(new URL(p.url()).pathname).toBe('/office/signin');
  });
});

function formData(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

/** Now on the school's clock (Asia/Shanghai, no DST), as a datetime-local field holds it. */
function localNow(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16);
}
