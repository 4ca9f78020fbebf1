// The pages' plugins answered through Fastify's inject: what needs no browser (status codes, redirects,
// headers, the words of an error) is tested without one. Chromium stays for what a person sees.
import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { outboxTransport } from '../../mail/transport.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { createTestEnv } from '../support/temporal.js';

const SECRET = 'routes-test-secret-0123456789abcdef';
let env: TestWorkflowEnvironment;
let database: Database;
let web: WebServer;

beforeAll(async () => {
  env = await createTestEnv();
  database = await openDatabase({ file: ':memory:' });
  await migrateToLatest(database);
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'), EXAMPLE_CONFIG_FILE);
  web = await startWeb({ config, client: env.client, readModel: new ReadModel(database), transport: outboxTransport('/nonexistent'), secret: SECRET, port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await web?.close();
  await database?.close();
  await env?.teardown();
});

const get = (url: string, headers: Record<string, string> = {}) => web.app.inject({ method: 'GET', url, headers });

describe('the pages as plugins, through inject', () => {
  it('/ goes to the form; an unknown page is a Chinese 404 page with the security headers', async () => {
    expect((await get('/')).headers.location).toBe('/submit');
    const missing = await get('/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('页面不存在。');
    expect(missing.headers['x-frame-options']).toBe('DENY');
    expect(missing.headers['cache-control']).toBe('no-store');
    expect(String(missing.headers['content-security-policy'])).toContain("default-src 'none'");
  });

  it('?lang=en answers in English and remembers it in a cookie', async () => {
    const en = await get('/nowhere?lang=en');
    expect(en.body).toContain('Page not found.');
    const cookie = [en.headers['set-cookie']].flat().find((c) => String(c).startsWith('bs_lang='));
    expect(cookie).toMatch(/^bs_lang=en;/);
    expect((await get('/nowhere', { cookie: 'bs_lang=en' })).body).toContain('Page not found.');
  });

  it('the office plugin: its pages want a session, its forms a CSRF token', async () => {
    const dashboard = await get('/office');
    expect(dashboard.statusCode).toBe(303);
    expect(dashboard.headers.location).toBe('/office/signin');
    // The desk and the actions are the office plugin's children: they find the session through its decoration.
    const desk = await web.app.inject({ method: 'POST', url: '/office/mail/abc/ignore', payload: 'csrf=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(desk.statusCode).toBe(303);
    expect(desk.headers.location).toBe('/office/signin');
    const signin = await web.app.inject({ method: 'POST', url: '/office/signin', payload: 'email=xieyutong%40school.test&csrf=forged', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(signin.statusCode).toBe(403);
    expect(signin.body).toContain('办公室看板登录');
  });

  it('a bad status or review link is refused in words, not with a stack', async () => {
    const status = await get('/status/R-2026-0001/not-a-token');
    expect(status.statusCode).toBeGreaterThanOrEqual(400);
    expect(status.statusCode).toBeLessThan(500);
    expect(status.body).not.toMatch(/at .*\.ts:\d+/);
    const review = await get('/review/garbage');
    expect(review.statusCode).toBe(400);
    expect(review.body).toMatch(/链接/);
  });

  it('/style.css is cached for an hour; /healthz says ok to anyone, without detail from outside', async () => {
    const css = await get('/style.css');
    expect(css.headers['cache-control']).toBe('public, max-age=3600');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const outside = await web.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.9' });
    expect(outside.statusCode).toBe(200);
    expect(outside.json()).toEqual({ ok: true });
  });
});
