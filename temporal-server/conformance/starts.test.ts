// Issue 23: how workflows start — start delay (also with signal-with-start), workflow retry
// policies, signal-with-start's id conflict policy, and namespaces.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, NamespaceNotFoundError, RetryState, WorkflowIdConflictPolicy } from '@temporalio/common';
import { msToTs, tsToMs } from '@temporalio/common/lib/time.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, isBaosongServer, supportsTimeSkipping, uniqueTaskQueue } from '../testing.js';
import * as activities from './activities.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('starts');
const wid = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

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

async function firstEvent(workflowId: string, runId?: string) {
  const { events } = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return events![0]!.workflowExecutionStartedEventAttributes!;
}

describe.runIf(supportsTimeSkipping())('start delay', () => {
  test('the first workflow task waits for startDelay; firstWorkflowTaskBackoff and executionTime say so', async () => {
    const h = await env.client.workflow.start(wf.reportsStart, { taskQueue, workflowId: wid('delay'), startDelay: '2 hours' });
    const started = await firstEvent(h.workflowId);
    expect(tsToMs(started.firstWorkflowTaskBackoff)).toBe(2 * HOUR);
    const d = await h.describe();
    expect(d.executionTime!.getTime() - d.startTime.getTime()).toBe(2 * HOUR);
    // A plain signal during the delay is recorded but does not start the workflow early.
    await h.signal(wf.go);
    expect((await h.describe()).historyLength).toBe(2); // started, signaled: no workflow task yet
    const res = await h.result();
    expect(res.startedAtMs).toBeGreaterThanOrEqual(d.startTime.getTime());
    expect(res.signals).toBe(1);
    const { events } = await h.fetchHistory();
    const firstTask = events!.find((e) => e.workflowTaskScheduledEventAttributes)!;
    expect(tsToMs(firstTask.eventTime) - d.startTime.getTime()).toBeGreaterThanOrEqual(2 * HOUR);
  });

  test('signal-with-start honours startDelay too', async () => {
    const h = await env.client.workflow.signalWithStart(wf.reportsStart, {
      taskQueue,
      workflowId: wid('sws-delay'),
      startDelay: '3 hours',
      signal: wf.go,
    });
    expect(tsToMs((await firstEvent(h.workflowId)).firstWorkflowTaskBackoff)).toBe(3 * HOUR);
    expect((await h.describe()).historyLength).toBe(2);
    expect((await h.result()).signals).toBe(1);
  });
});

describe('workflow retry policy', () => {
  test('a failing workflow is retried as new runs per its policy and result() follows them', async () => {
    const h = await env.client.workflow.start(wf.failsUntil, {
      taskQueue,
      workflowId: wid('retry'),
      args: [3],
      retry: { initialInterval: '1s', backoffCoefficient: 1, maximumAttempts: 5 },
    });
    expect(await h.result()).toBe(3);
    const third = await firstEvent(h.workflowId);
    expect(third.attempt).toBe(3);
    expect(third.continuedFailure?.message).toBe('attempt 2 failed');
    expect(third.firstExecutionRunId).toBe(h.firstExecutionRunId);
    const firstRun = await env.client.workflow.getHandle(h.workflowId, h.firstExecutionRunId).describe();
    expect(firstRun.status.name).toBe('FAILED');
  });

  test('maximum attempts reached: the last failure, with retry state MAXIMUM_ATTEMPTS_REACHED', async () => {
    const h = await env.client.workflow.start(wf.failsUntil, {
      taskQueue,
      workflowId: wid('retry-max'),
      args: [10],
      retry: { initialInterval: '1s', maximumAttempts: 2 },
    });
    const err = await h.result().then(() => undefined, (e: unknown) => e as WorkflowFailedError);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err!.retryState).toBe(RetryState.MAXIMUM_ATTEMPTS_REACHED);
    expect(err!.cause?.message).toBe('attempt 2 failed');
  });

  test('a non-retryable failure ends the retries', async () => {
    const h = await env.client.workflow.start(wf.failsUntil, {
      taskQueue,
      workflowId: wid('retry-fatal'),
      args: [10, 2],
      retry: { initialInterval: '1s' },
    });
    const err = await h.result().then(() => undefined, (e: unknown) => e as WorkflowFailedError);
    expect(err!.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
    expect((err!.cause as ApplicationFailure).type).toBe('Fatal');
  });

  test('without a retry policy a failure is final (RETRY_POLICY_NOT_SET)', async () => {
    const h = await env.client.workflow.start(wf.failsUntil, { taskQueue, workflowId: wid('no-retry'), args: [2] });
    const err = await h.result().then(() => undefined, (e: unknown) => e as WorkflowFailedError);
    expect(err!.retryState).toBe(RetryState.RETRY_POLICY_NOT_SET);
  });
});

