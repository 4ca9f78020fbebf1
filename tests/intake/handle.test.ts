// What the intake does with each mail, against the real workflow (Temporal test server, worker,
// SMTP server, SQLite). The IMAP side is tested in mailbox.test.ts and end-to-end in intake-e2e.test.ts.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { attachmentPath } from '../../storage/attachments.js';
import { handleMail, type IntakeDeps } from '../../intake/handle.js';
import type { Disposition } from '../../intake/mailbox.js';
import { parseMail } from '../../intake/parse-mail.js';
import { reportWorkflowId } from '../../intake/submit.js';
import { statusQuery } from '../../workflows/report.js';
import { SECRET, startHarness, waitForStatus, type Harness } from '../support/baosong.js';
import { mail, replyTo, type MailSpec } from '../support/mails.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let deps: IntakeDeps;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  // Many answers go to the same few people here; the hourly limit has its own test (mail-loop.test.ts).
  h.config.mail.limits = { ...h.config.mail.limits, noticesPerHour: 1000 };
  deps = { config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET };
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

const liufang = '刘芳 <liufang@school.test>';
const wangjianguo = '王建国 <wangjianguo@school.test>';
const zhouxiaomei = '周晓梅 <zhouxiaomei@school.test>';
const xieyutong = '谢雨桐 <xieyutong@school.test>';

let uid = 1;
const deliver = (raw: Buffer, d: IntakeDeps = deps): Promise<Disposition> => handleMail(d, { uid: uid++, raw, internalDate: new Date(), size: raw.length });

async function newReport(title = '七年级家长会顺利召开', extra: Partial<MailSpec> = {}) {
  const raw = mail({ from: liufang, subject: `【家校共育】${title}`, body: `时间：${new Date(Date.now() - 3_600_000).toISOString().slice(0, 16).replace('T', ' ')}\n今天下午召开了七年级家长会，到会家长 300 余人。`, ...extra });
  expect(await deliver(raw)).toEqual({ folder: 'processed' });
  const [receipt] = await h.smtp.waitFor((m) => m.kind === 'receipt' && m.subject.includes(title));
  const reportId = receipt!.reportId!;
  const handle = env.client.workflow.getHandle((await h.readModel.getReport(reportId))!.workflowId);
  const [request] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request');
  return { reportId, handle, request: request!, raw };
}

