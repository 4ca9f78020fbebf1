import { writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { migrateToLatest, openDatabase, ReadModel } from '../../db/index.js';
import { useBackend } from './harness.js';
import { freePort } from '../support/ports.js';

describe('openDatabase options', () => {
  test('without a file or a URL it says what to set', async () => {
    await expect(openDatabase({})).rejects.toMatchObject({ code: 'EDB_CONFIG', message: expect.stringContaining('DATABASE_URL') });
    await expect(openDatabase({ file: '  ', url: '' })).rejects.toMatchObject({ code: 'EDB_CONFIG' });
  });

  test('a URL of another database is refused without showing its password', async () => {
    const error = await openDatabase({ url: 'mysql://baosong:s3cret@db.school.example/baosong' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EDB_CONFIG', message: expect.stringContaining('postgres://') });
    expect(String((error as Error).message)).not.toContain('s3cret');
  });
});

describe('openDatabase on SQLite', () => {
  const backend = useBackend('sqlite');

  test('a file database uses WAL, enforces foreign keys, waits when locked and keeps a 2 MB page cache', async () => {
    const database = await openDatabase({ file: backend.sqliteFile() });
    try {
      expect(database.dialect).toBe('sqlite');
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
      const foreignKeys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(database.db);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(database.db);
      expect(journal.rows).toEqual([{ journal_mode: 'wal' }]);
      expect(foreignKeys.rows).toEqual([{ foreign_keys: 1 }]);
      expect(busy.rows).toEqual([{ timeout: 5000 }]);
      // better-sqlite3's build would keep 16 MB per connection (issue 26: the worker's memory).
      const cache = await sql<{ cache_size: number }>`pragma cache_size`.execute(database.db);
      expect(cache.rows).toEqual([{ cache_size: -2000 }]);
    } finally {
      await database.close();
      await database.close(); // closing twice is fine
    }
  });

  test('opening a file twice in one process shares its connection, until both handles are closed', async () => {
    const file = backend.sqliteFile();
    const first = await openDatabase({ file });
    await migrateToLatest(first);
    const second = await openDatabase({ file });
    // A second connection would wait for the first one's write lock and fail with "database is locked".
    const numbers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => new ReadModel(i % 2 ? first : second).allocateReportNumber(`k${i}`, 2026)),
    );
    expect(new Set(numbers).size).toBe(20);
    await first.close();
    await first.close();
    expect(await new ReadModel(second).allocateReportNumber('k20', 2026)).toBe('R-2026-0021');
    await second.close();
    await expect(new ReadModel(second).allocateReportNumber('k21', 2026)).rejects.toThrow();
    const third = await openDatabase({ file });
    expect(await new ReadModel(third).allocateReportNumber('k21', 2026)).toBe('R-2026-0022');
    await third.close();
  });

  test("':memory:' gives a private database that works like a file", async () => {
    const database = await openDatabase({ file: ':memory:' });
    try {
      await migrateToLatest(database);
      const readModel = new ReadModel(database);
      expect(await readModel.allocateReportNumber('mail:<x@y>', 2026)).toBe('R-2026-0001');
    } finally {
      await database.close();
    }
  });

  test('a file in a directory that does not exist names the directory to create', async () => {
    const file = backend.sqliteFile('no/such/dir/baosong.db');
    await expect(openDatabase({ file })).rejects.toMatchObject({
      code: 'EDB_CONNECT',
      message: expect.stringMatching(/directory .*no\/such\/dir does not exist\. Create it/),
    });
  });

  test('a file that is not a SQLite database is refused', async () => {
    const file = backend.sqliteFile('notes.txt');
    writeFileSync(file, 'this is not a database, just some notes that are long enough to fill a header\n'.repeat(20));
    await expect(openDatabase({ file })).rejects.toMatchObject({
      code: 'EDB_CONNECT',
      message: expect.stringContaining('not a SQLite database'),
    });
  });
});

describe('openDatabase on PostgreSQL', () => {
  const backend = useBackend('postgres');

  test('a postgres:// URL opens a pool, and wins over a file', async () => {
    const url = await backend.postgres().createDatabase();
    const database = await openDatabase({ url, file: 'ignored.db' });
    try {
      expect(database.dialect).toBe('postgres');
      const result = await sql<{ answer: number }>`select 6 * 7 as answer`.execute(database.db);
      expect(result.rows).toEqual([{ answer: 42 }]);
    } finally {
      await database.close();
      await database.close();
    }
    const again = await openDatabase({ url: url.replace(/^postgres:/, 'postgresql:') });
    expect(again.dialect).toBe('postgres');
    await again.close();
  });

  test('a server that is not there: connection refused, with the URL to check and no password', async () => {
    const port = await freePort();
    const error = await openDatabase({ url: `postgres://baosong:s3cret@127.0.0.1:${port}/baosong` }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'EDB_CONNECT',
      message: expect.stringContaining(`Cannot connect to PostgreSQL at 127.0.0.1:${port}: connection refused`),
    });
    expect((error as Error).message).toContain('DATABASE_URL');
    expect((error as Error).message).not.toContain('s3cret');
  });

  test('with waitMs, a service started during a PostgreSQL restart waits for it instead of failing', async () => {
    const url = await backend.postgres().createDatabase();
    const restarting = backend.postgres().restart({ downMs: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the server is going down now
    const waits: string[] = [];
    const database = await openDatabase({ url, waitMs: 60_000, onWait: (message) => waits.push(message) });
    try {
      const result = await sql<{ answer: number }>`select 6 * 7 as answer`.execute(database.db);
      expect(result.rows).toEqual([{ answer: 42 }]);
      expect(waits.length).toBeGreaterThan(0);
      expect(waits[0]).toMatch(/Cannot connect to PostgreSQL .* Trying again in \d+ ms\./);
    } finally {
      await database.close();
      await restarting;
    }
  });

  test('with waitMs, a server that never comes gives up after about that long; a missing database fails at once', async () => {
    const port = await freePort();
    const waits: string[] = [];
    const t0 = Date.now();
    await expect(openDatabase({ url: `postgres://baosong@127.0.0.1:${port}/baosong`, waitMs: 1500, onWait: (m) => waits.push(m) })).rejects.toMatchObject({ code: 'EDB_CONNECT' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(waits.length).toBeGreaterThan(0);

    const url = new URL(backend.postgres().url);
    url.pathname = '/no_such_database';
    const none: string[] = [];
    await expect(openDatabase({ url: url.toString(), waitMs: 60_000, onWait: (m) => none.push(m) })).rejects.toMatchObject({ code: 'EDB_CONNECT' });
    expect(none).toEqual([]);
  });

  test('a database that does not exist: says how to create it', async () => {
    const url = new URL(backend.postgres().url);
    url.pathname = '/no_such_database';
    await expect(openDatabase({ url: url.toString() })).rejects.toMatchObject({
      code: 'EDB_CONNECT',
      message: expect.stringContaining('has no database "no_such_database". Create it (createdb no_such_database)'),
    });
  });
});
