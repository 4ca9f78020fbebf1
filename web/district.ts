/**
 * A district's pages on one port: each school's own Fastify instance (the same pages as a one-school deployment,
 * made with the school's configuration, scoped database and signing key), chosen by the request's host name
 * (`web.schoolUrl` of the deployment, e.g. https://{school}.baosong.jyj.example.cn). A host per school keeps
 * everything a browser holds apart: cookies (sessions, CSRF, language) are the host's own, and a page or link of
 * one school has no path into another's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildWeb, type WebOptions } from './server.js';

export interface DistrictWebOptions {
  /** Each school's page options (its config's web.baseUrl names its host). */
  schools: WebOptions[];
  port: number;
  host?: string;
}

export interface DistrictWeb {
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Each school's pages by host name. */
  apps: ReadonlyMap<string, FastifyInstance>;
  close(): Promise<void>;
}

const NO_SCHOOL = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>没有这所学校</title><body style="font:16px/1.6 sans-serif;max-width:36em;margin:3em auto;padding:0 1em"><h1 style="font-size:20px">这个网址没有对应的学校</h1><p>请检查网址是否输入正确，或使用学校信息报送邮件里的链接。</p><p lang="en" style="color:#56606c">No school is served at this address. Check the address, or use a link from a baosong mail.</p></body></html>`;

export async function startDistrictWeb(options: DistrictWebOptions): Promise<DistrictWeb> {
  const apps = new Map<string, FastifyInstance>();
  for (const school of options.schools) {
    const host = new URL(school.config.web.baseUrl).hostname.toLowerCase();
    if (apps.has(host)) throw new Error(`Two schools at one host name: ${host}`);
    apps.set(host, await buildWeb(school));
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
    const app = apps.get(host);
    if (app) {
      app.routing(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(NO_SCHOOL);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = options.host && options.host !== '0.0.0.0' ? options.host : 'localhost';
  return {
    url: `http://${shown}:${address.port}`,
    apps,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // kept-alive browser connections would hold close() open
      await closed;
      for (const app of apps.values()) await app.close();
    },
  };
}
