/**
 * 0001: the read model's first tables (reports, report_events, attachments, sent_mail, report numbers,
 * published) and the indexes the dashboard and the weekly digest query by.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../connect.js';

export function readModelMigration(dialect: Dialect): Migration {
  const timestamp = dialect === 'postgres' ? 'timestamptz' : 'text';
  const bool = dialect === 'postgres' ? 'boolean' : 'integer';
  const no = dialect === 'postgres' ? false : 0;

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('origin_ref', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('submitter_email', 'text', (c) => c.notNull())
        .addColumn('submitter_name', 'text')
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('event_time', timestamp, (c) => c.notNull())
        .addColumn('received_at', timestamp, (c) => c.notNull())
        .addColumn('due_at', timestamp, (c) => c.notNull())
        .addColumn('timeliness', 'text', (c) => c.notNull())
        .addColumn('review_due_at', timestamp)
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('current_step', 'integer')
        .addColumn('current_step_kind', 'text')
        .addColumn('holders', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('overdue', bool, (c) => c.notNull().defaultTo(no))
        .addColumn('returned_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('decided_at', timestamp)
        .addColumn('published_at', timestamp)
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reports_status').on('reports').column('status').execute();
      await db.schema.createIndex('reports_department_id').on('reports').columns(['department_id', 'received_at']).execute();
      await db.schema.createIndex('reports_received_at').on('reports').column('received_at').execute();
      await db.schema.createIndex('reports_category').on('reports').column('category').execute();

      await db.schema
        .createTable('report_events')
        .addColumn('id', 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', timestamp, (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor_email', 'text')
        .addColumn('actor_name', 'text')
        .addColumn('step', 'integer')
        .addColumn('evidence', 'text')
        .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
        .addUniqueConstraint('report_events_report_id_seq', ['report_id', 'seq'])
        .execute();
      // The digest counts events of a kind in a week (late, sent back, overdue, …).
      await db.schema.createIndex('report_events_type_at').on('report_events').columns(['type', 'at']).execute();

      await db.schema
        .createTable('attachments')
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('storage_path', 'text', (c) => c.notNull())
        .addUniqueConstraint('attachments_report_id_sha256_filename', ['report_id', 'sha256', 'filename'])
        .execute();

      await db.schema
        .createTable('sent_mail')
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('report_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('to', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('sent_at', timestamp)
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('sent_mail_report_id').on('sent_mail').column('report_id').execute();
      await db.schema.createIndex('sent_mail_status').on('sent_mail').column('status').execute();

      await db.schema
        .createTable('report_numbers')
        .addColumn('year', 'integer', (c) => c.primaryKey())
        .addColumn('last_sequence', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('report_number_allocations')
        .addColumn('origin_key', 'text', (c) => c.primaryKey())
        .addColumn('report_id', 'text', (c) => c.notNull().unique())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('allocated_at', timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('published')
        .addColumn('report_id', 'text', (c) => c.primaryKey().references('reports.id'))
        .addColumn('published_at', timestamp, (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .execute();
      await db.schema.createIndex('published_published_at').on('published').column('published_at').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['published', 'report_number_allocations', 'report_numbers', 'sent_mail', 'attachments', 'report_events', 'reports']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
