/**
 * Sending a report's notification mails. One mail per recipient (each carries its own reply token),
 * each with a Message-ID derived from (report, timeline entry, kind, recipient): a retried activity
 * finds the mail already sent and does not send it again, and an SMTP server that failed mid-way gets
 * the identical message, never a second different one.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { reportFindings } from '../config/school.js';
import type { Config } from '../config/schema.js';
import { findingItems } from '../domain/checks/index.js';
import type { ReadModel } from '../db/read-model.js';
import { REFUSAL_TEXT, type RefusalReason, type ReportMailRequest } from '../domain/lifecycle.js';
import type { Person } from '../domain/review.js';
import { hasAttachment, mailAttachmentSource } from '../storage/attachments.js';
import { fileUrl, publishUrl, reviseUrl, reviewUrls, statusUrl } from '../mail/links.js';
import { mailDomain, reportMessageId, threadHeaders } from '../mail/message-id.js';
import { mintReplyToken, replyAddress } from '../mail/reply-token.js';
import { deliverOnce } from '../mail/deliver.js';
import { cardText, NOTICE_HEADER, signNoticeCard, type NoticeCard } from '../mail/upward-card.js';
import { wholeText } from '../storage/texts.js';
import type { MailTransport } from '../mail/transport.js';
import { renderMail, TemplateError, type AttemptedAction, type MailData } from '../templates/render.js';

const ATTEMPTED: Record<string, AttemptedAction> = { approve: 'approve', sendBack: 'send_back', withdraw: 'withdraw', revise: 'revise', comment: 'comment', reassign: 'reassign' };

/** Kinds that carry the report's files as attachments (up to `mail.attachUpToMB`): the reviewer's and the website editor's. */
const CARRIES_FILES = new Set(['review_request', 'publish_request']);

/**
 * Which of the report's files go with this mail (by sha256): in order, while the total stays within
 * `mail.attachUpToMB`; the rest, and every file of other kinds, are signed download links.
 */
export function filesToAttach(req: ReportMailRequest, config: Config): Set<string> {
  const attach = new Set<string>();
  if (!CARRIES_FILES.has(req.kind)) return attach;
  const cap = config.mail.attachUpToMB * 1024 * 1024;
  let total = 0;
  for (const a of req.report.attachments) {
    if (attach.has(a.sha256) || total + a.size > cap) continue;
    attach.add(a.sha256);
    total += a.size;
  }
  return attach;
}

/** A report's text in a mail: whole up to this many characters (the status page has all of it). */
export const MAIL_BODY_CHARS = 20_000;

