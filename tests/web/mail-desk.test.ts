// 待处理邮件 (issue 18 §2): a report mailed from a teacher's own mailbox is answered politely, once a day, and
// shows on the office dashboard with the other quarantined mail; the office receives it as a report of the
// liaison (counted from when the mail arrived), adds the address as that teacher's alias, or ignores a mail.
// The whole path for real: Dovecot and the intake watcher, the report workflow on our Temporal test server,
// SMTP, the database, and the pages in Chromium at 390 px.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { QuarantineDesk } from '../../db/quarantine-desk.js';
import { handleMail } from '../../intake/handle.js';
import { MailboxWatcher } from '../../intake/mailbox.js';
import type { WebServer } from '../../web/server.js';
import { launchChromium, overflowsHorizontally, PHONE, screenshots } from '../support/browser.js';
import { SECRET, startHarness, startHarnessWeb, type Harness } from '../support/baosong.js';
import { DEFAULT_TEST_USER, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { mail } from '../support/mails.js';
import type { CaughtMail } from '../support/smtp.js';
import { createTestEnv } from '../support/temporal.js';
import { until } from '../support/waiting.js';

const SHOTS = '/tmp/shots-office';
let env: TestWorkflowEnvironment;
let h: Harness;
let dovecot: TestDovecot;
let watcher: MailboxWatcher;
let web: WebServer;
let base: string;
let browser: Browser;
let desk: QuarantineDesk;
const user = DEFAULT_TEST_USER.user;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  ({ web, base } = await startHarnessWeb(h));
  desk = new QuarantineDesk(h.database);
  dovecot = await startDovecot();
  watcher = new MailboxWatcher({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user, pass: DEFAULT_TEST_USER.password },
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    handle: (message) => handleMail({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET }, message),
  });
  watcher.on('error', (err: Error) => console.error('WATCHER', err.message));
  await watcher.start();
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await watcher?.stop();
  await dovecot?.stop();
  await web?.close();
  await h?.close();
  await env?.teardown();
});

const linksIn = (m: CaughtMail) => [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => (x[1] ?? '').replace(/&amp;/g, '&'));


const HOME = 'liufang.home@163.com';
/** When the teacher's mail arrived: 3 hours ago, an hour after the event it reports. */
const arrived = new Date(Math.floor((Date.now() - 3 * 3_600_000) / 1000) * 1000);
const eventAt = new Date(arrived.getTime() - 3_600_000);
const hhmm = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d);
const firstId = `<${randomUUID()}@163.com>`;
const secondId = `<${randomUUID()}@163.com>`;
const autoId = `<${randomUUID()}@example.net>`;
let office: Page;
let officeCookie = '';

