// Issue 23 (the SDK suite's test-random-stream-reset, the "reset RPCs" of its list): ResetWorkflowExecution
// starts a new run from a workflow task of the base run, reapplies the later signals and terminates the base;
// a reset point with a timer still running before it is refused, saying why.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
const { EventType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('reset');

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

/** The event id of the run's nth WorkflowTaskCompleted (a Long, as the request wants it). */
const completedTask = async (workflowId: string, runId: string, nth = 1) => {
  const events = (await env.client.workflow.getHandle(workflowId, runId).fetchHistory()).events!;
  return events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)[nth - 1]!.eventId!;
};
const reset = (req: temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest): Promise<temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse> =>
  env.client.workflowService.resetWorkflowExecution(req);

test('a reset to the first task makes a new run that hears the later signal again; the base is terminated', async () => {
  const workflowId = `reset-${randomUUID()}`;
  const base = await env.client.workflow.start(wf.reportsBuildId, { taskQueue, workflowId });
  await base.signal(wf.buildIdUnblock);
  await base.query(wf.buildIdQuery); // the signal's task is done
  const { runId } = await reset({
    namespace: 'default',
    workflowExecution: { workflowId, runId: base.firstExecutionRunId },
    workflowTaskFinishEventId: await completedTask(workflowId, base.firstExecutionRunId),
    reason: 'conformance reset',
    requestId: randomUUID(),
  });
  expect(runId).toBeTruthy();
  expect(runId).not.toBe(base.firstExecutionRunId);
  expect((await env.client.workflow.getHandle(workflowId, base.firstExecutionRunId).describe()).status.name).toBe('TERMINATED');

  const fresh = env.client.workflow.getHandle(workflowId, runId!);
  const events = (await fresh.fetchHistory()).events!;
  const failed = events.find((e) => e.workflowTaskFailedEventAttributes)!.workflowTaskFailedEventAttributes!;
  expect(failed.cause).toBe(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW);
  expect([failed.baseRunId, failed.newRunId]).toEqual([base.firstExecutionRunId, runId]);
  expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(1);
  // One signal was reapplied: the second finishes the new run.
  await env.client.workflow.getHandle(workflowId).signal(wf.buildIdUnblock);
  await fresh.result();
  expect((await fresh.describe()).status.name).toBe('COMPLETED');
});

test('a reset past a timer that is still running is FAILED_PRECONDITION and changes nothing', async () => {
  const workflowId = `reset-timer-${randomUUID()}`;
  const h = await env.client.workflow.start(wf.countsSignals, { taskQueue, workflowId });
  await h.signal(wf.go);
  await h.query('__stack_trace'); // both tasks are done
  const point = await completedTask(workflowId, h.firstExecutionRunId, 2);
  const err = (await reset({ namespace: 'default', workflowExecution: { workflowId }, workflowTaskFinishEventId: point, reason: 'x', requestId: randomUUID() }).catch((e: unknown) => e)) as { code?: number; details?: string };
  expect(err.code).toBe(9); // FAILED_PRECONDITION
  expect(err.details).toMatch(/a timer started before it/);
  expect((await h.describe()).status.name).toBe('RUNNING');
  await h.terminate();
});
