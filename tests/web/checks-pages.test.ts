// 稿件体检 on the pages (issue 21): the liaison's status page and the reviewer's page show the findings at the
// top, the words found highlighted, and how to correct them; an `error` asks the reviewer to confirm
// (看过，无误) before approving — never a refusal on its own. Real worker, SMTP, SQLite, web server and
// Chromium at 390 px.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDigest } from '../../digest/figures.js';
import { weekOf } from '../../digest/weeks.js';
import { handleMail } from '../../intake/handle.js';
import { renderDigest } from '../../templates/render.js';
import type { WebServer } from '../../web/server.js';
import { reviseSignal, sendBackSignal } from '../../workflows/report.js';
import { SECRET, startHarness, startHarnessWeb, waitForStatus, type Harness } from '../support/baosong.js';
import { launchChromium, MAIL_SCREENSHOT_DIR, PHONE, screenshots } from '../support/browser.js';
import { replyTo } from '../support/mails.js';
import type { CaughtMail } from '../support/smtp.js';
import { createTestEnv } from '../support/temporal.js';

const liufang = { name: '刘芳', email: 'liufang@school.test' };
const WANG = 'wangjianguo@school.test'; // 教务处's head: the first step

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  ({ web } = await startHarnessWeb(h, { rateLimits: { submit: 100, signIn: 100 }, logger: { info: () => {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error('ERR', m) } }));
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await h?.close();
  await env?.teardown();
});

const codesIn = async (checks: Locator) => Promise.all((await checks.locator('li').all()).map((li) => li.getAttribute('data-code')));
const linksIn = (m: CaughtMail) => [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]!.replace(/&amp;/g, '&'));

async function submit(body: string) {
  const now = new Date(await env.currentTimeMs());
  const r = await h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '教育教学', urgency: 'routine', title: '教务处组织期中质量分析会', body, eventTime: now, receivedAt: now, attachments: [] });
  const [receipt] = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'receipt');
  const [request] = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'review_request' && m.to.includes(WANG));
  return { ...r, receipt: receipt!, request: request!, status: linksIn(receipt!).find((l) => l.includes('/status/'))!, approve: linksIn(request!).find((l) => l.endsWith('?do=approve'))! };
}

const WITH_ERRORS =
  '2026年12月3日（星期三）下午，教务处在三楼会议室组织了期中教学质量分析会，副校长张国栋出席并讲话。联系人：刘老师，电话13957112345。\n（撰稿：刘芳）';

describe('稿件体检 in the mails', () => {
  it('the receipt tells the liaison each finding, marked, and how to correct it; the review request tells the reviewer', async () => {
    const r = await submit(WITH_ERRORS);
    for (const m of [r.receipt, r.request]) {
      expect(m.html).toContain('稿件体检');
      expect(m.html).toMatch(/<mark[^>]*>2026年12月3日（星期三）<\/mark>/);
      expect(m.html).toMatch(/<mark[^>]*>139\*\*\*\*2345<\/mark>/);
      expect(m.text).toContain('张国栋的职务是“校长”，文中写作“副校长”');
    }
    expect(r.receipt.text).toContain('直接回复本邮件，写明要改正的地方');
    expect(r.request.text).toContain('需勾选“看过，无误”');
    // Before the report itself, in both.
    expect(r.request.text.indexOf('稿件体检')).toBeLessThan(r.request.text.indexOf('教务处在三楼会议室'));
    await page.setContent(r.receipt.html);
    await screenshots(page, '32-receipt-checks', MAIL_SCREENSHOT_DIR);
    await page.setContent(r.request.html);
    await screenshots(page, '33-review-request-checks', MAIL_SCREENSHOT_DIR);
  });

  it('a revision is checked again: the corrected text\'s review request and reviewer page have no findings', async () => {
    const r = await submit(WITH_ERRORS);
    await r.handle.signal(sendBackSignal, { actor: { name: '王建国', email: WANG }, evidence: { via: 'mail', ref: `<back-${r.reportId}@school.test>` }, step: 0, reason: '星期写错了，请核对' });
    await waitForStatus(r.handle, (s) => s.status === 'returned');
    const corrected = '2026年12月3日（星期四）下午，教务处在三楼会议室组织了期中教学质量分析会，校长张国栋出席并讲话。\n（撰稿：刘芳）';
    await r.handle.signal(reviseSignal, { actor: liufang, evidence: { via: 'mail', ref: `<revise-${r.reportId}@school.test>` }, body: corrected });
    const requests = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'review_request' && m.to.includes(WANG), 2);
    expect(requests[0]!.html).toContain('稿件体检');
    expect(requests[1]!.html).not.toContain('稿件体检');
    await page.goto(linksIn(requests[1]!).find((l) => l.endsWith('?do=approve'))!);
    await expect.poll(() => page.locator('#approve').isVisible()).toBe(true);
    expect(await page.locator('#checks').count()).toBe(0);
    expect(await page.locator('#confirm-checks').count()).toBe(0);
  });

  it('a report with nothing to say has no checks block', async () => {
    const r = await submit('2026年12月3日（星期四）下午，教务处在三楼会议室组织了期中教学质量分析会。\n（撰稿：刘芳）');
    expect(r.receipt.html).not.toContain('稿件体检');
    expect(r.request.html).not.toContain('稿件体检');
  });
});

