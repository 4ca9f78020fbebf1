/**
 * The `baosong` command line. Each subcommand lives in its own module under cli/;
 * this file only wires them together and turns errors into messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { deadlineCommand } from './deadline.js';
import { digestCommand } from './digest.js';
import { inspectCommand } from './inspect.js';
import { statsCommand } from './stats.js';
import { configCommand } from './config.js';
import { doctorCommand } from './doctor.js';
import { expectCommand } from './expect.js';
import { reindexCommand } from './reindex.js';
import { intakeCommand, startCommand, webCommand, workerCommand } from './start.js';

export function buildProgram(): Command {
  const program = new Command('baosong')
    .description('报送 baosong — school information reporting by mail and form, on Temporal')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(inspectCommand());
  program.addCommand(deadlineCommand());
  program.addCommand(configCommand());
  program.addCommand(doctorCommand());
  program.addCommand(expectCommand());
  program.addCommand(startCommand());
  program.addCommand(workerCommand());
  program.addCommand(intakeCommand());
  program.addCommand(webCommand());
  program.addCommand(digestCommand());
  program.addCommand(statsCommand());
  program.addCommand(reindexCommand());
  return program;
}

/** A failure the user can fix: print the message alone, no stack. */
export class UsageError extends Error {
  readonly code = 'EUSAGE';
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0; // a command that reports failure (doctor) sets it
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander printed its own message
    const e = err as Error & { code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('E')) {
      process.stderr.write(`baosong: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`baosong: unexpected error: ${e.stack ?? String(e)}\n`);
    return 70;
  }
}
