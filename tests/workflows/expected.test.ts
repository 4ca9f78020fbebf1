// Expected reports (漏报 detection) on the Temporal test server with time skipping: satisfied, late, missing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkingCalendar } from '../../domain/calendar.js';
import { addDays, formatIsoInZone, formatLocalDate, fromLocal, toLocal } from '../../domain/time.js';
import { expectationsFromIcs, registerExpectation } from '../../intake/expected.js';
import { expectedStatusQuery, expectedWorkflowId, type expectedReportWorkflow } from '../../workflows/expected.js';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { handleMail } from '../../intake/handle.js';
import { SECRET, startHarness, type Harness } from '../support/baosong.js';
import { replyTo } from '../support/mails.js';
import { runCli } from '../support/cli.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';

const TZ = 'Asia/Shanghai';
const calendar = new WorkingCalendar({ holidays: ['2026-11-06'] });
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

/** 15:00 Shanghai on a working day D (at least a day ahead) whose next day is a working day too. */
async function nextWorkingAfternoon(): Promise<Date> {
  let day = formatLocalDate(toLocal(new Date((await env.currentTimeMs()) + 86_400_000), TZ));
  while (![day, addDays(day, 1)].every((d) => calendar.isWorkingDay(d))) day = addDays(day, 1);
  const [year, month, d] = day.split('-').map(Number) as [number, number, number];
  return fromLocal({ year, month, day: d, hour: 15, minute: 0, second: 0 }, TZ);
}
const hoursAfter = (d: Date, hours: number) => new Date(d.getTime() + hours * 3_600_000);
const local = (d: Date | string | null | undefined) => (d ? formatIsoInZone(new Date(d), TZ).slice(0, 16) : null);

async function expectation(eventEnd: Date, title: string) {
  const r = await registerExpectation({ client: env.client, config: h.config, readModel: h.readModel }, { departmentId: 'jiaowu', title, eventEnd, urgency: 'routine', source: 'cli' });
  return { ...r, handle: env.client.workflow.getHandle<typeof expectedReportWorkflow>(expectedWorkflowId(r.id)) };
}

async function reportFromLiaison(at: Date, eventTime: Date, title: string) {
  return h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: { name: '刘芳', email: 'liufang@school.test' }, category: '教育教学', urgency: 'routine', title, body: '活动顺利结束。', eventTime, receivedAt: at, attachments: [] });
}

describe('expected reports', () => {
  it('is satisfied by a report from the department about that day, before the deadline', async () => {
    const t0 = await nextWorkingAfternoon();
    await advanceTo(env, t0);
    const e = await expectation(t0, '七年级期中考试质量分析会');
    expect(local(e.dueAt)).toBe(local(hoursAfter(t0, 24))); // routine: next working day, same time
    await advanceTo(env, hoursAfter(t0, 3));
    const r = await reportFromLiaison(hoursAfter(t0, 3), t0, '期中考试质量分析会召开');
    expect(await e.handle.result()).toMatchObject({ status: 'satisfied', reportId: r.reportId });
    expect(await h.readModel.getExpected(e.id)).toMatchObject({ status: 'satisfied', reportId: r.reportId });
  });

  it('a report that comes after the deadline is linked and counted late, not missing', async () => {
    const t0 = await nextWorkingAfternoon();
    await advanceTo(env, t0);
    const e = await expectation(t0, '教研组长会议');
    await advanceTo(env, hoursAfter(t0, 25));
    expect((await e.handle.query(expectedStatusQuery)).status).toBe('missing');
    const r = await reportFromLiaison(hoursAfter(t0, 25), t0, '教研组长会议纪要');
    expect(await e.handle.result()).toMatchObject({ status: 'late', reportId: r.reportId });
    expect(await h.readModel.getExpected(e.id)).toMatchObject({ status: 'late', reportId: r.reportId });
  });

  it('reminds the liaison before the deadline, then marks it missing and tells the head and the office', async () => {
    const t0 = await nextWorkingAfternoon();
    await advanceTo(env, t0);
    const e = await expectation(t0, '校园开放日');
    await advanceTo(env, hoursAfter(t0, 24.5));
    const [reminder] = await h.smtp.waitFor((m) => m.kind === 'expected_reminder' && m.subject.includes('校园开放日'));
    expect(reminder!.to).toEqual(['liufang@school.test']);
    expect(local(reminder!.date)).toBe(local(hoursAfter(t0, 22))); // 2 h before, in working hours
    const missing = await h.smtp.waitFor((m) => m.kind === 'missing' && m.subject.includes('校园开放日'), 3);
    expect(missing.map((m) => m.to[0]).sort()).toEqual(['wangjianguo@school.test', 'xieyutong@school.test', 'zhouxiaomei@school.test']);
    expect(missing[0]!.subject).toBe('【漏报】教务处未按时报送：校园开放日');
    expect((await e.handle.query(expectedStatusQuery)).status).toBe('missing');
    expect(await h.readModel.getExpected(e.id)).toMatchObject({ status: 'missing', reportId: null });
    // Registering the same event again is the same expectation.
    expect((await expectation(t0, '校园开放日')).started).toBe(false);
  });
});

