/**
 * The three group-robot APIs (企业微信, 钉钉, 飞书) as a loopback HTTP server (node:http on 127.0.0.1)
 * that checks each request the way the documented API does: the path, the key / access_token / hook
 * token, the JSON body's shape, the signature recomputed from the configured secret and the request's
 * own timestamp (and that timestamp's freshness), and the rate limits (answering each vendor's
 * rate-limit code). It keeps every message it accepted. `outage(true)` answers 502 to everything.
 *
 *   const robots = await startChatRobotServer({ wecom: { keys: ['k1'] }, dingtalk: { 'tok': 'SECxyz' }, feishu: { 'hook': 'sec' } });
 *   robots.baseUrl   // http://127.0.0.1:<port>, the `baseUrl` of each robot in the configuration
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RobotVendor = 'wecom' | 'dingtalk' | 'feishu';

export interface AcceptedMessage {
  vendor: RobotVendor;
  /** The key / access_token / hook token that was used. */
  robot: string;
  body: Record<string, unknown>;
  /** Wall-clock time of receipt. */
  at: number;
}

export interface ChatRobotServerOptions {
  wecom?: { keys: string[] };
  /** access_token → 加签 secret (null: the robot uses no signature). */
  dingtalk?: Record<string, string | null>;
  /** hook token → 签名校验 secret (null: no signature). */
  feishu?: Record<string, string | null>;
  /** The server's clock (ms), for the timestamp checks and rate windows. */
  now?: () => number;
  /** Text added to every refusal's message, from the request's URL: a vendor echoing the request (key, token) in its error. */
  echo?: (url: string) => string;
}

export interface ChatRobotServer {
  baseUrl: string;
  accepted: AcceptedMessage[];
  /** Requests refused, with the code answered. */
  refused: { vendor: RobotVendor; robot: string; code: number; msg: string }[];
  outage(on: boolean): void;
  /** Resolves when `count` accepted messages match `filter`. */
  waitFor(filter: (m: AcceptedMessage) => boolean, count?: number, timeoutMs?: number): Promise<AcceptedMessage[]>;
  close(): Promise<void>;
}

const LIMITS: Record<RobotVendor, { limit: number; windowMs: number }[]> = {
  wecom: [{ limit: 20, windowMs: 60_000 }],
  dingtalk: [{ limit: 20, windowMs: 60_000 }],
  feishu: [
    { limit: 100, windowMs: 60_000 },
    { limit: 5, windowMs: 1_000 },
  ],
};

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown) => Array.isArray(v) && v.every(isString);

