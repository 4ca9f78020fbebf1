// Issue 23: what the server does not support fails fast and says what it is, instead of hanging.
// A workflow task completing with an unsupported command (today: a child workflow on a cron schedule) used to be rejected
// and retried every task timeout forever; now the task fails with the cause Temporal gives a bad
// command of that kind and the workflow is terminated naming the command.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { WorkflowFailedError } from '@temporalio/client';
import { TerminatedFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, isBaosongServer, uniqueTaskQueue } from '../testing.js';
import * as activities from './activities.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
const { EventType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

// The exact messages and the terminate are this server's answer to what it lacks.
const ourTest = test.runIf(isBaosongServer());

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('unsupported');

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

async function failureOf(p: Promise<unknown>): Promise<WorkflowFailedError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return err as WorkflowFailedError;
}

describe('unsupported commands', () => {
  ourTest('a child workflow on a cron schedule ends the workflow at once, saying so', async () => {
    const h = await env.client.workflow.start(wf.startsCronChild, { taskQueue, workflowId: `cron-child-${randomUUID()}` });
    const started = Date.now();
    const err = await failureOf(h.result());
    // Well under one workflow task timeout (10 s), which is when the old server retried.
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(err.cause).toBeInstanceOf(TerminatedFailure);
    expect(err.cause?.message).toMatch(/START_CHILD_WORKFLOW_EXECUTION \(a child workflow with a cron schedule\) is not supported/);
    const events = (await h.fetchHistory()).events ?? [];
    const failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    expect(failed?.workflowTaskFailedEventAttributes?.cause).toBe(WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES);
    expect(events.at(-1)?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
  });
});

describe('unsupported RPCs', () => {
  ourTest('answer UNIMPLEMENTED with the method named', async () => {
    const h = await env.client.workflow.start(wf.countsSignals, { taskQueue, workflowId: `rpc-${randomUUID()}` });
    const err = await env.connection.workflowService
      .deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: h.workflowId } })
      .then(() => undefined, (e: unknown) => e as { code: number; details: string });
    expect(err?.code).toBe(grpcStatus.UNIMPLEMENTED);
    expect(err?.details).toMatch(/DeleteWorkflowExecution is not implemented by the baosong test server/);
    await h.terminate();
  });
});
