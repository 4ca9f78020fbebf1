/**
 * What happens to one mail that arrives in the shared inbox. Each mail ends in exactly one place:
 * `processed` once Temporal has acknowledged the report's start or the reviewer's signal, or
 * `quarantine` with a reason (and, when it helps a known sender, a polite answer saying what to do).
 * Handling the same mail again (after a crash, a duplicate delivery) starts no second report and sends
 * no second signal: the workflow id comes from the Message-ID, and a signal's evidence is its Message-ID.
 *
 * Long file: every way a mail can end (new report, each kind of reply, each refusal, the stranger's answer,
 * the office's desk) is decided here against one context; the rules are read best side by side.
 */
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { identify, reportFindings, type SenderIdentity } from '../config/school.js';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import type { ExpectedReport } from '../db/rows.js';
import { confirmsChecks } from '../domain/checks/confirm.js';
import type { ActionBase, AttachmentRef } from '../domain/lifecycle.js';
import { CATEGORIES, REPORT_STATUS_LABELS, type CategoryLabel } from '../domain/report.js';
import { readReportCard, REPORT_HEADER, type ReportCard } from '../mail/upward-card.js';
import { understandMail } from '../domain/mail/understand.js';
import type { MailInput, MailUnderstanding } from '../domain/mail/types.js';
import { mailDomain, tokenFromMessageId } from '../mail/message-id.js';
import { tokenFromAddress, verifyReplyToken } from '../mail/reply-token.js';
import { deliverOnce } from '../mail/deliver.js';
import type { MailTransport } from '../mail/transport.js';
import { renderNotice } from '../templates/render.js';
import { approveSignal, commentSignal, markPublishedSignal, reviseSignal, sendBackSignal, statusQuery } from '../workflows/report.js';
import { ReportUses } from '../db/uses.js';
import { localDateOf } from '../domain/time.js';
import type { Report } from '../db/rows.js';
import { cleanFilename, readAttachment, storeAttachment } from '../storage/attachments.js';
import { hasActiveExtension, uploadType } from '../storage/file-type.js';
import { checkSender, type Authenticity, type AuthenticityOptions } from './authenticity.js';
import type { Disposition, IncomingMessage } from './mailbox.js';
import { bureauMail, fromBureau } from './bureau.js';
import { tellSchoolOfUse } from '../ops/use-notice.js';
import { expectationAnswered } from './expected.js';
import { forwardedCopyOfOurs, ownMailCameBack } from './loop.js';
import { MailParseError, parseMailWithContent } from './parse-mail.js';
import { SubmissionError, submitReport } from './submit.js';
import { keepText, wholeText } from '../storage/texts.js';
import { QuarantineDesk, type QuarantineReasonCode } from '../db/quarantine-desk.js';
import { type ErrorCodes } from '../domain/errors.js';

export interface IntakeDeps {
  config: Config;
  client: Client;
  readModel: ReadModel;
  /** For answers to senders (the same transport the activities use). */
  transport: MailTransport;
  secret: string;
  /** DNS for DKIM/DMARC checks; tests pass their own. */
  resolver?: AuthenticityOptions['resolver'];
}

const MB = 1024 * 1024;

/**
 * Decides where the mail goes; a mail kept aside is also noted on the office's desk (待处理邮件, db/quarantine-desk.ts)
 * with its reason, sender, a preview and a reference to its stored bytes, so that nothing vanishes in silence.
 */
export async function handleMail(deps: IntakeDeps, message: IncomingMessage): Promise<Disposition> {
  const seen: { input?: MailInput } = {};
  const disposition = await decideMail(deps, message, seen);
  if (disposition.folder === 'quarantine') await noteOnDesk(deps, message, seen.input ?? null, disposition);
  return disposition;
}

