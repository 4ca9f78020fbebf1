// Publishing through the school's channels, for real: the worker's activity posts to a loopback "CMS" that
// fails once and then answers with the page (the report is 已发布 with that page at once; the retry carries the
// same idempotency key; the archive and the uses hold it once), and puts the report into the 公众号 draft box
// of a loopback WeChat (tests/support/wechat-mp-server.ts) once, though WeChat was busy the first time.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ChannelDrafts, ReportUses } from '../../db/uses.js';
import { storeAttachment } from '../../storage/attachments.js';
import { startWechatMpServer, WECHAT_TEST, type WechatMpServer } from '../support/wechat-mp-server.js';
import { approveInTurn, startHarness, type Harness } from '../support/baosong.js';
import { createTestEnv } from '../support/temporal.js';

const liufang = { name: '刘芳', email: 'liufang@school.test' };
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' };
const xieyutong = { name: '谢雨桐', email: 'xieyutong@school.test' };

let env: TestWorkflowEnvironment;
let h: Harness;
let cms: Server;
let wechat: WechatMpServer;
const posts: { key: string | undefined; body: { id: string; title: string } }[] = [];

beforeAll(async () => {
  cms = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(data) as { id: string; title: string };
      posts.push({ key: req.headers['idempotency-key'] as string | undefined, body });
      // The first call fails (the CMS restarting); the retry gets the page.
      if (posts.filter((p) => p.body.id === body.id).length === 1) {
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `https://www.school.test/news/${body.id}.html` }));
    });
  });
  await new Promise<void>((r) => cms.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(cms.address() as AddressInfo).port}/cms/api/baosong`;
  wechat = await startWechatMpServer();
  process.env.TEST_WECHAT_APPID = WECHAT_TEST.appId;
  process.env.TEST_WECHAT_SECRET = WECHAT_TEST.appSecret;
  env = await createTestEnv();
  h = await startHarness(env, { configure: (c) => ({ ...c, publish: { ...c.publish, webhookUrl: url, wechat: { appIdEnv: 'TEST_WECHAT_APPID', appSecretEnv: 'TEST_WECHAT_SECRET', apiBase: wechat.url } } }) });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  await new Promise((r) => cms?.close(r));
  expect(wechat?.violations).toEqual([]);
  await wechat?.close();
});

describe('publishing by the website webhook', () => {
  it('is 已发布 with the page the website gives, once, though the first call failed', async () => {
    const now = new Date(await env.currentTimeMs());
    const { reportId, handle } = await h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '校园文化', urgency: 'routine', title: '读书节开幕式', body: '今天上午举行读书节开幕式。', eventTime: now, receivedAt: now, attachments: [] });
    await approveInTurn(handle, wangjianguo, xieyutong);
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ status: 'published', publishedUrl: `https://www.school.test/news/${reportId}.html` });

    const ours = posts.filter((p) => p.body.id === reportId);
    expect(ours).toHaveLength(2);
    expect(new Set(ours.map((p) => p.key))).toEqual(new Set([`baosong-publish-${reportId}`]));
    const told = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'published', 2);
    expect(told.map((m) => m.to[0]).sort()).toEqual([liufang.email, wangjianguo.email]);
    expect(told[0]!.text).toContain(`https://www.school.test/news/${reportId}.html`);
    expect(h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === 'approved')).toEqual([]);
    expect(await h.readModel.getPublished(reportId)).toMatchObject({ url: `https://www.school.test/news/${reportId}.html` });
    expect((await new ReportUses(h.database).usesOf([reportId])).map((u) => [u.outlet, u.level, u.kind, u.source])).toEqual([['学校网站', '校级', '网站', 'channel']]);
  }, 60_000);

  it('goes into the 公众号 draft box once, with its photo as the cover, though WeChat was busy at first', async () => {
    const now = new Date(await env.currentTimeMs());
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(4000, 7)]);
    const photo = await storeAttachment(h.config, png, { filename: '开幕式.png', contentType: 'image/png' });
    const { reportId, handle } = await h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '校园文化', urgency: 'routine', title: '科技节开幕', body: '科技节今天开幕。\n同学们展示了作品。', eventTime: now, receivedAt: now, attachments: [photo] });
    wechat.fail('/cgi-bin/draft/add', -1, 'system error');
    await approveInTurn(handle, wangjianguo, xieyutong);
    expect((await handle.result()).status).toBe('published');
    const drafts = new ChannelDrafts(h.database);
    for (let i = 0; i < 200 && (await drafts.get(reportId, 'wechat_mp'))?.state !== 'draft'; i++) await new Promise((r) => setTimeout(r, 100));
    const recorded = await drafts.get(reportId, 'wechat_mp');
    expect(recorded).toMatchObject({ state: 'draft', error: null });
    const ours = wechat.drafts.filter((d) => d.articles[0]!.title === '科技节开幕');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.media_id).toBe(recorded!.mediaId);
    expect(ours[0]!.articles[0]).toMatchObject({ author: '教务处 刘芳', content_source_url: `https://www.school.test/news/${reportId}.html` });
    expect(String(ours[0]!.articles[0]!.content)).toMatch(/<p>科技节今天开幕。<\/p><p>同学们展示了作品。<\/p><p><img src="http:\/\/mmbiz/);
  }, 90_000);

  it('a report with no photo cannot be a 公众号 article: the office sees why on its page, nothing retried', async () => {
    const now = new Date(await env.currentTimeMs());
    const { reportId, handle } = await h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '校园文化', urgency: 'routine', title: '教研活动', body: '语文组开展教研活动。', eventTime: now, receivedAt: now, attachments: [] });
    await approveInTurn(handle, wangjianguo, xieyutong);
    await handle.result();
    const drafts = new ChannelDrafts(h.database);
    for (let i = 0; i < 100 && !(await drafts.get(reportId, 'wechat_mp')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await drafts.get(reportId, 'wechat_mp')).toMatchObject({ state: 'failed', error: expect.stringContaining('公众号图文需要一张封面照片') });
  }, 60_000);
});
