// A throw-away PostgreSQL server for tests, from the Debian `postgresql` package (.ci/run installs it).
//
//   const pg = await startPostgres();               // or the server at TEST_DATABASE_URL, if set
//   const url = await pg.createDatabase();          // a fresh, empty database on it
//   …                                               // openDatabase({ url })
//   await pg.stop();                                // stops the server, removes its files (and drops the databases)
//
// The server runs as the `postgres` OS user when the tests run as root (PostgreSQL refuses root), in a temp
// data directory, listening only on 127.0.0.1 on a free port with trust auth, fsync off. PG_BIN may name the
// directory holding initdb and postgres; otherwise the newest /usr/lib/postgresql/*/bin is used.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface PostgresServer {
  /** URL of the server's `postgres` database (a superuser, trust auth). */
  readonly url: string;
  /** Creates an empty database on the server and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server and deletes its files; on a TEST_DATABASE_URL server, drops the databases made here. */
  stop(): Promise<void>;
  /** Fast shutdown (every connection drops), `downMs` of nothing, then the same server again (own server only). */
  restart(options?: { downMs?: number }): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const external = process.env.TEST_DATABASE_URL?.trim();
  if (external) return server(external, async (created) => dropDatabases(external, created));
  return server(...(await startOwnServer()));
}

function server(url: string, stopServer: (created: string[]) => Promise<void>, restartServer?: (downMs: number) => Promise<void>): PostgresServer {
  const created: string[] = [];
  let stopping: Promise<void> | undefined;
  return {
    url,
    async restart(options = {}) {
      if (!restartServer) throw new Error('restart() needs our own PostgreSQL server (not TEST_DATABASE_URL)');
      await restartServer(options.downMs ?? 0);
    },
    async createDatabase(prefix = 'test') {
      const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(6).toString('hex')}`;
      await withClient(url, (client) => client.query(`create database "${name}"`));
      created.push(name);
      const target = new URL(url);
      target.pathname = `/${name}`;
      return target.toString();
    },
    stop() {
      stopping ??= stopServer(created);
      return stopping;
    },
  };
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function dropDatabases(url: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await withClient(url, async (client) => {
    for (const name of names) await client.query(`drop database if exists "${name}" with (force)`);
  });
}

// ---------------------------------------------------------------------------------------------------
// Our own server

interface Running {
  child: ChildProcess;
  root: string;
}

const running = new Set<Running>();
let exitHookInstalled = false;

/** If a suite forgets stop(), do not leave a server behind when the process exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const r of running) {
      killGroup(r.child, 'SIGKILL');
      rmSync(r.root, { recursive: true, force: true });
    }
  });
}

function binDir(): string {
  const fromEnv = process.env.PG_BIN?.trim();
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres). Install it with ' +
        '`apt-get install -y postgresql`, set PG_BIN to its bin directory, or set TEST_DATABASE_URL to a server to use.',
    );
  }
  return join(base, newest, 'bin');
}

/** uid/gid to run PostgreSQL as: the `postgres` user when we are root, else ourselves (undefined). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root, but there is no `postgres` OS user to run PostgreSQL as (the postgresql package creates it).');
  }
}

function run(file: string, args: string[], options: { uid?: number; gid?: number; cwd: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...options, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${error.message}\n${stderr}`));
      else resolve();
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function startOwnServer(): Promise<[string, () => Promise<void>, (downMs: number) => Promise<void>]> {
  const bin = binDir();
  const user = runAs();
  const root = mkdtempSync(join(tmpdir(), 'baosong-pg-'));
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  mkdirSync(sockets);
  if (user) {
    chownSync(root, user.uid, user.gid);
    chownSync(sockets, user.uid, user.gid);
  }
  const as = { ...(user ?? {}), cwd: root };
  try {
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], as);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '100',
    shared_buffers: '32MB',
  };
  const args = ['-D', data, '-p', String(port), '-k', sockets, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  let child!: ChildProcess;
  let entry!: Running;
  let exited!: Promise<void>;
  let log = '';
  let spawnFailed = false;
  const launch = () => {
    spawnFailed = false;
    child = spawn(join(bin, 'postgres'), args, {
      ...as,
      detached: true, // its own process group, so stop() can signal the postmaster and all its backends
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    entry = { child, root };
    running.add(entry);
    installExitHook();
    child.once('error', (error) => {
      spawnFailed = true;
      log += `\ncannot run ${join(bin, 'postgres')}: ${error.message}`;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-4000);
    });
    (child.stderr as Socket | null)?.unref();
    child.unref();
    const current = child;
    exited = new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.once('error', () => resolve());
    });
  };
  const halt = async (): Promise<void> => {
    killGroup(child, 'SIGINT'); // fast shutdown
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    running.delete(entry);
  };
  const stop = async (): Promise<void> => {
    await halt();
    rmSync(root, { recursive: true, force: true });
  };

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const ready = async (): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (spawnFailed || child.exitCode !== null || child.signalCode !== null) {
        await stop();
        throw new Error(`PostgreSQL exited while starting (port ${port}):\n${log}`);
      }
      try {
        await withClient(url, (client) => client.query('select 1'));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          await stop();
          throw new Error(`PostgreSQL did not accept connections on 127.0.0.1:${port} within 20 s: ${String(error)}\n${log}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const restart = async (downMs: number): Promise<void> => {
    await halt();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    launch();
    await ready();
  };
  launch();
  await ready();
  return [url, stop, restart];
}
