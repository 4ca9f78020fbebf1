// Protocol-level behaviour driven through the real client's raw gRPC stubs: workflow task
// timeouts, failures and unhandled commands, where a real Worker would hide the details.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test as baseTest } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { WorkflowHandle } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestEnv, isBaosongServer, uniqueTaskQueue } from './testing.js';

const EventType = temporal.api.enums.v1.EventType;
const CommandType = temporal.api.enums.v1.CommandType;

// History shapes and messages checked here are our server's; other servers write transient task
// attempts differently.
const test = baseTest.runIf(isBaosongServer());

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  if (isBaosongServer()) env = await createTestEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function startRaw(options: { workflowTaskTimeout?: string } = {}): Promise<{ h: WorkflowHandle; queue: string }> {
  const queue = uniqueTaskQueue('raw');
  const h = await env.client.workflow.start('rawWorkflow', { taskQueue: queue, workflowId: `raw-${randomUUID()}`, ...options });
  return { h, queue };
}

function poll(queue: string) {
  return env.connection.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: queue }, identity: 'raw-test' });
}

function types(events: temporal.api.history.v1.IHistoryEvent[] | null | undefined): string[] {
  return (events ?? []).map((e) => EventType[e.eventType ?? 0]!.replace('EVENT_TYPE_', ''));
}

async function codeOf(p: Promise<unknown>): Promise<number | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e as { code?: number }).code,
  );
}

const complete = [{ commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }];

test('a workflow task that is not completed in time times out and is retried as attempt 2', async () => {
  const { h, queue } = await startRaw({ workflowTaskTimeout: '1s' });
  const first = await poll(queue);
  expect(first.attempt).toBe(1);
  expect(Number(first.startedEventId)).toBe(3);
  const second = await poll(queue); // arrives once the first attempt timed out
  expect(second.attempt).toBe(2);
  expect(types(second.history?.events)).toEqual([
    'WORKFLOW_EXECUTION_STARTED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
    'WORKFLOW_TASK_TIMED_OUT',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
  ]);
  // The timed-out attempt's token is stale now.
  expect(await codeOf(env.connection.workflowService.respondWorkflowTaskCompleted({ taskToken: first.taskToken, commands: complete }))).toBe(
    grpcStatus.NOT_FOUND,
  );
  await env.connection.workflowService.respondWorkflowTaskCompleted({ taskToken: second.taskToken, commands: complete });
  expect((await h.describe()).status.name).toBe('COMPLETED');
});

test('a failed workflow task is recorded and retried with the next attempt', async () => {
  const { h, queue } = await startRaw();
  const first = await poll(queue);
  await env.connection.workflowService.respondWorkflowTaskFailed({
    taskToken: first.taskToken,
    cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
    failure: { message: 'boom' },
    identity: 'raw-test',
  });
  const second = await poll(queue);
  expect(second.attempt).toBe(2);
  const failed = second.history?.events?.find((e) => e.workflowTaskFailedEventAttributes);
  expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toBe('boom');
  await h.terminate();
});

test('closing a workflow while a signal arrived during the task is rejected as UnhandledCommand', async () => {
  const { h, queue } = await startRaw();
  const first = await poll(queue);
  await h.signal('late-signal');
  const err = await env.connection.workflowService
    .respondWorkflowTaskCompleted({ taskToken: first.taskToken, commands: complete })
    .then(() => undefined, (e: unknown) => e as { code: number; details: string });
  expect(err?.code).toBe(grpcStatus.INVALID_ARGUMENT);
  expect(err?.details).toMatch(/UnhandledCommand/);
  const second = await poll(queue);
  expect(second.attempt).toBe(1);
  expect(types(second.history?.events).slice(3)).toEqual([
    'WORKFLOW_TASK_FAILED',
    'WORKFLOW_EXECUTION_SIGNALED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
  ]);
  expect(Number(second.previousStartedEventId)).toBe(0);
  await env.connection.workflowService.respondWorkflowTaskCompleted({ taskToken: second.taskToken, commands: complete });
  expect((await h.describe()).status.name).toBe('COMPLETED');
});

