/**
 * The web pages: the report form, the private status page, the reviewer page and the office
 * dashboard. Server-rendered with the same Handlebars engine as the mails (templates/web/), no
 * front-end framework, forms that work without JavaScript.
 *
 * Safety: every value reaches HTML through escaping {{ }}; POSTs carry a CSRF token (HMAC of a
 * per-browser cookie); cookies are HttpOnly, SameSite and Secure when the public URL is https; the
 * form and the sign-in are rate limited; links are HMAC-signed (mail/links.ts); pages send a strict
 * Content-Security-Policy (no scripts at all) and no Referer (tokens live in URLs).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import { SharedState } from '../db/shared-state.js';
import { metricsRoutes, operatorCheck } from '../ops/metrics-http.js';
import { observeReadModel } from '../ops/metrics.js';
import { nameRequestSpan, tracedServerFactory, tracingActive } from '../ops/tracing.js';
import type { MailTransport } from '../mail/transport.js';
import { sharedEngine, type Engine } from '../templates/engine.js';
import { LOCALES, type Locale } from '../templates/types.js';
import type { Logger as PinoLogger } from 'pino';
import { requestSerializers } from '../ops/logging.js';
import { MAX_FILES } from './form.js';
import { Html } from './html.js';
import { ReportFactsCache } from './facts.js';
import { officePages } from './office.js';
import { demoMailboxPages, type DemoMailbox } from './demo-mailbox.js';
import { filePages } from './files.js';
import { reviewPages } from './review.js';
import { revisePages } from './revise.js';
import { publishPages } from './publish.js';
import type { DistrictView } from '../activities/deps.js';
import { databaseRateLimitStore, SessionStore } from './sessions.js';
import { statusPages } from './status.js';
import { fill, webStringsFor, type WebKey, type WebStrings } from './strings.js';
import { submitPages } from './submit.js';

export interface WebLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface WebOptions {
  config: Config;
  client: Client;
  readModel: ReadModel;
  transport: MailTransport;
  /** The HMAC secret (BAOSONG_SECRET), the same one the worker signs mail links with. */
  secret: string;
  logger?: WebLogger;
  /** The service's pino logger: Fastify's request log (request ids, masked URLs) goes there. Absent: no request log. */
  requestLogger?: PinoLogger;
  /** Overrides config.web.port (0: any free port, for tests). */
  port?: number;
  /** Interface to listen on; default all (0.0.0.0). */
  host?: string;
  /** Overrides config.web.trustProxy (behind a reverse proxy: the proxies' addresses, for the rate limits). */
  trustProxy?: false | string[];
  /** Requests per minute per client address; defaults: submit 10, sign-in 5. */
  rateLimits?: { submit?: number; signIn?: number };
  /**
   * The in-memory demo (`npm run demo`): a report whose workflow is gone was lost when the demo
   * restarted, and its links say so instead of "temporarily unavailable".
   */
  demo?: boolean;
  /** `npm run demo` only: the demo mailbox page at /demo/mail (web/demo-mailbox.ts). */
  demoMailbox?: DemoMailbox;
  /** What /healthz reports (the service's parts: worker, intake); `ok: false` answers 503. */
  health?: () => { ok: boolean } & Record<string, unknown>;
  /**
   * false for a school of a district (web/district.ts): its host serves no /metrics and only ok/state at /healthz,
   * since the process's figures are every school's; the deployment serves them on BAOSONG_METRICS_PORT. Default true.
   */
  operatorRoutes?: boolean;
  /**
   * A bureau's pages in a district's deployment (the school deployment.bureau names): the district's database and
   * its schools, for the office's page of every school's figures (/office/district).
   */
  district?: DistrictView;
  /** A report was started or signalled from a page (the stall watch expects a worker to act on it). */
  onReportStarted?: () => void;
}

export interface WebServer {
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** What every page plugin shares (decorated once, in startWeb). */
    web: Web;
    /** Inside the office plugin: the signed-in office person or leader, else a redirect to sign in (and null). */
    officeSession: (req: FastifyRequest, reply: FastifyReply) => { email: string; name: string } | null;
  }
}

