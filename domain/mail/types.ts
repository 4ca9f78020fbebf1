/**
 * What baosong understands of one mail. Input is a plain, already-decoded message
 * (intake/parse-mail.ts turns raw RFC 5322 bytes into a MailInput with mailparser);
 * output is a plain object. Pure: safe to import anywhere.
 */
import type { CategoryLabel, Urgency } from '../report.js';

export interface MailAddress {
  address: string;
  name?: string;
}

export interface MailAttachmentInfo {
  /** Decoded file name (RFC 2231 / RFC 2047 handled by the parser), or null when the part has none. */
  filename: string | null;
  contentType: string;
  size: number;
  /** 'inline' parts with a Content-ID are usually pictures inside an HTML body. */
  disposition: 'attachment' | 'inline' | null;
  contentId?: string;
}

export interface MailInput {
  messageId: string | null;
  from: MailAddress | null;
  to: MailAddress[];
  replyTo: MailAddress[];
  subject: string;
  /** The Date header, or null when missing or unreadable. */
  date: Date | null;
  /** When baosong received the mail (IMAP INTERNALDATE, else the Date header). All relative times ("今天下午3点") count from here. */
  receivedAt: Date;
  inReplyTo: string | null;
  references: string[];
  /** Header names in lower case → the raw (unfolded, decoded) value of the first occurrence. */
  headers: Record<string, string>;
  /** Plain text body (mailparser's, or converted from HTML by the parser). */
  text: string | null;
  html: string | null;
  attachments: MailAttachmentInfo[];
}

export type MailKind = 'report' | 'reply' | 'ignored' | 'invalid';
export type ReplyIntent = 'approve' | 'send_back' | 'comment';

export interface MailUnderstanding {
  kind: MailKind;
  /** For replies: what the reviewer/submitter means. null for everything else. */
  intent: ReplyIntent | null;
  /** Report number found in the subject (or body, for replies), normalised: "R-2026-0042". */
  reportId: string | null;
  /** Subject without Re:/回复：/Fwd: prefixes, tags and report-number tokens. */
  subject: string;
  /** Title for a new report: the normalised subject without tags. */
  title: string;
  category: CategoryLabel;
  categorySource: 'tag' | 'keyword' | 'default';
  urgency: Urgency;
  urgencySource: 'tag' | 'keyword' | 'default';
  /** When the reported event happened/ended, or null when the mail is not a report. */
  eventTime: Date | null;
  eventTimeSource: 'body' | 'received' | null;
  /** The new text only: quoted history and signatures removed. For a send-back, the reason follows the keyword. */
  body: string;
  /** The reason given with 退回/驳回…, e.g. "照片不清晰". null unless intent is send_back. */
  sendBackReason: string | null;
  /** Why ignored/invalid, in words a person can act on; null otherwise. */
  reason: string | null;
  /** Things the office should look at: 'category_guessed', 'urgency_guessed', 'event_time_missing', … */
  flags: string[];
}
