// Issue 23: child workflows (start, result, failure, id conflicts, cancel, terminate, continue-as-new,
// parent close policies) and the commands that reach another workflow (signal, cancel), with the
// events Temporal writes for them in both histories; and every history replays.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as activities from './activities.js';
import * as wf from './workflows-children.js';

const workflowsPath = fileURLToPath(new URL('./workflows-children.ts', import.meta.url));
const { EventType } = temporal.api.enums.v1;
type EventTypeValue = temporal.api.enums.v1.EventType;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('children');
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

async function events(workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

async function eventTypes(workflowId: string): Promise<EventTypeValue[]> {
  return (await events(workflowId)).map((e) => e.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED);
}

async function statusOf(workflowId: string): Promise<string> {
  return (await env.client.workflow.getHandle(workflowId).describe()).status.name;
}

test('executeChild returns the child result; the child knows its parent and root; both histories say so', async () => {
  const id = wid('parent');
  const result = await env.client.workflow.execute(wf.parentOfEcho, { taskQueue, workflowId: id, args: ['hi'] });
  expect(result).toEqual({ input: 'hi', parent: id, root: id, runs: 1 });
  expect(await eventTypes(id)).toEqual(
    expect.arrayContaining([
      EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
      EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
      EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
    ]),
  );
  const started = (await events(`${id}-child`))[0]?.workflowExecutionStartedEventAttributes;
  expect(started?.parentWorkflowExecution?.workflowId).toBe(id);
  expect(started?.parentInitiatedEventId?.toString()).not.toBe('0');
  const described = await env.client.workflow.getHandle(`${id}-child`).describe();
  expect(described.parentExecution?.workflowId).toBe(id);
});

test('a grandchild names the top workflow as its root', async () => {
  const id = wid('grand');
  expect(await env.client.workflow.execute(wf.grandparent, { taskQueue, workflowId: id })).toEqual({ input: 'deep', parent: `${id}-mid`, root: id, runs: 1 });
});

test('a child that continues as new reports to its parent once, with its last run’s result', async () => {
  const id = wid('can');
  expect(await env.client.workflow.execute(wf.parentOfEcho, { taskQueue, workflowId: id, args: ['again', 1] })).toEqual({ input: 'again', parent: id, root: id, runs: 2 });
  const completed = (await eventTypes(id)).filter((t) => t === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED);
  expect(completed).toHaveLength(1);
});

test('a failing child fails executeChild with a ChildWorkflowFailure carrying the child’s error', async () => {
  const id = wid('failing');
  expect(await env.client.workflow.execute(wf.parentOfFailing, { taskQueue, workflowId: id })).toEqual({ isChildFailure: true, cause: 'child broke', type: 'ChildBroke' });
  expect(await eventTypes(id)).toContain(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED);
});

test('a child whose workflow id is already running fails to start with WorkflowExecutionAlreadyStartedError', async () => {
  const busy = await env.client.workflow.start(wf.pokeable, { taskQueue, workflowId: wid('busy') });
  const id = wid('duplicate');
  expect(await env.client.workflow.execute(wf.startsDuplicateChild, { taskQueue, workflowId: id, args: [busy.workflowId] })).toBe('already started');
  expect(await eventTypes(id)).toContain(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED);
  await busy.signal(wf.poke, 'stop');
  await busy.result();
});

test('a parent signals its child and cancels it; the child ends cancelled and the parent hears of it', async () => {
  const id = wid('cancel-child');
  expect(await env.client.workflow.execute(wf.signalsThenCancelsChild, { taskQueue, workflowId: id })).toBe('cancelled');
  expect(await env.client.workflow.getHandle(`${id}-child`).query(wf.pokesQuery)).toEqual(['one', 'two']);
  expect(await statusOf(`${id}-child`)).toBe('CANCELLED');
  const types = await eventTypes(id);
  expect(types).toEqual(
    expect.arrayContaining([
      EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
      EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
      EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
      EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
      EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
    ]),
  );
  const childSignal = (await events(`${id}-child`)).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  expect(childSignal?.workflowExecutionSignaledEventAttributes?.externalWorkflowExecution?.workflowId).toBe(id);
});

test('a child terminated from outside fails its parent’s executeChild with a TerminatedFailure cause', async () => {
  const id = wid('terminated');
  const parent = await env.client.workflow.start(wf.awaitsTerminatedChild, { taskQueue, workflowId: id });
  const child = env.client.workflow.getHandle(`${id}-child`);
  await expect.poll(async () => (await eventTypes(id)).includes(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED), { timeout: 10_000 }).toBe(true);
  await child.terminate('from the test');
  expect(await parent.result()).toBe('TerminatedFailure');
  expect(await eventTypes(id)).toContain(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED);
});

test('parent close policies: TERMINATE ends the child, REQUEST_CANCEL cancels it, ABANDON leaves it running', async () => {
  const terminate = await env.client.workflow.execute(wf.leavesChildRunning, { taskQueue, workflowId: wid('terminate'), args: ['TERMINATE'] });
  expect(await statusOf(terminate)).toBe('TERMINATED');

  const cancel = await env.client.workflow.execute(wf.leavesChildRunning, { taskQueue, workflowId: wid('request-cancel'), args: ['REQUEST_CANCEL'] });
  await expect.poll(() => statusOf(cancel), { timeout: 10_000 }).toBe('CANCELLED');

  const abandon = await env.client.workflow.execute(wf.leavesChildRunning, { taskQueue, workflowId: wid('abandon'), args: ['ABANDON'] });
  expect(await statusOf(abandon)).toBe('RUNNING');
  const child = env.client.workflow.getHandle(abandon);
  await child.signal(wf.poke, 'stop');
  expect(await child.result()).toEqual(['stop']);
});

test('a workflow signals and cancels a workflow that is not its child', async () => {
  const target = await env.client.workflow.start(wf.pokeable, { taskQueue, workflowId: wid('target') });
  await env.client.workflow.execute(wf.signalsAndCancelsExternal, { taskQueue, workflowId: wid('signaller'), args: [target.workflowId, true] });
  await expect.poll(() => statusOf(target.workflowId), { timeout: 10_000 }).toBe('CANCELLED');
  expect(await target.query(wf.pokesQuery)).toEqual(['from afar']);
  const cancelRequested = (await events(target.workflowId)).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
  expect(cancelRequested?.workflowExecutionCancelRequestedEventAttributes?.externalWorkflowExecution?.workflowId).toMatch(/^signaller-/);
});

test('signalling or cancelling a workflow that does not exist fails in the workflow, which goes on', async () => {
  expect(await env.client.workflow.execute(wf.signalsNobody, { taskQueue, workflowId: wid('signals-nobody') })).toMatch(/not found/i);
  expect(await env.client.workflow.execute(wf.cancelsNobody, { taskQueue, workflowId: wid('cancels-nobody') })).toMatch(/not found/i);
});

test('priorities: the start’s on the started event and in workflowInfo, a child’s and an activity’s on their events', async () => {
  const id = wid('priority');
  const result = await env.client.workflow.execute(wf.prioritised, { taskQueue, workflowId: id, priority: { priorityKey: 1, fairnessKey: 'main', fairnessWeight: 3 } });
  expect(result).toEqual({ own: 1, child: 4 });
  const history = await events(id);
  expect(history[0]?.workflowExecutionStartedEventAttributes?.priority?.fairnessKey).toBe('main');
  const activity = history.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
  expect(activity?.priority?.priorityKey).toBe(5);
  const child = history.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)?.startChildWorkflowExecutionInitiatedEventAttributes;
  expect(child?.priority?.fairnessWeight).toBe(2.5);
});

test('every history of this file replays without nondeterminism', async () => {
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowsPath }, env.client.workflow.list().intoHistories())) {
    expect(r.error).toBeUndefined();
    replayed++;
  }
  expect(replayed).toBeGreaterThanOrEqual(20);
});