async function decideMail(deps: IntakeDeps, message: IncomingMessage, seen: { input?: MailInput }): Promise<Kept> {
  const { config } = deps;
  let input: MailInput;
  let contents: Buffer[];
  try {
    ({ input, contents } = await parseMailWithContent(message.raw, { receivedAt: message.internalDate }));
  } catch (err) {
    if (err instanceof MailParseError) return quarantine(`unreadable mail: ${err.message}`, 'unreadable');
    throw err;
  }
  seen.input = input;
  const from = input.from?.address.toLowerCase() ?? null;
  // Never answer ourselves: our own notifications, echoed back by a forward, a redirect or a list.
  const ourselves = { address: config.mail.address, domain: mailDomain(config.mail.address), schoolName: config.school.name };
  const echo = ownMailCameBack(input, { ...ourselves, peer: from !== null && isPeer(config, from) });
  if (echo) return quarantine(echo, 'own_mail');

  // The reply token in the address the mail was sent to names its report even when the subject lost the number.
  const token = replyToken(input, ourselves.domain);
  // The bureau's answers about reports sent up to it (its baosong's are automatic mail, and still count): intake/bureau.ts.
  if (from && fromBureau(config, from)) return bureauMail(deps, message, input, token);
  const tokenReport = token ? reportOfToken(token) : null;
  let mail = understandMail(input, { timeZone: config.school.timeZone, ...(tokenReport ? { replyTokenReportId: tokenReport } : {}) });
  if (mail.kind === 'ignored') return quarantine(mail.reason ?? 'automatic mail', 'automatic');
  const forwarded = forwardedCopyOfOurs(input, ourselves);
  if (forwarded) return quarantine(forwarded, 'own_mail');
  // An answer to an expected report's reminder is that report (under the expected report's title when it
  // did not read as a report by itself).
  const answered = expectationAnswered([input.inReplyTo, ...input.references]);
  const expected = answered ? await deps.readModel.getExpected(answered) : null;
  if (expected && mail.kind !== 'report') mail = understandMail({ ...input, subject: expected.title, inReplyTo: null, references: [] }, { timeZone: config.school.timeZone });
  if (!from) return quarantine('no sender address', 'unknown_sender');
  const sender = await identifySender(deps, from);
  if (sender.roles.length === 0) return answerStranger(deps, input, from);

  // A school's baosong sending up (a bureau's configuration): its signed card says what the report is; nothing is guessed.
  // (A mail on the bureau's own thread — the revision the school sends after a 退回 — stays a reply.)
  const peer = input.inReplyTo === null ? schoolCard(config, input, sender) : null;
  if (peer) mail = { ...mail, kind: 'report', intent: null, reportId: null, title: peer.title, category: peer.category, categorySource: 'tag', urgency: peer.card.urgency, urgencySource: 'tag', eventTime: new Date(peer.card.eventTime), eventTimeSource: 'body', reason: null };
  const ctx: Context = { deps, message, input, mail, sender, contents, expected, token, ...(peer ? { upstream: { ref: peer.card.ref } } : {}) };
  if (message.raw.length > config.mail.limits.maxMailMB * MB) {
    return refuse(ctx, say(config, `邮件大小 ${(message.raw.length / MB).toFixed(1)} MB，超过 ${config.mail.limits.maxMailMB} MB 的上限。`, `The mail is ${(message.raw.length / MB).toFixed(1)} MB, over the ${config.mail.limits.maxMailMB} MB limit.`), tooLargeAdvice(config));
  }
  if (mail.kind === 'invalid') return refuse(ctx, mail.reason ?? say(config, '无法识别这封邮件。', 'This mail could not be understood.'));
  if (mail.kind === 'report') return newReport(ctx);
  return reply(ctx);
}

interface Context {
  deps: IntakeDeps;
  message: IncomingMessage;
  input: MailInput;
  mail: MailUnderstanding;
  sender: SenderIdentity;
  contents: Buffer[];
  /** The expected report this mail answers (a reply to its reminder), if any. */
  expected: ExpectedReport | null;
  /** The reply token in the address it was sent to, if any. */
  token: string | null;
  /** A school's baosong sent this report up: its own report number (the bureau's answers name it). */
  upstream?: { ref: string };
}

/** A quarantine disposition with the desk's reason code (the watcher reads only folder and reason). */
type Kept = Disposition & { code?: QuarantineReasonCode };

/** Reasons quote what a sender wrote (a subject, a header): kept to a readable length. */
const quarantine = (reason: string, code: QuarantineReasonCode): Kept => ({ folder: 'quarantine', reason: reason.length > 1000 ? `${reason.slice(0, 1000)}…` : reason, code });

function tooLargeAdvice(config: Config): string {
  return `请压缩照片或分几封邮件发送（每个附件不超过 ${config.mail.limits.maxAttachmentMB} MB，每封邮件不超过 ${config.mail.limits.maxMailMB} MB），也可以通过网页表单提交：${config.web.baseUrl.replace(/\/+$/, '')}/submit`;
}

/** The mail's identity for dedupe: its Message-ID, or a hash of its bytes when it has none. */
function originRef(ctx: Context): string {
  return ctx.input.messageId ?? `sha256:${createHash('sha256').update(ctx.message.raw).digest('hex')}`;
}

/**
 * Stores the attachments after the same checks as the web form (storage/file-type.ts): an allowed type whose
 * bytes are really of that type, a name without bidirectional tricks that does not end like a program.
 * Returns a reason when one is too large, not allowed, or not what it claims to be; then nothing is stored.
 */
async function attachments(ctx: Context): Promise<{ refs: AttachmentRef[] } | { problem: string }> {
  const { limits } = ctx.deps.config.mail;
  const accepted: { content: Buffer; filename: string | null; contentType: string }[] = [];
  const problems: string[] = [];
  for (const [i, info] of ctx.input.attachments.entries()) {
    const content = ctx.contents[i];
    if (!content) continue;
    const name = cleanFilename(info.filename) || `附件${i + 1}`;
    const type = uploadType(content, info.contentType, limits.allowedTypes);
    if (content.length > limits.maxAttachmentMB * MB) problems.push(`${name}（${(content.length / MB).toFixed(1)} MB，超过 ${limits.maxAttachmentMB} MB）`);
    else if (hasActiveExtension(name)) problems.push(`${name}（可执行文件或网页，不接收）`);
    else if (!limits.allowedTypes.map((t) => t.toLowerCase()).includes(info.contentType.toLowerCase()) && type === null) problems.push(`${name}（${info.contentType} 不在允许的类型中）`);
    else if (type === null) problems.push(`${name}（声明为 ${info.contentType}，但文件内容不是这种类型）`);
    else accepted.push({ content, filename: info.filename, contentType: type });
  }
  if (problems.length > 0) return { problem: say(ctx.deps.config, `附件不符合要求：${problems.join('；')}`, `An attachment was refused: ${problems.join('; ')}`) };
  const refs: AttachmentRef[] = [];
  for (const a of accepted) refs.push(await storeAttachment(ctx.deps.config, a.content, { filename: a.filename, contentType: a.contentType }));
  return { refs };
}

