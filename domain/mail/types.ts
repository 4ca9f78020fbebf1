import type { UseLine } from '../uses.js';
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
/** published: "已发布 <URL>" from the editor or the office; use: "录用：县教育网 <URL>" from the office. */
export type ReplyIntent = 'approve' | 'send_back' | 'comment' | 'published' | 'use';

export interface MailUnderstanding {
  kind: MailKind;
  /** For replies: what the reviewer/submitter means. null for everything else. */
  intent: ReplyIntent | null;
  /**
   * Report number found in the subject (or body, for replies), normalised: "R-2026-0042". Set for replies
   * and for an invalid empty reply; null for new reports (baosong assigns their number) and ignored mail.
   */
  reportId: string | null;
  /** Subject without Re:/回复：/Fwd: prefixes, tags and report-number tokens. */
  subject: string;
  /** Title for a new report: the normalised subject, or the first line of the text when the subject is empty. */
  title: string;
  /** category/urgency (and their sources) mean something only for kind 'report'; otherwise 其他 / routine / 'default'. */
  category: CategoryLabel;
  categorySource: 'tag' | 'keyword' | 'default';
  urgency: Urgency;
  urgencySource: 'tag' | 'keyword' | 'default';
  /** When the reported event happened/ended, or null when the mail is not a report. */
  eventTime: Date | null;
  /** 'body': read from the text (or subject); 'received': nothing found, the time of receipt taken. */
  eventTimeSource: 'body' | 'received' | null;
  /** The words the event time was read from ("11月26日下午3点"), when it came from the text. */
  eventTimeText?: string | null;
  /**
   * The new text only: quoted history and signatures removed (for a forwarded report whose content is all
   * quoted, the forwarded text). For a send-back, the reason follows the keyword.
   */
  body: string;
  /** The reason given with 退回/驳回…, e.g. "照片不清晰". null unless intent is send_back. */
  sendBackReason: string | null;
  /** intent published: the page's address, when given. */
  publishedUrl?: string | null;
  /** intent approve: "同意，仅存档" (kept on record, not published). */
  archiveOnly?: boolean;
  /** intent use: the uses, one per "录用：" line (at most MAX_USES_PER_MAIL). */
  uses?: UseLine[];
  /** Why ignored/invalid, in words a person can act on; null otherwise. */
  reason: string | null;
  /**
   * Things the office should look at, as short words:
   * - new reports: 'category_guessed' (from keywords), 'category_ambiguous' (keywords tie), 'category_default' (其他),
   *   'urgency_guessed', 'urgency_default' (routine, nothing said), 'event_time_missing' (received time used),
   *   'event_time_in_future', 'event_time_date_only' (a day without a clock time: 17:30 that day, never after
   *   receipt), 'event_date_assumed' (a clock time without a day: the day of receipt), 'subject_missing'
   *   (title taken from the text), 'reply_headers_without_report' (In-Reply-To but no report number: taken as new);
   * - replies: 'report_id_from_body', 'report_id_from_token', 'send_back_without_reason';
   * - ignored: 'auto_reply', 'bounce', 'bulk';
   * - invalid: 'empty_mail', 'empty_body', 'empty_reply', 'report_id_missing'.
   */
  flags: string[];
}
