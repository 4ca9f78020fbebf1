import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { migrateToLatest, ReadModel, type Database } from '../../db/index.js';
import { DIALECTS, useBackend } from './harness.js';

const TABLES = ['attachments', 'baosong_migration', 'baosong_migration_lock', 'channel_drafts', 'chat_messages', 'concealed_incidents', 'digests', 'expected_reports', 'office_audit', 'published', 'quarantined_mail', 'rate_limits', 'report_events', 'report_findings', 'report_number_allocations', 'report_numbers', 'report_pieces', 'report_uses', 'reports', 'sender_aliases', 'sent_mail', 'used_nonces', 'web_sessions', 'worker_beats'];

async function tableNames(database: Database): Promise<string[]> {
  const tables = await database.db.introspection.getTables();
  return tables.map((t) => t.name).sort();
}

async function indexNames(database: Database): Promise<string[]> {
  const query =
    database.dialect === 'postgres'
      ? sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = 'public'`
      : sql<{ name: string }>`select name from sqlite_master where type = 'index'`;
  return (await query.execute(database.db)).rows.map((r) => r.name);
}

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  const backend = useBackend(dialect);

  test('the first run creates the tables and indexes; a second run changes nothing and keeps the data', async () => {
    const database = await backend.open();
    expect(await tableNames(database)).toEqual([]);

    expect(await migrateToLatest(database)).toEqual({ applied: ['0001-read-model', '0002-expected-and-digests', '0003-chat-messages', '0004-shared-state', '0005-quarantine-desk', '0006-report-findings', '0007-worker-beats', '0008-uses-and-scoring', '0009-school-id', '0010-district-figures'] });
    expect(await tableNames(database)).toEqual(TABLES);
    expect(await indexNames(database)).toEqual(
      expect.arrayContaining(['reports_status', 'reports_department_id', 'reports_received_at', 'reports_category', 'report_events_type_at', 'expected_reports_due_at', 'expected_reports_department_id']),
    );

    const readModel = new ReadModel(database);
    const number = await readModel.allocateReportNumber('mail:<a@x>', 2026);

    expect(await migrateToLatest(database)).toEqual({ applied: [] });
    expect(await tableNames(database)).toEqual(TABLES);
    expect(await readModel.allocateReportNumber('mail:<a@x>', 2026)).toBe(number);
    expect(await readModel.allocateReportNumber('mail:<b@x>', 2026)).toBe('R-2026-0002');
  });

  test('a database migrated by another process is left as it is', async () => {
    const { database, reopen } = await backend.fresh();
    await migrateToLatest(database);
    await new ReadModel(database).allocateReportNumber('mail:<a@x>', 2026);
    const other = await reopen();
    expect(await migrateToLatest(other)).toEqual({ applied: [] });
    expect(await new ReadModel(other).allocateReportNumber('mail:<b@x>', 2026)).toBe('R-2026-0002');
  });

  // Kysely's migration lock is a table lock on PostgreSQL; SQLite has one writer per process anyway.
  if (dialect === 'postgres') {
    test('two processes migrating at once both finish, and the schema is made once', async () => {
      const { database, reopen } = await backend.fresh();
      const other = await reopen();
      const results = await Promise.all([migrateToLatest(database), migrateToLatest(other)]);
      expect(results.map((r) => r.applied).flat()).toEqual(['0001-read-model', '0002-expected-and-digests', '0003-chat-messages', '0004-shared-state', '0005-quarantine-desk', '0006-report-findings', '0007-worker-beats', '0008-uses-and-scoring', '0009-school-id', '0010-district-figures']);
      expect(await tableNames(database)).toEqual(TABLES);
    });
  }
});
