// Issue 23: what a workflow and describe() see of an execution — search attribute types, history
// size, the continue-as-new suggestion, memo removal, summaries (user metadata) and BuildIds.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as activities from './activities.js';
import * as wf from './workflows-extra.js';

const workflowsPath = fileURLToPath(new URL('./workflows-extra.ts', import.meta.url));
/** The suggestion threshold this file's server runs with (Temporal's default is 4,096 events). */
const SUGGEST_AT_EVENTS = 40;

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('workflow-info');
const wid = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  // The SDK passes its environment to the server it spawns.
  process.env.TEMPORAL_TEST_SERVER_SUGGEST_CAN_EVENTS = String(SUGGEST_AT_EVENTS);
  try {
    env = await createTestEnv();
  } finally {
    delete process.env.TEMPORAL_TEST_SERVER_SUGGEST_CAN_EVENTS;
  }
  worker = await createTestWorker(env, { taskQueue, workflowsPath, activities });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('search attributes keep their registered types', () => {
  test('a Datetime set untyped at start is a Date in workflowInfo() and describe(); untyped upserts are visible to typed ones', async () => {
    const at = Date.UTC(2027, 1, 3, 4, 5, 6);
    const startDate = new Date(Date.UTC(2026, 8, 1));
    const h = await env.client.workflow.start(wf.readsSearchAttributes, {
      taskQueue,
      workflowId: wid('sa-types'),
      args: [at],
      searchAttributes: { CustomDatetimeField: [startDate], CustomKeywordField: ['baosong'] },
    });
    const seen = await h.result();
    expect(seen.startDatetimeIsDate).toBe(true);
    expect(seen.typedDatetime).toBe(new Date(at).toISOString());
    expect(seen.typedInt).toBe(7);
    const d = await h.describe();
    expect(d.searchAttributes.CustomDatetimeField).toEqual([new Date(at)]);
    expect(d.typedSearchAttributes.get(wf.datetimeKey)).toEqual(new Date(at));
    expect(d.typedSearchAttributes.get(wf.intKey)).toBe(7);
    expect(d.typedSearchAttributes.get(defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD))).toBe('baosong');
  });

  test('continue-as-new keeps upserted search attributes, typed', async () => {
    const h = await env.client.workflow.start(wf.readsSearchAttributesAfterContinueAsNew, { taskQueue, workflowId: wid('sa-can'), args: [false] });
    expect(await h.result()).toEqual({ typedInt: 42 });
  });

  test('BuildIds names the build of the worker that ran the workflow', async () => {
    const h = await env.client.workflow.start(wf.failsUntil, { taskQueue, workflowId: wid('build-ids'), args: [1] });
    await h.result();
    const d = await h.describe();
    expect(d.searchAttributes.BuildIds).toEqual(['unversioned', `unversioned:${worker.options.buildId}`]);
  });
});

describe('history size and the continue-as-new suggestion', () => {
  test('workflowInfo() sees continueAsNewSuggested once the history reaches the threshold, and its size in bytes', async () => {
    const h = await env.client.workflow.start(wf.sleepsUntilContinueAsNewSuggested, { taskQueue, workflowId: wid('can'), args: [100] });
    const seen = await h.result();
    expect(seen.suggested).toBe(true);
    // Suggested at the first workflow task whose history reaches the threshold, not later.
    expect(seen.historyLength).toBeGreaterThanOrEqual(SUGGEST_AT_EVENTS);
    expect(seen.historyLength).toBeLessThan(SUGGEST_AT_EVENTS + 6);
    expect(seen.historySize).toBeGreaterThan(seen.historyLength * 20);
    const d = await h.describe();
    expect(d.historySize).toBeGreaterThan(seen.historySize);
  });

  test('a short workflow is not told to continue as new', async () => {
    const h = await env.client.workflow.start(wf.sleepsUntilContinueAsNewSuggested, { taskQueue, workflowId: wid('no-can'), args: [2] });
    const seen = await h.result();
    expect(seen.suggested).toBe(false);
    expect(seen.historySize).toBeGreaterThan(0);
  });
});

describe('memo and summaries', () => {
  test('upsertMemo({ key: null }) removes the key', async () => {
    const h = await env.client.workflow.start(wf.removesMemoKey, { taskQueue, workflowId: wid('memo'), memo: { fromStart: 1 } });
    await h.result();
    const d = await h.describe();
    expect(d.memo).toEqual({ fromStart: 1, kept: 'yes' });
    // Removed, not kept as an empty (binary/null) value that merely decodes to undefined.
    expect(Object.keys(d.raw.workflowExecutionInfo?.memo?.fields ?? {}).sort()).toEqual(['fromStart', 'kept']);
  });

  test("the workflow's summary and details and a timer's summary are kept", async () => {
    const h = await env.client.workflow.start(wf.summarisedTimer, {
      taskQueue,
      workflowId: wid('summary'),
      staticSummary: '报送 summary',
      staticDetails: 'details',
    });
    await h.result();
    const d = await h.describe();
    expect(await d.staticSummary()).toBe('报送 summary');
    expect(await d.staticDetails()).toBe('details');
    const { events } = await h.fetchHistory();
    const timer = events!.find((e) => e.timerStartedEventAttributes)!;
    const summary = timer.userMetadata?.summary;
    expect(summary && (await env.client.options.loadedDataConverter.payloadConverter.fromPayload(summary))).toBe('wait a minute');
    expect(events![0]!.userMetadata?.summary).toBeTruthy(); // the start's, on WorkflowExecutionStarted
  });
});

test('every history of this file replays without nondeterminism (stamped search attributes, memo removals, summaries)', async () => {
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowsPath }, env.client.workflow.list().intoHistories())) {
    expect(r.error).toBeUndefined();
    replayed++;
  }
  expect(replayed).toBeGreaterThanOrEqual(8);
});
