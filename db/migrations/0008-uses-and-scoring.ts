/**
 * 0008 (issue 20): what 考核 is computed from.
 * - `report_uses`: where each piece was used (录用) — an outlet, its level and kind, the date, the URL or issue.
 *   One row per report, outlet and reference, so a forwarded 采用通知 or a bulk import read twice adds nothing.
 * - `report_pieces`: a report's length (characters, no spaces) as last submitted, and the office's 简讯/详讯
 *   when it overrides the guess from that length.
 * - `concealed_incidents`: 瞒报 the office records (an incident the department did not report).
 * - `channel_drafts`: a draft a channel holds for a report (the 公众号 draft box): its id, so a retried activity
 *   makes no second draft, and the last failure in words for the office.
 * Totals are never stored: the ranking is recomputed from these rows and the reports.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../connect.js';

export function usesAndScoringMigration(dialect: Dialect): Migration {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('report_uses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('outlet', 'text', (c) => c.notNull())
        // 校级 | 县区级 | 市级 | 省级 | 国家级
        .addColumn('level', 'text', (c) => c.notNull())
        // 网站 | 简报 | 报刊 | 电视 | 公众号 | …
        .addColumn('kind', 'text', (c) => c.notNull())
        // YYYY-MM-DD, the school's local date
        .addColumn('used_on', 'text', (c) => c.notNull())
        // the URL or the issue number ('' when none)
        .addColumn('ref', 'text', (c) => c.notNull())
        // office | mail | import | channel | cli
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('recorded_by_email', 'text', (c) => c.notNull())
        .addColumn('recorded_by_name', 'text', (c) => c.notNull())
        .addColumn('recorded_at_ms', ms, (c) => c.notNull())
        .addUniqueConstraint('report_uses_once', ['report_id', 'outlet', 'ref'])
        .execute();
      await db.schema.createIndex('report_uses_report').on('report_uses').columns(['report_id']).execute();
      await db.schema
        .createTable('report_pieces')
        .addColumn('report_id', 'text', (c) => c.primaryKey())
        .addColumn('chars', 'integer', (c) => c.notNull())
        // 简讯 | 详讯 when the office set it; null: guessed from chars
        .addColumn('size', 'text')
        .addColumn('size_set_by', 'text')
        .addColumn('updated_at_ms', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('concealed_incidents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('incident', 'text', (c) => c.notNull())
        // YYYY-MM-DD
        .addColumn('occurred_on', 'text', (c) => c.notNull())
        .addColumn('recorded_by_email', 'text', (c) => c.notNull())
        .addColumn('recorded_by_name', 'text', (c) => c.notNull())
        .addColumn('recorded_at_ms', ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('channel_drafts')
        .addColumn('report_id', 'text', (c) => c.notNull())
        // wechat_mp
        .addColumn('channel', 'text', (c) => c.notNull())
        // draft | failed
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('media_id', 'text')
        .addColumn('error', 'text')
        .addColumn('updated_at_ms', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('channel_drafts_pk', ['report_id', 'channel'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('channel_drafts').execute();
      await db.schema.dropTable('concealed_incidents').execute();
      await db.schema.dropTable('report_pieces').execute();
      await db.schema.dropTable('report_uses').execute();
    },
  };
}
