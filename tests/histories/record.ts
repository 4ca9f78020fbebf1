/**
 * Records the histories of a release: one report through each path, an expected report, the digest.
 * `npm run histories:record -- 0.2.0` writes tests/fixtures/histories/0.2.0/*.json (Temporal's JSON
 * history format, as `temporal workflow show --output json` prints it), which
 * tests/workflows/replay-saved.test.ts replays against the current workflow code forever after.
 * Run it on the release's code, before changing any workflow (docs/operations.md, "Upgrades").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Submission } from '../../intake/submit.js';
import { registerExpectation } from '../../intake/expected.js';
import { expectedWorkflowId, type expectedReportWorkflow } from '../../workflows/expected.js';
import { weeklyDigestWorkflow } from '../../workflows/digest.js';
import { actUpdate, approveSignal, bureauNoticeSignal, commentSignal, markPublishedSignal, reassignSignal, reviseSignal, sendBackSignal, withdrawSignal } from '../../workflows/report.js';
import { startHarness, waitForStatus } from '../support/baosong.js';
import { advanceTo, createTestEnv } from '../support/temporal.js';
import { nextQuietMorning } from '../support/waiting.js';

const release = process.argv[2];
/** `--only NAME`: record one path (while working on the recorder). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const wanted = (name: string) => only === undefined || only === name;
if (!release || !/^\d+\.\d+\.\d+$/.test(release)) {
  console.error('usage: npm run histories:record -- <release, e.g. 0.2.0>');
  process.exit(2);
}
const outDir = join(import.meta.dirname, '..', 'fixtures', 'histories', release);

// People of the example school (config/example.yaml).
const liufang = { name: '刘芳', email: 'liufang@school.test' };
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' };
const zhouxiaomei = { name: '周晓梅', email: 'zhouxiaomei@school.test' };
const xieyutong = { name: '谢雨桐', email: 'xieyutong@school.test' };
const liwenjuan = { name: '李文娟', email: 'liwenjuan@school.test' }; // vice-principal
const by = (actor: { name: string; email: string }) => ({ actor, evidence: { via: 'mail' as const, ref: `<${randomUUID()}@school.test>` } });

const env = await createTestEnv();
// 上报 (0.4.0): incidents go up to the county bureau at once; other categories as before (no rule covers them).
const bureau = { name: '青禾县教育局', email: 'xxk@jyj.test' };
const h = await startHarness(env, {
  configure: (c) => ({ ...c, upward: { bureau: { ...bureau, aliases: [] }, subject: '【{school}】{title}', body: true, docx: true, photos: 'attach', maxMB: 20, listenDays: 30, rules: [{ category: ['安全管理'], parallel: true, withinHours: 1 }] } }),
});
mkdirSync(outDir, { recursive: true });


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

/** Every run of the workflow (a report that continued as new has several), oldest first. */
async function save(name: string, workflowId: string): Promise<void> {
  const runs: string[] = [];
  let runId: string | undefined = undefined;
  // Walk back from the latest run through each run's "continued from" link.
  for (;;) {
    const handle: WorkflowHandle = env.client.workflow.getHandle(workflowId, runId);
    const history = await handle.fetchHistory();
    runs.unshift(historyToJSON(history));
    const first = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    runId = first?.continuedExecutionRunId || undefined;
    if (!runId) break;
  }
  runs.forEach((json, i) => {
    const file = join(outDir, runs.length === 1 ? `${name}.json` : `${name}.run${i + 1}.json`);
    writeFileSync(file, json + '\n');
    console.log(`wrote ${file}`);
  });
}

async function report(name: string, story: (handle: WorkflowHandle, t0: Date) => Promise<void>, overrides: Partial<Submission> = {}) {
  if (!wanted(name)) return;
  console.log(`recording ${name}`);
  const t0 = await nextQuietMorning(env);
  await advanceTo(env, t0);
  const { workflowId, handle } = await h.submit(submission(t0, overrides));
  await story(handle, t0);
  // Since publish-states (0.2.0) an approved report waits for the editor: they confirm with the page.
  const s = await waitForStatus(handle, (v) => v.status !== 'in_review' && v.status !== 'received' && v.status !== 'returned');
  if (s.status === 'approved') await handle.signal(markPublishedSignal, { ...by(xieyutong), url: 'https://www.school.test/news/1.html' });
  await handle.result();
  await save(name, workflowId);
}

