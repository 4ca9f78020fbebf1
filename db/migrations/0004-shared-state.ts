/**
 * 0004: state the web processes share, so that several `baosong web` behind one address behave as one
 * and a restart signs no one out: office sessions (by the SHA-256 of the cookie, never the cookie itself),
 * sign-in nonces already used, and the rate-limit counters. Times are epoch milliseconds (bigint), which
 * compare the same on both dialects and need no time-zone care.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../connect.js';

export function sharedStateMigration(dialect: Dialect): Migration {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('web_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', ms, (c) => c.notNull())
        .addColumn('expires_at_ms', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('web_sessions_expires_at_ms').on('web_sessions').column('expires_at_ms').execute();

      await db.schema
        .createTable('used_nonces')
        .addColumn('nonce', 'text', (c) => c.primaryKey())
        .addColumn('expires_at_ms', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('used_nonces_expires_at_ms').on('used_nonces').column('expires_at_ms').execute();

      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('resets_at_ms', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rate_limits_resets_at_ms').on('rate_limits').column('resets_at_ms').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['rate_limits', 'used_nonces', 'web_sessions']) await db.schema.dropTable(table).execute();
    },
  };
}
