/**
 * 0002: expected reports (the office expects a department to report on an event; missing = 漏报 when it
 * never comes) and weekly digests (one row per ISO week: the figures computed and whether it was sent).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../connect.js';

export function expectedAndDigestsMigration(dialect: Dialect): Migration {
  const timestamp = dialect === 'postgres' ? 'timestamptz' : 'text';

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('expected_reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('event_end', timestamp, (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('due_at', timestamp, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('expected_reports_due_at').on('expected_reports').column('due_at').execute();
      await db.schema.createIndex('expected_reports_department_id').on('expected_reports').columns(['department_id', 'due_at']).execute();

      await db.schema
        .createTable('digests')
        .addColumn('week', 'text', (c) => c.primaryKey())
        .addColumn('computed_at', timestamp, (c) => c.notNull())
        .addColumn('sent_at', timestamp)
        .addColumn('message_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('figures', 'text', (c) => c.notNull())
        .execute();

      // The digest's time-to-decision query (reports decided in a week).
      await db.schema.createIndex('reports_decided_at').on('reports').column('decided_at').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('reports_decided_at').execute();
      await db.schema.dropTable('digests').execute();
      await db.schema.dropTable('expected_reports').execute();
    },
  };
}
