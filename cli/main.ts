/**
 * The `baosong` command line. Each subcommand lives in its own module under cli/ and is imported only
 * when it runs (exceljs, the Temporal SDK or juice must not slow `baosong deadline` down); this file
 * wires them together and turns errors into messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { errorMeaning, type ErrorCode } from '../domain/errors.js';
import { envLocale } from '../config/messages.js';

interface Subcommand {
  description: string;
  load(): Promise<Command>;
}

/** Every subcommand: its one-line description (for `baosong --help`) and how to load it. */
const SUBCOMMANDS: Record<string, Subcommand> = {
  inspect: { description: 'show what baosong would do with a mail file (.eml)', load: async () => (await import('./inspect.js')).inspectCommand() },
  deadline: { description: 'print when a report is due, by the school calendar and deadline rules', load: async () => (await import('./deadline.js')).deadlineCommand() },
  calendar: { description: 'the school calendar: re-plan reports in review after a holiday schedule is added', load: async () => (await import('./calendar.js')).calendarCommand() },
  config: { description: 'work with the configuration file', load: async () => (await import('./config.js')).configCommand() },
  doctor: { description: 'check the configuration and everything it points at', load: async () => (await import('./doctor.js')).doctorCommand() },
  district: { description: "a district's schools: their figures side by side", load: async () => (await import('./district.js')).districtCommand() },
  'migrate-attachments': { description: 'copy the attachments into the object storage of storage.s3', load: async () => (await import('./migrate-attachments.js')).migrateAttachmentsCommand() },
  reindex: { description: 'rebuild the read model from Temporal', load: async () => (await import('./reindex.js')).reindexCommand() },
  report: { description: "the office's actions on a running report: withdraw, reassign, remind", load: async () => (await import('./report.js')).reportCommand() },
  expect: { description: 'register a report a department owes (reminder, 漏报 if it never comes)', load: async () => (await import('./expect.js')).expectCommand() },
  start: { description: 'run the worker, the mail intake and the web pages', load: async () => (await import('./start.js')).startCommand() },
  worker: { description: 'run only the Temporal worker', load: async () => (await import('./start.js')).workerCommand() },
  intake: { description: 'run only the mail intake', load: async () => (await import('./start.js')).intakeCommand() },
  web: { description: 'run only the web pages', load: async () => (await import('./start.js')).webCommand() },
  digest: { description: 'the weekly digest of an ISO week (figures, preview, send)', load: async () => (await import('./digest.js')).digestCommand() },
  stats: { description: 'term statistics per department as CSV or XLSX', load: async () => (await import('./stats.js')).statsCommand() },
  scoring: { description: 'the 考核 scoring sheet and register of uses of a term (xlsx, docx, json)', load: async () => (await import('./scoring.js')).scoringCommand() },
  summary: { description: 'the term 工作总结 as a Word document', load: async () => (await import('./scoring.js')).summaryCommand() },
  uses: { description: 'where reports were used (录用): add, list, remove, import, size', load: async () => (await import('./scoring.js')).usesCommand() },
  concealed: { description: '瞒报 recorded by the office', load: async () => (await import('./scoring.js')).concealedCommand() },
};

/** The subcommand argv asks for (`baosong help NAME` included), if any. */
function requested(argv: string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program with the requested subcommand loaded in full and the others as named stubs (enough for
 * `baosong --help`). `load: 'all'` loads every subcommand (tests, documentation).
 */
export async function buildProgram(argv: string[] | 'all' = 'all'): Promise<Command> {
  const program = new Command('baosong')
    .description('报送 baosong — school information reporting by mail and form, on Temporal')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const wanted = argv === 'all' ? null : requested(argv);
  for (const [name, sub] of Object.entries(SUBCOMMANDS)) {
    if (wanted === null || name === wanted) program.addCommand(await sub.load());
    else program.command(name).description(sub.description);
  }
  return program;
}

/** A failure the user can fix: print the message alone, no stack. */
export class UsageError extends Error {
  readonly code = 'EUSAGE' satisfies ErrorCode;
}

/** The command line's language before any configuration is read: BAOSONG_LOCALE, else English for an English LANG, else Chinese. */
export const cliLocale = envLocale;

export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0; // a command that reports failure (doctor) sets it
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander printed its own message
    const e = err as Error & { code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('E')) {
      // The message says what exactly and what to do; the code's line names the kind of failure for a search.
      const meaning = errorMeaning(e.code, cliLocale());
      process.stderr.write(`baosong: ${e.message}\n${meaning ? `  ${e.code}: ${meaning}\n` : ''}`);
      return 1;
    }
    process.stderr.write(`baosong: unexpected error: ${e.stack ?? String(e)}\n`);
    return 70;
  }
}
