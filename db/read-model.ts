/**
 * The read model: what report workflows record (through their activities) and what the dashboard, the
 * CLI and the weekly digest read. Every write is idempotent, because Temporal retries activities:
 * recording the same thing twice leaves the same rows as recording it once.
 *
 *   const readModel = new ReadModel(await openDatabase({ file: 'data/baosong.db' }));
 *   const id = await readModel.allocateReportNumber(`mail:${messageId}`, 2026);   // R-2026-0042
 *
 * Long file: `transaction()` hands its work a ReadModel bound to the transaction, so every repository method
 * lives on this one class; the row mapping is in row-mapping.ts, the desk and the findings in their own stores.
 */
import { redactSecrets } from '../ops/redact.js';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import { formatReportNumber } from '../domain/report.js';
import type { Database } from './connect.js';
import { DatabaseError, describe, driverCode } from './errors.js';
import { checkExpectedStatus, count, isUniqueViolation, mailNotFound, noReport, toChatMessage, toDigest, toExpected, toIso, toIsoOrNull, toPublished, toReport, toReportEvent, toSentMail } from './row-mapping.js';
import type { ChatMessageRow } from './row-mapping.js';

export type { ChatMessageRow } from './row-mapping.js';
import type {
  Attachment,
  DigestRecord,
  ExpectedFilter,
  ExpectedReport,
  ExpectedReportRecord,
  ExpectedStatus,
  Instant,
  MailSendingRecord,
  Published,
  PublishedRecord,
  Report,
  ReportEvent,
  ReportEventRecord,
  ReportFilter,
  ReportRecord,
  SentMail,
  } from './rows.js';
import type { ReportEventsTable, Tables } from './schema.js';

/** Thrown inside the allocation transaction to roll it back when the origin already has a number. */
class AlreadyAllocated extends Error {}

export interface ReadModelOptions {
  /**
   * Told about a stored row that cannot be read (an event whose detail is not JSON, say, after someone
   * edited the database): pages show the rest, and `baosong reindex` repairs it. Default: a process warning.
   */
  onDamaged?: (problem: string) => void;
}

export class ReadModel {
  readonly #database: Database;
  readonly #options: ReadModelOptions;

  constructor(database: Database, options: ReadModelOptions = {}) {
    this.#database = database;
    this.#options = options;
  }

  #damaged(problem: string): void {
    if (this.#options.onDamaged) this.#options.onDamaged(problem);
    else process.emitWarning(problem, 'BaosongDamagedRow');
  }

