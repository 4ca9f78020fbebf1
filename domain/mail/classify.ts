/**
 * Which kind of mail this is: an automatic message to ignore (auto-reply, bounce, list mail), a reply
 * about an existing report, a new report, or something baosong cannot use (with a reason a person
 * can act on).
 *
 * Automatic mail is recognised by every mark clients and servers put on it: RFC 3834 `Auto-Submitted`,
 * `X-Autoreply` / `X-Autorespond`, `Precedence: auto_reply|bulk|junk|list`, Exchange's
 * `X-Auto-Response-Suppress` and `X-MS-Exchange-Inbox-Rules-Loop`, mailing-list `List-*` headers,
 * delivery and read reports (DSN / MDN content types), null and MAILER-DAEMON senders, and the
 * localized subjects of Outlook, Exchange, QQ/Foxmail, 163, Gmail and Apple Mail, before or after `Re:`.
 */
import type { MailInput } from './types.js';

export interface Ignorable {
  /** Why, in words for the school's IT person: Chinese, with the technical detail in brackets. */
  reason: string;
  /** Short machine word: 'auto_reply', 'bounce', 'bulk'. */
  flag: string;
}

/**
 * Words that only an automatic reply starts its subject with (Outlook, Exchange, QQ/Foxmail, 163, Gmail,
 * Apple Mail and common European clients): followed by a colon, a blank, a bracket or the end.
 */
const AUTO_REPLY_WORDS = [
  '自动回复',
  '自動回覆',
  '自動回復',
  '自动答复',
  '自動答覆',
  '自动应答',
  '自動應答',
  '休假自动回复',
  '假期自动回复',
  '自動応答',
  '自動返信',
  '자동 회신',
  '자동회신',
  'Out of Office AutoReply',
  'Out of Office Auto[- ]?Reply',
  'Automatic reply',
  'Automatic response',
  'Auto[- ]?reply',
  'Auto[- ]?response',
  'Auto[- ]?responder',
  'Autoreply',
  'Autosvar',
  'Automatische Antwort',
  'Abwesenheitsnotiz',
  'Réponse automatique',
  'Respuesta automática',
  'Risposta automatica',
  'Automatisch antwoord',
  'Resposta automática',
  'Vacation (?:reply|response|notice|auto[- ]?reply)',
  'Out of (?:the )?office',
  'Out-of-office',
] as const;
/**
 * Words that also start ordinary subjects ("外出研学活动", "休假安排通知"): automatic only with a colon,
 * in brackets, alone, or right before a reply prefix ("休假 Re: …").
 */
const AWAY_WORDS = ['休假', '休假中', '外出', '不在办公室', '不在', '出差', 'Abwesenheit', 'Abwesend', 'Absence', 'OOO', 'On vacation', 'Away'] as const;
const REPLY_OR_FORWARD_PREFIX = '(?:re|aw|sv|antw|fwd?|tr|wg|回复|答复|回覆|转发|轉寄|转寄|轉發)\\s*(?:[\\[［(（]\\d+[\\]］)）])?\\s*[:：﹕︰]';
const words = (list: readonly string[]) => list.join('|');
const AUTO_BRACKETED_RE = new RegExp(`^[【\\[［(（〔]\\s*(?:${words(AUTO_REPLY_WORDS)}|${words(AWAY_WORDS)})\\s*[】\\]］)）〕]`, 'i');
const AUTO_WORD_RE = new RegExp(`^(?:${words(AUTO_REPLY_WORDS)})(?=$|[\\s:：﹕︰\\-–—【\\[［(（,，])`, 'i');
const AWAY_WORD_RE = new RegExp(`^(?:${words(AWAY_WORDS)})\\s*(?:[:：﹕︰]|$|(?=${REPLY_OR_FORWARD_PREFIX}))`, 'i');
const PREFIX_RE = new RegExp(`^${REPLY_OR_FORWARD_PREFIX}\\s*|^[【\\[［](?:re|fwd?|回复|答复|转发)[】\\]］]\\s*`, 'i');

/** The subject reads as an automatic reply: an auto-reply word at its start, or after any Re:/Fwd: prefixes. */
export function isAutoReplySubject(subject: string): boolean {
  let rest = subject.replace(/[\s\u3000\u00a0\u200b\ufeff]+/g, ' ').trim();
  for (let i = 0; i < 20; i++) {
    if (AUTO_BRACKETED_RE.test(rest) || AUTO_WORD_RE.test(rest) || AWAY_WORD_RE.test(rest)) return true;
    const m = PREFIX_RE.exec(rest);
    if (!m) return false;
    rest = rest.slice(m[0].length);
  }
  return false;
}

