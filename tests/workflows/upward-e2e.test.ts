// 上报 end to end (issue 24): two baosong deployments side by side — a school and its county bureau, each with its
// own configuration, database, task queue on our Temporal test server, Dovecot mailbox and watcher. Each side's
// outgoing SMTP server delivers into the other's mailbox, as the Internet would. Reports go up; the bureau's 收到,
// 录用 and 退回 come back by mail and change the school's reports and its scoring sheet; a duplicated or forged
// bureau notice changes nothing; the mail a bureau without baosong reads, and its Word file, are looked at.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Config } from '../../config/schema.js';
import { ReportUses } from '../../db/uses.js';
import { bookOptions } from '../../exports/index.js';
import { scoringBook } from '../../exports/build.js';
import { localDateOf } from '../../domain/time.js';
import { handleMail } from '../../intake/handle.js';
import { MailboxWatcher } from '../../intake/mailbox.js';
import { approveSignal, markPublishedSignal, reviseSignal, sendBackSignal, statusQuery, type reportWorkflow } from '../../workflows/report.js';
import type { WorkflowHandle } from '@temporalio/client';
import { SECRET, startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { startDovecot, type TestDovecot } from '../support/dovecot.js';
import { renderDocx } from '../support/libreoffice.js';
import { mail, replyTo } from '../support/mails.js';
import type { CaughtMail } from '../support/smtp.js';
import { createTestEnv } from '../support/temporal.js';
import { actOnReport } from '../../ops/report-actions.js';
import { until as waitUntil } from '../support/waiting.js';


const KEY_ENV = 'BAOSONG_TEST_UPWARD_KEY';
process.env[KEY_ENV] = 'shared-key-of-qinghe-yizhong-and-the-bureau';
const SCHOOL_INBOX = 'baosong@school.test';
// tests/workflows/upward-same-domain.test.ts runs this file again with both inboxes at one provider (school.test).
const BUREAU_INBOX = process.env.BAOSONG_TEST_UPWARD_SAME_DOMAIN ? 'jyj-baosong@school.test' : 'baosong@jyj.test';
const BUREAU_NAME = '青禾县教育局';
const PASSWORD = 'secret';

let env: TestWorkflowEnvironment;
let school: Harness;
let bureau: Harness;
let dovecot: TestDovecot;
const watchers: MailboxWatcher[] = [];

/** The school: the example configuration, sending safety incidents up at once (within 1 hour) and pieces after approval. */
function schoolSide(c: Config): Config {
  return {
    ...c,
    upward: {
      bureau: { name: BUREAU_NAME, email: BUREAU_INBOX, aliases: [] },
      subject: '【{school}】{title}',
      body: true,
      docx: true,
      photos: 'attach',
      maxMB: 20,
      sharedKeyEnv: KEY_ENV,
      listenDays: 30,
      rules: [
        { category: ['安全管理'], parallel: true, withinHours: 1 },
        { category: ['教育教学', '师生成长'], parallel: false, withinWorkingDays: 2 },
      ],
    },
  };
}

/** The bureau: the same program, its "departments" are schools; 青禾一中 runs baosong (shared key), 二小 does not. */
function bureauSide(c: Config): Config {
  return {
    ...c,
    school: { ...c.school, name: BUREAU_NAME, domain: 'jyj.test', level: '县区级' },
    mail: { ...c.mail, address: BUREAU_INBOX, fromName: '青禾县教育局信息报送' },
    departments: [
      { id: 'qh1z', name: '青禾市第一实验中学', head: { name: '张国栋', email: 'zhangguodong@school.test', aliases: [] }, liaisons: [{ name: '青禾一中信息报送', email: SCHOOL_INBOX, aliases: [] }], members: [], sharedKeyEnv: KEY_ENV },
      { id: 'qh2x', name: '青禾县第二小学', head: { name: '孔校长', email: 'kong@erxiao.test', aliases: [] }, liaisons: [{ name: '二小办公室', email: 'office@erxiao.test', aliases: [] }], members: [] },
    ],
    office: { reviewers: [{ name: '陆明', email: 'luming@jyj.test', aliases: [] }] },
    leadership: [{ name: '韩东', email: 'handong@jyj.test', aliases: [] }],
    review: { ...c.review, chains: [{ name: '局信息科审核', steps: ['office'] }] },
    publish: { ...c.publish, editorEmail: undefined, archiveCategories: [], websiteName: '青禾教育网' },
    upward: undefined,
    chat: { ...c.chat, robots: [] },
  };
}

/** What the other side's mail server does: a mail to its inbox (with or without +token) lands in that INBOX. */
function relay(from: Harness, inboxes: Record<string, string>): void {
  from.smtp.onMail((m) => {
    for (const to of m.to) {
      const plain = to.toLowerCase().replace(/\+[^@]*@/, '@');
      const user = inboxes[plain];
      if (user) void dovecot.append(user, 'INBOX', m.raw);
    }
  });
}

beforeAll(async () => {
  env = await createTestEnv();
  school = await startHarness(env, { configure: schoolSide });
  bureau = await startHarness(env, { configure: bureauSide });
  dovecot = await startDovecot({ users: [{ user: SCHOOL_INBOX, password: PASSWORD }, { user: BUREAU_INBOX, password: PASSWORD }] });
  relay(school, { [BUREAU_INBOX]: BUREAU_INBOX });
  relay(bureau, { [SCHOOL_INBOX]: SCHOOL_INBOX });
  for (const [user, h] of [[SCHOOL_INBOX, school], [BUREAU_INBOX, bureau]] as const) {
    const watcher = new MailboxWatcher({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user, pass: PASSWORD },
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      handle: (message) => handleMail({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET }, message),
    });
    await watcher.start();
    watchers.push(watcher);
  }
}, 60_000);

