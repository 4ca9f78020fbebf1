/**
 * `baosong calendar replan` — after the office adds a year's holiday schedule (calendar.statutory) or changes
 * the school's own days, tell every report in review to plan its deadlines again (ops/calendar-replan.ts).
 * A worker starting with a changed calendar does the same by itself; this is for when none restarts.
 * Talks to the Temporal and the database the service uses; a worker must be running to act on the signals.
 */
import { Command } from 'commander';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import { optionalConfig, printJson, withServiceConnections } from './options.js';

export function calendarCommand(): Command {
  const calendar = new Command('calendar').description('the school calendar: holidays, 调休 and the deadlines that depend on them');
  calendar
    .command('replan')
    .description('tell every report in review to plan its deadlines again on the current calendar')
    .option('-c, --config <path>', 'configuration file')
    .action(async (opts: { config?: string }) => {
      const config = (await optionalConfig(opts.config))?.config ?? loadConfig({ path: EXAMPLE_CONFIG_FILE }).config;
      const { replanOpenReports } = await import('../ops/calendar-replan.js');
      printJson(await withServiceConnections(config, replanOpenReports));
    });
  return calendar;
}
