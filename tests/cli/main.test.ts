import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.js';
import { runCli } from '../support/cli.js';

const empty = mkdtempSync(join(tmpdir(), 'baosong-cli-'));

describe('baosong (subcommands loaded when used)', () => {
  it('lists every subcommand in --help without loading them', async () => {
    const all = (await buildProgram('all')).commands.map((c) => c.name());
    const r = await runCli(['--help'], { cwd: empty });
    expect(r.code).toBe(0);
    for (const name of all) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('shows a subcommand’s own options with `help NAME` and `NAME --help`', async () => {
    for (const args of [['help', 'deadline'], ['deadline', '--help']]) {
      const r = await runCli(args, { cwd: empty });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('--urgency <urgency>');
    }
  });

  it('names an unknown subcommand', async () => {
    const r = await runCli(['deadlin'], { cwd: empty });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'deadlin'");
  });
});
