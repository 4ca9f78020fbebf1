import { afterAll, beforeAll, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';
import * as activities from './conformance/activities.js';
import { hello, sleeper, collector, addItem, itemsQuery } from './conformance/workflows.js';

const workflowsPath = fileURLToPath(new URL('./conformance/workflows.ts', import.meta.url));
let env: TestWorkflowEnvironment;
beforeAll(async () => { env = await createTestEnv(); });
afterAll(async () => { await env?.teardown(); });

test('smoke', async () => {
  const taskQueue = uniqueTaskQueue();
  const worker = await createTestWorker(env, { taskQueue, workflowsPath, activities });
  await worker.runUntil(async () => {
    const r = await env.client.workflow.execute(hello, { taskQueue, workflowId: 'h1', args: ['x'] });
    expect(r).toBe('Hello, x!');
    const t0 = Date.now();
    const s = await env.client.workflow.execute(sleeper, { taskQueue, workflowId: 's1', args: [30 * 86400_000] });
    expect(s).toBeGreaterThanOrEqual(30 * 86400_000);
    console.log('sleep wall', Date.now() - t0);
    const h = await env.client.workflow.start(collector, { taskQueue, workflowId: 'c1' });
    await h.signal(addItem, 'a');
    await h.signal(addItem, 'b');
    expect(await h.query(itemsQuery)).toEqual(['a', 'b']);
    await h.signal(addItem, 'done');
    expect(await h.result()).toEqual(['a', 'b']);
  });
});
