/**
 * Attachments are content-addressed, `attachments/<ab>/<sha256>` in the file store (the data folder, or a
 * bucket: storage/store.ts); workflows carry only the reference (sha256, name, type, size). Storing the same
 * bytes twice is a no-op.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AttachmentRef } from '../domain/lifecycle.js';
import { fileStoreFor, FileStoreError, type StoreConfig } from './store.js';

/** An attachment's name in the store, relative to its root (what the read model records as storage_path). */
export function attachmentKey(sha256: string): string {
  return `attachments/${sha256.slice(0, 2)}/${sha256}`;
}

/** The file of an attachment kept in a data folder (the default store). */
export function attachmentPath(dataDir: string, sha256: string): string {
  return join(dataDir, attachmentKey(sha256));
}

/** The bytes of a stored attachment, or null when the store has none under that hash. */
export async function readAttachment(config: StoreConfig, sha256: string): Promise<Buffer | null> {
  return fileStoreFor(config).read(attachmentKey(sha256));
}

export async function hasAttachment(config: StoreConfig, sha256: string): Promise<boolean> {
  return fileStoreFor(config).has(attachmentKey(sha256));
}

/** A stream of a stored attachment (for a download), or null when there is none. */
export async function openAttachment(config: StoreConfig, sha256: string): Promise<Readable | null> {
  return fileStoreFor(config).open(attachmentKey(sha256));
}

/**
 * Bidirectional controls (U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM) make `photo\u202Egpj.exe` show as
 * `photoexe.jpg`; they are never needed in a file name.
 */
const BIDI_CONTROLS_RE = /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;

/** The name with control and bidirectional characters removed, as it will be shown. */
export function cleanFilename(name: string | null): string {
  // eslint-disable-next-line no-control-regex
  return (name ?? '').split(/[\\/]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, '').replace(BIDI_CONTROLS_RE, '').trim() ?? '';
}

/** A file name safe to show and to send back: no path, no control or bidirectional characters. */
export function safeFilename(name: string | null, sha256: string, contentType: string): string {
  const base = cleanFilename(name);
  if (base && base !== '.' && base !== '..') return base.slice(0, 200);
  const ext = contentType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') ?? 'bin';
  return `attachment-${sha256.slice(0, 8)}.${ext}`;
}

export async function storeAttachment(config: StoreConfig, content: Buffer, meta: { filename: string | null; contentType: string }): Promise<AttachmentRef> {
  const sha256 = createHash('sha256').update(content).digest('hex');
  const store = fileStoreFor(config);
  const key = attachmentKey(sha256);
  if (!(await store.has(key))) await store.put(key, content, meta.contentType);
  return { sha256, filename: safeFilename(meta.filename, sha256, meta.contentType), contentType: meta.contentType, size: content.length };
}

/**
 * What nodemailer attaches for a stored file: its path when the store is a data folder (streamed as the mail is
 * written), its bytes when it is a bucket. Throws when the file is not stored.
 */
export async function mailAttachmentSource(config: StoreConfig, sha256: string): Promise<{ path: string } | { content: Buffer }> {
  const store = fileStoreFor(config);
  if (store.kind === 'disk') return { path: attachmentPath(config.dataDir, sha256) };
  const content = await store.read(attachmentKey(sha256));
  if (!content) throw new FileStoreError('ESTORAGE', `The attachment ${sha256} is not in ${store.where}`);
  return { content };
}

/** The bytes of a stored attachment the caller knows is there (a report's photo); a FileStoreError when it is not. */
export async function mustRead(config: StoreConfig, sha256: string): Promise<Buffer> {
  const content = await readAttachment(config, sha256);
  if (!content) throw new FileStoreError('ESTORAGE', `The attachment ${sha256} is not in ${fileStoreFor(config).where}`);
  return content;
}
