// Behind a reverse proxy, a visitor who writes their own X-Forwarded-For is still counted by their real
// address: baosong believes only the entries the configured proxies appended (web.trustProxy: their
// addresses or networks), and `trustProxy: true` — the visitor's left-most entry — is a
// configuration error that says what to write instead. The proxy here appends to X-Forwarded-For exactly
// as nginx's `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` does (deploy/nginx/baosong.conf);
// visitors come from 127.0.0.2 and 127.0.0.3 (both loopback on Linux), the proxy reaches baosong from 127.0.0.1.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { smtpTransport } from '../../mail/transport.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { SECRET, testConfig } from '../support/baosong.js';

/** A reverse proxy on 127.0.0.1 that appends the peer's address to X-Forwarded-For, as nginx does. */
async function startProxy(target: string): Promise<{ port: number; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    const before = req.headers['x-forwarded-for'];
    const headers = { ...req.headers, 'x-forwarded-for': before ? `${String(before)}, ${peer}` : peer, host: to.host };
    const upstream = httpRequest({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers, localAddress: '127.0.0.1' }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A visitor at `from` POSTing the sign-in form through the proxy, with whatever X-Forwarded-For it likes. */
function postSignIn(proxyPort: number, from: string, forged?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = 'email=nobody%40school.test';
    const req = httpRequest(
      {
        host: '127.0.0.1', port: proxyPort, path: '/office/signin', method: 'POST', localAddress: from,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...(forged ? { 'x-forwarded-for': forged } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}


describe.each([[['127.0.0.1']], [['::1', '127.0.0.1/32']]])('web.trustProxy: %j', (trustProxy) => {
  let web: WebServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let database: Database;

  beforeAll(async () => {
    const config = testConfig({ smtpPort: 9, dataDir: mkdtempSync(join(tmpdir(), 'baosong-proxy-')), taskQueue: 'unused' });
    database = await openDatabase({ file: join(config.dataDir, 'baosong.db') });
    await migrateToLatest(database);
    const readModel = new ReadModel(database);
    config.web = { ...config.web, trustProxy };
    web = await startWeb({
      config, client: new Client(), readModel,  secret: SECRET, port: 0, host: '127.0.0.1', rateLimits: { submit: 3, signIn: 3 },
      transport: smtpTransport({ host: '127.0.0.1', port: 9, secure: false, pool: false }),
    });
    proxy = await startProxy(web.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await web?.close();
    await database?.close();
  });

  test('a visitor forging a new X-Forwarded-For each time is limited after 3 sign-in posts; another visitor is not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await postSignIn(proxy.port, '127.0.0.2', `10.9.${i}.${i + 1}`));
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses.slice(3)).toEqual([429, 429, 429, 429, 429]);
    // The proxy is not one bucket for everyone: a second visitor still gets through.
    expect(await postSignIn(proxy.port, '127.0.0.3')).not.toBe(429);
  });
});

describe('web.trustProxy: true', () => {
  const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');

  test('is refused with the line, and says what to write instead', () => {
    expect(example).toContain('trustProxy: false');
    let error: unknown;
    try {
      parseConfig(example.replace('trustProxy: false', 'trustProxy: true'), 'baosong.config.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const [problem, ...others] = (error as ConfigError).problems;
    expect(others).toEqual([]);
    expect(problem?.path).toBe('web.trustProxy');
    expect(problem?.line).toBe(example.split('\n').findIndex((l) => l.includes('trustProxy: false')) + 1);
    expect(problem?.message).toContain('trustProxy: ["127.0.0.1"]');
  });

  test('addresses and networks are taken; a hop count and a word that is no address are refused where they stand', () => {
    const parse = (value: string) => parseConfig(example.replace('trustProxy: false', `trustProxy: ${value}`), 'baosong.config.yaml').web.trustProxy;
    expect(parse('["127.0.0.1", "10.0.0.0/8", "::1", "loopback"]')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'loopback']);
    expect(() => parse('1')).toThrow(/web\.trustProxy: 代理的个数分不清是你的代理还是直接连进来的访问者/);
    expect(() => parse('["nginx"]')).toThrow(/web\.trustProxy\[0\]: "nginx" 不是 IP 地址或网段/);
  });
});
