// Workflows for the conformance suite (bundled by the worker).
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type * as activities from './activities.js';

const short = proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });

export const unblock = defineSignal<[string]>('unblock');
export const addItem = defineSignal<[string]>('addItem');
export const itemsQuery = defineQuery<string[]>('items');
export const stateQuery = defineQuery<string>('state');

export async function hello(name: string): Promise<string> {
  return await short.greet(name);
}

export async function helloLocal(name: string): Promise<string> {
  const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '10s' });
  return await local.greet(name);
}

/** Collects signals until it receives 'done'. */
export async function collector(): Promise<string[]> {
  const items: string[] = [];
  let done = false;
  setHandler(addItem, (item) => {
    if (item === 'done') done = true;
    else items.push(item);
  });
  setHandler(itemsQuery, () => items);
  await condition(() => done);
  return items;
}

export async function waitForSignal(timeoutMs: number): Promise<string> {
  let value: string | undefined;
  setHandler(unblock, (v) => void (value = v));
  setHandler(stateQuery, () => (value === undefined ? 'waiting' : `got ${value}`));
  const ok = await condition(() => value !== undefined, timeoutMs);
  return ok ? `signalled: ${value}` : 'timed out';
}

export async function sleeper(ms: number): Promise<number> {
  const start = Date.now();
  await sleep(ms);
  return Date.now() - start;
}

/** Starts a long timer and cancels it when signalled. */
export async function cancellableTimer(): Promise<string> {
  let cancelIt = false;
  setHandler(unblock, () => void (cancelIt = true));
  const scope = new CancellationScope();
  const timer = scope.run(() => sleep('1 day'));
  await condition(() => cancelIt);
  scope.cancel();
  try {
    await timer;
    return 'timer fired';
  } catch (err) {
    if (isCancellation(err)) return 'timer cancelled';
    throw err;
  }
}

export async function flakyActivity(key: string, succeedOn: number): Promise<number> {
  const acts = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 5 },
  });
  return await acts.flaky(key, succeedOn);
}

export async function nonRetryableActivity(key: string): Promise<void> {
  await short.failNonRetryable(key);
}

export async function timingOutActivity(key: string): Promise<string> {
  const acts = proxyActivities<typeof activities>({ startToCloseTimeout: '300ms', retry: { maximumAttempts: 2, initialInterval: '100ms' } });
  return await acts.slow(key, 5_000);
}

export async function heartbeatActivity(key: string): Promise<unknown> {
  const acts = proxyActivities<typeof activities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '1s',
    retry: { maximumAttempts: 3, initialInterval: '100ms' },
  });
  return await acts.heartbeatThenStall(key);
}

/** The heartbeating activity with a single attempt: the heartbeat timeout is final. */
export async function heartbeatTimeoutFinal(key: string): Promise<unknown> {
  const acts = proxyActivities<typeof activities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '1s',
    retry: { maximumAttempts: 1 },
  });
  return await acts.heartbeatThenStall(key);
}

export async function scheduleToCloseActivity(key: string): Promise<string> {
  const acts = proxyActivities<typeof activities>({
    scheduleToCloseTimeout: '1500ms',
    startToCloseTimeout: '400ms',
    retry: { initialInterval: '100ms', backoffCoefficient: 1 },
  });
  return await acts.slow(key, 5_000);
}

export async function asyncActivity(key: string): Promise<string> {
  const acts = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
  return await acts.completeLater(key);
}

export async function cancelledActivity(key: string): Promise<string> {
  const acts = proxyActivities<typeof activities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '2s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const scope = new CancellationScope();
  const p = scope.run(() => acts.waitForCancel(key));
  await sleep(500);
  scope.cancel();
  try {
    await p;
    return 'completed';
  } catch (err) {
    if (isCancellation(err)) return 'activity cancelled';
    throw err;
  }
}

export async function countdown(n: number, total = 0): Promise<string> {
  if (n > 0) await continueAsNew<typeof countdown>(n - 1, total + n);
  return `sum ${total} after ${workflowInfo().continuedFromExecutionRunId ? 'continue-as-new' : 'one run'}`;
}

/** Sleeps an hour, then continues as new, `n` times. */
export async function sleepThenContinue(n: number): Promise<string> {
  await sleep('1 hour');
  if (n > 0) await continueAsNew<typeof sleepThenContinue>(n - 1);
  return 'done';
}

export async function waitForever(): Promise<void> {
  await condition(() => false);
}

export async function cancellable(): Promise<string> {
  try {
    await sleep('1 day');
    return 'slept';
  } catch (err) {
    if (isCancellation(err)) {
      // Cleanup in a non-cancellable scope still runs.
      await CancellationScope.nonCancellable(() => short.greet('cleanup'));
      throw err;
    }
    throw err;
  }
}

export async function patchedWorkflow(): Promise<string> {
  const v = patched('my-patch') ? 'new' : 'old';
  await sleep(10);
  return v;
}

export const keywordKey = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);

/** Upserts a search attribute and a memo, then waits for a signal. */
export async function properties(): Promise<string> {
  upsertSearchAttributes([{ key: keywordKey, value: 'baosong' }]);
  upsertMemo({ note: 'remember me' });
  let done = false;
  setHandler(unblock, () => void (done = true));
  setHandler(stateQuery, () => (done ? 'done' : 'waiting'));
  await condition(() => done);
  return 'ok';
}

/** One activity and one timer: the shape used by the benchmark. */
export async function simple(name: string, timerMs = 60_000): Promise<string> {
  const greeting = await short.greet(name);
  await sleep(timerMs);
  return greeting;
}

/** Runs an activity, waits for a signal, then runs another: used for worker restart. */
export async function twoPhase(): Promise<string[]> {
  const out: string[] = [await short.greet('first')];
  let go = false;
  setHandler(unblock, () => void (go = true));
  await condition(() => go);
  out.push(await short.greet('second'));
  return out;
}
