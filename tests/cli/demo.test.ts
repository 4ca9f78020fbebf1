// The demo as a new user starts it: a copied example configuration without any secrets, a port of their
// choosing, Ctrl-C to stop — through bin/baosong.js and through `npm run demo`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { demoReach, webHost } from '../../cli/start.js';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { launchChromium, PHONE, screenshots } from '../support/browser.js';
import { BAOSONG_BIN } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const started: Running[] = [];
afterEach(() => {
  for (const r of started.splice(0)) if (r.child.exitCode === null && r.child.pid) process.kill(-r.child.pid, 'SIGKILL');
});

/** A school that copied config/example.yaml and changed only the data directory; no secret is set. */
function copiedConfig(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-demo-'));
  const file = join(dir, 'baosong.config.yaml');
  writeFileSync(file, readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace('dataDir: ./data', `dataDir: ${join(dir, 'data')}`));
  return { dir, file };
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Running {
  // As without Dovecot (the demo's private Dovecot is walked in tests/web/demo-mailbox.test.ts).
  const env: NodeJS.ProcessEnv = { ...process.env, BAOSONG_CONFIG: '', PORT: '', BAOSONG_DEMO_DOVECOT: '/nonexistent/dovecot', ...options.env };
  for (const name of ['BAOSONG_IMAP_PASSWORD', 'BAOSONG_SMTP_PASSWORD', 'BAOSONG_SECRET', 'TEMPORAL_ADDRESS', 'BAOSONG_LOG_FORMAT']) if (!(name in options.env)) delete env[name];
  // A process group of its own, as a shell gives a foreground job: Ctrl-C signals the whole group.
  const child = spawn(command, args, { cwd: options.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const r = { child, stdout: () => out, stderr: () => err, exited };
  started.push(r);
  return r;
}

async function until(r: Running, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  while (!pattern.test(r.stdout())) {
    if (r.child.exitCode !== null) throw new Error(`exited ${r.child.exitCode} before ${pattern}:\n${r.stdout()}\n${r.stderr()}`);
    if (Date.now() - start > timeoutMs) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${r.stdout()}\n${r.stderr()}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function exitWithin(r: Running, ms: number): Promise<number | null> {
  return Promise.race([r.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running ${ms} ms after the signal:\n${r.stdout()}\n${r.stderr()}`)), ms))]);
}

describe('where the demo listens', () => {
  it('127.0.0.1 unless --host says otherwise; on a network it says loudly that its mailbox is not private', () => {
    expect(webHost(undefined, true)).toBe('127.0.0.1');
    expect(webHost('0.0.0.0', true)).toBe('0.0.0.0');
    expect(webHost(undefined, false)).toBeUndefined();
    expect(demoReach('127.0.0.1', 8080, 'zh-CN')).toMatchObject({ level: 'info' });
    expect(demoReach('::1', 8080, 'en')).toMatchObject({ level: 'info' });
    const open = demoReach('0.0.0.0', 8080, 'zh-CN');
    expect(open.level).toBe('warn');
    expect(open.message).toContain('演示邮箱不是私密的');
    expect(open.message).toContain('/demo/mail');
    expect(demoReach('192.168.1.20', 8080, 'en')).toMatchObject({ level: 'warn', message: expect.stringContaining('THE DEMO IS OPEN TO THE NETWORK (--host 192.168.1.20)') });
  });
});

describe('npm run demo on a copied example configuration', () => {
  it('starts on $PORT with the intake off for want of the IMAP password, logs JSON lines off a terminal, and stops cleanly on Ctrl-C', async () => {
    const { dir, file } = copiedConfig();
    const port = await freePort();
    const r = run(process.execPath, [BAOSONG_BIN, 'start', '--demo', '--config', file], { cwd: dir, env: { PORT: String(port) } });
    await until(r, /"msg":"baosong is ready"/);

    const lines = r.stdout().trim().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; summary?: { form: string; office: string; intake: string; mail: string } });
    // The example school reads Chinese: so do its start-up warnings.
    expect(entries.filter((e) => e.level === 40).map((e) => e.msg)).toContain('收信未启用：没有设置 BAOSONG_IMAP_PASSWORD（baosong@school.test 的 IMAP 密码），报送只能通过网页表单提交');
    expect(entries.filter((e) => e.level === 40).map((e) => e.msg)).toContainEqual(expect.stringMatching(/^演示模式：Temporal 在本进程的内存里运行/));
    expect(entries.map((e) => e.msg)).toContain('baosong 已启动（后台处理、收信、网页），按 Ctrl-C 停止');
    const summary = entries.find((e) => e.msg === 'baosong is ready')?.summary;
    expect(summary).toMatchObject({ form: `http://127.0.0.1:${port}/submit`, office: `http://127.0.0.1:${port}/office` });
    expect(summary?.mail).toContain(join(dir, 'data', 'outbox'));
    const form = await fetch(`http://127.0.0.1:${port}/submit`);
    expect(form.status).toBe(200);
    // Only this computer reaches it (the demo mailbox shows sign-in links), and it says so.
    expect(entries.some((e) => e.level === 30 && e.msg.startsWith('演示只能在本机打开（127.0.0.1）'))).toBe(true);
    const outward = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4');
    expect(outward, 'this test needs an address of the machine other than loopback').toBeDefined();
    await expect(fetch(`http://${outward!.address}:${port}/submit`)).rejects.toThrow();

    process.kill(-(r.child.pid ?? 0), 'SIGINT'); // what a terminal does on Ctrl-C
    expect(await exitWithin(r, 20_000)).toBe(0);
    expect(r.stdout()).toMatch(/"msg":"已停止"/);
    expect(r.stderr()).not.toMatch(/WARN|temporalio_|ECONFIG|ENOTFOUND/);
  }, 180_000);

  it('`npm run demo -- --port` beats $PORT; pretty output lists the form, the mail and the sign-in; SIGINT to npm itself stops it', async () => {
    const { dir, file } = copiedConfig();
    const port = await freePort();
    const r = run('npm', ['run', '--silent', 'demo', '--', '--port', String(port)], { cwd: REPO, env: { PORT: '1', BAOSONG_CONFIG: file, BAOSONG_LOG_FORMAT: 'pretty' } });
    await until(r, /按 Ctrl-C 停止。/);

    // In the school's language (the example school's is Chinese); the demo mailbox first: it is where a visitor starts.
    const block = r.stdout().slice(r.stdout().indexOf('baosong 已在运行——演示模式'));
    expect(block.split('\n')[1]).toMatch(new RegExp(`^  演示邮箱\u3000  http://127\\.0\\.0\\.1:${port}/demo/mail — 从这里开始`));
    expect(r.stdout()).toContain(`报送表单\u3000  http://127.0.0.1:${port}/submit`);
    expect(r.stdout()).toMatch(new RegExp(`办公室看板  http://127\\.0\\.0\\.1:${port}/office — 用办公室或校领导的邮箱登录（例如 zhouxiaomei@school\\.test`));
    expect(r.stdout()).toContain(`邮件发往\u3000  outbox 文件夹 ${join(dir, 'data', 'outbox')}（每封邮件一个 .eml 文件）`);
    expect(r.stdout()).toMatch(/! 收信未启用：没有设置 BAOSONG_IMAP_PASSWORD/);
    expect(r.stdout()).not.toMatch(/Demo mailbox|Report form|Mail goes to|intake off/);
    expect(r.stdout()).not.toMatch(/^\{/m);
    expect((await fetch(`http://127.0.0.1:${port}/submit`)).status).toBe(200);

    process.kill(r.child.pid ?? 0, 'SIGINT'); // to npm only, as `kill -INT <npm>` does
    await exitWithin(r, 20_000);
    expect(r.stdout()).toMatch(/已停止\n/);
  }, 180_000);

  it('in the browser: the sign-in says where its link goes; 快进 moves the demo clock so a report’s reminder and escalation arrive at once', async () => {
    const { file } = copiedConfig();
    const port = await freePort();
    const r = run(process.execPath, [BAOSONG_BIN, 'start', '--demo', '--port', String(port)], { cwd: REPO, env: { BAOSONG_CONFIG: file } });
    await until(r, /baosong is ready/);
    const base = `http://127.0.0.1:${port}`;
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: PHONE, locale: 'zh-CN' })).newPage();
      await page.goto(`${base}/office/signin`);
      expect(await page.locator('#demo-hint').innerText()).toContain('登录链接不会真的发出，而是出现在演示邮箱里');
      await page.fill('#email', 'zhouxiaomei@school.test');
      await page.click('button[type=submit]');
      await page.click('text=到演示邮箱查看登录链接');
      expect(page.url()).toBe(`${base}/demo/mail?who=zhouxiaomei%40school.test`);
      // The link is mailed after the answer: it is in her box a moment later.
      await expect.poll(async () => (await page.reload(), page.locator('#letters li[data-kind=signin]').count()), { timeout: 10_000 }).toBe(1);

      // A liaison's report by mail, written on the page; the head gets the review request.
      await page.goto(`${base}/demo/mail?who=liufang%40school.test`);
      const before = await page.locator('#clock').innerText();
      await page.fill('#subject', '七年级家长会');
      await page.fill('#body', '今天下午，七年级在报告厅召开家长会，到会家长 300 余人。');
      await page.click('#send');
      await page.goto(`${base}/demo/mail?who=wangjianguo%40school.test`);
      await expect.poll(async () => (await page.goto(`${base}/demo/mail?who=wangjianguo%40school.test`), page.locator('#letters li[data-kind=review_request]').count()), { timeout: 20_000 }).toBe(1);
      expect(await page.locator('#letters li[data-kind=reminder]').count()).toBe(0);

      // 快进 7 天: the head's reminder and the escalation are there now, the clock says so.
      await page.click('#fast-forward button[value=week]');
      expect(await page.locator('#note').innerText()).toMatch(/演示时钟已快进 7 天，现在是 \d{4}年\d{1,2}月\d{1,2}日/);
      expect(await page.locator('#clock').innerText()).not.toBe(before);
      expect(await page.locator('#letters li[data-kind=reminder]').count()).toBeGreaterThan(0);
      await screenshots(page, '40-demo-fast-forward');
      await page.goto(`${base}/demo/mail?who=zhouxiaomei%40school.test`);
      await expect.poll(() => page.locator('#letters li[data-kind=escalation]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await browser.close();
      process.kill(-(r.child.pid ?? 0), 'SIGINT');
      await exitWithin(r, 20_000);
    }
  }, 240_000);
});
