// Issue 23 (the features suite's worker_shutdown/poll_complete_on_shutdown): with Temporal's
// frontend.enableCancelWorkerPollsOnShutdown (on here by default), ShutdownWorker answers the worker's waiting
// polls at once and DescribeNamespace says so (capability workerPollCompleteOnShutdown), so a worker stops in
// well under a long poll's minute and no workflow task is lost to a poll that nobody reads any more.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TestWorkflowEnvironment as Env } from '@temporalio/testing';
import { TEST_SERVER_PATH, createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await env?.teardown();
});

test('the namespace reports the capability; a polling worker stops at once and the next worker finishes the work', async () => {
  const d = await env.client.workflowService.describeNamespace({ namespace: 'default' });
  expect(d.namespaceInfo?.capabilities?.workerPollCompleteOnShutdown).toBe(true);

  const taskQueue = uniqueTaskQueue('shutdown');
  const worker = await createTestWorker(env, { taskQueue, workflowsPath });
  const running = worker.run();
  const workflowId = `shutdown-${randomUUID()}`;
  const h = await env.client.workflow.start(wf.reportsBuildId, { taskQueue, workflowId });
  await h.query(wf.buildIdQuery); // the worker has the run and is polling again
  const stopping = Date.now();
  worker.shutdown();
  await running;
  expect(Date.now() - stopping).toBeLessThan(3_000);

  await h.signal(wf.buildIdUnblock);
  await h.signal(wf.buildIdUnblock);
  const next = await createTestWorker(env, { taskQueue, workflowsPath });
  await next.runUntil(h.result());
  const problems = (await h.fetchHistory()).events!.filter((e) => e.workflowTaskTimedOutEventAttributes && e.workflowTaskTimedOutEventAttributes.timeoutType !== temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START /* the sticky queue's */);
  expect(problems).toEqual([]);
}, 30_000);

test('with the setting off (frontend.enableCancelWorkerPollsOnShutdown=false) a task can go to a poll nobody reads and time out, as Temporal without it', async () => {
  const off = await Env.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: TEST_SERVER_PATH }, extraArgs: ['--dynamic-config-value', 'frontend.enableCancelWorkerPollsOnShutdown=false'] },
  });
  try {
    const d = await off.client.workflowService.describeNamespace({ namespace: 'default' });
    expect(d.namespaceInfo?.capabilities?.workerPollCompleteOnShutdown).toBe(false);
    const taskQueue = uniqueTaskQueue('shutdown-off');
    const worker = await createTestWorker(off, { taskQueue, workflowsPath, maxCachedWorkflows: 0 });
    const running = worker.run();
    const h = await off.client.workflow.start(wf.reportsBuildId, { taskQueue, workflowId: `shutdown-off-${randomUUID()}`, workflowTaskTimeout: '2s' });
    await h.query(wf.buildIdQuery);
    worker.shutdown();
    await running;
    // The worker's abandoned poll is still queued: the signal's task goes to it and times out.
    await h.signal(wf.buildIdUnblock);
    await h.signal(wf.buildIdUnblock);
    const next = await createTestWorker(off, { taskQueue, workflowsPath });
    await next.runUntil(h.result());
    const timedOut = (await h.fetchHistory()).events!.filter((e) => e.workflowTaskTimedOutEventAttributes?.timeoutType === temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE);
    expect(timedOut.length).toBeGreaterThan(0);
  } finally {
    await off.teardown();
  }
}, 60_000);
