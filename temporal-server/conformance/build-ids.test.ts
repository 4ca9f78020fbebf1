// Issue 23: a worker replaying a history sees, in workflowInfo().currentBuildId, the build that completed each
// workflow task — also an unversioned worker, which names its build only as the binary checksum (the SDK
// suite's "Build Id appropriately set in workflow info").
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await env?.teardown();
});

test('a new worker replaying the history reads the old build until it completes a task itself', async () => {
  const taskQueue = uniqueTaskQueue('build-ids');
  const workflowId = `build-ids-${randomUUID()}`;
  const first = await createTestWorker(env, { taskQueue, workflowsPath, buildId: '1.0' });
  await first.runUntil(async () => {
    const h = await env.client.workflow.start(wf.reportsBuildId, { taskQueue, workflowId });
    expect(await h.query(wf.buildIdQuery)).toBe('1.0');
  });
  // The run leaves the first worker's cache: the next worker gets the whole history.
  await env.client.workflowService.resetStickyTaskQueue({ namespace: 'default', execution: { workflowId } });
  const second = await createTestWorker(env, { taskQueue, workflowsPath, buildId: '1.1' });
  await second.runUntil(async () => {
    const h = env.client.workflow.getHandle(workflowId);
    expect(await h.query(wf.buildIdQuery)).toBe('1.0');
    await h.signal(wf.buildIdUnblock);
    expect(await h.query(wf.buildIdQuery)).toBe('1.1');
    await h.signal(wf.buildIdUnblock);
    await h.result();
  });
});
