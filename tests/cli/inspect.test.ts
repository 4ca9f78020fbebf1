import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { inspectMail } from '../../intake/inspect.js';
import { runCli } from '../support/cli.js';

const corpus = fileURLToPath(new URL('../fixtures/mail/', import.meta.url));
const fixtures = readdirSync(corpus).filter((f) => f.endsWith('.eml')).sort();
const expected = (name: string) => JSON.parse(readFileSync(join(corpus, name.replace(/\.eml$/, '.expected.json')), 'utf8')) as Record<string, unknown>;
const pick = (o: object, keys: string[]) => Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));
const empty = mkdtempSync(join(tmpdir(), 'baosong-inspect-'));

describe('the fixture corpus, as `baosong inspect` reads it', () => {
  it('has a fixture for every client style and charset the issue names', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    for (const style of ['qq', 'foxmail', 'outlook', '163', 'iphone', 'gmail', 'html-blockquote', 'gbk', 'gb2312', 'big5', 'utf8', 'rfc2231', 'dsn', 'auto']) {
      expect(fixtures.some((f) => f.includes(style)), style).toBe(true);
    }
  });

  it.each(fixtures)('%s', async (name) => {
    const want = expected(name);
    const got = await inspectMail(readFileSync(join(corpus, name)), { fallbackReceivedAt: statSync(join(corpus, name)).mtime });
    expect(pick(got, Object.keys(want))).toEqual(want);
  });
});

const fixture = (name: string) => join(corpus, name);

describe('baosong inspect (the command)', () => {
  it('prints one JSON object with the documented keys and exits 0', async () => {
    const r = await runCli(['inspect', fixture('report-holiday-eve.eml')], { cwd: empty });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ['kind', 'intent', 'reportId', 'category', 'urgency', 'eventTime', 'dueAt', 'subject', 'from', 'attachments', 'reason']) expect(out).toHaveProperty(key);
    expect(pick(out, Object.keys(expected('report-holiday-eve.eml')))).toEqual(expected('report-holiday-eve.eml'));
    expect(out.sender).toBeUndefined();
  });

  it('names the sender’s role with --config', async () => {
    const from = (expected('reply-qq-approve.eml').from as string).toLowerCase();
    const config = join(empty, 'school.yaml');
    writeFileSync(config, readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace('wangjianguo@school.test', from));
    const r = await runCli(['inspect', fixture('reply-qq-approve.eml'), '--config', config]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from, sender: { address: from, name: '王建国', roles: [{ role: 'department_head', department: 'jiaowu', departmentName: '教务处' }] } });
  });

  it('judges on-time or late against --received', async () => {
    const r = await runCli(['inspect', fixture('report-holiday-eve.eml'), '--received', '2026-12-31T09:00'], { cwd: empty });
    expect(JSON.parse(r.stdout)).toMatchObject({ timeliness: 'late', receivedAt: '2026-12-31T09:00:00+08:00' });
  });

  it('answers an unreadable file with a clear message and a non-zero exit', async () => {
    const missing = await runCli(['inspect', join(empty, 'nope.eml')], { cwd: empty });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.eml: no such file/);
    const dir = await runCli(['inspect', empty], { cwd: empty });
    expect(dir.code).toBe(1);
    expect(dir.stderr).toMatch(/not a file/);
  });

  it('quotes the start of a file that is not a mail as it reads, UTF-8 or GBK (no mojibake)', async () => {
    const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
    const r = await runCli(['inspect', readme], { cwd: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`实际是 "${readFileSync(readme, 'utf8').split('\n')[0]?.slice(0, 40)}"`);
    const gbk = join(empty, 'notes.txt');
    writeFileSync(gbk, Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0xa3, 0xac, 0xca, 0xc0, 0xbd, 0xe7, 0x0a])); // 你好，世界 in GBK
    expect((await runCli(['inspect', gbk], { cwd: empty })).stderr).toContain('实际是 "你好，世界"');
  });
});

describe('baosong inspect: 稿件体检 (the checks array)', () => {
  const report = fileURLToPath(new URL('../fixtures/checks/report-with-errors.eml', import.meta.url));
  interface Check { code: string; severity: string; excerpt: string; field: string; photo?: number; message: { 'zh-CN': string; en: string } }

  it('lists each finding of a new report with its code, severity, masked excerpt and a Chinese message', async () => {
    const r = await runCli(['inspect', report, '--config', EXAMPLE_CONFIG_FILE], { cwd: empty });
    expect(r.code).toBe(0);
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    expect(checks.map((c) => [c.code, c.severity, c.field, c.excerpt])).toEqual([
      ['weekday_mismatch', 'error', 'body', '12月3日（星期三）'],
      ['phone_number', 'error', 'body', '139****2345'],
      ['leader_title_mismatch', 'error', 'body', '李文娟校长'],
      ['photo_caption_missing', 'warn', 'photo', 'reading-2.jpg'],
    ]);
    expect(checks[0]?.message['zh-CN']).toBe('2026年12月3日是星期四，不是星期三（年份按收稿日期推定）。请核对日期和星期，改正其中错的一处。');
    expect(r.stdout).not.toContain('13957112345'); // the number itself is not repeated
  });

  it('without a configuration, checks what needs no school facts', async () => {
    const r = await runCli(['inspect', report], { cwd: empty });
    expect((JSON.parse(r.stdout) as { checks: Check[] }).checks.map((c) => c.code)).toEqual(['weekday_mismatch', 'phone_number', 'photo_caption_missing']);
  });

  it('a checks array for every mail, empty for a reply', async () => {
    const r = await runCli(['inspect', fixture('reply-qq-approve.eml')], { cwd: empty });
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'reply', checks: [] });
  });

  it('follows the configuration: a check switched off is not run', async () => {
    const config = join(empty, 'checks-off.yaml');
    writeFileSync(config, readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace('  disabled: []', '  disabled: [phone_number, photo_caption_missing]'));
    const r = await runCli(['inspect', report, '--config', config], { cwd: empty });
    expect((JSON.parse(r.stdout) as { checks: Check[] }).checks.map((c) => c.code)).toEqual(['weekday_mismatch', 'leader_title_mismatch']);
  });
});
