// Issue 23: activity timeouts as Temporal reports them, and time skipping while an activity runs.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ActivityNotFoundError, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, supportsTimeSkipping, uniqueTaskQueue } from '../testing.js';
import * as activities from './activities.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('activity-time');
const wid = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  env = await createTestEnv();
  const envSleep = async (ms: number) => {
    await env.sleep(ms);
    return 'slept';
  };
  worker = await createTestWorker(env, { taskQueue, workflowsPath, activities: { ...activities, envSleep } });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

test.runIf(supportsTimeSkipping())('an activity with only scheduleToCloseTimeout that no worker picks up times out as SCHEDULE_TO_START', async () => {
  const h = await env.client.workflow.start(wf.unpickedActivity, { taskQueue, workflowId: wid('unpicked'), args: [uniqueTaskQueue('nobody-polls')] });
  const err = await h.result().then(() => undefined, (e: unknown) => e as WorkflowFailedError);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(err!.cause).toBeInstanceOf(ActivityFailure);
  const timeout = err!.cause!.cause as TimeoutFailure;
  expect(timeout).toBeInstanceOf(TimeoutFailure);
  expect(timeout.timeoutType).toBe(TimeoutType.SCHEDULE_TO_START);
});

test.runIf(supportsTimeSkipping())('env.sleep() inside a running activity skips time instead of holding the clock', async () => {
  const started = Date.now();
  const virtualStart = await env.currentTimeMs();
  const h = await env.client.workflow.start(wf.activityThatSleeps, { taskQueue, workflowId: wid('activity-sleeps'), args: [6 * 3_600_000] });
  expect(await h.result()).toBe('slept');
  expect(Date.now() - started).toBeLessThan(10_000); // six virtual hours, not six hours of wall time
  expect((await env.currentTimeMs()) - virtualStart).toBeGreaterThanOrEqual(6 * 3_600_000);
});

/** A task token laid out as Temporal's own (protobuf: namespace id, workflow id, run id, scheduled event id, attempt, activity id). */
function temporalStyleToken(namespaceId: string): Uint8Array {
  const text = (field: number, s: string) => [(field << 3) | 2, Buffer.byteLength(s), ...Buffer.from(s)];
  const int = (field: number, n: number) => [field << 3, n];
  return new Uint8Array([...text(1, namespaceId), ...text(2, randomUUID()), ...text(3, randomUUID()), ...int(4, 5), ...int(5, 1), ...text(6, '1')]);
}

test('a task token in Temporal’s own format, for a task this server never had, is NOT_FOUND (ActivityNotFoundError)', async () => {
  const { namespaceInfo } = await env.connection.workflowService.describeNamespace({ namespace: 'default' });
  const token = temporalStyleToken(namespaceInfo?.id ?? '');
  await expect(env.client.activity.complete(token, 'done')).rejects.toBeInstanceOf(ActivityNotFoundError);
  await expect(env.client.activity.fail(token, new Error('no'))).rejects.toBeInstanceOf(ActivityNotFoundError);
  await expect(env.client.activity.heartbeat(token)).rejects.toBeInstanceOf(ActivityNotFoundError);
});

test('PauseActivity and ResetActivity reach a running activity through its heartbeat, with the reason', async () => {
  expect(await env.client.workflow.execute(wf.runsPausingActivity, { taskQueue, workflowId: wid('pause'), args: ['pause', false] })).toBe('cancelled: paused true, reset false');
  expect(await env.client.workflow.execute(wf.runsPausingActivity, { taskQueue, workflowId: wid('reset'), args: ['reset', false] })).toBe('cancelled: paused false, reset true');
  // A reset (without keepPaused) unpauses only when it takes effect: the running attempt hears of both.
  expect(await env.client.workflow.execute(wf.runsPausingActivity, { taskQueue, workflowId: wid('both'), args: ['pause-and-reset', false] })).toBe('cancelled: paused true, reset true');
});

test('a paused activity that fails is retried once unpaused; a reset one at once', async () => {
  expect(await env.client.workflow.execute(wf.runsPausingActivity, { taskQueue, workflowId: wid('unpause'), args: ['pause', true] })).toBe('attempt 2');
  expect(await env.client.workflow.execute(wf.runsPausingActivity, { taskQueue, workflowId: wid('reset-retry'), args: ['reset', true] })).toBe('attempt 2');
});
