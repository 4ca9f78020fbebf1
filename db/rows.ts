/**
 * The shapes callers see: camelCase, timestamps as ISO 8601 UTC strings ("2026-09-30T08:00:00.000Z"),
 * JSON parsed, booleans as booleans; identical on SQLite and PostgreSQL.
 * Inputs take a Date or any string Date understands for each timestamp.
 */
import type { ReportStatus, Timeliness, Urgency } from '../domain/report.js';

export type { ReportStatus, Timeliness, Urgency };

/** A moment handed to the repository: a Date, or an ISO 8601 string with an offset. */
export type Instant = Date | string;

/** Where a report came from: a mail to the shared mailbox, or the web form. */
export type ReportOrigin = 'mail' | 'web';

export type ReviewStepKind = 'department_head' | 'office' | 'leadership';

/** Someone who holds a report (may decide its current review step). */
export interface Holder {
  name: string;
  email: string;
}

export const REPORT_EVENT_TYPES = [
  'received',
  'review_requested',
  'approved',
  'sent_back',
  'revised',
  'withdrawn',
  'expired',
  'published',
  'archived',
  'comment',
  'refused',
  'reminded',
  'escalated',
  'reassigned',
  'overdue',
  'deadline_moved',
  'sent_upward',
  'upward_requested',
  'upward_failed',
  'upward_overdue',
  'bureau_received',
  'bureau_used',
  'bureau_returned',
  'bureau_chased',
] as const;
export type ReportEventType = (typeof REPORT_EVENT_TYPES)[number];

/** held: a retry found an attempt that stopped mid-send, and mail.unknownOutcome is `hold`: not sent again. */
export type MailStatus = 'sending' | 'sent' | 'outbox' | 'failed' | 'held';

/** One report's current state, as the office dashboard shows it. */
export interface Report {
  /** The report number, e.g. R-2026-0042. */
  id: string;
  workflowId: string;
  origin: ReportOrigin;
  /** The mail's Message-ID, or the form submission's id. */
  originRef: string;
  departmentId: string;
  submitterEmail: string;
  submitterName: string | null;
  /** The category's Chinese label, e.g. 安全管理. */
  category: string;
  urgency: Urgency;
  title: string;
  eventTime: string;
  receivedAt: string;
  dueAt: string;
  timeliness: Timeliness;
  reviewDueAt: string | null;
  status: ReportStatus;
  /** Index of the current step in the review chain, or null when no step is open. */
  currentStep: number | null;
  currentStepKind: ReviewStepKind | null;
  holders: Holder[];
  overdue: boolean;
  returnedCount: number;
  decidedAt: string | null;
  publishedAt: string | null;
  updatedAt: string;
  /** The workflow's own transition counter: a row is only replaced by one with a version at least as high. */
  version: number;
}

/** What recordReport takes: a Report with timestamps as Date or string. */
export interface ReportRecord
  extends Omit<Report, 'eventTime' | 'receivedAt' | 'dueAt' | 'reviewDueAt' | 'decidedAt' | 'publishedAt' | 'updatedAt' | 'submitterName'> {
  submitterName?: string | null;
  eventTime: Instant;
  receivedAt: Instant;
  dueAt: Instant;
  reviewDueAt?: Instant | null;
  decidedAt?: Instant | null;
  publishedAt?: Instant | null;
  updatedAt: Instant;
}

/** One line of a report's timeline (and its audit trail). */
export interface ReportEvent {
  id: number;
  reportId: string;
  /** The workflow's event number; unique per report. */
  seq: number;
  at: string;
  type: ReportEventType;
  actorEmail: string | null;
  actorName: string | null;
  step: number | null;
  /** The Message-ID of the mail, or the id of the link, that caused the event. */
  evidence: string | null;
  detail: Record<string, unknown>;
}

export interface ReportEventRecord {
  reportId: string;
  seq: number;
  at: Instant;
  type: ReportEventType;
  actorEmail?: string | null;
  actorName?: string | null;
  step?: number | null;
  evidence?: string | null;
  detail?: Record<string, unknown>;
}

export interface Attachment {
  reportId: string;
  sha256: string;
  filename: string;
  contentType: string;
  size: number;
  storagePath: string;
}

/** A mail baosong sends (receipt, review request, reminder, digest, …). */
export interface SentMail {
  messageId: string;
  reportId: string | null;
  /** The template's name. */
  kind: string;
  to: string[];
  subject: string;
  status: MailStatus;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  error: string | null;
}

export interface MailSendingRecord {
  messageId: string;
  reportId?: string | null;
  kind: string;
  to: string[];
  subject: string;
  createdAt: Instant;
}

export interface Published {
  reportId: string;
  publishedAt: string;
  title: string;
  departmentId: string;
  category: string;
  summary: string;
  url: string | null;
}

export interface PublishedRecord extends Omit<Published, 'publishedAt' | 'url'> {
  publishedAt: Instant;
  url?: string | null;
}

export interface ReportFilter {
  department?: string;
  /** The category's Chinese label. */
  category?: string;
  status?: ReportStatus | readonly ReportStatus[];
  /** true: only late reports (迟报); false: only reports on time. */
  late?: boolean;
  overdue?: boolean;
  /** Received at or after this moment. */
  from?: Instant;
  /** Received before this moment. */
  to?: Instant;
  limit?: number;
  offset?: number;
}

/** What became of an expected report: still waiting, arrived on time, arrived late, or missing (漏报) at its due time. */
export type ExpectedStatus = 'waiting' | 'satisfied' | 'late' | 'missing';
export const EXPECTED_STATUSES: readonly ExpectedStatus[] = ['waiting', 'satisfied', 'late', 'missing'];

/** Where the office registered an expected report: the CLI, an iCalendar import, or the dashboard. */
export type ExpectedSource = 'cli' | 'ics' | 'web';

/** A report the office expects from a department about an event, by a due time. */
export interface ExpectedReport {
  id: string;
  departmentId: string;
  title: string;
  /** When the event ends. */
  eventEnd: string;
  urgency: Urgency;
  dueAt: string;
  status: ExpectedStatus;
  /** The report that satisfied it, once one arrived. */
  reportId: string | null;
  source: ExpectedSource;
  createdAt: string;
  updatedAt: string;
}

export interface ExpectedReportRecord
  extends Omit<ExpectedReport, 'eventEnd' | 'dueAt' | 'createdAt' | 'updatedAt' | 'status' | 'reportId'> {
  eventEnd: Instant;
  dueAt: Instant;
  /** Default 'waiting'. */
  status?: ExpectedStatus;
  reportId?: string | null;
  createdAt: Instant;
  /** Default createdAt. */
  updatedAt?: Instant;
}

export interface ExpectedFilter {
  department?: string;
  status?: ExpectedStatus | readonly ExpectedStatus[];
  /** Due at or after this moment. */
  dueFrom?: Instant;
  /** Due before this moment. */
  dueTo?: Instant;
}

/** One week's digest: its figures as computed, and whether (and as which mails) it was sent. */
export interface DigestRecord {
  /** ISO week, e.g. 2026-W48. */
  week: string;
  computedAt: string;
  sentAt: string | null;
  messageIds: string[];
  /** The figures as computed (digest/figures.ts DigestFigures), parsed from JSON. */
  figures: unknown;
}
