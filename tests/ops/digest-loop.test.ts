// The weekly digest where the Temporal server has no schedules: our test server started with
// TEMPORAL_TEST_SERVER_SCHEDULES=off answers every schedule RPC UNIMPLEMENTED, as a server without them
// does. Starting the digest clock then falls back to the `weeklyDigestWorkflow` loop, which mails the week's
// digest at the configured Friday 16:00 (Asia/Shanghai), once. (With schedules: digest-schedule.test.ts.)
import { status as grpcStatus } from '@grpc/grpc-js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestRecipients } from '../../activities/digest.js';
import { digestSendTime, nextDigestWeek } from '../../digest/weeks.js';
import { digestScheduleOptions, startDigestClock } from '../../ops/digest-schedule.js';
import { DIGEST_SCHEDULE_ID, WEEKLY_DIGEST_WORKFLOW_ID } from '../../workflows/digest.js';
import { startHarness, type Harness } from '../support/baosong.js';
import { advanceTo, createTestEnv, isBaosongServer } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;

/** The gRPC status a call failed with (the client keeps it on the error or on its cause). */
const failedWith = (call: Promise<unknown>) =>
  call.then(
    () => 'no error',
    (err: { code?: number; cause?: { code?: number } }) => err.code ?? err.cause?.code,
  );

beforeAll(async () => {
  // The SDK spawns the server with this process's environment.
  process.env.TEMPORAL_TEST_SERVER_SCHEDULES = 'off';
  try {
    env = await createTestEnv();
  } finally {
    delete process.env.TEMPORAL_TEST_SERVER_SCHEDULES;
  }
  h = await startHarness(env);
}, 120_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

describe.runIf(isBaosongServer())('the weekly digest on a server without schedules', () => {
  it('falls back to the workflow loop, which mails the week’s digest at the configured local time, once', async () => {
    // The server really has no schedules.
    expect(await failedWith(env.client.schedule.create(digestScheduleOptions(h.config)))).toBe(grpcStatus.UNIMPLEMENTED);

    expect(await startDigestClock(env.client, h.config)).toBe('workflow-loop');
    const loop = env.client.workflow.getHandle(WEEKLY_DIGEST_WORKFLOW_ID);
    const first = await loop.describe();
    expect(first.status.name).toBe('RUNNING');
    expect(first.type).toBe('weeklyDigestWorkflow');
    // Starting again (a second worker, a restart) keeps the one loop.
    expect(await startDigestClock(env.client, h.config)).toBe('workflow-loop');
    expect((await loop.describe()).runId).toBe(first.runId);
    expect(await failedWith(env.client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe())).toBe(grpcStatus.UNIMPLEMENTED);

    // Friday 16:00 in the school's zone (the example school's digest setting) comes: the digest goes out.
    const now = new Date(await env.currentTimeMs());
    const week = nextDigestWeek(now, h.config.digest, h.config.school.timeZone);
    const at = digestSendTime(week, h.config.digest, h.config.school.timeZone);
    expect(at.getUTCDay()).toBe(5);
    expect(at.getUTCHours()).toBe(8); // 16:00 Asia/Shanghai
    await advanceTo(env, new Date(at.getTime() + 60_000));
    const recipients = digestRecipients(h.config).length;
    const mails = await h.smtp.waitFor((m) => m.kind === 'digest', recipients, 30_000);
    expect(new Set(mails.map((m) => m.parsed.headers.get('x-baosong-week')))).toEqual(new Set([week]));
    expect(mails.every((m) => m.date?.getTime() === at.getTime())).toBe(true);
    const deadline = Date.now() + 20_000;
    while (!(await h.readModel.digestFor(week))?.sentAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await h.readModel.digestFor(week))?.sentAt).toBe(at.toISOString());

    // Once: the loop waits for the next week, and nothing more was sent.
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.smtp.mails.filter((m) => m.kind === 'digest')).toHaveLength(recipients);
    expect((await loop.describe()).status.name).toBe('RUNNING');
    await loop.terminate('test done');
  });
});
