// `baosong expect --all-departments` as a county bureau uses it: every school it lists (its "departments") owes
// the report of one bureau-wide event. --dry-run registers nothing, so no Temporal is needed here.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { runCli } from '../support/cli.js';

const SCHOOLS = [
  { id: 'chengguan-1', name: '城关第一小学', head: '王校长', liaison: '李老师' },
  { id: 'chengguan-zx', name: '城关中学', head: '赵校长', liaison: '孙老师' },
  { id: 'dongshan', name: '东山镇中心小学', head: '钱校长', liaison: '周老师' },
];

/** The example configuration turned into a bureau's: its level, and schools where the school had its departments. */
function bureauConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-expect-'));
  const departments = SCHOOLS.map((s, i) =>
    [
      `  - id: ${s.id}`,
      `    name: ${s.name}`,
      `    head: { name: ${s.head}, email: head${i}@school.test, title: 校长 }`,
      '    liaisons:',
      `      - { name: ${s.liaison}, email: liaison${i}@school.test }`,
    ].join('\n'),
  );
  const text = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8')
    .replace('  name: 青禾市第一实验中学\n', '  name: 青禾县教育局\n  level: 县区级\n')
    .replace(/^departments:\n[\s\S]*?(?=^office:)/m, `departments:\n${departments.join('\n')}\n\n`);
  expect(text).toContain('level: 县区级');
  expect(text).not.toContain('jiaowu');
  writeFileSync(join(dir, 'bureau.yaml'), text);
  return join(dir, 'bureau.yaml');
}

const config = bureauConfig();
const cli = (...args: string[]) => runCli(['expect', ...args, '--config', config], { env: { DATABASE_URL: '', TEMPORAL_ADDRESS: '127.0.0.1:1' } });
const FIRE_DRILL = ['--title', '消防演练', '--event-end', '2026-12-04T17:00', '--urgency', 'major'];

describe('baosong expect --all-departments', () => {
  it('--dry-run: one expectation per school of the configuration, each with the same title, event end and urgency', async () => {
    const r = await cli('--all-departments', ...FIRE_DRILL, '--dry-run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(
      SCHOOLS.map((s) => ({ departmentId: s.id, title: '消防演练', eventEnd: '2026-12-04T17:00:00+08:00', urgency: 'major', source: 'cli' })),
    );
  });

  it('--department still means that one department only', async () => {
    const r = await cli('--department', 'dongshan', ...FIRE_DRILL, '--dry-run');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { departmentId: string }[]).map((e) => e.departmentId)).toEqual(['dongshan']);
  });

  it('--department with --all-departments is a usage error that says why, and registers nothing', async () => {
    const r = await cli('--department', 'dongshan', '--all-departments', ...FIRE_DRILL);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--department and --all-departments cannot go together');
    expect(r.stderr).toContain('  EEXPECT_USAGE: baosong expect 用法有误\n');
  });

  it('--all-departments with --ics is refused (the calendar names each event’s department), and without either the message names both ways', async () => {
    const ics = await cli('--all-departments', '--ics', join(tmpdir(), 'never-read.ics'), '--dry-run');
    expect(ics.code).not.toBe(0);
    expect(ics.stderr).toContain('--all-departments goes with --title and --event-end, not with --ics');
    const neither = await cli(...FIRE_DRILL, '--dry-run');
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('give --department (or --all-departments), --title and --event-end, or --ics FILE');
  });
});
