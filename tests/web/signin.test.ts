// The sign-in form does not tell who is office or leadership, neither by its text nor by its time: the
// mail goes after the answer (the school's SMTP server here answers each mail 300 ms late, as a real one
// may). Each address gets at most 5 links an hour, however many clients ask. And the report form's answer
// to an address it does not know says nothing about the school's list.
// Real web server and SQLite, a real SMTP server; Temporal is not needed for these pages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { smtpTransport } from '../../mail/transport.js';
import { SIGN_IN_MAILS_PER_HOUR } from '../../web/signin.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { SECRET, testConfig } from '../support/baosong.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

// The example school's office and leadership, and addresses nobody has.
const LISTED = ['zhouxiaomei@school.test', 'xieyutong@school.test', 'zhangguodong@school.test', 'liwenjuan@school.test'];
const UNLISTED = ['wangwu@school.test', 'zhaoliu@school.test', 'visitor@example.com', 'principal@school.test'];
const SMTP_DELAY_MS = 300;

let smtp: TestSmtpServer;
let web: WebServer;
let warnings: string[];
let visitor: Worker;
let database: Database;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The visitor measuring the answers runs on a thread of its own, as a stranger's browser would be on
 * another machine: on the server's thread, the server's work after answering would be counted too.
 */
const VISITOR = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
let jar = '', csrf = '';
parentPort.on('message', async (email) => {
  if (!csrf) {
    const form = await fetch(workerData.url + '/office/signin');
    jar = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())[1];
  }
  const started = performance.now();
  const res = await fetch(workerData.url + '/office/signin', {
    method: 'POST',
    headers: { cookie: jar, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, email }).toString(),
  });
  const text = await res.text();
  parentPort.postMessage({ status: res.status, text, ms: performance.now() - started });
});
`;

function askForLink(email: string): Promise<{ status: number; text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    visitor.once('message', resolve);
    visitor.once('error', reject);
    visitor.postMessage(email);
  });
}

/** P(a random listed time > a random unlisted one), ties half: 0.5 when the two cannot be told apart, 1 when every listed answer is slower. */
function probabilityOfSuperiority(xs: number[], ys: number[]): number {
  let wins = 0;
  for (const x of xs) for (const y of ys) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (xs.length * ys.length);
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  smtp.delayAnswers(SMTP_DELAY_MS);
  const config = testConfig({ smtpPort: smtp.port, dataDir: mkdtempSync(join(tmpdir(), 'baosong-signin-')), taskQueue: 'unused' });
  database = await openDatabase({ file: join(config.dataDir, 'baosong.db') });
  await migrateToLatest(database);
  const readModel = new ReadModel(database);
  warnings = [];
  web = await startWeb({
    config, client: new Client(), readModel,  secret: SECRET, port: 0, host: '127.0.0.1', rateLimits: { submit: 100, signIn: 200 },
    transport: smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false }), logger: { info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
  });
  visitor = new Worker(VISITOR, { eval: true, workerData: { url: web.url } });
}, 60_000);

afterAll(async () => {
  await visitor?.terminate();
  await web?.close();
  await smtp?.close();
  await database?.close();
});

describe('the report form', () => {
  test('an address it does not take is told so, without a word about the school\'s list', async () => {
    const form = await fetch(`${web.url}/submit`);
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const token = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const fields = new FormData();
    for (const [k, v] of Object.entries({ csrf: token, email: 'visitor@example.com', title: '试一试', body: '内容', eventTime: '2026-11-02T09:00', category: '校园文化', urgency: 'routine' })) fields.set(k, v);
    const res = await fetch(`${web.url}/submit`, { method: 'POST', headers: { cookie }, body: fields });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).toContain('无法用邮箱 visitor@example.com 提交报送');
    expect(text).not.toContain('不在学校的名单中');
  });
});

describe('sign-in', () => {
  test('a listed and an unlisted address are answered alike, in text and in time; the 6th link to one address in an hour is not mailed', async () => {
    // Warm up (first template render, first statements), then 20 of each in a fixed shuffled order. After each
    // request the server is let go quiet (its mail arrived), so one answer's background work never weighs on the next.
    await askForLink('warmup@example.com');
    const order = Array.from({ length: 40 }, (_, i) => i).sort((a, b) => ((a * 7919) % 41) - ((b * 7919) % 41));
    const times = { listed: [] as number[], unlisted: [] as number[] };
    const pages = new Set<string>();
    for (const i of order) {
      const listed = i % 2 === 0;
      const email = listed ? LISTED[(i / 2) % LISTED.length]! : UNLISTED[((i - 1) / 2) % UNLISTED.length]!;
      const before = smtp.mails.length;
      const answer = await askForLink(email);
      expect(answer.status).toBe(200);
      pages.add(answer.text.replaceAll(email, 'EMAIL'));
      (listed ? times.listed : times.unlisted).push(answer.ms);
      if (listed) await smtp.waitFor((m) => smtp.mails.indexOf(m) >= before && m.to.includes(email), 1, 20_000);
      await sleep(30);
    }
    expect(pages.size).toBe(1);
    expect(times.listed).toHaveLength(20);
    // Were the mail sent before answering, every listed answer would take the SMTP server's 300 ms more (1.0).
    const p = probabilityOfSuperiority(times.listed, times.unlisted);
    expect(p, `listed ${times.listed.map(Math.round).join(' ')} / unlisted ${times.unlisted.map(Math.round).join(' ')}`).toBeGreaterThan(0.2);
    expect(p).toBeLessThan(0.8);
    for (const email of LISTED) expect(smtp.mails.filter((m) => m.kind === 'signin' && m.to.includes(email))).toHaveLength(SIGN_IN_MAILS_PER_HOUR);
    expect(smtp.mails.filter((m) => UNLISTED.some((u) => m.to.includes(u)))).toHaveLength(0);

    // A 6th request for one of them, and a 7th: the same page, no mail; the next address is not affected.
    const office = LISTED[0]!;
    for (let i = 0; i < 2; i++) {
      const answer = await askForLink(office);
      expect(answer.status).toBe(200);
      expect(pages.has(answer.text.replaceAll(office, 'EMAIL'))).toBe(true);
    }
    await web.close(); // waits for every queued sign-in mail
    expect(smtp.mails.filter((m) => m.kind === 'signin' && m.to.includes(office))).toHaveLength(SIGN_IN_MAILS_PER_HOUR);
    expect(warnings.some((w) => w.includes(office) && w.includes('this hour'))).toBe(true);
  }, 120_000);
});
