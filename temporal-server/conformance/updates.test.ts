// Issue 23: workflow updates — validators, the ACCEPTED and COMPLETED wait stages, polling for the
// outcome, failures, update-with-start, the in-flight limit, and replay of histories with updates.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { Client, Connection, WithStartWorkflowOperation, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as activities from './activities.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
const { EventType } = temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('updates');
const produced: string[] = [];
const wid = (name: string) => {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  produced.push(id);
  return id;
};

beforeAll(async () => {
  env = await createTestEnv();
  worker = await createTestWorker(env, { taskQueue, workflowsPath, activities });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function eventTypes(workflowId: string): Promise<temporal.api.enums.v1.EventType[]> {
  const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? []).map((e) => e.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED);
}

test('executeUpdate returns the handler result; the history records acceptance and completion', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('update') });
  expect(await h.executeUpdate(wf.setValue, { args: ['first'] })).toBe('initial');
  expect(await h.executeUpdate(wf.setValue, { args: ['done'] })).toBe('first');
  expect(await h.result()).toBe('done');
  const types = await eventTypes(h.workflowId);
  expect(types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)).toHaveLength(2);
  expect(types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)).toHaveLength(2);
});

test('a validator rejection reaches the caller at once and leaves no update in the history', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('rejected') });
  const err = await h.executeUpdate(wf.setValue, { args: [''] }).then(() => undefined, (e: unknown) => e as WorkflowUpdateFailedError);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(err!.cause?.message).toBe('the value must not be empty');
  expect(await h.query(wf.valueQuery)).toBe('initial');
  const types = await eventTypes(h.workflowId);
  expect(types).not.toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  await h.executeUpdate(wf.setValue, { args: ['done'] });
  expect(await h.result()).toBe('done');
});

test('startUpdate waiting for ACCEPTED returns before the handler finishes; the handle polls for the result', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('accepted') });
  const update = await h.startUpdate(wf.setValue, { args: ['slow:done'], waitForStage: WorkflowUpdateStage.ACCEPTED, updateId: 'my-update' });
  expect(update.updateId).toBe('my-update');
  expect(await h.query(wf.valueQuery)).toBe('initial'); // accepted, its handler still waiting
  const types = await eventTypes(h.workflowId);
  expect(types).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  expect(types).not.toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  await h.signal(wf.go);
  expect(await update.result()).toBe('initial');
  expect(await env.client.workflow.getHandle(h.workflowId).getUpdateHandle<string>('my-update').result()).toBe('initial');
  expect(await h.result()).toBe('slow:done');
});

test('a handler that fails completes the update with its failure', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('failing') });
  const err = await h.executeUpdate(wf.failingUpdate).then(() => undefined, (e: unknown) => e as WorkflowUpdateFailedError);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err!.cause as ApplicationFailure).type).toBe('HandlerFailure');
  expect(await eventTypes(h.workflowId)).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  await h.terminate();
});

test('an update to a closed workflow fails', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('closed') });
  await h.terminate();
  await expect(h.executeUpdate(wf.setValue, { args: ['late'] })).rejects.toThrow();
});

test('an accepted update whose workflow returns before its handler finishes fails as Temporal fails it (AcceptedUpdateCompletedWorkflow)', async () => {
  const h = await env.client.workflow.start(wf.leavesUpdatesUnfinished, { taskQueue, workflowId: wid('unfinished') });
  const err = await h.executeUpdate(wf.setValue, { args: ['x'] }).then(() => undefined, (e: unknown) => e as WorkflowUpdateFailedError);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err!.cause as ApplicationFailure).type).toBe('AcceptedUpdateCompletedWorkflow');
  expect(err!.cause?.message).toMatch(/Workflow completed before the Update completed/);
  expect((await h.describe()).status.name).toBe('COMPLETED');
});

test('an update to a workflow in its start delay starts it at once and is handled on its first task', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('delayed'), startDelay: '1 day' });
  expect(await h.executeUpdate(wf.setValue, { args: ['done'] })).toBe('initial');
  expect(await h.result()).toBe('done');
});

test('a query during the start delay is refused (FAILED_PRECONDITION) instead of reaching a worker that never ran the workflow', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('delayed-query'), startDelay: '1 day' });
  const err = await env.connection.workflowService
    .queryWorkflow({ namespace: 'default', execution: { workflowId: h.workflowId }, query: { queryType: 'value' } })
    .then(() => undefined, (e: unknown) => e as { code?: number; details?: string });
  expect(err?.code).toBe(grpcStatus.FAILED_PRECONDITION);
  expect(err?.details).toMatch(/start delay/);
  await h.terminate();
});

