// Histories saved from each release (tests/fixtures/histories/<release>/, recorded by
// `npm run histories:record`) replay against today's workflow code: a change to workflow code that
// would break reports already running at a school fails here, before it ships. The second half proves
// the check has teeth: the same histories against a copy of the workflows changed without patched()
// fail, and against the same change behind patched() pass.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/index.js';

const repo = join(import.meta.dirname, '..', '..');
const fixtures = join(repo, 'tests', 'fixtures', 'histories');

interface Saved {
  workflowId: string;
  history: ReturnType<typeof historyFromJSON>;
}

function saved(filter: (name: string) => boolean = () => true): Saved[] {
  const out: Saved[] = [];
  for (const release of readdirSync(fixtures).sort()) {
    for (const file of readdirSync(join(fixtures, release)).sort()) {
      if (!file.endsWith('.json') || !filter(file)) continue;
      out.push({ workflowId: `${release}/${file}`, history: historyFromJSON(JSON.parse(readFileSync(join(fixtures, release, file), 'utf8'))) });
    }
  }
  return out;
}

async function replay(workflowsPath: string, histories: Saved[]): Promise<Map<string, Error | undefined>> {
  const results = new Map<string, Error | undefined>();
  for await (const r of Worker.runReplayHistories({ workflowsPath, replayName: 'saved-histories' }, histories)) {
    results.set(r.workflowId, r.error);
  }
  return results;
}

/** A copy of workflows/ beside the original (so its relative imports resolve), with report.ts edited. */
const copies: string[] = [];
function changedWorkflows(edit: (source: string) => string): string {
  const dir = mkdtempSync(join(repo, '.replay-check-'));
  copies.push(dir);
  cpSync(join(repo, 'workflows'), dir, { recursive: true });
  const file = join(dir, 'report.ts');
  const source = readFileSync(file, 'utf8');
  const edited = edit(source);
  expect(edited).not.toBe(source);
  writeFileSync(file, edited);
  return join(dir, 'index.ts');
}
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A timer at the start of every report: a new command that old histories do not have. */
function startWithTimer(source: string, guarded: boolean): string {
  return source
    // (report.ts may import patched itself already)
    .replace(/import \{ ([^}]*) \} from '@temporalio\/workflow';/, (_all, names: string) => `import { sleep, ${/\bpatched\b/.test(names) ? '' : 'patched, '}${names} } from '@temporalio/workflow';`)
    .replace(
      /(export async function reportWorkflow\([^)]*\)[^{]*\{\n)/,
      `$1  ${guarded ? "if (patched('replay-check')) " : ''}await sleep('1 second');\n`,
    );
}

describe('saved histories of past releases', () => {
  it('every one replays on today’s workflow code, for every path a report can take', async () => {
    const histories = saved();
    const names = histories.map((h) => h.workflowId.split('/')[1]!.replace(/(\.run\d+)?\.json$/, ''));
    for (const path of ['report-approved', 'report-overdue-escalated-approved', 'report-returned-revised', 'report-expired', 'report-withdrawn', 'report-reassigned', 'report-comments-continued-as-new', 'report-acted-by-update', 'expected-missing', 'expected-satisfied', 'digest-weekly']) {
      expect(names, `a saved history for ${path}`).toContain(path);
    }
    const results = await replay(WORKFLOWS_PATH, histories);
    const failures = [...results].filter(([, e]) => e !== undefined).map(([id, e]) => `${id}: ${e!.message}`);
    expect(failures).toEqual([]);
    expect(results.size).toBe(histories.length);
  });

  it('fails for a change to the report workflow made without patched(), and passes with it', async () => {
    const reports = saved((f) => f.startsWith('report-'));
    expect(reports.length).toBeGreaterThanOrEqual(7);

    const unguarded = await replay(changedWorkflows((s) => startWithTimer(s, false)), reports);
    for (const [id, error] of unguarded) {
      expect(error, `${id} should not replay`).toBeInstanceOf(DeterminismViolationError);
    }
    expect(unguarded.size).toBe(reports.length);

    const guarded = await replay(changedWorkflows((s) => startWithTimer(s, true)), reports);
    expect([...guarded].filter(([, e]) => e !== undefined).map(([id, e]) => `${id}: ${e!.message}`)).toEqual([]);
  });
});
