// A report cannot be broken by big text (issue 10, item 4): 1,000 comments of 10 KB and five replies of
// 1 MB on one report, through the real intake path (texts stored before the signal), the real worker on
// our Temporal test server, SQLite and the web pages. The `status` query stays small, each run's history
// stays far below Temporal's limits (the report continues as new), and the pages still answer.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ReportStatusView } from '../../domain/lifecycle.js';
import { handleMail } from '../../intake/handle.js';
import { keepText, loadText } from '../../storage/texts.js';
import { statusUrl } from '../../mail/links.js';
import { approveSignal, commentSignal, statusQuery } from '../../workflows/report.js';
import type { WebServer } from '../../web/server.js';
import { SECRET, startHarness, startHarnessWeb, waitForStatus, type Harness } from '../support/baosong.js';
import { replyTo } from '../support/mails.js';
import { createTestEnv } from '../support/temporal.js';

const liufang = { name: '刘芳', email: 'liufang@school.test' };
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' };
const zhouxiaomei = { name: '周晓梅', email: 'zhouxiaomei@school.test' };

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let base = '';

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  ({ web, base } = await startHarnessWeb(h));
}, 60_000);

afterAll(async () => {
  await web?.close();
  await h?.close();
  await env?.teardown();
});

/** `kb` KiB of readable Chinese text, unique (the number is at the start and the end). */
function text(n: number, bytes: number): string {
  const line = `第${n}条意见：活动照片很清楚，参加人数和时间地点都写得明白。\n`;
  const body = line.repeat(Math.ceil(bytes / Buffer.byteLength(line)));
  return `${body}——意见${n}结束`;
}

/** Every run of the workflow (it continues as new when its history grows), newest first. */
async function runs(workflowId: string): Promise<temporal.api.history.v1.IHistory[]> {
  const histories: temporal.api.history.v1.IHistory[] = [];
  let runId: string | undefined = (await env.client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return histories;
}

describe('a report with a thousand comments and megabyte replies', () => {
  it('keeps its status query small and each history far below Temporal’s limits, and its pages answer', async () => {
    const now = new Date(await env.currentTimeMs());
    // The report itself is long too: 300 KB, stored; the workflow gets an excerpt and the reference.
    const longBody = text(0, 300_000);
    const { reportId, workflowId, handle } = await h.submit({
      origin: { kind: 'mail', ref: `<${randomUUID()}@school.test>` },
      from: liufang,
      category: '教育教学',
      urgency: 'routine',
      title: '七年级公开课周圆满结束',
      body: longBody,
      eventTime: now,
      receivedAt: now,
      attachments: [],
    });
    const [request] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');
    // The mail carries the text from the store (up to 20,000 characters), not the workflow's excerpt.
    expect(request!.text.split('第0条意见').length - 1).toBeGreaterThan(500);

    // 1,000 comments of 10 KB, stored first as the intake and the web do, signalled 4 at a time.
    const tenKb = Array.from({ length: 1000 }, (_, i) => i + 1);
    for (let i = 0; i < tenKb.length; i += 4) {
      await Promise.all(
        tenKb.slice(i, i + 4).map(async (n) => {
          const kept = await keepText(h.config, text(n, 10_000));
          expect(kept.ref).not.toBeNull();
          await handle.signal(commentSignal, { actor: wangjianguo, evidence: { via: 'mail', ref: `<comment-${n}@school.test>` }, text: kept.text, textRef: kept.ref });
        }),
      );
    }
    // Five replies of 1 MB by mail to the review request, through the intake.
    const deps = { config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET };
    for (let n = 1001; n <= 1005; n++) {
      const raw = replyTo(request!, `王建国 <${wangjianguo.email}>`, text(n, 1_000_000));
      expect(await handleMail(deps, { uid: n, raw, internalDate: new Date(), size: raw.length })).toEqual({ folder: 'processed' });
    }
    // Poll slowly: every query replays the history on the test server.
    let view: ReportStatusView = await handle.query(statusQuery);
    for (let i = 0; i < 300 && view.comments < 1005; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      view = await handle.query(statusQuery);
    }
    expect(view.comments).toBe(1005);

    // The status query: bounded, whatever was sent.
    const queryBytes = Buffer.byteLength(JSON.stringify(view));
    expect(queryBytes).toBeLessThan(64 * 1024);
    expect(view.timeline.length).toBeLessThanOrEqual(50);
    expect(view.timelineTotal).toBe(1005 + 2); // received, review requested, the comments
    expect(view.bodyRef).not.toBeNull();
    expect(view.body.length).toBeLessThan(1000);
    const last = view.timeline.at(-1)!;
    expect(last).toMatchObject({ type: 'comment' });
    expect(last.note!.length).toBeLessThan(1000);
    expect(await loadText(h.config, last.noteRef!)).toContain('——意见1005结束');

    // Every run’s history: far below 10,240 events and 10 MB (Temporal’s warnings), no event over 256 KB (limit 2 MB).
    const histories = await runs(workflowId);
    console.log(`big text: ${histories.length} runs, events ${histories.map((x) => x.events!.length).join(' + ')}, bytes ${histories.map((x) => temporal.api.history.v1.History.encode(x).finish().length).join(' + ')}, status query ${queryBytes} bytes`);
    expect(histories.length).toBeGreaterThan(1); // it continued as new
    for (const history of histories) {
      expect(history.events!.length).toBeLessThan(2500);
      expect(temporal.api.history.v1.History.encode(history).finish().length).toBeLessThan(4 * 1024 * 1024);
      for (const event of history.events!) expect(temporal.api.history.v1.HistoryEvent.encode(event).finish().length).toBeLessThan(256 * 1024);
    }

    // The read model has every comment; the long ones point at their stored text.
    // (the activity recording the last comments may still be running when the query already counts them)
    let comments = (await h.readModel.timeline(reportId)).filter((e) => e.type === 'comment');
    for (let i = 0; i < 60 && comments.length < 1005; i++) {
      await new Promise((r) => setTimeout(r, 500));
      comments = (await h.readModel.timeline(reportId)).filter((e) => e.type === 'comment');
    }
    expect(comments.length).toBe(1005);
    expect(comments.every((e) => typeof e.detail.noteRef === 'object')).toBe(true);

    // The pages answer, with the whole body loaded from the store.
    const status = await fetch(statusUrl(base, reportId, SECRET));
    expect(status.status).toBe(200);
    const statusHtml = await status.text();
    expect(statusHtml).toContain('——意见0结束');
    expect(statusHtml).toMatch(/以下是最近的 \d+ 条记录（共 1007 条，其中意见 1005 条）/);
    const reviewLink = /href="([^"]+\/review\/[^"?]+)/.exec(request!.html)?.[1];
    expect(reviewLink).toBeDefined();
    const review = await fetch(reviewLink!.replace(/&amp;/g, '&'));
    expect(review.status).toBe(200);
    expect(await review.text()).toContain('——意见0结束');

    // And the report still goes on to the end.
    await handle.signal(approveSignal, { actor: wangjianguo, evidence: { via: 'web', ref: 'approve-head' }, step: 0 });
    await handle.signal(approveSignal, { actor: zhouxiaomei, evidence: { via: 'web', ref: 'approve-office' }, step: 1 });
    const done: ReportStatusView = await waitForStatus(handle, (s) => s.status === 'approved', 30_000);
    expect(done.comments).toBe(1005);
    expect((await handle.query(statusQuery)).status).toBe('approved');
  }, 420_000);
});
