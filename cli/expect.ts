/** `baosong expect …` — tell baosong a department owes a report (漏报 watch): one, every department at once, or from the school calendar. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import { migrateToLatest, openDatabase, ReadModel } from '../db/index.js';
import { URGENCIES, type Urgency } from '../domain/report.js';
import { formatIsoInZone, parseDateTime } from '../domain/time.js';
import { expectationsFromIcs, registerExpectation, type Expectation } from '../intake/expected.js';
import { connectTemporal } from '../worker/temporal.js';
import { optionalConfig, printJson } from './options.js';
import { type ErrorCode } from '../domain/errors.js';

class ExpectUsageError extends Error {
  readonly code = 'EEXPECT_USAGE' satisfies ErrorCode;
}

export function expectCommand(): Command {
  return new Command('expect')
    .description('register a report a department owes (reminder before its deadline, 漏报 if it never comes)')
    .option('--department <id>', 'department id or name, e.g. jiaowu or 教务处')
    .option('--all-departments', 'every department — for a bureau, every school — owes this report')
    .option('--title <text>', 'what the report is about, e.g. 校园开放日')
    .option('--event-end <time>', 'when the event ends, e.g. 2026-12-04T11:30 (school time zone unless an offset is given)')
    .addOption(new Option('--urgency <urgency>', 'routine | major | urgent').choices(URGENCIES).default('routine'))
    .option('--ics <file>', 'import every event of an iCalendar file marked for reporting (CATEGORIES 报送 / X-BAOSONG-DEPARTMENT)')
    .option('--dry-run', 'show what would be registered, register nothing')
    .option('-c, --config <path>', 'configuration file')
    .action(async (opts: { department?: string; allDepartments?: boolean; title?: string; eventEnd?: string; urgency: Urgency; ics?: string; dryRun?: boolean; config?: string }) => {
      const config = (await optionalConfig(opts.config))?.config ?? loadConfig({ path: EXAMPLE_CONFIG_FILE }).config;
      const tz = config.school.timeZone;
      let expectations: Expectation[];
      if (opts.department !== undefined && opts.allDepartments) {
        throw new ExpectUsageError('--department and --all-departments cannot go together: give one department, or --all-departments for every one');
      }
      // The calendar names each event's department itself; --all-departments there would be silently ignored.
      if (opts.ics && opts.allDepartments) throw new ExpectUsageError('--all-departments goes with --title and --event-end, not with --ics (the calendar names each event\'s department)');
      if (opts.ics) {
        expectations = expectationsFromIcs(config, await readFile(opts.ics, 'utf8'));
      } else {
        const departments = opts.allDepartments ? config.departments.map((d) => d.id) : opts.department ? [opts.department] : [];
        if (departments.length === 0 || !opts.title || !opts.eventEnd) throw new ExpectUsageError('give --department (or --all-departments), --title and --event-end, or --ics FILE');
        let eventEnd: Date;
        try {
          eventEnd = parseDateTime(opts.eventEnd, tz);
        } catch (err) {
          throw new ExpectUsageError(`--event-end: ${(err as Error).message}`);
        }
        const title = opts.title;
        expectations = departments.map((departmentId) => ({ departmentId, title, eventEnd, urgency: opts.urgency, source: 'cli' }));
      }
      if (opts.dryRun) {
        printJson(expectations.map((e) => ({ ...e, eventEnd: formatIsoInZone(e.eventEnd, tz) })));
        return;
      }
      const database = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { file: resolve(config.dataDir, 'baosong.db') });
      const temporal = await connectTemporal({ config, clientOnly: true });
      try {
        await migrateToLatest(database);
        const deps = { client: temporal.client, config, readModel: new ReadModel(database) };
        const results = [];
        for (const e of expectations) {
          const r = await registerExpectation(deps, e);
          results.push({ id: r.id, title: e.title, department: e.departmentId, dueAt: formatIsoInZone(new Date(r.dueAt), tz), registered: r.started ? 'new' : 'already registered' });
        }
        printJson(results);
      } finally {
        await temporal.close();
        await database.close();
      }
    });
}
