// The `act` update: a page that waits for an action's outcome hears the workflow's decision itself — done, or
// refused with the reason — instead of signalling and reading the timeline back. Run with the real client and
// worker on our test server (which implements updates: temporal-server/README.md).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { actOnReport, ReportActionError } from '../../ops/report-actions.js';
import { TEST_SERVER_PATH } from '../../temporal-server/testing.js';
import { actUpdate, statusQuery } from '../../workflows/report.js';
import { startHarness, type Harness } from '../support/baosong.js';
import { createTestEnv } from '../support/temporal.js';

const liufang = { name: '刘芳', email: 'liufang@school.test' };
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' };
const xieyutong = { name: '谢雨桐', email: 'xieyutong@school.test' };

let env: TestWorkflowEnvironment;
let h: Harness;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

async function submit(title: string) {
  const now = new Date(await env.currentTimeMs());
  return h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '校园文化', urgency: 'routine', title, body: '今天下午举行了活动。', eventTime: now, receivedAt: now, attachments: [] });
}

describe('actUpdate', () => {
  it('answers the decision: done for the holder, refused with the reason for someone else, once per evidence', async () => {
    const { handle } = await submit('校园科技节');
    // The office person does not hold the head's step: the answer is the refusal, recorded, and nothing moved.
    const early = await handle.executeUpdate(actUpdate, { args: [{ type: 'approve', actor: xieyutong, evidence: { via: 'web', ref: 'office:early-1' } }], updateId: 'office:early-1' });
    expect(early).toMatchObject({ seen: 'now', status: 'in_review', entry: { type: 'refused', refused: 'not_holder' } });
    expect((await handle.query(statusQuery)).step?.index).toBe(0);

    const approve = { type: 'approve' as const, actor: wangjianguo, evidence: { via: 'link' as const, ref: 'link-abc' }, step: 0, round: 1 };
    const first = await handle.executeUpdate(actUpdate, { args: [approve], updateId: 'link:link-abc' });
    expect(first).toMatchObject({ seen: 'now', status: 'in_review', entry: { type: 'approved', actor: wangjianguo } });
    // The same click again (same update id) is the same update; the same evidence under another id answers 'earlier'.
    expect(await handle.executeUpdate(actUpdate, { args: [approve], updateId: 'link:link-abc' })).toEqual(first);
    expect(await handle.executeUpdate(actUpdate, { args: [approve], updateId: 'link:link-abc-again' })).toMatchObject({ seen: 'earlier', entry: { seq: first.entry!.seq, type: 'approved' } });
    const view = await handle.query(statusQuery);
    expect(view.step?.index).toBe(1);
    expect(view.timeline.filter((e) => e.type === 'approved')).toHaveLength(1);
    // The head heard of the approval once (one mail per holder of the next step, not two).
    await h.smtp.waitFor((m) => m.reportId === view.reportId && m.kind === 'review_request' && m.to[0] === xieyutong.email, 1);
  }, 60_000);

  it('answers a send-back with its reason and a withdrawal with the end; an action after the end fails at once', async () => {
    const { handle } = await submit('家长开放日');
    const back = await handle.executeUpdate(actUpdate, { args: [{ type: 'sendBack', actor: wangjianguo, evidence: { via: 'web', ref: 'office:back-1' }, reason: '请补充活动照片' }], updateId: 'office:back-1' });
    expect(back).toMatchObject({ seen: 'now', status: 'returned', entry: { type: 'sent_back', note: '请补充活动照片' } });
    const gone = await handle.executeUpdate(actUpdate, { args: [{ type: 'withdraw', actor: xieyutong, evidence: { via: 'web', ref: 'office:w-1' }, reason: '重复报送' }], updateId: 'office:w-1' });
    expect(gone).toMatchObject({ status: 'withdrawn', entry: { type: 'withdrawn' } });
    await handle.result();

    const started = Date.now();
    const late = await handle.executeUpdate(actUpdate, { args: [{ type: 'remind', actor: xieyutong, evidence: { via: 'web', ref: 'office:r-1' } }], updateId: 'office:r-1' }).catch((e: unknown) => e);
    // The workflow has closed: Temporal answers NOT_FOUND (ops/report-actions.ts says 报送已结束). While it is
    // still closing (a chat message on its way) the validator refuses with REPORT_CLOSED instead.
    expect(late).toBeInstanceOf(WorkflowNotFoundError);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 60_000);
});

describe('a Temporal server with workflow updates switched off', () => {
  it('the office’s action is refused with EACTION_UNAVAILABLE, telling the IT teacher to run baosong doctor', async () => {
    const off = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: TEST_SERVER_PATH }, extraArgs: ['--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=false'] },
    });
    const harness = await startHarness(off);
    try {
      const now = new Date(await off.currentTimeMs());
      const { reportId } = await harness.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '校园文化', urgency: 'routine', title: '运动会', body: '今天举行了运动会。', eventTime: now, receivedAt: now, attachments: [] });
      await expect.poll(async () => (await harness.readModel.getReport(reportId))?.status).toBe('in_review');
      const err = await actOnReport({ config: harness.config, client: off.client, readModel: harness.readModel }, reportId, xieyutong, { kind: 'remind' }, { via: 'web' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReportActionError);
      expect(err).toMatchObject({ code: 'EACTION_UNAVAILABLE', message: expect.stringMatching(/关闭了“工作流更新”.*baosong doctor/) });
    } finally {
      await harness.close();
      await off.teardown();
    }
  }, 60_000);
});
