// The report workflow for real: the Temporal test server with time skipping, the real worker and
// activities, a real SMTP server catching mail, and a real SQLite read model (PostgreSQL in its own suite).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkingCalendar } from '../../domain/calendar.js';
import type { ReportStatusView } from '../../domain/lifecycle.js';
import { formatIsoInZone, formatLocalDate, toLocal } from '../../domain/time.js';
import type { Submission } from '../../intake/submit.js';
import { approveSignal, markPublishedSignal, reviseSignal, sendBackSignal, statusQuery, withdrawSignal, type reportWorkflow } from '../../workflows/report.js';
import { ReportUses } from '../../db/uses.js';
import { WORKFLOWS_PATH } from '../../worker/index.js';
import { startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import type { CaughtMail } from '../support/smtp.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';
import { nextQuietMorning } from '../support/waiting.js';

const TZ = 'Asia/Shanghai';
const calendar = new WorkingCalendar({ holidays: ['2026-11-06'] }); // the example school's extra day off

// People of the example school (config/example.yaml).
const liufang = { name: '刘芳', email: 'liufang@school.test' }; // 教务处 liaison
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' }; // 教务处 head
const zhouxiaomei = { name: '周晓梅', email: 'zhouxiaomei@school.test' }; // office
const xieyutong = { name: '谢雨桐', email: 'xieyutong@school.test' }; // office (宣传干事)
const zhangguodong = { name: '张国栋', email: 'zhangguodong@school.test' }; // principal
const fenglei = { name: '冯磊', email: 'fenglei@school.test' }; // 安全办 liaison
const zhengweidong = { name: '郑卫东', email: 'zhengweidong@school.test' }; // 安全办 head

let env: TestWorkflowEnvironment;
let h: Harness;
let postgres: PostgresServer | undefined;
const handles: WorkflowHandle<typeof reportWorkflow>[] = [];

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await postgres?.stop();
  await env?.teardown();
});

/** Wall-clock 09:00 in Shanghai on the first working day D, at least a day ahead, with D+1 and D+2 working days too. */


const local = (d: Date | string | null) => (d === null ? null : formatIsoInZone(new Date(d), TZ).slice(0, 16));
const hoursAfter = (d: Date, hours: number) => new Date(d.getTime() + hours * 3_600_000);

