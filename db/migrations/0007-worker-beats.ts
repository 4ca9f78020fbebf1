/**
 * 0007: each worker's heartbeat, so any process (the one serving /healthz, another machine's intake) can
 * tell whether reports are moving: when the worker last wrote, when it last finished an activity, its polls
 * and tasks in flight. One row per worker (its identity), overwritten every few seconds. Epoch milliseconds.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../connect.js';

export function workerBeatsMigration(dialect: Dialect): Migration {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('worker_beats')
        .addColumn('worker_id', 'text', (c) => c.primaryKey())
        .addColumn('beat_at_ms', ms, (c) => c.notNull())
        .addColumn('started_at_ms', ms, (c) => c.notNull())
        .addColumn('last_activity_ms', ms)
        .addColumn('activities_completed', ms, (c) => c.notNull())
        // JSON: the SDK's worker status (run state, pollers, polls outstanding, tasks in flight)
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('worker_beats').execute();
    },
  };
}
