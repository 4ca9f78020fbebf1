// The office can act (issue 18 §3): on a report's page under /office a signed-in office person reminds the
// current reviewer (催办, once an hour per step), reassigns the step to someone else (the new holder gets the
// request, the old one is told), decides the office step they hold, and withdraws a report with a reason (the
// submitter is told); the IT teacher does the same with `baosong report …`. The real workflow on our Temporal
// test server, SMTP, the database, Chromium at 390 and 1280 px, and the real CLI.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { QuarantineDesk } from '../../db/quarantine-desk.js';
import type { WebServer } from '../../web/server.js';
import { launchChromium, overflowsHorizontally, PHONE, screenshots } from '../support/browser.js';
import { startHarness, startHarnessWeb, waitForStatus, type Harness } from '../support/baosong.js';
import { runCli } from '../support/cli.js';
import type { CaughtMail } from '../support/smtp.js';
import { createTestEnv } from '../support/temporal.js';

const SHOTS = '/tmp/shots-office';
let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let base: string;
let browser: Browser;
let office: Page;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  ({ web, base } = await startHarnessWeb(h));
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
  office = await (await browser.newContext({ viewport: PHONE })).newPage();
  await office.goto(`${base}/office/signin`);
  await office.fill('#email', 'zhouxiaomei@school.test');
  await office.click('button[type=submit]');
  const [signin] = await h.smtp.waitFor((m) => m.kind === 'signin');
  await office.goto(linksIn(signin!).find((l) => l.includes('/office/signin/'))!);
  await office.click('#sign-in');
  await office.waitForSelector('#mail-desk');
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await h?.close();
  await env?.teardown();
});

const linksIn = (m: CaughtMail) => [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => (x[1] ?? '').replace(/&amp;/g, '&'));