/** Template data for one recipient of a report mail. `body`: the report's whole text, when stored (else the request's). */
export function mailData(req: ReportMailRequest, recipient: Person, config: Config, secret: string, attached: ReadonlySet<string> = new Set(), body: string = req.report.body): MailData {
  const locale = config.school.locale;
  const r = req.report;
  const data: MailData = {
    schoolName: config.school.name,
    recipientName: recipient.name,
    report: {
      id: req.reportId,
      title: r.title,
      body,
      departmentName: r.departmentName,
      submitterName: r.submitter.name,
      submitterEmail: r.submitter.email,
      category: r.category,
      urgency: r.urgency,
      eventTime: r.eventTime,
      receivedAt: r.receivedAt,
      dueAt: r.dueAt,
      timeliness: r.timeliness,
      reviewDueAt: req.reviewDueAt,
      attachments: r.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        size: a.size,
        url: fileUrl(config.web.baseUrl, { reportId: req.reportId, sha256: a.sha256, filename: a.filename, issuedAt: req.composedAt, secret }),
        attached: attached.has(a.sha256),
      })),
      statusUrl: statusUrl(config.web.baseUrl, req.reportId, secret),
    },
    sentAt: req.composedAt,
  };
  if (config.school.level !== '校级') data.departmentLabel = locale === 'en' ? 'School' : '报送学校';
  if (req.step) data.step = { index: req.step.index + 1, count: req.step.count, kind: req.step.kind };
  const revisionReminder = req.kind === 'reminder' && !req.step;
  const deadline = revisionReminder ? req.revisionDueAt : req.reviewDueAt;
  if (deadline) data.deadline = deadline;
  if (req.reviewDueProvisional && !revisionReminder) data.deadlineProvisional = true;
  if (req.revisionDueAt) data.revisionDueAt = req.revisionDueAt;
  if (req.actor) {
    data.actorName = req.actor.name;
    data.actorAddress = req.actor.email;
  }
  if (req.holders.length > 0) data.holderName = req.holders.map((p) => p.name).join('、');
  if (req.publishedUrl) data.publishedUrl = req.publishedUrl;
  if (req.kind === 'approved' && req.reason === 'archive') data.archiveOnly = true;
  else if (req.kind === 'publish_request' && req.reason === 'reminder') data.publishReminder = true;
  else if (req.reason) {
    const refusal = REFUSAL_TEXT[req.reason as RefusalReason] as { zh: string; en: string } | undefined;
    data.reason = req.kind === 'refused' && refusal ? refusal[locale === 'en' ? 'en' : 'zh'] : req.reason;
  }
  if (req.attemptedAction && ATTEMPTED[req.attemptedAction]) data.attemptedAction = ATTEMPTED[req.attemptedAction];
  if (req.upward && (req.kind === 'upward_due' || req.kind === 'bureau_notice')) {
    const notice = req.upward.notice;
    data.upward = { bureauName: req.upward.bureau.name, overdue: req.overdue, ...(req.upward.dueAt ? { dueAt: req.upward.dueAt } : {}), ...(notice ? { notice: notice.notice, use: notice.use ?? '' } : {}) };
  }
  if (ANSWERABLE.has(req.kind) && req.step && holds(req, recipient)) {
    // Signed links to the reviewer page, bound to this report, round, step and reviewer; opening them only shows a form.
    const urls = reviewUrls(config.web.baseUrl, { reportId: req.reportId, round: req.round, step: req.step.index, reviewer: recipient.email, issuedAt: req.composedAt, secret });
    // Under review.linkPolicy `view` the link only shows the report: deciding takes a reply (or a signed-in session).
    data.links = config.review.linkPolicy === 'view' ? { view: urls.approve.replace(/\?do=approve$/, ''), viewOnly: true } : urls;
  }
  if ((req.kind === 'returned' || (req.kind === 'reminder' && !req.step)) && recipient.email.toLowerCase() === r.submitter.email.toLowerCase()) {
    // The submitter's signed link to revise online (the same `revise` signal a reply sends), for this round.
    data.links = { edit: reviseUrl(config.web.baseUrl, { reportId: req.reportId, round: req.round, submitter: recipient.email, issuedAt: req.composedAt, secret }) };
  }
  if (req.kind === 'receipt' || req.kind === 'review_request') {
    // 稿件体检, here in the activity (never in the workflow): the text as it reads now, so a revision's review request is checked again.
    const text = { title: r.title, body, attachments: r.attachments, receivedAt: r.receivedAt };
    const checks = findingItems(reportFindings(config, text), text, locale === 'en' ? 'en' : 'zh-CN');
    if (checks.length > 0) data.checks = checks;
  }
  if (req.kind === 'publish_request') {
    data.approvals = req.approvals.map((a) => ({ kind: a.kind, name: a.name, at: a.at }));
    // The editor's 确认已发布 page (the same markPublished a reply "已发布 <URL>" sends); the workflow checks who.
    data.links = { publish: publishUrl(config.web.baseUrl, { reportId: req.reportId, editor: recipient.email, issuedAt: req.composedAt, secret }) };
  }
  return data;
}

/**
 * Forged replies (a refusal for want of a valid token or sender check) are told to each person at most once an
 * hour per report: the alerts in between are recorded as held (never sent), and the next alert counts them
 * ("12 forged replies since 10:00"). Recorded as `forgery_alert` (the template is `refused`); held rows count
 * towards the intake's hourly answer limit to that address like sent ones.
 */
