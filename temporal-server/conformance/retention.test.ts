// A namespace's retention (TEMPORAL_TEST_SERVER_RETENTION=enforce): a closed run is deleted once its namespace's
// retention has passed, as a Temporal cluster deletes it — describe and history answer NOT_FOUND, the id can be
// started again whatever the reuse policy, and the server keeps only the recent runs (bench:district's simulated
// week needs that). A run closed within the retention, or still running, is kept.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('retention');

beforeAll(async () => {
  process.env.TEMPORAL_TEST_SERVER_RETENTION = 'enforce'; // the SDK spawns the server with this environment
  try {
    env = await createTestEnv();
  } finally {
    delete process.env.TEMPORAL_TEST_SERVER_RETENTION;
  }
  worker = await createTestWorker(env, { taskQueue, workflowsPath });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

test('a run closed longer ago than the retention (1 day in default) is gone; newer and running ones stay', async () => {
  const old = `old-${randomUUID()}`;
  expect(await env.client.workflow.execute(wf.returnsText, { taskQueue, workflowId: old, args: [3] })).toHaveLength(3);
  const waiting = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: `open-${randomUUID()}` });
  const dayLong = await env.client.workflow.start(wf.countsSignals, { taskQueue, workflowId: `day-${randomUUID()}` }); // closes after 1 day
  await env.sleep('25 hours');
  // Forgetting happens as runs close: this one closes after the day, within its own retention.
  const recent = `recent-${randomUUID()}`;
  await env.client.workflow.execute(wf.returnsText, { taskQueue, workflowId: recent, args: [2] });

  await expect(env.client.workflow.getHandle(old).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  await expect(env.client.workflow.getHandle(old).fetchHistory()).rejects.toThrow(/NOT_FOUND/);
  expect((await env.client.workflow.getHandle(recent).describe()).status.name).toBe('COMPLETED');
  expect((await waiting.describe()).status.name).toBe('RUNNING');
  expect((await dayLong.describe()).status.name).toBe('COMPLETED'); // closed an hour ago: kept
  // The id is free again, even for a policy that refuses a duplicate of a closed run.
  expect(await env.client.workflow.execute(wf.returnsText, { taskQueue, workflowId: old, args: [1], workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE })).toHaveLength(1);
  await waiting.terminate('done');
});
