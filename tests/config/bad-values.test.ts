// Every bad value in the configuration is a located error listed with the others, never a crash.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { ConfigError, EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { runCli } from '../support/cli.js';

const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');

/** Every path to a scalar in the example, e.g. ['workingHours', 'start']. */
function leafPaths(node: Node | null, prefix: (string | number)[] = []): (string | number)[][] {
  if (isMap(node)) return node.items.flatMap((pair) => leafPaths(pair.value as Node, [...prefix, String((pair.key as { value: unknown }).value)]));
  if (isSeq(node)) return node.items.flatMap((item, i) => leafPaths(item as Node, [...prefix, i]));
  if (isScalar(node)) return [prefix];
  return [];
}
const leaves = leafPaths(parseDocument(example).contents);

const junk = fc.oneof(
  fc.constantFrom<unknown>('8点', '25:00', '', '  ', -1, 0, 1e9, 3.5, true, null, [], {}, ['x'], { a: 1 }, 'not-an-email', 'Mars/Olympus', '2026-13-45'),
  fc.string(),
  fc.integer(),
);

describe('bad values in the configuration', () => {
  it('any value replaced by junk: valid, or a ConfigError whose every problem has a line and a path — never another exception', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...leaves), { minLength: 1, maxLength: 3 }), fc.array(junk, { minLength: 3, maxLength: 3 }), (paths, values) => {
        const doc = parseDocument(example);
        paths.forEach((path, i) => doc.setIn(path, values[i]));
        try {
          parseConfig(doc.toString(), 'baosong.config.yaml');
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          for (const p of (err as ConfigError).problems) {
            expect(p.line, p.message).not.toBeNull();
            expect(p.message).not.toMatch(/\n\s+at /);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('`config check` with "8点", "25:00" and a bad weekday lists all three with their lines and exits 1, no stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baosong-bad-config-'));
    const file = join(dir, 'baosong.config.yaml');
    writeFileSync(file, example.replace('start: "08:00"', 'start: "8点"').replace('end: "17:30"', 'end: "25:00"').replace('weekday: friday', 'weekday: fri'));
    const r = await runCli(['config', 'check', '--config', file]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:12:10 workingHours.start: "8点" 不是时刻：请写成 时:分（00:00—23:59）`);
    expect(r.stderr).toContain(`${file}:13:8 workingHours.end: "25:00" 不是时刻`);
    expect(r.stderr).toMatch(/:\d+:\d+ digest\.weekday: 应为以下之一：monday、tuesday/);
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
  }, 30_000);
});
