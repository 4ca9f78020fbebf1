// `baosong start` when no Temporal can be had: it stops, starts nothing, and names the ways out.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'baosong-start-'));

describe('baosong start without a Temporal server', () => {
  it('with no address, no temporal CLI and no download: exits non-zero naming the three fixes', async () => {
    // No `temporal` on PATH, and the SDK's download switched off (so the test means the same with or without internet).
    const r = await runCli(['start'], { cwd: dir, env: { PATH: '/usr/bin:/bin', TEMPORAL_ADDRESS: '', BAOSONG_TEMPORAL_DOWNLOAD: 'never', BAOSONG_SECRET: 'x'.repeat(40) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No Temporal server could be had \(no `temporal` CLI on PATH, and BAOSONG_TEMPORAL_DOWNLOAD=never forbids downloading it\)/);
    expect(r.stderr).toMatch(/1\. point baosong at a Temporal server: set TEMPORAL_ADDRESS/);
    expect(r.stderr).toMatch(/2\. install the Temporal CLI/);
    expect(r.stderr).toMatch(/3\. just try baosong: `npm run demo`/);
  }, 60_000);

  it('with an address nobody answers at: says so and what to check', async () => {
    const r = await runCli(['start'], { cwd: dir, env: { TEMPORAL_ADDRESS: '127.0.0.1:9', BAOSONG_SECRET: 'x'.repeat(40) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No Temporal server is answering at 127\.0\.0\.1:9 \(connection refused\)\. Is baosong \(npm start\) or your Temporal server running there\?/);
    expect(r.stderr).not.toMatch(/ECONNREFUSED|UNAVAILABLE|tonic|transport error/);
  }, 60_000);
});
