/**
 * `baosong reindex` — rebuild the read model from Temporal (see ops/reindex.ts) into the database the
 * service uses (DATABASE_URL, else <dataDir>/baosong.db, created and migrated if missing). Talks to the
 * Temporal the service uses (TEMPORAL_ADDRESS / temporal.address, else the local one); starts none.
 * A worker must be running: the workflows answer the queries.
 */
import { Command } from 'commander';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import { optionalConfig, printJson, withServiceConnections } from './options.js';

export function reindexCommand(): Command {
  return new Command('reindex')
    .description('rebuild the read model (dashboard, digest figures, report numbers) from the workflows in Temporal')
    .option('-c, --config <path>', 'configuration file')
    .action(async (opts: { config?: string }) => {
      const config = (await optionalConfig(opts.config))?.config ?? loadConfig({ path: EXAMPLE_CONFIG_FILE }).config;
      const { reindex } = await import('../ops/reindex.js'); // loaded here: other commands need not load Temporal
      const result = await withServiceConnections(config, ({ client, readModel }) => reindex({ client, readModel, log: (line) => process.stderr.write(`${line}\n`) }));
      printJson(result);
      if (result.failed.length > 0) process.exitCode = 1;
    });
}