afterAll(async () => {
  for (const w of watchers) await w.stop();
  await dovecot?.stop();
  await school?.close();
  await bureau?.close();
  await env?.teardown();
});

const fenglei = '冯磊 <fenglei@school.test>';
const liufang = '刘芳 <liufang@school.test>';
const sunhao = '孙浩 <sunhao@school.test>';
const person = (name: string, email: string) => ({ name, email });
const cli = () => ({ via: 'cli' as const, ref: randomUUID() });

/** A liaison mails the school's inbox; the report's handle once its receipt is out. */
async function submitAtSchool(from: string, subject: string, body: string): Promise<{ reportId: string; handle: WorkflowHandle<typeof reportWorkflow>; messageId: string }> {
  const messageId = `<${randomUUID()}@school.test>`;
  await dovecot.append(SCHOOL_INBOX, 'INBOX', mail({ from, subject, body, messageId }));
  const [receipt] = await school.smtp.waitFor((m) => m.kind === 'receipt' && m.inReplyTo === messageId, 1, 30_000);
  const reportId = receipt!.reportId!;
  const report = await school.readModel.getReport(reportId);
  return { reportId, handle: env.client.workflow.getHandle<typeof reportWorkflow>(report!.workflowId), messageId };
}

async function upwardMailOf(reportId: string, send = 1): Promise<CaughtMail> {
  const [m] = await school.smtp.waitFor((x) => x.kind === 'upward' && x.messageId.startsWith(`<${reportId}.up${send}.`), 1, 30_000);
  return m!;
}