/** What route modules share. */
export interface Web {
  config: Config;
  /** A bureau's view of its district (WebOptions.district), else null. */
  district: DistrictView | null;
  client: Client;
  readModel: ReadModel;
  transport: MailTransport;
  secret: string;
  logger: WebLogger;
  facts: ReportFactsCache;
  sessions: SessionStore;
  secureCookies: boolean;
  rateLimits: { submit: number; signIn: number };
  /** `npm run demo`: pages that send mail say it lands in the demo mailbox. */
  demoMailbox: boolean;
  locale(req: FastifyRequest): Locale;
  strings(req: FastifyRequest): WebStrings;
  /** The CSRF token for forms on this page (sets the browser's CSRF cookie when it has none). */
  csrf(req: FastifyRequest, reply: FastifyReply): string;
  /** Whether a POSTed CSRF token belongs to this browser. */
  csrfOk(req: FastifyRequest, token: unknown): boolean;
  /** Renders templates/web/<view>.hbs inside the layout and sends it. */
  page(req: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>, options?: { status?: number; title?: string }): FastifyReply;
  /** A page with one message (errors, "link expired", …). */
  message(req: FastifyRequest, reply: FastifyReply, status: number, text: string, options?: { kind?: 'error' | 'warning' | 'ok'; title?: string; links?: { href: string; label: string }[] }): FastifyReply;
  t(req: FastifyRequest, key: WebKey, values?: Record<string, string | number>): string;
  /** Tells the service a report was started from a page (worker/liveness.ts). */
  reportStarted(): void;
  /** The answer when a report's workflow cannot be asked (Temporal down; in the demo, reset by a restart). */
  unavailable(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply;
}

const CSRF_COOKIE = 'bs_csrf';
const LANG_COOKIE = 'bs_lang';
const csrfCookies = new WeakMap<FastifyRequest, string>();

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** /healthz for everyone: ok and each part's state ("RUNNING", "idle", a robot's "failing"), no error text. */
function withoutDetail(health: { ok: boolean } & Record<string, unknown>): Record<string, unknown> {
  const stateOf = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(stateOf);
    if (v !== null && typeof v === 'object') return 'state' in v && typeof v.state === 'string' ? v.state : null;
    return typeof v === 'string' || typeof v === 'boolean' || v === null ? v : null;
  };
  return Object.fromEntries(Object.entries(health).map(([k, v]) => [k, k === 'ok' ? v : stateOf(v)]));
}

