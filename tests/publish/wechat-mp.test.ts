// The 公众号 draft-box client against a loopback server that checks requests as WeChat documents them
// (tests/support/wechat-mp-server.ts): the token cached and renewed, photos uploaded as WeChat wants them, one
// draft per report however often the activity runs, and WeChat's refusals in words the IT teacher can act on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatMp, cut, WechatMpError, type DraftLedger, type WechatPiece } from '../../publish/wechat-mp.js';
import { startWechatMpServer, WECHAT_TEST, type WechatMpServer } from '../support/wechat-mp-server.js';

let api: WechatMpServer;
beforeAll(async () => {
  api = await startWechatMpServer();
});
afterAll(async () => {
  expect(api.violations).toEqual([]);
  await api.close();
});

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const photo = (name: string, size = 2000, contentType = 'image/png') => ({ filename: name, contentType, data: Buffer.concat([PNG, Buffer.alloc(size)]) });
function piece(id: string, overrides: Partial<WechatPiece> = {}): WechatPiece {
  return {
    reportId: id,
    title: '七年级公开课周圆满结束：十二位教师展示课堂教学改革成果，家长代表走进课堂共同观摩',
    author: '教务处 刘芳',
    text: '11月26日，七年级开展公开课周活动。\n十二位教师展示了公开课。',
    photos: [photo('现场1.png'), photo('现场2.png')],
    sourceUrl: `https://baosong.school.test/status/${id}`,
    ...overrides,
  };
}
function memoryLedger(): DraftLedger & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, get: (id) => Promise.resolve(map.get(id) ?? null), set: (id, m) => Promise.resolve(void map.set(id, m)) };
}
async function refusal(p: Promise<unknown>): Promise<WechatMpError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WechatMpError);
  return err as WechatMpError;
}

describe('the 公众号 draft box', () => {
  it('puts a report in as one draft: cover, photos uploaded, title and digest within WeChat’s limits', async () => {
    const mp = createWechatMp({ ...WECHAT_TEST, apiBase: api.url });
    const before = api.drafts.length;
    const result = await mp.putDraft(piece('R-2026-0042'), memoryLedger());
    expect(result.created).toBe(true);
    expect(api.drafts.length).toBe(before + 1);
    const article = api.drafts[0]!.articles[0]!;
    expect([...String(article.title)].length).toBe(32);
    expect(String(article.title).endsWith('…')).toBe(true);
    expect(article.content).toMatch(/^<p>11月26日，七年级开展公开课周活动。<\/p><p>十二位教师展示了公开课。<\/p><p><img src="http:\/\/mmbiz\.qpic\.cn\/[^"]+"><\/p><p><img/);
    expect(article.content_source_url).toBe('https://baosong.school.test/status/R-2026-0042');
  });

  it('a retried attempt makes no second draft, even when the first died before writing down its id', async () => {
    const mp = createWechatMp({ ...WECHAT_TEST, apiBase: api.url });
    // Without a website page the title and author recognise it.
    const bare = await mp.putDraft(piece('R-2026-0048', { title: '校运会开幕', sourceUrl: null }), memoryLedger());
    expect(await mp.putDraft(piece('R-2026-0048', { title: '校运会开幕', sourceUrl: null }), memoryLedger())).toMatchObject({ mediaId: bare.mediaId, created: false });
    const ledger = memoryLedger();
    const first = await mp.putDraft(piece('R-2026-0043'), ledger);
    const adds = api.calls['/cgi-bin/draft/add'];
    expect(await mp.putDraft(piece('R-2026-0043'), ledger)).toEqual({ mediaId: first.mediaId, created: false, skipped: [] });
    // A worker that died between WeChat's answer and the ledger: a new ledger, the same report.
    expect(await mp.putDraft(piece('R-2026-0043'), memoryLedger())).toMatchObject({ mediaId: first.mediaId, created: false });
    expect(api.calls['/cgi-bin/draft/add']).toBe(adds);
  });

  it('the token is asked for once and kept; renewed five minutes before it expires; asked again once when WeChat calls it invalid', async () => {
    let clock = 1_000_000;
    const mp = createWechatMp({ ...WECHAT_TEST, apiBase: api.url, now: () => clock });
    const before = api.calls['/cgi-bin/stable_token'] ?? 0;
    const t1 = await mp.token();
    expect(await mp.token()).toBe(t1);
    clock += (7200 - 301) * 1000;
    expect(await mp.token()).toBe(t1);
    clock += 2000;
    const t2 = await mp.token();
    expect(t2).not.toBe(t1);
    api.expireTokens();
    expect(await mp.findDraft({ title: '没有这篇', author: '无', sourceUrl: 'https://nowhere.test/x' })).toBeNull();
    expect(api.calls['/cgi-bin/stable_token']).toBe(before + 3);
  });

  it('a photo WeChat would refuse is refused here first, in words; without a usable cover there is no draft', async () => {
    const mp = createWechatMp({ ...WECHAT_TEST, apiBase: api.url });
    const big = photo('大合影.png', 1024 * 1024 + 10);
    const result = await mp.putDraft(piece('R-2026-0044', { photos: [big, photo('小.png')] }), memoryLedger());
    expect(result.skipped).toEqual(['大合影.png 有 1.0 MB，微信此处最大只接受 1 MB。']);
    const none = await refusal(createWechatMp({ ...WECHAT_TEST, apiBase: api.url }).putDraft(piece('R-2026-0045', { photos: [photo('说明.pdf', 100, 'application/pdf')] }), memoryLedger()));
    expect(none.code).toBe('EWECHAT_MEDIA');
    expect(none.message).toContain('公众号图文需要一张封面照片');
  });

  it('WeChat’s refusals, explained: the IP whitelist with the address to add, the day’s quota, a wrong AppSecret', async () => {
    const mp = createWechatMp({ ...WECHAT_TEST, apiBase: api.url });
    api.fail('/cgi-bin/draft/batchget', 40164, 'invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist rid: 1');
    const ip = await refusal(mp.putDraft(piece('R-2026-0046'), memoryLedger()));
    expect(ip).toMatchObject({ code: 'EWECHAT_IP', errcode: 40164, retryable: false });
    expect(ip.message).toContain('设置与开发 → 基本配置 → IP白名单');
    expect(ip.message).toContain('203.0.113.7');
    api.fail('/cgi-bin/draft/batchget', 45009, 'reach max api daily quota limit');
    expect(await refusal(mp.putDraft(piece('R-2026-0047'), memoryLedger()))).toMatchObject({ code: 'EWECHAT_QUOTA', retryable: false });
    const wrong = await refusal(createWechatMp({ ...WECHAT_TEST, appSecret: 'old-secret', apiBase: api.url, locale: 'en' }).token());
    expect(wrong).toMatchObject({ code: 'EWECHAT_TOKEN', errcode: 40125 });
    expect(wrong.message).toContain('AppSecret');
    const down = await refusal(createWechatMp({ ...WECHAT_TEST, apiBase: 'http://127.0.0.1:9' }).token());
    expect(down).toMatchObject({ code: 'EWECHAT_NETWORK', retryable: true });
  });

  it('cuts by characters, never half a character', () => {
    expect(cut('😀'.repeat(40), 32)).toBe(`${'😀'.repeat(31)}…`);
    expect(cut('短标题', 32)).toBe('短标题');
  });
});
