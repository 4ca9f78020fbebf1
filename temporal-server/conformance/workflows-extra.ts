// Workflows for the conformance tests of issue 23 (bundled by those tests' workers).
import {
  continueAsNew,
  startChild,
  proxyActivities,
  setHandler,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  allHandlersFinished,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type * as activities from './activities.js';

export const go = defineSignal('go');

/** Starts a child workflow on a cron schedule: not supported (top-level cron starts are refused too). */
export async function startsCronChild(): Promise<void> {
  await startChild(countsSignals, { workflowId: `${workflowInfo().workflowId}-cron`, cronSchedule: '@hourly' });
}

/** Returns when it was started (its first task) and how, so a start delay can be seen. */
export async function reportsStart(): Promise<{ startedAtMs: number; attempt: number; signals: number }> {
  let signals = 0;
  setHandler(go, () => void signals++);
  await sleep(1);
  return { startedAtMs: workflowInfo().runStartTime.getTime(), attempt: workflowInfo().attempt, signals };
}

/** Fails (retryably) until attempt `succeedOn`; with `fatalOn` fails non-retryably on that attempt. */
export function failsUntil(succeedOn: number, fatalOn = 0): Promise<number> {
  const { attempt } = workflowInfo();
  if (attempt === fatalOn) return Promise.reject(ApplicationFailure.nonRetryable(`attempt ${attempt} is fatal`, 'Fatal'));
  if (attempt < succeedOn) return Promise.reject(ApplicationFailure.retryable(`attempt ${attempt} failed`, 'Flaky'));
  return Promise.resolve(attempt);
}

/** Waits for `go` signals until told to stop; returns how many it got. */
export async function countsSignals(): Promise<number> {
  let n = 0;
  setHandler(go, () => void n++);
  await condition(() => n >= 100, '1 day');
  return n;
}

export const datetimeKey = defineSearchAttributeKey('CustomDatetimeField', SearchAttributeType.DATETIME);
export const intKey = defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT);

/** What the workflow sees of the search attributes it was started with and then upserted untyped. */
export async function readsSearchAttributes(at: number): Promise<{
  startDatetimeIsDate: boolean;
  typedDatetime: string | undefined;
  typedInt: number | undefined;
}> {
  const sa = workflowInfo().searchAttributes;
  const startDatetime = (sa.CustomDatetimeField as unknown[] | undefined)?.[0];
  upsertSearchAttributes({ CustomIntField: [7], CustomDatetimeField: [new Date(at)] });
  await sleep(1);
  const typed = workflowInfo().typedSearchAttributes;
  return {
    startDatetimeIsDate: startDatetime instanceof Date,
    typedDatetime: typed.get(datetimeKey)?.toISOString(),
    typedInt: typed.get(intKey),
  };
}

/** Continues as new with its search attributes as they are; the next run reports what it got. */
export async function readsSearchAttributesAfterContinueAsNew(continued: boolean): Promise<{ typedInt: number | undefined }> {
  if (!continued) {
    upsertSearchAttributes({ CustomIntField: [42] });
    await sleep(1);
    await continueAsNew<typeof readsSearchAttributesAfterContinueAsNew>(true);
  }
  return { typedInt: workflowInfo().typedSearchAttributes.get(intKey) };
}

/** Sleeps until the server suggests continuing as new; returns the history length it saw then. */
export async function sleepsUntilContinueAsNewSuggested(limit: number): Promise<{ suggested: boolean; historyLength: number; historySize: number }> {
  for (let i = 0; i < limit; i++) {
    if (workflowInfo().continueAsNewSuggested) break;
    await sleep(1);
  }
  const info = workflowInfo();
  return { suggested: info.continueAsNewSuggested, historyLength: info.historyLength, historySize: info.historySize };
}

/** Upserts a memo, then removes one key of it with null. */
export async function removesMemoKey(): Promise<void> {
  upsertMemo({ kept: 'yes', removed: 'soon' });
  await sleep(1);
  upsertMemo({ removed: null });
  await sleep(1);
}

/** A timer with a summary. */
export async function summarisedTimer(): Promise<void> {
  await sleep('1 minute', { summary: 'wait a minute' });
}

/** An activity with only a schedule-to-close timeout, on a queue no worker polls. */
export async function unpickedActivity(queue: string): Promise<string> {
  const acts = proxyActivities<typeof activities>({ scheduleToCloseTimeout: '2s', taskQueue: queue });
  return await acts.greet('nobody');
}

/** An activity that sleeps through the test environment (env.sleep) while the test awaits result(). */
export async function activityThatSleeps(ms: number): Promise<string> {
  const acts = proxyActivities<{ envSleep(ms: number): Promise<string> }>({ scheduleToCloseTimeout: '1 day' });
  return await acts.envSleep(ms);
}

export const setValue = defineUpdate<string, [string]>('setValue');
export const failingUpdate = defineUpdate<void, []>('failingUpdate');
export const valueQuery = defineQuery<string>('value');

/**
 * Holds a value that updates change (validated: not empty); finishes when the value ends in 'done'.
 * A value starting 'slow:' is set only once the `go` signal came: its update is accepted first and
 * completed later.
 */
export async function updatable(): Promise<string> {
  let value = 'initial';
  let released = false;
  setHandler(go, () => void (released = true));
  setHandler(
    setValue,
    async (next) => {
      if (next.startsWith('slow:')) await condition(() => released);
      const previous = value;
      value = next;
      return previous;
    },
    {
      validator: (next) => {
        if (next === '') throw new Error('the value must not be empty');
      },
    },
  );
  setHandler(failingUpdate, () => Promise.reject(ApplicationFailure.create({ message: 'the handler failed', type: 'HandlerFailure' })));
  setHandler(valueQuery, () => value);
  await condition(() => value.endsWith('done') && allHandlersFinished());
  return value;
}

/** Accepts setValue updates but returns before their handlers finish (they wait for a signal that never comes). */
export async function leavesUpdatesUnfinished(): Promise<void> {
  let accepted = false;
  setHandler(setValue, async () => {
    accepted = true;
    await condition(() => false);
    return 'never';
  });
  await condition(() => accepted);
}

/** Runs pausesItself (heartbeating every second, two attempts). */
export async function runsPausingActivity(mode: 'pause' | 'reset' | 'pause-and-reset', thenRetry: boolean): Promise<string> {
  const acts = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute', heartbeatTimeout: '1s', retry: { maximumAttempts: 2, initialInterval: '1s' } });
  return await acts.pausesItself(mode, thenRetry);
}

/** Returns `size` characters: a result above the server's blob size limit fails the workflow. */
export function returnsText(size: number): Promise<string> {
  return Promise.resolve('o'.repeat(size));
}

export const buildIdQuery = defineQuery<string>('buildId');
export const buildIdUnblock = defineSignal('unblock');
/** Answers the build id that processed the current workflow task, until signalled twice. */
export async function reportsBuildId(): Promise<void> {
  let signals = 0;
  setHandler(buildIdQuery, () => workflowInfo().currentBuildId ?? '');
  setHandler(buildIdUnblock, () => void (signals += 1));
  await condition(() => signals >= 2);
}

/** One run of a cron workflow: counts the runs before it through the last completion result. */
export function cronRun(): Promise<{ run: number; cron: string | undefined }> {
  const last = workflowInfo().lastResult as { run: number } | undefined;
  return Promise.resolve({ run: (last?.run ?? 0) + 1, cron: workflowInfo().cronSchedule });
}