describe('a new report by mail', () => {
  it('starts the workflow, stores the photo by content, and the receipt reaches the liaison', async () => {
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(50_000, 7)]);
    const { reportId, handle } = await newReport('七年级家长会（带照片）', { attachment: { name: '现场.jpg', type: 'image/jpeg', content: photo } });
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ status: 'in_review', title: '七年级家长会（带照片）', step: { kind: 'department_head' } });
    const files = await h.readModel.attachmentsFor(reportId);
    expect(files).toEqual([expect.objectContaining({ filename: '现场.jpg', contentType: 'image/jpeg', size: photo.length })]);
    expect(existsSync(attachmentPath(h.config.dataDir, files[0]!.sha256))).toBe(true);
    expect(existsSync(join(h.config.dataDir, files[0]!.storagePath))).toBe(true); // the read model says where the bytes are
    const row = await h.readModel.getReport(reportId);
    expect(row).toMatchObject({ category: '家校共育', departmentId: 'jiaowu', submitterEmail: 'liufang@school.test' });
  });

  it('a duplicate delivery of the same mail is the same report, with one receipt', async () => {
    const raw = mail({ from: liufang, subject: '【教育教学】公开课周总结（重复投递）', body: '本周公开课周顺利结束。' });
    expect(await deliver(raw)).toEqual({ folder: 'processed' });
    expect(await deliver(raw)).toEqual({ folder: 'processed' });
    const [receipt] = await h.smtp.waitFor((m) => m.kind === 'receipt' && m.subject.includes('重复投递'));
    await new Promise((r) => setTimeout(r, 500));
    expect(h.smtp.mails.filter((m) => m.reportId === receipt!.reportId && m.kind === 'receipt')).toHaveLength(1);
  });

  it('a GBK mail and a Big5 mail are read right', async () => {
    const gbk = Buffer.concat([
      Buffer.from(`From: =?GBK?B?${iconv.encode('刘芳', 'gbk').toString('base64')}?= <liufang@school.test>\r\nTo: baosong@school.test\r\nSubject: =?GBK?B?${iconv.encode('【校园文化】读书节开幕式', 'gbk').toString('base64')}?=\r\nMessage-ID: <${randomUUID()}@qq.com>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
      iconv.encode('读书节开幕式在报告厅举行，镕、堃两位同学作读书分享。\r\n', 'gbk'),
    ]);
    const big5 = Buffer.concat([
      Buffer.from(`From: liufang@school.test\r\nTo: baosong@school.test\r\nSubject: =?Big5?B?${iconv.encode('【師生成長】書法比賽獲獎', 'big5').toString('base64')}?=\r\nMessage-ID: <${randomUUID()}@school.test>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=Big5\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
      iconv.encode('本校學生在全市書法比賽中獲一等獎。\r\n', 'big5'),
    ]);
    expect(await deliver(gbk)).toEqual({ folder: 'processed' });
    expect(await deliver(big5)).toEqual({ folder: 'processed' });
    const [a] = await h.smtp.waitFor((m) => m.kind === 'receipt' && m.subject.includes('读书节开幕式'));
    const [b] = await h.smtp.waitFor((m) => m.kind === 'receipt' && m.subject.includes('書法比賽獲獎'));
    expect((await h.readModel.getReport(a!.reportId!))?.category).toBe('校园文化');
    expect((await h.readModel.getReport(b!.reportId!))?.category).toBe('师生成长');
    const [request] = await h.smtp.waitFor((m) => m.reportId === a!.reportId && m.kind === 'review_request');
    expect(request!.text).toContain('镕、堃两位同学作读书分享');
  });

  it('a mail over the size limit is quarantined and the sender is told what to do', async () => {
    const big = Buffer.alloc(26 * 1024 * 1024, 1);
    const result = await deliver(mail({ from: liufang, subject: '【校园文化】运动会照片（原图）', body: '见附件。', attachment: { name: 'IMG_0001.jpg', type: 'image/jpeg', content: big } }));
    expect(result).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/超过 25 MB/) });
    const [notice] = await h.smtp.waitFor((m) => m.kind === 'notice' && m.subject.includes('运动会照片'));
    expect(notice!.to).toEqual(['liufang@school.test']);
    expect(notice!.text).toMatch(/请压缩照片/);
    expect(notice!.autoSubmitted).toBe('auto-replied');
  });

  it('mail from an unknown sender is quarantined and answered once; an auto-reply and our own notification are quarantined and never answered', async () => {
    const before = h.smtp.mails.length;
    expect(await deliver(mail({ from: '陌生人 <someone@example.com>', subject: '【教育教学】推广', body: '你好' }))).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/unknown sender/) });
    expect(await deliver(mail({ from: liufang, subject: '自动回复：外出', body: '我正在休假。', extraHeaders: ['Auto-Submitted: auto-replied'] }))).toMatchObject({ folder: 'quarantine' });
    expect(await deliver(mail({ from: '信息报送 <baosong@school.test>', subject: '【R-2026-0001】回执', body: 'x', extraHeaders: ['X-Baosong-Kind: receipt'] }))).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/our own notification/) });
    await new Promise((r) => setTimeout(r, 300));
    // Only the unknown sender is told (issue 18: no mail vanishes in silence); the office sees all three (tests/web/mail-desk).
    expect(h.smtp.mails.slice(before).map((m) => [m.kind, m.to])).toEqual([['notice', ['someone@example.com']]]);
  });
});

