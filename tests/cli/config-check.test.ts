// `baosong config check` on a copied example: valid, but it names the missing secret and what will be off.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { runCli } from '../support/cli.js';

describe('baosong config check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-config-check-'));
  const file = join(dir, 'baosong.config.yaml');
  copyFileSync(EXAMPLE_CONFIG_FILE, file);

  it('without the IMAP password: not "OK"; names the variable, where the file names it, and that the intake will be off', async () => {
    const r = await runCli(['config', 'check', '--config', file], { cwd: dir, env: { BAOSONG_IMAP_PASSWORD: '', BAOSONG_SECRET: '' } });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`${file}：配置格式正确，但缺少 1 个密钥（见下面的“密钥”）`);
    expect(r.stdout).toMatch(/^ {2}BAOSONG_IMAP_PASSWORD（mail\.imap\.passwordEnv）：缺少。收信无法登录邮箱/m);
    expect(r.stdout).toMatch(/^ {2}BAOSONG_SECRET（secrets\.hmacSecretEnv）：未设置。链接和回复地址改用自动生成并保存在 .* 的密钥签名/m);
    expect(r.stdout).toMatch(/^未开启或受限的功能：\n {2}演示模式下不收邮件（baosong start 则会报错停止）：没有设置 BAOSONG_IMAP_PASSWORD/m);
    expect(r.stdout).toMatch(/^ {2}发出的邮件写到 .* 文件夹：配置里没有 mail\.smtp$/m);
    expect(r.stdout).toMatch(/^审核流程 2（重大、紧急）：缓急为重大、紧急 → 部门负责人审核 → 办公室审核 → 校领导审核$/m);
  });

  it('in Chinese, no English word is left but names (variables, keys, paths, hosts, commands)', async () => {
    const r = await runCli(['config', 'check', '--config', file], { cwd: dir, env: { BAOSONG_IMAP_PASSWORD: '', BAOSONG_SECRET: 'short' } });
    const names = /(?:\/[\w./-]+|[\w.-]+@[\w.-]+|[\w-]+(?:\.[\w-]+)+(?::\d+)?|[A-Z][A-Z0-9]*_[A-Z0-9_]+|\b(?:IMAP|SMTP|baosong|start|outbox|openssl|rand|hex|zh-CN|Asia\/Shanghai)\b)/g;
    const words = r.stdout.replace(names, '').match(/[A-Za-z]{2,}/g) ?? [];
    expect(words).toEqual([]);
  });

  it('in English for a school that chose `locale: en`', async () => {
    const english = join(dir, 'english.yaml');
    writeFileSync(english, readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace('locale: zh-CN', 'locale: en'));
    const r = await runCli(['config', 'check', '--config', english], { cwd: dir, env: { BAOSONG_IMAP_PASSWORD: '', BAOSONG_SECRET: '' } });
    expect(r.stdout.split('\n')[0]).toBe(`${english}: valid, but a secret is missing (see "secrets" below)`);
    expect(r.stdout).toMatch(/^ {2}BAOSONG_IMAP_PASSWORD \(mail\.imap\.passwordEnv\): MISSING: the mail intake cannot log in/m);
    expect(r.stdout).toMatch(/^off or reduced:\n {2}intake off in the demo \(`baosong start` stops instead\): BAOSONG_IMAP_PASSWORD is not set/m);
    expect(r.stdout).toMatch(/^review chain 2 重大、紧急: urgency major\/urgent → department head review → office review → leadership review$/m);
  });

  it('with the secrets set: OK, and a too-short HMAC secret is called bad', async () => {
    const r = await runCli(['config', 'check', '--config', file], { cwd: dir, env: { BAOSONG_IMAP_PASSWORD: 'x', BAOSONG_SECRET: 'short' } });
    expect(r.stdout.split('\n')[0]).toBe(`${file}：配置正确`);
    expect(r.stdout).toMatch(/BAOSONG_IMAP_PASSWORD（mail\.imap\.passwordEnv）：已设置/);
    expect(r.stdout).toMatch(/BAOSONG_SECRET（secrets\.hmacSecretEnv）：有误。BAOSONG_SECRET 至少要 32 个字符/);
    expect(r.stdout).not.toMatch(/不收邮件/);
  });
});
