/**
 * Which kind of mail this is: an automatic message to ignore (auto-reply, bounce, list mail), a reply
 * about an existing report, a new report, or something baosong cannot use (with a reason a person
 * can act on).
 */
import type { MailInput } from './types.js';

export interface Ignorable {
  /** Why, in words for the school's IT person: Chinese, with the technical detail in brackets. */
  reason: string;
  /** Short machine word: 'auto_reply', 'bounce', 'bulk'. */
  flag: string;
}

/** Subjects of out-of-office and other automatic replies (QQ Mail, Outlook, 163, Gmail): the word, then a colon, the end, or brackets around it. */
const AUTO_REPLY_WORDS =
  '自动回复|自動回覆|自动答复|自動回復|休假自动回复|Automatic reply|Auto(?:matic)?[- ]?(?:reply|response)|Autoreply|Out of (?:the )?Office|外出|不在办公室';
const AUTO_REPLY_SUBJECT_RE = new RegExp(`^\\s*(?:[【\\[［]\\s*(?:${AUTO_REPLY_WORDS})\\s*[】\\]］]|(?:${AUTO_REPLY_WORDS})\\s*(?:[:：]|$))`, 'i');
const DAEMON_LOCAL_PART_RE = /^(?:mailer-daemon|postmaster|mail-daemon|maildaemon|bounce|bounces|noreply-dsn)$/i;

function header(input: MailInput, name: string): string | undefined {
  const v = input.headers[name];
  return v === undefined ? undefined : v.trim();
}

/** An automatic message that must never start or change a report; undefined for mail from a person. */
export function findIgnorable(input: MailInput): Ignorable | undefined {
  const contentType = (header(input, 'content-type') ?? '').toLowerCase();
  const fromLocal = (input.from?.address ?? '').split('@')[0] ?? '';
  if (/multipart\/report/.test(contentType) && /report-type\s*=\s*"?delivery-status/.test(contentType)) {
    return { reason: '退信通知，不处理（DSN: multipart/report; report-type=delivery-status）', flag: 'bounce' };
  }
  if (DAEMON_LOCAL_PART_RE.test(fromLocal)) {
    return { reason: `系统退信或邮件服务器通知，不处理（From: ${input.from?.address ?? ''}）`, flag: 'bounce' };
  }
  const autoSubmitted = header(input, 'auto-submitted');
  if (autoSubmitted !== undefined && autoSubmitted.toLowerCase() !== 'no') {
    return { reason: `自动回复邮件，不处理（Auto-Submitted: ${autoSubmitted}）`, flag: 'auto_reply' };
  }
  if (header(input, 'x-autoreply') !== undefined || header(input, 'x-autorespond') !== undefined) {
    return { reason: '自动回复邮件，不处理（X-Autoreply）', flag: 'auto_reply' };
  }
  if (AUTO_REPLY_SUBJECT_RE.test(input.subject)) {
    const suppress = header(input, 'x-auto-response-suppress');
    const detail = suppress !== undefined ? `主题“${input.subject.trim()}”，X-Auto-Response-Suppress: ${suppress}` : `主题“${input.subject.trim()}”`;
    return { reason: `自动回复邮件，不处理（${detail}）`, flag: 'auto_reply' };
  }
  const precedence = header(input, 'precedence')?.toLowerCase();
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') {
    return { reason: `群发或邮件列表邮件，不处理（Precedence: ${precedence}）`, flag: 'bulk' };
  }
  if (header(input, 'list-id') !== undefined || header(input, 'list-unsubscribe') !== undefined) {
    const which = header(input, 'list-id') !== undefined ? 'List-Id' : 'List-Unsubscribe';
    return { reason: `邮件列表或订阅邮件，不处理（${which}）`, flag: 'bulk' };
  }
  return undefined;
}

/** The mail refers to an earlier message by its headers (In-Reply-To / References). */
export function hasReplyHeaders(input: MailInput): boolean {
  return (input.inReplyTo !== null && input.inReplyTo.trim() !== '') || input.references.length > 0;
}

/** Attachments that count as content: any named or non-empty part (an inline photo counts too). */
export function contentAttachments(input: MailInput): MailInput['attachments'] {
  return input.attachments.filter((a) => a.size > 0);
}
