// Issue 23 (the SDK suite's Nexus files): a workflow calls Nexus operations on an endpoint whose worker serves
// them — a synchronous result, an asynchronous one that completes through the callback of the workflow it
// started, a handler error that is not retried — and an unknown endpoint fails the operation, saying so.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as nexus from 'nexus-rpc';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { NexusOperationFailure } from '@temporalio/common';
import * as temporalnexus from '@temporalio/nexus';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import { callsOperation, conformanceService, shouts } from './workflows-nexus.js';

const workflowsPath = fileURLToPath(new URL('./workflows-nexus.ts', import.meta.url));
const { EventType } = temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let endpoint: string;
const taskQueue = uniqueTaskQueue('nexus');

beforeAll(async () => {
  env = await createTestEnv();
  endpoint = `conformance-${randomUUID().slice(0, 8)}`;
  await env.createNexusEndpoint(endpoint, taskQueue);
  worker = await createTestWorker(env, {
    taskQueue,
    workflowsPath,
    nexusServices: [
      nexus.serviceHandler(conformanceService, {
        echo: (_ctx, input) => Promise.resolve(input),
        refuse: () => Promise.reject(new nexus.HandlerError('BAD_REQUEST', 'not this one')),
        viaWorkflow: new temporalnexus.WorkflowRunOperationHandler<string, string>((ctx, input) =>
          temporalnexus.startWorkflow(ctx, shouts, { workflowId: `shouts-${randomUUID()}`, args: [input] }),
        ),
      }),
    ],
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

const call = (operation: 'echo' | 'refuse' | 'viaWorkflow', input: string, on = endpoint) =>
  env.client.workflow.start(callsOperation, { taskQueue, workflowId: `caller-${randomUUID()}`, args: [on, operation, input] });

test('a synchronous operation answers at once; an asynchronous one through the workflow it started', async () => {
  expect(await (await call('echo', '报送')).result()).toBe('报送');
  const h = await call('viaWorkflow', '上报');
  expect(await h.result()).toBe('上报!');
  const types = (await h.fetchHistory()).events!.map((e) => e.eventType);
  expect(types).toEqual(expect.arrayContaining([EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED, EventType.EVENT_TYPE_NEXUS_OPERATION_STARTED, EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED]));
  expect(types.indexOf(EventType.EVENT_TYPE_NEXUS_OPERATION_STARTED)).toBeLessThan(types.indexOf(EventType.EVENT_TYPE_NEXUS_OPERATION_COMPLETED));
});

test('a handler error that is not retryable fails the operation; so does an endpoint nobody registered', async () => {
  const refused = (await (await call('refuse', 'x')).result().catch((e: unknown) => e)) as WorkflowFailedError;
  expect(refused).toBeInstanceOf(WorkflowFailedError);
  expect(refused.cause).toBeInstanceOf(NexusOperationFailure);
  expect(refused.cause?.cause).toBeInstanceOf(nexus.HandlerError);
  expect((refused.cause?.cause as nexus.HandlerError).type).toBe('BAD_REQUEST');

  const nowhere = (await (await call('echo', 'x', 'nowhere')).result().catch((e: unknown) => e)) as WorkflowFailedError;
  expect(nowhere.cause).toBeInstanceOf(NexusOperationFailure);
  expect((nowhere.cause?.cause as Error | undefined)?.message).toMatch(/endpoint not registered: nowhere/);
});