test('a signal during a task is delivered in the next task, after the completed task’s events', async () => {
  const { h, queue } = await startRaw();
  const first = await poll(queue);
  await h.signal('during-task');
  await env.connection.workflowService.respondWorkflowTaskCompleted({
    taskToken: first.taskToken,
    commands: [{ commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: '1', startToFireTimeout: msToTs('1 hour') } }],
  });
  const second = await poll(queue);
  expect(types(second.history?.events).slice(3)).toEqual([
    'WORKFLOW_TASK_COMPLETED',
    'TIMER_STARTED',
    'WORKFLOW_EXECUTION_SIGNALED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
  ]);
  expect(Number(second.previousStartedEventId)).toBe(3);
  await h.terminate();
});

test('an unsupported command fails the task with its Temporal cause and terminates the workflow (no endless retries)', async () => {
  const { h, queue } = await startRaw({ workflowTaskTimeout: '1s' });
  const first = await poll(queue);
  const err = await env.connection.workflowService
    .respondWorkflowTaskCompleted({
      taskToken: first.taskToken,
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
          startChildWorkflowExecutionCommandAttributes: { workflowId: 'cron-child', workflowType: { name: 'x' }, cronSchedule: '@hourly' },
        },
      ],
    })
    .then(() => undefined, (e: unknown) => e as { code: number; details: string });
  expect(err?.code).toBe(grpcStatus.INVALID_ARGUMENT);
  expect(err?.details).toMatch(/START_CHILD_WORKFLOW_EXECUTION \(a child workflow with a cron schedule\) is not supported/);
  const { events } = await h.fetchHistory();
  expect(types(events)).toEqual([
    'WORKFLOW_EXECUTION_STARTED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
    'WORKFLOW_TASK_FAILED',
    'WORKFLOW_EXECUTION_TERMINATED',
  ]);
  expect(events?.[3]?.workflowTaskFailedEventAttributes?.cause).toBe(
    temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
  );
  expect((await h.describe()).status.name).toBe('TERMINATED');
  // The same token again: the workflow is closed.
  expect(await codeOf(env.connection.workflowService.respondWorkflowTaskCompleted({ taskToken: first.taskToken, commands: complete }))).toBe(
    grpcStatus.NOT_FOUND,
  );
});

test('undecodable request bytes are INVALID_ARGUMENT, not a crash', async () => {
  const client = new grpc.Client(env.address, grpc.credentials.createInsecure());
  try {
    const call = (method: string, bytes: Buffer) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          `/temporal.api.workflowservice.v1.WorkflowService/${method}`,
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          (err) => resolve(err),
        ),
      );
    const err = await call('StartWorkflowExecution', Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));
    expect(err?.code).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/StartWorkflowExecution: malformed request/);
    // The server is still serving.
    expect((await env.client.workflow.count('')).count).toBeGreaterThanOrEqual(0);
  } finally {
    client.close();
  }
});

function scheduleActivity(eager: boolean) {
  return {
    commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
    scheduleActivityTaskCommandAttributes: {
      activityId: 'a1',
      activityType: { name: 'rawActivity' },
      startToCloseTimeout: msToTs('10s'),
      requestEagerExecution: eager,
    },
  };
}

test('a queued activity task goes to an activity poller; its result starts the next workflow task', async () => {
  const { h, queue } = await startRaw();
  const first = await poll(queue);
  const res = await env.connection.workflowService.respondWorkflowTaskCompleted({ taskToken: first.taskToken, commands: [scheduleActivity(false)] });
  expect(res.activityTasks ?? []).toHaveLength(0);
  const task = await env.connection.workflowService.pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: queue }, identity: 'raw-test' });
  expect(task.activityId).toBe('a1');
  expect(task.attempt).toBe(1);
  expect(task.startToCloseTimeout).toBeTruthy();
  expect(task.scheduleToCloseTimeout).toBeTruthy();
  expect(task.currentAttemptScheduledTime).toBeTruthy();
  await env.connection.workflowService.respondActivityTaskCompleted({ taskToken: task.taskToken, identity: 'raw-test' });
  const second = await poll(queue);
  expect(types(second.history?.events).slice(4)).toEqual([
    'ACTIVITY_TASK_SCHEDULED',
    'ACTIVITY_TASK_STARTED',
    'ACTIVITY_TASK_COMPLETED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
  ]);
  // Completing the same activity twice is NOT_FOUND.
  expect(await codeOf(env.connection.workflowService.respondActivityTaskCompleted({ taskToken: task.taskToken }))).toBe(grpcStatus.NOT_FOUND);
  await h.terminate();
});