async function newReport(ctx: Context): Promise<Kept> {
  const stored = await attachments(ctx);
  if ('problem' in stored) return refuse(ctx, stored.problem, tooLargeAdvice(ctx.deps.config));
  const { mail, input, deps, expected } = ctx;
  // Without a time of its own, an answer to an expected report's reminder is about that event.
  const eventTime = mail.eventTimeSource === 'body' && mail.eventTime ? mail.eventTime : expected ? new Date(expected.eventEnd) : (mail.eventTime ?? input.receivedAt);
  try {
    await submitReport(deps, {
      origin: { kind: 'mail', ref: originRef(ctx) },
      from: { name: ctx.sender.name ?? input.from?.name ?? ctx.sender.address, email: ctx.sender.address },
      category: mail.category,
      urgency: mail.urgency,
      title: mail.title,
      body: mail.body,
      eventTime,
      receivedAt: input.receivedAt,
      attachments: stored.refs,
      expectedId: expected?.id,
      ...(ctx.upstream ? { upstream: ctx.upstream } : {}),
    });
  } catch (err) {
    if (err instanceof SubmissionError) return refuse(ctx, err.message);
    throw err;
  }
  return { folder: 'processed' };
}

/** The reply token in the address the mail was sent to (To, Delivered-To, X-Original-To), if any. */
function replyToken(input: MailInput, domain: string): string | null {
  const candidates = [...input.to.map((a) => a.address), input.headers['delivered-to'], input.headers['x-original-to']].filter((a): a is string => typeof a === 'string');
  const addressed = candidates.map(tokenFromAddress).find((t) => t !== null);
  if (addressed) return addressed;
  // A provider that drops `+token` from the address (or rewrites Reply-To): the token of the mail replied to,
  // from its Message-ID in In-Reply-To, else the nearest of References. Checked exactly like the address's.
  const thread = [input.inReplyTo, ...[...input.references].reverse()].filter((id): id is string => typeof id === 'string');
  return thread.map((id) => tokenFromMessageId(id, domain)).find((t) => t !== null) ?? null;
}

/** The report number a token is about (unverified: the signature is checked with the sender). */
function reportOfToken(token: string): string | null {
  const m = /^r(\d{4})-(\d{4,})-/.exec(token);
  return m ? `R-${m[1]}-${m[2]}` : null;
}

/** Which report a reply is about: the number in the subject, else the reply token, else the thread. */
async function findReport(ctx: Context): Promise<{ reportId: string; token: string | null } | null> {
  const { input, deps, token } = ctx;
  // The number the person can see (the subject) names the report; a token for another report is then
  // a mismatch that the authenticity check refuses, never a silent switch to that other report.
  if (ctx.mail.reportId) return { reportId: ctx.mail.reportId, token };
  const fromToken = token ? reportOfToken(token) : null;
  if (fromToken) return { reportId: fromToken, token };
  for (const id of [input.inReplyTo, ...input.references.slice().reverse()]) {
    if (!id) continue;
    const sent = await deps.readModel.sentMail(id);
    if (sent?.reportId) return { reportId: sent.reportId, token };
    const m = new RegExp(`^<(R-\\d{4}-\\d{4,})(?:\\.[^@]*)?@${mailDomain(deps.config.mail.address).replace(/\./g, '\\.')}>$`).exec(id);
    if (m?.[1]) return { reportId: m[1], token };
  }
  return null;
}

/** The school's sender-authentication policy (config mail.authentication) applied to this mail. */
function senderCheck(ctx: Context): Promise<Authenticity> {
  const { policy, trustedAuthservIds } = ctx.deps.config.mail.authentication;
  return checkSender(ctx.message.raw, ctx.sender.address, { policy, trustedAuthservIds, ...(ctx.deps.resolver ? { resolver: ctx.deps.resolver } : {}) });
}

/**
 * Token (bound to report, recipient, and for a review request to its round and step) plus the school's
 * sender-authentication policy. Every action by mail that changes a report or its timeline passes here.
 */
async function authenticity(ctx: Context, reportId: string, token: string | null): Promise<{ verdict: Authenticity; round?: number; step?: number | null }> {
  const { deps, sender } = ctx;
  if (!token) return { verdict: { ok: false, problem: 'no reply token: reply to the mail baosong sent you about this report' } };
  const claims = verifyReplyToken(token, sender.address, deps.secret);
  if (!claims.ok) return { verdict: { ok: false, problem: `reply token ${claims.reason === 'malformed' ? 'is malformed' : `was not issued to ${sender.address}`}` } };
  if (claims.reportId !== reportId) return { verdict: { ok: false, problem: `reply token belongs to ${claims.reportId}` } };
  const policy = deps.config.mail.authentication;
  const checked = await senderCheck(ctx);
  if (!checked.ok) return { verdict: checked };
  return { verdict: { ok: true, method: policy.policy === 'token' ? 'token' : `token+${checked.method}` }, round: claims.round, step: claims.step };
}