export async function startWeb(options: WebOptions): Promise<WebServer> {
  const { config } = options;
  const logger: WebLogger = options.logger ?? { info: () => {}, warn: () => {}, error: () => {} };
  const app = await buildWeb(options);
  const port = options.port ?? config.web.port;
  await app.listen({ port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : 'localhost';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  logger.info(`web: pages at ${url} (public address ${config.web.baseUrl})`);
  return {
    url,
    app,
    close: async () => {
      await app.close();
    },
  };
}

/**
 * One school's pages as a Fastify instance, ready and not listening: startWeb listens with it; a district's web
 * process (web/district.ts) hands each request to the school its host names.
 */
export async function buildWeb(options: WebOptions): Promise<FastifyInstance> {
  const { config } = options;
  const engine: Engine = sharedEngine();
  const logger: WebLogger = options.logger ?? { info: () => {}, warn: () => {}, error: () => {} };
  const secureCookies = config.web.baseUrl.startsWith('https:');
  // A bureau's "departments" are its schools: its pages say 学校 (config school.level above 校级).
  const STRINGS = webStringsFor(config.school.level !== '校级' ? 'school' : 'department');
  const limits = config.mail.limits;
  const MB = 1024 * 1024;

  const tracing = tracingActive(); // each request in a span (ops/tracing.ts), when tracing is on
  // Typed as Fastify's own logger interface: pino's full type would leak into every route module's types.
  const requestLog: FastifyBaseLogger | undefined = options.requestLogger?.child({ part: 'web' }, { serializers: requestSerializers });
  const app = Fastify({
    ...(requestLog ? { loggerInstance: requestLog } : { logger: false }),
    trustProxy: options.trustProxy ?? config.web.trustProxy ?? false, bodyLimit: 1 * MB, routerOptions: { maxParamLength: 1000 }, ...(tracing ? { serverFactory: tracedServerFactory } : {}) });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: Math.floor(limits.maxAttachmentMB * MB), files: MAX_FILES, fields: 30, fieldSize: 200 * 1024, parts: MAX_FILES + 30, headerPairs: 200 },
  });
  // Sessions, used sign-in links and rate-limit counts live in the database: shared by every web process.
  const shared = new SharedState(options.readModel.database);
  await app.register(rateLimit, { global: false, store: databaseRateLimitStore(shared), skipOnError: true });

  const localeOf = (req: FastifyRequest): Locale => {
    const q = (req.query as Record<string, unknown> | undefined)?.lang;
    if (typeof q === 'string' && (LOCALES as readonly string[]).includes(q)) return q as Locale;
    const c = req.cookies[LANG_COOKIE];
    if (c && (LOCALES as readonly string[]).includes(c)) return c as Locale;
    return config.school.locale;
  };
  const csrfFor = (value: string) => createHmac('sha256', options.secret).update(`baosong-csrf|${value}`).digest('base64url').slice(0, 32);
  const cookieOptions = (maxAge?: number) => ({ path: '/', httpOnly: true, sameSite: 'strict' as const, secure: secureCookies, ...(maxAge ? { maxAge } : {}) });

  const web: Web = {
    config,
    district: options.district ?? null,
    client: options.client,
    readModel: options.readModel,
    transport: options.transport,
    secret: options.secret,
    logger,
    facts: new ReportFactsCache(options.client, config),
    sessions: new SessionStore(shared),
    secureCookies,
    rateLimits: { submit: options.rateLimits?.submit ?? 10, signIn: options.rateLimits?.signIn ?? 5 },
    demoMailbox: options.demoMailbox !== undefined,
    locale: localeOf,
    strings: (req) => STRINGS[localeOf(req)],
    t: (req, key, values) => fill(STRINGS[localeOf(req)][key], values ?? {}),
    csrf(req, reply) {
      let value = csrfCookies.get(req) ?? req.cookies[CSRF_COOKIE];
      if (!value || !/^[A-Za-z0-9_-]{22}$/.test(value)) {
        value = randomBytes(16).toString('base64url');
        reply.setCookie(CSRF_COOKIE, value, cookieOptions());
      }
      csrfCookies.set(req, value);
      return csrfFor(value);
    },
    csrfOk(req, token) {
      const value = req.cookies[CSRF_COOKIE];
      if (!value || typeof token !== 'string') return false;
      const a = Buffer.from(csrfFor(value));
      const b = Buffer.from(token);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    page(req, reply, view, data, opts = {}) {
      const locale = localeOf(req);
      const s = STRINGS[locale];
      const frame = { locale, timeZone: config.school.timeZone, mode: 'html' as const };
      const content = engine.render(`web/${view}`, { ...data, s, lang: locale }, frame);
      const here = new URL(req.url, 'http://x');
      here.searchParams.set('lang', locale === 'en' ? 'zh-CN' : 'en');
      // Only the query is written back: a path such as "/.//evil.example" would otherwise become the
      // protocol-relative link "//evil.example".
      const session = web.sessions.get(req);
      const html = engine.render(
        'web/layout',
        { content: new Html(content), s, lang: locale, title: opts.title ?? s['app.name'], schoolName: config.school.name, otherLang: here.search, signedIn: session !== null, bureau: config.school.level !== '校级' },
        frame,
      );
      return reply.code(opts.status ?? 200).type('text/html; charset=utf-8').send(html);
    },
    message(req, reply, status, text, opts = {}) {
      return web.page(req, reply, 'message', { text, kind: opts.kind ?? 'error', links: opts.links ?? [] }, { status, ...(opts.title ? { title: opts.title } : {}) });
    },
    reportStarted() {
      options.onReportStarted?.();
    },
    unavailable(req, reply, err) {
      if (options.demo && err instanceof WorkflowNotFoundError) {
        return web.message(req, reply, 410, web.t(req, 'error.demoReset'), { kind: 'warning', links: [{ href: '/submit', label: web.strings(req)['error.demoResetAgain'] }] });
      }
      return web.message(req, reply, 503, web.t(req, 'error.unavailable'), { kind: 'warning' });
    },
  };

  app.addHook('onRequest', async (req) => {
    if (tracing) nameRequestSpan(req.method, req.routeOptions.url ?? 'unmatched');
    await web.sessions.load(req);
  });
  app.addHook('onRequest', async (req, reply) => {
    const q = (req.query as Record<string, unknown> | undefined)?.lang;
    if (typeof q === 'string' && (LOCALES as readonly string[]).includes(q)) reply.setCookie(LANG_COOKIE, q, { ...cookieOptions(365 * 86400), sameSite: 'lax' });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setNotFoundHandler((req, reply) => web.message(req, reply, 404, web.t(req, 'error.notFound')));
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err.statusCode === 429) return web.message(req, reply, 429, web.t(req, 'error.rateLimited'), { kind: 'warning' });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return web.message(req, reply, err.statusCode, web.t(req, 'error.form'));
    logger.error(`web: ${req.method} ${req.url.split('?')[0] ?? ''}: ${err.stack ?? err.message}`);
    return web.message(req, reply, 500, web.t(req, 'error.server'));
  });

  // The pending/overdue gauges read one read model: in a district each school's is one of many, and the first would
  // be reported as the deployment's. They are the one-school deployment's.
  if (options.operatorRoutes !== false) observeReadModel(options.readModel);
  // /metrics and the detail of /healthz: this machine and web.metricsAllow only (last errors, backlog and
  // counts are the school's business, not every visitor's).
  const operator = operatorCheck({ allow: config.web.metricsAllow, trustProxy: options.trustProxy ?? config.web.trustProxy });
  const operatorHere = options.operatorRoutes !== false;
  metricsRoutes(app, {
    allowed: (req) => operatorHere && operator(req),
    refuse: (req, reply) => (operatorHere ? web.message(req, reply, 403, web.t(req, 'error.metricsForbidden')) : web.message(req, reply, 404, web.t(req, 'error.notFound'))),
  }); // GET /metrics (Prometheus) and the request durations
  app.get('/', (_req, reply) => reply.redirect('/submit', 302));
  app.get('/healthz', (req, reply) => {
    const health = options.health?.() ?? { ok: true };
    return reply.status(health.ok ? 200 : 503).header('cache-control', 'no-store').send(operatorHere && operator(req) ? health : withoutDetail(health));
  });
  app.get('/style.css', (_req, reply) => reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLE));

  // Each page is a plugin in its own context: what it decorates or hooks stays its own (the office's
  // officeSession, its sign-in mailer), and it reaches the shared parts through the `web` decoration.
  app.decorate('web', web);
  await app.register(submitPages);
  await app.register(statusPages);
  await app.register(reviewPages);
  await app.register(officePages);
  await app.register(filePages);
  await app.register(revisePages);
  await app.register(publishPages);
  if (options.demoMailbox) await app.register(demoMailboxPages, { mailbox: options.demoMailbox });
  await app.ready();
  return app;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f3f5f8;color:#1f2933;font:16px/1.65 -apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","Helvetica Neue",Arial,sans-serif}
