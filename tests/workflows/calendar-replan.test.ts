// A report waiting across 春节 2027 before the State Council's schedule is known: planned on the law's
// holidays (due Tuesday 9 February), then the office adds the 2027 schedule (春节 5–12 February) and a worker
// starts with it: the report is told by a signal, plans its round again, and its escalation comes at the new
// due time (Monday 15 February), not the old one. History is never rewritten: old runs replay (replay-saved).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { runCli } from '../support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { ChatRobots } from '../../chat/index.js';
import type { Config } from '../../config/schema.js';
import { registerExpectation } from '../../intake/expected.js';
import { replanIfCalendarChanged } from '../../ops/calendar-replan.js';
import { timelineItems } from '../../web/view.js';
import { expectedStatusQuery, expectedWorkflowId } from '../../workflows/expected.js';
import { SECRET, startHarness, testWorkflowCode, waitForStatus, type Harness } from '../support/baosong.js';
import { advanceTo, createTestEnv, createTestWorker } from '../support/temporal.js';
import { SCHEDULE_2027 } from '../fixtures/schedule-2027.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let second: { worker: Worker; running: Promise<void> } | undefined;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
});

afterAll(async () => {
  if (second) {
    second.worker.shutdown();
    await second.running;
  }
  await h?.close();
  await env?.teardown();
});

const schedule2027: Config['calendar']['statutory'][string] = SCHEDULE_2027;

describe('a running report when the office adds next year’s holiday schedule', () => {
  it('gets its corrected due time by a signal, and is escalated at the new time only', async () => {
    const t0 = new Date('2027-02-04T10:00:00+08:00'); // Thursday before 除夕
    await advanceTo(env, t0);
    const { reportId, handle } = await h.submit({
      origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` },
      from: { name: '刘芳', email: 'liufang@school.test' },
      category: '教育教学',
      urgency: 'routine',
      title: '寒假前教研活动',
      body: '2月4日上午，教务处组织寒假前教研活动。',
      eventTime: t0,
      receivedAt: t0,
      attachments: [],
    });
    // Planned on the law's holidays alone: 除夕 (Fri 5th) to 初三 (Mon 8th) off, due Tuesday.
    let status = await waitForStatus(handle, (s) => s.status === 'in_review');
    expect(status.deadlines.reviewDueAt).toBe('2027-02-09T02:00:00.000Z');
    // An expected report of 德育处 on the same day is planned the same way (漏报 on Tuesday if nothing comes).
    const expected = await registerExpectation({ client: env.client, config: h.config, readModel: h.readModel }, { departmentId: 'deyu', title: '寒假安全教育', eventEnd: t0, urgency: 'routine', source: 'cli' });
    expect(expected.dueAt).toBe('2027-02-09T02:00:00.000Z');
    const expectedHandle = env.client.workflow.getHandle(expectedWorkflowId(expected.id));

    // The office copies the schedule into the configuration; the worker restarts with it.
    const config: Config = { ...h.config, calendar: { ...h.config.calendar, statutory: { '2027': schedule2027 } } };
    // Wait for the old worker to stop: a poll of it still open could otherwise take the re-plan activity and
    // answer from the old calendar (seen once under a loaded CI machine).
    await h.stopWorker();
    const activities = createActivities({ config, database: h.database, readModel: h.readModel, transport: h.transport, secret: SECRET, chat: new ChatRobots(config, { env: process.env }) });
    const worker = await createTestWorker(env, { taskQueue: config.temporal.taskQueue, ...testWorkflowCode(), activities });
    second = { worker, running: worker.run() };
    const told = await replanIfCalendarChanged({ client: env.client, readModel: h.readModel, config });
    expect(told).toEqual({ signalled: 1, closed: 0, expected: 1 });
    expect(await replanIfCalendarChanged({ client: env.client, readModel: h.readModel, config })).toBeNull(); // once per change

    status = await waitForStatus(handle, (s) => s.deadlines.reviewDueAt === '2027-02-15T02:00:00.000Z');
    expect(status.timeline.map((e) => e.type)).toContain('deadline_moved');
    const moved = status.timeline.find((e) => e.type === 'deadline_moved');
    expect(moved?.note).toBe('2027-02-09T02:00:00.000Z → 2027-02-15T02:00:00.000Z');
    // People read it on the school's clock (status page, office page).
    expect(timelineItems([moved!], 'zh-CN', 'Asia/Shanghai')[0]?.note).toBe('原定 2027年2月9日 10:00（周二） 截止，现改为 2027年2月15日 10:00（周一）');
    // The expected report too: its workflow and the dashboard's row. (30 s: on a loaded CI machine the expected
    // report's re-plan once took longer than 10 s — the whole suite runs beside it; seen 2026-12-05 21:50.)
    await expect.poll(async () => (await expectedHandle.query(expectedStatusQuery)).dueAt, { timeout: 30_000 }).toBe('2027-02-15T02:00:00.000Z');
    await expect.poll(async () => (await h.readModel.getExpected(expected.id))?.dueAt, { timeout: 30_000 }).toBe('2027-02-15T02:00:00.000Z');
    // The dashboard's copy agrees.
    await expect.poll(async () => (await h.readModel.getReport(reportId))?.reviewDueAt, { timeout: 30_000 }).toBe('2027-02-15T02:00:00.000Z');

    // Past the old due time: no escalation; past the new one: escalated then.
    await advanceTo(env, new Date('2027-02-10T12:00:00+08:00'));
    await new Promise((r) => setTimeout(r, 500));
    expect(h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === 'escalation')).toEqual([]);
    expect((await expectedHandle.query(expectedStatusQuery)).status).toBe('waiting'); // not 漏报 at the old time
    await advanceTo(env, new Date('2027-02-15T10:05:00+08:00'));
    const [escalation] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'escalation');
    expect(escalation!.date?.toISOString()).toBe('2027-02-15T02:00:00.000Z');
    expect(await expectedHandle.result()).toMatchObject({ status: 'missing', dueAt: '2027-02-15T02:00:00.000Z' });
    const [missing] = await h.smtp.waitFor((m) => m.kind === 'missing' && m.subject.includes('寒假安全教育'));
    expect(missing!.date?.toISOString()).toBe('2027-02-15T02:00:00.000Z');
  });

  it('`baosong calendar replan` tells the reports in review, on the service’s database and Temporal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baosong-replan-'));
    const file = join(dir, 'baosong.config.yaml');
    writeFileSync(file, readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace(/^dataDir: .*$/m, `dataDir: ${JSON.stringify(h.config.dataDir)}`));
    const open = (await h.readModel.listReports({ status: 'in_review' })).length;
    expect(open).toBeGreaterThan(0);
    const r = await runCli(['calendar', 'replan', '--config', file], { env: { TEMPORAL_ADDRESS: env.address, DATABASE_URL: '' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ signalled: open, closed: 0, expected: 0 });
  });
});
