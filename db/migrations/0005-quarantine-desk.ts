/**
 * 0005: the office's desk for mail that did not become a report or an action (待处理邮件). Every mail the
 * intake puts in the IMAP quarantine folder gets a row: who sent it, when it arrived, why it was kept
 * aside, a short preview and where its bytes are stored (a content-addressed file under the data
 * directory, never a Temporal payload). The office decides each one once: received as a report, its
 * address added as an alias of a person, or ignored. Aliases added that way live here too, and every
 * decision goes to `office_audit`. Times are epoch milliseconds, as in 0004.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../connect.js';

export function quarantineDeskMigration(dialect: Dialect): Migration {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  const id = dialect === 'postgres' ? 'bigserial' : 'integer';

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('quarantined_mail')
        // SHA-256 of the mail's origin (its Message-ID, else its bytes): the same mail handled again is the same row.
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('origin_ref', 'text', (c) => c.notNull())
        .addColumn('from_address', 'text')
        .addColumn('from_name', 'text')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('received_at_ms', ms, (c) => c.notNull())
        .addColumn('reason_code', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('preview', 'text', (c) => c.notNull())
        .addColumn('raw_sha256', 'text')
        .addColumn('raw_size', 'integer', (c) => c.notNull())
        // pending | accepted | aliased | ignored
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('resolved_by', 'text')
        .addColumn('resolved_at_ms', ms)
        .addColumn('report_id', 'text')
        .addColumn('created_at_ms', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('quarantined_mail_status').on('quarantined_mail').columns(['status', 'received_at_ms']).execute();

      await db.schema
        .createTable('sender_aliases')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('person_email', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addColumn('added_at_ms', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('office_audit')
        .addColumn('id', id, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('at_ms', ms, (c) => c.notNull())
        .addColumn('actor_email', 'text', (c) => c.notNull())
        .addColumn('actor_name', 'text', (c) => c.notNull())
        // quarantine.accept | quarantine.alias | quarantine.ignore | report.withdraw | report.reassign | report.remind | …
        .addColumn('action', 'text', (c) => c.notNull())
        // what it was done to: a quarantined mail's id or a report number
        .addColumn('subject', 'text', (c) => c.notNull())
        // JSON object
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('office_audit_subject').on('office_audit').columns(['subject', 'at_ms']).execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['office_audit', 'sender_aliases', 'quarantined_mail']) await db.schema.dropTable(table).execute();
    },
  };
}
