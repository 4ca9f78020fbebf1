// The worker's V8 flags and malloc arenas: `baosong start` gives them to its worker child (worker/child.ts), and a
// deployment that runs `baosong worker` under systemd must give the same, or its worker is the one the benches did
// not measure (memory under 300 MB, the GC's CPU).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { projectFile } from '../../config/paths.js';
import { WORKER_CHILD_DEFAULT_ENV, WORKER_HEAP_MB, workerNodeFlags } from '../../worker/child.js';

const run = promisify(execFile);
const unit = readFileSync(projectFile('deploy', 'systemd', 'baosong-worker@.service'), 'utf8');

describe("the worker's runtime settings", () => {
  test('the systemd unit starts `baosong worker` with the flags and arenas `baosong start` gives its child', () => {
    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    expect(execStart.slice(1, -2)).toEqual(workerNodeFlags(WORKER_HEAP_MB));
    expect(execStart.slice(-2)).toEqual(['/opt/baosong/bin/baosong.js', 'worker']);
    expect(unit).toContain(`Environment=MALLOC_ARENA_MAX=${WORKER_CHILD_DEFAULT_ENV.MALLOC_ARENA_MAX}`);
  });

  test('this Node accepts every flag, and V8 takes the heap limits', async () => {
    // An unknown flag stops node before it runs anything ("bad option"), so a worker would never start.
    const { stdout } = await run(process.execPath, [...workerNodeFlags(WORKER_HEAP_MB), '-p', 'JSON.stringify(require("v8").getHeapStatistics())']);
    const heap = JSON.parse(stdout) as { heap_size_limit: number };
    // The old generation's cap plus the young generation's semi-spaces.
    expect(heap.heap_size_limit / 2 ** 20).toBeGreaterThanOrEqual(WORKER_HEAP_MB);
    expect(heap.heap_size_limit / 2 ** 20).toBeLessThan(WORKER_HEAP_MB + 40);
  });
});
