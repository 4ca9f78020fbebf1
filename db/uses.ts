/**
 * 录用 and the other facts 考核 is computed from (migration 0008): where each piece was used, its size
 * (简讯/详讯) and the 瞒报 the office records. Writes are idempotent: a use is one row per report, outlet and
 * reference, so a mail forwarded twice or a spreadsheet imported twice records it once.
 */
import { createHash } from 'node:crypto';
import type { Database } from './connect.js';
import { DatabaseError } from './errors.js';
import type { PieceSize, UseLevel } from '../domain/scoring.js';

export type UseSource = 'office' | 'mail' | 'import' | 'channel' | 'cli';

export interface UseRecord {
  reportId: string;
  outlet: string;
  level: UseLevel;
  kind: string;
  /** YYYY-MM-DD, the school's local date. */
  usedOn: string;
  /** The URL or the issue number; '' when none. */
  ref: string;
  source: UseSource;
  recordedBy: { name: string; email: string };
  recordedAt: Date;
}

export interface Use extends UseRecord {
  id: string;
}

export interface ConcealedRecord {
  departmentId: string;
  incident: string;
  /** YYYY-MM-DD */
  occurredOn: string;
  recordedBy: { name: string; email: string };
  recordedAt: Date;
}

export interface Concealed extends ConcealedRecord {
  id: string;
}

export interface PieceFacts {
  reportId: string;
  chars: number;
  /** Set by the office; null when guessed from `chars`. */
  size: PieceSize | null;
}

const norm = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ');
/** The same outlet and reference, however it was typed, is the same use. */
export const useId = (reportId: string, outlet: string, ref: string) =>
  createHash('sha256').update(`${reportId}\n${norm(outlet)}\n${norm(ref).replace(/\/+$/, '')}`).digest('hex').slice(0, 24);