async function reply(ctx: Context): Promise<Kept> {
  const { deps, mail, sender } = ctx;
  const found = await findReport(ctx);
  if (!found) return refuse(ctx, say(deps.config, '找不到这封回复对应的报送。', 'No report matches this reply.'), say(deps.config, '请直接回复系统发给您的邮件，或在主题中写明报送编号，例如【R-2026-0042】。', 'Reply to the mail baosong sent you, or write the report number in the subject, e.g. [R-2026-0042].'));
  const report = await deps.readModel.getReport(found.reportId);
  if (!report) return refuse(ctx, say(deps.config, `报送 ${found.reportId} 不存在。`, `There is no report ${found.reportId}.`));
  const handle = deps.client.workflow.getHandle(report.workflowId);
  const base: ActionBase = {
    actor: { name: sender.name ?? ctx.input.from?.name ?? sender.address, email: sender.address },
    evidence: { via: 'mail', ref: originRef(ctx) },
  };

  // Revising, deciding and commenting are all checked alike. A forged one still reaches the workflow, which
  // records the refusal and tells the office and the person it pretended to be; it carries none of the mail's content.
  const { verdict, round, step } = await authenticity(ctx, found.reportId, found.token);
  const checked: ActionBase = { ...base, authenticity: verdict };
  // A refusal is an answer too (the workflow mails it): within the same hourly limit as notices.
  if (!verdict.ok) {
    const over = await answersOverLimit(ctx);
    if (over) return quarantine(`refused, not verified: ${verdict.problem}; ${over}`, 'over_limit');
  }
  // The submitter answering a returned report sends a revision, whatever it says ("好的，已修改" is not an approval:
  // no step is open, and a submitter never decides their own report).
  const revises = report.status === 'returned' && sender.address === report.submitterEmail.toLowerCase();
  // A decision needs the token of the review request it answers; the token of a receipt or a notice lets its
  // recipient revise or comment, so "好的" to a receipt is a remark, not an approval.
  // A second "同意…" from someone who already approved this step ("同意发布，照片很好") is a remark on the report,
  // not an action to refuse (issue 18 §4): it goes to the timeline as a comment.
  const approvedAlready =
    !revises &&
    verdict.ok &&
    mail.intent === 'approve' &&
    typeof step === 'number' &&
    (await deps.readModel.timeline(found.reportId)).some((e) => e.type === 'approved' && e.actorEmail?.toLowerCase() === sender.address && e.step === step && (round === undefined || e.detail.round === round));
  const decides = !revises && !approvedAlready && (mail.intent === 'approve' || mail.intent === 'send_back') && !(verdict.ok && step === null);
  // 录用 and 已发布 from the office or the editor, verified like every action (a forged one goes on as a comment, which the workflow refuses and reports).
  if (!revises && verdict.ok && mail.intent === 'use' && mail.uses?.length) return recordUses(ctx, report, base.actor.name);
  const closedNow = report.status === 'published' || report.status === 'archived';
  if (!revises && verdict.ok && mail.intent === 'published' && closedNow) return recordChannel(ctx, report, base.actor.name, mail.publishedUrl ?? null);
  try {
    if (!revises && mail.intent === 'published') {
      await handle.signal(markPublishedSignal, { ...checked, ...(verdict.ok ? { url: mail.publishedUrl ?? null } : {}) });
      return verdict.ok ? { folder: 'processed' } : quarantine(`refused, not verified: ${verdict.problem}`, 'unverified');
    }
    if (revises) {
      const stored = verdict.ok ? await attachments(ctx) : { refs: [] };
      if ('problem' in stored) return refuse(ctx, stored.problem, tooLargeAdvice(deps.config));
      if (verdict.ok) {
        const body = await keepText(deps.config, mail.body);
        await handle.signal(reviseSignal, { ...checked, body: body.text, bodyRef: body.ref, attachments: stored.refs });
      } else await handle.signal(reviseSignal, checked);
    } else if (decides) {
      const action: ActionBase = { ...checked, ...(round !== undefined ? { round } : {}), ...(typeof step === 'number' ? { step } : {}) };
      if (mail.intent === 'approve' && verdict.ok) {
        const unconfirmed = await unconfirmedErrors(ctx, handle, report.receivedAt);
        if (unconfirmed) return refuse(ctx, unconfirmed.reason, unconfirmed.advice);
      }
      if (mail.intent === 'approve') await handle.signal(approveSignal, { ...action, ...(verdict.ok && mail.archiveOnly ? { archive: true } : {}) });
      else {
        const reason = await keepText(deps.config, verdict.ok ? (mail.sendBackReason ?? '') : '');
        await handle.signal(sendBackSignal, { ...action, reason: reason.text, reasonRef: reason.ref });
      }
    } else {
      const text = await keepText(deps.config, verdict.ok ? mail.body : '');
      await handle.signal(commentSignal, { ...checked, text: text.text, textRef: text.ref });
    }
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return refuse(ctx, say(deps.config, `报送 ${found.reportId} 已经结束（${REPORT_STATUS_LABELS[report.status].zh}），这封回复没有再处理。`, `Report ${found.reportId} is closed (${REPORT_STATUS_LABELS[report.status].en}); this reply was not acted on.`));
    throw err;
  }
  return verdict.ok ? { folder: 'processed' } : quarantine(`refused, not verified: ${verdict.problem}`, 'unverified');
}

/** Who may record where a piece was used, or say it is published: the office, the leaders, the website editor. */
function recordsUses(config: Config, address: string): boolean {
  const a = address.toLowerCase();
  return [...config.office.reviewers, ...config.leadership].some((p) => p.email.toLowerCase() === a) || config.publish.editorEmail?.toLowerCase() === a;
}