const DAEMON_LOCAL_PART_RE = /^(?:mailer-daemon|mailer_daemon|postmaster|mail-daemon|maildaemon|mailerdaemon|bounce|bounces|noreply-dsn|double-bounce)$/i;
/** Delivery reports (RFC 3464), read receipts (RFC 8098) and abuse reports (RFC 5965). */
const REPORT_TYPE_RE = /report-type\s*=\s*"?(delivery-status|disposition-notification|feedback-report)/i;
const REPORT_WORDS: Record<string, string> = { 'delivery-status': '退信通知', 'disposition-notification': '已读回执', 'feedback-report': '投诉报告' };
const REPORT_PART_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status', 'message/disposition-notification', 'message/global-disposition-notification', 'message/feedback-report']);
const LIST_HEADERS = ['list-id', 'list-unsubscribe', 'list-post', 'list-help', 'list-subscribe', 'list-owner', 'list-archive'] as const;

function header(input: MailInput, name: string): string | undefined {
  const v = input.headers[name];
  return v === undefined ? undefined : String(v).trim();
}

/** A header whose presence says "a program sent this", unless it says no. */
const affirmative = (v: string | undefined): v is string => v !== undefined && !/^(?:no|false|0|none)?$/i.test(v);

/** An automatic message that must never start or change a report; undefined for mail from a person. */
export function findIgnorable(input: MailInput): Ignorable | undefined {
  const contentType = (header(input, 'content-type') ?? '').toLowerCase();
  const fromLocal = (input.from?.address ?? '').split('@')[0] ?? '';
  const report = /multipart\/report/.test(contentType) ? REPORT_TYPE_RE.exec(contentType)?.[1] : undefined;
  if (report) return { reason: `${REPORT_WORDS[report] ?? '自动报告'}，不处理（${report === 'delivery-status' ? 'DSN' : report === 'disposition-notification' ? 'MDN' : 'ARF'}: multipart/report; report-type=${report}）`, flag: 'bounce' };
  const reportPart = input.attachments.find((a) => REPORT_PART_TYPES.has(a.contentType.toLowerCase()));
  if (reportPart) return { reason: `退信或回执，不处理（${reportPart.contentType}）`, flag: 'bounce' };
  if (DAEMON_LOCAL_PART_RE.test(fromLocal)) {
    return { reason: `系统退信或邮件服务器通知，不处理（From: ${input.from?.address ?? ''}）`, flag: 'bounce' };
  }
  const returnPath = header(input, 'return-path');
  if (returnPath !== undefined && /^<?\s*>?$/.test(returnPath)) return { reason: '系统自动发出的邮件（空的退信地址），不处理（Return-Path: <>）', flag: 'bounce' };

  const autoSubmitted = header(input, 'auto-submitted');
  if (autoSubmitted !== undefined && autoSubmitted.toLowerCase() !== 'no') {
    return { reason: `自动回复邮件，不处理（Auto-Submitted: ${autoSubmitted}）`, flag: 'auto_reply' };
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-autoreply-from', 'x-mail-autoreply'] as const) {
    const v = header(input, name);
    if (v !== undefined && !/^(?:no|false|0)$/i.test(v)) return { reason: `自动回复邮件，不处理（${name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())}: ${v}）`, flag: 'auto_reply' };
  }
  const precedence = header(input, 'precedence')?.toLowerCase();
  if (precedence === 'auto_reply' || precedence === 'auto-reply') return { reason: `自动回复邮件，不处理（Precedence: ${precedence}）`, flag: 'auto_reply' };
  if (isAutoReplySubject(input.subject)) {
    const suppress = header(input, 'x-auto-response-suppress');
    const detail = suppress !== undefined ? `主题“${input.subject.trim()}”，X-Auto-Response-Suppress: ${suppress}` : `主题“${input.subject.trim()}”`;
    return { reason: `自动回复邮件，不处理（${detail}）`, flag: 'auto_reply' };
  }
  const rulesLoop = header(input, 'x-ms-exchange-inbox-rules-loop');
  if (rulesLoop !== undefined) return { reason: `邮箱规则自动发出的邮件，不处理（X-MS-Exchange-Inbox-Rules-Loop: ${rulesLoop}）`, flag: 'auto_reply' };
  // Exchange marks its own automatic replies and notices so; a person's reply does not carry it.
  const suppress = header(input, 'x-auto-response-suppress');
  if (affirmative(suppress) && /\b(?:all|oof|autoreply)\b/i.test(suppress)) return { reason: `自动回复邮件，不处理（X-Auto-Response-Suppress: ${suppress}）`, flag: 'auto_reply' };
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') {
    return { reason: `群发或邮件列表邮件，不处理（Precedence: ${precedence}）`, flag: 'bulk' };
  }
  const list = LIST_HEADERS.find((name) => header(input, name) !== undefined);
  if (list) {
    const which = list.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
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
