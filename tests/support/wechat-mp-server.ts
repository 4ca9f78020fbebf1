// A loopback stand-in for the 公众号 server API that checks each request as the documentation describes it
// (publish/wechat-mp.ts has the summary): method and path, access_token in the query, JSON bodies and their
// limits, multipart uploads with the field `media`, jpg/png under 1 MB for uploadimg, a permanent cover for
// the draft, image URLs only from uploadimg. It answers like WeChat, errcode and all.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WechatMpServer {
  url: string;
  /** Requests by path. */
  calls: Record<string, number>;
  drafts: { media_id: string; articles: Record<string, unknown>[] }[];
  /** Problems found in requests (a test expects none). */
  violations: string[];
  /** The next answers of a path are these errors (then normal again). */
  fail(path: string, errcode: number, errmsg: string, times?: number): void;
  /** Tokens issued so far become invalid (as when WeChat rotates them). */
  expireTokens(): void;
  close(): Promise<void>;
}

const APPID = 'wx0123456789abcdef';
const SECRET = 'secret-0123456789abcdef0123456789';
export const WECHAT_TEST = { appId: APPID, appSecret: SECRET };

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
  });
}

/** The one file part named `media` of a multipart body: its content type and size. */
function mediaPart(contentType: string, raw: Buffer): { type: string; size: number; filename: string } | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return null;
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Buffer[] = [];
  let at = raw.indexOf(sep);
  while (at !== -1) {
    const next = raw.indexOf(sep, at + sep.length);
    if (next === -1) break;
    parts.push(raw.subarray(at + sep.length, next));
    at = next;
  }
  const named = parts.filter((p) => /name="media"/.test(p.subarray(0, 500).toString('latin1')));
  if (named.length !== 1) return null;
  const part = named[0]!;
  const headEnd = part.indexOf('\r\n\r\n');
  const head = part.subarray(0, headEnd).toString('utf8');
  return { type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? '', size: part.length - headEnd - 4 - 2, filename: /filename="([^"]*)"/.exec(head)?.[1] ?? '' };
}

export async function startWechatMpServer(): Promise<WechatMpServer> {
  const calls: Record<string, number> = {};
  const drafts: WechatMpServer['drafts'] = [];
  const violations: string[] = [];
  const failures = new Map<string, { errcode: number; errmsg: string; times: number }>();
  let tokens = new Set<string>();
  let serial = 0;
  const images = new Set<string>();
  const materials = new Set<string>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      calls[path] = (calls[path] ?? 0) + 1;
      const raw = await body(req);
      const send = (value: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      const bad = (why: string) => (violations.push(`${path}: ${why}`), send({ errcode: 40035, errmsg: `invalid args: ${why}` }));
      const failing = failures.get(path);
      if (failing && failing.times > 0) {
        failing.times -= 1;
        return send({ errcode: failing.errcode, errmsg: failing.errmsg });
      }
      if (req.method !== 'POST') return bad(`method ${req.method}`);
      if (path === '/cgi-bin/stable_token') {
        const b = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        if (!String(req.headers['content-type']).startsWith('application/json')) return bad('stable_token takes JSON');
        if (b.grant_type !== 'client_credential') return bad('grant_type');
        if (b.appid !== APPID || b.secret !== SECRET) return send({ errcode: 40125, errmsg: 'invalid appsecret' });
        const token = `TOKEN-${++serial}`;
        tokens.add(token);
        return send({ access_token: token, expires_in: 7200 });
      }
      if (!tokens.has(url.searchParams.get('access_token') ?? '')) return send({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
      if (path === '/cgi-bin/media/uploadimg' || path === '/cgi-bin/material/add_material') {
        const part = mediaPart(String(req.headers['content-type']), raw);
        if (!part) return bad('no multipart field "media"');
        if (path === '/cgi-bin/media/uploadimg') {
          if (!['image/jpeg', 'image/png'].includes(part.type)) return send({ errcode: 40005, errmsg: 'invalid file type' });
          if (part.size >= 1024 * 1024) return send({ errcode: 40009, errmsg: 'invalid image size' });
          const u = `http://mmbiz.qpic.cn/mmbiz_png/img${++serial}/0`;
          images.add(u);
          return send({ url: u, errcode: 0, errmsg: 'ok' });
        }
        if (url.searchParams.get('type') !== 'image') return bad('add_material type');
        const id = `MATERIAL-${++serial}`;
        materials.add(id);
        return send({ media_id: id, url: `http://mmbiz.qpic.cn/mmbiz_png/m${serial}/0` });
      }
      if (path === '/cgi-bin/draft/add') {
        const b = JSON.parse(raw.toString('utf8')) as { articles?: Record<string, unknown>[] };
        const a = b.articles?.[0];
        if (!a || b.articles?.length !== 1) return bad('one article expected');
        const len = (v: unknown) => [...(typeof v === 'string' ? v : '')].length;
        if (len(a.title) === 0 || len(a.title) > 32) return bad(`title length ${len(a.title)}`);
        if (len(a.author) > 16) return bad(`author length ${len(a.author)}`);
        if (len(a.digest) > 128) return bad(`digest length ${len(a.digest)}`);
        if (len(a.content) >= 20_000) return bad('content too long');
        if (!materials.has(String(a.thumb_media_id))) return send({ errcode: 40007, errmsg: 'invalid media_id' });
        for (const m of String(a.content).matchAll(/<img[^>]*src="([^"]+)"/g)) if (!images.has(m[1]!)) return bad(`image not from uploadimg: ${m[1]}`);
        const id = `DRAFT-${++serial}`;
        drafts.unshift({ media_id: id, articles: b.articles });
        return send({ media_id: id });
      }
      if (path === '/cgi-bin/draft/batchget') {
        const b = JSON.parse(raw.toString('utf8')) as { offset?: number; count?: number; no_content?: number };
        if (typeof b.offset !== 'number' || typeof b.count !== 'number' || b.count < 1 || b.count > 20) return bad('batchget offset/count');
        const page = drafts.slice(b.offset, b.offset + b.count);
        return send({ total_count: drafts.length, item_count: page.length, item: page.map((d) => ({ media_id: d.media_id, content: { news_item: d.articles.map((a) => ({ ...a, ...(b.no_content ? { content: '' } : {}) })) }, update_time: 0 })) });
      }
      return bad('unknown path');
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    drafts,
    violations,
    fail: (path, errcode, errmsg, times = 1) => void failures.set(path, { errcode, errmsg, times }),
    expireTokens: () => void (tokens = new Set()),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