describe('mail from an address not in the configuration', () => {
  it('is answered once a day in Chinese, kept in Quarantine and noted for the office; automatic mail is noted but never answered', async () => {
    await dovecot.append(user, 'INBOX', mail({ from: `刘芳 <${HOME}>`, subject: '七年级数学公开课', body: `时间：${hhmm(eventAt)}\n七年级数学组在录播教室举行公开课，区教研员到场听课。`, messageId: firstId }), { internalDate: arrived });
    const [answer] = await h.smtp.waitFor((m) => m.to.includes(HOME));
    expect(answer!.kind).toBe('notice');
    expect(answer!.autoSubmitted).toBe('auto-replied');
    expect(answer!.inReplyTo).toBe(firstId);
    expect(answer!.text).toContain(`发件地址 ${HOME} 没有在学校的信息报送系统中登记`);
    expect(answer!.text).toContain('办公室核实后可以代为接收为报送');
    expect(answer!.text).toMatch(/^老师，您好！/m);

    // A second mail from the same address the same day: kept for the office too, but not answered again.
    await dovecot.append(user, 'INBOX', mail({ from: `刘芳 <${HOME}>`, subject: '补充照片说明', body: '照片稍后补发。', messageId: secondId }));
    // An out-of-office reply from a stranger: noted, never answered.
    await dovecot.append(user, 'INBOX', mail({ from: 'Auto <someone@example.net>', subject: '自动回复：您的邮件', body: '我正在休假。', messageId: autoId, extraHeaders: ['Auto-Submitted: auto-replied'] }));
    await until('all three on the desk', async () => (await desk.list()).pendingCount === 3);
    const quarantined = await dovecot.list(user, 'Quarantine');
    expect(quarantined).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.smtp.mails.filter((m) => m.to.includes(HOME))).toHaveLength(1);
    expect(h.smtp.mails.filter((m) => m.to.includes('someone@example.net'))).toHaveLength(0);

    const { pending } = await desk.list();
    const first = pending.find((m) => m.originRef === firstId)!;
    expect(first).toMatchObject({ fromAddress: HOME, fromName: '刘芳', subject: '七年级数学公开课', reasonCode: 'unknown_sender', status: 'pending' });
    expect(first.receivedAt.getTime()).toBe(arrived.getTime());
    expect(first.preview).toContain('七年级数学组在录播教室举行公开课');
    expect(first.rawSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pending.find((m) => m.originRef === autoId)!.reasonCode).toBe('automatic');
  });

  it('the office sees 待处理邮件 at 390 px, reasons in plain Chinese, and receives the first as 刘芳’s report, counted from its arrival; a double click makes one report', async () => {
    office = await (await browser.newContext({ viewport: PHONE })).newPage();
    await office.goto(`${base}/office/signin`);
    await office.fill('#email', 'zhouxiaomei@school.test');
    await office.click('button[type=submit]');
    const [signin] = await h.smtp.waitFor((m) => m.kind === 'signin');
    await office.goto(linksIn(signin!).find((l) => l.includes('/office/signin/'))!);
    await office.click('#sign-in');
    await office.waitForSelector('#mail-desk');
    officeCookie = (await office.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    expect(await office.textContent('#desk-count')).toBe('待处理 3 封');
    const card = office.locator('.desk-mail', { hasText: '七年级数学公开课' });
    expect(await card.locator('.desk-reason').textContent()).toBe('发件地址未登记（已回复发件人，说明办公室会处理）');
    expect(await card.locator('.desk-from').textContent()).toBe(`刘芳 <${HOME}>`);
    expect(await card.locator('.desk-preview').textContent()).toContain('区教研员到场听课');
    // The sender wrote 刘芳: the office's choice is offered, not made for them.
    expect(await card.locator('select[name=as] option:checked').textContent()).toBe('教务处 · 刘芳');
    expect(await office.locator('.desk-mail', { hasText: '自动回复' }).locator('.desk-reason').textContent()).toBe('自动回复、群发或退信，系统不处理');
    expect(await overflowsHorizontally(office)).toBe(false);
    await office.screenshot({ path: `${SHOTS}/desk.phone.png`, fullPage: true });
    await screenshots(office, 'mail-desk', SHOTS);
    await office.setViewportSize(PHONE);

    // Two clicks in a row (the second before the page reloads): one report.
    const id = await card.getAttribute('data-id');
    const csrf = await card.locator('input[name=csrf]').first().inputValue();
    const post = () =>
      web.app.inject({ method: 'POST', url: `/office/mail/${id}/accept`, headers: { cookie: officeCookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ csrf, as: 'jiaowu|liufang@school.test' }).toString() });
    await card.locator('button', { hasText: '作为报送接收' }).click();
    await office.waitForSelector('#desk-notice');
    const again = await post();
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('这封邮件已经处理过了');
    const notice = (await office.textContent('#desk-notice'))!;
    const reportId = /R-\d{4}-\d{4}/.exec(notice)![0];
    expect(notice).toContain(`已作为报送 ${reportId} 接收（周晓梅`);
    await office.screenshot({ path: `${SHOTS}/desk-accepted.phone.png`, fullPage: true });

    const reports = (await h.readModel.listReports({})).filter((r) => r.title === '七年级数学公开课');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ id: reportId, submitterEmail: 'liufang@school.test', departmentId: 'jiaowu', timeliness: 'on_time' });
    expect(new Date(reports[0]!.receivedAt).getTime()).toBe(arrived.getTime());
    // The liaison's receipt goes to her school address.
    await h.smtp.waitFor((m) => m.kind === 'receipt' && m.reportId === reportId && m.to.includes('liufang@school.test'));
    const audit = await desk.auditFor(id!);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorEmail: 'zhouxiaomei@school.test', action: 'quarantine.accept', detail: { reportId, as: 'liufang@school.test' } });
  });

  it('adds the address as 刘芳’s alias: her next mail from it is her report at once; the auto-reply is ignored', async () => {
    const card = office.locator('.desk-mail', { hasText: '补充照片说明' });
    const id = await card.getAttribute('data-id');
    await card.locator('select[name=person]').selectOption('liufang@school.test');
    await card.locator('button', { hasText: '添加为该老师的别名' }).click();
    await office.waitForSelector('#desk-notice');
    expect(await office.textContent('#desk-notice')).toContain(`已把 ${HOME} 添加为别名（周晓梅`);
    expect(await desk.aliasOf(HOME)).toBe('liufang@school.test');
    expect((await desk.auditFor(id!))[0]).toMatchObject({ action: 'quarantine.alias', detail: { address: HOME, person: 'liufang@school.test' } });

    const nextId = `<${randomUUID()}@163.com>`;
    await dovecot.append(user, 'INBOX', mail({ from: `刘芳 <${HOME}>`, subject: '七年级家长会', body: '今天下午召开七年级家长会。', messageId: nextId }));
    const [receipt] = await h.smtp.waitFor((m) => m.kind === 'receipt' && m.inReplyTo === nextId);
    expect(receipt!.to).toEqual(['liufang@school.test']);
    expect((await h.readModel.getReport(receipt!.reportId!))!.submitterEmail).toBe('liufang@school.test');

    const auto = office.locator('.desk-mail', { hasText: '自动回复' });
    const autoMail = await auto.getAttribute('data-id');
    await auto.locator('button', { hasText: '忽略' }).click();
    await office.waitForSelector('#desk-none');
    expect(await office.textContent('#desk-count')).toBe('待处理 0 封');
    expect((await desk.get(autoMail!))!.status).toBe('ignored');
    expect(await office.textContent('.desk-decided')).toContain('已忽略（周晓梅');
    await screenshots(office, 'mail-desk-done', SHOTS);
  });

  it('each action needs a signed-in office person and the page’s CSRF token', async () => {
    const pendingId = await desk.record({ originRef: `<${randomUUID()}@x.test>`, fromAddress: 'x@x.test', fromName: null, subject: 'x', receivedAt: new Date(), reasonCode: 'unknown_sender', reason: 'x', preview: '', rawSha256: null, rawSize: 1 });
    const noSession = await web.app.inject({ method: 'POST', url: `/office/mail/${pendingId}/ignore`, payload: 'csrf=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(noSession.statusCode).toBe(303);
    expect(noSession.headers.location).toBe('/office/signin');
    const noCsrf = await web.app.inject({ method: 'POST', url: `/office/mail/${pendingId}/ignore`, payload: 'csrf=wrong', headers: { cookie: officeCookie, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(noCsrf.statusCode).toBe(403);
    expect((await desk.get(pendingId))!.status).toBe('pending');
  });
});