describe('the answer to an unknown sender is a courtesy that never costs the mail', () => {
  it('an address no server can take is not answered; a server refusing the answer (5xx) or away (4xx) leaves the mail on the desk with the reason', async () => {
    const before = h.smtp.mails.length;
    // Garbage parsed out of a From header (seen in the fuzz test): not handed to the SMTP server at all.
    expect(await deliver(mail({ from: '"x" <a b@@example.com>', subject: '【其他】乱码', body: 'x' }))).toMatchObject({ folder: 'quarantine' });
    h.smtp.failWith(550);
    try {
      expect(await deliver(mail({ from: '陌生人甲 <stranger-550@example.com>', subject: '【其他】投稿', body: '你好' }))).toMatchObject({
        folder: 'quarantine',
        reason: expect.stringMatching(/unknown sender stranger-550@example\.com.*answer not sent/),
      });
      h.smtp.failWith(451);
      expect(await deliver(mail({ from: '陌生人乙 <stranger-451@example.com>', subject: '【其他】投稿', body: '你好' }))).toMatchObject({
        folder: 'quarantine',
        reason: expect.stringMatching(/answer not sent/),
      });
    } finally {
      h.smtp.failWith(null);
    }
    expect(h.smtp.mails.slice(before)).toEqual([]);
    // The failed attempt is recorded, so the next mail from that address today tries the answer again.
    expect(await deliver(mail({ from: '陌生人甲 <stranger-550@example.com>', subject: '【其他】再投稿', body: '你好' }))).toMatchObject({ reason: expect.stringMatching(/; answered$/) });
    const [notice] = await h.smtp.waitFor((m) => m.kind === 'notice' && m.to.includes('stranger-550@example.com'));
    expect(notice!.text).toMatch(/没有在学校的信息报送系统中登记/);
  });
});

/** Signals the report's workflow has received so far (from its history, as Temporal recorded them). */
async function signalsOf(handle: Awaited<ReturnType<typeof newReport>>['handle']): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!.signalName ?? '');
}

const FIXTURES = fileURLToPath(new URL('../fixtures/mail/', import.meta.url));
const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

/**
 * A corpus fixture turned into an answer to `request`: sent by `from` to the reply address with its token,
 * about the real report, as a reply to the request; every other header (the automatic marks) and the body kept.
 */
async function retarget(raw: Buffer, request: { replyTo: string | null; messageId: string; reportId: string | null }, from: string): Promise<Buffer> {
  const parsed = await parseMail(raw);
  const subject = parsed.subject.replace(/R-\d{4}-\d{4,}/, request.reportId!);
  const text = raw.toString('latin1');
  const split = text.search(/\r\n\r\n/);
  const lines = text.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  const keep = lines.filter((l) => !/^(?:from|to|subject|message-id|in-reply-to|references):/i.test(l));
  const from64 = from.replace(/^(\S+) </, (_m, n: string) => `${b64(n)} <`);
  const head = [`From: ${from64}`, `To: ${request.replyTo}`, `Subject: ${Buffer.from(b64(subject)).toString('latin1')}`, `Message-ID: <${randomUUID()}@school.test>`, `In-Reply-To: ${request.messageId}`, `References: ${request.messageId}`, ...keep];
  return Buffer.from(`${head.join('\r\n')}${text.slice(split)}`, 'latin1');
}

