/**
 * 上报: the report goes up to the education bureau as the bureau asks for it (config `upward`): its subject line,
 * the text in the mail and/or a Word file in its layout, photos attached or linked. One mail per report, send and
 * bureau, however often the activity runs: the Message-ID derives from them and carries the bureau's reply token,
 * so the bureau's answer on the thread names the report even when its address book drops the `+token`.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import type { AttachmentRef, TextRef } from '../domain/lifecycle.js';
import { findCategory, URGENCY_LABELS, type Urgency } from '../domain/report.js';
import { toLocal } from '../domain/time.js';
import { formatDateTime } from '../templates/format.js';
import { deliverOnce } from '../mail/deliver.js';
import { FILE_LINK_TTL_MS, fileUrl } from '../mail/links.js';
import { mailDomain, reportMessageId } from '../mail/message-id.js';
import { mintReplyToken, replyAddress } from '../mail/reply-token.js';
import type { MailTransport } from '../mail/transport.js';
import { REPORT_HEADER, signReportCard } from '../mail/upward-card.js';
import { mailAttachmentSource, mustRead } from '../storage/attachments.js';
import { wholeText } from '../storage/texts.js';
import { renderUpward } from '../templates/render.js';
import { MAIL_BODY_CHARS } from './mail.js';

/** What the workflow passes: the report as it reads now (long texts by reference, files by hash). */
export interface UpwardRequest {
  reportId: string;
  /** 1 for the first mail up; 2 after the bureau returned it once and it was approved again; … */
  send: number;
  title: string;
  body: string;
  bodyRef: TextRef | null;
  attachments: AttachmentRef[];
  category: string;
  urgency: Urgency;
  eventTime: string;
  departmentName: string;
  submitterName: string;
  /** The workflow's time when it decided to send (deterministic for retries). */
  composedAt: string;
  /** The bureau's 退回 this one answers: a bureau running baosong then takes it as the revision of the same report. */
  inReplyTo?: string | undefined;
}

const MB = 1024 * 1024;

