/**
 * Once per test run: the workflow code bundled once (webpack, ~1.5 s of CPU, more on a loaded machine) for every
 * harness worker, instead of once per harness. The path reaches the test processes in the environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/index.js';

export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-test-bundle-'));
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
  writeFileSync(join(dir, 'workflow-bundle.js'), (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet })).code);
  process.env.BAOSONG_TEST_WORKFLOW_BUNDLE = join(dir, 'workflow-bundle.js');
  return () => rmSync(dir, { recursive: true, force: true });
}