/** "录用：县教育网 https://…" lines from the office: recorded (once each), and the sender is told what was recorded. */
async function recordUses(ctx: Context, report: Report, by: string): Promise<Kept> {
  const { deps, mail, sender } = ctx;
  if (!recordsUses(deps.config, sender.address)) {
    return refuse(ctx, say(deps.config, '只有学校办公室、学校领导或网站编辑可以登记录用情况。', 'Only the school office, the school’s leaders or the website editor may record where a report was used.'), say(deps.config, '请把采用通知转给学校办公室登记。', 'Forward the notice to the school office.'));
  }
  const today = localDateOf(new Date(), deps.config.school.timeZone);
  const store = new ReportUses(deps.readModel.database);
  const done: string[] = [];
  for (const use of mail.uses ?? []) {
    const added = await store.add({ reportId: report.id, outlet: use.outlet, level: use.level, kind: use.kind, usedOn: use.usedOn ?? today, ref: use.ref, source: 'mail', recordedBy: { name: by, email: sender.address }, recordedAt: new Date() });
    const what = `${report.id}《${report.title}》：${use.outlet}（${use.level} ${use.kind}）${use.ref ? ` ${use.ref}` : ''}，${use.usedOn ?? today}`;
    await tellSchoolOfUse(deps, report.id, { id: added.id, outlet: use.outlet, level: use.level, kind: use.kind, ref: use.ref });
    done.push(added.added ? what : say(deps.config, `${what}（此前已记录，未重复登记）`, `${what} (already recorded; not added again)`));
  }
  await acknowledge(ctx, done);
  return { folder: 'processed' };
}

/** "已发布 <URL>" for a report already closed (its first channel confirmed it): another channel's page, recorded as a use (校级). */
async function recordChannel(ctx: Context, report: Report, by: string, url: string | null): Promise<Kept> {
  const { deps, sender } = ctx;
  if (!recordsUses(deps.config, sender.address)) {
    return refuse(ctx, say(deps.config, '只有网站编辑、学校办公室或学校领导可以确认发布。', 'Only the website editor, the school office or the school’s leaders may confirm a publication.'));
  }
  if (report.status === 'archived') return refuse(ctx, say(deps.config, `报送 ${report.id} 按规定仅存档，不对外发布。`, `Report ${report.id} is kept on record only, not published.`));
  if (!url) return refuse(ctx, say(deps.config, `报送 ${report.id} 已经发布过；如又在其他渠道发布，请在“已发布”后写上网址。`, `Report ${report.id} is already published; for another channel, write its address after "Published".`));
  const channel = /mp\.weixin\.qq\.com/.test(url) ? '公众号' : '网站';
  const outlet = channel === '公众号' ? deps.config.publish.wechatName : deps.config.publish.websiteName;
  const today = localDateOf(new Date(), deps.config.school.timeZone);
  const added = await new ReportUses(deps.readModel.database).add({ reportId: report.id, outlet, level: deps.config.school.level, kind: channel, usedOn: today, ref: url, source: 'mail', recordedBy: { name: by, email: sender.address }, recordedAt: new Date() });
  await acknowledge(ctx, [`${report.id}《${report.title}》：${outlet} ${url}${added.added ? '' : say(deps.config, '（此前已记录）', ' (already recorded)')}`]);
  return { folder: 'processed' };
}

/** Tells the sender what their mail recorded (threaded under it; one answer per mail). */
function acknowledge(ctx: Context, done: string[]): Promise<void> {
  return sendNotice(ctx, 'ack', { reason: '', done });
}

/**
 * 稿件体检 found an error in the report as it reads now, and the reviewer's 同意 does not say they looked at it
 * (看过，无误): the approval waits, as on the reviewer page. The reviewer is told what was found and how to
 * confirm; never a refusal of the report itself.
 */
async function unconfirmedErrors(ctx: Context, handle: WorkflowHandle, receivedAt: string): Promise<{ reason: string; advice: string } | null> {
  if (confirmsChecks(ctx.mail.body)) return null;
  const { config } = ctx.deps;
  const view = await handle.query(statusQuery);
  const body = await wholeText(config, { text: view.body, ref: view.bodyRef });
  const errors = reportFindings(config, { title: view.title, body, attachments: view.attachments, receivedAt }).filter((f) => f.severity === 'error');
  if (errors.length === 0) return null;
  const en = config.school.locale === 'en';
  const found = errors.map((f) => `${f.message[en ? 'en' : 'zh-CN']}${f.excerpt ? (en ? ` ("${f.excerpt}")` : `（“${f.excerpt}”）`) : ''}`).join(en ? '; ' : '；');
  return en
    ? { reason: `Not approved yet: the automatic checks marked ${errors.length} error(s) in ${view.reportId}: ${found}`, advice: 'If you have checked them and the report is right, reply "Approve, checked, correct" (同意，看过无误), or tick 看过，无误 on the review page. If it needs correcting, reply 退回：the reason.' }
    : { reason: `报送 ${view.reportId} 尚未通过：自动检查标出 ${errors.length} 处错误——${found}`, advice: '如已逐条核对、内容无误，请回复“同意，看过无误”，或在审核页面勾选“看过，无误”后点“同意”；需要改正的，请回复“退回：原因”。' };
}