test('PollWorkflowExecutionUpdate without a stage to wait for answers with the stage reached at once', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('poll-now') });
  await h.startUpdate(wf.setValue, { args: ['slow:x'], updateId: 'slow', waitForStage: WorkflowUpdateStage.ACCEPTED });
  const started = Date.now();
  const res = await env.connection.workflowService.pollWorkflowExecutionUpdate({
    namespace: 'default',
    updateRef: { workflowExecution: { workflowId: h.workflowId }, updateId: 'slow' },
  });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(res.stage).toBe(temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED);
  expect(res.outcome).toBeFalsy();
  await h.terminate();
});

test('update-with-start starts the workflow and runs the update on its first task', async () => {
  const startWorkflowOperation = new WithStartWorkflowOperation(wf.updatable, { taskQueue, workflowId: wid('with-start'), workflowIdConflictPolicy: 'FAIL' });
  expect(await env.client.workflow.executeUpdateWithStart(wf.setValue, { args: ['first'], startWorkflowOperation })).toBe('initial');
  const h = await startWorkflowOperation.workflowHandle();
  expect(await h.executeUpdate(wf.setValue, { args: ['done'] })).toBe('first');
  expect(await h.result()).toBe('done');
  expect(await eventTypes(h.workflowId)).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
});

test('update-with-start: USE_EXISTING updates the running workflow, FAIL refuses it', async () => {
  const workflowId = wid('with-start-existing');
  const first = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId });
  const useExisting = new WithStartWorkflowOperation(wf.updatable, { taskQueue, workflowId, workflowIdConflictPolicy: 'USE_EXISTING' });
  const update = await env.client.workflow.startUpdateWithStart(wf.setValue, { args: ['second'], waitForStage: WorkflowUpdateStage.ACCEPTED, startWorkflowOperation: useExisting });
  expect(update.workflowRunId).toBe(first.firstExecutionRunId);
  expect(await update.result()).toBe('initial');
  expect((await (await useExisting.workflowHandle()).describe()).runId).toBe(first.firstExecutionRunId);

  const fail = new WithStartWorkflowOperation(wf.updatable, { taskQueue, workflowId, workflowIdConflictPolicy: 'FAIL' });
  await expect(env.client.workflow.executeUpdateWithStart(wf.setValue, { args: ['third'], startWorkflowOperation: fail })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  await expect(fail.workflowHandle()).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  expect(await first.query(wf.valueQuery)).toBe('second');
  await first.terminate();
});

test('update-with-start with an invalid start starts nothing and says why', async () => {
  const startWorkflowOperation = new WithStartWorkflowOperation(wf.updatable, { taskQueue, workflowId: 'x'.repeat(1001), workflowIdConflictPolicy: 'FAIL' });
  for (const attempt of [env.client.workflow.executeUpdateWithStart(wf.setValue, { args: ['x'], startWorkflowOperation }), startWorkflowOperation.workflowHandle()]) {
    const err = await attempt.then(() => undefined, (e: unknown) => e as { code?: number; message: string });
    expect(err?.code).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(err?.message).toMatch(/WorkflowId length exceeds limit/);
  }
});

test('more than 10 updates in flight at once are refused with RESOURCE_EXHAUSTED, as Temporal limits them', async () => {
  const h = await env.client.workflow.start(wf.updatable, { taskQueue, workflowId: wid('in-flight') });
  for (let i = 0; i < 10; i++) await h.startUpdate(wf.setValue, { args: [`slow:${i}`], waitForStage: WorkflowUpdateStage.ACCEPTED });
  // Without the client's retries (it retries RESOURCE_EXHAUSTED for minutes).
  const connection = await Connection.connect({ address: env.address, interceptors: [] });
  const err = await new Client({ connection })
    .workflow.getHandle(h.workflowId)
    .startUpdate(wf.setValue, { args: ['slow:eleventh'], waitForStage: WorkflowUpdateStage.ACCEPTED })
    .then(() => undefined, (e: unknown) => (e as { cause?: { code?: number } }).cause);
  expect(err?.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
  await connection.close();
  await h.terminate();
});

test('histories with updates replay without nondeterminism', async () => {
  const histories: Array<{ workflowId: string; history: temporal.api.history.v1.IHistory }> = [];
  for await (const h of env.client.workflow.list({ query: `WorkflowType = 'updatable'` }).intoHistories())
    histories.push({ workflowId: h.workflowId, history: h.history as temporal.api.history.v1.IHistory });
  const withUpdates = histories.filter((h) =>
    h.history.events?.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED),
  );
  expect(withUpdates.length).toBeGreaterThanOrEqual(3);
  for await (const r of Worker.runReplayHistories({ workflowsPath }, histories)) expect(r.error).toBeUndefined();
});
