/**
 * understandMail: one decoded mail in, one plain object out. Decides ignored / reply / report /
 * invalid, and for each what baosong needs: the report number and intent of a reply, the title,
 * category, urgency and event time of a new report, and flags for the office to look at.
 * Pure and deterministic: the only clock is `input.receivedAt`.
 */
import { findReportNumber } from '../report.js';
import { assertTimeZone } from '../time.js';
import { contentAttachments, findIgnorable, hasReplyHeaders } from './classify.js';
import { readEventTime } from './event-time.js';
import { htmlToText } from './html.js';
import { readIntent } from './intent.js';
import { extractNewText } from './quoted.js';
import { collapseWhitespace, readSubject, type SubjectInfo } from './subject.js';
import { readCategoryUrgency } from './tags.js';
import type { MailInput, MailUnderstanding } from './types.js';

export interface UnderstandOptions {
  /** The school's IANA time zone, e.g. "Asia/Shanghai": "今天", "11月26日" and clock times are read in it. */
  timeZone: string;
  /**
   * The report named by the reply token of the address the mail was sent to (only our mails carry one):
   * the mail is a reply about it even when the subject and the text lost the report number.
   */
  replyTokenReportId?: string | null;
}

/** An event time this far after receipt is still taken as "now" (clocks drift, people round). */
export const FUTURE_TOLERANCE_MS = 10 * 60_000;
/** Longest title taken from the first line of the text when a report has no subject. */
const TITLE_FROM_TEXT_MAX = 40;

/** The body as plain text: the text part, else the HTML converted (blockquoted history dropped). */
export function bodyText(input: MailInput): string {
  const text = input.text ?? '';
  if (text.trim() !== '') return text;
  return input.html ? htmlToText(input.html) : '';
}

function base(subject: SubjectInfo, body: string): MailUnderstanding {
  return {
    kind: 'invalid',
    intent: null,
    reportId: null,
    subject: subject.normalised,
    title: subject.normalised,
    category: '其他',
    categorySource: 'default',
    urgency: 'routine',
    urgencySource: 'default',
    eventTime: null,
    eventTimeSource: null,
    body,
    sendBackReason: null,
    reason: null,
    flags: [],
  };
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const clean = collapseWhitespace(line);
  return clean.length > TITLE_FROM_TEXT_MAX ? `${clean.slice(0, TITLE_FROM_TEXT_MAX)}…` : clean;
}

export function understandMail(input: MailInput, options: UnderstandOptions): MailUnderstanding {
  assertTimeZone(options.timeZone);
  const fullBody = bodyText(input);
  const fresh = extractNewText(fullBody);
  const subject = readSubject(input.subject);
  const out = base(subject, fresh.text);
  const attachments = contentAttachments(input);

  const ignorable = findIgnorable(input);
  if (ignorable) {
    return { ...out, kind: 'ignored', reason: ignorable.reason, flags: [ignorable.flag] };
  }

  const replyHeaders = hasReplyHeaders(input);
  const replyish = replyHeaders || subject.isReply || subject.isForward;
  const fromBody = subject.reportId === null && replyish ? (findReportNumber(fresh.text) ?? findReportNumber(fullBody)) : null;
  const fromToken = subject.reportId === null && fromBody === null ? (options.replyTokenReportId ?? null) : null;
  const reportId = subject.reportId ?? fromBody ?? fromToken;

  if (reportId !== null) {
    const flags: string[] = [];
    if (fromBody !== null) flags.push('report_id_from_body');
    if (fromToken !== null) flags.push('report_id_from_token');
    if (fresh.text === '' && attachments.length === 0) {
      return {
        ...out,
        kind: 'invalid',
        reportId,
        reason: `关于 ${reportId} 的回复没有新内容（引用的原文不算），请在回复中写明意见，例如“同意”或“退回：原因”（empty reply）`,
        flags: [...flags, 'empty_reply'],
      };
    }
    const intent = readIntent(fresh.text);
    if (intent.intent === 'send_back' && intent.reason === null) flags.push('send_back_without_reason');
    return { ...out, kind: 'reply', reportId, intent: intent.intent, sendBackReason: intent.reason, ...(intent.publishedUrl !== undefined ? { publishedUrl: intent.publishedUrl } : {}), ...(intent.uses ? { uses: intent.uses } : {}), ...(intent.archive ? { archiveOnly: true } : {}), flags };
  }

  if (subject.isReply) {
    return {
      ...out,
      kind: 'invalid',
      reason:
        '这是一封回复，但主题和正文里都没有报送编号（如 R-2026-0042），无法对应到哪一条报送。请在原邮件上点“回复”并保留主题中的编号，或新建邮件报送新信息（reply without report number）',
      flags: ['report_id_missing'],
    };
  }

  // A new report. A forward of someone else's report carries its content below the quote marker.
  const content = fresh.text === '' && subject.isForward ? collapseQuotes(fullBody) : fresh.text;
  const withContent = { ...out, body: content };
  if (subject.normalised === '' && content === '') {
    return {
      ...withContent,
      reason:
        attachments.length > 0
          ? '邮件没有主题也没有正文，只有附件，无法判断报送内容。请补上主题（信息标题）和简要说明后重新发送（no subject and no body）'
          : '邮件没有主题也没有正文，是空邮件。请写明主题和内容后重新发送（no subject and no body）',
      flags: ['empty_mail'],
    };
  }
  if (content === '' && attachments.length === 0) {
    return {
      ...withContent,
      reason: '邮件正文为空，也没有附件，无法形成报送。请在正文写明信息内容（时间、地点、事件）或附上稿件后重新发送（empty body, no attachment）',
      flags: ['empty_body'],
    };
  }

  const flags: string[] = [];
  if (replyHeaders) flags.push('reply_headers_without_report');
  const hints = readCategoryUrgency(subject.rest, content);
  flags.push(...hints.flags);

  let title = subject.normalised;
  if (title === '') {
    title = firstLine(content);
    flags.push('subject_missing');
  }

  const event = readEventTime(`${content}\n${subject.rest}`, input.receivedAt, options.timeZone);
  let eventTime = event.eventTime;
  let eventTimeSource: MailUnderstanding['eventTimeSource'] = 'body';
  flags.push(...event.flags);
  if (eventTime === null) {
    eventTime = input.receivedAt;
    eventTimeSource = 'received';
    flags.push('event_time_missing');
  } else if (eventTime.getTime() > input.receivedAt.getTime() + FUTURE_TOLERANCE_MS) {
    flags.push('event_time_in_future');
  }

  return {
    ...withContent,
    kind: 'report',
    title,
    category: hints.category,
    categorySource: hints.categorySource,
    urgency: hints.urgency,
    urgencySource: hints.urgencySource,
    eventTime,
    eventTimeSource,
    eventTimeText: event.matched,
    flags,
  };
}

/** The whole body with ">" markers removed, for a forward whose content is all quoted. */
function collapseQuotes(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/^(?:\s*[>＞])+\s?/, ''))
    .join('\n')
    .trim();
}