test('an eagerly requested activity comes back in the workflow task completion response', async () => {
  const { h, queue } = await startRaw();
  const first = await poll(queue);
  const res = await env.connection.workflowService.respondWorkflowTaskCompleted({ taskToken: first.taskToken, commands: [scheduleActivity(true)] });
  expect(res.activityTasks).toHaveLength(1);
  const task = res.activityTasks[0]!;
  expect(task.activityType?.name).toBe('rawActivity');
  const hb = await env.connection.workflowService.recordActivityTaskHeartbeat({ taskToken: task.taskToken });
  expect(hb.cancelRequested).toBe(false);
  await env.connection.workflowService.respondActivityTaskCompleted({ taskToken: task.taskToken });
  const second = await poll(queue);
  expect(types(second.history?.events)).toContain('ACTIVITY_TASK_COMPLETED');
  await h.terminate();
});

test('a gzip-compressed GetSystemInfo asks the client to reconnect uncompressed; other calls accept gzip', async () => {
  // grpc.default_compression_algorithm 2 = gzip
  const client = new grpc.Client(env.address, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 });
  const service = temporal.api.workflowservice.v1;
  const call = (method: string, bytes: Uint8Array) =>
    new Promise<{ err: grpc.ServiceError | null; res?: Buffer }>((resolve) =>
      client.makeUnaryRequest(
        `/temporal.api.workflowservice.v1.WorkflowService/${method}`,
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        bytes,
        (err, res) => resolve({ err, res }),
      ),
    );
  try {
    const info = await call('GetSystemInfo', service.GetSystemInfoRequest.encode({}).finish());
    expect(info.err?.code).toBe(grpcStatus.UNIMPLEMENTED);
    expect(info.err?.details).toMatch(/grpc-encoding/);
    const count = await call('CountWorkflowExecutions', service.CountWorkflowExecutionsRequest.encode({ namespace: 'default' }).finish());
    expect(count.err).toBeNull();
  } finally {
    client.close();
  }
});

test('a start retried with the same request id returns the run it started instead of ALREADY_EXISTS', async () => {
  const request = {
    namespace: 'default',
    workflowId: `retried-${randomUUID()}`,
    workflowType: { name: 'rawWorkflow' },
    taskQueue: { name: uniqueTaskQueue('raw') },
    requestId: randomUUID(),
  };
  const first = await env.connection.workflowService.startWorkflowExecution(request);
  const again = await env.connection.workflowService.startWorkflowExecution(request);
  expect(again.runId).toBe(first.runId);
  const other = await codeOf(env.connection.workflowService.startWorkflowExecution({ ...request, requestId: randomUUID() }));
  expect(other).toBe(grpcStatus.ALREADY_EXISTS);
  await env.client.workflow.getHandle(request.workflowId).terminate();
});

// Sticky task queues, as a caching worker uses them: it completes a task naming its own sticky queue;
// the next task goes there with only the events it has not seen; if nobody takes it in time, it
// moves to the normal queue with the full history.
function pollSticky(sticky: string, normal: string) {
  return env.connection.workflowService.pollWorkflowTaskQueue({
    namespace: 'default',
    taskQueue: { name: sticky, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: normal },
    identity: 'raw-test',
  });
}

function stickyAttributes(sticky: string, normal: string, timeout: string) {
  return {
    workerTaskQueue: { name: sticky, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: normal },
    scheduleToStartTimeout: msToTs(timeout),
  };
}

const oneHourTimer = [{ commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: '1', startToFireTimeout: msToTs('1 hour') } }];

/** A run whose first task a caching worker completed (a 1-hour timer), asking for its sticky queue. */
async function startSticky(scheduleToStart: string) {
  const { h, queue } = await startRaw();
  const sticky = `${queue}-sticky`;
  const first = await poll(queue);
  await env.connection.workflowService.respondWorkflowTaskCompleted({
    taskToken: first.taskToken,
    commands: oneHourTimer,
    stickyAttributes: stickyAttributes(sticky, queue, scheduleToStart),
  });
  return { h, queue, sticky };
}