describe('answering the reminder', () => {
  it('a liaison who answers the reminder with the report satisfies that expectation, even without an event time', async () => {
    const t0 = await nextWorkingAfternoon();
    await advanceTo(env, t0);
    const e = await expectation(t0, '家长学校讲座');
    await advanceTo(env, hoursAfter(t0, 22.5)); // the reminder went out at t0 + 22 h
    const [reminder] = await h.smtp.waitFor((m) => m.kind === 'expected_reminder' && m.subject.includes('家长学校讲座'));
    const reply = replyTo(reminder!, '刘芳 <liufang@school.test>', '家长学校讲座昨天下午举行，300 余名家长参加。详见附件。');
    expect(await handleMail({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET }, { uid: 1, raw: reply, internalDate: hoursAfter(t0, 22.5), size: reply.length })).toEqual({ folder: 'processed' });
    const result = await e.handle.result();
    expect(result.status).toBe('satisfied');
    expect((await h.readModel.getReport(result.reportId ?? ''))?.title).toMatch(/家长学校讲座/);
  });
});

describe('expectations from the school calendar (.ics)', () => {
  const ics = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//青禾一中//校历//ZH',
    'BEGIN:VEVENT',
    'UID:open-day-2026@school.test',
    'SUMMARY:校园开放日',
    'DTSTART;TZID=Asia/Shanghai:20261204T090000',
    'DTEND;TZID=Asia/Shanghai:20261204T113000',
    'CATEGORIES:信息报送,教务处',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:sports-2026@school.test',
    'SUMMARY:冬季运动会',
    'DTSTART;VALUE=DATE:20261210',
    'DTEND;VALUE=DATE:20261212',
    'X-BAOSONG-DEPARTMENT:deyu',
    'X-BAOSONG-URGENCY:major',
    'END:VEVENT',
    'BEGIN:VEVENT',
    'UID:staff-lunch@school.test',
    'SUMMARY:教职工聚餐',
    'DTSTART;TZID=Asia/Shanghai:20261218T120000',
    'DTEND;TZID=Asia/Shanghai:20261218T133000',
    'END:VEVENT',
    'END:VCALENDAR',
  ].join('\r\n');

  it('takes the events marked for reporting, with department, urgency and end time', () => {
    const found = expectationsFromIcs(h.config, ics);
    expect(found.map((e) => ({ title: e.title, departmentId: e.departmentId, urgency: e.urgency, eventEnd: formatIsoInZone(e.eventEnd, TZ) }))).toEqual([
      { title: '校园开放日', departmentId: 'jiaowu', urgency: 'routine', eventEnd: '2026-12-04T11:30:00+08:00' },
      { title: '冬季运动会', departmentId: 'deyu', urgency: 'major', eventEnd: '2026-12-11T17:30:00+08:00' }, // all-day: end of its last day
    ]);
    expect(new Set(found.map((e) => e.id)).size).toBe(2);
  });

  it('`baosong expect --ics` registers them with the running service (and again is a no-op)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baosong-expect-'));
    writeFileSync(join(dir, 'calendar.ics'), ics);
    const yaml = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8').replace('dataDir: ./data', `dataDir: ${h.config.dataDir}`).replace('taskQueue: baosong', `taskQueue: ${h.config.temporal.taskQueue}`);
    writeFileSync(join(dir, 'school.yaml'), yaml);
    const run = () => runCli(['expect', '--ics', join(dir, 'calendar.ics'), '--config', join(dir, 'school.yaml')], { env: { TEMPORAL_ADDRESS: env.address } });
    const first = await run();
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toEqual([
      expect.objectContaining({ title: '校园开放日', department: 'jiaowu', dueAt: '2026-12-07T11:30:00+08:00', registered: 'new' }),
      expect.objectContaining({ title: '冬季运动会', department: 'deyu', dueAt: '2026-12-11T19:30:00+08:00', registered: 'new' }),
    ]);
    expect((JSON.parse((await run()).stdout) as { registered: string }[]).map((r) => r.registered)).toEqual(['already registered', 'already registered']);
    expect((await h.readModel.listExpected({ department: 'deyu' })).map((e) => e.title)).toContain('冬季运动会');
  });

  it('says which event names no department', () => {
    expect(() => expectationsFromIcs(h.config, ics.replace('CATEGORIES:信息报送,教务处', 'CATEGORIES:信息报送'))).toThrow(/校园开放日.*names no department/);
    expect(() => expectationsFromIcs(h.config, 'not a calendar')).toThrow(/Not an iCalendar file/);
  });
});
