// After 审核通过 (issue 20), as the office lives it: a report waits 待发布; the office confirms the publication
// on the report's page (the editor had not replied) and the liaison gets the link; the office records uses
// (录用) by form and by replying "录用：…" to a mail, sets 简讯/详讯, records a 瞒报, and reads the term's ranking
// with every point's reason on /office/scoring, with the workbook to download. The real workflow on our Temporal
// test server, SMTP, the intake, SQLite, Chromium at 390 and 1280 px.
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { ReportUses } from '../../db/uses.js';
import { handleMail } from '../../intake/handle.js';
import type { WebServer } from '../../web/server.js';
import { approveSignal } from '../../workflows/report.js';
import { launchChromium, overflowsHorizontally, PHONE, screenshots } from '../support/browser.js';
import { linksIn, SECRET, signInOffice, startHarness, startHarnessWeb, waitForStatus, type Harness } from '../support/baosong.js';
import { replyTo } from '../support/mails.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let base: string;
let browser: Browser;
let office: Page;

const liufang = { name: '刘芳', email: 'liufang@school.test' };
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' };
const xieyutong = { name: '谢雨桐', email: 'xieyutong@school.test' };
const by = (actor: { name: string; email: string }) => ({ actor, evidence: { via: 'mail' as const, ref: `<${randomUUID()}@school.test>` } });

beforeAll(async () => {
  env = await createTestEnv();
  // The county bureau is configured (上报): only incidents go up by themselves; any other piece by the office's 投稿.
  h = await startHarness(env, {
    configure: (c) => ({ ...c, upward: { bureau: { name: '青禾县教育局', email: 'xxk@jyj.test', aliases: [] }, subject: '【{school}】{title}', body: true, docx: true, photos: 'attach', maxMB: 20, listenDays: 30, rules: [{ category: ['安全管理'], parallel: true, withinHours: 1 }] } }),
  });
  ({ web, base } = await startHarnessWeb(h));
  browser = await launchChromium();
  office = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true })).newPage();
  await signInOffice(h, office, base, 'zhouxiaomei@school.test');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await h?.close();
  await env?.teardown();
});

async function approvedReport(title: string, body = '七年级开展公开课周活动，十二位教师展示了公开课。') {
  const now = new Date();
  const r = await h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '教育教学', urgency: 'routine', title, body, eventTime: now, receivedAt: now, attachments: [] });
  await r.handle.signal(approveSignal, by(wangjianguo));
  await waitForStatus(r.handle, (s) => s.step?.index === 1);
  await r.handle.signal(approveSignal, by(xieyutong));
  await waitForStatus(r.handle, (s) => s.status === 'approved');
  return r;
}

