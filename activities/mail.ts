/**
 * Sending a report's notification mails. One mail per recipient (each carries its own reply token),
 * each with a Message-ID derived from (report, timeline entry, kind, recipient): a retried activity
 * finds the mail already sent and does not send it again, and an SMTP server that failed mid-way gets
 * the identical message, never a second different one.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import { REFUSAL_TEXT, type RefusalReason, type ReportMailRequest } from '../domain/lifecycle.js';
import type { Person } from '../domain/review.js';
import { reviewUrls, statusUrl } from '../mail/links.js';
import { mailDomain, reportMessageId, threadHeaders } from '../mail/message-id.js';
import { mintReplyToken, replyAddress } from '../mail/reply-token.js';
import { deliverOnce } from '../mail/deliver.js';
import type { MailTransport } from '../mail/transport.js';
import { renderMail, TemplateError, type AttemptedAction, type MailData } from '../templates/render.js';

const ATTEMPTED: Record<string, AttemptedAction> = { approve: 'approve', sendBack: 'send_back', withdraw: 'withdraw', revise: 'revise' };

/** Template data for one recipient of a report mail. */
export function mailData(req: ReportMailRequest, recipient: Person, config: Config, secret: string): MailData {
  const locale = config.school.locale;
  const r = req.report;
  const data: MailData = {
    schoolName: config.school.name,
    recipientName: recipient.name,
    report: {
      id: req.reportId,
      title: r.title,
      body: r.body,
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
      attachments: r.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
      statusUrl: statusUrl(config.web.baseUrl, req.reportId, secret),
    },
    sentAt: req.composedAt,
  };
  if (req.step) data.step = { index: req.step.index + 1, count: req.step.count, kind: req.step.kind };
  const revisionReminder = req.kind === 'reminder' && !req.step;
  const deadline = revisionReminder ? req.revisionDueAt : req.reviewDueAt;
  if (deadline) data.deadline = deadline;
  if (req.revisionDueAt) data.revisionDueAt = req.revisionDueAt;
  if (req.actor) {
    data.actorName = req.actor.name;
    data.actorAddress = req.actor.email;
  }
  if (req.holders.length > 0) data.holderName = req.holders.map((p) => p.name).join('、');
  if (req.publishedUrl) data.publishedUrl = req.publishedUrl;
  if (req.reason) {
    const refusal = REFUSAL_TEXT[req.reason as RefusalReason] as { zh: string; en: string } | undefined;
    data.reason = req.kind === 'refused' && refusal ? refusal[locale === 'en' ? 'en' : 'zh'] : req.reason;
  }
  if (req.attemptedAction && ATTEMPTED[req.attemptedAction]) data.attemptedAction = ATTEMPTED[req.attemptedAction];
  if (ANSWERABLE.has(req.kind) && req.step && holds(req, recipient)) {
    // Signed links to the reviewer page, bound to this report, round, step and reviewer; opening them only shows a form.
    data.links = reviewUrls(config.web.baseUrl, { reportId: req.reportId, round: req.round, step: req.step.index, reviewer: recipient.email, issuedAt: req.composedAt, secret });
  }
  return data;
}

/** Kinds a reviewer answers by replying (or by the signed links): for this report, round, step and person. */
const ANSWERABLE = new Set(['review_request', 'reminder', 'escalation']);

function holds(req: ReportMailRequest, recipient: Person): boolean {
  return req.step !== null && req.holders.some((h) => h.email === recipient.email);
}

export function createMailActivities(deps: { config: Config; readModel: ReadModel; transport: MailTransport; secret: string }) {
  const { config, readModel, transport, secret } = deps;
  const domain = mailDomain(config.mail.address);
  const from = { name: config.mail.fromName, address: config.mail.address };

  async function sendOne(req: ReportMailRequest, recipient: Person): Promise<void> {
    const messageId = reportMessageId(req.reportId, req.key, recipient.email, domain);

    let rendered;
    try {
      rendered = renderMail(req.kind, mailData(req, recipient, config, secret), { locale: config.school.locale, timeZone: config.school.timeZone });
    } catch (err) {
      // A template that cannot render will not render on a retry either.
      if (err instanceof TemplateError) throw ApplicationFailure.nonRetryable(err.message, 'TemplateError');
      throw err;
    }
    const thread = threadHeaders(req.reportId, domain, req.originMessageId);
    const replyTo =
      ANSWERABLE.has(req.kind) && req.step && holds(req, recipient)
        ? replyAddress(config.mail.address, mintReplyToken({ reportId: req.reportId, round: req.round, step: req.step.index, recipient: recipient.email, secret }))
        : config.mail.address;
    const { subject, html, text } = rendered;
    await deliverOnce(readModel, transport, { messageId, reportId: req.reportId, kind: req.kind, to: [recipient.email], subject, createdAt: req.composedAt }, () => ({
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
      headers: {
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
        'X-Baosong-Report': req.reportId,
        'X-Baosong-Kind': req.kind,
      },
    }));
  }

  return {
    /** Sends one notification to each recipient; already-sent ones are skipped. */
    sendReportMail: async (req: ReportMailRequest): Promise<void> => {
      for (const recipient of req.to) await sendOne(req, recipient);
    },
  };
}
