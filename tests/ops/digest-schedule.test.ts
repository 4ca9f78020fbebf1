// The weekly digest on a Temporal Schedule (our test server has schedules): chosen at start, the loop
// from before stopped, and at the configured Friday 16:00 (Asia/Shanghai) the digest is mailed, once.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekOf } from '../../digest/weeks.js';
import { startDigestClock } from '../../ops/digest-schedule.js';
import { DIGEST_SCHEDULE_ID, WEEKLY_DIGEST_WORKFLOW_ID, weeklyDigestWorkflow } from '../../workflows/digest.js';
import { startHarness, type Harness } from '../support/baosong.js';
import { advanceTo, createTestEnv, isBaosongServer } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
}, 120_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

describe.runIf(isBaosongServer())('the weekly digest on a Temporal Schedule', () => {
  it('replaces the loop, fires at the configured local time and mails the week’s digest', async () => {
    // A loop left from before the server had schedules.
    const loop = await env.client.workflow.start(weeklyDigestWorkflow, { taskQueue: h.config.temporal.taskQueue, workflowId: WEEKLY_DIGEST_WORKFLOW_ID, args: [{}] });
    expect(await startDigestClock(env.client, h.config)).toBe('schedule');
    expect((await loop.describe()).status.name).toBe('TERMINATED');
    // Starting again (a second worker, a restart) keeps the one schedule.
    expect(await startDigestClock(env.client, h.config)).toBe('schedule');

    const schedule = env.client.schedule.getHandle(DIGEST_SCHEDULE_ID);
    const next = (await schedule.describe()).info.nextActionTimes[0]!;
    expect(next.getUTCDay()).toBe(5); // the example school: Friday 16:00 in Asia/Shanghai = 08:00 UTC
    expect(next.getUTCHours()).toBe(8);

    await advanceTo(env, new Date(next.getTime() + 60_000));
    const week = weekOf(next, h.config.school.timeZone);
    const mails = await h.smtp.waitFor((m) => m.kind === 'digest');
    expect(mails.length).toBeGreaterThan(0);
    const deadline = Date.now() + 20_000;
    while (!(await h.readModel.digestFor(week))?.sentAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await h.readModel.digestFor(week))?.sentAt).toBeTruthy();
    expect((await schedule.describe()).info.numActionsTaken).toBe(1);
    await schedule.delete();
  });
});
