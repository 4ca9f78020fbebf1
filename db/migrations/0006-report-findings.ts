/**
 * 0006: what 稿件体检 found in each version of a report, as it was submitted (round 1) and as each revision
 * was sent (later rounds). Pages and mails check the text as it reads now; these rows keep what was found at
 * the time, so the digest can say which 错报 recur, by department, even after they were corrected.
 * One row per report, round and code (how many places it was found). Times are epoch milliseconds.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../connect.js';

export function reportFindingsMigration(dialect: Dialect): Migration {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('report_findings')
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        // error | warn
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('places', 'integer', (c) => c.notNull())
        .addColumn('found_at_ms', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('report_findings_pk', ['report_id', 'round', 'code'])
        .execute();
      await db.schema.createIndex('report_findings_found').on('report_findings').columns(['found_at_ms']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('report_findings').execute();
    },
  };
}
