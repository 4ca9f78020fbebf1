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
import { migrateToLatest, openDatabase, ReadModel, type Database, type Dialect } from '../../db/index.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export interface Fresh {
  database: Database;
  /** Opens another handle (another pool, another SQLite connection) on the same database. */
  reopen: () => Promise<Database>;
}

export interface Backend {
  /** A fresh, empty database of this dialect (closed after the test). */
  open(): Promise<Database>;
  /** Like open(), and a way to open the same database again. */
  fresh(): Promise<Fresh>;
  /** A fresh database, migrated, behind a ReadModel. */
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
    async fresh() {
      const options = dialect === 'postgres' ? { url: await backend.postgres().createDatabase() } : { file: backend.sqliteFile() };
      const reopen = async (): Promise<Database> => {
        const database = await openDatabase(options);
        opened.push(database);
        return database;
      };
      return { database: await reopen(), reopen };
    },
    async readModel() {
      const database = await backend.open();
      await migrateToLatest(database);
      return new ReadModel(database);
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