describe('automatic mail never acts', () => {
  const automatic = readdirSync(FIXTURES).filter((f) => f.startsWith('ignored-') && f.endsWith('.eml'));

  it('the out-of-office "好的，收到！本人休假至12月1日" with the holder’s valid token is quarantined; no signal reaches the report', async () => {
    const { handle, request } = await newReport('消防演练（休假自动回复）');
    const before = await signalsOf(handle);
    const outOfOffice = mail({ from: wangjianguo, to: request.replyTo!, subject: `自动回复 Re: ${request.subject}`, body: '好的，收到！本人休假至12月1日', inReplyTo: request.messageId });
    expect(await deliver(outOfOffice)).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/自动回复/) });
    const withHeader = mail({ from: wangjianguo, to: request.replyTo!, subject: `Re: ${request.subject}`, body: '好的，收到！本人休假至12月1日', inReplyTo: request.messageId, extraHeaders: ['Precedence: auto_reply'] });
    expect(await deliver(withHeader)).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/Precedence: auto_reply/) });
    expect(await signalsOf(handle)).toEqual(before);
    expect((await handle.query(statusQuery)).step?.index).toBe(0);
  });

  it.each(automatic)('%s, sent by the reviewer with a valid token, approves nothing and sends nothing', async (file) => {
    const { reportId, handle, request } = await newReport(`自动邮件 ${file}`);
    const before = await signalsOf(handle);
    const sentBefore = h.smtp.mails.length;
    // A delivery report keeps its daemon sender; everything else comes "from" the holder of the step.
    const raw = readFileSync(join(FIXTURES, file));
    const keepsSender = /MAILER-DAEMON/i.test(raw.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '');
    const answer = keepsSender ? raw : await retarget(raw, request, wangjianguo);
    const result = await deliver(answer);
    expect(result).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/不处理/) });
    await new Promise((r) => setTimeout(r, 200));
    expect(await signalsOf(handle)).toEqual(before);
    expect(h.smtp.mails.slice(sentBefore).filter((m) => m.reportId === reportId || m.kind === 'notice')).toEqual([]);
  });
});

