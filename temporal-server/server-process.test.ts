// The executable itself: start-up time, loopback binding, argument checking, and exiting when
// the process that started it dies.
import { spawn, spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { TEST_SERVER_PATH } from './testing.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('starts on 127.0.0.1 and exits when its parent is killed', async () => {
  // A parent process that starts the server and then just idles; we SIGKILL the parent.
  const script = `
    const { spawn } = require('node:child_process');
    const t0 = Date.now();
    const c = spawn(${JSON.stringify(TEST_SERVER_PATH)}, ['0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr.on('data', (d) => { if (/listening/.test(String(d))) console.log(JSON.stringify({ pid: c.pid, ms: Date.now() - t0, line: String(d).trim() })); });
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<{ pid: number; ms: number; line: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not report listening within 10 s')), 10_000);
    parent.stdout.on('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(d)) as { pid: number; ms: number; line: string });
    });
  });
  // How fast it starts is a benchmark figure (bench:temporal-server), not a test.
  expect(info.line).toMatch(/listening on 127\.0\.0\.1:\d+/);
  expect(alive(info.pid)).toBe(true);
  parent.kill('SIGKILL');
  const deadline = Date.now() + 5_000;
  while (alive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(alive(info.pid)).toBe(false);
});

test('rejects a malformed port argument', () => {
  const res = spawnSync(TEST_SERVER_PATH, ['not-a-port'], { encoding: 'utf8', timeout: 10_000 });
  expect(res.status).toBe(2);
  expect(res.stderr).toMatch(/usage: temporal-test-server <port>/);
});
