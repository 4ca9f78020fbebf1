/**
 * `baosong calendar replan` — after the office adds a year's holiday schedule (calendar.statutory) or changes
 * the school's own days, tell every report in review to plan its deadlines again (ops/calendar-replan.ts).
 * A worker starting with a changed calendar does the same by itself; this is for when none restarts.
 * Talks to the Temporal and the database the service uses; a worker must be running to act on the signals.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import { optionalConfig, printJson } from './options.js';

export function calendarCommand(): Command {
  const calendar = new Command('calendar').description('the school calendar: holidays, 调休 and the deadlines that depend on them');
  calendar
    .command('replan')
    .description('tell every report in review to plan its deadlines again on the current calendar')
    .option('-c, --config <path>', 'configuration file')
    .action(async (opts: { config?: string }) => {
      const config = (await optionalConfig(opts.config))?.config ?? loadConfig({ path: EXAMPLE_CONFIG_FILE }).config;
      const [{ migrateToLatest, openDatabase, ReadModel }, { replanOpenReports }, { connectTemporal }] = await Promise.all([import('../db/index.js'), import('../ops/calendar-replan.js'), import('../worker/temporal.js')]);
      if (!process.env.DATABASE_URL) mkdirSync(resolve(config.dataDir), { recursive: true });
      const database = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { file: resolve(config.dataDir, 'baosong.db') });
      try {
        await migrateToLatest(database);
        const temporal = await connectTemporal({ config, clientOnly: true });
        try {
          printJson(await replanOpenReports({ client: temporal.client, readModel: new ReadModel(database) }));
        } finally {
          await temporal.close();
        }
      } finally {
        await database.close();
      }
    });
  return calendar;
}
