/**
 * A bureau records where a school's piece was used (录用 in its 简报, on the city's site — by the office's page or a
 * "录用：…" reply): the school hears it, in words, and, when the school runs baosong (its department names a shared
 * key and the report came up with its card), with a signed card its baosong records in the school's uses. One mail
 * per use, whatever repeats (the Message-ID comes from the report and the use). A school's own baosong tells nobody:
 * its uses are its own record.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import type { UseLevel } from '../domain/scoring.js';
import { automaticMail, deliverOnce } from '../mail/deliver.js';
import { statusUrl } from '../mail/links.js';
import { mailDomain, reportMessageId, threadHeaders } from '../mail/message-id.js';
import { mintReplyToken, replyAddress } from '../mail/reply-token.js';
import type { MailTransport } from '../mail/transport.js';
import { cardText, NOTICE_HEADER, signNoticeCard } from '../mail/upward-card.js';
import { renderMail } from '../templates/render.js';
import { readReportInput } from './report-input.js';

export interface UseNoticeDeps {
  config: Config;
  client: Client;
  readModel: ReadModel;
  transport: MailTransport;
  secret: string;
}

/** True when a mail went to the school now (false: a school's own baosong, already told, or no such report). */
export async function tellSchoolOfUse(deps: UseNoticeDeps, reportId: string, use: { id: string; outlet: string; level: UseLevel; kind: string; ref: string }): Promise<boolean> {
  const { config, readModel } = deps;
  if (config.school.level === '校级') return false;
  const report = await readModel.getReport(reportId);
  if (!report) return false;
  // The facts (submitter, the school's report number) are the workflow's input.
  const input = await readReportInput(deps.client, report.workflowId);
  if (!input) return false;
  const f = input.facts;
  const domain = mailDomain(config.mail.address);
  const token = mintReplyToken({ reportId, round: 1, step: null, recipient: f.submitter.email, secret: deps.secret });
  const messageId = reportMessageId(reportId, `use-${use.id}`, f.submitter.email, domain, token);
  const where = `${use.level} · ${use.outlet}${use.ref ? ` ${use.ref}` : ''}`;
  const rendered = renderMail(
    'bureau_notice',
    {
      schoolName: config.school.name,
      recipientName: f.submitter.name,
      report: {
        id: reportId,
        title: report.title,
        body: f.body || report.title,
        departmentName: f.department.name,
        submitterName: f.submitter.name,
        submitterEmail: f.submitter.email,
        category: report.category,
        urgency: report.urgency,
        eventTime: report.eventTime,
        receivedAt: report.receivedAt,
        dueAt: report.dueAt,
        timeliness: report.timeliness,
        reviewDueAt: report.reviewDueAt ?? report.dueAt,
        attachments: [],
        statusUrl: statusUrl(config.web.baseUrl, reportId, deps.secret),
      },
      upward: { bureauName: config.school.name, notice: 'used', use: where },
      departmentLabel: config.school.locale === 'en' ? 'School' : '报送学校',
    },
    { locale: config.school.locale, timeZone: config.school.timeZone },
  );
  const keyEnv = config.departments.find((d) => d.id === f.department.id)?.sharedKeyEnv;
  const key = keyEnv ? process.env[keyEnv] : undefined;
  let card: Record<string, string> = {};
  try {
    if (key && f.upstream) card = { [NOTICE_HEADER]: signNoticeCard({ ref: f.upstream.ref, kind: 'used', bureauRef: reportId, level: use.level, outlet: cardText(use.outlet, 100), ...(use.ref ? { url: cardText(use.ref, 500) } : {}) }, { key, messageId, from: config.mail.address }) };
  } catch {
    card = {}; // a card that cannot be written: the mail's words still tell the school
  }
  const thread = threadHeaders(reportId, domain, f.origin.kind === 'mail' ? f.origin.ref : null);
  const at = new Date().toISOString();
  return deliverOnce(readModel, deps.transport, { messageId, reportId, kind: 'use_notice', to: [f.submitter.email], subject: rendered.subject, createdAt: at }, () => ({
    ...automaticMail(config, { messageId, to: f.submitter, at, kind: 'use_notice', rendered, headers: { 'X-Baosong-Report': reportId, ...card } }),
    replyTo: replyAddress(config.mail.address, token),
    inReplyTo: thread.inReplyTo,
    references: thread.references,
  }));
}
