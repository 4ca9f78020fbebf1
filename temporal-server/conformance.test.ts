// Conformance suite: the real Temporal Client and Worker against testing.ts's
// environment (by default our test server). Every history produced is replayed at the end.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import {
  ActivityNotFoundError,
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  TimeoutType,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Workflow,
} from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, isBaosongServer, supportsTimeSkipping, uniqueTaskQueue } from './testing.js';
import * as activities from './conformance/activities.js';
import * as wf from './conformance/workflows.js';

const workflowsPath = fileURLToPath(new URL('./conformance/workflows.ts', import.meta.url));

let env: TestWorkflowEnvironment;
let worker: Worker;
let workerRun: Promise<void>;
const taskQueue = uniqueTaskQueue('conformance');
const produced: Array<{ workflowId: string; runId?: string }> = [];

// Against an existing server (TEMPORAL_ADDRESS) there is no time skipping; checks of our exact
// error messages only apply to our own server.
const timeSkipping = supportsTimeSkipping();
const ourServer = isBaosongServer();

const wid = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

function track<H extends WorkflowHandle>(h: H): H {
  produced.push({ workflowId: h.workflowId });
  return h;
}

async function start<F extends Workflow>(fn: F, args: Parameters<F>, workflowId = wid(fn.name)): Promise<WorkflowHandle<F>> {
  const options = { taskQueue, workflowId, args } as unknown as WorkflowStartOptions<F>;
  return track(await env.client.workflow.start(fn, options));
}

async function expectFailure(p: Promise<unknown>): Promise<WorkflowFailedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return err as WorkflowFailedError;
}

async function grpcCode(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: number }).code;
  }
}

beforeAll(async () => {
  env = await createTestEnv();
  worker = await createTestWorker(env, { taskQueue, workflowsPath, activities, shutdownGraceTime: '1s' });
  workerRun = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await env?.teardown();
});

