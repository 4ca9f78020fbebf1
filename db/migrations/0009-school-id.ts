/**
 * 0009 (issue 25): the school in every row of a school's data, leading every key (docs/district.md). A district's
 * schools share one database; report numbers, weeks and years restart per school, so `R-2026-0042` is a key only
 * with its school. A one-school deployment is the school '' (the column's default): its rows mean what they meant.
 *
 * - PostgreSQL (what a district runs on): each primary key and unique constraint of these tables is replaced by
 *   the same with `school_id` first, and the two foreign keys to `reports` become (school_id, report_id).
 *   Identity ids (report_events, office_audit) stay keys on their own.
 * - SQLite (one school, one machine): the column, and a unique index with `school_id` first beside each key (what
 *   `ON CONFLICT (school_id, …)` needs). The old keys stay: SQLite cannot change a primary key without copying
 *   the table, and one school never needs two rows with one id. A district on SQLite is refused by its loader.
 *
 * worker_beats is the deployment's, not a school's: no column.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../connect.js';

/** Each table of a school's data, with the keys its writes conflict on (the first is its primary key, if any). */
export const SCHOOL_TABLES: Record<string, string[][]> = {
  reports: [['id'], ['workflow_id']],
  report_events: [['report_id', 'seq']],
  attachments: [['report_id', 'sha256', 'filename']],
  sent_mail: [['message_id']],
  report_numbers: [['year']],
  report_number_allocations: [['origin_key'], ['report_id']],
  published: [['report_id']],
  expected_reports: [['id']],
  digests: [['week']],
  chat_messages: [['key']],
  web_sessions: [['id_hash']],
  used_nonces: [['nonce']],
  rate_limits: [['key']],
  quarantined_mail: [['id']],
  sender_aliases: [['address']],
  office_audit: [],
  report_findings: [['report_id', 'round', 'code']],
  report_uses: [['id'], ['report_id', 'outlet', 'ref']],
  report_pieces: [['report_id']],
  concealed_incidents: [['id']],
  channel_drafts: [['report_id', 'channel']],
};

/** Tables whose own identity column is their primary key: it stays one. */
const IDENTITY_KEYED = new Set(['report_events', 'office_audit']);

export function schoolIdMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Kysely runs SQLite's migrations outside a transaction; this one's twenty-odd steps must all happen or none
      // (a restart half-way would leave "duplicate column school_id" for ever). SQLite's DDL is transactional.
      if (dialect === 'sqlite') await db.transaction().execute((trx) => addSchoolId(trx, dialect));
      else await addSchoolId(db, dialect);
    },
  };
}

async function addSchoolId(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  for (const table of Object.keys(SCHOOL_TABLES)) {
    await db.schema
      .alterTable(table)
      .addColumn('school_id', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  }
  if (dialect === 'sqlite') {
    await rekeyReportNumbersSqlite(db);
    for (const [table, keys] of Object.entries(SCHOOL_TABLES)) {
      if (table === 'report_numbers') continue;
      for (const [i, key] of keys.entries()) {
        await db.schema.createIndex(`${table}_school_key${i}`).on(table).columns(['school_id', ...key]).unique().execute();
      }
    }
  } else {
    await rekeyPostgres(db);
  }
  // What a school's pages and the district's figures ask most: a school's reports by time.
  await db.schema.createIndex('reports_school_received_at').on('reports').columns(['school_id', 'received_at']).execute();
  await db.schema.createIndex('expected_reports_school_due_at').on('expected_reports').columns(['school_id', 'due_at']).execute();
}

/**
 * SQLite cannot take `ON CONFLICT (school_id, year)` from an index over an INTEGER PRIMARY KEY (the rowid: `year`
 * here), so this small table is copied into one keyed by both.
 */
async function rekeyReportNumbersSqlite(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_numbers_by_school')
    .addColumn('school_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last_sequence', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_numbers_pk', ['school_id', 'year'])
    .execute();
  await sql`insert into report_numbers_by_school (school_id, year, last_sequence) select school_id, year, last_sequence from report_numbers`.execute(db);
  await db.schema.dropTable('report_numbers').execute();
  await db.schema.alterTable('report_numbers_by_school').renameTo('report_numbers').execute();
}

async function rekeyPostgres(db: Kysely<unknown>): Promise<void> {
  const tables = Object.keys(SCHOOL_TABLES);
  // The constraints as they are, whatever their names (0001–0008 let PostgreSQL name most of them).
  const { rows } = await sql<{ table: string; name: string; type: 'p' | 'u' | 'f'; columns: string[] }>`
    select c.conrelid::regclass::text as "table", c.conname as name, c.contype as type,
           array(select a.attname from unnest(c.conkey) with ordinality k(n, i)
                 join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i)::text[] as columns
    from pg_constraint c
    where c.contype in ('p', 'u', 'f') and c.conrelid::regclass::text = any(${tables})
  `.execute(db);
  const q = (name: string) => sql.id(name);
  // Foreign keys first: they depend on the keys being replaced.
  for (const c of rows.filter((r) => r.type === 'f')) await sql`alter table ${q(c.table)} drop constraint ${q(c.name)}`.execute(db);
  for (const c of rows.filter((r) => r.type !== 'f')) {
    if (IDENTITY_KEYED.has(c.table) && c.type === 'p') continue;
    await sql`alter table ${q(c.table)} drop constraint ${q(c.name)}`.execute(db);
    const columns = sql.join(['school_id', ...c.columns].map(q));
    await (c.type === 'p' ? sql`alter table ${q(c.table)} add primary key (${columns})` : sql`alter table ${q(c.table)} add unique (${columns})`).execute(db);
  }
  for (const table of ['report_events', 'published']) {
    await sql`alter table ${q(table)} add foreign key (school_id, report_id) references reports (school_id, id)`.execute(db);
  }
}
