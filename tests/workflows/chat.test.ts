// Chat robots beside mail, for real: the Temporal test server with time skipping, the real worker and
// activities, the SMTP catcher, SQLite, and a loopback server speaking the three robots' APIs
// (tests/support/chat-robots.ts). An urgent report's chat messages come at the right virtual times, to
// the right groups; a chat outage delays no mail.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../../config/schema.js';
import type { ChatMessageRow } from '../../db/read-model.js';
import { WorkingCalendar } from '../../domain/calendar.js';
import { addDays, formatIsoInZone, formatLocalDate, fromLocal, toLocal } from '../../domain/time.js';
import type { Submission } from '../../intake/submit.js';
import { registerExpectation } from '../../intake/expected.js';
import { weeklyDigestWorkflow } from '../../workflows/digest.js';
import { expectedWorkflowId, type expectedReportWorkflow } from '../../workflows/expected.js';
import { approveSignal } from '../../workflows/report.js';
import { startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { startChatRobotServer, type AcceptedMessage, type ChatRobotServer } from '../support/chat-robots.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';

const TZ = 'Asia/Shanghai';
const calendar = new WorkingCalendar({ holidays: ['2026-11-06'] });
const fenglei = { name: '冯磊', email: 'fenglei@school.test' }; // 安全办 liaison
const zhengweidong = { name: '郑卫东', email: 'zhengweidong@school.test' }; // 安全办 head
const zhouxiaomei = { name: '周晓梅', email: 'zhouxiaomei@school.test' }; // office
const zhangguodong = { name: '张国栋', email: 'zhangguodong@school.test' }; // principal
const ZHENG_MOBILE = '13900002222';
const ZHOU_MOBILE = '13800001111';
const DING_SECRET = 'SEC5f2d0c8a41b7e6930d2c4a8b1e7f60395a2c4d8e1b7f6a0c3d5e9b2a4c6d8e0f';
const FEISHU_SECRET = 'q3ZbV0o6s1XcK9Jm2Lr8Tw';
const chatEnv = { BAOSONG_WECOM_ANQUAN_KEY: 'wecom-anquan', BAOSONG_DINGTALK_OFFICE_TOKEN: 'ding-office', BAOSONG_DINGTALK_OFFICE_SECRET: DING_SECRET, BAOSONG_FEISHU_LEADERS_TOKEN: 'feishu-leaders', BAOSONG_FEISHU_LEADERS_SECRET: FEISHU_SECRET };

let env: TestWorkflowEnvironment;
let h: Harness;
let robots: ChatRobotServer;

function withChat(baseUrl: string) {
  return (config: Config): Config => ({
    ...config,
    departments: config.departments.map((d) => (d.id === 'anquan' ? { ...d, head: { ...d.head, mobile: ZHENG_MOBILE } } : d)),
    office: { reviewers: config.office.reviewers.map((p) => (p.email === zhouxiaomei.email ? { ...p, mobile: ZHOU_MOBILE } : p)) },
    chat: {
      events: ['new_report', 'review_waiting', 'overdue', 'expected_missing', 'digest'],
      urgencies: ['major', 'urgent'],
      robots: [
        { kind: 'wecom', name: 'anquan-wecom', for: ['anquan'], keyEnv: 'BAOSONG_WECOM_ANQUAN_KEY', baseUrl },
        { kind: 'dingtalk', name: 'office-dingtalk', for: ['office'], accessTokenEnv: 'BAOSONG_DINGTALK_OFFICE_TOKEN', secretEnv: 'BAOSONG_DINGTALK_OFFICE_SECRET', baseUrl },
        { kind: 'feishu', name: 'leaders-feishu', for: ['leadership'], tokenEnv: 'BAOSONG_FEISHU_LEADERS_TOKEN', secretEnv: 'BAOSONG_FEISHU_LEADERS_SECRET', baseUrl },
      ],
    },
  });
}

beforeAll(async () => {
  robots = await startChatRobotServer({ wecom: { keys: ['wecom-anquan'] }, dingtalk: { 'ding-office': DING_SECRET }, feishu: { 'feishu-leaders': FEISHU_SECRET } });
  env = await createTestEnv();
  h = await startHarness(env, { configure: withChat(robots.baseUrl), chatEnv });
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  await robots?.close();
});

/** 21:00 in Shanghai on a working day at least a day ahead (urgent reports run at any hour). */
async function nextEvening(): Promise<Date> {
  let day = formatLocalDate(toLocal(new Date((await env.currentTimeMs()) + 86_400_000), TZ));
  while (![day, addDays(day, 1)].every((d) => calendar.isWorkingDay(d))) day = addDays(day, 1);
  const [year, month, dayOfMonth] = day.split('-').map(Number) as [number, number, number];
  return fromLocal({ year, month, day: dayOfMonth, hour: 21, minute: 0, second: 0 }, TZ);
}

const local = (d: Date | string | null) => (d === null ? null : formatIsoInZone(new Date(d), TZ).slice(0, 16));
const hoursAfter = (d: Date, hours: number) => new Date(d.getTime() + hours * 3_600_000);
const about = (reportId: string) => (m: AcceptedMessage) => JSON.stringify(m.body).includes(reportId);
const by = (actor: { name: string; email: string }) => ({ actor, evidence: { via: 'mail' as const, ref: `<${randomUUID()}@school.test>` } });

function urgent(at: Date): Submission {
  return {
    origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` },
    from: fenglei,
    category: '安全管理',
    urgency: 'urgent',
    title: '【紧急】校门口发生轻微交通事故',
    body: '今晚20时45分，校门口一辆电动车与私家车轻微剐蹭，无人受伤。',
    eventTime: at,
    receivedAt: at,
    attachments: [],
  };
}

/** The report's recorded chat messages, once `ready` holds for them (the record follows the robot's answer). */
async function chatRows(reportId: string, ready: (rows: ChatMessageRow[]) => boolean): Promise<ChatMessageRow[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await h.readModel.chatMessagesFor(reportId);
    if (ready(rows) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each mail of a report as "kind → to @ minutes after t0", in a stable order. */
function mailTimeline(reportId: string, t0: Date): string[] {
  return h.smtp.mails
    .filter((m) => m.reportId === reportId)
    .map((m) => `${m.kind} → ${m.to.join(',')} @ +${Math.round(((m.date?.getTime() ?? 0) - t0.getTime()) / 60_000)}m`)
    .sort();
}

describe('chat robots beside mail (WeCom, DingTalk, Feishu) on the Temporal test server', () => {
  it('an urgent report: new report to every group at once, the overdue review to the holder’s and the office’s group @-mentioning the holder, each waiting step to its group', async () => {
    const t0 = await nextEvening();
    await advanceTo(env, t0);
    const { reportId, handle } = await h.submit(urgent(t0));

    // At once: the department's WeCom group, the office's DingTalk group, the leadership's Feishu group.
    const opened = await robots.waitFor(about(reportId), 3);
    expect(opened.map((m) => m.vendor).sort()).toEqual(['dingtalk', 'feishu', 'wecom']);
    expect(JSON.stringify(opened)).toContain('新报送');
    let rows = await chatRows(reportId, (rs) => rs.length === 3 && rs.every((r) => r.status === 'sent'));
    expect(rows.map((r) => `${r.event} ${r.robot} ${r.status} ${local(r.createdAt)}`).sort()).toEqual(
      ['anquan-wecom', 'leaders-feishu', 'office-dingtalk'].map((robot) => `new_report ${robot} sent ${local(t0)}`),
    );

    // Two hours later the head has not decided: overdue, to 安全办's group and the office's, @郑卫东.
    await advanceTo(env, hoursAfter(t0, 2.1));
    const overdue = await robots.waitFor((m) => about(reportId)(m) && JSON.stringify(m.body).includes('超时'), 2);
    const wecom = overdue.find((m) => m.vendor === 'wecom')!;
    expect(wecom.body).toMatchObject({ msgtype: 'text', text: { mentioned_mobile_list: [ZHENG_MOBILE] } });
    expect(overdue.find((m) => m.vendor === 'dingtalk')!.body).toMatchObject({ at: { atMobiles: [ZHENG_MOBILE] } });
    rows = await chatRows(reportId, (rs) => rs.filter((r) => r.event === 'overdue' && r.status === 'sent').length === 2);
    expect(rows.filter((r) => r.event === 'overdue').map((r) => `${r.robot} ${local(r.createdAt)}`).sort()).toEqual([`anquan-wecom ${local(hoursAfter(t0, 2))}`, `office-dingtalk ${local(hoursAfter(t0, 2))}`]);

    // The head approves at +2h10m: the office step waits, in the office's group, @周晓梅.
    await advanceTo(env, hoursAfter(t0, 2 + 1 / 6));
    await handle.signal(approveSignal, by(zhengweidong));
    const officeWaiting = await robots.waitFor((m) => about(reportId)(m) && m.vendor === 'dingtalk' && JSON.stringify(m.body).includes('】待审核'));
    expect(officeWaiting[0]!.body).toMatchObject({ at: { atMobiles: [ZHOU_MOBILE] } });
    await waitForStatus(handle, (s) => s.step?.kind === 'office');
    await handle.signal(approveSignal, by(zhouxiaomei));
    await robots.waitFor((m) => about(reportId)(m) && m.vendor === 'feishu' && JSON.stringify(m.body).includes('】待审核'));
    await waitForStatus(handle, (s) => s.step?.kind === 'leadership');
    await handle.signal(approveSignal, by(zhangguodong));
    expect((await handle.result()).status).toBe('archived');

    rows = await chatRows(reportId, (rs) => rs.length === 7 && rs.every((r) => r.status === 'sent'));
    expect(rows.map((r) => `${r.event} ${r.robot}`).sort()).toEqual([
      'new_report anquan-wecom',
      'new_report leaders-feishu',
      'new_report office-dingtalk',
      'overdue anquan-wecom',
      'overdue office-dingtalk',
      'review_waiting leaders-feishu',
      'review_waiting office-dingtalk',
    ]);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    expect(robots.accepted.filter(about(reportId))).toHaveLength(7); // each once
    // Routine traffic stays in mail: reminders, receipts and approvals have no chat message.
  }, 90_000);

  it('a chat outage delays no mail: the same mails at the same virtual times; chat catches up once the robots answer', async () => {
    // Baseline: an urgent report with the robots up.
    const t0 = await nextEvening();
    await advanceTo(env, t0);
    const first = await h.submit(urgent(t0));
    await advanceTo(env, hoursAfter(t0, 2.1));
    await h.smtp.waitFor((m) => m.reportId === first.reportId && m.kind === 'escalation', 2);
    const baseline = mailTimeline(first.reportId, t0);

    // The same report the next evening with every robot answering 502.
    const t1 = await nextEvening();
    await advanceTo(env, t1);
    robots.outage(true);
    const second = await h.submit(urgent(t1));
    await advanceTo(env, hoursAfter(t1, 2.1));
    await h.smtp.waitFor((m) => m.reportId === second.reportId && m.kind === 'escalation', 2);
    expect(mailTimeline(second.reportId, t1)).toEqual(baseline);
    expect(baseline.length).toBeGreaterThanOrEqual(6); // receipt, review request, reminders, 2 escalations
    expect(robots.accepted.filter(about(second.reportId))).toEqual([]);
    const failing = await chatRows(second.reportId, (rs) => rs.length === 5 && rs.every((r) => r.status === 'failed'));
    expect(failing).toHaveLength(5); // 3 new-report and 2 overdue messages, none delivered
    expect(failing.every((r) => r.status === 'failed' && r.attempts >= 2)).toBe(true);
    expect(failing.find((r) => r.event === 'overdue')?.error).toContain('ECHAT_UNREACHABLE');

    // The robots come back: the overdue messages (still within their hour) go out, once each; the new-report
    // ones gave up after an hour and stay recorded as failed.
    robots.outage(false);
    await env.sleep('6 minutes');
    const late = await robots.waitFor(about(second.reportId), 2);
    expect(late.map((m) => m.vendor).sort()).toEqual(['dingtalk', 'wecom']);
    const rows = await chatRows(second.reportId, (rs) => rs.filter((r) => r.status === 'sent').length === 2);
    expect(rows.filter((r) => r.status === 'sent').map((r) => `${r.event} ${r.robot}`).sort()).toEqual(['overdue anquan-wecom', 'overdue office-dingtalk']);
    expect(rows.filter((r) => r.event === 'new_report').every((r) => r.status === 'failed')).toBe(true);

    // Neither report is held up by chat: both finish.
    for (const { handle } of [first, second]) {
      await handle.signal(approveSignal, by(zhengweidong));
      await waitForStatus(handle, (s) => s.step?.kind === 'office');
      await handle.signal(approveSignal, by(zhouxiaomei));
      await waitForStatus(handle, (s) => s.step?.kind === 'leadership');
      await handle.signal(approveSignal, by(zhangguodong));
      expect((await handle.result()).status).toBe('archived');
    }
  }, 240_000);

  it('a missing expected report (漏报) goes to the department’s and the office’s group; the weekly digest’s headline to the office’s and the leadership’s', async () => {
    const t0 = await nextEvening();
    await advanceTo(env, t0);
    const e = await registerExpectation({ client: env.client, config: h.config, readModel: h.readModel }, { departmentId: 'anquan', title: '消防演练', eventEnd: t0, urgency: 'major', source: 'cli' });
    const handle = env.client.workflow.getHandle<typeof expectedReportWorkflow>(expectedWorkflowId(e.id));
    await advanceTo(env, new Date(new Date(e.dueAt).getTime() + 60_000));
    const missing = await robots.waitFor((m) => JSON.stringify(m.body).includes('【漏报】安全办：消防演练'), 2);
    expect(missing.map((m) => m.vendor).sort()).toEqual(['dingtalk', 'wecom']);
    expect(missing.find((m) => m.vendor === 'wecom')!.body).toMatchObject({ text: { mentioned_mobile_list: [ZHENG_MOBILE] } });
    await h.smtp.waitFor((m) => m.kind === 'missing' && m.subject.includes('消防演练'), 3); // the head and the two office reviewers, as before
    const rows = await chatRows(e.id, (rs) => rs.length === 2 && rs.every((r) => r.status === 'sent'));
    expect(rows.map((r) => `${r.event} ${r.robot} ${local(r.createdAt)}`).sort()).toEqual([`expected_missing anquan-wecom ${local(e.dueAt)}`, `expected_missing office-dingtalk ${local(e.dueAt)}`]);
    await handle.terminate('test done');

    // The next Friday 16:00 (Shanghai): the digest mail, then its headline in chat.
    const digest = await env.client.workflow.start(weeklyDigestWorkflow, { taskQueue: h.config.temporal.taskQueue, workflowId: `digest-chat-${randomUUID()}`, args: [{ weeksPerRun: 1 }] });
    let friday = formatLocalDate(toLocal(new Date(await env.currentTimeMs()), TZ));
    for (;;) {
      const [year, month, day] = friday.split('-').map(Number) as [number, number, number];
      const at = fromLocal({ year, month, day, hour: 16, minute: 0, second: 0 }, TZ);
      if (at.getDay() === 5 && at.getTime() > (await env.currentTimeMs())) break; // 16:00 Shanghai is 08:00 UTC: same weekday
      friday = addDays(friday, 1);
    }
    const [fy, fm, fd] = friday.split('-').map(Number) as [number, number, number];
    await advanceTo(env, hoursAfter(fromLocal({ year: fy, month: fm, day: fd, hour: 16, minute: 0, second: 0 }, TZ), 1));
    const headline = await robots.waitFor((m) => JSON.stringify(m.body).includes('本周信息报送周报'), 2);
    expect(headline.map((m) => m.vendor).sort()).toEqual(['dingtalk', 'feishu']);
    expect(JSON.stringify(headline[0]!.body)).toMatch(/报送 \d+ 条，按时 \d+，迟报 \d+，漏报 [1-9]/);
    const weekly = h.smtp.mails.filter((m) => m.kind === 'digest');
    expect(weekly.length).toBeGreaterThan(0);
    const week = weekly[0]!.parsed.headers.get('x-baosong-week') as string;
    const sent = await chatRows(week, (rs) => rs.length === 2);
    expect(sent.map((r) => `${r.robot} ${r.status} ${formatIsoInZone(new Date(r.createdAt), TZ).slice(11, 16)}`).sort()).toEqual(['leaders-feishu sent 16:00', 'office-dingtalk sent 16:00']);
    await digest.terminate('test done');
  }, 120_000);
});