describe('workflows', () => {
  test('start and result', async () => {
    const h = await start(wf.hello, ['Temporal']);
    expect(await h.result()).toBe('Hello, Temporal!');
    const desc = await h.describe();
    expect(desc.status.name).toBe('COMPLETED');
  });

  test('signal before the first workflow task', async () => {
    const queue = uniqueTaskQueue('late-worker');
    const h = track(await env.client.workflow.start(wf.collector, { taskQueue: queue, workflowId: wid('early-signal') }));
    await h.signal(wf.addItem, 'first');
    await h.signal(wf.addItem, 'done');
    const late = await createTestWorker(env, { taskQueue: queue, workflowsPath, activities });
    const result = await late.runUntil(h.result());
    expect(result).toEqual(['first']);
  });

  test('signal after the first workflow task', async () => {
    const h = await start(wf.collector, []);
    expect(await h.query(wf.itemsQuery)).toEqual([]); // first task has run
    await h.signal(wf.addItem, 'a');
    await h.signal(wf.addItem, 'b');
    expect(await h.query(wf.itemsQuery)).toEqual(['a', 'b']);
    await h.signal(wf.addItem, 'done');
    expect(await h.result()).toEqual(['a', 'b']);
  });

  test('signalWithStart starts a workflow, then signals the running one', async () => {
    const workflowId = wid('sws');
    const h1 = track(await env.client.workflow.signalWithStart(wf.collector, { taskQueue, workflowId, signal: wf.addItem, signalArgs: ['one'] }));
    const h2 = await env.client.workflow.signalWithStart(wf.collector, { taskQueue, workflowId, signal: wf.addItem, signalArgs: ['two'] });
    expect(h2.signaledRunId).toBe(h1.signaledRunId);
    await h1.signal(wf.addItem, 'done');
    expect(await h1.result()).toEqual(['one', 'two']);
  });

  test('query a running workflow', async () => {
    const h = await start(wf.waitForSignal, [60_000]);
    expect(await h.query(wf.stateQuery)).toBe('waiting');
    await h.signal(wf.unblock, 'x');
    expect(await h.query(wf.stateQuery)).toBe('got x');
    expect(await h.result()).toBe('signalled: x');
  });

  test('query a closed workflow', async () => {
    const h = await start(wf.collector, []);
    await h.signal(wf.addItem, 'kept');
    await h.signal(wf.addItem, 'done');
    await h.result();
    expect(await h.query(wf.itemsQuery)).toEqual(['kept']);
  });

  test('unknown query type gives QueryNotRegisteredError', async () => {
    const h = await start(wf.collector, []);
    await expect(h.query('no-such-query')).rejects.toBeInstanceOf(QueryNotRegisteredError);
    await h.signal(wf.addItem, 'done');
    await h.result();
  });

  test('sleep', async () => {
    const h = await start(wf.sleeper, [5_000]);
    expect(await h.result()).toBeGreaterThanOrEqual(5_000);
  });

  test('condition with timeout: satisfied before the timeout', async () => {
    const h = await start(wf.waitForSignal, [3_600_000]);
    await h.signal(wf.unblock, 'in time');
    expect(await h.result()).toBe('signalled: in time');
  });

  test.runIf(timeSkipping)('condition with timeout: times out', async () => {
    const h = await start(wf.waitForSignal, [3_600_000]);
    expect(await h.result()).toBe('timed out');
  });

  test('cancelling a timer', async () => {
    const h = await start(wf.cancellableTimer, []);
    await h.signal(wf.unblock, 'now');
    expect(await h.result()).toBe('timer cancelled');
    const { events } = await h.fetchHistory();
    expect(events?.some((e) => e.timerCanceledEventAttributes)).toBe(true);
    expect(events?.some((e) => e.timerFiredEventAttributes)).toBe(false);
  });

  test('continue-as-new: result() follows the new runs', async () => {
    const h = await start(wf.countdown, [3, 0]);
    expect(await h.result()).toBe('sum 6 after continue-as-new');
    const runs = [];
    for await (const info of env.client.workflow.list({ query: `WorkflowId = '${h.workflowId}'` })) runs.push(info);
    expect(runs).toHaveLength(4);
    expect(runs.filter((r) => r.status.name === 'CONTINUED_AS_NEW')).toHaveLength(3);
    for (const r of runs) produced.push({ workflowId: r.workflowId, runId: r.runId });
  });

  test('terminate', async () => {
    const h = await start(wf.waitForever, []);
    await h.terminate('enough');
    const err = await expectFailure(h.result());
    expect(err.cause).toBeInstanceOf(TerminatedFailure);
    expect(err.cause?.message).toBe('enough');
    expect((await h.describe()).status.name).toBe('TERMINATED');
  });

  test.runIf(timeSkipping)('workflow run timeout', async () => {
    const h = track(
      await env.client.workflow.start(wf.sleeper, { taskQueue, workflowId: wid('run-timeout'), args: [24 * 3_600_000], workflowRunTimeout: '1 hour' }),
    );
    const err = await expectFailure(h.result());
    expect(err.cause).toBeInstanceOf(TimeoutFailure);
    expect((await h.describe()).status.name).toBe('TIMED_OUT');
  });

  test.runIf(timeSkipping)('workflow execution timeout spans continue-as-new runs', async () => {
    const h = track(
      await env.client.workflow.start(wf.sleepThenContinue, { taskQueue, workflowId: wid('exec-timeout'), args: [5], workflowExecutionTimeout: '150 minutes' }),
    );
    const err = await expectFailure(h.result());
    expect(err.cause).toBeInstanceOf(TimeoutFailure);
    let runs = 0;
    for await (const info of env.client.workflow.list({ query: `WorkflowId = '${h.workflowId}'` })) {
      runs++;
      produced.push({ workflowId: info.workflowId, runId: info.runId });
    }
    expect(runs).toBe(3); // two runs of an hour each continued as new; the third timed out
  });

  test('cancel', async () => {
    const h = await start(wf.cancellable, []);
    await h.query('__stack_trace'); // running
    await h.cancel();
    const err = await expectFailure(h.result());
    expect(err.cause).toBeInstanceOf(CancelledFailure);
    expect((await h.describe()).status.name).toBe('CANCELLED');
    const { events } = await h.fetchHistory();
    expect(events?.some((e) => e.activityTaskCompletedEventAttributes)).toBe(true); // cleanup ran
  });

  test('describe', async () => {
    const h = await start(wf.waitForSignal, [60_000]);
    await h.query(wf.stateQuery);
    const d = await h.describe();
    expect(d.workflowId).toBe(h.workflowId);
    expect(d.type).toBe('waitForSignal');
    expect(d.taskQueue).toBe(taskQueue);
    expect(d.status.name).toBe('RUNNING');
    expect(d.historyLength).toBeGreaterThanOrEqual(4);
    expect(d.startTime).toBeInstanceOf(Date);
    expect(d.closeTime).toBeUndefined();
    await h.signal(wf.unblock, 'bye');
    await h.result();
    const closed = await h.describe();
    expect(closed.status.name).toBe('COMPLETED');
    expect(closed.closeTime).toBeInstanceOf(Date);
  });

  test('search attribute and memo upserts show in describe', async () => {
    const h = await start(wf.properties, []);
    expect(await h.query(wf.stateQuery)).toBe('waiting');
    const d = await h.describe();
    expect(d.typedSearchAttributes.get(wf.keywordKey)).toBe('baosong');
    expect(d.memo).toEqual({ note: 'remember me' });
    await h.signal(wf.unblock, 'done');
    expect(await h.result()).toBe('ok');
  });

  test('patched()', async () => {
    const h = await start(wf.patchedWorkflow, []);
    expect(await h.result()).toBe('new');
    const { events } = await h.fetchHistory();
    expect(events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
  });
});

describe('duplicate starts', () => {
  async function startPair(
    first: 'running' | 'completed' | 'failed',
    options: { workflowIdReusePolicy?: WorkflowIdReusePolicy; workflowIdConflictPolicy?: WorkflowIdConflictPolicy },
  ) {
    const workflowId = wid('dup');
    const h1 = track(await env.client.workflow.start(wf.waitForSignal, { taskQueue, workflowId, args: [3_600_000] }));
    if (first === 'completed') {
      await h1.signal(wf.unblock, 'done');
      await h1.result();
    } else if (first === 'failed') {
      await h1.terminate('make it fail');
    }
    const second = env.client.workflow.start(wf.waitForSignal, { taskQueue, workflowId, args: [3_600_000], ...options });
    return { h1, second };
  }

  test('default policy rejects a second start while running (ALREADY_EXISTS)', async () => {
    const { h1, second } = await startPair('running', {});
    await expect(second).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await h1.terminate();
  });

  test('ALLOW_DUPLICATE starts a new run after completion', async () => {
    const { h1, second } = await startPair('completed', { workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE });
    const h2 = await second;
    expect(h2.firstExecutionRunId).not.toBe(h1.firstExecutionRunId);
    await h2.terminate();
  });

  test('REJECT_DUPLICATE refuses a new run after completion', async () => {
    const { second } = await startPair('completed', { workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE });
    await expect(second).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  test('ALLOW_DUPLICATE_FAILED_ONLY refuses after success', async () => {
    const { second } = await startPair('completed', { workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY });
    await expect(second).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  test('ALLOW_DUPLICATE_FAILED_ONLY allows after termination', async () => {
    const { second } = await startPair('failed', { workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY });
    const h2 = await second;
    expect((await h2.describe()).status.name).toBe('RUNNING');
    await h2.terminate();
  });

  test('TERMINATE_IF_RUNNING replaces the running run', async () => {
    const { h1, second } = await startPair('running', { workflowIdReusePolicy: WorkflowIdReusePolicy.TERMINATE_IF_RUNNING });
    const h2 = await second;
    expect(h2.firstExecutionRunId).not.toBe(h1.firstExecutionRunId);
    const first = await env.client.workflow.getHandle(h1.workflowId, h1.firstExecutionRunId).describe();
    expect(first.status.name).toBe('TERMINATED');
    await h2.terminate();
  });

  test('conflict policy FAIL rejects while running', async () => {
    const { h1, second } = await startPair('running', { workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL });
    await expect(second).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await h1.terminate();
  });

  test('conflict policy USE_EXISTING returns the running run', async () => {
    const { h1, second } = await startPair('running', { workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING });
    const h2 = await second;
    expect(h2.firstExecutionRunId).toBe(h1.firstExecutionRunId);
    await h1.terminate();
  });

  test('conflict policy TERMINATE_EXISTING replaces the running run', async () => {
    const { h1, second } = await startPair('running', { workflowIdConflictPolicy: WorkflowIdConflictPolicy.TERMINATE_EXISTING });
    const h2 = await second;
    expect(h2.firstExecutionRunId).not.toBe(h1.firstExecutionRunId);
    const first = await env.client.workflow.getHandle(h1.workflowId, h1.firstExecutionRunId).describe();
    expect(first.status.name).toBe('TERMINATED');
    await h2.terminate();
  });
});

describe('activities', () => {
  test('an activity that succeeds', async () => {
    const h = await start(wf.hello, ['activity']);
    expect(await h.result()).toBe('Hello, activity!');
    const { events } = await h.fetchHistory();
    expect(events?.some((e) => e.activityTaskCompletedEventAttributes)).toBe(true);
  });

  test('a local activity (recorded as a marker)', async () => {
    const h = await start(wf.helloLocal, ['local']);
    expect(await h.result()).toBe('Hello, local!');
    const { events } = await h.fetchHistory();
    expect(events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toBe(true);
  });

  test('an activity that fails and is retried with backoff', async () => {
    const key = wid('flaky');
    const before = await env.currentTimeMs();
    const h = await start(wf.flakyActivity, [key, 3]);
    expect(await h.result()).toBe(3);
    expect(activities.attempts.get(key)).toEqual([1, 2, 3]);
    // backoff of 1 s then 2 s of (skipped) server time
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(3_000);
  });

  test('an activity that fails non-retryably', async () => {
    const key = wid('fatal');
    const h = await start(wf.nonRetryableActivity, [key]);
    const err = await expectFailure(h.result());
    expect(err.cause).toBeInstanceOf(ActivityFailure);
    expect(err.cause?.cause).toBeInstanceOf(ApplicationFailure);
    expect((err.cause?.cause as ApplicationFailure).type).toBe('FatalError');
    expect(activities.attempts.get(key)).toEqual([1]);
  });

  test('an activity that exceeds its start-to-close timeout', async () => {
    const key = wid('slow');
    const h = await start(wf.timingOutActivity, [key]);
    const err = await expectFailure(h.result());
    expect(err.cause).toBeInstanceOf(ActivityFailure);
    const timeout = err.cause?.cause as TimeoutFailure;
    expect(timeout).toBeInstanceOf(TimeoutFailure);
    expect(timeout.timeoutType).toBe(TimeoutType.START_TO_CLOSE);
    expect(activities.attempts.get(key)).toEqual([1, 2]);
  });

  test('an activity that misses a heartbeat times out with its last heartbeat details', async () => {
    const key = wid('hb-final');
    const h = await start(wf.heartbeatTimeoutFinal, [key]);
    const err = await expectFailure(h.result());
    expect(err.cause).toBeInstanceOf(ActivityFailure);
    const timeout = err.cause?.cause as TimeoutFailure;
    expect(timeout).toBeInstanceOf(TimeoutFailure);
    expect(timeout.timeoutType).toBe(TimeoutType.HEARTBEAT);
    expect(timeout.lastHeartbeatDetails).toEqual({ attempt: 1 });
    expect(activities.attempts.get(key)).toEqual([1]);
  });

  test('an activity that exceeds its schedule-to-close timeout stops retrying', async () => {
    const key = wid('s2c');
    const h = await start(wf.scheduleToCloseActivity, [key]);
    const err = await expectFailure(h.result());
    const timeout = err.cause?.cause as TimeoutFailure;
    expect(timeout).toBeInstanceOf(TimeoutFailure);
    expect([TimeoutType.SCHEDULE_TO_CLOSE, TimeoutType.START_TO_CLOSE]).toContain(timeout.timeoutType);
    expect(err.cause && (err.cause as ActivityFailure).retryState).toBe('TIMEOUT');
    expect(activities.attempts.get(key)?.length).toBeGreaterThanOrEqual(2);
  });

  test('an activity that misses a heartbeat is retried with its heartbeat details', async () => {
    const key = wid('hb');
    const h = await start(wf.heartbeatActivity, [key]);
    expect(await h.result()).toEqual({ attempt: 1 });
    expect(activities.attempts.get(key)).toEqual([1, 2]);
  });

  async function waitForToken(key: string): Promise<Uint8Array> {
    for (let i = 0; i < 200; i++) {
      const token = activities.asyncTokens.get(key);
      if (token) return token;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`activity ${key} never started`);
  }

  test('an activity completed asynchronously by task token', async () => {
    const key = wid('async-token');
    const h = await start(wf.asyncActivity, [key]);
    const token = await waitForToken(key);
    await env.client.activity.heartbeat(token, 'still working');
    await env.client.activity.complete(token, 'done by token');
    expect(await h.result()).toBe('done by token');
  });

  test('an activity completed asynchronously by workflow and activity id', async () => {
    const key = wid('async-id');
    const h = await start(wf.asyncActivity, [key]);
    await waitForToken(key);
    const id = { workflowId: h.workflowId, activityId: '1' };
    await env.client.activity.heartbeat(id, 'still working');
    await env.client.activity.complete(id, 'done by id');
    expect(await h.result()).toBe('done by id');
    await expect(env.client.activity.complete(id, 'twice')).rejects.toBeInstanceOf(ActivityNotFoundError);
  });

  test('an activity that is cancelled', async () => {
    const key = wid('cancel');
    const h = await start(wf.cancelledActivity, [key]);
    // While it runs, describe lists it as a pending activity.
    let pending;
    for (let i = 0; i < 100 && !pending; i++) {
      pending = (await h.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'waitForCancel');
      if (!pending) await new Promise((r) => setTimeout(r, 20));
    }
    expect(pending?.activityId).toBe('1');
    expect(pending?.attempt).toBe(1);
    expect(await h.result()).toBe('activity cancelled');
    expect(activities.attempts.get(`${key}:cancelled`)).toEqual([1]);
    const { events } = await h.fetchHistory();
    expect(events?.some((e) => e.activityTaskCanceledEventAttributes)).toBe(true);
  });
});

describe('time skipping', () => {
  test.runIf(timeSkipping)('a workflow sleeping 30 days finishes in well under a second', async () => {
    const t0 = Date.now();
    const h = await start(wf.sleeper, [30 * 24 * 3_600_000]);
    expect(await h.result()).toBeGreaterThanOrEqual(30 * 24 * 3_600_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  test.runIf(timeSkipping)('env.sleep() and env.currentTimeMs()', async () => {
    const t0 = Date.now();
    const before = await env.currentTimeMs();
    await env.sleep('2 days');
    const after = await env.currentTimeMs();
    expect(after - before).toBeGreaterThanOrEqual(2 * 24 * 3_600_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  test.runIf(timeSkipping)('env.sleep() fires a workflow timer', async () => {
    const h = await start(wf.waitForSignal, [3_600_000]);
    expect(await h.query(wf.stateQuery)).toBe('waiting');
    await env.sleep('2 hours');
    const { events } = await h.fetchHistory();
    expect(events?.some((e) => e.timerFiredEventAttributes)).toBe(true);
    expect(await h.result()).toBe('timed out');
  });
});

describe('visibility', () => {
  test('list and count with WorkflowType, WorkflowId, ExecutionStatus and AND', async () => {
    const running = await start(wf.waitForever, []);
    const done = await start(wf.hello, ['list']);
    await done.result();
    await running.query('__stack_trace');
    const count = async (query: string) => (await env.client.workflow.count(query)).count;
    expect(await count(`WorkflowId = '${running.workflowId}'`)).toBe(1);
    expect(await count(`WorkflowId = '${running.workflowId}' AND ExecutionStatus = 'Running'`)).toBe(1);
    expect(await count(`WorkflowId = '${running.workflowId}' AND ExecutionStatus = 'Completed'`)).toBe(0);
    expect(await count(`WorkflowId = '${done.workflowId}' AND ExecutionStatus = 'Completed' AND WorkflowType = 'hello'`)).toBe(1);
    const listed = [];
    for await (const info of env.client.workflow.list({ query: `WorkflowType = 'waitForever' AND ExecutionStatus = 'Running'` }))
      listed.push(info.workflowId);
    expect(listed).toContain(running.workflowId);
    expect(listed).not.toContain(done.workflowId);
    expect(listed).toHaveLength(await count(`WorkflowType = 'waitForever' AND ExecutionStatus = 'Running'`));
    await running.terminate();
  });

  test.runIf(ourServer)('list queries it does not understand are INVALID_ARGUMENT with a clear message', async () => {
    const err = await env.connection.workflowService
      .countWorkflowExecutions({ namespace: 'default', query: "WorkflowId LIKE 'x%'" })
      .then(() => undefined, (e: unknown) => e as { code: number; details: string });
    expect(err?.code).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/expected an operator after WorkflowId, got 'LIKE'/);
  });
});

describe('workers', () => {
  test('a worker shut down mid-workflow; a new worker continues from history', async () => {
    const queue = uniqueTaskQueue('restart');
    const first = await createTestWorker(env, { taskQueue: queue, workflowsPath, activities });
    const h = track(await env.client.workflow.start(wf.twoPhase, { taskQueue: queue, workflowId: wid('restart') }));
    await first.runUntil(async () => {
      // wait until the first activity completed and the workflow waits for the signal
      for (;;) {
        const { events } = await h.fetchHistory();
        if (events?.some((e) => e.activityTaskCompletedEventAttributes) && (await h.describe()).raw.pendingWorkflowTask == null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    await h.signal(wf.unblock, 'go');
    const second = await createTestWorker(env, { taskQueue: queue, workflowsPath, activities });
    expect(await second.runUntil(h.result())).toEqual(['Hello, first!', 'Hello, second!']);
  });

  test('maxCachedWorkflows: 0 runs timers, activities, signals and queries', async () => {
    const queue = uniqueTaskQueue('nocache');
    const w = await createTestWorker(env, { taskQueue: queue, workflowsPath, activities, maxCachedWorkflows: 0 });
    await w.runUntil(async () => {
      const a = track(await env.client.workflow.start(wf.simple, { taskQueue: queue, workflowId: wid('nocache-simple'), args: ['nc', 1_000] }));
      expect(await a.result()).toBe('Hello, nc!');
      const b = track(await env.client.workflow.start(wf.collector, { taskQueue: queue, workflowId: wid('nocache-signal') }));
      await b.signal(wf.addItem, 'x');
      expect(await b.query(wf.itemsQuery)).toEqual(['x']);
      await b.signal(wf.addItem, 'done');
      expect(await b.result()).toEqual(['x']);
      const c = track(await env.client.workflow.start(wf.patchedWorkflow, { taskQueue: queue, workflowId: wid('nocache-patch') }));
      expect(await c.result()).toBe('new');
    });
  });
});

describe('bad requests', () => {
  test('unknown workflow or run: WorkflowNotFoundError', async () => {
    await expect(env.client.workflow.getHandle('no-such-workflow').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const h = await start(wf.hello, ['x']);
    await h.result();
    const bogus = env.client.workflow.getHandle(h.workflowId, randomUUID());
    await expect(bogus.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(env.client.workflow.getHandle('no-such-workflow').signal(wf.unblock, 'x')).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  test('malformed task tokens: INVALID_ARGUMENT', async () => {
    const svc = env.connection.workflowService;
    const garbage = Buffer.from('not a token');
    expect(await grpcCode(svc.respondActivityTaskCompleted({ namespace: 'default', taskToken: garbage }))).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(await grpcCode(svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: garbage }))).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(await grpcCode(svc.recordActivityTaskHeartbeat({ namespace: 'default', taskToken: new Uint8Array() }))).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(await grpcCode(svc.respondQueryTaskCompleted({ namespace: 'default', taskToken: garbage }))).toBe(grpcStatus.INVALID_ARGUMENT);
  });

  test('completing a task of a closed workflow: NOT_FOUND', async () => {
    const svc = env.connection.workflowService;
    const queue = uniqueTaskQueue('raw');
    const h = track(await env.client.workflow.start(wf.waitForever, { taskQueue: queue, workflowId: wid('raw') }));
    const task = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: queue }, identity: 'raw-test' });
    expect(task.taskToken?.length).toBeGreaterThan(0);
    await h.terminate('closed under the worker');
    const code = await grpcCode(
      svc.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: task.taskToken,
        commands: [{ commandType: 4, completeWorkflowExecutionCommandAttributes: {} }],
      }),
    );
    expect(code).toBe(grpcStatus.NOT_FOUND);
    expect((await h.describe()).status.name).toBe('TERMINATED');
  });

  test.runIf(ourServer)('unsupported methods answer UNIMPLEMENTED', async () => {
    const err = await env.connection.workflowService
      .describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue } })
      .then(() => undefined, (e: unknown) => e as { code: number; details: string });
    expect(err?.code).toBe(grpcStatus.UNIMPLEMENTED);
    expect(err?.details).toMatch(/DescribeTaskQueue/);
  });
});

describe('replay', () => {
  test('every history produced by this suite replays without nondeterminism', async () => {
    const histories = [];
    for (const { workflowId, runId } of produced) {
      const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      histories.push({ workflowId: runId ? `${workflowId}/${runId}` : workflowId, history });
    }
    expect(histories.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'conformance' }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