/** Kinds of mail that answer a mail automatically (counted for the hourly limit per address). */
const ANSWER_KINDS = ['notice', 'refused', 'forgery_alert'] as const;

/**
 * Null while the sender may still get an automatic answer this hour; else why not (and the office is told,
 * once a day per address, that baosong stopped answering it: usually an auto-forwarding mailbox).
 */
async function answersOverLimit(ctx: Pick<Context, 'deps' | 'sender' | 'input'>): Promise<string | null> {
  const { deps, sender, input } = ctx;
  const { config, readModel, transport } = deps;
  const limit = config.mail.limits.noticesPerHour;
  const now = Date.now();
  const sent = await readModel.countMailTo(sender.address, ANSWER_KINDS, new Date(now - 3_600_000));
  if (sent < limit) return null;
  const why = `not answered: ${sent} automatic answers to ${sender.address} in the last hour (limit ${limit}; a mail loop?)`;
  const domain = mailDomain(config.mail.address);
  const day = new Date(now).toISOString().slice(0, 10);
  for (const person of config.office.reviewers) {
    const messageId = `<notice-limit.${createHash('sha256').update(`${sender.address}|${day}|${person.email}`).digest('hex').slice(0, 24)}@${domain}>`;
    const rendered = renderNotice(
      {
        schoolName: config.school.name,
        recipientName: person.name,
        originalSubject: `${sender.address} 的来信（自动回复已暂停）`,
        reason: `一小时内已向 ${sender.address} 自动回复 ${sent} 封邮件，达到上限 ${limit} 封；此后来自该地址、需要自动回复的邮件只放入隔离文件夹，不再回复。常见原因是该邮箱设置了自动转发到报送邮箱，形成邮件循环。`,
        advice: `请联系 ${sender.address} 的使用人检查邮箱的自动转发或自动回复设置，并查看隔离文件夹中的邮件。最近一封的主题：${input.subject.slice(0, 200)}`,
      },
      { locale: config.school.locale, timeZone: config.school.timeZone },
    );
    await deliverOnce(readModel, transport, { messageId, reportId: null, kind: 'notice_limit', to: [person.email], subject: rendered.subject, createdAt: new Date(now) }, () => ({
      messageId,
      from: { name: config.mail.fromName, address: config.mail.address },
      to: person.email,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': 'notice_limit' },
    }));
  }
  return why;
}

/**
 * Quarantine with a reason, and tell the (known) sender why and what to do. Sent once per mail, and to one
 * address at most `mail.limits.noticesPerHour` times an hour.
 */
/**
 * The automatic answer to one mail: a refusal ('notice') or what it recorded ('ack'), threaded under it, sent once
 * (its Message-ID derives from the mail's), marked auto-replied so no mail system answers it back.
 */
async function sendNotice(ctx: Context, prefix: 'notice' | 'ack', content: { reason: string; advice?: string; done?: string[] }): Promise<void> {
  const { deps, input, sender } = ctx;
  const { config, readModel, transport } = deps;
  const messageId = `<${prefix}.${createHash('sha256').update(originRef(ctx)).digest('hex').slice(0, 24)}@${mailDomain(config.mail.address)}>`;
  const rendered = renderNotice(
    { schoolName: config.school.name, recipientName: sender.name ?? sender.address, originalSubject: input.subject, ...content },
    { locale: config.school.locale, timeZone: config.school.timeZone },
  );
  await deliverOnce(readModel, transport, { messageId, reportId: null, kind: 'notice', to: [sender.address], subject: rendered.subject, createdAt: new Date() }, () => ({
    messageId,
    from: { name: config.mail.fromName, address: config.mail.address },
    to: sender.address,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    ...(input.messageId ? { inReplyTo: input.messageId, references: [input.messageId] } : {}),
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': 'notice' },
  }));
}

async function refuse(ctx: Context, reason: string, advice?: string): Promise<Kept> {
  const over = await answersOverLimit(ctx);
  if (over) return quarantine(`${reason}; ${over}`, 'over_limit');
  await sendNotice(ctx, 'notice', { reason, ...(advice ? { advice } : {}) });
  return quarantine(reason, 'refused');
}

/**
 * Who a sender is: the configuration first, then the aliases the office added from the 待处理邮件 view
 * (db/quarantine-desk.ts). An alias stands for its person: reports from it are that person's, and
 * answers go to the person's configured address (the one their reply tokens are issued to).
 */
async function identifySender(deps: IntakeDeps, address: string): Promise<SenderIdentity> {
  const configured = identify(deps.config, address);
  if (configured.roles.length > 0) return configured;
  const person = await new QuarantineDesk(deps.readModel.database).aliasOf(address);
  return person ? identify(deps.config, person) : configured;
}

/**
 * A mail from an address the school has not listed (a teacher's own QQ or 163 mailbox): kept aside for the
 * office, and the sender is told so once a day per address, within the same hourly limit as every other
 * automatic answer. Automatic mail, bulk mail and our own mail never get here (quarantined above).
 */
