/**
 * The SMTP server said 250 but the database could not record it (restarting, unreachable): the mail's
 * Message-ID goes into a small local file, flushed to disk, before the activity fails. The retry finds
 * it there and records the mail as sent instead of sending it again. The file has lines only for mails
 * accepted while the database was away; a retry reads it, a first attempt never does.
 *
 *   const journal = new SentJournal(join(config.dataDir, 'mail-sent.journal'));
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export class SentJournal {
  constructor(readonly file: string) {}

  /** Notes that the SMTP server accepted `messageId`; resolves once it is on disk. */
  async add(messageId: string, at: Date = new Date()): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a');
    try {
      // One short line per write: appends of a line this size do not interleave between processes.
      await handle.write(`${at.toISOString()}\t${messageId.replace(/[\r\n\t]/g, ' ')}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** Whether the SMTP server is known to have accepted `messageId`. */
  async has(messageId: string): Promise<boolean> {
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    return text.split('\n').some((line) => line.slice(line.indexOf('\t') + 1) === messageId);
  }
}