describe('after 审核通过: publishing, uses and the scoring sheet', () => {
  it('the office confirms the publication with its page; the liaison and head get the link; the school website is a use', async () => {
    const { reportId, handle } = await approvedReport('七年级公开课周圆满结束');
    await office.goto(`${base}/office/reports/${reportId}`);
    expect(await office.textContent('#status')).toBe('审核通过 · 待发布');
    await office.waitForSelector('#publish-form');
    expect(await overflowsHorizontally(office)).toBe(false);
    await screenshots(office, '60-office-to-publish');
    await office.fill('#publish-url', 'https://www.school.test/news/gongkaike.html');
    await office.click('#publish');
    expect(await office.textContent('main')).toContain('已确认发布（https://www.school.test/news/gongkaike.html），已通知报送人和部门负责人。');
    expect((await handle.result()).status).toBe('published');
    const told = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'published', 2);
    expect(told.map((m) => m.to[0]).sort()).toEqual([liufang.email, wangjianguo.email]);
    expect(told[0]!.text).toContain('https://www.school.test/news/gongkaike.html');
    await office.goto(`${base}/office/reports/${reportId}#uses`);
    expect(await office.textContent('#status')).toBe('已发布');
    expect(await office.locator('#publish-form').count()).toBe(0);
    expect(await office.locator('#use-list').innerText()).toContain('学校网站');
  });

  it('投稿: a published piece is sent up to the bureau from its page, once; the page then says when', async () => {
    const { reportId, handle } = await approvedReport('七年级英语配音比赛');
    await office.goto(`${base}/office/reports/${reportId}`);
    await office.fill('#publish-url', 'https://www.school.test/news/peiyin.html');
    await office.click('#publish');
    await handle.result();
    await office.goto(`${base}/office/reports/${reportId}#upward-form`);
    expect(await office.locator('#upward-form').innerText()).toContain('青禾县教育局');
    await screenshots(office, '60b-office-upward');
    await office.click('#upward-send');
    expect(await office.textContent('main')).toContain('已上报青禾县教育局，教育局的回复（收到、录用、退回）会记在本页。');
    const [up] = await h.smtp.waitFor((m) => m.kind === 'upward' && m.reportId === reportId);
    expect(up!.to).toEqual(['xxk@jyj.test']);
    expect(up!.subject).toBe('【青禾市第一实验中学】七年级英语配音比赛');
    await office.goBack();
    await office.reload();
    expect(await office.locator('#upward-sent').innerText()).toContain('已上报：青禾县教育局');
    expect(await office.locator('#upward-send').count()).toBe(0);
    expect(await overflowsHorizontally(office)).toBe(false);
  });

  it('the editor confirms from the 待发布 mail’s link (not signed in, on a phone): 已发布 with the page', async () => {
    const { reportId, handle } = await approvedReport('八年级诗歌朗诵会');
    const [request] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'publish_request');
    expect(request!.text).toContain('确认已发布');
    const link = linksIn(request!).find((l) => l.includes('/publish/'))!;
    const phone = await (await browser.newContext({ viewport: PHONE, locale: 'zh-CN' })).newPage();
    await phone.goto(link);
    expect(await phone.textContent('h1')).toContain('确认已发布');
    expect(await overflowsHorizontally(phone)).toBe(false);
    await screenshots(phone, '63-editor-publish-page');
    await phone.fill('#publish-url', 'https://www.school.test/news/shige.html');
    await phone.click('#publish');
    expect(await phone.textContent('main')).toContain('已确认发布（https://www.school.test/news/shige.html）');
    expect((await handle.result()).publishedUrl).toBe('https://www.school.test/news/shige.html');
    const status = await waitForStatus(handle, (s) => s.status === 'published');
    expect(status.timeline.at(-1)).toMatchObject({ type: 'published', actor: { email: xieyutong.email } });
    // The link again: said so, nothing more happens.
    await phone.goto(link);
    expect(await phone.textContent('main')).toContain('已经确认发布');
    // A link made for another report's editor does not open this one; a broken link is refused in words.
    await phone.goto(link.replace(/\/publish\/[^.]+/, '/publish/eyJrIjoicCJ9'));
    expect(await phone.textContent('main')).toContain('这个链接无效');
    await phone.context().close();
  });

  it('the last reviewer keeps a report on record from the review page (仅存档): no 待发布, the liaison told so', async () => {
    const now = new Date();
    const r = await h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '教育教学', urgency: 'routine', title: '教研组长会议纪要', body: '本周召开教研组长会议。', eventTime: now, receivedAt: now, attachments: [] });
    await r.handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(r.handle, (s) => s.step?.index === 1);
    const [request] = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'review_request' && m.to.includes(xieyutong.email));
    const page = await (await browser.newContext({ viewport: PHONE, locale: 'zh-CN' })).newPage();
    await page.goto(linksIn(request!).find((l) => l.endsWith('do=approve'))!);
    expect(await page.textContent('label[for], .confirm')).toContain('仅存档');
    await page.check('#archive-only');
    await page.click('#approve');
    expect((await r.handle.result()).status).toBe('archived');
    const told = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'approved', 2);
    expect(told[0]!.subject).toContain('审核通过（仅存档）');
    expect(h.smtp.mails.filter((m) => m.reportId === r.reportId && m.kind === 'publish_request')).toEqual([]);
    await page.context().close();
  });

  it('uses recorded by form and by replying 录用：…; the same use twice is one; a wrong one removed; 简讯 set', async () => {
    const { reportId } = await approvedReport('校园读书节开幕');
    await office.goto(`${base}/office/reports/${reportId}`);
    await office.fill('#use-line', '县教育网 https://jyj.county.test/news/88.html');
    await office.click('#use-add');
    expect(await office.textContent('main')).toContain('已登记录用：县教育网（县区级 网站） https://jyj.county.test/news/88.html');
    await office.goto(`${base}/office/reports/${reportId}`);
    await office.fill('#use-line', '县教育网 https://jyj.county.test/news/88.html/');
    await office.click('#use-add');
    expect(await office.textContent('main')).toContain('这条录用此前已登记，未重复记录');
    await office.goto(`${base}/office/reports/${reportId}`);
    await office.fill('#use-line', '晨报 第 3 期');
    await office.selectOption('#use-level', '市级');
    await office.selectOption('#use-kind', '报刊');
    await office.click('#use-add');
    expect(await office.textContent('main')).toContain('已登记录用：晨报（市级 报刊） 第3期');

    // 谢雨桐 (office, the editor) replies to her 待发布 mail: two uses at once; she is told what was recorded.
    const [request] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'publish_request');
    const raw = replyTo(request!, `谢雨桐 <${xieyutong.email}>`, '录用：市教育简报 第12期\n录用：县电视台 https://tv.county.test/v/7');
    const deps = { config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET };
    expect(await handleMail(deps, { uid: 9001, raw, internalDate: new Date(), size: raw.length })).toEqual({ folder: 'processed' });
    const [ack] = await h.smtp.waitFor((m) => m.kind === 'notice' && m.to.includes(xieyutong.email) && m.subject.includes('已记录'));
    expect(ack!.text).toContain('市教育简报（市级 简报） 第12期');
    expect(ack!.text).toContain('县电视台（县区级 电视） https://tv.county.test/v/7');
    // The liaison cannot record uses: told why, nothing recorded.
    const [receipt] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'receipt');
    const fromLiaison = replyTo(receipt!, `刘芳 <${liufang.email}>`, '录用：省教育厅网站 https://jyt.province.test/1');
    await handleMail(deps, { uid: 9002, raw: fromLiaison, internalDate: new Date(), size: fromLiaison.length });
    const uses = await new ReportUses(h.database).usesOf([reportId]);
    expect(uses.map((u) => `${u.outlet} ${u.level} ${u.kind} ${u.source}`).sort()).toEqual(['县教育网 县区级 网站 office', '县电视台 县区级 电视 mail', '市教育简报 市级 简报 mail', '晨报 市级 报刊 office']);

    await office.goto(`${base}/office/reports/${reportId}`);
    const list = await office.locator('#use-list').innerText();
    expect(list).toContain('市教育简报');
    await office.setViewportSize(PHONE);
    expect(await overflowsHorizontally(office)).toBe(false);
    await office.setViewportSize({ width: 1280, height: 900 });
    await screenshots(office, '61-office-uses');
    // Remove the 晨报 use (recorded by mistake).
    const row = office.locator('#use-list tr', { hasText: '晨报' });
    await row.locator('button').click();
    expect(await office.textContent('main')).toContain('已删除这条录用记录。');
    expect((await new ReportUses(h.database).usesOf([reportId])).some((u) => u.outlet === '晨报')).toBe(false);

    await office.goto(`${base}/office/reports/${reportId}`);
    await office.selectOption('#size', '详讯');
    await office.click('#size-save');
    expect(await office.textContent('main')).toContain('篇幅已设为：详讯');
    expect((await new ReportUses(h.database).pieces([reportId])).get(reportId)?.size).toBe('详讯');
  });

  it('/office/scoring: the ranking with each point’s reason, a 瞒报 recorded, the workbook downloaded', async () => {
    await office.goto(`${base}/office/scoring`);
    await office.waitForSelector('#ranking');
    const ranking = await office.locator('#ranking').innerText();
    expect(ranking).toContain('教务处');
    const lines = (await office.locator('details', { hasText: '教务处' }).textContent()) ?? '';
    expect(lines).toMatch(/\+20 R-\d{4}-\d{4} 《校园读书节开幕》被市教育简报（市级简报）录用（详讯），共录用 3 次，按最高一次计/);
    await office.selectOption('#concealed-department', 'anquan');
    await office.fill('#concealed-incident', '实验室小火情未报送');
    await office.click('#concealed-add');
    expect(await office.textContent('main')).toContain('已登记瞒报：安全办：实验室小火情未报送');
    await office.goto(`${base}/office/scoring`);
    expect(await office.locator('#concealed').innerText()).toContain('实验室小火情未报送');
    expect(await office.locator('details', { hasText: '安全办' }).textContent()).toContain('-5 瞒报：实验室小火情未报送');
    expect(await overflowsHorizontally(office)).toBe(false);
    await screenshots(office, '62-office-scoring');

    const [download] = await Promise.all([office.waitForEvent('download'), office.click('#dl-register\\.xlsx')]);
    expect(download.suggestedFilename()).toMatch(/^\d{4}年(秋季|春季)学期信息录用与考核量分\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await download.path()));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['信息录用情况登记表', '宣传考核量分表', '个人得分']);
    expect(wb.getWorksheet('信息录用情况登记表')!.rowCount).toBeGreaterThanOrEqual(2 + 4);
    // A term that is not one is said so.
    await office.goto(`${base}/office/scoring?term=明年`);
    expect(await office.textContent('main')).toContain('学期写法有误');
  });
});