export async function startChatRobotServer(options: ChatRobotServerOptions): Promise<ChatRobotServer> {
  const now = options.now ?? Date.now;
  const accepted: AcceptedMessage[] = [];
  const refused: ChatRobotServer['refused'] = [];
  const sent = new Map<string, number[]>();
  let down = false;

  /** True when one more message from this robot would exceed its documented limit (and counts it otherwise). */
  function overLimit(vendor: RobotVendor, robot: string): boolean {
    const key = `${vendor}:${robot}`;
    const times = (sent.get(key) ?? []).filter((t) => t > now() - 60_000);
    const over = LIMITS[vendor].some((w) => times.filter((t) => t > now() - w.windowMs).length >= w.limit);
    if (!over) times.push(now());
    sent.set(key, times);
    return over;
  }

  function answer(res: ServerResponse, vendor: RobotVendor, robot: string, code: number, msg_: string): void {
    const msg = code !== 0 && options.echo ? `${msg_}${options.echo(String(res.req.url))}` : msg_;
    if (code !== 0) refused.push({ vendor, robot, code, msg });
    const body = vendor === 'feishu' ? { code, msg, data: {} } : { errcode: code, errmsg: msg };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  function wecom(url: URL, body: Record<string, unknown>, res: ServerResponse): void {
    const key = url.searchParams.get('key') ?? '';
    if (url.pathname !== '/cgi-bin/webhook/send') return void res.writeHead(404).end();
    if (!options.wecom?.keys.includes(key)) return answer(res, 'wecom', key, 93000, 'invalid webhook url');
    const ok =
      (body.msgtype === 'markdown' && isObject(body.markdown) && isString(body.markdown.content) && Buffer.byteLength(body.markdown.content) <= 4096) ||
      (body.msgtype === 'text' &&
        isObject(body.text) &&
        isString(body.text.content) &&
        Buffer.byteLength(body.text.content) <= 2048 &&
        (body.text.mentioned_mobile_list === undefined || isStringArray(body.text.mentioned_mobile_list)));
    if (!ok) return answer(res, 'wecom', key, 40008, 'invalid message type');
    if (overLimit('wecom', key)) return answer(res, 'wecom', key, 45009, 'api freq out of limit');
    accepted.push({ vendor: 'wecom', robot: key, body, at: now() });
    answer(res, 'wecom', key, 0, 'ok');
  }

  function dingtalk(url: URL, body: Record<string, unknown>, res: ServerResponse): void {
    const token = url.searchParams.get('access_token') ?? '';
    if (url.pathname !== '/robot/send') return void res.writeHead(404).end();
    if (!options.dingtalk || !(token in options.dingtalk)) return answer(res, 'dingtalk', token, 300001, 'token is not exist');
    const secret = options.dingtalk[token];
    if (secret) {
      // 加签: timestamp in ms within an hour of ours; sign = urlencode(base64(HmacSHA256(key=secret, timestamp + "\n" + secret))).
      const timestamp = url.searchParams.get('timestamp') ?? '';
      const sign = url.searchParams.get('sign') ?? ''; // URLSearchParams has decoded it once
      const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
      if (!/^\d{13}$/.test(timestamp) || Math.abs(now() - Number(timestamp)) > 3_600_000) return answer(res, 'dingtalk', token, 310000, 'invalid timestamp');
      if (sign !== expected) return answer(res, 'dingtalk', token, 310000, 'sign not match');
    }
    const at = isObject(body.at) ? body.at : {};
    const mobiles = at.atMobiles ?? [];
    const ok =
      ((body.msgtype === 'markdown' && isObject(body.markdown) && isString(body.markdown.title) && isString(body.markdown.text)) ||
        (body.msgtype === 'text' && isObject(body.text) && isString(body.text.content))) &&
      isStringArray(mobiles);
    if (!ok) return answer(res, 'dingtalk', token, 40035, '缺少参数 json');
    // In markdown, a mention shows only when the text says @<mobile> too.
    const text = isObject(body.markdown) ? String(body.markdown.text) : '';
    if (body.msgtype === 'markdown' && mobiles.some((m) => !text.includes(`@${m}`))) return answer(res, 'dingtalk', token, 40035, 'atMobiles not mentioned in text');
    if (overLimit('dingtalk', token)) return answer(res, 'dingtalk', token, 130101, 'send too fast, exceed 20 times per minute');
    accepted.push({ vendor: 'dingtalk', robot: token, body, at: now() });
    answer(res, 'dingtalk', token, 0, 'ok');
  }

  function feishu(url: URL, body: Record<string, unknown>, res: ServerResponse): void {
    const match = /^\/open-apis\/bot\/v2\/hook\/([^/]+)$/.exec(url.pathname);
    if (!match) return void res.writeHead(404).end();
    const token = decodeURIComponent(match[1]!);
    if (!options.feishu || !(token in options.feishu)) return answer(res, 'feishu', token, 19001, 'param invalid: incoming webhook access token invalid');
    const secret = options.feishu[token];
    if (secret) {
      // 签名校验: timestamp (s) + "\n" + secret is the HMAC-SHA256 key of an empty message, Base64; within an hour.
      const timestamp = isString(body.timestamp) ? body.timestamp : '';
      const expected = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
      if (!/^\d{10}$/.test(timestamp) || Math.abs(now() / 1000 - Number(timestamp)) > 3600 || body.sign !== expected) {
        return answer(res, 'feishu', token, 19021, 'sign match fail or timestamp is not within one hour from current time');
      }
    }
    const content = isObject(body.content) ? body.content : null;
    let ok = false;
    if (body.msg_type === 'text') ok = isString(content?.text);
    if (body.msg_type === 'post' && isObject(content?.post)) {
      ok = Object.values(content.post).every(
        (p) => isObject(p) && isString(p.title) && Array.isArray(p.content) && p.content.every((line) => Array.isArray(line) && line.every((tag) => isObject(tag) && (tag.tag === 'text' ? isString(tag.text) : tag.tag === 'a' ? isString(tag.text) && isString(tag.href) : tag.tag === 'at'))),
      );
    }
    if (!ok || Buffer.byteLength(JSON.stringify(body)) > 20 * 1024) return answer(res, 'feishu', token, 9499, 'Bad Request');
    if (overLimit('feishu', token)) return answer(res, 'feishu', token, 11232, 'frequency limited');
    accepted.push({ vendor: 'feishu', robot: token, body, at: now() });
    answer(res, 'feishu', token, 0, 'success');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (down) return void res.writeHead(502, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/json')) return void res.writeHead(405).end();
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = null;
    }
    if (!isObject(body)) return void res.writeHead(400).end();
    if (url.pathname.startsWith('/cgi-bin/')) return wecom(url, body, res);
    if (url.pathname.startsWith('/robot/')) return dingtalk(url, body, res);
    if (url.pathname.startsWith('/open-apis/')) return feishu(url, body, res);
    res.writeHead(404).end();
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => res.writeHead(500).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accepted,
    refused,
    outage(on) {
      down = on;
    },
    async waitFor(filter, count = 1, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = accepted.filter(filter);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} chat message(s); have ${found.length} of ${accepted.length} accepted, refused: ${JSON.stringify(refused.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
