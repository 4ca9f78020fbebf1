/**
 * Rows as the database holds them (ISO text on SQLite, Date on PostgreSQL; JSON as text) to and from the
 * read model's records, and the checks on the way in. Used by ReadModel (db/read-model.ts).
 */
import type { Selectable } from 'kysely';
import { DatabaseError, describe, driverCode, isForeignKeyViolation } from './errors.js';
import type { DigestRecord, ExpectedReport, ExpectedSource, ExpectedStatus, Holder, Instant, MailStatus, Published, Report, ReportEvent, ReportEventType, ReportOrigin, ReportStatus, ReviewStepKind, SentMail, Timeliness, Urgency } from './rows.js';
import type { ChatMessagesTable, DigestsTable, ExpectedReportsTable, PublishedTable, ReportEventsTable, ReportsTable, SentMailTable } from './schema.js';

export function toIso(value: Instant, field: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new DatabaseError('EDB_INVALID', `${field} is not a valid time: ${String(value)} (expected a Date or an ISO 8601 string).`);
  }
  return date.toISOString();
}

export function toIsoOrNull(value: Instant | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : toIso(value, field);
}

/** A stored timestamp (ISO text on SQLite, Date on PostgreSQL) as an ISO 8601 UTC string. */
export function readIso(value: string | Date): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function readIsoOrNull(value: string | Date | null): string | null {
  return value === null ? null : readIso(value);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatabaseError('EDB_INVALID', `The stored ${what} is not JSON (${describe(error)}): ${text.slice(0, 80)}`, { cause: error });
  }
}

export function toReport(row: Selectable<ReportsTable>): Report {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    origin: row.origin as ReportOrigin,
    originRef: row.origin_ref,
    departmentId: row.department_id,
    submitterEmail: row.submitter_email,
    submitterName: row.submitter_name,
    category: row.category,
    urgency: row.urgency as Urgency,
    title: row.title,
    eventTime: readIso(row.event_time),
    receivedAt: readIso(row.received_at),
    dueAt: readIso(row.due_at),
    timeliness: row.timeliness as Timeliness,
    reviewDueAt: readIsoOrNull(row.review_due_at),
    status: row.status as ReportStatus,
    currentStep: row.current_step,
    currentStepKind: row.current_step_kind as ReviewStepKind | null,
    holders: parseJson(row.holders, `holders of ${row.id}`) as Holder[],
    overdue: row.overdue === true || row.overdue === 1,
    returnedCount: row.returned_count,
    decidedAt: readIsoOrNull(row.decided_at),
    publishedAt: readIsoOrNull(row.published_at),
    updatedAt: readIso(row.updated_at),
    version: row.version,
  };
}

export function toReportEvent(row: Selectable<ReportEventsTable>): ReportEvent {
  return {
    id: row.id,
    reportId: row.report_id,
    seq: row.seq,
    at: readIso(row.at),
    type: row.type as ReportEventType,
    actorEmail: row.actor_email,
    actorName: row.actor_name,
    step: row.step,
    evidence: row.evidence,
    detail: parseJson(row.detail, `detail of event ${row.seq} of ${row.report_id}`) as Record<string, unknown>,
  };
}

export interface ChatMessageRow {
  key: string;
  subject: string;
  event: string;
  robot: string;
  status: 'sending' | 'sent' | 'failed';
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  error: string | null;
}

export function toChatMessage(row: Selectable<ChatMessagesTable>): ChatMessageRow {
  return {
    key: row.key,
    subject: row.subject,
    event: row.event,
    robot: row.robot,
    status: row.status as ChatMessageRow['status'],
    attempts: row.attempts,
    createdAt: readIso(row.created_at),
    sentAt: readIsoOrNull(row.sent_at),
    error: row.error,
  };
}

export function toSentMail(row: Selectable<SentMailTable>): SentMail {
  return {
    messageId: row.message_id,
    reportId: row.report_id,
    kind: row.kind,
    to: parseJson(row.to, `recipients of ${row.message_id}`) as string[],
    subject: row.subject,
    status: row.status as MailStatus,
    attempts: row.attempts,
    createdAt: readIso(row.created_at),
    sentAt: readIsoOrNull(row.sent_at),
    error: row.error,
  };
}

export function toPublished(row: Selectable<PublishedTable>): Published {
  return {
    reportId: row.report_id,
    publishedAt: readIso(row.published_at),
    title: row.title,
    departmentId: row.department_id,
    category: row.category,
    summary: row.summary,
    url: row.url,
  };
}

export function toExpected(row: Selectable<ExpectedReportsTable>): ExpectedReport {
  return {
    id: row.id,
    departmentId: row.department_id,
    title: row.title,
    eventEnd: readIso(row.event_end),
    urgency: row.urgency as Urgency,
    dueAt: readIso(row.due_at),
    status: row.status as ExpectedStatus,
    reportId: row.report_id,
    source: row.source as ExpectedSource,
    createdAt: readIso(row.created_at),
    updatedAt: readIso(row.updated_at),
  };
}

export function toDigest(row: Selectable<DigestsTable>): DigestRecord {
  return {
    week: row.week,
    computedAt: readIso(row.computed_at),
    sentAt: readIsoOrNull(row.sent_at),
    messageIds: parseJson(row.message_ids, `message ids of digest ${row.week}`) as string[],
    figures: parseJson(row.figures, `figures of digest ${row.week}`),
  };
}

// ---------------------------------------------------------------------------------------------------
// Errors

export function checkExpectedStatus(status: string, id: string): void {
  if (!['waiting', 'satisfied', 'late', 'missing'].includes(status)) {
    throw new DatabaseError('EDB_INVALID', `Expected report ${id}: status must be waiting, satisfied, late or missing, got ${JSON.stringify(status)}.`);
  }
}

export function count(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) throw new DatabaseError('EDB_INVALID', `listReports: ${name} must be a non-negative integer, got ${value}.`);
  return value;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function noReport(error: unknown, reportId: string, what: string): unknown {
  if (!isForeignKeyViolation(error)) return error;
  return new DatabaseError('EDB_NO_REPORT', `Cannot record ${what} of ${reportId}: no report ${reportId} is recorded. Record the report (recordReport) first.`, {
    cause: error,
  });
}

export function mailNotFound(messageId: string, method: string): DatabaseError {
  return new DatabaseError('EDB_NOT_FOUND', `${method}: no mail ${messageId} was recorded. Call recordMailSending before sending it.`);
}