async function answerStranger(deps: IntakeDeps, input: MailInput, from: string): Promise<Kept> {
  const { config, readModel, transport } = deps;
  const reason = `unknown sender ${from}: not listed in the configuration`;
  const stranger = { address: from, name: null, roles: [] };
  const over = await answersOverLimit({ deps, sender: stranger, input });
  if (over) return quarantine(`${reason}; ${over}`, 'unknown_sender');
  const domain = mailDomain(config.mail.address);
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: config.school.timeZone }).format(new Date());
  const messageId = `<stranger.${createHash('sha256').update(`${from}|${day}`).digest('hex').slice(0, 24)}@${domain}>`;
  // An answer the server refused earlier today is tried again; one that went out is not repeated.
  const earlier = await readModel.sentMail(messageId);
  if (earlier && earlier.status !== 'failed') return quarantine(`${reason}; answered once today already`, 'unknown_sender');
  const en = config.school.locale === 'en';
  const submitUrl = `${config.web.baseUrl.replace(/\/+$/, '')}/submit`;
  const rendered = renderNotice(
    {
      schoolName: config.school.name,
      // The sender's display name is not echoed back to an address nobody has vouched for.
      recipientName: null,
      // Nor more of its subject than is needed to recognise the mail.
      originalSubject: input.subject.length > 60 ? `${input.subject.slice(0, 60)}…` : input.subject,
      reason: en
        ? `The address ${from} is not registered with the school's reporting system.`
        : `发件地址 ${from} 没有在学校的信息报送系统中登记。`,
      advice: en
        ? `Your mail has been passed to the school office; once they confirm it, they can accept it as a report on your behalf, counted from the time it arrived, so there is no need to send it again. Next time please send from your registered school address, or ask the office to add this address as yours. You can also use the web form: ${submitUrl}`
        : `您的邮件已转给学校办公室。办公室核实后可以代为接收为报送，按邮件到达的时间计算是否及时，您不必重发。以后请用在学校登记的邮箱发送，或请办公室把这个地址添加为您的邮箱；也可以通过网页表单提交：${submitUrl}`,
    },
    { locale: config.school.locale, timeZone: config.school.timeZone },
  );
  // What the office's desk shows when the sender could not be told (its label says they were).
  const notAnswered = (zh: string, en: string) => say(config, `发件地址 ${from} 未登记，没有回复发件人：${zh}`, `Unregistered sender ${from}, not answered: ${en}`);
  // The answer is a courtesy: the mail is on the office's desk whatever happens to it. An address the mail server
  // refuses (garbage in a From header) or a server that is away must not throw the mail back into the inbox, where
  // it would be read and refused again; the attempt stays recorded in sent_mail with its error.
  if (!plausibleAddress(from)) return quarantine(`${notAnswered('这个地址无法收信', 'the address cannot receive mail')}; ${reason}; not answered (the address cannot receive mail)`, 'unknown_sender');
  try {
    await deliverStrangerAnswer();
  } catch (err) {
    return quarantine(`${notAnswered('邮件服务器拒收或暂时无法发送回复', 'the mail server refused or could not send the answer')}; ${reason}; answer not sent: ${(err as Error).message.split('\n')[0]?.slice(0, 200)}`, 'unknown_sender');
  }
  return quarantine(`${reason}; answered`, 'unknown_sender');

  function deliverStrangerAnswer(): Promise<boolean> {
    return deliverOnce(readModel, transport, { messageId, reportId: null, kind: 'notice', to: [from], subject: rendered.subject, createdAt: new Date() }, () => ({
      messageId,
      from: { name: config.mail.fromName, address: config.mail.address },
      to: from,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      ...(input.messageId ? { inReplyTo: input.messageId, references: [input.messageId] } : {}),
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': 'notice' },
    }));
  }
}

/**
 * Whether an address could receive an answer at all: one @, a local part of printable ASCII without spaces or
 * angle brackets, a domain of labels with a dot. Not a validation of who it is; it keeps garbage parsed out of a
 * From header from being handed to the SMTP server.
 */
