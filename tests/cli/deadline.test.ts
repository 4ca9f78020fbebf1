import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { runCli } from '../support/cli.js';

const empty = mkdtempSync(join(tmpdir(), 'baosong-cli-')); // no baosong.config.yaml here

describe('baosong deadline', () => {
  it('prints the due time with its offset (the domain notes’ National Day example)', async () => {
    const r = await runCli(['deadline', '--event', '2026-09-30T16:00', '--urgency', 'routine'], { cwd: empty });
    expect(r).toEqual({ code: 0, stdout: '2026-10-08T16:00:00+08:00\n', stderr: '' });
  });

  it('defaults to routine, and handles a 调休 Saturday and the 2-hour rule', async () => {
    expect((await runCli(['deadline', '--event', '2026-10-09T10:00'], { cwd: empty })).stdout).toBe('2026-10-10T10:00:00+08:00\n');
    expect((await runCli(['deadline', '--event', '2026-10-02 23:30', '--urgency', 'urgent'], { cwd: empty })).stdout).toBe('2026-10-03T01:30:00+08:00\n');
  });

  it('explains itself with --json and judges a receipt time', async () => {
    const r = await runCli(['deadline', '--event', '2026-10-03T09:00+08:00', '--received', '2026-10-08T18:00', '--json'], { cwd: empty });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dueAt: '2026-10-08T17:30:00+08:00',
      rule: 'working_day_end_of_day',
      eventDay: { date: '2026-10-03', working: false, kind: 'holiday', name: '国庆节' },
      timeliness: 'late',
    });
  });

  it('across 元旦 2027, before the schedule is known: skips the law’s holiday and warns, in Chinese, that the time is provisional', async () => {
    const r = await runCli(['deadline', '--event', '2026-12-31T16:00', '--json'], { cwd: empty });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dueAt: '2027-01-04T16:00:00+08:00',
      provisional: true,
      warnings: ['2027 年的放假安排（含调休）尚未录入：此时限只按《全国年节及纪念日放假办法》规定的节日推算，可能会变。国务院办公厅公布安排后，请写入配置 calendar.statutory.2027。'],
    });
    expect(r.stderr).toContain('baosong: warning: 2027 年的放假安排（含调休）尚未录入');
  });

  it('uses the school’s calendar overrides from --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baosong-cli-'));
    const text = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace('extraHolidays: ["2026-11-06"]', 'extraHolidays: ["2026-11-27"]');
    writeFileSync(join(dir, 'school.yaml'), text);
    const r = await runCli(['deadline', '--event', '2026-11-26T15:00', '--config', join(dir, 'school.yaml')]);
    expect(r.stdout).toBe('2026-11-30T15:00:00+08:00\n');
    // …and finds ./baosong.config.yaml by itself.
    writeFileSync(join(dir, 'baosong.config.yaml'), text);
    expect((await runCli(['deadline', '--event', '2026-11-26T15:00'], { cwd: dir })).stdout).toBe('2026-11-30T15:00:00+08:00\n');
  });

  it('warns when no published schedule covers the year (only the law’s holidays count)', async () => {
    const r = await runCli(['deadline', '--event', '2099-10-01T10:00'], { cwd: empty });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: 2099 年的放假安排（含调休）尚未录入：此时限只按《全国年节及纪念日放假办法》规定的节日推算/);
  });

  it('refuses bad input with a message and a non-zero exit', async () => {
    const bad = await runCli(['deadline', '--event', '2026-02-30T10:00'], { cwd: empty });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--event: "2026-02-30T10:00" is not a real calendar date/);
    // The code's line from the one list of error codes (domain/errors.ts), in the terminal's language.
    expect(bad.stderr).toContain('  EDEADLINE: 无法计算截止时间\n');
    expect((await runCli(['deadline', '--event', '2026-02-30T10:00'], { cwd: empty, env: { BAOSONG_LOCALE: 'en' } })).stderr).toContain('  EDEADLINE: The deadline cannot be computed\n');
    const urgency = await runCli(['deadline', '--event', '2026-10-01T10:00', '--urgency', 'soon'], { cwd: empty });
    expect(urgency.code).not.toBe(0);
    expect(urgency.stderr).toMatch(/Allowed choices are routine, major, urgent/);
  });

  it('stops on a broken configuration instead of guessing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baosong-cli-'));
    writeFileSync(join(dir, 'baosong.config.yaml'), 'school:\n  name: 测试学校\n  timeZone: Mars/Olympus\n');
    const r = await runCli(['deadline', '--event', '2026-10-01T10:00'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/baosong\.config\.yaml:3:\d+ school\.timeZone: 没有这个时区/);
  });
});

describe('baosong config check', () => {
  it('summarises a valid file (OK when the secrets it names are set)', async () => {
    const r = await runCli(['config', 'check', '--config', EXAMPLE_CONFIG_FILE], { env: { BAOSONG_IMAP_PASSWORD: 'x' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/example\.yaml：配置正确/);
    expect(r.stdout).toMatch(/部门：办公室、教务处、德育处、总务处、安全办/);
  });

  it('says how to get started when there is no file', async () => {
    const r = await runCli(['config', 'check'], { cwd: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/请把 config\/example\.yaml 复制为 baosong\.config\.yaml 再修改/);
    expect(r.stderr).toContain('  ECONFIG_NOT_FOUND: 找不到配置文件\n');
  });
});
