// Schedules through the real client (`client.schedule`) and a real worker, with time skipping:
// a weekly calendar in a time zone fires at its nominal times and starts its workflow each time.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test as baseTest } from 'vitest';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { SearchAttributeType, TypedSearchAttributes, defineSearchAttributeKey } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { compileSpec, matchingTimes, parseCron } from './src/calendar.js';
import { advanceTo, createTestEnv, createTestWorker, isBaosongServer, uniqueTaskQueue } from './testing.js';
import * as activities from './conformance/activities.js';

const workflowsPath = fileURLToPath(new URL('./conformance/workflows.ts', import.meta.url));
// Schedules on a time-skipping server are ours; the SDK's official test server has none.
const test = baseTest.runIf(isBaosongServer());

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('schedules');

beforeAll(async () => {
  if (!isBaosongServer()) return;
  env = await createTestEnv();
  worker = await createTestWorker(env, { taskQueue, workflowsPath, activities });
  running = worker.run();
});

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await running;
  }
  await env?.teardown();
});

const iso = (d: Date | undefined) => d?.toISOString();
const keywordKey = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);

test('a weekly calendar in Asia/Shanghai fires every Friday at 16:00 and starts its workflow with the nominal time in its id', async () => {
  const scheduleId = `weekly-${randomUUID().slice(0, 8)}`;
  const start = new Date(await env.currentTimeMs());
  const handle = await env.client.schedule.create({
    scheduleId,
    spec: { calendars: [{ dayOfWeek: 'FRIDAY', hour: 16 }], timezone: 'Asia/Shanghai' },
    action: { type: 'startWorkflow', workflowType: 'hello', args: ['schedule'], taskQueue, workflowId: `digest-${scheduleId}` },
  });
  const before = await handle.describe();
  const upcoming = before.info.nextActionTimes.slice(0, 3);
  expect(upcoming).toHaveLength(3);
  for (const t of upcoming) {
    // Friday 16:00 in Shanghai is Friday 08:00 UTC.
    expect(t.getUTCDay()).toBe(5);
    expect(t.getUTCHours()).toBe(8);
    expect(t.getUTCMinutes()).toBe(0);
    expect(t.getTime()).toBeGreaterThan(start.getTime());
  }
  expect(upcoming[1]!.getTime() - upcoming[0]!.getTime()).toBe(7 * 86_400_000);

  // Skip past two Fridays: two actions, each a workflow whose id carries its nominal time.
  await advanceTo(env, new Date(upcoming[1]!.getTime() + 60_000));
  const after = await handle.describe();
  expect(after.info.recentActions.map((a) => iso(a.scheduledAt))).toEqual([iso(upcoming[0]), iso(upcoming[1])]);
  for (const action of after.info.recentActions) {
    const expectedId = `digest-${scheduleId}-${action.scheduledAt.toISOString().replace('.000Z', 'Z')}`;
    expect(action.action.workflow.workflowId).toBe(expectedId);
    expect(await env.client.workflow.getHandle(expectedId).result()).toBe('Hello, schedule!');
  }
  expect(after.info.numActionsTaken).toBe(2);
  await handle.delete();
  await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
});

test('a schedule id is unique; pause, trigger, update and list behave as the client expects', async () => {
  const scheduleId = `ops-${randomUUID().slice(0, 8)}`;
  const options = {
    scheduleId,
    spec: { intervals: [{ every: '1 hour' }] },
    action: { type: 'startWorkflow' as const, workflowType: 'hello', args: ['tick'], taskQueue, workflowId: `tick-${scheduleId}` },
    policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
  };
  const handle = await env.client.schedule.create(options);
  await expect(env.client.schedule.create(options)).rejects.toBeInstanceOf(ScheduleAlreadyRunning);

  await handle.pause('holiday');
  let d = await handle.describe();
  expect(d.state.paused).toBe(true);
  expect(d.state.note).toBe('holiday');
  expect(d.info.nextActionTimes).toHaveLength(0);
  await advanceTo(env, new Date((await env.currentTimeMs()) + 2 * 3_600_000));
  expect((await handle.describe()).info.numActionsTaken).toBe(0);

  await handle.trigger();
  d = await handle.describe();
  expect(d.info.numActionsTaken).toBe(1);

  await handle.update((prev) => ({ ...prev, state: { ...prev.state, paused: false, note: 'back' } }));
  d = await handle.describe();
  expect(d.state.paused).toBe(false);
  expect(d.info.nextActionTimes.length).toBeGreaterThan(0);

  const listed: string[] = [];
  for await (const s of env.client.schedule.list()) listed.push(s.scheduleId);
  expect(listed).toContain(scheduleId);
  await handle.delete();
});

test('ListSchedules pages and filters by a visibility query over search attributes (issue 23)', async () => {
  const group = randomUUID().slice(0, 8);
  const handles = [];
  for (let i = 0; i < 5; i++)
    handles.push(
      await env.client.schedule.create({
        scheduleId: `list-${group}-${i}`,
        spec: { intervals: [{ every: '1 day' }] },
        action: { type: 'startWorkflow', workflowType: 'hello', args: ['x'], taskQueue },
        typedSearchAttributes: new TypedSearchAttributes([{ key: keywordKey, value: i % 2 === 0 ? `even-${group}` : `odd-${group}` }]),
      }),
    );
  const listed: string[] = [];
  for await (const s of env.client.schedule.list({ pageSize: 2 })) listed.push(s.scheduleId);
  expect(listed.filter((id) => id.startsWith(`list-${group}-`)).sort()).toEqual(handles.map((h) => h.scheduleId));
  const even: string[] = [];
  for await (const s of env.client.schedule.list({ query: `CustomKeywordField = 'even-${group}'` })) even.push(s.scheduleId);
  expect(even.sort()).toEqual([0, 2, 4].map((i) => `list-${group}-${i}`));
  for (const h of handles) await h.delete();
});

test('cron strings and structured calendars compile to the same times', () => {
  const cron = compileSpec({ cronString: ['CRON_TZ=Asia/Shanghai 30 8 * * MON-FRI'] });
  const from = Date.parse('2026-09-30T00:00:00Z'); // a Wednesday
  const times = matchingTimes(cron, from, 4).map((t) => new Date(t).toISOString());
  expect(times).toEqual(['2026-09-30T00:30:00.000Z', '2026-10-01T00:30:00.000Z', '2026-10-02T00:30:00.000Z', '2026-10-05T00:30:00.000Z']);
  expect(parseCron('@every 15m').interval).toEqual({ intervalMs: 900_000, phaseMs: 0 });
  expect(() => parseCron('61 * * * *')).toThrow(/out of range/);
  expect(() => compileSpec({ timezoneName: 'Mars/Olympus' })).toThrow(/unknown time zone/);
});