describe('approval by reply', () => {
  it('the review request that arrived, answered 同意 as QQ Mail quotes it, advances the report', async () => {
    const { handle, request } = await newReport('家长会（同意）');
    expect(request.replyTo).toMatch(/^baosong\+r\d{4}-\d{4,}-1-0-[a-z2-7]{16}@school\.test$/);
    expect(await deliver(replyTo(request, wangjianguo, '同意'))).toEqual({ folder: 'processed' });
    const status = await waitForStatus(handle, (s) => s.step?.index === 1);
    expect(status.timeline.find((e) => e.type === 'approved')).toMatchObject({ actor: { email: 'wangjianguo@school.test' }, evidence: { via: 'mail' } });
  });

  it('退回：原因 sends it back with the reason; the liaison’s reply revises it', async () => {
    const { reportId, handle, request } = await newReport('家长会（退回）');
    expect(await deliver(replyTo(request, wangjianguo, '退回：请补充到会家长人数和现场照片'))).toEqual({ folder: 'processed' });
    await waitForStatus(handle, (s) => s.status === 'returned');
    const [returned] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'returned');
    expect(returned!.text).toContain('请补充到会家长人数和现场照片');
    expect(await deliver(replyTo(returned!, liufang, '好的。已补充：到会家长 312 人，照片见附件。'))).toEqual({ folder: 'processed' });
    const status = await waitForStatus(handle, (s) => s.status === 'in_review' && s.round === 2);
    expect(status.step?.kind).toBe('department_head');
  });

  const refusedWith = async (handle: Awaited<ReturnType<typeof newReport>>['handle'], count: number) => {
    const s = await waitForStatus(handle, (st) => st.timeline.filter((e) => e.type === 'refused').length >= count);
    return s.timeline.filter((e) => e.type === 'refused')[count - 1]!;
  };

  it('refuses every forged approval, records it, and tells the real holder and the office', async () => {
    const { reportId, handle, request } = await newReport('家长会（伪造）');
    const other = await newReport('家长会（另一份）');
    const officeToken = (await (async () => {
      await deliver(replyTo(other.request, wangjianguo, '同意'));
      return h.smtp.waitFor((m) => m.reportId === other.reportId && m.kind === 'review_request' && m.to[0] === 'zhouxiaomei@school.test');
    })())[0]!;

    // 1. Wrong From: the office member answers the head's request (the token is the head's).
    await deliver(replyTo(request, zhouxiaomei, '同意'));
    expect(await refusedWith(handle, 1)).toMatchObject({ refused: 'unverified', note: expect.stringMatching(/was not issued to zhouxiaomei@school\.test/) });
    // 2. Right From, no token: a new mail (not a reply: no In-Reply-To) to the plain inbox address, the report
    // number in the subject. (A reply to the request carries the token in In-Reply-To: see below.)
    await deliver(mail({ from: wangjianguo, to: 'baosong@school.test', subject: `【${reportId}】家长会（伪造）`, body: '同意' }));
    expect(await refusedWith(handle, 2)).toMatchObject({ refused: 'unverified', note: expect.stringMatching(/no reply token/) });
    // 3. A token from another report.
    await deliver(mail({ from: zhouxiaomei, to: officeToken.replyTo!, subject: `回复：【${reportId}】家长会（伪造）`, body: '同意' }));
    const third = await refusedWith(handle, 3);
    expect(third.refused).toBe('unverified');
    // 4. Another reviewer's token (谢雨桐 uses 周晓梅's token for the other report).
    await deliver(replyTo(officeToken, xieyutong, '同意'));
    expect(await refusedWith(other.handle, 1)).toMatchObject({ refused: 'unverified' });
    // Nothing moved on either report.
    expect((await handle.query(statusQuery)).step?.index).toBe(0);
    expect((await other.handle.query(statusQuery)).step?.index).toBe(1);

    const refusals = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'refused', 3);
    expect(new Set(refusals.map((m) => m.to[0]))).toEqual(new Set(['zhouxiaomei@school.test', 'xieyutong@school.test', 'wangjianguo@school.test']));

    // 5. The head's token after his step was decided: a second 同意 is a remark on the report (issue 18 §4);
    // a 退回 is refused, and only he is told (the office hears of forgeries only).
    await deliver(replyTo(request, wangjianguo, '同意'));
    await waitForStatus(handle, (s) => s.step?.index === 1);
    await deliver(replyTo(request, wangjianguo, '同意发布，照片很好'));
    await waitForStatus(handle, (s) => s.timeline.some((e) => e.type === 'comment' && (e.note ?? '').includes('照片很好')));
    const before = h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === 'refused').length;
    await deliver(replyTo(request, wangjianguo, '退回：标题再改改'));
    expect(await refusedWith(handle, 4)).toMatchObject({ refused: 'step_decided' });
    const [told] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'refused', before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.smtp.mails.filter((m) => m.reportId === reportId && m.kind === 'refused').slice(before).map((m) => m.to)).toEqual([['wangjianguo@school.test']]);
    expect(told).toBeDefined();
    const audit = await h.readModel.timeline(reportId);
    expect(audit.filter((e) => e.type === 'refused')).toHaveLength(4);
  });

  it('with policy dkim: a forged From carrying a stolen token fails DMARC and is refused; the real signed reply passes', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const records: Record<string, string[][]> = {
      's1._domainkey.school.test': [[`v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`]],
      '_dmarc.school.test': [['v=DMARC1; p=reject']],
    };
    const resolver = (name: string, rrtype: string) => (rrtype === 'TXT' && records[name] ? Promise.resolve(records[name]) : Promise.reject(Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' })));
    const strict: IntakeDeps = { ...deps, config: { ...deps.config, mail: { ...deps.config.mail, authentication: { policy: 'dkim', trustedAuthservIds: [] } } }, resolver };
    const { handle, request } = await newReport('家长会（DKIM）');

    await deliver(replyTo(request, wangjianguo, '同意'), strict); // not signed: someone else's server sent it
    expect(await refusedWith(handle, 1)).toMatchObject({ refused: 'unverified', note: expect.stringMatching(/DMARC fail for school\.test/) });

    const genuine = replyTo(request, wangjianguo, '同意');
    const options = { signatureData: [{ signingDomain: 'school.test', selector: 's1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) }] };
    const { signatures } = await dkimSign(genuine, options as unknown as Parameters<typeof dkimSign>[1]);
    await deliver(Buffer.concat([Buffer.from(signatures), genuine]), strict);
    await waitForStatus(handle, (s) => s.step?.index === 1);
  });

  it('where the provider drops the +token from the address, the token in the Message-ID replied to still authenticates; for its own recipient only', async () => {
    const { handle, request } = await newReport('家长会（无子地址）');
    expect(request.messageId).toContain('.t-r');
    // 周晓梅 answers 王建国's review request (forwarded to her): the token in In-Reply-To is not hers.
    await deliver(replyTo(request, zhouxiaomei, '同意', { to: 'baosong@school.test' }));
    expect(await refusedWith(handle, 1)).toMatchObject({ refused: 'unverified', note: expect.stringMatching(/was not issued to zhouxiaomei@school\.test/) });
    // 王建国's own reply, delivered to the plain address as such a provider does: it approves.
    expect(await deliver(replyTo(request, wangjianguo, '同意', { to: 'baosong@school.test' }))).toEqual({ folder: 'processed' });
    await waitForStatus(handle, (s) => s.step?.index === 1);
  });

  it('a reply that names no report is quarantined and answered', async () => {
    const result = await deliver(mail({ from: wangjianguo, subject: '回复：家长会', body: '同意', inReplyTo: '<unknown@elsewhere.test>' }));
    expect(result).toMatchObject({ folder: 'quarantine' });
    const [notice] = await h.smtp.waitFor((m) => m.kind === 'notice' && m.to[0] === 'wangjianguo@school.test');
    expect(notice!.text).toMatch(/报送编号/);
  });

  it('the workflow id comes from the Message-ID', () => {
    expect(reportWorkflowId({ kind: 'mail', ref: '<a@b>' })).toBe(reportWorkflowId({ kind: 'mail', ref: '<a@b>' }));
    expect(reportWorkflowId({ kind: 'mail', ref: '<a@b>' })).not.toBe(reportWorkflowId({ kind: 'mail', ref: '<c@b>' }));
  });
});

/**
 * Every action a mail can take on a report is checked like an approval: the reply token of the mail it
 * answers (issued to the sender, for this report), and the school's sender policy. Forged → refused,
 * quarantined with a reason, recorded, and the office and the person it pretended to be are told.
 */
describe('forged-action matrix', () => {
  type Handle = Awaited<ReturnType<typeof newReport>>['handle'];
  const refusals = async (handle: Handle, count: number) => (await waitForStatus(handle, (s) => s.timeline.filter((e) => e.type === 'refused').length >= count)).timeline.filter((e) => e.type === 'refused');

  async function returnedReport(title: string) {
    const r = await newReport(title);
    expect(await deliver(replyTo(r.request, wangjianguo, '退回：请补充到会家长人数'))).toEqual({ folder: 'processed' });
    await waitForStatus(r.handle, (s) => s.status === 'returned');
    const [returned] = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'returned');
    return { ...r, returned: returned! };
  }

  it('the returned mail carries the liaison’s own token; a forged From of the liaison without it revises nothing', async () => {
    const { reportId, handle, returned } = await returnedReport('家长会（伪造修改）');
    expect(returned.replyTo).toMatch(/^baosong\+r\d{4}-\d{4,}-1-x-[a-z2-7]{16}@school\.test$/);
    const before = await handle.query(statusQuery);
    // To the plain inbox with the number in the subject, as anyone can write it.
    const forged = await deliver(mail({ from: liufang, subject: `回复：【${reportId}】家长会（伪造修改）`, body: '已修改：全文替换为广告内容' }));
    expect(forged).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/not verified: no reply token/) });
    // With someone else's token for this report (the head's step token).
    const stolen = await deliver(mail({ from: liufang, to: (await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request'))[0]!.replyTo!, subject: `回复：【${reportId}】家长会`, body: '已修改：广告' }));
    expect(stolen).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/was not issued to liufang@school\.test/) });
    const refused = await refusals(handle, 2);
    expect(refused.map((e) => e.refused)).toEqual(['unverified', 'unverified']);
    const after = await handle.query(statusQuery);
    expect(after).toMatchObject({ status: 'returned', round: before.round });
    expect(after.timeline.some((e) => e.type === 'revised')).toBe(false);
    expect(JSON.stringify(await h.readModel.getReport(reportId))).not.toContain('广告');
    // The liaison (the person it pretended to be) and the office are told.
    const told = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'refused', 2);
    expect(new Set(told.flatMap((m) => m.to))).toEqual(new Set(['liufang@school.test', 'zhouxiaomei@school.test', 'xieyutong@school.test']));
    // The genuine revision, answering the returned mail itself, still goes through.
    expect(await deliver(replyTo(returned, liufang, '已补充：到会家长 312 人。'))).toEqual({ folder: 'processed' });
    await waitForStatus(handle, (s) => s.status === 'in_review' && s.round === 2);
  });

  it('a comment needs a token too: forged ones are refused and never reach the timeline; the genuine one is recorded', async () => {
    const { reportId, handle, request } = await newReport('家长会（伪造留言）');
    const forged = await deliver(mail({ from: zhouxiaomei, subject: `回复：【${reportId}】家长会`, body: '请问这篇稿子是谁写的？' }));
    expect(forged).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/not verified/) });
    const [refused] = await refusals(handle, 1);
    expect(refused).toMatchObject({ refused: 'unverified', note: expect.stringMatching(/^comment: no reply token/) });
    const told = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'refused');
    expect(told.flatMap((m) => m.to)).toContain('zhouxiaomei@school.test');
    expect(await deliver(replyTo(request, wangjianguo, '请问照片是哪天拍的？'))).toEqual({ folder: 'processed' });
    const status = await waitForStatus(handle, (s) => s.timeline.some((e) => e.type === 'comment'));
    expect(status.timeline.filter((e) => e.type === 'comment').map((e) => e.note)).toEqual(['请问照片是哪天拍的？']);
    expect(JSON.stringify(status.timeline)).not.toContain('谁写的');
  });

  it('“好的” to the receipt (a token without a review step) is a remark, never an approval, even from a reviewer', async () => {
    const { reportId, handle } = await newReport('家长会（回执回复）');
    const [receipt] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'receipt');
    expect(await deliver(replyTo(receipt!, liufang, '好的'))).toEqual({ folder: 'processed' });
    const status = await waitForStatus(handle, (s) => s.timeline.some((e) => e.type === 'comment'));
    expect(status.step?.index).toBe(0);
    expect(status.timeline.some((e) => e.type === 'approved')).toBe(false);
  });

  it('a forged “撤回” in the liaison’s name withdraws nothing (mail never withdraws or reassigns)', async () => {
    const { reportId, handle } = await newReport('家长会（伪造撤回）');
    expect(await deliver(mail({ from: liufang, subject: `【${reportId}】撤回`, body: '请撤回这条报送，改派给谢雨桐审核。' }))).toMatchObject({ folder: 'quarantine' });
    await refusals(handle, 1);
    expect(await handle.query(statusQuery)).toMatchObject({ status: 'in_review', step: { index: 0 } });
  });

  it('with policy dkim, a revision with the liaison’s token but not signed by the school’s domain is refused', async () => {
    const resolver = (name: string) => Promise.reject(Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' }));
    const strict: IntakeDeps = { ...deps, config: { ...deps.config, mail: { ...deps.config.mail, authentication: { policy: 'dkim', trustedAuthservIds: [] } } }, resolver };
    const { handle, returned } = await returnedReport('家长会（DKIM 修改）');
    expect(await deliver(replyTo(returned, liufang, '已修改'), strict)).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(/DMARC/) });
    expect((await refusals(handle, 1))[0]).toMatchObject({ refused: 'unverified', note: expect.stringMatching(/^revise: DMARC/) });
    expect((await handle.query(statusQuery)).status).toBe('returned');
  });

  it('a reply whose subject lost the report number but carries a valid token reaches the token branch', async () => {
    const { handle, request } = await newReport('家长会（主题无编号）');
    const bare = mail({ from: wangjianguo, to: request.replyTo!, subject: '回复：家长会', body: '同意' });
    expect(await deliver(bare)).toEqual({ folder: 'processed' });
    await waitForStatus(handle, (s) => s.step?.index === 1);
  });

  it('a 3,000-character Message-ID is never echoed: every header line of the answer stays within 998 characters', async () => {
    const longId = `<${'x'.repeat(3000)}@school.test>`;
    const result = await deliver(mail({ from: wangjianguo, subject: '回复：一封很长的邮件', body: '同意', messageId: longId, inReplyTo: `<${'y'.repeat(3000)}@school.test>` }));
    expect(result).toMatchObject({ folder: 'quarantine' });
    const [notice] = await h.smtp.waitFor((m) => m.kind === 'notice' && m.subject.includes('一封很长的邮件'));
    const head = notice!.raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(Math.max(...head.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
    expect(head).not.toContain('xxxxxxxxxx');
  });
});

