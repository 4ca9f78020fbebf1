/**
 * The school's WeChat official account (公众号) as a publishing channel: an approved report goes into the
 * account's draft box (草稿箱) — its text as the article, its photos uploaded to WeChat, the first photo as the
 * cover — so the 宣传干事 only reviews it and presses 发表 inside WeChat. Nothing is published by us.
 *
 *   const mp = createWechatMp({ appId, appSecret });
 *   const { mediaId, created } = await mp.putDraft(piece, ledger);   // WechatMpError on refusal
 *
 * The API as documented (developers.weixin.qq.com, 公众号 服务端 API), in our words:
 * - Token: POST /cgi-bin/stable_token {grant_type: client_credential, appid, secret}. The stable token is
 *   chosen over GET /cgi-bin/token because asking again does not invalidate the token another process holds
 *   (several baosong workers share one AppID); it lives up to 7200 s, is renewed by WeChat 5 minutes before
 *   expiry, and we renew ours 5 minutes early too. 40001 / 42001 / 40014 (token invalid or expired): asked
 *   again once.
 * - Photos in the text: POST /cgi-bin/media/uploadimg (multipart field `media`), jpg/png under 1 MB → url.
 *   WeChat drops images from other hosts in an article, so each photo is uploaded.
 * - Cover: POST /cgi-bin/material/add_material?type=image (permanent material; bmp/png/jpeg/gif, 10 MB) → media_id.
 * - Draft: POST /cgi-bin/draft/add {articles: [{title ≤ 32 characters, author ≤ 16, digest ≤ 128, content < 20,000
 *   characters and 1 MB, content_source_url, thumb_media_id}]} → media_id. The cover is required for an article.
 * - Lookup: POST /cgi-bin/draft/batchget {offset, count ≤ 20, no_content: 1} lists the newest drafts.
 * Every answer may carry {errcode, errmsg}; errcode 0 or absent is success.
 */
import type { Locale } from '../templates/types.js';

export type WechatMpErrorCode = 'EWECHAT_TOKEN' | 'EWECHAT_IP' | 'EWECHAT_QUOTA' | 'EWECHAT_MEDIA' | 'EWECHAT_REFUSED' | 'EWECHAT_NETWORK';

export class WechatMpError extends Error {
  constructor(
    readonly code: WechatMpErrorCode,
    message: string,
    /** WeChat's errcode, when it gave one. */
    readonly errcode: number | null,
    /** Worth trying again later (a network failure, a busy server); not a setting someone must change. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'WechatMpError';
  }
}

export interface WechatPhoto {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface WechatPiece {
  reportId: string;
  title: string;
  author: string;
  /** The text, paragraphs separated by blank lines or line breaks. */
  text: string;
  photos: WechatPhoto[];
  /** 阅读原文: the page on the school website, when it is there; also how a draft is recognised as this report's. */
  sourceUrl?: string | null;
}

/** Where a report's draft id is kept between attempts (db/uses.ts ChannelDrafts in the service). */
export interface DraftLedger {
  get(reportId: string): Promise<string | null>;
  set(reportId: string, mediaId: string): Promise<void>;
}

export interface WechatMpOptions {
  appId: string;
  appSecret: string;
  /** Default https://api.weixin.qq.com (tests point it at a loopback server). */
  apiBase?: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Per request, default 20 s. */
  timeoutMs?: number;
  locale?: Locale;
}

/** Documented limits. */
export const LIMITS = { title: 32, author: 16, digest: 128, contentChars: 20_000, inlineImageBytes: 1024 * 1024, coverBytes: 10 * 1024 * 1024 } as const;
const INLINE_TYPES = new Set(['image/jpeg', 'image/png']);
const COVER_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/bmp']);
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);

