/**
 * `baosong reindex` — rebuild the read model from Temporal (see ops/reindex.ts) into the database the
 * service uses (DATABASE_URL, else <dataDir>/baosong.db, created and migrated if missing). Talks to the
 * Temporal the service uses (TEMPORAL_ADDRESS / temporal.address, else the local one); starts none.
 * A worker must be running: the workflows answer the queries.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import { optionalConfig, printJson } from './options.js';

export function reindexCommand(): Command {
  return new Command('reindex')
    .description('rebuild the read model (dashboard, digest figures, report numbers) from the workflows in Temporal')
    .option('-c, --config <path>', 'configuration file')
    .action(async (opts: { config?: string }) => {
      const config = (await optionalConfig(opts.config))?.config ?? loadConfig({ path: EXAMPLE_CONFIG_FILE }).config;
      // Loaded here, not at the top: other commands need not load Temporal and the database.
      const [{ migrateToLatest, openDatabase, ReadModel }, { reindex }, { connectTemporal }] = await Promise.all([import('../db/index.js'), import('../ops/reindex.js'), import('../worker/temporal.js')]);
      if (!process.env.DATABASE_URL) mkdirSync(resolve(config.dataDir), { recursive: true });
      const database = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { file: resolve(config.dataDir, 'baosong.db') });
      try {
        await migrateToLatest(database);
        const temporal = await connectTemporal({ config, clientOnly: true });
        try {
          const result = await reindex({ client: temporal.client, readModel: new ReadModel(database), log: (line) => process.stderr.write(`${line}\n`) });
          printJson(result);
          if (result.failed.length > 0) process.exitCode = 1;
        } finally {
          await temporal.close();
        }
      } finally {
        await database.close();
      }
    });
}
