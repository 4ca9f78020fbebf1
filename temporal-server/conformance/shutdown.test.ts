// Issue 23 (the features suite's worker_shutdown/poll_complete_on_shutdown): with Temporal's
// frontend.enableCancelWorkerPollsOnShutdown (on here by default), ShutdownWorker answers the worker's waiting
// polls at once and DescribeNamespace says so (capability workerPollCompleteOnShutdown), so a worker stops in
// well under a long poll's minute and no workflow task is lost to a poll that nobody reads any more.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { temporal } from '@temporalio/proto';
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
