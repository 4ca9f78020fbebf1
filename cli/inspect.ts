/** `baosong inspect FILE.eml` — what baosong would do with a mail, as JSON. */
import { readFile, stat } from 'node:fs/promises';
import { Command } from 'commander';
import { DEFAULT_TIME_ZONE, parseDateTime } from '../domain/time.js';
import { optionalConfig, printJson } from './options.js';
import { type ErrorCode } from '../domain/errors.js';

class InspectError extends Error {
  readonly code = 'EINSPECT' satisfies ErrorCode;
}

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('show what baosong would do with a mail file (.eml): kind, intent, report number, category, deadline, and the report checks (稿件体检)')
    .argument('<file>', 'an RFC 5322 message, e.g. saved from a mail client as .eml')
    .option('-c, --config <path>', 'school configuration (adds the sender’s role and the school calendar)')
    .option('--received <time>', 'when the mail arrived (default: its Date header), e.g. 2026-11-26T15:30')
    .action(async (file: string, opts: { config?: string; received?: string }) => {
      let raw: Buffer;
      let mtime: Date;
      try {
        const info = await stat(file);
        if (!info.isFile()) throw new InspectError(`cannot read ${file}: not a file`);
        raw = await readFile(file);
        mtime = info.mtime;
      } catch (err) {
        if (err instanceof InspectError) throw err;
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
        throw new InspectError(`cannot read ${file}: ${why}`);
      }
      const loaded = (await optionalConfig(opts.config));
      const timeZone = loaded?.config.school.timeZone ?? DEFAULT_TIME_ZONE;
      const { inspectMail } = await import('../intake/inspect.js'); // mailparser loads only when needed
      const result = await inspectMail(raw, {
        ...(loaded ? { config: loaded.config } : {}),
        ...(opts.received ? { receivedAt: parseTime(opts.received, timeZone) } : {}),
        fallbackReceivedAt: mtime,
      });
      printJson(result);
    });
}

function parseTime(text: string, timeZone: string): Date {
  try {
    return parseDateTime(text, timeZone);
  } catch (err) {
    throw new InspectError(`--received: ${(err as Error).message}`);
  }
}
