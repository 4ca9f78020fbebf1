/**
 * The data contract of notification mails: plain JSON-able objects, times as ISO 8601 strings
 * (with offset or Z). The caller (an activity) builds these from the read model and config; the
 * renderer never reads the clock, the database or the configuration itself.
 *
 * Which fields each kind needs is in REQUIRED_FIELDS below; renderMail checks them first and the
 * templates (compiled in Handlebars strict mode) check again.
 */

export const MAIL_KINDS = [
  'receipt',
  'review_request',
  'reminder',
  'escalation',
  'returned',
  'revision_received',
  'approved',
  'publish_request',
  'published',
  'withdrawn',
  'expired',
  'refused',
  'reassigned',
  'co_decided',
  'upward_due',
  'bureau_notice',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export interface AttachmentInfo {
  filename: string;
  contentType: string;
  /** Bytes. */
  size: number;
  /** Signed, expiring download link (mail/links.ts fileUrl). */
  url?: string;
  /** Whether the file goes with the mail as an attachment. */
  attached?: boolean;
}

/** publish_request: who approved each step of the review. */
export interface ApprovalInfo {
  kind: StepKind;
  name: string;
  /** When (ISO). */
  at: string;
}

export interface ReportSummary {
  /** Report number, e.g. R-2026-0042. */
  id: string;
  title: string;
  /** The full text as submitted; newlines are kept. */
  body: string;
  departmentName: string;
  submitterName: string;
  submitterEmail: string;
  /** Chinese category label (安全管理); shown in English for English schools. */
  category: string;
  urgency: 'routine' | 'major' | 'urgent';
  /** When the reported work or event happened / ended (ISO). */
  eventTime: string;
  /** When baosong received the report (ISO). */
  receivedAt: string;
  /** When the report was due (ISO); compare timeliness. */
  dueAt: string;
  timeliness: 'on_time' | 'late';
  /** When the whole review should be done (ISO). */
  reviewDueAt: string;
  attachments: AttachmentInfo[];
  /** Page where the submitter (or anyone with the link) sees where the report stands. */
  statusUrl: string;
}

export type StepKind = 'department_head' | 'office' | 'leadership';

export interface ReviewStep {
  /** 1-based. */
  index: number;
  count: number;
  kind: StepKind;
  /** Optional display name from config (部门负责人审核); without it the kind's label for the locale is used. */
  label?: string;
}

/** What someone tried to do when baosong refused it (refused notice). */
export type AttemptedAction = 'approve' | 'send_back' | 'withdraw' | 'revise' | 'comment' | 'reassign';
export const ATTEMPTED_ACTIONS: readonly AttemptedAction[] = ['approve', 'send_back', 'withdraw', 'revise', 'comment', 'reassign'];

export interface MailLinks {
  /** Signed link to a page where the reviewer confirms approval (never acts on GET). */
  approve?: string;
  /** Signed link to a page where the reviewer gives a send-back reason. */
  sendBack?: string;
  /** Link to view the report. */
  view?: string;
  /** The reviewer's links only show the report (config review.linkPolicy: view): decide by reply or signed in. */
  viewOnly?: boolean;
  /** Signed link to a page where the submitter revises the report online (returned, revision reminder). */
  edit?: string;
  /** publish_request: signed link to the editor's page to confirm it is published (with its address). */
  publish?: string;
}

/** receipt, review_request: one 稿件体检 finding, ready to show (domain/checks findingItems). */
export interface MailFinding {
  code: string;
  error: boolean;
  /** Where: 标题 / 正文 / 第 2 张图片. */
  where: string;
  message: string;
  /** The words found (`excerpt`), with a little context either side. */
  textBefore: string;
  excerpt: string;
  textAfter: string;
}

export interface MailData {
  schoolName: string;
  /** Whom the mail greets (刘芳 → “刘芳老师：”). */
  recipientName: string;
  report: ReportSummary;
  /** review_request, escalation: the step in question; reminder: present = review reminder, absent = revision reminder; revision_received: the step it goes to next. */
  step?: ReviewStep;
  /** Who acted: returned (reviewer who sent it back), approved (last approver), withdrawn (who withdrew), refused (who tried). */
  actorName?: string;
  /** refused: the address the attempt came from, shown next to actorName. */
  actorAddress?: string;
  /** escalation: who holds the overdue step. */
  holderName?: string;
  /** returned: send-back reason; refused: why it was refused; withdrawn: optional note. Written by people or the caller, in the school's language. */
  reason?: string;
  links?: MailLinks;
  /** Where replies go, when it is not simply “reply to this mail”; shown in the footer. */
  replyAddress?: string;
  /** The deadline that matters to the recipient (ISO): review_request, reminder, escalation. */
  deadline?: string;
  /** The review deadline counts days of a year whose holiday schedule is not known yet: say it may move. */
  deadlineProvisional?: boolean;
  /** When this mail is composed (ISO): reminder (time left) and escalation (overdue by). */
  sentAt?: string;
  /** returned: revise before this (ISO); expired: the revision deadline that passed. */
  revisionDueAt?: string;
  /** published: where it was published, when there is a page. */
  publishedUrl?: string;
  /** refused: what was attempted. */
  attemptedAction?: AttemptedAction;
  /** refused, a forged reply: how many were refused for this report since `since` (ISO), this one included, when more than one. */
  forgeries?: { count: number; since: string };
  /** publish_request: the approvals, one per step of the review chain, in order. */
  approvals?: ApprovalInfo[];
  /** approved: the report is kept, not published (审核通过 · 仅存档). */
  archiveOnly?: boolean;
  /** publish_request: a reminder that the approved report still waits to be published. */
  publishReminder?: boolean;
  /** receipt, review_request: what the report checks found (absent or empty: nothing). */
  checks?: MailFinding[];
  /** A bureau's mails (its "departments" are schools): the label of the department row, 报送学校 / School. */
  departmentLabel?: string;
  /**
   * 上报. upward_due: the bureau's deadline is near (`overdue`: passed, told to the principal and the office);
   * bureau_notice: what the bureau said about the report sent up (used: where; returned / chase: `reason`).
   */
  upward?: { bureauName: string; dueAt?: string; overdue?: boolean; notice?: 'received' | 'used' | 'returned' | 'chase'; use?: string };
}

export interface RenderedMail {
  /** One line, starting with the report number in brackets: 【R-2026-0042】… / [R-2026-0042] … */
  subject: string;
  /** Complete HTML document, CSS inlined. */
  html: string;
  /** Plain-text alternative. */
  text: string;
}

export interface RenderOptions {
  locale: Locale;
  /** IANA zone of the school, e.g. Asia/Shanghai. */
  timeZone: string;
}

/** Every field of report is required for every kind (see ReportSummary). */
export const REPORT_FIELDS = [
  'id',
  'title',
  'body',
  'departmentName',
  'submitterName',
  'submitterEmail',
  'category',
  'urgency',
  'eventTime',
  'receivedAt',
  'dueAt',
  'timeliness',
  'reviewDueAt',
  'attachments',
  'statusUrl',
] as const satisfies readonly (keyof ReportSummary)[];

export type RequiredField = Exclude<keyof MailData, 'schoolName' | 'recipientName' | 'report'>;

/** Fields each kind needs on top of schoolName, recipientName and report. Everything else is optional. */
export const REQUIRED_FIELDS: Record<MailKind, readonly RequiredField[]> = {
  receipt: [],
  review_request: ['step', 'deadline'],
  reminder: ['deadline', 'sentAt'],
  escalation: ['step', 'holderName', 'deadline', 'sentAt'],
  returned: ['actorName', 'reason', 'revisionDueAt'],
  revision_received: [],
  approved: [],
  publish_request: ['approvals'],
  published: [],
  withdrawn: ['actorName'],
  expired: ['revisionDueAt'],
  refused: ['actorName', 'attemptedAction', 'reason'],
  /** reason: who holds the step now */
  reassigned: ['actorName', 'reason'],
  /** reason: approved | sent_back */
  co_decided: ['actorName', 'reason'],
  upward_due: ['upward', 'sentAt'],
  bureau_notice: ['upward'],
};
