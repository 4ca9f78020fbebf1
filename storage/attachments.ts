/**
 * Attachments live on disk, content-addressed under <dataDir>/attachments/<ab>/<sha256>; workflows
 * carry only the reference (sha256, name, type, size). Storing the same bytes twice is a no-op.
 */
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttachmentRef } from '../domain/lifecycle.js';

/** Where an attachment's bytes are, relative to the data directory (what the read model records). */
export function attachmentRelativePath(sha256: string): string {
  return join('attachments', sha256.slice(0, 2), sha256);
}

export function attachmentPath(dataDir: string, sha256: string): string {
  return join(dataDir, attachmentRelativePath(sha256));
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

export async function storeAttachment(dataDir: string, content: Buffer, meta: { filename: string | null; contentType: string }): Promise<AttachmentRef> {
  const sha256 = createHash('sha256').update(content).digest('hex');
  const file = attachmentPath(dataDir, sha256);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await mkdir(join(file, '..'), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, content);
    await rename(tmp, file); // atomic: a crash never leaves half a file under the final name
  }
  return { sha256, filename: safeFilename(meta.filename, sha256, meta.contentType), contentType: meta.contentType, size: content.length };
}
