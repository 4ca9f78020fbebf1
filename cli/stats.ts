/**
 * `baosong stats --from 2026-09-01 --to 2027-01-31 --format csv|xlsx [--out FILE]` — term statistics per
 * department, the digest's figures over any period (days in the school's zone, --to included).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { computeStats } from '../digest/figures.js';
import { statsCsv, statsXlsx } from '../digest/stats-export.js';
import { addDays, fromLocal, parseLocalDate } from '../domain/time.js';
import type { Locale } from '../templates/types.js';
import { DigestCliError, localeOption, openReadModel, school } from './digest.js';
import { optionalConfig } from './options.js';

/** A day (YYYY-MM-DD) in the school's zone: its first moment, or (end) the first moment of the next day. */
function dayBoundary(flag: string, text: string, timeZone: string, end: boolean): Date {
  try {
    const date = end ? addDays(text.trim(), 1) : text.trim();
    return fromLocal({ ...parseLocalDate(date), hour: 0, minute: 0, second: 0 }, timeZone);
  } catch (error) {
    throw new DigestCliError(`${flag}: ${(error as Error).message}`);
  }
}

export function statsCommand(): Command {
  return new Command('stats')
    .description('term statistics per department (submitted, on time, late, missing, returned, published, on-time rate) as CSV or XLSX')
    .requiredOption('--from <date>', 'first day, e.g. 2026-09-01')
    .requiredOption('--to <date>', 'last day (included), e.g. 2027-01-31')
    .addOption(new Option('--format <format>', 'csv (UTF-8 with BOM) or xlsx').choices(['csv', 'xlsx']).default('csv'))
    .option('--out <file>', 'write here (default: CSV to standard output, XLSX to stats-<from>-<to>.xlsx)')
    .addOption(localeOption())
    .option('-c, --config <path>', 'school configuration (time zone, departments, data directory)')
    .action(async (opts: { from: string; to: string; format: 'csv' | 'xlsx'; out?: string; locale?: Locale; config?: string }) => {
      const s = school((await optionalConfig(opts.config))?.config ?? null);
      const from = dayBoundary('--from', opts.from, s.timeZone, false);
      const to = dayBoundary('--to', opts.to, s.timeZone, true);
      if (to.getTime() <= from.getTime()) throw new DigestCliError(`--to (${opts.to}) is before --from (${opts.from}).`);
      const database = await openReadModel(s);
      try {
        const stats = await computeStats(database, { from, to, timeZone: s.timeZone, departments: s.departments });
        const options = { locale: opts.locale ?? s.locale, timeZone: s.timeZone };
        const content = opts.format === 'csv' ? statsCsv(stats, options) : await statsXlsx(stats, options);
        const out = opts.out ?? (opts.format === 'xlsx' ? `stats-${opts.from.trim()}-${opts.to.trim()}.xlsx` : undefined);
        if (out === undefined) {
          process.stdout.write(content);
          return;
        }
        writeFileSync(resolve(out), content);
        process.stderr.write(`baosong: wrote ${resolve(out)}\n`);
      } finally {
        await database.close();
      }
    });
}