header.top{background:#1d4f91;color:#fff;padding:10px 16px;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:baseline}
header.top .school{font-weight:bold;font-size:17px}
header.top .app{color:#d6e2f3;font-size:14px}
header.top nav{margin-left:auto;font-size:14px;display:flex;gap:14px}
header.top a{color:#fff}
main{max-width:1100px;margin:0 auto;padding:16px}
main.narrow{max-width:720px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:16px;margin:0 0 16px}
h1{font-size:21px;margin:4px 0 12px;color:#1d4f91}
h2{font-size:17px;margin:18px 0 8px;color:#1d4f91}
a{color:#1d5fbf}
label{display:block;font-weight:bold;margin:12px 0 4px}
.hint{color:#56606c;font-size:13px;margin:2px 0 0}
input[type=text],input[type=email],input[type=url],input[type=datetime-local],input[type=date],select,textarea{width:100%;font:inherit;padding:9px 10px;border:1px solid #b8c2cc;border-radius:4px;background:#fff}
textarea{min-height:9em}
input[type=file]{font:inherit;width:100%;min-height:44px;padding:8px 0}
select{min-height:44px}
button,.button{display:inline-block;font:inherit;font-weight:bold;padding:10px 22px;border-radius:4px;border:1px solid #1d4f91;background:#1d4f91;color:#fff;cursor:pointer;text-decoration:none;margin:8px 8px 0 0}
button.secondary,.button.secondary{background:#fff;color:#1d4f91}
button.danger{background:#b03a2e;border-color:#b03a2e}
.msg{border-left:4px solid;padding:10px 14px;margin:0 0 16px;background:#fff;border-radius:0 6px 6px 0}
.msg.error{border-color:#c0392b;background:#fdeeee}
.msg.warning{border-color:#d98a00;background:#fff6e5}
.msg.ok{border-color:#1e7b34;background:#edf8ef}
.msg p{margin:0 0 6px}
.msg ul{margin:0;padding-left:20px}
#checks li{margin:0 0 8px}
#checks mark{background:#ffe08a;color:inherit;padding:0 2px;border-radius:2px}
#checks .sev{display:inline-block;font-size:.8em;padding:0 6px;border-radius:8px;background:#888;color:#fff;margin-right:4px}
#checks .sev.error{background:#c0392b}
label.confirm{display:flex;gap:8px;align-items:flex-start;margin:8px 0}
.link{word-break:break-all;font-family:monospace;font-size:14px;background:#f5f7fa;padding:6px 8px;border-radius:4px;display:block}
table.kv{border-collapse:collapse;width:100%}
table.kv th{text-align:left;font-weight:normal;color:#52606d;white-space:nowrap;padding:6px 10px 6px 0;vertical-align:top;width:7em}
table.kv td{padding:6px 0;vertical-align:top;word-break:break-word}
.list{width:100%;border-collapse:collapse;font-size:14px;background:#fff}
.list th,.list td{border-bottom:1px solid #e1e6ec;padding:7px 8px;text-align:left;vertical-align:top}
.list th{background:#f5f7fa;white-space:nowrap}
.list td.title{min-width:12em;overflow-wrap:anywhere}
.paging{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px 12px;margin:12px 0}
.paging .button{margin:0}
.scroll{overflow-x:auto}
.nowrap{white-space:nowrap}
.late,.overdue{color:#c0392b;font-weight:bold}
.on-time{color:#1e7b34}
.body{white-space:normal;border:1px solid #e1e6ec;background:#fbfcfd;padding:12px 14px;border-radius:4px;word-break:break-word}
.body img{max-width:100%}
.body.pre{white-space:pre-wrap}
ol.timeline{list-style:none;padding:0;margin:0}
ol.timeline li{border-left:3px solid #c5d3e6;padding:2px 0 10px 12px;margin-left:4px}
ol.timeline .when{color:#56606c;font-size:13px}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:0 12px}
.filters input,.filters select{width:100%;box-sizing:border-box}
ul.files{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:12px}
ul.files li{width:168px;font-size:14px;overflow-wrap:anywhere}
ul.files a.thumb{display:block;border:1px solid #dde3ea;border-radius:4px;overflow:hidden;background:#f5f7fa;margin-bottom:4px}
ul.files a.thumb img{display:block;width:100%;height:120px;object-fit:cover}
ul.files .hint{display:block}
.status-badge{display:inline-block;padding:1px 8px;border-radius:10px;background:#e7eef8;color:#1d4f91;font-size:13px;white-space:nowrap}
.mailbox{display:grid;grid-template-columns:minmax(180px,260px) 1fr;gap:16px}
.people ul{list-style:none;padding:0;margin:0}.people li{padding:3px 0}.people li.current a{font-weight:bold}
iframe.letter{display:block;width:100%;height:900px;border:1px solid #dde3ea;border-radius:6px;background:#fff}
.answers form{margin:0 0 8px}
.desk-mail{border-top:1px solid #e1e6ec;padding:12px 0 4px}
.desk-mail h3{font-size:16px;margin:0 0 6px;overflow-wrap:anywhere}
.desk-preview,.desk-from{overflow-wrap:anywhere}
.desk-actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:8px 16px}
.desk-actions form{display:flex;flex-direction:column;justify-content:flex-end;border:1px solid #e1e6ec;border-radius:6px;padding:8px 12px 12px;background:#fbfcfd}
.desk-actions button{align-self:flex-start}
.desk-actions label{margin-top:4px}
.desk-decided{padding-left:20px;font-size:14px}
#office-actions form.act{border-top:1px solid #e1e6ec;padding:10px 0 6px}
#office-actions form.act:first-of-type{border-top:0}
#office-actions textarea{min-height:4.5em}
@media (max-width:760px){.mailbox{grid-template-columns:1fr}iframe.letter{height:1100px}}
footer{color:#56606c;font-size:13px;text-align:center;padding:16px}
@media (max-width:600px){main{padding:10px}.card{padding:12px}h1{font-size:19px}header.top nav{margin-left:0}}
@media (max-width:760px){
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards thead{display:none}
table.cards{background:transparent}
table.cards tr{background:#fff;border:1px solid #dde3ea;border-radius:6px;margin:0 0 10px;padding:8px 12px}
table.cards td{border:0;padding:2px 0;min-width:0}
table.cards td.title{font-weight:bold;font-size:15px;padding:2px 0 4px}
table.cards td[data-label]::before{content:attr(data-label);display:inline-block;min-width:6em;margin-right:8px;color:#56606c;font-size:13px}
}
`;