describe('稿件体检 on the pages', () => {
  it('the status page shows the liaison each finding, highlighted, and how to correct it', async () => {
    const r = await submit(WITH_ERRORS);
    await page.goto(r.status);
    const checks = page.locator('#checks');
    await expect.poll(() => checks.isVisible()).toBe(true);
    expect(await codesIn(checks)).toEqual(['weekday_mismatch', 'phone_number', 'leader_title_mismatch']);
    expect(await checks.locator('mark').allInnerTexts()).toEqual(['2026年12月3日（星期三）', '139****2345', '副校长张国栋']);
    expect(await checks.innerText()).toContain('2026年12月3日是星期四，不是星期三');
    expect(await checks.innerText()).toContain('张国栋的职务是“校长”');
    expect(await page.locator('#checks-fix').innerText()).toContain('直接回复回执邮件');
    expect(await checks.innerText()).not.toContain('13957112345'); // the findings do not repeat the number
    // At the top: above the report's status card.
    const [top, card] = [await checks.boundingBox(), await page.locator('section.card').first().boundingBox()];
    expect(top!.y).toBeLessThan(card!.y);
    await screenshots(page, '30-status-checks');
  });

  it('the reviewer sees them first; approving an error takes 看过，无误, and then goes through', async () => {
    const r = await submit(WITH_ERRORS);
    await page.goto(r.approve);
    const checks = page.locator('#checks');
    await expect.poll(() => checks.isVisible()).toBe(true);
    const [top, form] = [await checks.boundingBox(), await page.locator('#approve-form').boundingBox()];
    expect(top!.y).toBeLessThan(form!.y);
    expect(await checks.locator('mark').count()).toBe(3);
    await screenshots(page, '31-review-checks');

    // Without the tick the browser does not send the form; a POST without it (a script, an old page) is answered, not acted on.
    await page.click('#approve');
    expect(await page.locator('#confirm-checks:invalid').count()).toBe(1);
    expect(await page.locator('#checks').count()).toBe(1); // still on the page: nothing was sent
    const csrf = await page.locator('#approve-form input[name=csrf]').inputValue();
    const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const res = await fetch(r.approve.replace(/\?.*$/, ''), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies, 'accept-language': 'zh-CN' },
      body: new URLSearchParams({ csrf, action: 'approve' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('勾选“看过，无误”');
    expect((await waitForStatus(r.handle, (s) => s.status === 'in_review')).step?.index).toBe(0);

    await page.check('#confirm-checks');
    await page.click('#approve');
    await waitForStatus(r.handle, (s) => s.step?.index === 1);
  });

  it('a report without errors: warnings shown, no confirmation asked', async () => {
    const r = await submit('2026年12月3日（星期四）下午，教务处组织了期中教学质量分析会，校长张国栋出席并讲话。'); // no place: a warning only
    await page.goto(r.approve);
    await expect.poll(() => page.locator('#checks').isVisible()).toBe(true);
    expect(await codesIn(page.locator('#checks'))).toEqual(['event_place_missing']);
    expect(await page.locator('#confirm-checks').count()).toBe(0);
    await page.click('#approve');
    await waitForStatus(r.handle, (s) => s.step?.index === 1);
  });
});

describe('稿件体检 by reply, and counted in the digest', () => {
  const deliver = (raw: Buffer) => handleMail({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET }, { uid: 1, raw, internalDate: new Date(), size: raw.length });

  it('a bare 同意 by mail to a report with an error is not an approval: the reviewer is told what was found and how to confirm; 同意，看过无误 approves', async () => {
    const r = await submit(WITH_ERRORS);
    expect(await deliver(replyTo(r.request, `王建国 <${WANG}>`, '同意'))).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/尚未通过：自动检查标出 3 处错误/) });
    const [notice] = await h.smtp.waitFor((m) => m.kind === 'notice' && m.to.includes(WANG) && m.text.includes(r.reportId));
    expect(notice!.text).toContain('2026年12月3日是星期四，不是星期三');
    expect(notice!.text).toContain('同意，看过无误');
    expect((await waitForStatus(r.handle, (s) => s.status === 'in_review')).step?.index).toBe(0);
    // The quoted review request names the phrase too: only the reviewer's own words count.
    expect(await deliver(replyTo(r.request, `王建国 <${WANG}>`, '同意，看过无误。'))).toEqual({ folder: 'processed' });
    await waitForStatus(r.handle, (s) => s.step?.index === 1);
  });

  it('what was found is kept per version (as submitted, as revised): the weekly digest counts it by department and code, corrected ones included', async () => {
    const r = await submit(WITH_ERRORS);
    await r.handle.signal(sendBackSignal, { actor: { name: '王建国', email: WANG }, evidence: { via: 'mail', ref: `<back-d-${r.reportId}@school.test>` }, step: 0, reason: '星期写错了' });
    await waitForStatus(r.handle, (s) => s.status === 'returned');
    const corrected = '2026年12月3日（星期四）下午，教务处在三楼会议室组织了期中教学质量分析会，校长张国栋出席并讲话。联系人：刘老师，电话13957112345。\n（撰稿：刘芳）';
    await r.handle.signal(reviseSignal, { actor: liufang, evidence: { via: 'mail', ref: `<revise-d-${r.reportId}@school.test>` }, body: corrected });
    await waitForStatus(r.handle, (s) => s.status === 'in_review' && s.round === 2);
    const rows = await h.readModel.database.db.selectFrom('report_findings').select(['round', 'code', 'severity']).where('report_id', '=', r.reportId).orderBy('round').orderBy('code').execute();
    expect(rows).toEqual([
      { round: 1, code: 'leader_title_mismatch', severity: 'error' },
      { round: 1, code: 'phone_number', severity: 'error' },
      { round: 1, code: 'weekday_mismatch', severity: 'error' },
      { round: 2, code: 'phone_number', severity: 'error' },
    ]);
    const now = new Date(await env.currentTimeMs());
    const tz = h.config.school.timeZone;
    const figures = await computeDigest(h.readModel.database, { week: weekOf(now, tz), timeZone: tz, departments: h.config.departments.map((d) => ({ id: d.id, name: d.name })), now });
    const digest = renderDigest(figures, { locale: 'zh-CN', timeZone: tz, schoolName: h.config.school.name, chartCid: null });
    expect(digest.text).toContain('【稿件体检】');
    // Weeks in Chinese text read 第48周, never 2026-W48 (issue 18 §5).
    expect(digest.text).toMatch(/与上周 第\d{1,2}周 相比/);
    expect(`${digest.subject}\n${digest.text}`).not.toMatch(/\d{4}-W\d{2}/);
    // Every report of this file came from 教务处 with the same errors: the mobile number was in every version.
    const phone = figures.findings!.find((f) => f.code === 'phone_number')!;
    const weekday = figures.findings!.find((f) => f.code === 'weekday_mismatch')!;
    expect(phone.versions).toBe(weekday.versions + 1);
    expect(digest.text).toContain(`教务处 · 含手机号（错误）：${phone.versions} / ${phone.reports}`);
    expect(digest.text).toContain(`教务处 · 日期与星期不符（错误）：${weekday.versions} / ${weekday.reports}`);
    await page.setContent(digest.html);
    await expect.poll(() => page.getByText('含手机号').first().isVisible()).toBe(true);
    await screenshots(page, '34-digest-checks', MAIL_SCREENSHOT_DIR);
  });
});

