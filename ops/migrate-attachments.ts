/**
 * Copying a data folder's stored files (attachments, long texts, kept mails: `attachments/<ab>/<sha256>`) into
 * the object storage the configuration names. The keys stay the same, so nothing in the database or in Temporal
 * changes and every signed link keeps working.
 *
 * Idempotent and resumable: a file whose object is already there with the same size is left alone, so a run
 * stopped half-way (Ctrl-C, a network failure) is simply run again. Each file's bytes are checked against the
 * hash in its name before they go up: a damaged file is listed, never copied over a good object.
 * `removeLocal` deletes a local file only after its object is seen in the bucket with the right size.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { attachmentKey } from '../storage/attachments.js';
import type { FileStore } from '../storage/store.js';

export interface MigrateOptions {
  /** The data folder whose `attachments/` is copied. */
  dataDir: string;
  /** Where the files go (an S3 store). */
  to: FileStore;
  /** Delete each local file once its copy is verified. */
  removeLocal?: boolean;
  /** Files copied at once. */
  concurrency?: number;
  /** Progress, one line at a time. */
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Files found under the folder (stored files only). */
  files: number;
  copied: number;
  /** Already in the bucket with the same size (a run before this one). */
  alreadyThere: number;
  removedLocal: number;
  bytesCopied: number;
  /** Files left as they are, with why: not ours, damaged, or a failure to copy (run again). */
  skipped: { file: string; reason: string }[];
  failed: { file: string; reason: string }[];
}

const HASH_NAME = /^[0-9a-f]{64}$/;

/** The stored files under `<dataDir>/attachments`, and what else is there (leftovers of interrupted writes, strangers). */
async function listStored(root: string): Promise<{ stored: string[]; strangers: { file: string; reason: string }[] }> {
  const stored: string[] = [];
  const strangers: { file: string; reason: string }[] = [];
  const top = await readdir(root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  for (const dir of top) {
    if (!dir.isDirectory() || !/^[0-9a-f]{2}$/.test(dir.name)) {
      strangers.push({ file: join(root, dir.name), reason: 'not a stored file' });
      continue;
    }
    for (const f of await readdir(join(root, dir.name), { withFileTypes: true })) {
      const file = join(root, dir.name, f.name);
      if (f.isFile() && HASH_NAME.test(f.name) && f.name.startsWith(dir.name)) stored.push(f.name);
      else strangers.push({ file, reason: f.name.endsWith('.tmp') ? 'an interrupted write (safe to delete)' : 'not a stored file' });
    }
  }
  return { stored: stored.sort(), strangers };
}

export async function migrateAttachments(options: MigrateOptions): Promise<MigrateResult> {
  const root = join(resolve(options.dataDir), 'attachments');
  const log = options.log ?? (() => undefined);
  const { stored, strangers } = await listStored(root);
  const result: MigrateResult = { files: stored.length, copied: 0, alreadyThere: 0, removedLocal: 0, bytesCopied: 0, skipped: strangers, failed: [] };
  log(`${stored.length} stored files in ${root} → ${options.to.where}`);

  const one = async (sha256: string) => {
    const key = attachmentKey(sha256);
    const file = join(resolve(options.dataDir), key);
    const content = await readFile(file);
    if (createHash('sha256').update(content).digest('hex') !== sha256) {
      result.skipped.push({ file, reason: 'its content does not match its name (damaged): left where it is' });
      return;
    }
    const there = await options.to.size(key);
    if (there === content.length) result.alreadyThere += 1;
    else {
      await options.to.put(key, content, 'application/octet-stream');
      if ((await options.to.size(key)) !== content.length) throw new Error('the object is not there with its size after the copy');
      result.copied += 1;
      result.bytesCopied += content.length;
    }
    if (options.removeLocal) {
      await rm(file);
      result.removedLocal += 1;
    }
  };

  // A small pool: object storage answers each request in tens of milliseconds; a few at once fill the link.
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < stored.length) {
      const sha256 = stored[next++]!;
      try {
        await one(sha256);
      } catch (err) {
        result.failed.push({ file: join(root, sha256.slice(0, 2), sha256), reason: (err as Error).message });
      }
      done += 1;
      if (done % 500 === 0) log(`${done} / ${stored.length}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return result;
}
