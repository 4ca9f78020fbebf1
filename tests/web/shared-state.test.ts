// Two `baosong web` processes on one database behave as one, and a restart signs no one out: the office
// session, the one-time sign-in link and the rate limits live in the database (SQLite and PostgreSQL).
// The servers are real (fastify on loopback ports); Temporal is not needed for these pages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { describe, expect, test } from 'vitest';
import { ReadModel } from '../../db/index.js';
import { signInUrl } from '../../mail/links.js';
import { smtpTransport } from '../../mail/transport.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { SECRET, testConfig } from '../support/baosong.js';
import { DIALECTS, useBackend } from '../db/harness.js';

const OFFICE = 'zhouxiaomei@school.test';

function cookiesOf(res: Response): Record<string, string> {
  return Object.fromEntries(res.headers.getSetCookie().map((c) => (c.split(';')[0] ?? '').split('=') as [string, string]));
}
const cookieHeader = (jar: Record<string, string>) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');

/** Opens a sign-in link on one server and confirms it (the button's POST) on another. */
async function signIn(link: string, confirmAt: WebServer, jar: Record<string, string>): Promise<Response> {
  const path = new URL(link).pathname;
  const page = await fetch(`${confirmAt.url}${path}`, { headers: { cookie: cookieHeader(jar) } });
  Object.assign(jar, cookiesOf(page));
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return fetch(`${confirmAt.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(csrf)}` });
}

describe.each(DIALECTS)('two web processes on %s', (dialect) => {
  const backend = useBackend(dialect);

  async function webs(n: number) {
    const { database, reopen } = await backend.fresh({ migrated: true });
    const config = testConfig({ smtpPort: 9, dataDir: mkdtempSync(join(tmpdir(), 'baosong-web-')), taskQueue: 'unused' });
    const client = new Client(); // lazy: these pages never reach Temporal
    const transport = smtpTransport({ host: '127.0.0.1', port: 9, secure: false, pool: false });
    const servers: WebServer[] = [];
    const start = async (db = database) => {
      const web = await startWeb({ config, client, readModel: new ReadModel(db), transport, secret: SECRET, port: 0, host: '127.0.0.1', rateLimits: { submit: 3, signIn: 20 } });
      servers.push(web);
      return web;
    };
    for (let i = 0; i < n; i++) await start(i === 0 ? database : await reopen());
    return { servers, start: async () => start(await reopen()), close: () => Promise.all(servers.map((s) => s.close())), config };
  }

  test('signed in through one, signed in on the other and after a restart; the link works once across both', async () => {
    const { servers, start, close, config } = await webs(2);
    try {
      const [a, b] = servers as [WebServer, WebServer];
      const { url: link } = signInUrl(config.web.baseUrl, OFFICE, SECRET);
      const jar: Record<string, string> = {};
      const first = await signIn(link, a, jar);
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/office');
      Object.assign(jar, cookiesOf(first));
      expect(jar.bs_session).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // The same link again, at the other process: refused.
      const again = await signIn(link, b, {});
      expect(again.status).toBe(400);
      expect(cookiesOf(again).bs_session).toBeUndefined();

      const dashboard = async (web: WebServer) => fetch(`${web.url}/office`, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
      for (const web of [a, b]) {
        const res = await dashboard(web);
        expect(res.status).toBe(200);
        expect(await res.text()).toContain('办公室看板');
      }

      // a restarts (a new process on the same database): still signed in.
      await a.close();
      const a2 = await start();
      expect((await dashboard(a2)).status).toBe(200);

      // Signing out at one ends the session at every one.
      const home = await (await dashboard(b)).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(home)?.[1] ?? '';
      const out = await fetch(`${b.url}/office/signout`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(csrf)}` });
      expect(out.status).toBe(303);
      const after = await dashboard(a2);
      expect(after.status).toBe(303);
      expect(after.headers.get('location')).toBe('/office/signin');
    } finally {
      await close();
    }
  });

  test('a client is rate limited across both processes together, per route', async () => {
    const { servers, close } = await webs(2);
    try {
      const [a, b] = servers as [WebServer, WebServer];
      const post = (web: WebServer, path: string) => fetch(`${web.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
      // submit allows 3 a minute: two at a, one at b, then the fourth (at either) is refused.
      expect((await post(a, '/submit')).status).not.toBe(429);
      expect((await post(a, '/submit')).status).not.toBe(429);
      expect((await post(b, '/submit')).status).not.toBe(429);
      expect((await post(b, '/submit')).status).toBe(429);
      expect((await post(a, '/submit')).status).toBe(429);
      // Another route keeps its own count.
      expect((await post(b, '/office/signin')).status).not.toBe(429);
    } finally {
      await close();
    }
  });
});