describe('signal-with-start and the id conflict policy', () => {
  test('TERMINATE_EXISTING terminates the running run and signals a new one', async () => {
    const workflowId = wid('sws-terminate');
    const first = await env.client.workflow.start(wf.countsSignals, { taskQueue, workflowId });
    const second = await env.client.workflow.signalWithStart(wf.countsSignals, {
      taskQueue,
      workflowId,
      signal: wf.go,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.TERMINATE_EXISTING,
    });
    expect(second.signaledRunId).not.toBe(first.firstExecutionRunId);
    expect((await env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe()).status.name).toBe('TERMINATED');
    expect((await second.describe()).status.name).toBe('RUNNING');
    await second.terminate();
  });

  test('USE_EXISTING (the default) signals the running run', async () => {
    const workflowId = wid('sws-use');
    const first = await env.client.workflow.start(wf.countsSignals, { taskQueue, workflowId });
    const second = await env.client.workflow.signalWithStart(wf.countsSignals, { taskQueue, workflowId, signal: wf.go });
    expect(second.signaledRunId).toBe(first.firstExecutionRunId);
    await second.terminate();
  });
});

describe.runIf(isBaosongServer())('namespaces', () => {
  test('an unknown namespace is NOT_FOUND: the client throws NamespaceNotFoundError', async () => {
    const client = new Client({ connection: env.connection, namespace: 'no-such-namespace' });
    const err = await client.workflow.start(wf.countsSignals, { taskQueue, workflowId: wid('ns') }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NamespaceNotFoundError);
    expect((err as NamespaceNotFoundError).namespace).toBe('no-such-namespace');
  });

  test('a worker for an unknown namespace does not start', async () => {
    const err = await Worker.create({ connection: env.nativeConnection, namespace: 'no-such-namespace', taskQueue, workflowsPath }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/no-such-namespace/);
  });

  test('a registered namespace works with a client and a worker', async () => {
    await env.connection.workflowService.registerNamespace({ namespace: 'registered', workflowExecutionRetentionPeriod: msToTs('1 day') });
    const client = new Client({ connection: env.connection, namespace: 'registered' });
    const queue = uniqueTaskQueue('registered');
    const w = await Worker.create({ connection: env.nativeConnection, namespace: 'registered', taskQueue: queue, workflowsPath, activities });
    const h = await client.workflow.start(wf.failsUntil, { taskQueue: queue, workflowId: wid('registered'), args: [1] });
    expect(await w.runUntil(h.result())).toBe(1);
  });
});

describe('eager start', () => {
  test('a start asking for eager execution through the worker’s connection gets its first workflow task in the response', async () => {
    const client = new Client({ connection: env.nativeConnection, namespace: 'default' });
    const h = await client.workflow.start(wf.reportsStart, { taskQueue, workflowId: wid('eager'), requestEagerStart: true, workflowTaskTimeout: '1h' });
    expect(h.eagerlyStarted).toBe(true);
    expect((await h.result()).attempt).toBe(1);
  });
});