export class ReportUses {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Records a use; false when the same use (report, outlet, reference) is already recorded. */
  async add(use: UseRecord): Promise<{ id: string; added: boolean }> {
    const id = useId(use.reportId, use.outlet, use.ref);
    const inserted = await this.#database.db
      .insertInto('report_uses')
      .values({
        id,
        report_id: use.reportId,
        outlet: norm(use.outlet),
        level: use.level,
        kind: norm(use.kind),
        used_on: use.usedOn,
        ref: norm(use.ref),
        source: use.source,
        recorded_by_email: use.recordedBy.email.toLowerCase(),
        recorded_by_name: use.recordedBy.name,
        recorded_at_ms: use.recordedAt.getTime(),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    return { id, added: inserted !== undefined };
  }

  async remove(id: string): Promise<Use | null> {
    const row = await this.#database.db.selectFrom('report_uses').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    await this.#database.db.deleteFrom('report_uses').where('id', '=', id).execute();
    return toUse(row);
  }

  async usesOf(reportIds: readonly string[]): Promise<Use[]> {
    const rows: Use[] = [];
    // IN lists stay well under SQLite's and PostgreSQL's parameter limits.
    for (let i = 0; i < reportIds.length; i += 500) {
      const part = reportIds.slice(i, i + 500);
      if (part.length === 0) continue;
      const found = await this.#database.db.selectFrom('report_uses').selectAll().where('report_id', 'in', part).orderBy('used_on').orderBy('recorded_at_ms').execute();
      rows.push(...found.map(toUse));
    }
    return rows;
  }

  /** The length of a report's text as last submitted (the record activity writes it on receipt and revision). */
  async recordChars(reportId: string, chars: number, at: Date): Promise<void> {
    await this.#database.db
      .insertInto('report_pieces')
      .values({ report_id: reportId, chars, size: null, size_set_by: null, updated_at_ms: at.getTime() })
      .onConflict((oc) => oc.column('report_id').doUpdateSet({ chars, updated_at_ms: at.getTime() }))
      .execute();
  }

  /** The office's 简讯/详讯 (null: back to the guess). */
  async setSize(reportId: string, size: PieceSize | null, by: string, at: Date): Promise<void> {
    await this.#database.db
      .insertInto('report_pieces')
      .values({ report_id: reportId, chars: 0, size, size_set_by: size ? by : null, updated_at_ms: at.getTime() })
      .onConflict((oc) => oc.column('report_id').doUpdateSet({ size, size_set_by: size ? by : null, updated_at_ms: at.getTime() }))
      .execute();
  }

  async pieces(reportIds: readonly string[]): Promise<Map<string, PieceFacts>> {
    const found = new Map<string, PieceFacts>();
    for (let i = 0; i < reportIds.length; i += 500) {
      const part = reportIds.slice(i, i + 500);
      if (part.length === 0) continue;
      for (const r of await this.#database.db.selectFrom('report_pieces').selectAll().where('report_id', 'in', part).execute()) {
        found.set(r.report_id, { reportId: r.report_id, chars: r.chars, size: r.size === '简讯' || r.size === '详讯' ? r.size : null });
      }
    }
    return found;
  }

  async addConcealed(record: ConcealedRecord): Promise<Concealed> {
    if (!norm(record.incident)) throw new DatabaseError('EDB_INVALID', 'A 瞒报 record needs the incident in words.');
    const id = createHash('sha256').update(`${record.departmentId}\n${record.occurredOn}\n${norm(record.incident)}`).digest('hex').slice(0, 24);
    await this.#database.db
      .insertInto('concealed_incidents')
      .values({
        id,
        department_id: record.departmentId,
        incident: norm(record.incident),
        occurred_on: record.occurredOn,
        recorded_by_email: record.recordedBy.email.toLowerCase(),
        recorded_by_name: record.recordedBy.name,
        recorded_at_ms: record.recordedAt.getTime(),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return { ...record, incident: norm(record.incident), id };
  }

  async removeConcealed(id: string): Promise<boolean> {
    const r = await this.#database.db.deleteFrom('concealed_incidents').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** 瞒报 that happened between the two local dates (both included). */
  async concealedBetween(from: string, to: string): Promise<Concealed[]> {
    const rows = await this.#database.db.selectFrom('concealed_incidents').selectAll().where('occurred_on', '>=', from).where('occurred_on', '<=', to).orderBy('occurred_on').execute();
    return rows.map((r) => ({
      id: r.id,
      departmentId: r.department_id,
      incident: r.incident,
      occurredOn: r.occurred_on,
      recordedBy: { name: r.recorded_by_name, email: r.recorded_by_email },
      recordedAt: new Date(Number(r.recorded_at_ms)),
    }));
  }
}

function toUse(r: { id: string; report_id: string; outlet: string; level: string; kind: string; used_on: string; ref: string; source: string; recorded_by_email: string; recorded_by_name: string; recorded_at_ms: number | string }): Use {
  return {
    id: r.id,
    reportId: r.report_id,
    outlet: r.outlet,
    level: r.level as UseLevel,
    kind: r.kind,
    usedOn: r.used_on,
    ref: r.ref,
    source: r.source as UseSource,
    recordedBy: { name: r.recorded_by_name, email: r.recorded_by_email },
    recordedAt: new Date(Number(r.recorded_at_ms)),
  };
}

/** What a channel holds for a report: the 公众号 draft's media_id, or why it failed. */
export interface ChannelDraft {
  reportId: string;
  channel: string;
  state: 'draft' | 'failed';
  mediaId: string | null;
  error: string | null;
  updatedAt: Date;
}

export class ChannelDrafts {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  async get(reportId: string, channel: string): Promise<ChannelDraft | null> {
    const r = await this.#database.db.selectFrom('channel_drafts').selectAll().where('report_id', '=', reportId).where('channel', '=', channel).executeTakeFirst();
    return r ? { reportId: r.report_id, channel: r.channel, state: r.state === 'failed' ? 'failed' : 'draft', mediaId: r.media_id, error: r.error, updatedAt: new Date(Number(r.updated_at_ms)) } : null;
  }

  async set(draft: Omit<ChannelDraft, 'updatedAt'>, at = new Date()): Promise<void> {
    const values = { report_id: draft.reportId, channel: draft.channel, state: draft.state, media_id: draft.mediaId, error: draft.error, updated_at_ms: at.getTime() };
    // A failure never overwrites a draft that was made (a late retry's error says nothing about it).
    await this.#database.db
      .insertInto('channel_drafts')
      .values(values)
      .onConflict((oc) => {
        const update = oc.columns(['report_id', 'channel']).doUpdateSet({ state: values.state, media_id: values.media_id, error: values.error, updated_at_ms: values.updated_at_ms });
        return draft.state === 'failed' ? update.where('channel_drafts.state', '=', 'failed') : update;
      })
      .execute();
  }
}
