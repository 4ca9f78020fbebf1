// `baosong digest` and `baosong stats` run as a person would, on a seeded SQLite read model.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel } from '../../db/index.js';
import type { DigestFigures } from '../../digest/figures.js';
import { runCli } from '../support/cli.js';
import { seed } from './seed.js';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));
const env = { DATABASE_URL: '' };
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baosong-digest-cli-'));
  mkdirSync(join(dir, 'data'));
  // The example configuration keeps its data in ./data: the seeded read model goes there.
  const database = await openDatabase({ file: join(dir, 'data', 'baosong.db') });
  await migrateToLatest(database);
  await seed(new ReadModel(database));
  await database.close();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('baosong digest', () => {
  test('--preview prints the figures as JSON and writes the HTML and its PNG chart', async () => {
    const result = await runCli(['digest', '--week', '2026-W48', '--preview', '--out', 'preview', '--config', EXAMPLE_CONFIG], { cwd: dir, env });
    expect(result.stderr).toContain('【信息报送周报】2026年第48周（11月23日—11月29日）');
    expect(result.code).toBe(0);
    const figures = JSON.parse(result.stdout) as DigestFigures;
    expect(figures.week).toBe('2026-W48');
    expect(figures.current.school).toMatchObject({ submitted: 8, onTime: 5, late: 3, missing: 2 });
    // Departments come from the configuration, in its order (办公室 first, with nothing).
    expect(figures.current.departments.find((d) => d.departmentId === 'jiaowu')).toMatchObject({ name: '教务处', submitted: 4 });
    const html = readFileSync(join(dir, 'preview', 'digest-2026-W48.html'), 'utf8');
    expect(html).toContain('青禾市第一实验中学');
    expect(html).toContain('src="digest-2026-W48.png"');
    const png = readFileSync(join(dir, 'preview', 'digest-2026-W48.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  test('without a configuration: the example school, as the demo runs it (department names, not pinyin ids)', async () => {
    const result = await runCli(['digest', '--week', '2026-W48'], { cwd: dir, env: { ...env, BAOSONG_CONFIG: '' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('using the example school of config/example.yaml, as the demo does');
    const figures = JSON.parse(result.stdout) as DigestFigures;
    expect(figures.current.departments.find((d) => d.departmentId === 'jiaowu')).toMatchObject({ name: '教务处', submitted: 4 });
    expect(figures.current.departments.map((d) => d.name)).not.toContain('jiaowu');
  });

  test('--preview without --out writes into the data directory, never the current folder', async () => {
    const result = await runCli(['digest', '--week', '2026-W48', '--preview', '--config', EXAMPLE_CONFIG], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`wrote ${join(dir, 'data', 'digests', 'digest-2026-W48.html')}`);
    expect(existsSync(join(dir, 'data', 'digests', 'digest-2026-W48.png'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('digest-'))).toEqual([]);
  });

  test('--send mails the digest once (here to the outbox folder: the example school has no SMTP); again sends nothing', async () => {
    const outbox = join(dir, 'data', 'outbox');
    const first = await runCli(['digest', '--week', '2026-W48', '--send', '--config', EXAMPLE_CONFIG], { cwd: dir, env });
    expect(first.stderr).toContain('digest of 2026-W48 sent to 4 recipients');
    expect(first.code).toBe(0);
    const files = readdirSync(outbox).filter((f) => f.startsWith('digest.2026-W48.'));
    expect(files).toHaveLength(4); // 2 office reviewers + 2 leaders
    expect(readFileSync(join(outbox, files[0]!), 'utf8')).toMatch(/Content-Type: image\/png/);
    const again = await runCli(['digest', '--week', '2026-W48', '--send', '--config', EXAMPLE_CONFIG], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already sent at .* \(4 mails\); nothing sent/);
    expect(readdirSync(outbox).filter((f) => f.startsWith('digest.2026-W48.'))).toHaveLength(4);
  });

  test('a week that does not exist, or no read model, is a one-line error', async () => {
    const bad = await runCli(['digest', '--week', '2027-W53', '--config', EXAMPLE_CONFIG], { cwd: dir, env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('2027 has weeks W01 to W52');
    const empty = mkdtempSync(join(tmpdir(), 'baosong-digest-empty-'));
    const none = await runCli(['digest', '--week', '2026-W48', '--config', EXAMPLE_CONFIG], { cwd: empty, env });
    rmSync(empty, { recursive: true, force: true });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/There is no read model at .*baosong\.db/);
  });
});

describe('baosong stats', () => {
  test('CSV to standard output, days in the school zone, --to included', async () => {
    const result = await runCli(['stats', '--from', '2026-11-16', '--to', '2026-11-29', '--format', 'csv', '--config', EXAMPLE_CONFIG], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout.charCodeAt(0)).toBe(0xfeff);
    expect(result.stdout).toContain('jiaowu,教务处,6,5,1,0,1,3,4,83.3%,105');
  });

  test('XLSX to a file', async () => {
    const result = await runCli(['stats', '--from', '2026-09-01', '--to', '2027-01-31', '--format', 'xlsx', '--out', 'term.xlsx', '--config', EXAMPLE_CONFIG], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'term.xlsx'))).toBe(true);
    expect(readFileSync(join(dir, 'term.xlsx')).subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