describe('the reviewer page says where the report stands (issue 18 §5)', () => {
  const CLEAN = '2026年12月3日（星期四）下午，教务处在三楼会议室组织了期中教学质量分析会，校长张国栋出席并讲话。\n（撰稿：刘芳）';

  it('the first step goes on to the next; the last one ends the review; a stale link links the status page and, for its holder, the newer request', async () => {
    const r = await submit(CLEAN);
    await page.goto(r.approve);
    expect(await page.locator('#approve-hint').innerText()).toBe('审核通过，报送进入下一环节。');
    await page.click('#approve');
    await waitForStatus(r.handle, (s) => s.step?.index === 1);
    const [office] = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'review_request' && m.to.includes('zhouxiaomei@school.test'));
    await page.goto(linksIn(office!).find((l) => l.endsWith('?do=approve'))!);
    expect(await page.locator('#approve-hint').innerText()).toBe('这是最后一步：同意后审核完成，报送交网站编辑发布。');

    // The office sends it back, the liaison revises: round 2 waits for the office again. Her round-1 link is stale.
    await r.handle.signal(sendBackSignal, { actor: { name: '周晓梅', email: 'zhouxiaomei@school.test' }, evidence: { via: 'mail', ref: `<back-s-${r.reportId}@school.test>` }, step: 1, reason: '请补充照片' });
    await waitForStatus(r.handle, (s) => s.status === 'returned');
    await r.handle.signal(reviseSignal, { actor: liufang, evidence: { via: 'mail', ref: `<revise-s-${r.reportId}@school.test>` }, body: `${CLEAN}\n图1：会议现场` });
    await waitForStatus(r.handle, (s) => s.status === 'in_review' && s.round === 2);
    await page.goto(linksIn(office!).find((l) => l.endsWith('?do=approve'))!);
    expect(await page.locator('main').innerText()).toContain('此审核环节已经处理完毕');
    await page.click('text=打开现在等您审核的这一步');
    await expect.poll(() => page.locator('#approve-form').isVisible()).toBe(true);
    // 王建国, whose link was used and whose step is long done, is told so and gets the status page only.
    await page.goto(r.approve);
    expect(await page.locator('main').innerText()).toContain('您已经通过此链接处理过这份报送：已同意。');
    expect(await page.locator('text=打开现在等您审核的这一步').count()).toBe(0);
    await page.click('text=查看这份报送现在的进度');
    expect(await page.locator('#report-id').innerText()).toBe(r.reportId);
  });
});
