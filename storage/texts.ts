/**
 * Long texts (a report's body, a revision, a comment, a send-back reason) are stored like attachments,
 * content-addressed in the file store (storage/store.ts), before anything is signalled: the workflow
 * gets a readable excerpt and the reference, never the megabytes (Temporal limits a payload to 2 MB and
 * a query answer to gRPC's 4 MB). Short texts travel whole.
 *
 *   const { text, ref } = await keepText(config, mail.body);
 *   await handle.signal(commentSignal, { ...base, text, textRef: ref });
 */
import { excerpt, INLINE_TEXT_CHARS, type TextRef } from '../domain/lifecycle.js';
import { readAttachment, storeAttachment } from './attachments.js';
import type { StoreConfig } from './store.js';
import { type ErrorCode } from '../domain/errors.js';

export interface KeptText {
  /** The whole text when short, else its excerpt. */
  text: string;
  /** Where the whole text is stored, when it was long. */
  ref: TextRef | null;
}

export class TextStoreError extends Error {
  readonly code = 'ETEXT_STORE' satisfies ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TextStoreError';
  }
}

/** Stores `text` when it is longer than the workflow keeps inline; returns what to send the workflow. */
export async function keepText(config: StoreConfig, text: string): Promise<KeptText> {
  const whole = text.trim();
  if (whole.length <= INLINE_TEXT_CHARS) return { text: whole, ref: null };
  const stored = await storeAttachment(config, Buffer.from(whole, 'utf8'), { filename: 'text.txt', contentType: 'text/plain' });
  return { text: excerpt(whole), ref: { sha256: stored.sha256, size: stored.size } };
}

/** The whole text behind a reference. */
export async function loadText(config: StoreConfig, ref: TextRef): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(ref.sha256)) throw new TextStoreError(`Not a stored text reference: ${JSON.stringify(ref.sha256)}`);
  let bytes: Buffer | null;
  try {
    bytes = await readAttachment(config, ref.sha256);
  } catch (err) {
    throw new TextStoreError(`The stored text ${ref.sha256} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (!bytes) throw new TextStoreError(`The stored text ${ref.sha256} is not in the file store`);
  return bytes.toString('utf8');
}

/** The whole text when it can be read, else what the workflow kept (a page still shows the excerpt). */
export async function wholeText(config: StoreConfig, kept: { text: string; ref: TextRef | null | undefined }, maxChars = Infinity): Promise<string> {
  if (!kept.ref) return kept.text;
  const whole = await loadText(config, kept.ref).catch(() => kept.text);
  return whole.length > maxChars ? excerpt(whole, maxChars) : whole;
}
