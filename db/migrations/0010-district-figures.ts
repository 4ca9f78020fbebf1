/**
 * 0010: indexes that hold everything the district's figures count (digest/district-figures.ts), so the bureau's
 * page and digest read only indexes, not every report row of the week. Measured on a week of 200 schools' 35,000
 * reports on PostgreSQL: the grouped counts read 35,000 rows of ~1 KB from the tables, 12× one indexed count over
 * the same week; from these indexes 5.4× (bench:district: 23.97× before, 6.11× after; NOTES.md, issue 25).
 *
 * Ordered by time first: the figures ask for one period across every school. A school's own pages keep using
 * `reports_school_received_at` (0009), and range-only reads keep the narrower `reports_received_at`.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export function districtFiguresMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('reports_received_counts').on('reports').columns(['received_at', 'school_id', 'timeliness', 'returned_count']).execute();
      await db.schema.createIndex('published_at_school').on('published').columns(['published_at', 'school_id']).execute();
      await db.schema.createIndex('expected_reports_status_due_school').on('expected_reports').columns(['status', 'due_at', 'school_id']).execute();
      // report_uses had no index on its date at all: every figure of uses read the whole table.
      await db.schema.createIndex('report_uses_used_on_school').on('report_uses').columns(['used_on', 'school_id', 'level']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const name of ['reports_received_counts', 'published_at_school', 'expected_reports_status_due_school', 'report_uses_used_on_school']) await db.schema.dropIndex(name).execute();
    },
  };
}