function submission(at: Date, overrides: Partial<Submission> = {}): Submission {
  return {
    origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` },
    from: liufang,
    category: '教育教学',
    urgency: 'routine',
    title: '七年级公开课周圆满结束',
    body: '11月26日，七年级开展公开课周活动，12位教师展示了公开课。',
    eventTime: at,
    receivedAt: at,
    attachments: [],
    ...overrides,
  };
}

async function submit(s: Submission) {
  const r = await h.submit(s);
  handles.push(r.handle);
  return r;
}

const mailsOf = (reportId: string, kind?: string) => h.smtp.mails.filter((m) => m.reportId === reportId && (!kind || m.kind === kind));
const summary = (m: CaughtMail) => `${m.kind} → ${m.to.join(',')}`;
const by = (actor: { name: string; email: string }) => ({ actor, evidence: { via: 'mail' as const, ref: `<${randomUUID()}@school.test>` } });

/** The website editor (谢雨桐 in the example school) says it is out: 审核通过 · 待发布 → 已发布. */
async function editorPublishes(handle: WorkflowHandle<typeof reportWorkflow>, url: string | null = 'https://www.school.test/news/1.html'): Promise<void> {
  await waitForStatus(handle, (s) => s.status === 'approved');
  await handle.signal(markPublishedSignal, { ...by(xieyutong), url });
}

/** The read model agrees with the workflow's own status (eventually: the record activity runs right after each step). */
async function readModelAgrees(handle: WorkflowHandle<typeof reportWorkflow>, status: ReportStatusView): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = await h.readModel.getReport(status.reportId);
    const events = await h.readModel.timeline(status.reportId);
    const now: ReportStatusView = await handle.query(statusQuery);
    const same =
      row !== null &&
      row.status === now.status &&
      row.currentStep === (now.step?.index ?? null) &&
      JSON.stringify(row.holders) === JSON.stringify(now.step?.holders ?? []) &&
      row.overdue === now.overdue &&
      row.version === now.timeline.length &&
      events.map((e) => `${e.seq}:${e.type}`).join() === now.timeline.map((e) => `${e.seq}:${e.type}`).join();
    if (same) return;
    if (Date.now() > deadline) {
      expect({ status: row?.status, step: row?.currentStep, events: events.map((e) => e.type) }).toEqual({ status: now.status, step: now.step?.index ?? null, events: now.timeline.map((e) => e.type) });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(['sqlite', 'postgres'] as const)('reportWorkflow on the Temporal test server, read model on %s', (dialect) => {
  beforeAll(async () => {
    if (dialect === 'postgres') {
      postgres = await startPostgres();
      h = await startHarness(env, { url: await postgres.createDatabase('reports') });
    } else {
      h = await startHarness(env);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('routine: receipt, review request, reminder in working hours, escalation at the deadline, overdue reminder, two approvals, published', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const { reportId, handle } = await submit(submission(t0));
    expect(reportId).toMatch(/^R-\d{4}-\d{4}$/);

    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');
    expect(mailsOf(reportId).map(summary)).toEqual(['receipt → liufang@school.test', 'review_request → wangjianguo@school.test']);
    let status = await waitForStatus(handle, (s) => s.status === 'in_review');
    expect(status.step).toMatchObject({ index: 0, count: 2, kind: 'department_head', holders: [wangjianguo] });
    expect(local(status.deadlines.reviewDueAt)).toBe(local(hoursAfter(t0, 24)));
    await readModelAgrees(handle, status);

    // 2 h before a 09:00 deadline is 07:00, outside working hours: the reminder comes at 17:30 the day before.
    const dayEnd = hoursAfter(t0, 8.5);
    await advanceTo(env, hoursAfter(dayEnd, 0.1));
    const [reminder] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'reminder');
    expect(summary(reminder!)).toBe('reminder → wangjianguo@school.test');
    expect(local(reminder!.date)).toBe(local(dayEnd));

    // At the review deadline: escalation to the office, the step overdue, the holder reminded.
    await advanceTo(env, hoursAfter(t0, 24.1));
    const escalations = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'escalation', 2);
    expect(escalations.map((m) => m.to[0]).sort()).toEqual([xieyutong.email, zhouxiaomei.email]);
    expect(local(escalations[0]!.date)).toBe(local(hoursAfter(t0, 24)));
    status = await waitForStatus(handle, (s) => s.overdue);
    await readModelAgrees(handle, status);

    // Every working morning after that, another reminder, at the start of working hours.
    await advanceTo(env, hoursAfter(t0, 47.5));
    const overdueReminders = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'reminder', 3);
    expect(local(overdueReminders[2]!.date)).toBe(local(hoursAfter(t0, 47))); // D+2 08:00

    await handle.signal(approveSignal, { ...by(wangjianguo), round: 1, step: 0 });
    status = await waitForStatus(handle, (s) => s.step?.index === 1);
    expect(status.step?.holders).toEqual([zhouxiaomei, xieyutong]);
    await readModelAgrees(handle, status);
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request', 3);

    await handle.signal(approveSignal, { ...by(xieyutong), round: 1, step: 1 });
    // Approved is not published: the submitter and head hear "审核通过，等待发布"; the report waits for a channel.
    status = await waitForStatus(handle, (s) => s.status === 'approved');
    const approvedMails = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'approved', 2);
    expect(approvedMails.map((m) => m.to[0]).sort()).toEqual([liufang.email, wangjianguo.email]);
    expect(approvedMails[0]!.subject).toContain('审核通过');
    expect(approvedMails[0]!.text).toContain('等待发布');
    expect(mailsOf(reportId, 'published')).toEqual([]);
    await readModelAgrees(handle, status);
    expect(await h.readModel.getPublished(reportId)).toBeNull();
    // A working day later (the weekend does not count) the editor is reminded.
    const approvedAt = await env.currentTimeMs();
    for (let hours = 12; mailsOf(reportId, 'publish_request').length < 2 && hours <= 120; hours += 12) {
      await advanceTo(env, new Date(approvedAt + hours * 3_600_000));
      await new Promise((r) => setTimeout(r, 300));
    }
    const [, nudge] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'publish_request', 2);
    expect(calendar.isWorkingDay(formatLocalDate(toLocal(new Date(nudge!.date!), TZ)))).toBe(true);
    expect(new Date(nudge!.date!).getTime() - approvedAt).toBeGreaterThanOrEqual(20 * 3_600_000);
    expect(nudge!.subject).toContain('提醒：仍待发布');
    expect(nudge!.to).toEqual([xieyutong.email]);

    // The editor confirms with the page: published, and the submitter and head get the link.
    await editorPublishes(handle, 'https://www.school.test/news/2026/1201.html');
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ reportId, status: 'published', rounds: 1, publishedUrl: 'https://www.school.test/news/2026/1201.html' });
    const publishedMails = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'published', 2);
    expect(publishedMails.map((m) => m.to[0]).sort()).toEqual([liufang.email, wangjianguo.email]);
    expect(publishedMails[0]!.subject).toContain('已发布');
    expect(publishedMails[0]!.text).toContain('https://www.school.test/news/2026/1201.html');
    // The website editor gets the final text, the facts and the approvals, first, without the submitter's private link.
    const [editorMail] = mailsOf(reportId, 'publish_request');
    expect(new Set(mailsOf(reportId, 'publish_request').map((m) => m.to.join()))).toEqual(new Set([xieyutong.email]));
    expect(h.smtp.mails.indexOf(editorMail!)).toBeLessThan(Math.min(...mailsOf(reportId, 'published').map((m) => h.smtp.mails.indexOf(m))));
    expect(editorMail!.subject).toContain('待发布');
    expect(editorMail!.text).toContain('七年级公开课周圆满结束');
    expect(editorMail!.text).toMatch(/王建国 同意[\s\S]*谢雨桐 同意/);
    expect(editorMail!.html).not.toContain('/status/');
    status = await handle.query(statusQuery);
    const types = status.timeline.map((e) => e.type);
    expect(types.slice(0, 9)).toEqual(['received', 'review_requested', 'reminded', 'overdue', 'escalated', 'reminded', 'approved', 'review_requested', 'approved']);
    expect(types.slice(9, -1).every((t) => t === 'reminded') && types.length > 10).toBe(true);
    expect(types.at(-1)).toBe('published');
    await readModelAgrees(handle, status);
    expect(await h.readModel.getPublished(reportId)).toMatchObject({ reportId, title: '七年级公开课周圆满结束', departmentId: 'jiaowu', url: 'https://www.school.test/news/2026/1201.html' });
    // The school's own website is a use (录用, 校级) in the register.
    expect((await new ReportUses(h.database).usesOf([reportId])).map((u) => [u.outlet, u.level, u.kind, u.ref, u.source])).toEqual([['学校网站', '校级', '网站', 'https://www.school.test/news/2026/1201.html', 'channel']]);
  });

  it('urgent safety report: three steps, due 2 hours after the event at any hour, reminders every 30 minutes once overdue', async () => {
    const start = await nextQuietMorning(env);
    const t0 = hoursAfter(start, 12); // 21:00, outside working hours: urgent runs anyway
    await advanceTo(env, t0);
    const { reportId, handle } = await submit(submission(t0, { from: fenglei, category: '安全管理', urgency: 'urgent', title: '【紧急】校门口发生轻微交通事故' }));
    let status = await waitForStatus(handle, (s) => s.status === 'in_review');
    expect(status.step).toMatchObject({ count: 3, kind: 'department_head', holders: [zhengweidong] });
    expect(local(status.deadlines.dueAt)).toBe(local(hoursAfter(t0, 2)));

    await advanceTo(env, hoursAfter(t0, 2.6));
    const reminders = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'reminder', 3);
    expect(reminders.map((m) => local(m.date))).toEqual([local(hoursAfter(t0, 1.5)), local(hoursAfter(t0, 2)), local(hoursAfter(t0, 2.5))]);
    expect(mailsOf(reportId, 'escalation').map((m) => m.to[0]).sort()).toEqual([xieyutong.email, zhouxiaomei.email]);

    await handle.signal(approveSignal, by(zhengweidong));
    await waitForStatus(handle, (s) => s.step?.kind === 'office');
    await handle.signal(approveSignal, by(zhouxiaomei));
    status = await waitForStatus(handle, (s) => s.step?.kind === 'leadership');
    expect(status.step?.holders.map((p) => p.name)).toEqual(['张国栋', '李文娟']);
    await handle.signal(approveSignal, by(zhangguodong));
    // 安全管理 is kept, not published, in the example school: no request to the editor.
    expect((await handle.result()).status).toBe('archived');
    expect(mailsOf(reportId, 'publish_request')).toEqual([]);
    const told = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'approved', 2);
    expect(told[0]!.subject).toContain('仅存档');
  });

  it('send back with a reason → the submitter revises → review resumes at that step → approved', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const { reportId, handle } = await submit(submission(t0));
    await handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(sendBackSignal, { ...by(zhouxiaomei), reason: '照片不清晰，请补充活动现场照片' });
    let status = await waitForStatus(handle, (s) => s.status === 'returned' && s.deadlines.revisionDueAt !== null);
    expect(status.returnedCount).toBe(1);
    expect(local(status.deadlines.revisionDueAt)).toBe(local(hoursAfter(t0, 48))); // 2 working days
    const [returned] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'returned');
    expect(returned!.to).toEqual([liufang.email]);
    expect(returned!.text).toContain('照片不清晰，请补充活动现场照片');
    await readModelAgrees(handle, status);

    await handle.signal(reviseSignal, { ...by(liufang), body: '已补充三张活动现场照片。' });
    status = await waitForStatus(handle, (s) => s.status === 'in_review');
    expect(status).toMatchObject({ round: 2, step: { index: 1, kind: 'office' } });
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'revision_received');
    const requests = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request' && m.text.includes('已补充三张活动现场照片'), 2);
    expect(requests.map((m) => m.to[0]).sort()).toEqual([xieyutong.email, zhouxiaomei.email]);

    await handle.signal(approveSignal, { ...by(xieyutong), round: 2, step: 1 });
    await editorPublishes(handle);
    expect(await handle.result()).toMatchObject({ status: 'published', rounds: 2 });
  });

  it('refuses what may not happen, records it, and tells the one who tried (issue 18 §4: not the office)', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const { reportId, handle } = await submit(submission(t0));

    // Wrong person: the office cannot decide the department head's step.
    await handle.signal(approveSignal, by(zhouxiaomei));
    let status = await waitForStatus(handle, (s) => s.timeline.some((e) => e.type === 'refused'));
    expect(status.step?.index).toBe(0);
    expect(status.timeline.at(-1)).toMatchObject({ type: 'refused', refused: 'not_holder', actor: zhouxiaomei });
    const [refusedMail] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'refused');
    expect(refusedMail!.to).toEqual([zhouxiaomei.email]);

    // Wrong step: a reply meant for step 1 while step 0 is open.
    await handle.signal(approveSignal, { ...by(wangjianguo), round: 1, step: 1 });
    status = await waitForStatus(handle, (s) => s.timeline.filter((e) => e.type === 'refused').length === 2);
    expect(status.timeline.at(-1)?.refused).toBe('step_decided');

    // Decided step: the head approves, then answers the old mail again.
    await handle.signal(approveSignal, { ...by(wangjianguo), round: 1, step: 0 });
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(sendBackSignal, { ...by(wangjianguo), round: 1, step: 0, reason: '再改改' });
    status = await waitForStatus(handle, (s) => s.timeline.filter((e) => e.type === 'refused').length === 3);
    expect(status).toMatchObject({ status: 'in_review', step: { index: 1 } });
    expect(status.timeline.at(-1)?.refused).toBe('step_decided');

    // The same reply delivered twice is one action, not a refusal.
    const twice = by(zhouxiaomei);
    await handle.signal(approveSignal, twice);
    await handle.signal(approveSignal, twice);
    await editorPublishes(handle);
    expect((await handle.result()).status).toBe('published');
    status = await handle.query(statusQuery);
    expect(status.timeline.filter((e) => e.type === 'approved')).toHaveLength(2);
    expect(status.timeline.filter((e) => e.type === 'refused')).toHaveLength(3);
    await readModelAgrees(handle, status);
    // Each refusal told its actor alone: 周晓梅 once, 王建国 twice; neither 谢雨桐 nor anyone else.
    expect(h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === 'refused').map((m) => m.to[0])).toEqual([zhouxiaomei.email, wangjianguo.email, wangjianguo.email]);
  });

  it('the submitter withdraws; the holder is told and the report closes', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const { reportId, handle } = await submit(submission(t0));
    await handle.signal(withdrawSignal, { ...by(liufang), reason: '活动延期，暂不报送' });
    expect((await handle.result()).status).toBe('withdrawn');
    const withdrawn = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'withdrawn', 2);
    expect(withdrawn.map((m) => m.to[0]).sort()).toEqual([liufang.email, wangjianguo.email]);
    const row = await h.readModel.getReport(reportId);
    expect(row?.status).toBe('withdrawn');
  });

  it('a returned report not revised in time is reminded, then expires', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const { reportId, handle } = await submit(submission(t0));
    await handle.signal(sendBackSignal, { ...by(wangjianguo), reason: '数据需要核实' });
    const status = await waitForStatus(handle, (s) => s.deadlines.expiresAt !== null);
    const expiresAt = new Date(status.deadlines.expiresAt!);
    await advanceTo(env, new Date(expiresAt.getTime() + 60_000));
    expect((await handle.result()).status).toBe('expired');
    expect(local(mailsOf(reportId, 'expired')[0]?.date ?? null)).toBe(local(expiresAt));
    expect(mailsOf(reportId, 'expired').map((m) => m.to[0]).sort()).toEqual([liufang.email, wangjianguo.email]);
    // Reminders after the revision deadline (2 working days), every working morning until it expires.
    const reminders = mailsOf(reportId, 'reminder').filter((m) => m.to[0] === liufang.email);
    expect(reminders.length).toBeGreaterThanOrEqual(2);
    for (const r of reminders) expect(r.date!.getTime()).toBeGreaterThan(new Date(status.deadlines.revisionDueAt!).getTime());
  });

  it('a worker shut down in the middle of a review: a new worker finishes the report from history', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const { handle } = await submit(submission(t0));
    await waitForStatus(handle, (s) => s.status === 'in_review');
    await h.stopWorker();
    await h.startWorker({ maxCachedWorkflows: 0 });
    await handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(approveSignal, by(zhouxiaomei));
    await editorPublishes(handle);
    expect((await handle.result()).status).toBe('published');
  });

  it('the SMTP server refusing mail for a while: every mail arrives once it recovers, never twice', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    h.smtp.failWith(451);
    const refusedBefore = h.smtp.refused;
    const { reportId, handle } = await submit(submission(t0));
    await env.sleep('1 minute');
    expect(h.smtp.refused - refusedBefore).toBeGreaterThanOrEqual(3);
    expect(mailsOf(reportId)).toEqual([]);
    // Meanwhile the report answers its page: the refused first try handed its mails to the retrying activity
    // instead of holding the workflow (and every query) until the server recovers.
    expect((await handle.query(statusQuery)).status).toBe('in_review');
    h.smtp.failWith(null);
    await env.sleep('6 minutes');
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');
    const sent = await h.readModel.mailFor(reportId);
    expect(sent.filter((m) => m.status === 'sent')).toHaveLength(2);
    // The receipt was refused until the server recovered; the review request goes out only after it.
    expect(sent.find((m) => m.kind === 'receipt')?.attempts).toBeGreaterThanOrEqual(3);
    const ids = mailsOf(reportId).map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(mailsOf(reportId).map((m) => m.kind)).toEqual(['receipt', 'review_request']);
    await handle.signal(withdrawSignal, by(liufang));
    await handle.result();
  });

  it('every mail of a report threads: same References root, replies to the liaison’s mail, Auto-Submitted, a personal reply token for reviewers', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const s = submission(t0);
    const { reportId, handle } = await submit(s);
    await handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(handle, (st) => st.step?.index === 1);
    await handle.signal(approveSignal, by(xieyutong));
    await editorPublishes(handle);
    await handle.result();
    const mails = await h.smtp.waitFor((m) => m.reportId === reportId, 7);
    const root = `<${reportId}@school.test>`;
    for (const m of mails) {
      expect(m.references).toEqual([s.origin.ref, root]);
      expect(m.inReplyTo).toBe(s.origin.ref);
      expect(m.autoSubmitted).toBe('auto-generated');
      expect(m.subject).toContain(`【${reportId}】`);
      // The recipient's reply token is in the Message-ID too, the same as in the Reply-To sub-address.
      expect(m.messageId).toMatch(new RegExp(`^<${reportId}\\.\\d+-[a-z_]+\\.t-r\\d{4}-\\d{4,}-\\d+-(\\d+|x)-[a-z2-7]{16}@school\\.test>$`));
      expect(m.messageId.slice(m.messageId.indexOf('.t-') + 3, m.messageId.lastIndexOf('@'))).toBe(/^baosong\+([^@]+)@/.exec(m.replyTo ?? '')?.[1]);
    }
    const tokens = mails.filter((m) => m.kind === 'review_request').map((m) => m.replyTo);
    expect(tokens.every((t) => /^baosong\+r\d{4}-\d{4,}-\d+-\d+-[a-z2-7]{16}@school\.test$/.test(t ?? ''))).toBe(true);
    expect(new Set(tokens).size).toBe(tokens.length);
    // The receipt's token names the report and the liaison, but no step: it can revise or comment, never approve.
    expect(mails.find((m) => m.kind === 'receipt')?.replyTo).toMatch(/^baosong\+r\d{4}-\d{4,}-1-x-[a-z2-7]{16}@school\.test$/);
  });

  it('a repeated submission is the same report', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const s = submission(t0);
    const first = await submit(s);
    const again = await h.submit(s);
    expect(again).toMatchObject({ reportId: first.reportId, workflowId: first.workflowId, started: false });
    await first.handle.signal(withdrawSignal, by(liufang));
    await first.handle.result();
    expect(mailsOf(first.reportId, 'receipt')).toHaveLength(1);
  });

  it('every history produced so far replays without a determinism error', async () => {
    const histories = [];
    for (const handle of handles) histories.push({ workflowId: handle.workflowId, history: await handle.fetchHistory() });
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'reports' }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(histories.length).toBeGreaterThanOrEqual(9);
    expect(failures).toEqual([]);
    // A report started today records one patch marker for every behaviour up to 0.8.0 (runs before it, one each).
    for (const { workflowId, history } of histories) {
      const markers = (history.events ?? []).flatMap((e) => (e.markerRecordedEventAttributes?.markerName === 'core_patch' ? [e.markerRecordedEventAttributes] : []));
      expect(markers.map((m) => defaultPayloadConverter.fromPayload<{ id: string }>(m.details!['patch-data']!.payloads![0]!).id), workflowId).toEqual(['report-0.8.0']);
    }
  });
});
