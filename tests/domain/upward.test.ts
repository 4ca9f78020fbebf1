// 上报 in the pure domain: which reports go up and by when, what a bureau's plain answer says, and how a report
// carries its way up (sent at once or after approval, the bureau's deadline, its 录用 / 退回 / 催报).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { deadlineContext } from '../../config/school.js';
import { decide, nextTimer, startReport, upwardOpen, type Decision, type MailEffect, type ReportEvent, type ReportInput } from '../../domain/lifecycle.js';
import { planUpward, readBureauAnswer, upwardRuleFor } from '../../domain/upward.js';

const config = parseConfig(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'), EXAMPLE_CONFIG_FILE);
const bureau = { name: '青禾县教育局', email: 'xxk@jyj.test' };
const liufang = { name: '刘芳', email: 'liufang@school.test' };
const head = { name: '王建国', email: 'wangjianguo@school.test' };
const office = [{ name: '周晓梅', email: 'zhouxiaomei@school.test' }];
const leader = { name: '张国栋', email: 'zhangguodong@school.test' };

function inputWith(parallel: boolean): ReportInput {
  return {
    facts: {
      reportId: 'R-2026-0042',
      origin: { kind: 'mail', ref: '<abc@school.test>' },
      submitter: liufang,
      department: { id: 'jiaowu', name: '教务处', head },
      category: '安全管理',
      urgency: 'urgent',
      title: '校门口交通事故',
      body: '……',
      attachments: [],
      eventTime: '2026-12-07T00:00:00.000Z',
      receivedAt: '2026-12-07T00:10:00.000Z',
      dueAt: '2026-12-07T02:00:00.000Z',
      timeliness: 'on_time',
    },
    chain: [
      { kind: 'department_head', holders: [head] },
      { kind: 'office', holders: office },
    ],
    plan: { dueAt: '2026-12-07T02:10:00.000Z', reminders: [], overdueReminders: [] },
    office,
    leadership: [leader],
    upward: { bureau, parallel, dueAt: '2026-12-07T01:00:00.000Z', reminders: ['2026-12-07T00:35:00.000Z'], listenMs: 30 * 86_400_000 },
  };
}

const by = (actor: { name: string; email: string }, ref: string) => ({ actor, evidence: { via: 'mail' as const, ref } });
const mails = (d: Decision) => d.effects.filter((e): e is MailEffect => e.type === 'mail').map((m) => `${m.kind}→${m.to.map((p) => p.name).join(',')}`);
function run(input: ReportInput, events: [ReportEvent, string][]): Decision {
  let d = startReport(input, input.facts.receivedAt);
  for (const [e, at] of events) d = decide(input, d.state, e, at);
  return d;
}
const approve = (p: { name: string; email: string }, ref: string): ReportEvent => ({ type: 'approve', ...by(p, ref) });

describe('which reports go up, by when', () => {
  const rules = [
    { category: ['安全管理'], parallel: true, withinHours: 1 },
    { urgency: ['major' as const], parallel: false, withinWorkingDays: 1 },
  ];
  it('the first rule that covers a report decides; a report no rule covers stays in the school', () => {
    expect(upwardRuleFor(rules, '安全管理', 'routine')?.withinHours).toBe(1);
    expect(upwardRuleFor(rules, '教育教学', 'major')?.withinWorkingDays).toBe(1);
    expect(upwardRuleFor(rules, '教育教学', 'routine')).toBeNull();
  });

  it('an incident is due an hour after the event, reminded halfway; a piece is due on the next working day, counted on the school’s calendar (Friday → Monday)', () => {
    const ctx = deadlineContext(config);
    const incident = planUpward(rules[0]!, { bureau, eventTime: new Date('2026-12-04T01:00:00Z'), now: new Date('2026-12-04T01:10:00Z'), listenDays: 30, ctx });
    expect(incident).toMatchObject({ parallel: true, dueAt: '2026-12-04T02:00:00.000Z', reminders: ['2026-12-04T01:35:00.000Z'] });
    // Friday 4 December 2026, 15:00 in Shanghai: due Monday 7 December at the same time.
    const piece = planUpward(rules[1]!, { bureau, eventTime: new Date('2026-12-04T07:00:00Z'), now: new Date('2026-12-04T07:30:00Z'), listenDays: 30, ctx });
    expect(piece.dueAt?.slice(0, 10)).toBe('2026-12-07');
  });
});

describe('a bureau’s plain answer', () => {
  it('reads 收到, 录用 (where), 退回 (why), 催报; quoted lines are the mail answered, not the answer', () => {
    expect(readBureauAnswer('收到，谢谢。\n> 现将我校信息报上', '青禾县教育局')).toEqual({ notice: 'received' });
    expect(readBureauAnswer('录用：青禾教育网 https://jyj.test/a/1.html', '青禾县教育局')?.use).toMatchObject({ outlet: '青禾教育网', level: '县区级', kind: '网站', ref: 'https://jyj.test/a/1.html' });
    expect(readBureauAnswer('已采用', '青禾县教育局')?.use).toMatchObject({ outlet: '青禾县教育局', level: '县区级' });
    expect(readBureauAnswer('退回：照片不清晰\n请补充获奖名单。', '青禾县教育局')).toEqual({ notice: 'returned', reason: '照片不清晰\n请补充获奖名单。' });
    expect(readBureauAnswer('催报：消防演练信息请今天下班前报送', '青禾县教育局')?.notice).toBe('chase');
    expect(readBureauAnswer('> 退回：这是引用\n好的', '青禾县教育局')).toBeNull();
    expect(readBureauAnswer('周五开会请准时参加', '青禾县教育局')).toBeNull();
  });
});

describe('a report on its way up', () => {
  it('an incident goes up as it arrives, beside the first review request; then it listens for the bureau', () => {
    const d = startReport(inputWith(true), '2026-12-07T00:10:00.000Z');
    expect(d.effects.map((e) => e.type)).toEqual(['mail', 'mail', 'send_upward']);
    const sent = decide(inputWith(true), d.state, { type: 'upward_sent', messageId: '<R-2026-0042.up1.t-x@school.test>' }, '2026-12-07T00:10:05.000Z');
    expect(sent.state.upward).toMatchObject({ status: 'sent', sends: 1, listenUntil: '2027-01-06T00:10:05.000Z' });
    expect(sent.state.timeline.at(-1)).toMatchObject({ type: 'sent_upward', note: null, evidence: { via: 'system', ref: '<R-2026-0042.up1.t-x@school.test>' } });
    // Sent: the bureau's deadline no longer needs a timer; the school's own review keeps its own.
    expect(nextTimer(sent.state, inputWith(true).upward)?.timer).toBe('review_due');
  });

  it('a piece goes up on its last approval; until then the bureau’s deadline reminds the holders, then tells the principal and the office', () => {
    const input = inputWith(false);
    const d = startReport(input, '2026-12-07T00:10:00.000Z');
    expect(d.effects.map((e) => e.type)).not.toContain('send_upward');
    expect(nextTimer(d.state, input.upward)).toEqual({ at: '2026-12-07T00:35:00.000Z', timer: 'upward_remind' });
    const reminded = decide(input, d.state, { type: 'timer', timer: 'upward_remind' }, '2026-12-07T00:35:00.000Z');
    expect(mails(reminded)).toEqual(['upward_due→王建国']);
    const overdue = decide(input, reminded.state, { type: 'timer', timer: 'upward_due' }, '2026-12-07T01:00:00.000Z');
    expect(mails(overdue)).toEqual(['upward_due→张国栋,周晓梅,王建国']);
    expect(overdue.state.timeline.at(-1)?.type).toBe('upward_overdue');
    const approved = run(input, [
      [approve(head, '<a1@x>'), '2026-12-07T01:10:00.000Z'],
      [approve(office[0]!, '<a2@x>'), '2026-12-07T01:20:00.000Z'],
    ]);
    expect(approved.effects[0]).toEqual({ type: 'send_upward' });
    const late = decide(input, approved.state, { type: 'upward_sent', messageId: '<m@x>' }, '2026-12-07T01:21:00.000Z');
    expect(late.state.timeline.at(-1)?.note).toBe('late');
  });

  it('the bureau’s 退回 reopens an ended report to its liaison; approved again, it goes up again and returns to 已发布 without publishing twice', () => {
    const input = inputWith(true);
    let d = run(input, [
      [{ type: 'upward_sent', messageId: '<up1@x>' }, '2026-12-07T00:10:05.000Z'],
      [approve(head, '<a1@x>'), '2026-12-07T01:10:00.000Z'],
      [approve(office[0]!, '<a2@x>'), '2026-12-07T01:20:00.000Z'],
      [{ type: 'published', url: 'https://school.test/n/1', published: true }, '2026-12-07T01:21:00.000Z'],
    ]);
    expect(d.state.status).toBe('published');
    expect(upwardOpen(d.state)).toBe(true);
    d = decide(input, d.state, { type: 'bureau', ...by(bureau, '<b1@jyj.test>'), notice: 'returned', reason: '请补充伤情说明' }, '2026-12-08T02:00:00.000Z');
    expect(d.state).toMatchObject({ status: 'returned', returnedFromStep: 1 });
    expect(d.state.upward).toMatchObject({ status: 'returned', reopenedFrom: 'published', answerTo: '<b1@jyj.test>' });
    expect(mails(d)).toEqual(['returned→刘芳']);
    d = decide(input, d.state, { type: 'revise', ...by(liufang, '<rv@x>'), body: '补充：……' }, '2026-12-08T03:00:00.000Z');
    expect(d.state.step).toBe(1);
    d = decide(input, d.state, approve(office[0]!, '<a3@x>'), '2026-12-08T04:00:00.000Z');
    expect(d.state.status).toBe('published');
    expect(d.effects.map((e) => e.type)).toEqual(['send_upward', 'mail']);
    d = decide(input, d.state, { type: 'upward_sent', messageId: '<up2@x>' }, '2026-12-08T04:00:05.000Z');
    // The bureau's second look at the first mail (its token names send 1) comes after the revision went up: moot.
    const late = decide(input, d.state, { type: 'bureau', ...by(bureau, '<b-late@jyj.test>'), round: 1, notice: 'returned', reason: '照片请再换一张' }, '2026-12-08T05:00:00.000Z');
    expect(late.state.status).toBe('published');
    expect(late.state.timeline.at(-1)).toMatchObject({ type: 'refused', refused: 'earlier_send' });
    expect(late.effects).toEqual([]);
  });

  it('录用 and 催报 are recorded and told; an answer from anyone but the bureau is refused and answered to no one', () => {
    const input = inputWith(true);
    const sent = run(input, [[{ type: 'upward_sent', messageId: '<up1@x>' }, '2026-12-07T00:10:05.000Z']]);
    const used = decide(input, sent.state, { type: 'bureau', ...by(bureau, '<b2@jyj.test>'), notice: 'used', use: { outlet: '青禾教育网', level: '县区级', kind: '网站', ref: '', usedOn: null } }, '2026-12-08T00:00:00.000Z');
    expect(used.state.timeline.at(-1)).toMatchObject({ type: 'bureau_used', note: '县区级 · 青禾教育网' });
    expect(mails(used)).toEqual(['bureau_notice→刘芳,王建国,周晓梅']);
    const chased = decide(input, used.state, { type: 'bureau', ...by(bureau, '<b3@jyj.test>'), notice: 'chase', reason: '请今天报送续报' }, '2026-12-08T01:00:00.000Z');
    expect(mails(chased)).toEqual(['bureau_notice→周晓梅']);
    const stranger = decide(input, chased.state, { type: 'bureau', ...by({ name: '某人', email: 'x@evil.test' }, '<b4@x>'), notice: 'used' }, '2026-12-08T02:00:00.000Z');
    expect(stranger.state.timeline.at(-1)).toMatchObject({ type: 'refused', refused: 'not_bureau' });
    expect(stranger.effects).toEqual([]);
  });

  it('a 退回 of a report withdrawn after it went up reopens nothing: the office is told, and the report still ends when listening does', () => {
    const input = inputWith(true);
    const sent = run(input, [[{ type: 'upward_sent', messageId: '<up1@x>' }, '2026-12-07T00:10:05.000Z']]);
    const withdrawn = decide(input, sent.state, { type: 'withdraw', ...by(liufang, '<w@x>') }, '2026-12-07T00:20:00.000Z');
    const returned = decide(input, withdrawn.state, { type: 'bureau', ...by(bureau, '<b@jyj.test>'), notice: 'returned', reason: '请补充' }, '2026-12-07T01:00:00.000Z');
    expect(returned.state.status).toBe('withdrawn');
    expect(returned.state.upward?.status).toBe('sent');
    expect(mails(returned)).toEqual(['bureau_notice→周晓梅']);
    expect(nextTimer(returned.state, input.upward)?.timer).toBe('upward_listen_end');
  });

  it('a report withdrawn before it went up never goes; one that went up listens until its time is over', () => {
    const input = inputWith(false);
    const withdrawn = run(input, [[{ type: 'withdraw', ...by(liufang, '<w@x>') }, '2026-12-07T00:20:00.000Z']]);
    expect(withdrawn.state.upward?.status).toBe('cancelled');
    expect(upwardOpen(withdrawn.state)).toBe(false);
    const sent = run(inputWith(true), [[{ type: 'upward_sent', messageId: '<up1@x>' }, '2026-12-07T00:10:05.000Z']]);
    const over = decide(inputWith(true), sent.state, { type: 'timer', timer: 'upward_listen_end' }, '2027-01-06T00:10:05.000Z');
    expect(over.state.upward?.listenUntil).toBeNull();
  });
});
