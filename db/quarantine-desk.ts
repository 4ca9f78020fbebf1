/**
 * The office's desk for quarantined mail (migration 0005): one row per mail the intake kept aside, the
 * aliases the office added from it, and the audit trail of what office people did there and to reports.
 * Every write is one statement and idempotent: a mail handled twice is one row, a decision is taken once
 * (`resolve` changes only a pending row, so a double click acts once), an alias added twice is one alias.
 */
import { createHash } from 'node:crypto';
import type { Database } from './connect.js';

export type QuarantineStatus = 'pending' | 'accepted' | 'aliased' | 'ignored';

/**
 * Why a mail was kept aside, for the office (the free-text reason says more):
 * unknown_sender, automatic (auto-replies, bulk, bounces), own_mail (our own mail came back), unreadable,
 * refused (a known sender's mail that could not be acted on; they were told why), unverified (a reply
 * whose token or sender check failed), over_limit (automatic answers paused for that address), failed
 * (handling failed again and again).
 */
export type QuarantineReasonCode = 'unknown_sender' | 'automatic' | 'own_mail' | 'unreadable' | 'refused' | 'unverified' | 'over_limit' | 'failed';

export interface QuarantinedMail {
  id: string;
  originRef: string;
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  receivedAt: Date;
  reasonCode: QuarantineReasonCode;
  reason: string;
  preview: string;
  /** The stored raw mail (under <dataDir>/attachments/), or null when it was not kept. */
  rawSha256: string | null;
  rawSize: number;
  status: QuarantineStatus;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  reportId: string | null;
}

export interface OfficeAuditEntry {
  at: Date;
  actorEmail: string;
  actorName: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

/** The row id of a mail: the SHA-256 of its origin (Message-ID or hash of its bytes). */
export const quarantineId = (originRef: string) => createHash('sha256').update(originRef).digest('hex').slice(0, 32);

const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));

export class QuarantineDesk {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  get #db() {
    return this.#database.db;
  }

  /** Notes a quarantined mail (pending). The same mail again keeps its first row and decision. */
  async record(mail: Omit<QuarantinedMail, 'id' | 'status' | 'resolvedBy' | 'resolvedAt' | 'reportId'>, now = Date.now()): Promise<string> {
    const id = quarantineId(mail.originRef);
    await this.#db
      .insertInto('quarantined_mail')
      .values({
        id,
        origin_ref: mail.originRef,
        from_address: mail.fromAddress,
        from_name: mail.fromName,
        subject: mail.subject,
        received_at_ms: mail.receivedAt.getTime(),
        reason_code: mail.reasonCode,
        reason: mail.reason,
        preview: mail.preview,
        raw_sha256: mail.rawSha256,
        raw_size: mail.rawSize,
        status: 'pending',
        resolved_by: null,
        resolved_at_ms: null,
        report_id: null,
        created_at_ms: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return id;
  }

  async get(id: string): Promise<QuarantinedMail | null> {
    const row = await this.#db.selectFrom('quarantined_mail').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMail(row) : null;
  }

  /** Pending mails, oldest first, and the latest decided ones (newest first), each at most `limit`. */
  async list(limit = 100): Promise<{ pending: QuarantinedMail[]; decided: QuarantinedMail[]; pendingCount: number }> {
    const pending = await this.#db.selectFrom('quarantined_mail').selectAll().where('status', '=', 'pending').orderBy('received_at_ms', 'asc').limit(limit).execute();
    const decided = await this.#db.selectFrom('quarantined_mail').selectAll().where('status', '!=', 'pending').orderBy('resolved_at_ms', 'desc').limit(20).execute();
    const count = await this.#db
      .selectFrom('quarantined_mail')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return { pending: pending.map(toMail), decided: decided.map(toMail), pendingCount: Number(count?.n ?? 0) };
  }

  /** Decides a pending mail; false when it had been decided already (a second click, another office person). */
  async resolve(id: string, status: Exclude<QuarantineStatus, 'pending'>, by: string, reportId: string | null = null, now = Date.now()): Promise<boolean> {
    const r = await this.#db
      .updateTable('quarantined_mail')
      .set({ status, resolved_by: by, resolved_at_ms: now, report_id: reportId })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** The person (their configured address) an extra address belongs to, if the office added it. */
  async aliasOf(address: string): Promise<string | null> {
    const row = await this.#db.selectFrom('sender_aliases').select('person_email').where('address', '=', address.trim().toLowerCase()).executeTakeFirst();
    return row?.person_email ?? null;
  }

  /** Adds `address` as an alias of the person at `personEmail`; false when it already was one (of anyone). */
  async addAlias(address: string, personEmail: string, by: string, now = Date.now()): Promise<boolean> {
    const r = await this.#db
      .insertInto('sender_aliases')
      .values({ address: address.trim().toLowerCase(), person_email: personEmail.trim().toLowerCase(), added_by: by, added_at_ms: now })
      .onConflict((oc) => oc.column('address').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async aliases(): Promise<{ address: string; personEmail: string; addedBy: string; addedAt: Date }[]> {
    const rows = await this.#db.selectFrom('sender_aliases').selectAll().orderBy('added_at_ms', 'asc').execute();
    return rows.map((r) => ({ address: r.address, personEmail: r.person_email, addedBy: r.added_by, addedAt: new Date(Number(r.added_at_ms)) }));
  }

  async audit(entry: OfficeAuditEntry): Promise<void> {
    await this.#db
      .insertInto('office_audit')
      .values({ at_ms: entry.at.getTime(), actor_email: entry.actorEmail, actor_name: entry.actorName, action: entry.action, subject: entry.subject, detail: JSON.stringify(entry.detail) })
      .execute();
  }

  /** The audit trail about one subject (a quarantined mail's id, a report number), oldest first. */
  async auditFor(subject: string): Promise<OfficeAuditEntry[]> {
    const rows = await this.#db.selectFrom('office_audit').selectAll().where('subject', '=', subject).orderBy('id', 'asc').execute();
    return rows.map((r) => ({ at: new Date(Number(r.at_ms)), actorEmail: r.actor_email, actorName: r.actor_name, action: r.action, subject: r.subject, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}

function toMail(row: {
  id: string;
  origin_ref: string;
  from_address: string | null;
  from_name: string | null;
  subject: string;
  received_at_ms: number | string;
  reason_code: string;
  reason: string;
  preview: string;
  raw_sha256: string | null;
  raw_size: number;
  status: string;
  resolved_by: string | null;
  resolved_at_ms: number | string | null;
  report_id: string | null;
}): QuarantinedMail {
  const resolvedAt = num(row.resolved_at_ms);
  return {
    id: row.id,
    originRef: row.origin_ref,
    fromAddress: row.from_address,
    fromName: row.from_name,
    subject: row.subject,
    receivedAt: new Date(Number(row.received_at_ms)),
    reasonCode: row.reason_code as QuarantineReasonCode,
    reason: row.reason,
    preview: row.preview,
    rawSha256: row.raw_sha256,
    rawSize: Number(row.raw_size),
    status: row.status as QuarantineStatus,
    resolvedBy: row.resolved_by,
    resolvedAt: resolvedAt === null ? null : new Date(resolvedAt),
    reportId: row.report_id,
  };
}
