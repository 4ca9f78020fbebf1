// Issue 23 (the features suite's schedule/cron): a workflow started with a cron schedule runs at each of the
// schedule's times, each run a new run of the chain that sees the previous run's result; terminate ends it.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { advanceTo, createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
const { EventType, WorkflowExecutionStatus, ContinueAsNewInitiator } = temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('cron');

beforeAll(async () => {
  env = await createTestEnv();
  worker = await createTestWorker(env, { taskQueue, workflowsPath });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

test('each hourly run starts on the hour, after the one before, with its result; terminate ends the chain', async () => {
  const workflowId = `cron-${randomUUID()}`;
  const started = await env.currentTimeMs();
  const h = await env.client.workflow.start(wf.cronRun, { taskQueue, workflowId, cronSchedule: '0 * * * *' });
  // The first run waits for the first hour.
  const firstStart = (await h.fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!;
  const firstHour = Math.ceil((started + 1) / 3_600_000) * 3_600_000;
  expect(Number(firstStart.firstWorkflowTaskBackoff?.seconds)).toBeGreaterThan(0);
  expect(firstStart.cronSchedule).toBe('0 * * * *');

  await advanceTo(env, new Date(firstHour + 2 * 3_600_000 + 60_000));
  const list = async () => {
    const runs = [];
    for await (const r of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(r);
    return runs;
  };
  await expect.poll(async () => (await list()).filter((r) => r.status.name === 'COMPLETED').length, { timeout: 10_000 }).toBe(3);

  // The runs chain: each completed with the next run's id, each next one a CRON_SCHEDULE continuation seeing the result.
  const runs = (await list()).sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const histories = await Promise.all(runs.map((r) => env.client.workflow.getHandle(workflowId, r.runId).fetchHistory()));
  const results: number[] = [];
  for (const [i, history] of histories.entries()) {
    const startedAttrs = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const closed = history.events!.at(-1)!;
    if (i > 0) {
      expect(startedAttrs.initiator).toBe(ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
      expect(startedAttrs.continuedExecutionRunId).toBe(runs[i - 1]!.runId);
    }
    if (closed.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
      expect(closed.workflowExecutionCompletedEventAttributes!.newExecutionRunId).toBe(runs[i + 1]?.runId);
      const payload = closed.workflowExecutionCompletedEventAttributes!.result!.payloads![0]!;
      results.push((JSON.parse(Buffer.from(payload.data!).toString('utf8')) as { run: number }).run);
    }
  }
  expect(results).toEqual([1, 2, 3]);
  expect(runs.slice(0, 3).map((r) => new Date(r.startTime).getTime() <= firstHour + 2 * 3_600_000)).toEqual([true, true, true]);

  // The fourth run waits for its hour; terminating it ends the chain.
  await env.client.workflow.getHandle(workflowId).terminate('enough');
  const after = await list();
  expect(after.filter((r) => r.status.code === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING)).toEqual([]);
  expect(after).toHaveLength(4);
});

test('an unreadable cron schedule is refused at start', async () => {
  const err = (await env.client.workflow.start(wf.cronRun, { taskQueue, workflowId: `cron-bad-${randomUUID()}`, cronSchedule: 'every tuesday' }).catch((e: unknown) => e)) as { cause?: { code?: number; details?: string } };
  expect(err.cause?.code).toBe(3); // INVALID_ARGUMENT
  expect(err.cause?.details).toMatch(/cron string "every tuesday"/);
});