export const FORGERY_ALERT_KIND = 'forgery_alert';
const FORGERY_ALERT_WINDOW_MS = 3600_000;
const HELD_FORGERY_ALERT = 'bounded: one forged-reply alert per report and person an hour';

/** Kinds a reviewer answers by replying (or by the signed links): for this report, round, step and person (upward_due: the bureau's deadline is near). */
const ANSWERABLE = new Set(['review_request', 'reminder', 'escalation', 'upward_due']);

function holds(req: ReportMailRequest, recipient: Person): boolean {
  return req.step !== null && req.holders.some((h) => h.email === recipient.email);
}

export function createMailActivities(deps: { config: Config; readModel: ReadModel; transport: MailTransport; secret: string }) {
  const { config, readModel, transport, secret } = deps;
  const domain = mailDomain(config.mail.address);
  const from = { name: config.mail.fromName, address: config.mail.address };

  /**
   * For a forged reply's alert to `recipient`: null when one went to them about this report within the hour (this
   * one is held), else how many were held since the last one went out (this one included) and since when.
   */
  async function forgeryAlert(req: ReportMailRequest, recipient: Person, messageId: string): Promise<{ count: number; since: string } | null> {
    const to = recipient.email.toLowerCase();
    const earlier = (await readModel.mailFor(req.reportId)).filter((m) => m.kind === FORGERY_ALERT_KIND && m.messageId !== messageId && m.to.length === 1 && m.to[0] === to);
    const told = earlier.filter((m) => m.status !== 'held' || m.error !== HELD_FORGERY_ALERT);
    const last = told.at(-1);
    if (last && Date.parse(req.composedAt) - Date.parse(last.createdAt) < FORGERY_ALERT_WINDOW_MS) return null;
    const held = earlier.filter((m) => m.status === 'held' && m.error === HELD_FORGERY_ALERT && (!last || m.createdAt > last.createdAt));
    return { count: held.length + 1, since: held[0]?.createdAt ?? req.composedAt };
  }

  /**
   * The mail's Message-ID, with the token. A retry of an attempt made before Message-IDs carried tokens keeps
   * the old one, so that mail is not sent a second time under a new id (a first attempt never had an old one).
   */
  async function stableMessageId(req: ReportMailRequest, recipient: Person, token: string): Promise<string> {
    const messageId = reportMessageId(req.reportId, req.key, recipient.email, domain, token);
    if (activityAttempt() === 1) return messageId;
    const legacy = reportMessageId(req.reportId, req.key, recipient.email, domain);
    return (await readModel.sentMail(legacy)) ? legacy : messageId;
  }

  /** True when this call sent it (false: it had gone out before, or was held). */
  async function sendOne(req: ReportMailRequest, recipient: Person): Promise<boolean> {
    // Every mail of a report carries its recipient's own reply token: a step token for the holder asked to
    // decide, else a report token (revise, withdraw, comment), which can never approve or send back.
    const step = ANSWERABLE.has(req.kind) && req.step && holds(req, recipient) ? req.step.index : null;
    const token = mintReplyToken({ reportId: req.reportId, round: req.round, step, recipient: recipient.email, secret });
    const messageId = await stableMessageId(req, recipient, token);
    const forged = req.kind === 'refused' && req.reason === 'unverified';
    let forgeries: { count: number; since: string } | null = null;
    if (forged) {
      const before = await readModel.sentMail(messageId);
      if (before && before.status !== 'failed' && before.status !== 'sending') return false; // sent, or held, by an earlier attempt
      forgeries = await forgeryAlert(req, recipient, messageId);
      if (!forgeries) {
        await readModel.recordMailSending({ messageId, reportId: req.reportId, kind: FORGERY_ALERT_KIND, to: [recipient.email.toLowerCase()], subject: '', createdAt: req.composedAt });
        await readModel.markMailHeld(messageId, HELD_FORGERY_ALERT);
        return false;
      }
    }

    // Files that are planned but missing from the store (never expected) go as links rather than failing the mail forever.
    const attach = filesToAttach(req, config);
    for (const sha of attach) if (!(await hasAttachment(config, sha))) attach.delete(sha);
    const files = req.report.attachments.filter((a, i, all) => attach.has(a.sha256) && all.findIndex((b) => b.sha256 === a.sha256) === i);

    const body = await wholeText(config, { text: req.report.body, ref: req.report.bodyRef }, MAIL_BODY_CHARS);
    let rendered;
    try {
      const data = mailData(req, recipient, config, secret, attach, body);
      if (forgeries && forgeries.count > 1) data.forgeries = forgeries;
      rendered = renderMail(req.kind, data, { locale: config.school.locale, timeZone: config.school.timeZone });
    } catch (err) {
      // A template that cannot render will not render on a retry either.
      if (err instanceof TemplateError) throw ApplicationFailure.nonRetryable(err.message, 'TemplateError');
      throw err;
    }
    const thread = threadHeaders(req.reportId, domain, req.originMessageId);
    // The token twice: in the Reply-To sub-address and in the Message-ID (for providers without sub-addressing).
    const replyTo = replyAddress(config.mail.address, token);
    const { subject, html, text } = rendered;
    const attachments = await Promise.all(files.map(async (a) => ({ filename: a.filename, contentType: a.contentType, ...(await mailAttachmentSource(config, a.sha256)) })));
    return deliverOnce(readModel, transport, { messageId, reportId: req.reportId, kind: forged ? FORGERY_ALERT_KIND : req.kind, to: [recipient.email], subject, createdAt: req.composedAt }, () => ({
      messageId,
      from,
      to: { name: recipient.name, address: recipient.email },
      replyTo,
      subject,
      html,
      text,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      date: new Date(req.composedAt),
      ...(attachments.length > 0 ? { attachments } : {}),
      headers: {
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
        'X-Baosong-Report': req.reportId,
        'X-Baosong-Kind': req.kind,
        ...noticeCard(req, recipient, messageId),
      },
    }));
  }

  /**
   * A bureau answering a school's baosong (the report came up with its card): the same mail carries a signed card
   * saying what it means for that school's report — 收到, 退回 and why, 录用 where, 催报 — so that school acts on
   * it without reading the prose. Other mails carry none (that school keeps them for its office).
   */
  function noticeCard(req: ReportMailRequest, recipient: Person, messageId: string): Record<string, string> {
    const up = req.upstream;
    if (!up || recipient.email.toLowerCase() !== req.report.submitter.email.toLowerCase()) return {};
    const keyEnv = config.departments.find((d) => d.id === up.departmentId)?.sharedKeyEnv;
    const key = keyEnv ? process.env[keyEnv] : undefined;
    if (!key) return {};
    const base = { ref: up.ref, bureauRef: req.reportId };
    const card: NoticeCard | null =
      req.kind === 'receipt' || req.kind === 'revision_received' || req.kind === 'approved'
        ? { ...base, kind: 'received' }
        : req.kind === 'returned'
          ? { ...base, kind: 'returned', reason: cardText(req.reason ?? '', 1000) }
          : req.kind === 'published'
            ? { ...base, kind: 'used', level: config.school.level, outlet: cardText(config.publish.websiteName, 100), ...(req.publishedUrl ? { url: req.publishedUrl.slice(0, 500) } : {}) }
            : req.kind === 'reminder' && !req.step
              ? { ...base, kind: 'chase' }
              : null;
    if (!card) return {};
    try {
      return { [NOTICE_HEADER]: signNoticeCard(card, { key, messageId, from: config.mail.address }) };
    } catch {
      return {}; // a card that cannot be written (a malformed field): the words of the mail still say it
    }
  }

  return {
    /** Sends one notification to each recipient; already-sent ones are skipped. How many went out now. */
    sendReportMail: async (req: ReportMailRequest): Promise<number> => {
      let sent = 0;
      for (const recipient of req.to) if (await sendOne(req, recipient)) sent += 1;
      return sent;
    },
  };
}

/** The running activity's attempt (1 outside an activity: a direct call from a script or a test). */
function activityAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}
