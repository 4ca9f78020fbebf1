// Issue 23: the visibility queries the SDK's tests use — IN lists, TaskQueue, times, custom search
// attributes, NOT, STARTS_WITH, IS NULL, ORDER BY, and Count's GROUP BY ExecutionStatus.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../testing.js';
import * as activities from './activities.js';
import * as wf from './workflows-children.js';

const workflowsPath = fileURLToPath(new URL('./workflows-children.ts', import.meta.url));
const keyword = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
const int = defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT);

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('visibility');
const tag = randomUUID().slice(0, 8);
const ids: string[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  worker = await createTestWorker(env, { taskQueue, workflowsPath, activities });
  running = worker.run();
  // Three finished and two running workflows on this test's queue, with search attributes.
  for (let i = 0; i < 3; i++) {
    const id = `done-${tag}-${i}`;
    ids.push(id);
    await env.client.workflow.execute(wf.echoChild, {
      taskQueue,
      workflowId: id,
      args: [String(i)],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: keyword, value: `kw-${tag}-${i}` },
        { key: int, value: i * 10 },
      ]),
    });
  }
  for (let i = 0; i < 2; i++) {
    const id = `open-${tag}-${i}`;
    ids.push(id);
    await env.client.workflow.start(wf.pokeable, { taskQueue, workflowId: id });
  }
});

afterAll(async () => {
  for (const id of ids.filter((x) => x.startsWith('open-'))) await env.client.workflow.getHandle(id).terminate().catch(() => undefined);
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function listIds(query: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of env.client.workflow.list({ query })) out.push(info.workflowId);
  return out;
}

test('TaskQueue, and Count with GROUP BY ExecutionStatus', async () => {
  expect(await env.client.workflow.count(`TaskQueue = '${taskQueue}'`)).toEqual({ count: 5, groups: [] });
  expect(await env.client.workflow.count(`TaskQueue = '${taskQueue}' GROUP BY ExecutionStatus`)).toEqual({
    count: 5,
    groups: [
      { count: 2, groupValues: [['Running']] },
      { count: 3, groupValues: [['Completed']] },
    ],
  });
});

test('WorkflowId IN (…), NOT IN, STARTS_WITH and NOT', async () => {
  expect((await listIds(`WorkflowId IN ('${ids[0]}', '${ids[3]}', 'nobody')`)).sort()).toEqual([ids[0], ids[3]].sort());
  expect(await listIds(`TaskQueue = '${taskQueue}' AND WorkflowId NOT IN ('${ids[0]}', '${ids[1]}', '${ids[2]}')`)).toHaveLength(2);
  expect(await listIds(`WorkflowId STARTS_WITH 'open-${tag}'`)).toHaveLength(2);
  expect(await listIds(`TaskQueue = '${taskQueue}' AND NOT ExecutionStatus = 'Running'`)).toHaveLength(3);
});

test('custom search attributes, comparisons, BETWEEN and IS NULL', async () => {
  expect(await listIds(`CustomKeywordField = 'kw-${tag}-1'`)).toEqual([ids[1]]);
  expect((await listIds(`TaskQueue = '${taskQueue}' AND CustomIntField >= 10`)).sort()).toEqual([ids[1], ids[2]].sort());
  expect(await listIds(`TaskQueue = '${taskQueue}' AND CustomIntField BETWEEN 5 AND 15`)).toEqual([ids[1]]);
  expect(await listIds(`TaskQueue = '${taskQueue}' AND CustomIntField IS NULL`)).toHaveLength(2);
});

test('times and ORDER BY', async () => {
  const now = new Date((await env.currentTimeMs?.()) ?? Date.now()).toISOString();
  expect(await listIds(`TaskQueue = '${taskQueue}' AND StartTime <= '${now}'`)).toHaveLength(5);
  expect(await listIds(`TaskQueue = '${taskQueue}' AND CloseTime IS NOT NULL`)).toHaveLength(3);
  expect(await listIds(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed' ORDER BY CustomIntField DESC`)).toEqual([ids[2], ids[1], ids[0]]);
});
