// Issue 23: payload limits and schedule search attributes, as the SDK suite's test-payload-size-limits and
// test-schedules / test-typed-search-attributes exercise them.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, ServerFailure, TypedSearchAttributes } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment as Env } from '@temporalio/testing';
import { TEST_SERVER_PATH, createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
const MIB = 1024 * 1024;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('limits');

beforeAll(async () => {
  env = await createTestEnv();
  // A worker that does not check sizes itself, so the server's limit is what is tested.
  worker = await createTestWorker(env, { taskQueue, workflowsPath, disablePayloadErrorLimit: true });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('blob size limit', () => {
  test('DescribeNamespace tells workers the error limit (2 MiB, Temporal’s default)', async () => {
    const d = await env.client.workflowService.describeNamespace({ namespace: 'default' });
    expect(Number(d.namespaceInfo?.limits?.blobSizeLimitError)).toBe(2 * MIB);
  });

  test('a result above it fails the workflow with a non-retryable server failure; one below completes', async () => {
    expect(await env.client.workflow.execute(wf.returnsText, { taskQueue, workflowId: `small-${randomUUID()}`, args: [MIB] })).toHaveLength(MIB);
    const err = await env.client.workflow.execute(wf.returnsText, { taskQueue, workflowId: `large-${randomUUID()}`, args: [2 * MIB + 1024] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ServerFailure);
    expect(cause?.message).toBe('CompleteWorkflowExecutionCommandAttributes.Result exceeds size limit.');
    expect((cause as ServerFailure).nonRetryable).toBe(true);
  });
});

describe('schedules', () => {
  test('search attributes of a schedule’s action come back typed, whether set typed or untyped', async () => {
    const handle = await env.client.schedule.create({
      scheduleId: `typed-${randomUUID()}`,
      spec: { intervals: [{ every: '1 day' }] },
      action: { type: 'startWorkflow', workflowType: 'returnsText', taskQueue, args: [1], searchAttributes: { CustomKeywordField: ['untyped'] }, typedSearchAttributes: [{ key: defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT), value: 42 }] },
    });
    try {
      const d = await handle.describe();
      if (d.action.type !== 'startWorkflow') throw new Error('not a startWorkflow action');
      const typed = d.action.typedSearchAttributes as TypedSearchAttributes;
      expect(typed.get(defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD))).toBe('untyped');
      expect(typed.get(defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT))).toBe(42);
    } finally {
      await handle.delete();
    }
  });
});

describe('workflow updates switched off (frontend.enableUpdateWorkflowExecution=false)', () => {
  test('the namespace says so and an update is PERMISSION_DENIED, as on a Temporal server with them off', async () => {
    const off = await Env.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: TEST_SERVER_PATH }, extraArgs: ['--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=false'] },
    });
    try {
      const d = await off.client.workflowService.describeNamespace({ namespace: 'default' });
      expect(d.namespaceInfo?.capabilities?.syncUpdate).toBe(false);
      const queue = uniqueTaskQueue('updates-off');
      const w = await createTestWorker(off, { taskQueue: queue, workflowsPath });
      await w.runUntil(async () => {
        const h = await off.client.workflow.start(wf.updatable, { taskQueue: queue, workflowId: `updates-off-${randomUUID()}` });
        const err = (await h.executeUpdate(wf.setValue, { args: ['x'] }).catch((e: unknown) => e)) as { cause?: { code?: number; details?: string } };
        expect(err.cause?.code).toBe(7); // PERMISSION_DENIED
        expect(err.cause?.details).toBe('Workflow Update is disabled on this namespace.');
        await h.terminate();
      });
    } finally {
      await off.teardown();
    }
  }, 30_000);
});
