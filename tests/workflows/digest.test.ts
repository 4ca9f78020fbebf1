// The weekly digest on the Temporal test server with time skipping: Friday 16:00 Shanghai, once per ISO
// week, across a month that includes the National Day holiday; idempotent per week.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { digestRecipients } from '../../activities/digest.js';
import type { DigestFigures } from '../../digest/figures.js';
import { addDays, formatIsoInZone, fromLocal, weekday, type LocalDate } from '../../domain/time.js';
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
const atDay = (d: LocalDate, hour: number) => { const [y, m, day] = d.split('-').map(Number) as [number, number, number]; return at(y, m, day, hour); };

/** ISO week label of a date, computed here independently of the code under test (the week's Thursday decides). */
function isoWeek(d: LocalDate): string {
  const thursday = addDays(d, 3 - ((weekday(d) + 6) % 7));
  const year = Number(thursday.slice(0, 4));
  const dayOfYear = Math.round((Date.UTC(year, Number(thursday.slice(5, 7)) - 1, Number(thursday.slice(8, 10))) - Date.UTC(year, 0, 1)) / 86_400_000);
  return `${year}-W${String(Math.floor(dayOfYear / 7) + 1).padStart(2, '0')}`;
}

/**
 * Five weeks around the next National Day still ahead of the server's clock: from the Monday of the week
 * of 24 September (so the test keeps working in every year, whatever weekday 1 October falls on).
 */
let firstTestWeeks: Awaited<ReturnType<typeof nationalDayWeeks>> | undefined;
async function nationalDayWeeks() {
  const now = await env.currentTimeMs();
  let year = new Date(now).getUTCFullYear();
  const monday = (y: number): LocalDate => addDays(`${y}-09-24`, -((weekday(`${y}-09-24`) + 6) % 7));
  if (atDay(monday(year), 9).getTime() <= now) year++;
  const start = monday(year);
  const fridays = [0, 1, 2, 3, 4].map((k) => addDays(start, 4 + 7 * k));
  return { start: atDay(start, 9), end: atDay(addDays(start, 35), 9), fridays, weeks: fridays.map(isoWeek) };
}

describe('weekly digest', () => {
  it('goes out every Friday at 16:00 Shanghai time, once per week, through the National Day holiday', async () => {
    const { start, end, fridays, weeks: expectedWeeks } = (firstTestWeeks = await nationalDayWeeks());
    expect(fridays.some((f) => f.slice(5) >= '10-01' && f.slice(5) <= '10-07')).toBe(true);
    await advanceTo(env, start);
    // A report that week, so the first digest has something to count.
    await h.submit({ origin: { kind: 'web', ref: 'digest-seed-1' }, from: { name: '刘芳', email: 'liufang@school.test' }, category: '教育教学', urgency: 'routine', title: '秋季运动会', body: '运动会顺利举行。', eventTime: start, receivedAt: start, attachments: [] });

    const handle = await env.client.workflow.start(weeklyDigestWorkflow, { taskQueue: h.config.temporal.taskQueue, workflowId: 'weekly-digest-test', args: [{ weeksPerRun: 2 }] });
    await advanceTo(env, end);
    const recipients = digestRecipients(h.config).length;
    const mails = await h.smtp.waitFor((m) => m.kind === 'digest', 5 * recipients, 30_000);

    const weeks = [...new Set(mails.map((m) => m.parsed.headers.get('x-baosong-week') as string))];
    expect(weeks).toEqual(expectedWeeks);
    const sentAt = weeks.map((w) => formatIsoInZone(mails.find((m) => m.parsed.headers.get('x-baosong-week') === w)!.date!, TZ));
    expect(sentAt).toEqual(fridays.map((f) => `${f}T16:00:00+08:00`));
    for (const w of weeks) expect(mails.filter((m) => m.parsed.headers.get('x-baosong-week') === w)).toHaveLength(recipients);

    // The chart travels inline (CID) and the figures count the seeded report.
    const first = mails[0]!;
    expect(first.parsed.attachments.find((a) => a.contentType === 'image/png')?.cid).toBeTruthy();
    // mailparser resolves cid: links to the attachment they name: the chart is really the image shown.
    expect(first.html).toMatch(/<img[^>]+src="data:image\/png;base64,/);
    const record = await h.readModel.digestFor(expectedWeeks[0]!);
    expect((record?.figures as DigestFigures).current.school.submitted).toBe(1);
    expect(record?.sentAt).toBe(atDay(fridays[0]!, 16).toISOString());

    // It continued as new (2 weeks per run) and is still waiting for the next Friday.
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    await handle.terminate('test done');
  });

  it('a second run for the same week sends nothing new', async () => {
    // The same weeks as the test above (the server's clock is past them now).
    expect(firstTestWeeks).toBeDefined();
    const { end, fridays, weeks } = firstTestWeeks!;
    const before = digests().length;
    const again = await env.client.workflow.start(weeklyDigestWorkflow, {
      taskQueue: h.config.temporal.taskQueue,
      workflowId: 'weekly-digest-rerun',
      args: [{ weeksPerRun: 1, after: atDay(fridays[3]!, 15).toISOString() }], // → the fourth week again
    });
    await advanceTo(env, new Date(end.getTime() + 3 * 3_600_000));
    await new Promise((r) => setTimeout(r, 1000));
    expect(digests().length).toBe(before);
    expect((await h.readModel.digestFor(weeks[3]!))?.messageIds).toHaveLength(digestRecipients(h.config).length);
    await again.terminate('test done');
  });
});