try {
  await report('report-approved', async (handle) => {
    await handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(approveSignal, by(xieyutong));
  });

  await report('report-published-by-editor', async (handle) => {
    // 0.2.0: approved, 待发布; the editor is reminded a working day later, then replies 已发布 <URL>.
    await handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(approveSignal, by(xieyutong));
    await waitForStatus(handle, (s) => s.status === 'approved');
    await advanceTo(env, new Date((await env.currentTimeMs()) + 4 * 86_400_000));
    await h.smtp.waitFor((m) => m.kind === 'publish_request' && /提醒/.test(m.subject), 1);
  });

  await report('report-acted-by-update', async (handle) => {
    // 0.3.0: the reviewer's page and the office's buttons act through the `act` update: a refused 催办 by
    // someone who may not, the head's approval from the signed link, a second click of the same link, the
    // office's send-back with a reason.
    await handle.executeUpdate(actUpdate, { args: [{ type: 'approve', actor: xieyutong, evidence: { via: 'web', ref: 'office:record-early' } }], updateId: 'office:record-early' });
    const link = { type: 'approve' as const, actor: wangjianguo, evidence: { via: 'link' as const, ref: 'record-link' }, round: 1, step: 0 };
    await handle.executeUpdate(actUpdate, { args: [link], updateId: 'link:record-link' });
    await handle.executeUpdate(actUpdate, { args: [link], updateId: 'link:record-link-again' });
    await handle.executeUpdate(actUpdate, { args: [{ type: 'sendBack', actor: xieyutong, evidence: { via: 'web', ref: 'office:record-back' }, reason: '请补充两张活动照片' }], updateId: 'office:record-back' });
    await handle.signal(withdrawSignal, { ...by(liufang), reason: '改为下周重报' });
  });

  await report(
    'report-archived',
    async (handle) => {
      // 0.2.0: a 安全管理 report is kept, not published (the example school's publish.archiveCategories).
      await handle.signal(approveSignal, by({ name: '郑卫东', email: 'zhengweidong@school.test' }));
      await waitForStatus(handle, (s) => s.step?.index === 1);
      await handle.signal(approveSignal, by(zhouxiaomei));
      await waitForStatus(handle, (s) => s.step?.index === 2);
      await handle.signal(approveSignal, by({ name: '张国栋', email: 'zhangguodong@school.test' }));
    },
    { from: { name: '冯磊', email: 'fenglei@school.test' }, category: '安全管理', title: '消防疏散演练' },
  );

  await report('report-overdue-escalated-approved', async (handle, t0) => {
    // Past the review deadline: reminder, escalation, overdue reminders; then approved.
    await advanceTo(env, new Date(t0.getTime() + 30 * 3_600_000));
    await handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(approveSignal, by(zhouxiaomei));
  });

  await report('report-returned-revised', async (handle) => {
    await handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(sendBackSignal, { ...by(zhouxiaomei), reason: '照片不清晰，请补充活动现场照片' });
    await waitForStatus(handle, (s) => s.status === 'returned' && s.deadlines.revisionDueAt !== null);
    await handle.signal(reviseSignal, { ...by(liufang), body: '已补充三张活动现场照片。' });
    await waitForStatus(handle, (s) => s.status === 'in_review' && s.round === 2);
    await handle.signal(approveSignal, { ...by(xieyutong), round: 2, step: 1 });
  });

  await report('report-expired', async (handle) => {
    await handle.signal(sendBackSignal, { ...by(wangjianguo), reason: '数据需要核实' });
    const status = await waitForStatus(handle, (s) => s.deadlines.expiresAt !== null);
    await advanceTo(env, new Date(new Date(status.deadlines.expiresAt!).getTime() + 60_000));
  });

  await report('report-withdrawn', async (handle) => {
    await handle.signal(withdrawSignal, { ...by(liufang), reason: '活动延期，暂不报送' });
  });

  await report('report-reassigned', async (handle) => {
    // The head is away: the office gives the department step to the vice-principal.
    await handle.signal(reassignSignal, { ...by(zhouxiaomei), to: [liwenjuan] });
    await waitForStatus(handle, (s) => s.step?.holders.some((p) => p.email === liwenjuan.email) === true);
    await handle.signal(approveSignal, by(liwenjuan));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await handle.signal(approveSignal, by(xieyutong));
  });

  await report('report-comments-continued-as-new', async (handle) => {
    // Enough comments to pass HISTORY_EVENTS_PER_RUN: the report continues as new, then is approved.
    // Signals that arrive together are recorded together, so batches keep the run short on our test server.
    for (let i = 0; i < 1100; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => handle.signal(commentSignal, { ...by(wangjianguo), text: `第${i + k + 1}条意见` })));
      console.log(`  ${i + 50} comments`);
    }
    // Approvals queue behind the comments; poll slowly (each query replays the long history).
    await handle.signal(approveSignal, by(wangjianguo));
    await waitForStatus(handle, async (s) => s.step?.index === 1 || (await new Promise((r) => setTimeout(r, 1000)), false), 240_000);
    await handle.signal(approveSignal, by(xieyutong));
  });

  await report(
    'report-sent-up',
    async (handle, t0) => {
      // 0.4.0: an incident goes up at once beside its review; the bureau says 收到; approved and archived, the bureau
      // returns it (the report reopens to the liaison), it is revised, approved again and goes up again; then 录用.
      const fromBureau = (ref: string) => ({ actor: bureau, evidence: { via: 'mail' as const, ref: `<${ref}@jyj.test>` }, authenticity: { ok: true as const, method: 'token' } });
      const upTimes = async (n: number) => waitForStatus(handle, (s) => s.timeline.filter((e) => e.type === 'sent_upward').length === n);
      await upTimes(1);
      await handle.signal(bureauNoticeSignal, { ...fromBureau('received-1'), notice: 'received' });
      await handle.signal(approveSignal, by(wangjianguo));
      await waitForStatus(handle, (s) => s.step?.index === 1);
      await handle.signal(approveSignal, by(xieyutong));
      await waitForStatus(handle, (s) => s.step?.index === 2);
      await handle.signal(approveSignal, by(liwenjuan));
      // 安全管理 is kept on record at the example school (仅存档): it has ended here, and still listens for the bureau.
      await waitForStatus(handle, (s) => s.status === 'archived');
      await handle.signal(bureauNoticeSignal, { ...fromBureau('returned-1'), notice: 'returned', reason: '请补充事故处置的时间节点' });
      await waitForStatus(handle, (s) => s.status === 'returned');
      await handle.signal(reviseSignal, { ...by(liufang), body: '补充：7时40分发生，7时45分值周教师到场，8时交警处理完毕。' });
      await waitForStatus(handle, (s) => s.step?.index === 1);
      await handle.signal(approveSignal, by(xieyutong));
      await waitForStatus(handle, (s) => s.step?.index === 2);
      await handle.signal(approveSignal, by(liwenjuan));
      await upTimes(2);
      await handle.signal(bureauNoticeSignal, { ...fromBureau('used-1'), notice: 'used', use: { outlet: '青禾教育网', level: '县区级', kind: '网站', ref: 'https://jyj.test/a/9.html', usedOn: null } });
      await waitForStatus(handle, (s) => s.timeline.some((e) => e.type === 'bureau_used'));
      // Listening ends a month after the last mail up: the report closes.
      await advanceTo(env, new Date(t0.getTime() + 32 * 86_400_000));
    },
    { category: '安全管理', urgency: 'urgent', title: '校门口发生一起轻微交通事故' },
  );

  // An expected report that never comes: reminded, then missing.
  if (wanted('expected-missing')) {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const e = await registerExpectation({ client: env.client, config: h.config, readModel: h.readModel }, { departmentId: 'jiaowu', title: '教研组长会议', eventEnd: t0, urgency: 'routine', source: 'cli' });
    await advanceTo(env, new Date(t0.getTime() + 26 * 3_600_000));
    await env.client.workflow.getHandle<typeof expectedReportWorkflow>(expectedWorkflowId(e.id)).result();
    await save('expected-missing', expectedWorkflowId(e.id));
  }
  // An expected report satisfied by a report.
  if (wanted('expected-satisfied')) {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const e = await registerExpectation({ client: env.client, config: h.config, readModel: h.readModel }, { departmentId: 'jiaowu', title: '期中考试质量分析会', eventEnd: t0, urgency: 'routine', source: 'cli' });
    await advanceTo(env, new Date(t0.getTime() + 3 * 3_600_000));
    const r = await h.submit(submission(new Date(t0.getTime() + 3 * 3_600_000), { origin: { kind: 'web', ref: randomUUID() }, eventTime: t0, title: '期中考试质量分析会召开' }));
    await env.client.workflow.getHandle<typeof expectedReportWorkflow>(expectedWorkflowId(e.id)).result();
    await save('expected-satisfied', expectedWorkflowId(e.id));
    await r.handle.signal(withdrawSignal, { ...by(liufang), reason: '重复报送' });
    await r.handle.result();
  }
  // The digest loop: two Fridays, then it continues as new (weeksPerRun 2).
  if (wanted('digest-weekly')) {
    const t0 = await nextQuietMorning(env);
    await advanceTo(env, t0);
    const handle = await env.client.workflow.start(weeklyDigestWorkflow, { taskQueue: h.config.temporal.taskQueue, workflowId: `digest-${randomUUID()}`, args: [{ weeksPerRun: 2 }] });
    await advanceTo(env, new Date(t0.getTime() + 15 * 86_400_000));
    await h.smtp.waitFor((m) => m.kind === 'digest', 2);
    await handle.terminate('recorded');
    await save('digest-weekly', handle.workflowId);
  }
} finally {
  await h.close();
  await env.teardown();
}
