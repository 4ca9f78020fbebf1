/**
 * The read model's tables as Kysely sees them (snake_case, as stored).
 * Timestamps are ISO 8601 UTC text on SQLite and timestamptz on PostgreSQL (read back as Date there);
 * booleans are 0/1 on SQLite; JSON columns are text on both. The repository (read-model.ts) turns
 * rows into the camelCase shapes callers use, identical on both dialects.
 */
import type { ColumnType, Generated } from 'kysely';

/** Written as an ISO string; read as a string (SQLite) or a Date (PostgreSQL). */
export type Timestamp = ColumnType<string | Date, string, string>;
export type NullableTimestamp = ColumnType<string | Date | null, string | null, string | null>;
/** Written as 0/1 on SQLite and true/false on PostgreSQL. */
export type Bool = ColumnType<number | boolean, number | boolean, number | boolean>;

export interface ReportsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  id: string;
  workflow_id: string;
  origin: string;
  origin_ref: string;
  department_id: string;
  submitter_email: string;
  submitter_name: string | null;
  category: string;
  urgency: string;
  title: string;
  event_time: Timestamp;
  received_at: Timestamp;
  due_at: Timestamp;
  timeliness: string;
  review_due_at: NullableTimestamp;
  status: string;
  current_step: number | null;
  current_step_kind: string | null;
  /** JSON: [{ name, email }] */
  holders: string;
  overdue: Bool;
  returned_count: number;
  decided_at: NullableTimestamp;
  published_at: NullableTimestamp;
  updated_at: Timestamp;
  version: number;
}

export interface ReportEventsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  id: Generated<number>;
  report_id: string;
  seq: number;
  at: Timestamp;
  type: string;
  actor_email: string | null;
  actor_name: string | null;
  step: number | null;
  evidence: string | null;
  /** JSON object */
  detail: string;
}

export interface AttachmentsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  report_id: string;
  sha256: string;
  filename: string;
  content_type: string;
  size: number;
  storage_path: string;
}

export interface SentMailTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  message_id: string;
  report_id: string | null;
  kind: string;
  /** JSON: list of addresses */
  to: string;
  subject: string;
  status: string;
  attempts: number;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  error: string | null;
}

export interface ReportNumbersTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  year: number;
  last_sequence: number;
}

export interface ReportNumberAllocationsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  origin_key: string;
  report_id: string;
  year: number;
  allocated_at: Timestamp;
}

export interface PublishedTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  report_id: string;
  published_at: Timestamp;
  title: string;
  department_id: string;
  category: string;
  summary: string;
  url: string | null;
}

export interface ExpectedReportsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  id: string;
  department_id: string;
  title: string;
  event_end: Timestamp;
  urgency: string;
  due_at: Timestamp;
  /** waiting | satisfied | late | missing */
  status: string;
  report_id: string | null;
  /** cli | ics | web */
  source: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DigestsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  /** ISO week, e.g. 2026-W48 */
  week: string;
  computed_at: Timestamp;
  sent_at: NullableTimestamp;
  /** JSON: list of Message-IDs */
  message_ids: string;
  /** JSON: the digest's figures */
  figures: string;
}

export interface ChatMessagesTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  /** subject | event key | robot */
  key: string;
  /** Report id, expected-report id or ISO week. */
  subject: string;
  event: string;
  robot: string;
  /** sending | sent | failed */
  status: string;
  attempts: number;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  /** "ECHAT_…: message" of the last failure */
  error: string | null;
}

/** Epoch milliseconds: a number on SQLite, a bigint that pg reads back as a string on PostgreSQL. */
export type Millis = ColumnType<number | string, number, number>;
export type NullableMillis = ColumnType<number | string | null, number | null, number | null>;

export interface WebSessionsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  /** SHA-256 (hex) of the session cookie's value */
  id_hash: string;
  email: string;
  name: string;
  created_at_ms: Millis;
  expires_at_ms: Millis;
}

export interface UsedNoncesTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  nonce: string;
  expires_at_ms: Millis;
}

export interface RateLimitsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  /** "<route>|<client key>" */
  key: string;
  count: number;
  resets_at_ms: Millis;
}

