/** `baosong deadline --event 2026-09-30T16:00 --urgency routine` — when a report is due, and why. */
import { Command, Option } from 'commander';
import { WorkingCalendar } from '../domain/calendar.js';
import { computeDeadline, provisionalWarning, provisionalYears, timeliness, type DeadlineContext } from '../domain/deadline.js';
import { URGENCIES, type Urgency } from '../domain/report.js';
import { DEFAULT_TIME_ZONE, formatIsoInZone, formatLocalDate, parseDateTime, toLocal } from '../domain/time.js';
import { deadlineContext } from '../config/school.js';
import { optionalConfig, printJson } from './options.js';
import { type ErrorCode } from '../domain/errors.js';

class DeadlineError extends Error {
  readonly code = 'EDEADLINE' satisfies ErrorCode;
}

export function deadlineCommand(): Command {
  return new Command('deadline')
    .description('print when a report is due (ISO 8601 with offset), by the school calendar and deadline rules')
    .requiredOption('--event <time>', 'when the event happened or ended, e.g. 2026-09-30T16:00 (school time zone unless an offset is given)')
    .addOption(new Option('--urgency <urgency>', 'routine (1 working day) | major | urgent (2 hours)').choices(URGENCIES).default('routine'))
    .option('--received <time>', 'also say whether a report received at this time is on time or late')
    .option('-c, --config <path>', 'school configuration (time zone, calendar overrides, deadline numbers)')
    .option('--json', 'print the due time with the rule applied and the calendar facts, as JSON')
    .action(async (opts: { event: string; urgency: Urgency; received?: string; config?: string; json?: boolean }) => {
      const loaded = (await optionalConfig(opts.config));
      const ctx: DeadlineContext = loaded ? deadlineContext(loaded.config) : { calendar: new WorkingCalendar(), timeZone: DEFAULT_TIME_ZONE };
      const read = (flag: string, text: string) => {
        try {
          return parseDateTime(text, ctx.timeZone);
        } catch (err) {
          throw new DeadlineError(`${flag}: ${(err as Error).message}`);
        }
      };
      const event = read('--event', opts.event);
      const deadline = computeDeadline(event, opts.urgency, ctx);
      const dueAt = formatIsoInZone(deadline.dueAt, ctx.timeZone);
      const received = opts.received !== undefined ? read('--received', opts.received) : null;
      const eventDate = formatLocalDate(toLocal(event, ctx.timeZone));
      // Any day the deadline counts, up to the due date, may lie in a year without a published schedule.
      const years = deadline.provisional ? provisionalYears(eventDate, formatLocalDate(toLocal(deadline.dueAt, ctx.timeZone)), ctx.calendar) : [];
      const warnings = years.length > 0 ? [provisionalWarning(years, loaded?.config.school.locale ?? 'zh-CN')] : [];
      for (const w of warnings) process.stderr.write(`baosong: warning: ${w}\n`);
      if (!opts.json) {
        process.stdout.write(`${dueAt}${received ? ` ${timeliness(received, deadline.dueAt)}` : ''}\n`);
        return;
      }
      printJson({
        event: formatIsoInZone(event, ctx.timeZone),
        urgency: opts.urgency,
        dueAt,
        rule: deadline.rule,
        explanation: deadline.explanation,
        provisional: deadline.provisional,
        eventDay: ctx.calendar.day(eventDate),
        timeZone: ctx.timeZone,
        ...(received ? { received: formatIsoInZone(received, ctx.timeZone), timeliness: timeliness(received, deadline.dueAt) } : {}),
        warnings,
      });
    });
}
