// A step's record, mails, the publication's record and the plan the next step needs go in one activity in runs
// since patched('step-batches') (issue 26). During an upgrade the step's ordinary activity may run on a worker of
// the release before, whose settleReport only records and mails: the report must still remind the editor and
// record the publication in the register of uses (考核 counts it), asking for those apart.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { ChatRobots } from '../../chat/index.js';
import { ReportUses } from '../../db/uses.js';
import { createTestWorker } from '../../temporal-server/testing.js';
import { markPublishedSignal } from '../../workflows/report.js';
import { approveInTurn, startHarness, testWorkflowCode, waitForStatus, type Harness } from '../support/baosong.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';

const liufang = { name: '刘芳', email: 'liufang@school.test' };
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' };
const xieyutong = { name: '谢雨桐', email: 'xieyutong@school.test' };
const by = (actor: { name: string; email: string }) => ({ actor, evidence: { via: 'mail' as const, ref: `<${randomUUID()}@school.test>` } });

let env: TestWorkflowEnvironment;
let h: Harness;
let older: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  await h.stopWorker();
  const current = createActivities({ config: h.config, database: h.database, readModel: h.readModel, transport: h.transport, secret: 'step-batches-test', chat: new ChatRobots(h.config) });
  // The release before 'step-batches': its settleReport knows only the record and the mails, and answers nothing.
  const settleReport = async (step: Parameters<typeof current.settleReport>[0]): Promise<void> => {
    await current.settleReport({ update: step.update, mails: step.mails });
  };
  older = await createTestWorker(env, { taskQueue: h.config.temporal.taskQueue, ...testWorkflowCode(), activities: { ...current, settleReport } });
  running = older.run();
}, 60_000);

afterAll(async () => {
  if (older?.getState() === 'RUNNING') older.shutdown();
  await running;
  await h?.close();
  await env?.teardown();
});

describe('a step whose activity ran on a worker of the release before', () => {
  it('still reminds the editor a working day later, and the publication is in the register of uses', async () => {
    const now = new Date(await env.currentTimeMs());
    const { reportId, handle } = await h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '校园文化', urgency: 'routine', title: '读书节开幕式', body: '今天上午举行读书节开幕式。', eventTime: now, receivedAt: now, attachments: [] });
    await approveInTurn(handle, wangjianguo, xieyutong);
    await waitForStatus(handle, (s) => s.status === 'approved');
    const mailsOf = (kind: string) => h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === kind);
    await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'approved', 2);

    const approvedAt = await env.currentTimeMs();
    for (let hours = 12; mailsOf('publish_request').length < 2 && hours <= 120; hours += 12) {
      await advanceTo(env, new Date(approvedAt + hours * 3_600_000));
      await new Promise((r) => setTimeout(r, 300));
    }
    const [, nudge] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'publish_request', 2);
    expect(nudge!.subject).toContain('提醒：仍待发布');

    await handle.signal(markPublishedSignal, { ...by(xieyutong), url: `https://www.school.test/news/${reportId}.html` });
    expect(await handle.result()).toMatchObject({ status: 'published', publishedUrl: `https://www.school.test/news/${reportId}.html` });
    const told = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'published', 2);
    expect(told.map((m) => m.to[0]).sort()).toEqual([liufang.email, wangjianguo.email]);
    expect(await h.readModel.getPublished(reportId)).toMatchObject({ url: `https://www.school.test/news/${reportId}.html` });
    expect((await new ReportUses(h.database).usesOf([reportId])).map((u) => [u.outlet, u.kind, u.ref])).toEqual([['学校网站', '网站', `https://www.school.test/news/${reportId}.html`]]);
  }, 120_000);
});