describe('mailed attachments are checked like the web form’s', () => {
  const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]), Buffer.alloc(2000, 9)]);
  const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(2000, 0)]);

  it.each([
    ['program bytes declared image/jpeg', { name: '现场照片.jpg', type: 'image/jpeg', content: EXE }, /不是这种类型/],
    ['HTML declared application/pdf', { name: '通知.pdf', type: 'application/pdf', content: Buffer.from('<html><script>alert(1)</script></html>') }, /不是这种类型/],
    ['a right-to-left override hiding .exe', { name: 'photo\u202Egpj.exe', type: 'image/jpeg', content: JPEG }, /photogpj\.exe（可执行文件或网页/],
    ['a type the school does not accept', { name: 'page.html', type: 'text/html', content: Buffer.from('<html></html>') }, /可执行文件或网页|不在允许的类型中/],
  ])('%s: refused, nothing stored, no report, the sender told', async (label, attachment, reason) => {
    const title = `运动会照片（${label}）`;
    const result = await deliver(mail({ from: liufang, subject: `【校园文化】${title}`, body: '见附件。', attachment }));
    expect(result).toMatchObject({ folder: 'quarantine', reason: expect.stringMatching(reason) });
    const [notice] = await h.smtp.waitFor((m) => m.kind === 'notice' && m.subject.includes(title));
    expect(notice!.text).toMatch(/附件不符合要求/);
    expect(h.smtp.mails.some((m) => m.kind === 'receipt' && m.subject.includes(title))).toBe(false);
  });

  it('a bidirectional control in a harmless name is stripped; the photo is stored under the name people see', async () => {
    const { reportId } = await newReport('运动会（文件名方向符）', { attachment: { name: '现场\u202E照片.jpg', type: 'image/jpeg', content: JPEG } });
    expect((await h.readModel.attachmentsFor(reportId)).map((a) => a.filename)).toEqual(['现场照片.jpg']);
  });

  it('a photo the phone sent as application/octet-stream is taken by its bytes', async () => {
    const { reportId } = await newReport('运动会（octet-stream）', { attachment: { name: 'IMG_0002.jpg', type: 'application/octet-stream', content: JPEG } });
    expect((await h.readModel.attachmentsFor(reportId)).map((a) => a.contentType)).toEqual(['image/jpeg']);
  });
});