export function plausibleAddress(address: string): boolean {
  return address.length <= 254 && /^[!#-'*+\-/-9=?A-Z^-~.]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu.test(address);
}

/** A sentence for people in the school's language (the office's desk shows it; the sender's answer quotes it). */
function say(config: Config, zh: string, en: string): string {
  return config.school.locale === 'en' ? en : zh;
}

/** How much of a quarantined mail's text the office sees in the list. */
const PREVIEW_CHARS = 200;

/** Notes a quarantined mail on the office's desk, with a reference to its stored bytes (not a copy in a payload). */
async function noteOnDesk(deps: IntakeDeps, message: IncomingMessage, input: MailInput | null, kept: Kept): Promise<void> {
  const { config } = deps;
  // A mail over the size limit is not kept twice: it is in the IMAP quarantine folder.
  const keep = message.raw.length <= config.mail.limits.maxMailMB * MB;
  const stored = keep ? await storeAttachment(config, message.raw, { filename: 'mail.eml', contentType: 'message/rfc822' }) : null;
  const text = (input?.text ?? '').replace(/\s+/g, ' ').trim();
  await new QuarantineDesk(deps.readModel.database).record({
    originRef: input?.messageId ?? `sha256:${createHash('sha256').update(message.raw).digest('hex')}`,
    fromAddress: input?.from?.address.toLowerCase() ?? null,
    fromName: input?.from?.name?.slice(0, 100) || null,
    subject: (input?.subject ?? '').slice(0, 300),
    receivedAt: input?.receivedAt ?? message.internalDate,
    reasonCode: kept.code ?? 'failed',
    reason: kept.folder === 'quarantine' ? kept.reason : '',
    preview: text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text,
    rawSha256: stored?.sha256 ?? null,
    rawSize: message.raw.length,
  });
}

export type AcceptErrorCode = ErrorCodes<'EACCEPT_GONE' | 'EACCEPT_REFUSED'>;

export class AcceptError extends Error {
  constructor(
    readonly code: AcceptErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AcceptError';
  }
}

/**
 * The office receives a quarantined mail as a report of `liaison` for `departmentId`: read back from its
 * stored bytes, understood as the intake would, with the same attachment checks, and received at the time
 * the mail itself arrived (so 迟报 is judged honestly). Keyed on the mail's own origin, so a second click
 * (or the mail arriving again from a known address) is the same report.
 */
export async function acceptQuarantined(
  deps: Pick<IntakeDeps, 'config' | 'client' | 'readModel'>,
  mail: { originRef: string; rawSha256: string | null; receivedAt: Date },
  as: { liaisonEmail: string; departmentId: string },
): Promise<{ reportId: string; started: boolean }> {
  const { config } = deps;
  if (!mail.rawSha256) throw new AcceptError('EACCEPT_GONE', config.school.locale === 'en' ? 'This mail was too large to keep; open it in the mailbox’s quarantine folder.' : '这封邮件太大，系统没有另存，请在邮箱的隔离文件夹中查看。');
  let raw: Buffer | null;
  try {
    raw = await readAttachment(config, mail.rawSha256);
  } catch {
    raw = null;
  }
  if (!raw) {
    throw new AcceptError('EACCEPT_GONE', config.school.locale === 'en' ? 'The stored copy of this mail cannot be read; open it in the mailbox’s quarantine folder.' : '读不到这封邮件的存档，请在邮箱的隔离文件夹中查看。');
  }
  const { input, contents } = await parseMailWithContent(raw, { receivedAt: mail.receivedAt });
  const sender = identify(config, as.liaisonEmail);
  // Read as a new report even when it looked like a reply ("Re: 公开课" to a colleague's mail, no report number).
  const subject = input.subject.replace(/^\s*((re|fw|fwd|aw|回复|答复|转发)\s*[:：]\s*)+/i, '');
  const asReport = understandMail({ ...input, subject, inReplyTo: null, references: [] }, { timeZone: config.school.timeZone });
  if (asReport.kind !== 'report') throw new AcceptError('EACCEPT_REFUSED', asReport.reason ?? (config.school.locale === 'en' ? 'This mail does not read as a report.' : '这封邮件读不出报送内容。'));
  const ctx = { deps: { ...deps, transport: null as never, secret: '' }, message: { uid: 0, raw, internalDate: mail.receivedAt, size: raw.length }, input, mail: asReport, sender, contents, expected: null, token: null } satisfies Context;
  const stored = await attachments(ctx);
  if ('problem' in stored) throw new AcceptError('EACCEPT_REFUSED', stored.problem);
  const eventTime = asReport.eventTimeSource === 'body' && asReport.eventTime ? asReport.eventTime : (asReport.eventTime ?? mail.receivedAt);
  try {
    const r = await submitReport(deps, {
      origin: { kind: 'mail', ref: mail.originRef },
      from: { name: sender.name ?? as.liaisonEmail, email: as.liaisonEmail },
      departmentId: as.departmentId,
      category: asReport.category,
      urgency: asReport.urgency,
      title: asReport.title || input.subject || '（无主题）',
      body: asReport.body,
      eventTime,
      receivedAt: mail.receivedAt,
      attachments: stored.refs,
    });
    return { reportId: r.reportId, started: r.started };
  } catch (err) {
    if (err instanceof SubmissionError) throw new AcceptError('EACCEPT_REFUSED', err.message);
    throw err;
  }
}

/** Another baosong this one works with: the bureau it reports to, or (a bureau's configuration) a school with a shared key. */
function isPeer(config: Config, address: string): boolean {
  if (fromBureau(config, address)) return true;
  const who = identify(config, address);
  return who.roles.some((r) => 'department' in r && config.departments.some((d) => d.id === r.department && d.sharedKeyEnv !== undefined));
}

/**
 * The card of a school running baosong (a bureau's configuration, whose departments are schools): verified with
 * the key that school's department names (departments[].sharedKeyEnv), bound to this mail's Message-ID and sender.
 * The title is the subject without the school's 【name】 the bureau's subject line puts first.
 */
function schoolCard(config: Config, input: MailInput, sender: SenderIdentity): { card: ReportCard; title: string; category: CategoryLabel } | null {
  const value = input.headers[REPORT_HEADER.toLowerCase()];
  if (!value || !input.messageId) return null;
  const departments = sender.roles.flatMap((r) => ('department' in r ? [r.department] : []));
  for (const d of config.departments.filter((x) => departments.includes(x.id) && x.sharedKeyEnv)) {
    const key = process.env[d.sharedKeyEnv!];
    if (!key) continue;
    const read = readReportCard(value, { key, messageId: input.messageId, from: sender.address });
    if (!read.ok) continue;
    const category = CATEGORIES.find((c) => c.key === read.card.category)?.zh ?? '其他';
    const title = input.subject.replace(/^\s*(?:【[^】]{1,40}】|\[[^\]]{1,40}\])\s*/, '').trim() || input.subject;
    return { card: read.card, title, category };
  }
  return null;
}
