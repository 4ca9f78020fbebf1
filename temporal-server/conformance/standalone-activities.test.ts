// Issue 23 (the SDK suite's test-standalone-activities and the standalone cases of test-async-completion):
// activities started by a client, not a workflow — result, failure, describe, cancel, terminate, list and
// count, id conflict and reuse, async completion by id — run by an ordinary worker.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ActivityExecutionAlreadyStartedError, ActivityExecutionFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as activities from './activities.js';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('standalone');
const options = { taskQueue, scheduleToCloseTimeout: '1 minute', idReusePolicy: 'ALLOW_DUPLICATE' } as const;

beforeAll(async () => {
  env = await createTestEnv();
  worker = await createTestWorker(env, { taskQueue, activities });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('standalone activities', () => {
  test('a result, a failure and the description of a closed one', async () => {
    const id = randomUUID();
    const h = await env.client.activity.start('greet', { ...options, id, args: ['报送'] });
    expect(await h.result()).toBe('Hello, 报送!');
    expect(await env.client.activity.getHandle(id, h.runId).result()).toBe('Hello, 报送!');
    expect(await h.describe()).toMatchObject({ activityId: id, activityRunId: h.runId, activityType: 'greet', attempt: 1, status: 'COMPLETED', taskQueue });

    const err = await env.client.activity.execute('failNonRetryable', { ...options, id: randomUUID(), args: [randomUUID()] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivityExecutionFailedError);
    expect((err as ActivityExecutionFailedError).cause).toBeInstanceOf(ApplicationFailure);
    expect((err as ActivityExecutionFailedError).cause?.message).toBe('this will never work');
  });

  test('cancel reaches the running activity through its heartbeat; terminate ends it at once', async () => {
    const cancelled = await env.client.activity.start('waitForCancel', { ...options, id: randomUUID(), heartbeatTimeout: '5s', args: [randomUUID()] });
    await expect.poll(async () => (await cancelled.describe()).lastStartedTime !== undefined).toBe(true);
    await cancelled.cancel('no longer needed');
    const err = await cancelled.result().catch((e: unknown) => e);
    expect((err as ActivityExecutionFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(await cancelled.describe()).toMatchObject({ status: 'CANCELED', canceledReason: 'no longer needed' });

    const terminated = await env.client.activity.start('waitForCancel', { ...options, id: randomUUID(), heartbeatTimeout: '5s', args: [randomUUID()] });
    await terminated.terminate('stop');
    const ended = await terminated.result().catch((e: unknown) => e);
    expect((ended as ActivityExecutionFailedError).cause).toBeInstanceOf(TerminatedFailure);
    expect((ended as ActivityExecutionFailedError).cause?.message).toBe('stop');
    expect((await terminated.describe()).status).toBe('TERMINATED');
  });

  test('an id in use is refused under FAIL and REJECT_DUPLICATE; list and count find runs by ActivityId', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const running = await env.client.activity.start('completeLater', { ...options, id, args: [key], idConflictPolicy: 'FAIL' });
    const conflict = await env.client.activity.start('completeLater', { ...options, id, args: [key], idConflictPolicy: 'FAIL' }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ActivityExecutionAlreadyStartedError);
    expect((conflict as ActivityExecutionAlreadyStartedError).runId).toBe(running.runId);
    // Completed asynchronously, by the activity's own id.
    await expect.poll(() => activities.asyncTokens.has(key)).toBe(true);
    await env.client.activity.complete({ activityId: id, runId: running.runId }, 'done later');
    expect(await running.result()).toBe('done later');

    const again = await env.client.activity.start('greet', { ...options, id, args: ['again'] });
    await again.result();
    const rejected = await env.client.activity.start('greet', { ...options, id, args: ['x'], idReusePolicy: 'REJECT_DUPLICATE' }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(ActivityExecutionAlreadyStartedError);

    expect((await env.client.activity.count(`ActivityId='${id}'`)).count).toBe(2);
    const listed = [];
    for await (const info of env.client.activity.list(`ActivityId='${id}'`)) listed.push(info.activityRunId);
    expect(listed.sort()).toEqual([running.runId, again.runId].sort());
  });
});