function newReport(title: string) {
  const now = new Date();
  return h.submit({
    origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` },
    from: { name: '刘芳', email: 'liufang@school.test' },
    category: '教育教学',
    urgency: 'routine',
    title,
    body: '七年级数学组举行公开课。',
    eventTime: now,
    receivedAt: now,
    attachments: [],
  });
}

describe('the office acts on a report from its page', () => {
  it('催办 reminds the head now, once an hour; 改派 gives the step to 赵丽华 and tells 王建国', async () => {
    const { reportId, handle } = await newReport('七年级数学公开课');
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');
    await office.goto(`${base}/office/reports/${reportId}`);
    await office.waitForSelector('#office-actions');
    expect(await overflowsHorizontally(office)).toBe(false);
    await screenshots(office, 'office-actions', SHOTS);
    await office.setViewportSize(PHONE);

    await office.click('#act-remind');
    expect(await office.textContent('main')).toContain('已催办：已提醒王建国。');
    const [reminder] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'reminder');
    expect(reminder!.to).toEqual(['wangjianguo@school.test']);
    await office.screenshot({ path: `${SHOTS}/office-remind-done.phone.png`, fullPage: true });
    // Again within the hour: said so, nothing sent.
    await office.goto(`${base}/office/reports/${reportId}`);
    await office.click('#act-remind');
    expect(await office.textContent('main')).toContain('未执行：一小时内已催办过这一环节。');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === 'reminder')).toHaveLength(1);

    await office.goto(`${base}/office/reports/${reportId}`);
    await office.selectOption('#act-to', 'zhaolihua@school.test');
    await office.click('#act-reassign');
    expect(await office.textContent('main')).toContain('已改派给 赵丽华');
    const [request] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request' && m.to.includes('zhaolihua@school.test'));
    expect(linksIn(request!).some((l) => l.includes('/review/'))).toBe(true);
    const [told] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'reassigned');
    expect(told!.to).toEqual(['wangjianguo@school.test']);
    expect(told!.text).toContain('已由周晓梅改派给赵丽华。您无需再处理');
    const status = await waitForStatus(handle, (s) => s.timeline.some((e) => e.type === 'reassigned'));
    expect(status.timeline.filter((e) => e.type === 'reminded').map((e) => e.actor?.name)).toEqual(['周晓梅']);
    expect((await new QuarantineDesk(h.database).auditFor(reportId)).map((e) => e.action)).toEqual(['report.remind', 'report.reassign']);
    // The report's mail log says what each mail was in words, not 'reassigned · sent'.
    await office.goto(`${base}/office/reports/${reportId}`);
    const log = await office.locator('#mails').innerText();
    expect(log).toContain('改派通知 · 已发出');
    expect(log).toContain('审核请求 · 已发出');
    expect(log).not.toMatch(/review_request|reassigned|· sent/);
  });

  it('the office person decides the office step they hold; 撤回 with a reason tells the submitter; a double click is one action', async () => {
    const { reportId, handle } = await newReport('七年级家长会');
    const [headRequest] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');
    // The head approves by the signed link; the office step is 周晓梅's (and 谢雨桐's).
    const approvePage = await (await browser.newContext()).newPage();
    await approvePage.goto(linksIn(headRequest!).find((l) => l.endsWith('do=approve'))!);
    await approvePage.click('button[type=submit]');
    await waitForStatus(handle, (s) => s.step?.kind === 'office');
    await office.goto(`${base}/office/reports/${reportId}`);
    await office.waitForSelector('#act-decide');
    await office.click('#act-approve');
    expect(await office.textContent('main')).toContain('已同意。');
    await waitForStatus(handle, (s) => s.status !== 'in_review');
    // Her co-reviewer of the office step is told at once (issue 18 §4); the head, who decided alone, is not.
    const [co] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'co_decided');
    expect(co!.to).toEqual(['xieyutong@school.test']);
    expect(co!.text).toContain('已由周晓梅审核同意。您和周晓梅同为这一环节的审核人，无需再处理');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === 'co_decided')).toHaveLength(1);

    const second = await newReport('七年级运动会');
    await h.smtp.waitFor((m) => m.reportId === second.reportId && m.kind === 'review_request');
    await office.goto(`${base}/office/reports/${second.reportId}`);
    // Without a reason the browser asks for one; the server refuses an empty one too.
    const csrf = await office.locator('#act-withdraw-form input[name=csrf]').inputValue();
    const request = await office.locator('#act-withdraw-form input[name=request]').inputValue();
    const cookie = (await office.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const post = (reason: string) =>
      web.app.inject({ method: 'POST', url: `/office/reports/${second.reportId}/act`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ csrf, request, action: 'withdraw', reason }).toString() });
    expect((await post('')).body).toContain('请写明原因。');
    const reason = '活动延期到下周，本条先撤回。';
    const [a, b] = await Promise.all([post(reason), post(reason)]);
    expect(a.body).toContain('已撤回，已通知报送人和审核人。');
    expect(b.body).toContain('已撤回，已通知报送人和审核人。');
    const [withdrawn] = await h.smtp.waitFor((m) => m.reportId === second.reportId && m.kind === 'withdrawn' && m.to.includes('liufang@school.test'));
    expect(withdrawn!.text).toContain('已由周晓梅撤回');
    expect(withdrawn!.text).toContain(reason);
    const done = await waitForStatus(second.handle, (s) => s.status === 'withdrawn');
    expect(done.timeline.filter((e) => e.type === 'withdrawn')).toHaveLength(1);
    const noCsrf = await web.app.inject({ method: 'POST', url: `/office/reports/${second.reportId}/act`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'action=remind&csrf=x' });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('`baosong report remind|reassign|withdraw` does the same for the IT teacher', async () => {
    const { reportId, handle } = await newReport('七年级研学旅行');
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');
    const dir = mkdtempSync(join(tmpdir(), 'baosong-report-cli-'));
    const file = join(dir, 'baosong.config.yaml');
    writeFileSync(file, readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace(/^dataDir: .*$/m, `dataDir: ${JSON.stringify(h.config.dataDir)}`));
    const cli = (...args: string[]) => runCli(['report', ...args, '--config', file], { env: { TEMPORAL_ADDRESS: env.address, DATABASE_URL: '' } });

    const stranger = await cli('remind', reportId, '--as', 'liufang@school.test');
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('not an office reviewer or a leader');
    const remind = await cli('remind', reportId, '--as', 'zhouxiaomei@school.test');
    expect(remind.code).toBe(0);
    expect(JSON.parse(remind.stdout)).toMatchObject({ result: 'done', message: '已催办：已提醒王建国。' });
    const reassign = await cli('reassign', reportId, '--to', 'zhaolihua@school.test', '--as', 'zhangguodong@school.test');
    expect(JSON.parse(reassign.stdout)).toMatchObject({ result: 'done', event: { type: 'reassigned' } });
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request' && m.to.includes('zhaolihua@school.test'));
    const withdraw = await cli('withdraw', reportId, '--reason', '重复报送', '--as', 'zhouxiaomei@school.test');
    expect(JSON.parse(withdraw.stdout)).toMatchObject({ result: 'done', event: { type: 'withdrawn' } });
    await waitForStatus(handle, (s) => s.status === 'withdrawn');
    const closed = await cli('remind', reportId, '--as', 'zhouxiaomei@school.test');
    expect(closed.code).toBe(1);
  });
});
