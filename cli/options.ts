/** Options shared by several subcommands. */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import { configPath, DEFAULT_CONFIG_FILE } from '../config/paths.js';

/**
 * The configuration a command should use: --config or $BAOSONG_CONFIG must exist and be valid;
 * otherwise ./baosong.config.yaml is used when present; otherwise none (built-in defaults).
 * The YAML parser and the schema are loaded only when a file is read.
 */
export async function optionalConfig(explicitPath: string | undefined): Promise<LoadedConfig | null> {
  const explicit = explicitPath !== undefined || Boolean(process.env.BAOSONG_CONFIG);
  const file = configPath(explicit ? { path: explicitPath } : { path: DEFAULT_CONFIG_FILE });
  if (!explicit && !existsSync(file)) return null;
  const { loadConfig } = await import('../config/load.js');
  return loadConfig({ path: file });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * For a command that talks to what the running service uses: its database (DATABASE_URL, else
 * <dataDir>/baosong.db, created and migrated if missing) and its Temporal (it starts none). Both are
 * loaded only here and closed after `run`.
 */
export async function withServiceConnections<T>(config: Config, run: (c: { client: Client; readModel: ReadModel }) => Promise<T>): Promise<T> {
  const [{ migrateToLatest, openDatabase, ReadModel }, { connectTemporal }] = await Promise.all([import('../db/index.js'), import('../worker/temporal.js')]);
  if (!process.env.DATABASE_URL) mkdirSync(resolve(config.dataDir), { recursive: true });
  const database = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { file: resolve(config.dataDir, 'baosong.db') });
  try {
    await migrateToLatest(database);
    const temporal = await connectTemporal({ config, clientOnly: true });
    try {
      return await run({ client: temporal.client, readModel: new ReadModel(database) });
    } finally {
      await temporal.close();
    }
  } finally {
    await database.close();
  }
}