export interface Tables {
  reports: ReportsTable;
  report_events: ReportEventsTable;
  attachments: AttachmentsTable;
  sent_mail: SentMailTable;
  report_numbers: ReportNumbersTable;
  report_number_allocations: ReportNumberAllocationsTable;
  published: PublishedTable;
  expected_reports: ExpectedReportsTable;
  digests: DigestsTable;
  chat_messages: ChatMessagesTable;
  web_sessions: WebSessionsTable;
  used_nonces: UsedNoncesTable;
  rate_limits: RateLimitsTable;
  quarantined_mail: QuarantinedMailTable;
  sender_aliases: SenderAliasesTable;
  office_audit: OfficeAuditTable;
  report_findings: ReportFindingsTable;
  worker_beats: WorkerBeatsTable;
  report_uses: ReportUsesTable;
  report_pieces: ReportPiecesTable;
  concealed_incidents: ConcealedIncidentsTable;
  channel_drafts: ChannelDraftsTable;
}

export interface QuarantinedMailTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  /** SHA-256 (hex) of origin_ref */
  id: string;
  /** The mail's Message-ID, else sha256:<hash of its bytes> (what a report started from it is keyed on) */
  origin_ref: string;
  from_address: string | null;
  from_name: string | null;
  subject: string;
  received_at_ms: Millis;
  reason_code: string;
  reason: string;
  preview: string;
  /** Where the raw mail is stored (<dataDir>/attachments/<ab>/<sha256>); null when it was too large to keep */
  raw_sha256: string | null;
  raw_size: number;
  /** pending | accepted | aliased | ignored */
  status: string;
  resolved_by: string | null;
  resolved_at_ms: NullableMillis;
  report_id: string | null;
  created_at_ms: Millis;
}

export interface SenderAliasesTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  address: string;
  person_email: string;
  added_by: string;
  added_at_ms: Millis;
}

export interface OfficeAuditTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  id: Generated<number>;
  at_ms: Millis;
  actor_email: string;
  actor_name: string;
  action: string;
  subject: string;
  /** JSON object */
  detail: string;
}

/** 稿件体检 findings of one version of a report (migration 0006). */
export interface ReportFindingsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  report_id: string;
  /** 1: as submitted; 2, 3…: as revised */
  round: number;
  /** A domain/checks code: weekday_mismatch, id_number, … */
  code: string;
  /** error | warn */
  severity: string;
  department_id: string;
  /** How many places in the text */
  places: number;
  found_at_ms: Millis;
}

/** A worker's heartbeat (migration 0007), overwritten every few seconds. */
export interface WorkerBeatsTable {
  worker_id: string;
  beat_at_ms: Millis;
  started_at_ms: Millis;
  last_activity_ms: NullableMillis;
  activities_completed: Millis;
  /** JSON: the SDK's WorkerStatus */
  status: string;
}

/** Where a piece was used (录用), migration 0008. */
export interface ReportUsesTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  id: string;
  report_id: string;
  outlet: string;
  /** 校级 | 县区级 | 市级 | 省级 | 国家级 */
  level: string;
  kind: string;
  /** YYYY-MM-DD */
  used_on: string;
  /** URL or issue number; '' when none */
  ref: string;
  /** office | mail | import | channel | cli */
  source: string;
  recorded_by_email: string;
  recorded_by_name: string;
  recorded_at_ms: Millis;
}

/** A report's length and the office's 简讯/详讯 (migration 0008). */
export interface ReportPiecesTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  report_id: string;
  chars: number;
  size: string | null;
  size_set_by: string | null;
  updated_at_ms: Millis;
}

/** 瞒报 recorded by the office (migration 0008). */
export interface ConcealedIncidentsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  id: string;
  department_id: string;
  incident: string;
  /** YYYY-MM-DD */
  occurred_on: string;
  recorded_by_email: string;
  recorded_by_name: string;
  recorded_at_ms: Millis;
}

/** A channel's draft of a report (migration 0008): the 公众号 draft box. */
export interface ChannelDraftsTable {
  /** The school the row belongs to ('' in a one-school deployment): db/school-scope.ts fills and filters it. */
  school_id: Generated<string>;
  report_id: string;
  channel: string;
  /** draft | failed */
  state: string;
  media_id: string | null;
  error: string | null;
  updated_at_ms: Millis;
}
