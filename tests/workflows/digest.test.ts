// The weekly digest on the Temporal test server with time skipping: Friday 16:00 Shanghai, once per ISO
// week, across a month that includes the National Day holiday; idempotent per week.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { digestRecipients } from '../../activities/digest.js';
import type { DigestFigures } from '../../digest/figures.js';
import { formatIsoInZone, fromLocal } from '../../domain/time.js';
import { weeklyDigestWorkflow } from '../../workflows/digest.js';
import { startHarness, type Harness } from '../support/baosong.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';

const TZ = 'Asia/Shanghai';
let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

const at = (y: number, m: number, d: number, hour = 0, minute = 0) => fromLocal({ year: y, month: m, day: d, hour, minute, second: 0 }, TZ);
const digests = () => h.smtp.mails.filter((m) => m.kind === 'digest');

describe('weekly digest', () => {
  it('goes out every Friday at 16:00 Shanghai time, once per week, through the National Day holiday', async () => {
    // The next National Day after today is 2027's: jump the server's clock to the Monday before it.
    const start = at(2027, 9, 20, 9);
    expect(start.getTime()).toBeGreaterThan(await env.currentTimeMs());
    await advanceTo(env, start);
    // A report that week, so the first digest has something to count.
    await h.submit({ origin: { kind: 'web', ref: 'digest-seed-1' }, from: { name: '刘芳', email: 'liufang@school.test' }, category: '教育教学', urgency: 'routine', title: '秋季运动会', body: '运动会顺利举行。', eventTime: start, receivedAt: start, attachments: [] });

    const handle = await env.client.workflow.start(weeklyDigestWorkflow, { taskQueue: h.config.temporal.taskQueue, workflowId: 'weekly-digest-test', args: [{ weeksPerRun: 2 }] });
    await advanceTo(env, at(2027, 10, 25, 9));
    const recipients = digestRecipients(h.config).length;
    const mails = await h.smtp.waitFor((m) => m.kind === 'digest', 5 * recipients, 30_000);

    const weeks = [...new Set(mails.map((m) => m.parsed.headers.get('x-baosong-week') as string))];
    expect(weeks).toEqual(['2027-W38', '2027-W39', '2027-W40', '2027-W41', '2027-W42']);
    const sentAt = weeks.map((w) => formatIsoInZone(mails.find((m) => m.parsed.headers.get('x-baosong-week') === w)!.date!, TZ));
    expect(sentAt).toEqual(['2027-09-24T16:00:00+08:00', '2027-10-01T16:00:00+08:00', '2027-10-08T16:00:00+08:00', '2027-10-15T16:00:00+08:00', '2027-10-22T16:00:00+08:00']);
    for (const w of weeks) expect(mails.filter((m) => m.parsed.headers.get('x-baosong-week') === w)).toHaveLength(recipients);

    // The chart travels inline (CID) and the figures count the seeded report.
    const first = mails[0]!;
    expect(first.parsed.attachments.find((a) => a.contentType === 'image/png')?.cid).toBeTruthy();
    // mailparser resolves cid: links to the attachment they name: the chart is really the image shown.
    expect(first.html).toMatch(/<img[^>]+src="data:image\/png;base64,/);
    const record = await h.readModel.digestFor('2027-W38');
    expect((record?.figures as DigestFigures).current.school.submitted).toBe(1);
    expect(record?.sentAt).toBe(at(2027, 9, 24, 16).toISOString());

    // It continued as new (2 weeks per run) and is still waiting for the next Friday.
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    await handle.terminate('test done');
  });

  it('a second run for the same week sends nothing new', async () => {
    const before = digests().length;
    const again = await env.client.workflow.start(weeklyDigestWorkflow, {
      taskQueue: h.config.temporal.taskQueue,
      workflowId: 'weekly-digest-rerun',
      args: [{ weeksPerRun: 1, after: at(2027, 10, 15, 15).toISOString() }], // → week 2027-W41 again
    });
    await advanceTo(env, at(2027, 10, 25, 12));
    await new Promise((r) => setTimeout(r, 1000));
    expect(digests().length).toBe(before);
    expect((await h.readModel.digestFor('2027-W41'))?.messageIds).toHaveLength(digestRecipients(h.config).length);
    await again.terminate('test done');
  });
});