/** The first `max` characters (code points, so never half a surrogate pair). */
export function cut(text: string, max: number): string {
  const chars = [...text.trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The article's HTML: the text's paragraphs, then each photo. */
export function articleHtml(text: string, imageUrls: readonly string[]): string {
  const paragraphs = text
    .split(/\n+/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${esc(p)}</p>`);
  const images = imageUrls.map((u) => `<p><img src="${esc(u)}"></p>`);
  return [...paragraphs, ...images].join('');
}

export function createWechatMp(options: WechatMpOptions) {
  const base = (options.apiBase ?? 'https://api.weixin.qq.com').replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const en = options.locale === 'en';
  let cached: { token: string; renewAt: number } | null = null;

  function explain(errcode: number, errmsg: string): WechatMpError {
    const ip = /(\d{1,3}(?:\.\d{1,3}){3})/.exec(errmsg)?.[1];
    switch (errcode) {
      case 40164:
      case 61004:
        return new WechatMpError(
          'EWECHAT_IP',
          en
            ? `WeChat refused this server's address${ip ? ` ${ip}` : ''}: it is not in the official account's IP whitelist. In the 公众号 console, open 设置与开发 → 基本配置 → IP白名单 and add ${ip ?? "this server's public outbound address"}; drafts go in once it is saved.`
            : `微信拒绝了本服务器的地址${ip ? ` ${ip}` : ''}：它不在公众号的 IP 白名单中。请登录公众号后台，在“设置与开发 → 基本配置 → IP白名单”中添加 ${ip ?? '本服务器的公网出口地址'}，保存后即可放入草稿箱。`,
          errcode,
          false,
        );
      case 40125:
      case 40013:
      case 41004:
        return new WechatMpError(
          'EWECHAT_TOKEN',
          en
            ? `WeChat refused the AppID or AppSecret (${errcode}). Check the two environment variables against 公众号后台 → 设置与开发 → 基本配置; if the AppSecret was reset there, set the new one.`
            : `微信不接受所配置的 AppID 或 AppSecret（错误码 ${errcode}）。请对照公众号后台“设置与开发 → 基本配置”核对这两个环境变量；如 AppSecret 在后台重置过，请换成新的。`,
          errcode,
          false,
        );
      case 45009:
        return new WechatMpError(
          'EWECHAT_QUOTA',
          en ? "The official account has used today's API quota (45009). Drafts go in again tomorrow; the office can put this one in by hand." : '公众号今天的接口调用次数已用完（错误码 45009），明天会自动恢复；这篇稿件可由宣传干事在公众号后台手动放入草稿箱。',
          errcode,
          false,
        );
      case 48001:
        return new WechatMpError(
          'EWECHAT_REFUSED',
          en ? 'This official account may not use the draft API (48001: not authorised; the account type or its verification does not allow it).' : '该公众号没有草稿箱接口权限（错误码 48001）：账号类型或认证情况不支持，请在公众号后台查看“接口权限”。',
          errcode,
          false,
        );
      case 40005:
      case 40009:
      case 45001:
        return new WechatMpError('EWECHAT_MEDIA', en ? `WeChat refused a photo (${errcode}: ${errmsg}).` : `微信不接受其中一张照片（错误码 ${errcode}：${errmsg}）。`, errcode, false);
      case -1:
        return new WechatMpError('EWECHAT_NETWORK', en ? 'WeChat is busy (-1); trying again.' : '微信服务器繁忙（错误码 -1），稍后重试。', errcode, true);
      default:
        return new WechatMpError('EWECHAT_REFUSED', en ? `WeChat refused the request: ${errcode} ${errmsg}.` : `微信拒绝了请求：错误码 ${errcode}，${errmsg}。`, errcode, false);
    }
  }

  async function call<T>(path: string, init: { method: 'GET' | 'POST'; json?: unknown; form?: FormData }, query: Record<string, string> = {}): Promise<T & { errcode?: number; errmsg?: string }> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: init.method,
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
        ...(init.json !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.json) } : {}),
        ...(init.form ? { body: init.form } : {}),
      });
    } catch (err) {
      throw new WechatMpError('EWECHAT_NETWORK', en ? `WeChat cannot be reached: ${(err as Error).message}` : `连接不上微信服务器：${(err as Error).message}`, null, true);
    }
    if (!res.ok) throw new WechatMpError('EWECHAT_NETWORK', en ? `WeChat answered HTTP ${res.status}` : `微信服务器返回 HTTP ${res.status}`, null, true);
    return (await res.json()) as T & { errcode?: number; errmsg?: string };
  }

  async function token(): Promise<string> {
    if (cached && now() < cached.renewAt) return cached.token;
    const answer = await call<{ access_token?: string; expires_in?: number }>('/cgi-bin/stable_token', { method: 'POST', json: { grant_type: 'client_credential', appid: options.appId, secret: options.appSecret } });
    if (answer.errcode || !answer.access_token) throw explain(answer.errcode ?? 0, answer.errmsg ?? 'no access_token');
    // Renew 5 minutes early (WeChat keeps the old one valid for those minutes).
    cached = { token: answer.access_token, renewAt: now() + Math.max(60, (answer.expires_in ?? 7200) - 300) * 1000 };
    return cached.token;
  }

  /** A call with the token; a token WeChat calls invalid or expired is fetched again, once. */
  async function authed<T>(path: string, init: { method: 'GET' | 'POST'; json?: unknown; form?: () => FormData }, query: Record<string, string> = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const answer = await call<T>(path, { method: init.method, ...(init.json !== undefined ? { json: init.json } : {}), ...(init.form ? { form: init.form() } : {}) }, { ...query, access_token: await token() });
      if (answer.errcode && TOKEN_ERRORS.has(answer.errcode) && attempt === 0) {
        cached = null;
        continue;
      }
      if (answer.errcode) throw explain(answer.errcode, answer.errmsg ?? '');
      return answer;
    }
  }

  const form = (photo: WechatPhoto) => () => {
    const f = new FormData();
    f.append('media', new Blob([new Uint8Array(photo.data)], { type: photo.contentType }), photo.filename);
    return f;
  };

  function checkPhoto(photo: WechatPhoto, types: ReadonlySet<string>, limit: number): WechatMpError | null {
    if (!types.has(photo.contentType)) return new WechatMpError('EWECHAT_MEDIA', en ? `${photo.filename}: WeChat takes ${[...types].join(', ')} here, not ${photo.contentType}.` : `${photo.filename}：微信此处只接受 ${[...types].map((t) => t.replace('image/', '')).join('、')} 格式的图片。`, null, false);
    if (photo.data.length > limit) return new WechatMpError('EWECHAT_MEDIA', en ? `${photo.filename} is ${(photo.data.length / 1048576).toFixed(1)} MB; WeChat takes at most ${limit / 1048576} MB here.` : `${photo.filename} 有 ${(photo.data.length / 1048576).toFixed(1)} MB，微信此处最大只接受 ${limit / 1048576} MB。`, null, false);
    return null;
  }

  /** The newest drafts' id whose article is this piece's: the same source page, else the same title and author. */
  async function findDraft(piece: Pick<WechatPiece, 'title' | 'author' | 'sourceUrl'>): Promise<string | null> {
    const page = await authed<{ item?: { media_id: string; content?: { news_item?: { title?: string; author?: string; content_source_url?: string }[] } }[] }>('/cgi-bin/draft/batchget', { method: 'POST', json: { offset: 0, count: 20, no_content: 1 } });
    const title = cut(piece.title, LIMITS.title);
    const author = cut(piece.author, LIMITS.author);
    const same = (n: { title?: string; author?: string; content_source_url?: string }) => (piece.sourceUrl ? n.content_source_url === piece.sourceUrl : n.title === title && n.author === author);
    return page.item?.find((i) => i.content?.news_item?.some(same))?.media_id ?? null;
  }

  return {
    token,
    findDraft,

    /**
     * Puts the piece into the draft box once. A draft already recorded for the report is returned as it is; before
     * making one, the newest drafts are searched for this piece (its page, else its title and author), which closes the window between
     * WeChat's answer to draft/add and our ledger write (a worker that died there): a retry finds that draft.
     */
    async putDraft(piece: WechatPiece, ledger: DraftLedger): Promise<{ mediaId: string; created: boolean; skipped: string[] }> {
      const known = await ledger.get(piece.reportId);
      if (known) return { mediaId: known, created: false, skipped: [] };
      const found = await findDraft(piece);
      if (found) {
        await ledger.set(piece.reportId, found);
        return { mediaId: found, created: false, skipped: [] };
      }
      const cover = piece.photos.find((p) => checkPhoto(p, COVER_TYPES, LIMITS.coverBytes) === null);
      if (!cover) {
        throw new WechatMpError('EWECHAT_MEDIA', en ? 'A 公众号 article needs a cover photo (jpg or png, at most 10 MB); this report has none. Add a photo, or put it in the draft box by hand.' : '公众号图文需要一张封面照片（jpg 或 png，不超过 10 MB），这篇报送没有可用的照片。请补充照片，或在公众号后台手动编辑。', null, false);
      }
      const thumb = await authed<{ media_id: string }>('/cgi-bin/material/add_material', { method: 'POST', form: form(cover) }, { type: 'image' });
      const urls: string[] = [];
      const skipped: string[] = [];
      for (const photo of piece.photos) {
        const problem = checkPhoto(photo, INLINE_TYPES, LIMITS.inlineImageBytes);
        if (problem) {
          skipped.push(problem.message);
          continue;
        }
        urls.push((await authed<{ url: string }>('/cgi-bin/media/uploadimg', { method: 'POST', form: form(photo) })).url);
      }
      let content = articleHtml(piece.text, urls);
      if ([...content].length >= LIMITS.contentChars) content = articleHtml(cut(piece.text, LIMITS.contentChars - 2000), urls);
      const draft = await authed<{ media_id: string }>('/cgi-bin/draft/add', {
        method: 'POST',
        json: {
          articles: [
            {
              title: cut(piece.title, LIMITS.title),
              author: cut(piece.author, LIMITS.author),
              digest: cut(piece.text.replace(/\s+/g, ' '), LIMITS.digest),
              content,
              ...(piece.sourceUrl ? { content_source_url: piece.sourceUrl } : {}),
              thumb_media_id: thumb.media_id,
              need_open_comment: 0,
              only_fans_can_comment: 0,
            },
          ],
        },
      });
      await ledger.set(piece.reportId, draft.media_id);
      return { mediaId: draft.media_id, created: true, skipped };
    },
  };
}

export type WechatMp = ReturnType<typeof createWechatMp>;