/** The bureau's report made from a school's upward mail. */
async function atBureau(title: string) {
  for (let i = 0; i < 300; i++) {
    const found = (await bureau.readModel.listReports()).find((r) => r.title === title);
    if (found) return { report: found, handle: env.client.workflow.getHandle<typeof reportWorkflow>(found.workflowId) };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the bureau never made a report "${title}"`);
}

const hasEntry = (type: string) => (s: { timeline: { type: string }[] }) => s.timeline.some((e) => e.type === type);

describe('上报: a school and its bureau, both running baosong', () => {
  it('an incident goes up at once, within the bureau’s hour, while the school’s own review has only begun; the bureau’s receipt comes back', async () => {
    // The event ten minutes ago on the school's clock: a fixed "今天上午7时40分" made the report late whenever the
    // suite ran after 08:40 Beijing time (the bureau's hour had passed).
    const tenMinutesAgo = new Date(Date.now() - 600_000).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);
    const { reportId, handle } = await submitAtSchool(fenglei, '【安全管理】【紧急】校门口发生一起轻微交通事故', `时间：${tenMinutesAgo}\n校门口一辆电动车与送学家长车辆轻微碰擦，无人受伤，值周教师已到场疏导，交警已处理。`);
    const up = await upwardMailOf(reportId);
    expect(up.to).toEqual([BUREAU_INBOX]);
    expect(up.subject).toBe('【青禾市第一实验中学】校门口发生一起轻微交通事故');
    // Sent while the school's chain is at its first step, within the bureau's deadline.
    const status = await waitForStatus(handle, hasEntry('sent_upward'));
    expect(status.status).toBe('in_review');
    expect(status.step?.index).toBe(0);
    const sent = status.timeline.find((e) => e.type === 'sent_upward')!;
    expect(sent.evidence?.ref).toMatch(/^<R-\d{4}-\d{4}\.up1\./);
    expect(sent.note).toBeNull(); // on time; and the Message-ID (with the bureau's token) is not shown on pages

    // The bureau's baosong takes it as the school's card says: 安全管理, 紧急, from 青禾一中, nothing guessed.
    const { report: there } = await atBureau('校门口发生一起轻微交通事故');
    expect([there.category, there.urgency, there.departmentId, there.submitterEmail]).toEqual(['安全管理', 'urgent', 'qh1z', SCHOOL_INBOX]);
    // Its receipt, relayed back, is the bureau's 收到 on the school's report (in words a school reads: 报送学校).
    await waitForStatus(handle, hasEntry('bureau_received'), 30_000);
    const [receipt] = bureau.smtp.mails.filter((m) => m.kind === 'receipt' && m.reportId === there.id);
    expect(receipt!.text).toContain('报送学校');
    expect(receipt!.text).not.toContain('报送部门');

    // The bureau's office records a use by replying "录用：…" to its own mail: the school hears it and records it.
    const [request] = await bureau.smtp.waitFor((m) => m.kind === 'review_request' && m.reportId === there.id);
    await dovecot.append(BUREAU_INBOX, 'INBOX', replyTo(request!, '陆明 <luming@jyj.test>', '录用：青禾教育简报 第12期'));
    await waitForStatus(handle, hasEntry('bureau_used'), 30_000);
    const uses = await new ReportUses(school.readModel.database).usesOf([reportId]);
    expect(uses.map((u) => [u.level, u.outlet, u.kind, u.ref])).toEqual([['县区级', '青禾教育简报', '简报', '第12期']]);
  });

  it('a routine piece goes up after approval and is published at school; the bureau publishes it too (录用 at 县区级): the school’s report, its uses and its scoring sheet show it', async () => {
    const { reportId, handle } = await submitAtSchool(liufang, '【教育教学】七年级数学公开课周圆满结束', '11月23日至27日，七年级数学组开展公开课周活动，6位教师执教公开课，全体数学教师参与听评课。');
    await handle.signal(approveSignal, { actor: person('王建国', 'wangjianguo@school.test'), evidence: cli() });
    await handle.signal(approveSignal, { actor: person('周晓梅', 'zhouxiaomei@school.test'), evidence: cli() });
    const up = await upwardMailOf(reportId);
    expect(up.parsed.attachments.map((a) => a.filename)).toEqual([expect.stringMatching(/\.docx$/)]);
    // The school publishes it on its own website meanwhile: the report has ended here, and still hears the bureau.
    await handle.signal(markPublishedSignal, { actor: person('谢雨桐', 'xieyutong@school.test'), evidence: cli(), url: 'https://www.school.test/news/41.html' });
    await waitForStatus(handle, (s) => s.status === 'published');

    const { handle: there } = await atBureau('七年级数学公开课周圆满结束');
    await there.signal(approveSignal, { actor: person('陆明', 'luming@jyj.test'), evidence: cli() });
    await waitForStatus(there, (s) => s.status === 'approved');
    await there.signal(markPublishedSignal, { actor: person('陆明', 'luming@jyj.test'), evidence: cli(), url: 'https://jyj.qinghe.test/news/88.html' });

    await waitForStatus(handle, hasEntry('bureau_used'), 30_000);
    const uses = await new ReportUses(school.readModel.database).usesOf([reportId]);
    expect(uses.filter((u) => u.level !== '校级').map((u) => [u.level, u.outlet, u.ref])).toEqual([['县区级', '青禾教育网', 'https://jyj.qinghe.test/news/88.html']]);
    const [told] = await school.smtp.waitFor((m) => m.kind === 'bureau_notice' && m.reportId === reportId && m.to.includes('liufang@school.test'));
    expect(told!.subject).toBe(`【${reportId}】教育局录用：七年级数学公开课周圆满结束`);
    // 考核: the piece counts at 县区级 for 教务处 in this term's book.
    const today = localDateOf(new Date(), 'Asia/Shanghai');
    const book = await scoringBook(school.readModel.database, bookOptions(school.config, { from: `${today.slice(0, 4)}-01-01`, to: `${today.slice(0, 4)}-12-31`, label: { zh: '本学年', en: 'This year' } }));
    const line = book.departments.find((d) => d.department === '教务处')!.lines.find((l) => l.reportId === reportId)!;
    expect(line.reason).toMatch(/青禾教育网（县区级/);
    expect(line.points).toBeGreaterThan(0);

    // A duplicated notice (the same mail delivered again) changes nothing.
    const [published] = bureau.smtp.mails.filter((m) => m.kind === 'published' && m.to.includes(SCHOOL_INBOX));
    const before = (await handle.query(statusQuery)).timeline.length;
    await dovecot.append(SCHOOL_INBOX, 'INBOX', published!.raw);
    await until('the duplicate processed', async () => (await dovecot.list(SCHOOL_INBOX, 'Processed')).filter((m) => m.raw.includes(published!.messageId)).length === 2);
    expect((await handle.query(statusQuery)).timeline.length).toBe(before);
    expect(await new ReportUses(school.readModel.database).usesOf([reportId])).toHaveLength(2);

    // A forged notice — the bureau's address, a reply to the upward mail, but no token of ours — changes nothing either.
    const forged = `<forged-${randomUUID()}@jyj.test>`;
    await dovecot.append(SCHOOL_INBOX, 'INBOX', mail({ from: `${BUREAU_NAME} <${BUREAU_INBOX}>`, subject: `回复：${up.subject}`, body: '录用：人民日报（国家级）', messageId: forged, inReplyTo: '<R-2026-9999.up1.t-r2026-9999-1-x-aaaaaaaaaaaaaaaa@school.test>' }));
    const tampered = `<tampered-${randomUUID()}@jyj.test>`;
    await dovecot.append(SCHOOL_INBOX, 'INBOX', mail({ from: `${BUREAU_NAME} <${BUREAU_INBOX}>`, subject: `回复：${up.subject}`, body: '退回：不予采用', messageId: tampered, inReplyTo: up.messageId.replace(/-[a-z2-7]{16}@/, '-abcdefghijklmnop@') }));
    await until('both forgeries kept aside', async () => {
      const kept = await dovecot.list(SCHOOL_INBOX, 'Quarantine');
      return kept.some((m) => m.raw.includes(forged)) && kept.some((m) => m.raw.includes(tampered));
    });
    expect(await new ReportUses(school.readModel.database).usesOf([reportId])).toHaveLength(2);
    expect((await handle.query(statusQuery)).status).toBe('published');
    // Nothing was ever mailed back to the bureau about them: two machines must not answer each other.
    expect(school.smtp.mails.filter((m) => m.to.includes(BUREAU_INBOX) && m.kind !== 'upward')).toEqual([]);
  });

  it('the bureau returns a piece: the school’s report reopens to its liaison with the bureau’s reason; revised and approved, it goes up again on the bureau’s thread as the revision', async () => {
    const { reportId, handle } = await submitAtSchool(sunhao, '【师生成长】我校学生在县中小学生运动会获佳绩', '12月1日，县中小学生田径运动会落幕，我校学生获得团体总分第二名。');
    await handle.signal(approveSignal, { actor: person('赵丽华', 'zhaolihua@school.test'), evidence: cli() });
    await handle.signal(approveSignal, { actor: person('周晓梅', 'zhouxiaomei@school.test'), evidence: cli() });
    await upwardMailOf(reportId);
    const { handle: there } = await atBureau('我校学生在县中小学生运动会获佳绩');
    await there.signal(sendBackSignal, { actor: person('陆明', 'luming@jyj.test'), evidence: cli(), reason: '请补充比赛现场照片和获奖学生名单。' });

    const reopened = await waitForStatus(handle, (s) => s.status === 'returned', 30_000);
    expect(reopened.timeline.map((e) => e.type)).toContain('bureau_returned');
    const [returned] = await school.smtp.waitFor((m) => m.kind === 'returned' && m.reportId === reportId && m.to.includes('sunhao@school.test'));
    expect(returned!.text).toContain('请补充比赛现场照片和获奖学生名单');
    expect(returned!.text).toContain(BUREAU_NAME);

    await handle.signal(reviseSignal, { actor: person('孙浩', 'sunhao@school.test'), evidence: cli(), body: '12月1日，县中小学生田径运动会落幕，我校学生获得团体总分第二名。获奖学生：王磊、李娜等12人。' });
    await waitForStatus(handle, (s) => s.status === 'in_review' && s.step?.index === 1);
    await handle.signal(approveSignal, { actor: person('周晓梅', 'zhouxiaomei@school.test'), evidence: cli() });
    const again = await upwardMailOf(reportId, 2);
    expect(again.subject).toBe('回复：【青禾市第一实验中学】我校学生在县中小学生运动会获佳绩');
    // At the bureau it is the revision of the same report, not a second one.
    await waitForStatus(there, (s) => s.status === 'in_review' && s.round === 2, 30_000);
    expect((await bureau.readModel.listReports()).filter((r) => r.title === '我校学生在县中小学生运动会获佳绩')).toHaveLength(1);
  });
});

describe('投稿: the office sends a published piece up by hand', () => {
  it('a report no rule sends up, published and ended, goes up from the office’s page; it starts again to hear the bureau, once however often clicked', async () => {
    const { reportId, handle } = await submitAtSchool('林小雨 <linxiaoyu@school.test>', '【校园文化】七年级读书节开幕', '12月2日，七年级读书节开幕，各班开展好书推荐活动。');
    await handle.signal(approveSignal, { actor: person('何静', 'hejing@school.test'), evidence: cli() });
    await handle.signal(approveSignal, { actor: person('周晓梅', 'zhouxiaomei@school.test'), evidence: cli() });
    await waitForStatus(handle, (s) => s.status === 'approved');
    await handle.signal(markPublishedSignal, { actor: person('谢雨桐', 'xieyutong@school.test'), evidence: cli(), url: 'https://www.school.test/news/7.html' });
    await handle.result();
    expect(school.smtp.mails.some((m) => m.kind === 'upward' && m.reportId === reportId)).toBe(false);

    const deps = { config: school.config, client: env.client, readModel: school.readModel };
    const office = person('周晓梅', 'zhouxiaomei@school.test');
    const [first, second] = await Promise.all([
      actOnReport(deps, reportId, office, { kind: 'sendUp' }, { via: 'web', requestId: 'click-one-0001' }),
      actOnReport(deps, reportId, office, { kind: 'sendUp' }, { via: 'web', requestId: 'click-two-0002' }),
    ]);
    expect([first.result, second.result].sort()).toEqual(['done', 'refused']);
    expect([first, second].find((o) => o.result === 'done')!.text).toBe(`已上报${BUREAU_NAME}，教育局的回复（收到、录用、退回）会记在本页。`);
    expect([first, second].find((o) => o.result === 'refused')!.refused).toBe('already_up');
    await upwardMailOf(reportId);
    await atBureau('七年级读书节开幕');
    const again = env.client.workflow.getHandle<typeof reportWorkflow>(handle.workflowId);
    const heard = await waitForStatus(again, hasEntry('bureau_received'), 30_000);
    expect(heard.status).toBe('published');
    // The bureau publishes it: its 录用 reaches the restarted run, which tells the liaison (the bureau named from the 投稿).
    const { handle: there } = await atBureau('七年级读书节开幕');
    await there.signal(approveSignal, { actor: person('陆明', 'luming@jyj.test'), evidence: cli() });
    await waitForStatus(there, (s) => s.status === 'approved');
    await there.signal(markPublishedSignal, { actor: person('陆明', 'luming@jyj.test'), evidence: cli(), url: 'https://jyj.qinghe.test/news/90.html' });
    await waitForStatus(again, hasEntry('bureau_used'), 30_000);
    const [told] = await school.smtp.waitFor((m) => m.kind === 'bureau_notice' && m.reportId === reportId && m.to.includes('linxiaoyu@school.test'));
    expect(told!.text).toContain('青禾教育网');
    expect(school.smtp.mails.filter((m) => m.kind === 'upward' && m.reportId === reportId)).toHaveLength(1);
  });
});

describe('上报 to a bureau without baosong', () => {
  it('it reads a plain mail in its subject template with a Word file LibreOffice opens; its plain reply “录用：…” is understood', async () => {
    const { reportId, handle } = await submitAtSchool(fenglei, '【安全管理】【紧急】冬季消防疏散演练', '12月4日下午，我校组织全体师生开展冬季消防疏散演练，2,300余名师生在3分钟内全部安全疏散。');
    const up = await upwardMailOf(reportId);
    const parsed = await simpleParser(up.raw);
    expect(parsed.headers.get('auto-submitted')).toBe('no');
    expect(up.text).toContain(`${BUREAU_NAME}：`);
    expect(up.text).toContain('2,300余名师生在3分钟内全部安全疏散');
    const docx = parsed.attachments.find((a) => a.filename?.endsWith('.docx'))!;
    const dir = join('test-output', 'upward');
    mkdirSync(dir, { recursive: true });
    const rendered = await renderDocx(docx.content, `upward-${reportId}`, dir);
    expect(rendered.text).toContain('冬季消防疏散演练');
    expect(rendered.text).toContain('青禾市第一实验中学');
    expect(rendered.text).toContain(reportId);

    // The bureau's out-of-office reply says 已收到 too, but automatic mail never acts.
    const away = `<away-${randomUUID()}@jyj.test>`;
    await dovecot.append(SCHOOL_INBOX, 'INBOX', mail({ from: `${BUREAU_NAME} <${BUREAU_INBOX}>`, subject: `自动回复：${up.subject}`, body: '已收到您的来信，我外出开会，12月8日回来后处理。', messageId: away, inReplyTo: up.messageId, extraHeaders: ['Auto-Submitted: auto-replied'] }));
    await until('the auto-reply kept aside', async () => (await dovecot.list(SCHOOL_INBOX, 'Quarantine')).some((m) => m.raw.includes(away)));
    expect((await handle.query(statusQuery)).timeline.filter((e) => e.type === 'bureau_received' && e.evidence?.ref === away)).toEqual([]);
    // A person at the bureau answers on the thread, in words.
    await dovecot.append(SCHOOL_INBOX, 'INBOX', mail({ from: `${BUREAU_NAME} <${BUREAU_INBOX}>`, to: up.replyTo ?? SCHOOL_INBOX, subject: `回复：${up.subject}`, body: '录用：青禾教育简报 第12期\n\n-----原始邮件-----\n> 现将我校信息报上', inReplyTo: up.messageId }));
    await waitForStatus(handle, hasEntry('bureau_used'), 30_000);
    const uses = await new ReportUses(school.readModel.database).usesOf([reportId]);
    expect(uses.map((u) => [u.level, u.outlet, u.kind, u.ref])).toEqual([['县区级', '青禾教育简报', '简报', '第12期']]);
  });
});

/** This file's patience: 30_000 ms, looking every 100 ms. */
function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return waitUntil(what, probe, timeoutMs, 100);
}
