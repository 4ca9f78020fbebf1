// `baosong config check` on a copied example: valid, but it names the missing secret and what will be off.
import { copyFileSync, mkdtempSync } from 'node:fs';
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
    expect(lines[0]).toBe(`${file}: valid, but a secret is missing (see "secrets" below)`);
    expect(r.stdout).toMatch(/^ {2}BAOSONG_IMAP_PASSWORD \(mail\.imap\.passwordEnv\): MISSING: the mail intake cannot log in/m);
    expect(r.stdout).toMatch(/^ {2}BAOSONG_SECRET \(secrets\.hmacSecretEnv\): not set: links and reply addresses are signed with a secret generated once/m);
    expect(r.stdout).toMatch(/^off or reduced:\n {2}intake off in the demo \(`baosong start` stops instead\): BAOSONG_IMAP_PASSWORD is not set/m);
    expect(r.stdout).toMatch(/^ {2}outgoing mail to the outbox folder .*: no mail\.smtp in the configuration$/m);
  });

  it('with the secrets set: OK, and a too-short HMAC secret is called bad', async () => {
    const r = await runCli(['config', 'check', '--config', file], { cwd: dir, env: { BAOSONG_IMAP_PASSWORD: 'x', BAOSONG_SECRET: 'short' } });
    expect(r.stdout.split('\n')[0]).toBe(`${file}: OK`);
    expect(r.stdout).toMatch(/BAOSONG_IMAP_PASSWORD \(mail\.imap\.passwordEnv\): set/);
    expect(r.stdout).toMatch(/BAOSONG_SECRET \(secrets\.hmacSecretEnv\): BAD: BAOSONG_SECRET must be at least 32 characters/);
    expect(r.stdout).not.toMatch(/intake off/);
  });
});
