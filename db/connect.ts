/**
 * Opening the read model's database: SQLite (better-sqlite3) by default, PostgreSQL (a pg Pool) when
 * given a postgres:// or postgresql:// URL. Both sit behind one Kysely query builder.
 *
 *   const database = await openDatabase({ url: process.env.DATABASE_URL, file: 'data/baosong.db' });
 *   await migrateToLatest(database);
 *   …
 *   await database.close();
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import { DatabaseError, describe, driverCode } from './errors.js';
import type { Tables } from './schema.js';
import { SchoolScope } from './school-scope.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL (postgres://user:password@host:port/database), e.g. from DATABASE_URL. Wins over `file`. */
  url?: string;
  /**
   * The SQLite file; ':memory:' for a private in-memory database. Used when `url` is not given.
   * Opening a file that is already open in this process shares its connection (see openSqliteFiles).
   */
  file?: string;
  /** PostgreSQL only: the most connections the pool opens (default 10). */
  poolSize?: number;
  /**
   * How long to wait for a SQLite file locked by another process, or for a PostgreSQL connection, in ms
   * (default 5000 / 10000).
   */
  timeoutMs?: number;
  /**
   * PostgreSQL only: how long to keep trying, in ms, while the server refuses connections, is starting up
   * or shutting down (a service started with, or just before, its database; a PostgreSQL restart). Wrong
   * credentials or a missing database fail at once. Default 0: one try.
   */
  waitMs?: number;
  /** Called before each new try while waiting (to log it). */
  onWait?: (message: string) => void;
}

