// A flood of forged replies is told to each person once an hour per report, never once per forgery: the
// first at once, the rest held and counted in the next ("12 forged replies since …"). Real worker and
// activities on the Temporal test server (time skipping), a real SMTP server, SQLite.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveSignal, commentSignal } from '../../workflows/report.js';
import { startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';
import { nextQuietMorning } from '../support/waiting.js';

const liufang = { name: '刘芳', email: 'liufang@school.test' }; // 教务处 liaison
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' }; // 教务处 head, holds the first step
const OFFICE = ['zhouxiaomei@school.test', 'xieyutong@school.test'];

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


/** A reply that failed the token or sender check, claiming to be the head. */
const forged = () => ({ actor: wangjianguo, evidence: { via: 'mail' as const, ref: `<${randomUUID()}@attacker.test>` }, authenticity: { ok: false as const, problem: 'no reply token' } });

describe('forged replies', () => {
  it('12 forged approvals and comments: one alert to each office member and to the head; an hour later the next says how many since when', async () => {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const { reportId, handle } = await h.submit({
      origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` }, from: liufang, category: '教育教学', urgency: 'routine',
      title: '期中考试质量分析会', body: '分析会已召开。', eventTime: t0, receivedAt: t0, attachments: [],
    });
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');

    for (let i = 0; i < 12; i++) {
      if (i % 3 === 2) await handle.signal(commentSignal, { ...forged(), text: '' });
      else await handle.signal(approveSignal, forged());
    }
    await waitForStatus(handle, (s) => s.timeline.filter((e) => e.type === 'refused').length === 12);
    const alerts = () => h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === 'refused');
    // Let the last step's mail activity finish before counting (every refusal is one step).
    await new Promise((r) => setTimeout(r, 1500));
    expect(alerts().map((m) => m.to[0]).sort()).toEqual([...OFFICE, wangjianguo.email].sort());
    const held = (await h.readModel.mailFor(reportId)).filter((m) => m.kind === 'forgery_alert' && m.status === 'held');
    expect(held).toHaveLength(11 * 3);

    // An hour and a minute later, one more: each person gets one mail counting the 12 refused since the first held one.
    await env.sleep('61 minutes');
    await handle.signal(approveSignal, forged());
    await waitForStatus(handle, (s) => s.timeline.filter((e) => e.type === 'refused').length === 13);
    const second = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'refused', 6);
    const latest = second.slice(3);
    expect(latest.map((m) => m.to[0]).sort()).toEqual([...OFFICE, wangjianguo.email].sort());
    for (const m of latest) expect(m.text).toMatch(/自 .+ 以来，这份报送共有 12 封冒名回复被拒绝/);
    expect(alerts()).toHaveLength(6);
  }, 180_000);
});