/** `{school}`, `{title}`, … of the bureau's subject line; an unknown `{name}` stays as written. */
export function upwardSubject(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export function createUpwardActivities(deps: { config: Config; readModel: ReadModel; transport: MailTransport; secret: string; env?: NodeJS.ProcessEnv }) {
  const { config, readModel, transport, secret } = deps;
  const env = deps.env ?? process.env;
  const domain = mailDomain(config.mail.address);
  const locale = config.school.locale;
  const dayOf = (iso: string) => {
    const l = toLocal(new Date(iso), config.school.timeZone);
    return locale === 'en' ? `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}` : `${l.year}年${l.month}月${l.day}日`;
  };

  return {
    async sendUpward(req: UpwardRequest): Promise<{ messageId: string }> {
      const up = config.upward;
      if (!up) throw ApplicationFailure.nonRetryable('upward is not configured: nothing can go up', 'UpwardNotConfigured');
      const bureau = up.bureau;
      const token = mintReplyToken({ reportId: req.reportId, round: req.send, step: null, recipient: bureau.email, secret });
      const messageId = reportMessageId(req.reportId, `up${req.send}`, bureau.email, domain, token);
      const sentAt = new Date(req.composedAt);
      const body = await wholeText(config, { text: req.body, ref: req.bodyRef }, MAIL_BODY_CHARS);
      const category = findCategory(req.category);
      const categoryLabel = locale === 'en' ? (category?.en ?? req.category) : req.category;
      const urgencyLabel = URGENCY_LABELS[req.urgency][locale === 'en' ? 'en' : 'zh'];
      const photos = req.attachments.filter((a) => a.contentType.startsWith('image/'));
      const others = req.attachments.filter((a) => !a.contentType.startsWith('image/'));

      const files: { filename: string; contentType: string; content: Buffer }[] = [];
      if (up.docx) {
        const photoBytes = await Promise.all(photos.map(async (p) => ({ filename: p.filename, contentType: p.contentType, content: await mustRead(config, p.sha256) })));
        // docx (~8 MB once loaded) only in a worker that sends Word files up, when it first does.
        const { upwardDocument } = await import('../exports/upward-docx.js');
        const docx = await upwardDocument(
          {
            school: config.school.name,
            reportId: req.reportId,
            title: req.title,
            category: categoryLabel,
            urgency: urgencyLabel,
            department: req.departmentName,
            author: req.submitterName,
            eventTime: formatDateTime(req.eventTime, locale, config.school.timeZone),
            sentOn: dayOf(req.composedAt),
            body,
            photos: photoBytes,
          },
          { locale },
        );
        files.push({ filename: `${safeName(`${config.school.name}-${req.title}`)}.docx`, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: docx });
      }
      // The bureau's size limit: photos go with the mail while it fits, else as signed links (and always with `photos: links`).
      const limit = up.maxMB * MB;
      let size = files.reduce((n, f) => n + f.content.length, 0);
      const attached: AttachmentRef[] = [];
      const linked: AttachmentRef[] = [];
      for (const a of [...photos, ...others]) {
        const fits = up.photos === 'attach' && size + a.size <= limit;
        (fits ? attached : linked).push(a);
        if (fits) size += a.size;
      }
      const links = linked.map((a) => ({ filename: a.filename, url: fileUrl(config.web.baseUrl, { reportId: req.reportId, sha256: a.sha256, filename: a.filename, issuedAt: req.composedAt, secret }) }));
      const subject = upwardSubject(up.subject, {
        school: config.school.name,
        title: req.title,
        category: categoryLabel,
        department: req.departmentName,
        date: dayOf(req.eventTime),
      });
      // The mail answering the bureau's 退回 reads as a reply (a bureau's baosong takes an unprefixed mail on its thread for a forward).
      const resubject = req.inReplyTo ? `${locale === 'en' ? 'Re: ' : '回复：'}${subject}` : subject;
      const rendered = renderUpward(
        {
          schoolName: config.school.name,
          bureauName: bureau.name,
          title: req.title,
          categoryName: categoryLabel,
          urgencyLabel,
          eventTime: req.eventTime,
          departmentName: req.departmentName,
          submitterName: req.submitterName,
          body: up.body ? body : '',
          files: [...files.map((f) => f.filename), ...attached.map((a) => a.filename)],
          links,
          linkDays: Math.round(FILE_LINK_TTL_MS / 86_400_000),
          contacts: config.office.reviewers.map((p) => ({ name: p.name, email: p.email })),
          sentAt: req.composedAt,
        },
        resubject,
        { locale, timeZone: config.school.timeZone },
      );
      // A bureau running baosong reads the facts from this signed card instead of guessing them from the text.
      const key = up.sharedKeyEnv ? env[up.sharedKeyEnv] : undefined;
      const card = key ? signReportCard({ ref: req.reportId, round: req.send, category: category?.key ?? 'other', urgency: req.urgency, eventTime: req.eventTime }, { key, messageId, from: config.mail.address }) : null;
      const attachedFiles = await Promise.all(attached.map(async (a) => ({ filename: a.filename, contentType: a.contentType, ...(await mailAttachmentSource(config, a.sha256)) })));
      await deliverOnce(readModel, transport, { messageId, reportId: req.reportId, kind: 'upward', to: [bureau.email], subject: rendered.subject, createdAt: req.composedAt }, () => ({
        messageId,
        from: { name: config.school.name, address: config.mail.address },
        to: { name: bureau.name, address: bureau.email },
        replyTo: replyAddress(config.mail.address, token),
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        date: sentAt,
        ...(req.inReplyTo ? { inReplyTo: req.inReplyTo, references: [req.inReplyTo] } : {}),
        attachments: [
          ...files.map((f) => ({ filename: f.filename, contentType: f.contentType, content: f.content })),
          ...attachedFiles,
        ],
        // Not Auto-Submitted: this is the school's report, to be answered (RFC 3834 would tell the bureau not to).
        headers: { 'Auto-Submitted': 'no', 'X-Baosong-Kind': 'upward', 'X-Baosong-Report': req.reportId, ...(card ? { [REPORT_HEADER]: card } : {}) },
      }));
      return { messageId };
    },
  };
}

/** A file name Windows and the bureau's mail system keep: no path or reserved characters, not too long. */
function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80) || 'report';
}