export interface Database {
  /** The query builder over the read model's tables, kept to one school's rows (db/school-scope.ts). */
  readonly db: Kysely<Tables>;
  /** Whose rows `db` reads and writes: a district school's id, or '' in a one-school deployment. */
  readonly school: string;
  /** The same connection without the school's scope: migrations, the district's figures, the deployment's own tables. */
  readonly root: Kysely<Tables>;
  readonly dialect: Dialect;
  /** Closes the SQLite file or ends the pool. Safe to call twice. */
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const url = options.url?.trim();
  if (url) {
    if (/^postgres(ql)?:\/\//i.test(url)) return openPostgres(url, options);
    throw new DatabaseError(
      'EDB_CONFIG',
      `Unsupported database URL ${redactUrl(url)}: only postgres:// or postgresql:// URLs are understood. ` +
        'Unset DATABASE_URL (or the url option) to use a SQLite file instead.',
    );
  }
  const file = options.file?.trim();
  if (!file) {
    throw new DatabaseError(
      'EDB_CONFIG',
      'No database given: set the file option to a SQLite file (or ":memory:"), or url / DATABASE_URL to a postgres:// URL.',
    );
  }
  return openSqlite(file, options);
}

/**
 * SQLite files open in this process, by absolute path. better-sqlite3 is synchronous, so a second
 * connection to the same file in one process would block the event loop while waiting for the first one's
 * write lock, and then fail with "database is locked". Opening a file again therefore shares the first
 * connection (and its Kysely instance, which queues transactions); it is closed when every handle is.
 */
const openSqliteFiles = new Map<string, { db: Kysely<Tables>; handles: number }>();

function openSqlite(file: string, options: OpenDatabaseOptions): Database {
  if (file === ':memory:') return withClose(connectSqlite(file, options), 'sqlite');
  const path = resolve(file);
  let shared = openSqliteFiles.get(path);
  if (!shared) {
    shared = { db: connectSqlite(file, options), handles: 0 };
    openSqliteFiles.set(path, shared);
  }
  shared.handles += 1;
  const entry = shared;
  let closing: Promise<void> | undefined;
  return {
    db: entry.db.withPlugin(new SchoolScope('')),
    school: '',
    root: entry.db,
    dialect: 'sqlite',
    close() {
      closing ??= (async () => {
        entry.handles -= 1;
        if (entry.handles > 0) return;
        openSqliteFiles.delete(path);
        await entry.db.destroy();
      })();
      return closing;
    },
  };
}

/**
 * SQLite's page cache per connection (KiB). better-sqlite3 builds SQLite with 16 MB, which each process fills as the
 * file grows: the worker's malloc heap kept climbing through bench:memory's 10,000 reports and never came back
 * (issue 26). SQLite's own default, 2 MB, keeps the B-trees' upper pages; a page beyond it is a read from the
 * operating system's file cache, microseconds for our statements, which touch a few pages by key.
 */
const SQLITE_PAGE_CACHE_KB = 2000;

function connectSqlite(file: string, options: OpenDatabaseOptions): Kysely<Tables> {
  const inMemory = file === ':memory:';
  if (!inMemory) {
    const dir = dirname(resolve(file));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new DatabaseError(
        'EDB_CONNECT',
        `Cannot open the SQLite database ${file}: the directory ${dir} does not exist. Create it, or choose another file.`,
      );
    }
  }
  const timeout = options.timeoutMs ?? 5000;
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(file, { timeout });
  } catch (error) {
    throw new DatabaseError(
      'EDB_CONNECT',
      `Cannot open the SQLite database ${file}: ${describe(error)}. Check that the file and its directory are writable.`,
      { cause: error },
    );
  }
  try {
    if (!inMemory) sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`cache_size = -${SQLITE_PAGE_CACHE_KB}`);
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(timeout))}`);
  } catch (error) {
    sqlite.close();
    const hint = driverCode(error) === 'SQLITE_NOTADB' ? 'the file is not a SQLite database; choose another file' : 'check the file';
    throw new DatabaseError('EDB_CONNECT', `Cannot use the SQLite database ${file}: ${describe(error)} (${hint}).`, {
      cause: error,
    });
  }
  return new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/** How many prepared statements a SQLite connection keeps (the read model uses a few dozen distinct ones). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 as Kysely's SQLite dialect sees it, keeping prepared statements by SQL text: Kysely
 * prepares every query anew, and preparing costs more than running our small statements. Least recently
 * used statements are dropped past STATEMENT_CACHE_SIZE; a statement still iterating (a streamed select)
 * is never handed out twice.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (!cached) {
        cache.set(sql, statement);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.timeoutMs ?? 10_000,
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const waitUntil = Date.now() + (options.waitMs ?? 0);
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5000)) {
    try {
      await pool.query('select 1');
      break;
    } catch (error) {
      const message = postgresConnectMessage(url, error);
      if (!isTransientConnectError(error) || Date.now() + delayMs > waitUntil) {
        await pool.end().catch(() => undefined);
        throw new DatabaseError('EDB_CONNECT', message, { cause: error });
      }
      options.onWait?.(`${message} Trying again in ${delayMs} ms.`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return withClose(db, 'postgres');
}

function withClose(db: Kysely<Tables>, dialect: Dialect): Database {
  let closing: Promise<void> | undefined;
  return {
    db: db.withPlugin(new SchoolScope('')),
    school: '',
    root: db,
    dialect,
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}

/**
 * The same database seen as one school of a district: every query through it reads and writes that school's rows
 * only. Closing it closes nothing (the district's connection is its owner's to close).
 */
export function scopeDatabase(database: Database, school: string): Database {
  return { db: database.root.withPlugin(new SchoolScope(school)), school, root: database.root, dialect: database.dialect, close: () => Promise.resolve() };
}

/** Errors that a PostgreSQL (re)starting or not yet listening gives; not wrong settings. */
function isTransientConnectError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // 57P03 cannot_connect_now (starting up / shutting down), 57P01 admin_shutdown, 53300 too many connections.
  if (code === '57P03' || code === '57P01' || code === '53300') return true;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE') return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout expired/i.test(message);
}

function postgresConnectMessage(url: string, error: unknown): string {
  const where = redactUrl(url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    return `Cannot connect to PostgreSQL: the URL ${where} cannot be parsed (${describe(error)}). Fix DATABASE_URL.`;
  }
  const host = `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  const user = decodeURIComponent(parsed.username) || '(default user)';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  switch (driverCode(error)) {
    case 'ECONNREFUSED':
      return `Cannot connect to PostgreSQL at ${host}: connection refused. Is the server running and listening there? Check DATABASE_URL (${where}).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot connect to PostgreSQL: the host ${parsed.hostname} is unknown. Fix the host in DATABASE_URL (${where}).`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${host} refused user "${user}": ${describe(error)}. Check the user name and password in DATABASE_URL.`;
    case '3D000':
      return `PostgreSQL at ${host} has no database "${database}". Create it (createdb ${database}) or fix the name in DATABASE_URL.`;
    default:
      return `Cannot connect to PostgreSQL at ${host} (${where}): ${describe(error)}. Check DATABASE_URL and that the server is reachable.`;
  }
}

/** The URL with its password replaced by ***, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