test('a worker that asks for stickiness gets the next task on its sticky queue with only the new events', async () => {
  const { h, queue, sticky } = await startSticky('10s');
  await h.signal('after-first-task');
  const second = await pollSticky(sticky, queue);
  expect(Number(second.previousStartedEventId)).toBe(3);
  expect(Number(second.history?.events?.[0]?.eventId)).toBe(4);
  expect(types(second.history?.events)).toEqual([
    'WORKFLOW_TASK_COMPLETED',
    'TIMER_STARTED',
    'WORKFLOW_EXECUTION_SIGNALED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
  ]);
  const scheduled = second.history?.events?.find((e) => e.workflowTaskScheduledEventAttributes);
  expect(scheduled?.workflowTaskScheduledEventAttributes?.taskQueue?.name).toBe(sticky);
  // The full history is still there for a worker that lost its cache.
  const full = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: h.workflowId } });
  expect(full.history?.events).toHaveLength(8);
  await h.terminate();
});

test('ResetStickyTaskQueue sends the next task, even one already waiting on the sticky queue, to the normal queue with full history', async () => {
  const { h, queue } = await startSticky('1h');
  await h.signal('waiting-on-sticky');
  await env.connection.workflowService.resetStickyTaskQueue({ namespace: 'default', execution: { workflowId: h.workflowId } });
  const second = await poll(queue); // long before the hour-long sticky timeout
  expect(Number(second.history?.events?.[0]?.eventId)).toBe(1);
  await env.connection.workflowService.respondWorkflowTaskCompleted({ taskToken: second.taskToken, commands: [] });
  await h.signal('next');
  expect(Number((await poll(queue)).history?.events?.[0]?.eventId)).toBe(1); // no stickiness asked for: normal queue again
  await h.terminate();
});

test('a sticky task nobody takes within its schedule-to-start timeout moves to the normal queue with full history', async () => {
  const { h, queue } = await startSticky('500ms');
  await h.signal('worker-gone');
  const second = await poll(queue); // the sticky worker never polls
  expect(Number(second.history?.events?.[0]?.eventId)).toBe(1);
  expect(types(second.history?.events).slice(3)).toEqual([
    'WORKFLOW_TASK_COMPLETED',
    'TIMER_STARTED',
    'WORKFLOW_EXECUTION_SIGNALED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_TIMED_OUT',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
  ]);
  const timedOut = second.history?.events?.find((e) => e.workflowTaskTimedOutEventAttributes);
  expect(timedOut?.workflowTaskTimedOutEventAttributes?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START);
  expect(second.attempt).toBe(1);
  await h.terminate();
});

test('a worker that shuts down hands its sticky runs back to the normal queue at once', async () => {
  const { h, queue, sticky } = await startSticky('1 hour');
  await h.signal('while-shutting-down');
  await env.connection.workflowService.shutdownWorker({ namespace: 'default', stickyTaskQueue: sticky, identity: 'raw-test' });
  const second = await poll(queue);
  expect(types(second.history?.events)[0]).toBe('WORKFLOW_EXECUTION_STARTED');
  expect(types(second.history?.events)).toContain('WORKFLOW_TASK_TIMED_OUT');
  await h.terminate();
});

test('a query to a sticky run goes to the caching worker with no history, else to the normal queue', async () => {
  const { h, queue, sticky } = await startSticky('300ms');
  const answer = async (task: temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse, text: string) => {
    const payload = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(JSON.stringify(text)) };
    await env.connection.workflowService.respondQueryTaskCompleted({
      namespace: 'default',
      taskToken: task.taskToken,
      completedType: temporal.api.enums.v1.QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
      queryResult: { payloads: [payload] },
    });
  };
  // The caching worker answers from its cache.
  const viaSticky = h.query<string>('state');
  const stickyTask = await pollSticky(sticky, queue);
  expect(stickyTask.query?.queryType).toBe('state');
  expect(stickyTask.history?.events ?? []).toHaveLength(0);
  await answer(stickyTask, 'from-cache');
  expect(await viaSticky).toBe('from-cache');
  // Nobody polls the sticky queue: after its schedule-to-start timeout any worker gets it, with history.
  const viaNormal = h.query<string>('state');
  const normalTask = await poll(queue);
  expect(normalTask.query?.queryType).toBe('state');
  expect(types(normalTask.history?.events)[0]).toBe('WORKFLOW_EXECUTION_STARTED');
  await answer(normalTask, 'replayed');
  expect(await viaNormal).toBe('replayed');
  await h.terminate();
});
