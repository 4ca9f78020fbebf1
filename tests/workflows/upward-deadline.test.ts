// The bureau's deadline for a report that goes up after approval (上报 within 1 hour of the event): halfway there the
// holder of the open step is reminded, with the links to decide; when it passes the principal, the leaders and the
// office are told; approved late, it goes up marked late. Real worker on the Temporal test server (time skipping),
// a real SMTP server, SQLite.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReplyToken, tokenFromAddress } from '../../mail/reply-token.js';
import { approveSignal } from '../../workflows/report.js';
import { linksIn, SECRET, startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';
import { nextQuietMorning } from '../support/waiting.js';

const fenglei = { name: '冯磊', email: 'fenglei@school.test' }; // 安全办 liaison
const zhengweidong = { name: '郑卫东', email: 'zhengweidong@school.test' }; // 安全办 head: the first step
const zhouxiaomei = { name: '周晓梅', email: 'zhouxiaomei@school.test' };
const liwenjuan = { name: '李文娟', email: 'liwenjuan@school.test' };

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env, {
    configure: (c) => ({ ...c, upward: { bureau: { name: '青禾县教育局', email: 'xxk@jyj.test', aliases: [] }, subject: '【{school}】{title}', body: true, docx: true, photos: 'attach', maxMB: 20, listenDays: 30, rules: [{ category: ['安全管理'], parallel: false, withinHours: 1 }] } }),
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});


const by = (actor: { name: string; email: string }) => ({ actor, evidence: { via: 'cli' as const, ref: randomUUID() } });

describe('the bureau’s deadline', () => {
  it('reminds the holder halfway with the links to decide, tells the principal when it passes, and the late report goes up marked late', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const { reportId, handle } = await h.submit({
      origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` }, from: fenglei, category: '安全管理', urgency: 'urgent',
      title: '实验室小火情处置情况', body: '今天上午9时，化学实验室一处插座冒烟，教师当即断电处置，无人受伤。', eventTime: t0, receivedAt: t0, attachments: [],
    });
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');

    await advanceTo(env, new Date(t0.getTime() + 31 * 60_000));
    const [reminder] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'upward_due');
    expect(reminder!.to).toEqual([zhengweidong.email]);
    expect(reminder!.subject).toBe(`【${reportId}】上报时限将到：实验室小火情处置情况`);
    expect(reminder!.text).toMatch(/距截止还有/);
    // The holder can decide from it: its links, and its reply token is the step's.
    expect(linksIn(reminder!).some((l) => /\/review\//.test(l))).toBe(true);
    const claims = verifyReplyToken(tokenFromAddress(reminder!.replyTo ?? '')!, zhengweidong.email, SECRET);
    expect(claims).toMatchObject({ ok: true, reportId, step: 0 });

    await advanceTo(env, new Date(t0.getTime() + 61 * 60_000));
    const told = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'upward_due' && /上报超时/.test(m.subject), 5);
    expect(told.map((m) => m.to[0]).sort()).toEqual(['liwenjuan@school.test', 'xieyutong@school.test', zhengweidong.email, 'zhangguodong@school.test', zhouxiaomei.email].sort());
    expect(told[0]!.text).toContain('必要时直接电话报告教育局');
    expect((await waitForStatus(handle, (s) => s.timeline.some((e) => e.type === 'upward_overdue'))).status).toBe('in_review');

    await handle.signal(approveSignal, by(zhengweidong));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(approveSignal, by(zhouxiaomei));
    await waitForStatus(handle, (s) => s.step?.index === 2);
    await handle.signal(approveSignal, by(liwenjuan));
    const [up] = await h.smtp.waitFor((m) => m.kind === 'upward' && m.reportId === reportId);
    expect(up!.to).toEqual(['xxk@jyj.test']);
    const sent = await waitForStatus(handle, (s) => s.timeline.some((e) => e.type === 'sent_upward'));
    expect(sent.timeline.find((e) => e.type === 'sent_upward')!.note).toBe('late');
  });
});