  get #db() {
    return this.#database.db;
  }

  /**
   * Runs `work` with a read model whose writes all go in one transaction (one commit for a step's
   * records, and none of them without the others). Inside a transaction already, `work` joins it.
   */
  async transaction<T>(work: (readModel: ReadModel) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return work(this);
    return this.#db.transaction().execute((trx) => work(new ReadModel({ ...this.#database, db: trx }, this.#options)));
  }

  /** The database behind this read model (the web's shared state lives in it too). */
  get database(): Database {
    return this.#database;
  }

  // -------------------------------------------------------------------------------------------------
  // Report numbers

  /**
   * The report number for `originKey` (e.g. "mail:<Message-ID>" or "web:<submission id>"): the next one
   * of `year` the first time, the same one on every later call (a retried activity, a mail delivered
   * twice). Concurrent callers never get the same number, and numbers of a year have no gaps.
   */
  async allocateReportNumber(originKey: string, year: number, at: Instant = new Date()): Promise<string> {
    if (!originKey.trim()) throw new DatabaseError('EDB_INVALID', 'allocateReportNumber needs a non-empty originKey.');
    formatReportNumber(year, 1); // throws ReportNumberError (code EREPORT_NUMBER) for a year that is not four digits
    const allocatedAt = toIso(at, 'allocatedAt');

    const known = await this.#allocationFor(originKey);
    if (known !== undefined) return known;

    let reportId = '';
    try {
      await this.#db.transaction().execute(async (trx) => {
        // The write comes first: it takes the year's row lock (PostgreSQL) or the write lock (SQLite),
        // so concurrent allocations queue here instead of reading the same counter.
        const counter = await trx
          .insertInto('report_numbers')
          .values({ year, last_sequence: 1 })
          .onConflict((oc) => oc.column('year').doUpdateSet((eb) => ({ last_sequence: eb('report_numbers.last_sequence', '+', 1) })))
          .returning('last_sequence')
          .executeTakeFirstOrThrow();
        reportId = formatReportNumber(year, counter.last_sequence);
        const inserted = await trx
          .insertInto('report_number_allocations')
          .values({ origin_key: originKey, report_id: reportId, year, allocated_at: allocatedAt })
          .onConflict((oc) => oc.column('origin_key').doNothing())
          .returning('report_id')
          .executeTakeFirst();
        // Someone else allocated for this origin meanwhile: undo our increment, use theirs.
        if (inserted === undefined) throw new AlreadyAllocated();
      });
      return reportId;
    } catch (error) {
      if (error instanceof AlreadyAllocated) {
        const theirs = await this.#allocationFor(originKey);
        if (theirs !== undefined) return theirs;
      }
      if (isUniqueViolation(error)) {
        throw new DatabaseError(
          'EDB_REPORT_NUMBER',
          `Cannot allocate a report number for ${originKey}: ${reportId} is already taken by another origin, so the ` +
            `counter for ${year} (report_numbers.last_sequence) is behind. Set it to the highest sequence allocated in ${year}.`,
          { cause: error },
        );
      }
      const hint =
        driverCode(error) === 'SQLITE_BUSY'
          ? ' Another process held the SQLite database longer than the busy timeout; try again (or raise timeoutMs).'
          : '';
      throw new DatabaseError('EDB_REPORT_NUMBER', `Cannot allocate a report number for ${originKey}: ${describe(error)}.${hint}`, {
        cause: error,
      });
    }
  }

  async #allocationFor(originKey: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('report_number_allocations')
      .select('report_id')
      .where('origin_key', '=', originKey)
      .executeTakeFirst();
    return row?.report_id;
  }

  // -------------------------------------------------------------------------------------------------
  // Writes from the workflow's activities

  /**
   * Inserts the report, or replaces the stored row when `report.version` is at least the stored version.
   * Returns false when the stored row is newer (a late retry of an older transition): nothing changes then.
   */
  async recordReport(report: ReportRecord, options: { whateverIsStored?: boolean } = {}): Promise<boolean> {
    if (!Number.isInteger(report.version) || report.version < 0) {
      throw new DatabaseError('EDB_INVALID', `Report ${report.id}: version must be a non-negative integer, got ${report.version}.`);
    }
    const values = {
      id: report.id,
      workflow_id: report.workflowId,
      origin: report.origin,
      origin_ref: report.originRef,
      department_id: report.departmentId,
      submitter_email: report.submitterEmail,
      submitter_name: report.submitterName ?? null,
      category: report.category,
      urgency: report.urgency,
      title: report.title,
      event_time: toIso(report.eventTime, 'eventTime'),
      received_at: toIso(report.receivedAt, 'receivedAt'),
      due_at: toIso(report.dueAt, 'dueAt'),
      timeliness: report.timeliness,
      review_due_at: toIsoOrNull(report.reviewDueAt, 'reviewDueAt'),
      status: report.status,
      current_step: report.currentStep,
      current_step_kind: report.currentStepKind,
      holders: JSON.stringify(report.holders),
      overdue: this.#bool(report.overdue),
      returned_count: report.returnedCount,
      decided_at: toIsoOrNull(report.decidedAt, 'decidedAt'),
      published_at: toIsoOrNull(report.publishedAt, 'publishedAt'),
      updated_at: toIso(report.updatedAt, 'updatedAt'),
      version: report.version,
    };
    const { id: _id, ...changes } = values;
    const written = await this.#db
      .insertInto('reports')
      .values(values)
      .onConflict((oc) => (options.whateverIsStored ? oc.column('id').doUpdateSet(changes) : oc.column('id').doUpdateSet(changes).where('reports.version', '<=', report.version)))
      .returning('id')
      .executeTakeFirst();
    return written !== undefined;
  }

  /** Adds an event to a report's timeline unless its (reportId, seq) is already there. Returns whether it was new. */
  async appendEvent(event: ReportEventRecord): Promise<boolean> {
    try {
      const inserted = await this.#db
        .insertInto('report_events')
        .values({
          report_id: event.reportId,
          seq: event.seq,
          at: toIso(event.at, 'at'),
          type: event.type,
          actor_email: event.actorEmail ?? null,
          actor_name: event.actorName ?? null,
          step: event.step ?? null,
          evidence: event.evidence ?? null,
          detail: JSON.stringify(event.detail ?? {}),
        })
        .onConflict((oc) => oc.columns(['report_id', 'seq']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    } catch (error) {
      throw noReport(error, event.reportId, `event ${event.seq} (${event.type})`);
    }
  }

  /** Records an attachment of a report (once per report, content hash and file name). Returns whether it was new. */
  async recordAttachment(attachment: Attachment): Promise<boolean> {
    const inserted = await this.#db
      .insertInto('attachments')
      .values({
        report_id: attachment.reportId,
        sha256: attachment.sha256,
        filename: attachment.filename,
        content_type: attachment.contentType,
        size: attachment.size,
        storage_path: attachment.storagePath,
      })
      .onConflict((oc) => oc.columns(['report_id', 'sha256', 'filename']).doNothing())
      .returning('report_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** How many mails of these kinds baosong sent (or tried to send) to this one address since `since`. */
  async countMailTo(address: string, kinds: readonly string[], since: Instant): Promise<number> {
    const row = await this.#db
      .selectFrom('sent_mail')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('to', '=', JSON.stringify([address.toLowerCase()]))
      .where('kind', 'in', [...kinds])
      .where('created_at', '>=', toIso(since, 'since'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The mail with this Message-ID, or null if baosong never tried to send it. */
  async sentMail(messageId: string): Promise<SentMail | null> {
    const row = await this.#db.selectFrom('sent_mail').selectAll().where('message_id', '=', messageId).executeTakeFirst();
    return row ? toSentMail(row) : null;
  }

  /**
   * A mail's first attempt, in one statement: the row with status 'sending' and attempts 1 if no attempt was
   * recorded before (true). false: tried before, or sent — look at the row (`sentMail`) and go the long way.
   */
  async recordFirstMailAttempt(mail: MailSendingRecord): Promise<boolean> {
    const result = await this.#db
      .insertInto('sent_mail')
      .values(sendingRow(mail))
      .onConflict((oc) => oc.column('message_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /**
   * Notes an attempt to send a mail: a new row with status 'sending' and attempts 1, or, for a mail tried
   * before and not yet sent, status 'sending' again and one more attempt. A mail already sent (or handed to
   * the outbox) is left alone: check its status in the returned row and do not send it again.
   */
  async recordMailSending(mail: MailSendingRecord): Promise<SentMail> {
    const written = await this.#db
      .insertInto('sent_mail')
      .values(sendingRow(mail))
      .onConflict((oc) =>
        oc
          .column('message_id')
          .doUpdateSet((eb) => ({ status: 'sending', attempts: eb('sent_mail.attempts', '+', 1) }))
          .where('sent_mail.status', 'not in', ['sent', 'outbox', 'held']),
      )
      .returningAll()
      .executeTakeFirst();
    // Nothing written: the mail had been sent already; read its row.
    const row = written ? toSentMail(written) : await this.sentMail(mail.messageId);
    if (row === null) throw new DatabaseError('EDB_NOT_FOUND', `Mail ${mail.messageId} vanished right after it was recorded.`);
    return row;
  }

  /** The mail went out ('sent'), or was kept in the outbox to go out later ('outbox'). */
  async markMailSent(messageId: string, status: 'sent' | 'outbox', at: Instant): Promise<void> {
    const result = await this.#db
      .updateTable('sent_mail')
      .set({ status, sent_at: toIso(at, 'at'), error: null })
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw mailNotFound(messageId, 'markMailSent');
  }

  /** A retry found an attempt that stopped mid-send and the policy says not to risk a second copy. */
  async markMailHeld(messageId: string, reason: string): Promise<void> {
    const result = await this.#db
      .updateTable('sent_mail')
      .set({ status: 'held', error: reason })
      .where('message_id', '=', messageId)
      .where('status', 'not in', ['sent', 'outbox'])
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n && (await this.sentMail(messageId)) === null) throw mailNotFound(messageId, 'markMailHeld');
  }

  /** The attempt failed; `error` says why. A mail already sent stays sent. */
  async markMailFailed(messageId: string, error: string): Promise<void> {
    const result = await this.#db
      .updateTable('sent_mail')
      .set({ status: 'failed', error })
      .where('message_id', '=', messageId)
      .where('status', 'not in', ['sent', 'outbox'])
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n && (await this.sentMail(messageId)) === null) throw mailNotFound(messageId, 'markMailFailed');
  }

  // -------------------------------------------------------------------------------------------------
  // Chat messages (group robots), like sent mail: one row per subject + event + robot

  /**
   * Notes an attempt to post a chat message: a new row 'sending', or one more attempt of a message not
   * yet sent. A message already sent is left alone: check the returned status and do not post it again.
   */
  async recordChatSending(message: { key: string; subject: string; event: string; robot: string; createdAt: Instant }): Promise<ChatMessageRow> {
    await this.#db
      .insertInto('chat_messages')
      .values({ key: message.key, subject: message.subject, event: message.event, robot: message.robot, status: 'sending', attempts: 1, created_at: toIso(message.createdAt, 'createdAt'), sent_at: null, error: null })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ status: 'sending', attempts: eb('chat_messages.attempts', '+', 1) })).where('chat_messages.status', '!=', 'sent'))
      .execute();
    const row = await this.#db.selectFrom('chat_messages').selectAll().where('key', '=', message.key).executeTakeFirst();
    if (!row) throw new DatabaseError('EDB_NOT_FOUND', `Chat message ${message.key} vanished right after it was recorded.`);
    return toChatMessage(row);
  }

  async markChatSent(key: string, at: Instant): Promise<void> {
    await this.#db.updateTable('chat_messages').set({ status: 'sent', sent_at: toIso(at, 'at'), error: null }).where('key', '=', key).execute();
  }

  /** The attempt failed; a message already sent stays sent. The error is kept without any configured secret in it. */
  async markChatFailed(key: string, error: string): Promise<void> {
    await this.#db.updateTable('chat_messages').set({ status: 'failed', error: redactSecrets(error) }).where('key', '=', key).where('status', '!=', 'sent').execute();
  }

  /** The chat messages of a report (or expectation, or week), oldest first. */
  async chatMessagesFor(subject: string): Promise<ChatMessageRow[]> {
    const rows = await this.#db.selectFrom('chat_messages').selectAll().where('subject', '=', subject).orderBy('created_at').orderBy('key').execute();
    return rows.map(toChatMessage);
  }

  /** Records (or corrects) the published form of a report. */
  async recordPublished(published: PublishedRecord): Promise<void> {
    const values = {
      report_id: published.reportId,
      published_at: toIso(published.publishedAt, 'publishedAt'),
      title: published.title,
      department_id: published.departmentId,
      category: published.category,
      summary: published.summary,
      url: published.url ?? null,
    };
    const { report_id: _reportId, ...changes } = values;
    try {
      await this.#db
        .insertInto('published')
        .values(values)
        .onConflict((oc) => oc.column('report_id').doUpdateSet(changes))
        .execute();
    } catch (error) {
      throw noReport(error, published.reportId, 'its publication');
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Reads for the dashboard, the CLI and the digest

  async getReport(id: string): Promise<Report | null> {
    const row = await this.#db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toReport(row) : null;
  }

  /** Reports matching every given filter, newest received first. */
  async listReports(filter: ReportFilter = {}): Promise<Report[]> {
    if (filter.status !== undefined && typeof filter.status !== 'string' && filter.status.length === 0) return [];
    let query = this.#db.selectFrom('reports').selectAll().where(this.#matching(filter));
    query = query.orderBy('received_at', 'desc').orderBy('id', 'desc');
    const limit = count(filter.limit, 'limit');
    const offset = count(filter.offset, 'offset');
    // SQLite allows OFFSET only after a LIMIT.
    if (limit !== undefined || offset !== undefined) query = query.limit(limit ?? Number.MAX_SAFE_INTEGER);
    if (offset !== undefined) query = query.offset(offset);
    return (await query.execute()).map(toReport);
  }

  /** How many reports match the filter (its limit and offset aside): for paging. */
  async countReports(filter: ReportFilter = {}): Promise<number> {
    if (filter.status !== undefined && typeof filter.status !== 'string' && filter.status.length === 0) return 0;
    const row = await this.#db.selectFrom('reports').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).where(this.#matching(filter)).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The filter's conditions (limit and offset aside). */
  #matching(filter: ReportFilter) {
    return (eb: ExpressionBuilder<Tables, 'reports'>) => {
      const all: Expression<SqlBool>[] = [];
      if (filter.department !== undefined) all.push(eb('department_id', '=', filter.department));
      if (filter.category !== undefined) all.push(eb('category', '=', filter.category));
      if (filter.status !== undefined) all.push(eb('status', 'in', typeof filter.status === 'string' ? [filter.status] : [...filter.status]));
      if (filter.late !== undefined) all.push(eb('timeliness', '=', filter.late ? 'late' : 'on_time'));
      if (filter.overdue !== undefined) all.push(eb('overdue', '=', this.#bool(filter.overdue)));
      if (filter.from !== undefined) all.push(eb('received_at', '>=', toIso(filter.from, 'from')));
      if (filter.to !== undefined) all.push(eb('received_at', '<', toIso(filter.to, 'to')));
      return eb.and(all);
    };
  }

  /** A report's events in the workflow's order. A row that cannot be read is left out and reported (onDamaged). */
  async timeline(reportId: string): Promise<ReportEvent[]> {
    const rows = await this.#db.selectFrom('report_events').selectAll().where('report_id', '=', reportId).orderBy('seq').execute();
    const events: ReportEvent[] = [];
    for (const row of rows) {
      try {
        events.push(toReportEvent(row));
      } catch (err) {
        this.#damaged(`${(err as Error).message} (left out; \`baosong reindex\` rebuilds it from Temporal)`);
      }
    }
    return events;
  }

  /** A report's stored events as they are, JSON unread (for `baosong reindex` to compare with the workflow's). */
  async storedEvents(reportId: string): Promise<Selectable<ReportEventsTable>[]> {
    return this.#db.selectFrom('report_events').selectAll().where('report_id', '=', reportId).orderBy('seq').execute();
  }

  /** Replaces a report's event at `seq` (or adds it), whatever is stored: `baosong reindex` putting Temporal's back. */
  async replaceEvent(event: ReportEventRecord): Promise<void> {
    await this.deleteEvent(event.reportId, event.seq);
    await this.appendEvent(event);
  }

  /** Removes a report's event at `seq`: `baosong reindex` removing one Temporal never had. */
  async deleteEvent(reportId: string, seq: number): Promise<void> {
    await this.#db.deleteFrom('report_events').where('report_id', '=', reportId).where('seq', '=', seq).execute();
  }

  /** Puts a report's row back as the workflow has it, whatever version is stored (`baosong reindex`). */
  async replaceReport(report: ReportRecord): Promise<void> {
    await this.recordReport(report, { whateverIsStored: true });
  }

  /** The mails sent about a report, oldest first. */
  async mailFor(reportId: string): Promise<SentMail[]> {
    const rows = await this.#db
      .selectFrom('sent_mail')
      .selectAll()
      .where('report_id', '=', reportId)
      .orderBy('created_at')
      .orderBy('message_id')
      .execute();
    return rows.map(toSentMail);
  }

  async attachmentsFor(reportId: string): Promise<Attachment[]> {
    const rows = await this.#db
      .selectFrom('attachments')
      .selectAll()
      .where('report_id', '=', reportId)
      .orderBy('filename')
      .orderBy('sha256')
      .execute();
    return rows.map((r) => ({
      reportId: r.report_id,
      sha256: r.sha256,
      filename: r.filename,
      contentType: r.content_type,
      size: r.size,
      storagePath: r.storage_path,
    }));
  }

  async getPublished(reportId: string): Promise<Published | null> {
    const row = await this.#db.selectFrom('published').selectAll().where('report_id', '=', reportId).executeTakeFirst();
    return row ? toPublished(row) : null;
  }

  // -------------------------------------------------------------------------------------------------
  // Expected reports (漏报 when they never come) and weekly digests

  /**
   * Inserts an expected report, or updates the one with this id (department, title, times, urgency,
   * source). Its status and report are only changed when the record names them.
   */
  async recordExpected(expected: ExpectedReportRecord): Promise<ExpectedReport> {
    const status = expected.status ?? 'waiting';
    checkExpectedStatus(status, expected.id);
    const createdAt = toIso(expected.createdAt, 'createdAt');
    const values = {
      id: expected.id,
      department_id: expected.departmentId,
      title: expected.title,
      event_end: toIso(expected.eventEnd, 'eventEnd'),
      urgency: expected.urgency,
      due_at: toIso(expected.dueAt, 'dueAt'),
      status,
      report_id: expected.reportId ?? null,
      source: expected.source,
      created_at: createdAt,
      updated_at: expected.updatedAt === undefined ? createdAt : toIso(expected.updatedAt, 'updatedAt'),
    };
    const changes = {
      department_id: values.department_id,
      title: values.title,
      event_end: values.event_end,
      urgency: values.urgency,
      due_at: values.due_at,
      source: values.source,
      updated_at: values.updated_at,
      ...(expected.status !== undefined ? { status } : {}),
      ...(expected.reportId !== undefined ? { report_id: values.report_id } : {}),
    };
    await this.#db
      .insertInto('expected_reports')
      .values(values)
      .onConflict((oc) => oc.column('id').doUpdateSet(changes))
      .execute();
    const row = await this.getExpected(expected.id);
    if (row === null) throw new DatabaseError('EDB_NOT_FOUND', `Expected report ${expected.id} vanished right after it was recorded.`);
    return row;
  }

  async getExpected(id: string): Promise<ExpectedReport | null> {
    const row = await this.#db.selectFrom('expected_reports').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toExpected(row) : null;
  }

  /** Expected reports matching every given filter, soonest due first. */
  async listExpected(filter: ExpectedFilter = {}): Promise<ExpectedReport[]> {
    let query = this.#db.selectFrom('expected_reports').selectAll();
    if (filter.department !== undefined) query = query.where('department_id', '=', filter.department);
    if (filter.status !== undefined) {
      const statuses: readonly ExpectedStatus[] = typeof filter.status === 'string' ? [filter.status] : filter.status;
      if (statuses.length === 0) return [];
      query = query.where('status', 'in', statuses);
    }
    if (filter.dueFrom !== undefined) query = query.where('due_at', '>=', toIso(filter.dueFrom, 'dueFrom'));
    if (filter.dueTo !== undefined) query = query.where('due_at', '<', toIso(filter.dueTo, 'dueTo'));
    const rows = await query.orderBy('due_at').orderBy('id').execute();
    return rows.map(toExpected);
  }

  /**
   * Sets what became of an expected report. Idempotent, and a report once linked stays linked: marking
   * 'missing' (or 'waiting') an expected report already satisfied by a report (on time or late) changes
   * nothing, so a due-time timer racing the report's arrival cannot undo it. A missing one that a report
   * later satisfies becomes 'late' with that report. Returns the stored row.
   */
  async markExpected(id: string, status: ExpectedStatus, reportId?: string | null, at: Instant = new Date()): Promise<ExpectedReport> {
    checkExpectedStatus(status, id);
    const linked = status === 'satisfied' || status === 'late';
    if (linked && !reportId) {
      throw new DatabaseError('EDB_INVALID', `markExpected ${id}: status ${status} needs the id of the report that satisfied it.`);
    }
    let query = this.#db
      .updateTable('expected_reports')
      .set({ status, report_id: linked ? (reportId ?? null) : null, updated_at: toIso(at, 'at') })
      .where('id', '=', id);
    if (!linked) query = query.where('status', 'not in', ['satisfied', 'late']);
    await query.execute();
    const row = await this.getExpected(id);
    if (row === null) throw new DatabaseError('EDB_NOT_FOUND', `markExpected: no expected report ${id} was recorded. Call recordExpected first.`);
    return row;
  }

  /** The calendar changed and the expected report planned its deadline again (workflows/expected.ts). */
  async moveExpectedDue(id: string, dueAt: Instant, at: Instant = new Date()): Promise<void> {
    await this.#db.updateTable('expected_reports').set({ due_at: toIso(dueAt, 'dueAt'), updated_at: toIso(at, 'at') }).where('id', '=', id).execute();
  }

  /** The digest of an ISO week (e.g. "2026-W48"), or null when none was computed. */
  async digestFor(week: string): Promise<DigestRecord | null> {
    const row = await this.#db.selectFrom('digests').selectAll().where('week', '=', week).executeTakeFirst();
    return row ? toDigest(row) : null;
  }

  /**
   * Keeps the figures of a week's digest the first time; later calls change nothing (the digest a week
   * sends is the one first computed). Returns the stored digest.
   */
  async recordDigest(digest: { week: string; computedAt: Instant; figures: unknown }): Promise<DigestRecord> {
    if (!/^\d{4}-W\d{2}$/.test(digest.week)) {
      throw new DatabaseError('EDB_INVALID', `recordDigest: week must look like 2026-W48, got ${JSON.stringify(digest.week)}.`);
    }
    await this.#db
      .insertInto('digests')
      .values({
        week: digest.week,
        computed_at: toIso(digest.computedAt, 'computedAt'),
        sent_at: null,
        message_ids: '[]',
        figures: JSON.stringify(digest.figures),
      })
      .onConflict((oc) => oc.column('week').doNothing())
      .execute();
    const row = await this.digestFor(digest.week);
    if (row === null) throw new DatabaseError('EDB_NOT_FOUND', `Digest ${digest.week} vanished right after it was recorded.`);
    return row;
  }

  /** The week's digest went out as these mails. A digest already marked sent keeps its first time and mails. */
  async markDigestSent(week: string, messageIds: readonly string[], at: Instant): Promise<DigestRecord> {
    await this.#db
      .updateTable('digests')
      .set({ sent_at: toIso(at, 'at'), message_ids: JSON.stringify(messageIds) })
      .where('week', '=', week)
      .where('sent_at', 'is', null)
      .execute();
    const row = await this.digestFor(week);
    if (row === null) throw new DatabaseError('EDB_NOT_FOUND', `markDigestSent: no digest for ${week} was recorded. Call recordDigest first.`);
    return row;
  }

  #bool(value: boolean): number | boolean {
    return this.#database.dialect === 'sqlite' ? (value ? 1 : 0) : value;
  }
}

/** A mail's first 'sending' row (recordFirstMailAttempt, recordMailSending). */
function sendingRow(mail: MailSendingRecord) {
  return { message_id: mail.messageId, report_id: mail.reportId ?? null, kind: mail.kind, to: JSON.stringify(mail.to), subject: mail.subject, status: 'sending', attempts: 1, created_at: toIso(mail.createdAt, 'createdAt'), sent_at: null, error: null };
}
