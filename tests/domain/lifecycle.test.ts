import { describe, expect, it } from 'vitest';
import { decide, nextTimer, startReport, statusView, type Decision, type ReportEvent, type ReportInput, type MailEffect } from '../../domain/lifecycle.js';

const liufang = { name: '刘芳', email: 'liufang@school.test' };
const head = { name: '王建国', email: 'wangjianguo@school.test' };
const office = [
  { name: '周晓梅', email: 'zhouxiaomei@school.test' },
  { name: '谢雨桐', email: 'xieyutong@school.test' },
];
const leader = { name: '张国栋', email: 'zhangguodong@school.test' };
const stranger = { name: '路人', email: 'someone@example.com' };

const input: ReportInput = {
  facts: {
    reportId: 'R-2026-0042',
    origin: { kind: 'mail', ref: '<abc@school.test>' },
    submitter: liufang,
    department: { id: 'jiaowu', name: '教务处', head },
    category: '教育教学',
    urgency: 'routine',
    title: '七年级公开课周圆满结束',
    body: '本周七年级开展公开课周活动……',
    attachments: [],
    eventTime: '2026-11-26T07:00:00.000Z',
    receivedAt: '2026-11-26T08:00:00.000Z',
    dueAt: '2026-11-27T07:00:00.000Z',
    timeliness: 'on_time',
  },
  chain: [
    { kind: 'department_head', holders: [head] },
    { kind: 'office', holders: office },
  ],
  plan: {
    dueAt: '2026-11-27T08:00:00.000Z',
    reminders: ['2026-11-27T06:00:00.000Z'],
    overdueReminders: ['2026-11-30T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
  },
  office,
  leadership: [leader],
};

const by = (actor: { name: string; email: string }, ref: string) => ({ actor, evidence: { via: 'mail' as const, ref } });
const mails = (d: Decision) => d.effects.filter((e): e is MailEffect => e.type === 'mail').map((m) => `${m.kind}→${m.to.map((p) => p.name).join(',')}`);

function run(events: ReportEvent[], now = '2026-11-26T09:00:00.000Z'): Decision {
  let d = startReport(input, '2026-11-26T08:00:00.000Z');
  for (const e of events) d = decide(input, d.state, e, now);
  return d;
}

describe('report lifecycle', () => {
  it('starts in review at the first step, with a receipt to the submitter and a request to the head', () => {
    const d = startReport(input, '2026-11-26T08:00:00.000Z');
    expect(d.state.status).toBe('in_review');
    expect(mails(d)).toEqual(['receipt→刘芳', 'review_request→王建国']);
    expect(d.state.timeline.map((e) => e.type)).toEqual(['received', 'review_requested']);
    expect(nextTimer(d.state)).toEqual({ at: '2026-11-27T06:00:00.000Z', timer: 'remind' });
  });

  it('goes head → office → approved, asks to publish, then tells submitter and head', () => {
    const afterHead = run([{ type: 'approve', ...by(head, '<r1@x>') }]);
    expect(mails(afterHead)).toEqual(['review_request→周晓梅,谢雨桐']);
    const approved = decide(input, afterHead.state, { type: 'approve', ...by(office[1]!, '<r2@x>') }, '2026-11-26T10:00:00.000Z');
    expect(approved.state.status).toBe('approved');
    expect(approved.effects).toEqual([{ type: 'publish' }]);
    const published = decide(input, approved.state, { type: 'published', url: 'https://www.school.test/news/42' }, '2026-11-26T10:00:01.000Z');
    expect(published.state.status).toBe('published');
    expect(mails(published)).toEqual(['published→刘芳,王建国']);
    expect(nextTimer(published.state)).toBeNull();
  });

  it('refuses an approval from someone who does not hold the step, and tells the office and the real holder', () => {
    const d = run([{ type: 'approve', ...by(office[0]!, '<early@x>') }]);
    expect(d.state.step).toBe(0);
    expect(d.state.timeline.at(-1)).toMatchObject({ type: 'refused', refused: 'not_holder', note: 'approve' });
    expect(mails(d)).toEqual(['refused→周晓梅,谢雨桐,王建国']);
  });

  it('refuses an action whose authenticity check failed, even from the real holder', () => {
    const d = run([{ type: 'approve', ...by(head, '<forged@x>'), authenticity: { ok: false, problem: 'DMARC fail for school.test' } }]);
    expect(d.state.step).toBe(0);
    expect(d.state.timeline.at(-1)).toMatchObject({ type: 'refused', refused: 'unverified', note: 'approve: DMARC fail for school.test' });
    expect(mails(d)).toEqual(['refused→周晓梅,谢雨桐,王建国']);
  });

  it('refuses a decision for a step already decided (a stale token), even from its holder', () => {
    const d = run([
      { type: 'approve', ...by(head, '<r1@x>'), step: 0, round: 1 },
      { type: 'sendBack', ...by(head, '<r1b@x>'), reason: '再看看', step: 0, round: 1 },
    ]);
    expect(d.state.step).toBe(1);
    expect(d.state.timeline.at(-1)).toMatchObject({ type: 'refused', refused: 'step_decided' });
  });

  it('sends back with a reason, plans the revision, and resumes at that step after the revision', () => {
    const back = run([{ type: 'approve', ...by(head, '<1@x>') }, { type: 'sendBack', ...by(office[0]!, '<2@x>'), reason: '照片不清晰，请重新提供' }]);
    expect(back.state.status).toBe('returned');
    expect(mails(back)).toEqual(['returned→刘芳']);
    expect(back.effects).toContainEqual({ type: 'plan_revision', from: '2026-11-26T09:00:00.000Z' });
    const planned = decide(input, back.state, { type: 'revision_planned', plan: { revisionDueAt: '2026-11-30T01:00:00.000Z', reminders: ['2026-12-01T00:00:00.000Z'], expiresAt: '2026-12-03T01:00:00.000Z' } }, '2026-11-26T09:00:01.000Z');
    expect(nextTimer(planned.state)).toEqual({ at: '2026-12-01T00:00:00.000Z', timer: 'revision_remind' });
    const revised = decide(input, planned.state, { type: 'revise', ...by(liufang, '<3@x>'), body: '已更换清晰照片。' }, '2026-11-27T01:00:00.000Z');
    expect(revised.state).toMatchObject({ status: 'in_review', round: 2, step: 1, body: '已更换清晰照片。' });
    expect(mails(revised)).toEqual(['revision_received→刘芳', 'review_request→周晓梅,谢雨桐']);
    expect(revised.effects).toContainEqual({ type: 'plan_review', from: '2026-11-27T01:00:00.000Z' });
  });

  it('refuses a send-back without a reason and a revision from someone else', () => {
    expect(run([{ type: 'sendBack', ...by(head, '<1@x>'), reason: '  ' }]).state.timeline.at(-1)?.refused).toBe('reason_missing');
    const back = run([{ type: 'sendBack', ...by(head, '<1@x>'), reason: '数据有误' }, { type: 'revise', ...by(stranger, '<2@x>'), body: 'x' }]);
    expect(back.state.status).toBe('returned');
    expect(back.state.timeline.at(-1)?.refused).toBe('not_submitter');
  });

  it('expires a returned report that is not revised by the final limit', () => {
    const back = run([{ type: 'sendBack', ...by(head, '<1@x>'), reason: '数据有误' }]);
    const planned = decide(input, back.state, { type: 'revision_planned', plan: { revisionDueAt: '2026-11-30T01:00:00.000Z', reminders: [], expiresAt: '2026-12-03T01:00:00.000Z' } }, 'x');
    expect(nextTimer(planned.state)).toEqual({ at: '2026-12-03T01:00:00.000Z', timer: 'expire' });
    const expired = decide(input, planned.state, { type: 'timer', timer: 'expire' }, '2026-12-03T01:00:00.000Z');
    expect(expired.state.status).toBe('expired');
    expect(mails(expired)).toEqual(['expired→刘芳,王建国']);
  });

  it('lets the submitter withdraw, telling the current holders', () => {
    const d = run([{ type: 'withdraw', ...by(liufang, '<w@x>'), reason: '活动延期' }]);
    expect(d.state.status).toBe('withdrawn');
    expect(mails(d)).toEqual(['withdrawn→刘芳,王建国']);
    expect(run([{ type: 'withdraw', ...by(head, '<w@x>') }]).state.status).toBe('in_review');
  });

  it('escalates at the review deadline, marks it overdue and keeps reminding', () => {
    const reminded = run([{ type: 'timer', timer: 'remind' }], '2026-11-27T06:00:00.000Z');
    expect(mails(reminded)).toEqual(['reminder→王建国']);
    const due = decide(input, reminded.state, { type: 'timer', timer: 'review_due' }, '2026-11-27T08:00:00.000Z');
    expect(due.state.overdue).toBe(true);
    expect(mails(due)).toEqual(['escalation→周晓梅,谢雨桐', 'reminder→王建国']);
    expect(nextTimer(due.state)).toEqual({ at: '2026-11-30T00:00:00.000Z', timer: 'overdue_remind' });
    const r1 = decide(input, due.state, { type: 'timer', timer: 'overdue_remind' }, '2026-11-30T00:00:00.000Z');
    const r2 = decide(input, r1.state, { type: 'timer', timer: 'overdue_remind' }, '2026-12-01T00:00:00.000Z');
    expect(r2.effects).toContainEqual({ type: 'plan_overdue', after: '2026-12-01T00:00:00.000Z' });
    expect(statusView(input, r2.state)).toMatchObject({ overdue: true, step: { index: 0, kind: 'department_head', holders: [head] } });
  });

  it('lets only the office reassign a step, and asks the new holder', () => {
    const deputy = { name: '副主任', email: 'Deputy@school.test' };
    const d = run([{ type: 'reassign', ...by(office[0]!, '<ra@x>'), to: [deputy] }]);
    expect(d.state.chain[0]?.holders).toEqual([{ name: '副主任', email: 'deputy@school.test' }]);
    expect(mails(d)).toEqual(['review_request→副主任']);
    const approved = decide(input, d.state, { type: 'approve', ...by(deputy, '<a@x>') }, 'x');
    expect(approved.state.step).toBe(1);
    expect(run([{ type: 'reassign', ...by(head, '<rb@x>'), to: [deputy] }]).state.timeline.at(-1)?.refused).toBe('not_office');
  });

  it('gives every mail of a whole life a distinct key (the key makes its Message-ID)', () => {
    const events: ReportEvent[] = [
      { type: 'timer', timer: 'remind' },
      { type: 'timer', timer: 'review_due' },
      { type: 'approve', ...by(stranger, '<0@x>') },
      { type: 'approve', ...by(head, '<1@x>') },
      { type: 'sendBack', ...by(office[0]!, '<2@x>'), reason: '补充数据' },
      { type: 'revise', ...by(liufang, '<3@x>'), body: '已补充' },
      { type: 'approve', ...by(office[1]!, '<4@x>') },
      { type: 'published', url: null },
    ];
    let d = startReport(input, '2026-11-26T08:00:00.000Z');
    const keys = d.effects.flatMap((e) => (e.type === 'mail' ? [e.key] : []));
    for (const e of events) {
      d = decide(input, d.state, e, '2026-11-27T09:00:00.000Z');
      keys.push(...d.effects.flatMap((x) => (x.type === 'mail' ? [x.key] : [])));
    }
    expect(d.state.status).toBe('published');
    expect(keys.length).toBeGreaterThan(8);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('chat effects (decided by the report chat plan)', () => {
  const urgentInput: ReportInput = {
    ...input,
    facts: { ...input.facts, urgency: 'urgent' },
    chain: [...input.chain, { kind: 'leadership', holders: [leader] }],
    chat: { events: ['new_report', 'review_waiting', 'overdue'], robots: { department: ['jiaowu-wecom'], office: ['office-ding', 'shared'], leadership: ['leaders-feishu', 'shared'] } },
  };
  const chats = (d: Decision) => d.effects.flatMap((e) => (e.type === 'chat' ? [`${e.event}→${e.robot}`] : []));

  it('a new report goes to every group once; the first step has no separate "waiting" message', () => {
    const d = startReport(urgentInput, '2026-11-26T13:00:00.000Z');
    expect(chats(d)).toEqual(['new_report→jiaowu-wecom', 'new_report→office-ding', 'new_report→shared', 'new_report→leaders-feishu']);
    expect(d.effects.find((e) => e.type === 'chat')).toMatchObject({ key: '1-new_report', step: 0 });
  });

  it('a later step waiting goes to its group; an overdue step to its group and the escalation group', () => {
    let d = startReport(urgentInput, '2026-11-26T13:00:00.000Z');
    d = decide(urgentInput, d.state, { type: 'approve', ...by(head, '<a@x>') }, '2026-11-26T13:10:00.000Z');
    expect(chats(d)).toEqual(['review_waiting→office-ding', 'review_waiting→shared']);
    d = decide(urgentInput, d.state, { type: 'timer', timer: 'review_due' }, '2026-11-27T08:00:00.000Z');
    expect(chats(d)).toEqual(['overdue→office-ding', 'overdue→shared', 'overdue→leaders-feishu']);
  });

  it('without a chat plan (routine reports) nothing goes to chat', () => {
    const d = run([{ type: 'approve', ...by(head, '<b@x>') }, { type: 'timer', timer: 'review_due' }]);
    expect(d.effects.some((e) => e.type === 'chat')).toBe(false);
    expect(chats(startReport(input, '2026-11-26T08:00:00.000Z'))).toEqual([]);
  });
});

describe('the office’s actions (issue 18 §3), under the officeActions rule the workflow turns on with patched()', () => {
  const start = () => startReport(input, '2026-11-26T08:00:00.000Z').state;
  const rules = { officeActions: true };
  const at = '2026-11-26T09:00:00.000Z';

  it('the office withdraws with a reason the submitter is told; without the rule (older runs) it was refused', () => {
    const d = decide(input, start(), { type: 'withdraw', ...by(office[0]!, 'w1'), reason: '活动延期' }, at, rules);
    expect(d.state.status).toBe('withdrawn');
    expect(mails(d)).toEqual(['withdrawn→刘芳,王建国']);
    expect(d.state.timeline.at(-1)).toMatchObject({ type: 'withdrawn', actor: office[0], note: '活动延期' });
    expect(decide(input, start(), { type: 'withdraw', ...by(office[0]!, 'w2'), reason: '' }, at, rules).state.timeline.at(-1)?.refused).toBe('reason_missing');
    expect(decide(input, start(), { type: 'withdraw', ...by(stranger, 'w3'), reason: 'x' }, at, rules).state.timeline.at(-1)?.refused).toBe('not_submitter');
    expect(decide(input, start(), { type: 'withdraw', ...by(office[0]!, 'w4'), reason: '活动延期' }, at).state.timeline.at(-1)?.refused).toBe('not_submitter');
  });

  it('a leader reassigns too, and the holder it replaces is told; older runs told no one', () => {
    const deputy = { name: '赵丽华', email: 'zhaolihua@school.test' };
    const d = decide(input, start(), { type: 'reassign', ...by(leader, 'r1'), to: [deputy] }, at, rules);
    expect(mails(d)).toEqual(['review_request→赵丽华', 'reassigned→王建国']);
    expect(mails(decide(input, start(), { type: 'reassign', ...by(office[0]!, 'r2'), to: [deputy] }, at))).toEqual(['review_request→赵丽华']);
  });

  it('催办 mails the holders now, once an hour per step, only for the office; nothing in older runs', () => {
    const first = decide(input, start(), { type: 'remind', ...by(office[1]!, 'm1') }, at, rules);
    expect(mails(first)).toEqual(['reminder→王建国']);
    expect(first.state.timeline.at(-1)).toMatchObject({ type: 'reminded', actor: office[1] });
    const again = decide(input, first.state, { type: 'remind', ...by(office[0]!, 'm2') }, '2026-11-26T09:59:00.000Z', rules);
    expect(mails(again)).toEqual([]);
    expect(again.state.timeline.at(-1)?.refused).toBe('reminded_recently');
    expect(mails(decide(input, first.state, { type: 'remind', ...by(office[0]!, 'm3') }, '2026-11-26T10:01:00.000Z', rules))).toEqual(['reminder→王建国']);
    expect(decide(input, start(), { type: 'remind', ...by(liufang, 'm4') }, at, rules).state.timeline.at(-1)?.refused).toBe('not_office');
    expect(decide(input, start(), { type: 'remind', ...by(office[0]!, 'm5') }, at).state.timeline.map((e) => e.type)).toEqual(['received', 'review_requested']);
  });
});

describe('co-reviewers and refusals (issue 18 §4), under the reviewNotices rule the workflow turns on with patched()', () => {
  const rules = { reviewNotices: true };
  const at = '2026-11-26T09:00:00.000Z';
  const atOffice = () => decide(input, startReport(input, '2026-11-26T08:00:00.000Z').state, { type: 'approve', ...by(head, 'a1') }, at, rules).state;

  it('when one office reviewer decides, the other is told at once; older runs told no one', () => {
    expect(mails(decide(input, atOffice(), { type: 'approve', ...by(office[0]!, 'a2') }, at, rules))).toContain('co_decided→谢雨桐');
    expect(mails(decide(input, atOffice(), { type: 'sendBack', ...by(office[1]!, 'a3'), reason: '标题再改改' }, at, rules))).toEqual(['returned→刘芳', 'co_decided→周晓梅']);
    expect(mails(decide(input, atOffice(), { type: 'approve', ...by(office[0]!, 'a4') }, at)).filter((m) => m.startsWith('co_decided'))).toEqual([]);
  });

  it('a refused action is told to the one who tried it; a forged one to the office, the holders and the person it pretended to be', () => {
    expect(mails(decide(input, atOffice(), { type: 'approve', ...by(head, 'r1'), step: 0 }, at, rules))).toEqual(['refused→王建国']);
    expect(mails(decide(input, atOffice(), { type: 'approve', ...by(head, 'r2'), step: 0 }, at))).toEqual(['refused→周晓梅,谢雨桐']);
    const forged = decide(input, atOffice(), { type: 'approve', ...by(head, 'r3'), authenticity: { ok: false, problem: 'no reply token' } }, at, rules);
    expect(mails(forged)).toEqual(['refused→周晓梅,谢雨桐,王建国']);
  });
});

describe('after the last approval (publish-states): 待发布 until a channel says it is out', () => {
  const editor = { name: '网站编辑', email: 'editor@school.test' };
  const withEditor: ReportInput = { ...input, editor };
  const rules = { publishStates: true, reviewNotices: true };
  function approvedReport(i: ReportInput = withEditor): Decision {
    let d = startReport(i, '2026-11-26T08:00:00.000Z');
    d = decide(i, d.state, { type: 'approve', ...by(head, '<r1@x>') }, '2026-11-26T09:00:00.000Z', rules);
    return decide(i, d.state, { type: 'approve', ...by(office[1]!, '<r2@x>') }, '2026-11-26T10:00:00.000Z', rules);
  }

  it('asks the editor and the channels; with no page from them it waits, and the submitter hears "approved", not "published"', () => {
    const approved = approvedReport();
    expect(approved.state.status).toBe('approved');
    expect(mails(approved)).toEqual(['co_decided→周晓梅', 'publish_request→网站编辑']);
    expect(approved.effects.at(-1)).toEqual({ type: 'publish', channelsSay: true });
    const asked = decide(withEditor, approved.state, { type: 'published', url: null, published: false }, '2026-11-26T10:00:01.000Z', rules);
    expect(asked.state.status).toBe('approved');
    expect(mails(asked)).toEqual(['approved→刘芳,王建国']);
    expect(asked.effects.at(-1)).toEqual({ type: 'plan_publish', from: '2026-11-26T10:00:01.000Z' });
    const planned = decide(withEditor, asked.state, { type: 'publish_planned', reminders: ['2026-11-27T02:00:00.000Z', '2026-11-30T00:00:00.000Z'] }, '2026-11-26T10:00:02.000Z', rules);
    expect(nextTimer(planned.state)).toEqual({ at: '2026-11-27T02:00:00.000Z', timer: 'publish_remind' });
    const reminded = decide(withEditor, planned.state, { type: 'timer', timer: 'publish_remind' }, '2026-11-27T02:00:00.000Z', rules);
    expect(reminded.effects).toEqual([expect.objectContaining({ type: 'mail', kind: 'publish_request', reason: 'reminder', to: [editor] })]);
    expect(nextTimer(reminded.state)).toEqual({ at: '2026-11-30T00:00:00.000Z', timer: 'publish_remind' });

    // The editor's "已发布 <URL>": published, the page recorded, the submitter and head told with it.
    const out = decide(withEditor, reminded.state, { type: 'markPublished', ...by(editor, '<pub@x>'), url: 'https://mp.weixin.qq.com/s/abc' }, '2026-11-27T03:00:00.000Z', rules);
    expect(out.state.status).toBe('published');
    expect(out.state.publishedUrl).toBe('https://mp.weixin.qq.com/s/abc');
    expect(out.effects[0]).toEqual({ type: 'record_publication', url: 'https://mp.weixin.qq.com/s/abc', channel: '公众号' });
    expect(mails(out)).toEqual(['published→刘芳,王建国']);
    expect(out.state.timeline.at(-1)).toMatchObject({ type: 'published', actor: editor, note: 'https://mp.weixin.qq.com/s/abc' });
    expect(nextTimer(out.state)).toBeNull();
  });

  it('the website’s page is enough: published at once', () => {
    const approved = approvedReport();
    const out = decide(withEditor, approved.state, { type: 'published', url: 'https://www.school.test/news/42', published: true }, '2026-11-26T10:00:01.000Z', rules);
    expect(out.state.status).toBe('published');
    expect(mails(out)).toEqual(['published→刘芳,王建国']);
  });

  it('only the editor, the office or a leader may say it is published; the submitter is told why not', () => {
    const asked = decide(withEditor, approvedReport().state, { type: 'published', url: null, published: false }, '2026-11-26T10:00:01.000Z', rules);
    const refused = decide(withEditor, asked.state, { type: 'markPublished', ...by(liufang, '<self@x>'), url: 'https://x.test/1' }, '2026-11-26T11:00:00.000Z', rules);
    expect(refused.state.status).toBe('approved');
    expect(refused.state.timeline.at(-1)).toMatchObject({ type: 'refused', refused: 'not_publisher' });
    expect(mails(refused)).toEqual(['refused→刘芳']);
    const byOffice = decide(withEditor, asked.state, { type: 'markPublished', ...by(office[0]!, '<o@x>') }, '2026-11-26T11:00:00.000Z', rules);
    expect(byOffice.state.status).toBe('published');
    expect(byOffice.effects[0]).toEqual({ type: 'record_publication', url: null, channel: '网站' });
    // Not before approval.
    const early = decide(withEditor, startReport(withEditor, '2026-11-26T08:00:00.000Z').state, { type: 'markPublished', ...by(editor, '<e@x>') }, '2026-11-26T08:30:00.000Z', rules);
    expect(early.state.timeline.at(-1)).toMatchObject({ type: 'refused', refused: 'not_approved' });
  });

  it('with no editor the office is reminded', () => {
    const approved = approvedReport(input);
    expect(mails(approved)).toEqual(['co_decided→周晓梅']);
    const asked = decide(input, approved.state, { type: 'published', url: null, published: false }, '2026-11-26T10:00:01.000Z', rules);
    const planned = decide(input, asked.state, { type: 'publish_planned', reminders: ['2026-11-27T02:00:00.000Z'] }, '2026-11-26T10:00:02.000Z', rules);
    const reminded = decide(input, planned.state, { type: 'timer', timer: 'publish_remind' }, '2026-11-27T02:00:00.000Z', rules);
    expect(mails(reminded)).toEqual(['publish_request→周晓梅,谢雨桐']);
    expect(nextTimer(reminded.state)).toBeNull();
  });

  it('a category kept, not published, ends 审核通过 · 仅存档 with no request to the editor', () => {
    const archived = approvedReport({ ...withEditor, archiveOnly: true });
    expect(archived.state.status).toBe('archived');
    expect(archived.effects.some((e) => e.type === 'publish')).toBe(false);
    expect(archived.effects).toContainEqual(expect.objectContaining({ type: 'mail', kind: 'approved', reason: 'archive' }));
    expect(nextTimer(archived.state)).toBeNull();
  });

  it('the last approver may keep it on record (同意，仅存档); an earlier step cannot', () => {
    let d = startReport(withEditor, '2026-11-26T08:00:00.000Z');
    d = decide(withEditor, d.state, { type: 'approve', ...by(head, '<r1@x>'), archive: true }, '2026-11-26T09:00:00.000Z', rules);
    expect(d.state.status).toBe('in_review');
    d = decide(withEditor, d.state, { type: 'approve', ...by(office[1]!, '<r2@x>'), archive: true }, '2026-11-26T10:00:00.000Z', rules);
    expect(d.state.status).toBe('archived');
    expect(mails(d)).toEqual(['co_decided→周晓梅', 'approved→刘芳,王建国']);
  });

  it('without the rule (histories from before), asking still counts as published', () => {
    let d = startReport(withEditor, '2026-11-26T08:00:00.000Z');
    d = decide(withEditor, d.state, { type: 'approve', ...by(head, '<r1@x>') }, '2026-11-26T09:00:00.000Z');
    d = decide(withEditor, d.state, { type: 'approve', ...by(office[1]!, '<r2@x>') }, '2026-11-26T10:00:00.000Z');
    expect(d.effects.at(-1)).toEqual({ type: 'publish' });
    d = decide(withEditor, d.state, { type: 'published', url: null }, '2026-11-26T10:00:01.000Z');
    expect(d.state.status).toBe('published');
  });
});
