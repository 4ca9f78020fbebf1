// Runs a suite against both dialects: a SQLite file in a temp directory and a real PostgreSQL.
//
//   describe.each(DIALECTS)('%s', (dialect) => {
//     const backend = useBackend(dialect);
//     test('…', async () => { const readModel = await backend.readModel(); … });
//   });
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, ReadModel, type Database, type Dialect, type OpenDatabaseOptions, type Tables } from '../../db/index.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

const READ_MODEL_TABLES: readonly (keyof Tables)[] = [
  'reports',
  'report_events',
  'attachments',
  'sent_mail',
  'report_numbers',
  'report_number_allocations',
  'published',
  'expected_reports',
  'digests',
  'web_sessions',
  'used_nonces',
  'rate_limits',
  'report_uses',
  'report_pieces',
  'concealed_incidents',
  'channel_drafts',
];

async function createMigrated(server: PostgresServer): Promise<string> {
  const url = await server.createDatabase('read_model');
  const database = await openDatabase({ url });
  try {
    await migrateToLatest(database);
  } finally {
    await database.close();
  }
  return url;
}

export interface Fresh {
  database: Database;
  /** Opens another handle (another pool, another SQLite connection) on the same database. */
  reopen: () => Promise<Database>;
}

export interface Backend {
  /** A fresh, empty database of this dialect (closed after the test). */
  open(): Promise<Database>;
  /**
   * Like open(), and a way to open the same database again. With `migrated`, the database has the
   * current schema and no rows (on PostgreSQL: one database per suite, emptied for each test, because
   * CREATE DATABASE takes half a second).
   */
  fresh(options?: { migrated?: boolean }): Promise<Fresh>;
  /** An empty, migrated database behind a ReadModel. */
  readModel(): Promise<ReadModel>;
  /** PostgreSQL only: the server. */
  postgres(): PostgresServer;
  /** SQLite only: a path for a new database file. */
  sqliteFile(name?: string): string;
}

export function useBackend(dialect: Dialect): Backend {
  let server: PostgresServer | undefined;
  let dir = '';
  let files = 0;
  let migratedUrl: string | undefined;
  const opened: Database[] = [];

  beforeAll(async () => {
    if (dialect === 'postgres') server = await startPostgres();
    else dir = mkdtempSync(join(tmpdir(), 'baosong-db-test-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const backend: Backend = {
    async open() {
      return (await backend.fresh()).database;
    },
    async fresh({ migrated = false } = {}) {
      let options: OpenDatabaseOptions;
      if (dialect === 'sqlite') options = { file: backend.sqliteFile() };
      else if (!migrated) options = { url: await backend.postgres().createDatabase() };
      else {
        migratedUrl ??= await createMigrated(backend.postgres());
        options = { url: migratedUrl };
      }
      const reopen = async (): Promise<Database> => {
        const database = await openDatabase(options);
        opened.push(database);
        return database;
      };
      const database = await reopen();
      if (migrated && dialect === 'sqlite') await migrateToLatest(database);
      if (migrated && dialect === 'postgres') await sql`truncate table ${sql.join(READ_MODEL_TABLES.map((t) => sql.table(t)))} restart identity cascade`.execute(database.db);
      return { database, reopen };
    },
    async readModel() {
      return new ReadModel((await backend.fresh({ migrated: true })).database);
    },
    postgres() {
      if (!server) throw new Error('no PostgreSQL server in this suite');
      return server;
    },
    sqliteFile(name) {
      files += 1;
      return join(dir, name ?? `read-model-${files}.db`);
    },
  };
  return backend;
}
