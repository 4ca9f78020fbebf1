// Search attribute types, as a Temporal namespace registers them. Temporal stamps every stored
// value with its registered type (payload metadata "type"), which is how the SDK decodes a Datetime
// back into a Date and how typed search attributes find keys set through the untyped API.
import type { Obj } from './proto.js';

/** Temporal's system attributes the SDK reads, and the dev server's predefined custom ones. */
const REGISTERED: Readonly<Record<string, string>> = {
  CustomKeywordField: 'Keyword',
  CustomStringField: 'Text',
  CustomTextField: 'Text',
  CustomIntField: 'Int',
  CustomDatetimeField: 'Datetime',
  CustomDoubleField: 'Double',
  CustomBoolField: 'Bool',
  BuildIds: 'KeywordList',
  BinaryChecksums: 'KeywordList',
  TemporalChangeVersion: 'KeywordList',
  TemporalScheduledStartTime: 'Datetime',
  TemporalScheduledById: 'Keyword',
  TemporalSchedulePaused: 'Bool',
  TemporalWorkerDeploymentVersion: 'Keyword',
};

type Payload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };

export class SearchAttributeTypes {
  /** Types first seen on a typed value, for attributes this server has no registration for. */
  private readonly learned = new Map<string, string>();

  typeOf(key: string): string | undefined {
    return REGISTERED[key] ?? this.learned.get(key);
  }

  /** Copy of `fields` with each value stamped with its type; values that clear a key are left as they are. */
  stamp(fields: Record<string, Obj> | null | undefined): Record<string, Obj> {
    const out: Record<string, Obj> = {};
    for (const [key, value] of Object.entries(fields ?? {})) {
      const payload = value as Payload;
      const given = payload.metadata?.type ? Buffer.from(payload.metadata.type).toString('utf8') : undefined;
      if (given) {
        if (!REGISTERED[key]) this.learned.set(key, given);
        out[key] = value;
        continue;
      }
      const type = this.typeOf(key);
      out[key] = type && !clears(value) ? { ...payload, metadata: { ...(payload.metadata ?? {}), type: Buffer.from(type) } } : value;
    }
    return out;
  }
}

/** Whether a search attribute or memo value removes its key (null, or an empty list). */
export function clears(value: Obj | null | undefined): boolean {
  if (!value) return true;
  const payload = value as Payload;
  const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString('utf8') : '';
  if (encoding === 'binary/null') return true;
  const data = payload.data ? Buffer.from(payload.data).toString('utf8').trim() : '';
  return encoding.startsWith('json/') && (data === 'null' || data === '[]');
}

/** Whether a memo value removes its key: only null does (an empty list is a value). */
export function clearsMemo(value: Obj | null | undefined): boolean {
  if (!value) return true;
  const payload = value as Payload;
  const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString('utf8') : '';
  const data = payload.data ? Buffer.from(payload.data).toString('utf8').trim() : '';
  return encoding === 'binary/null' || (encoding.startsWith('json/') && data === 'null');
}

/** Apply an upsert: set the given keys, remove those whose value clears them. */
export function upsertInto(
  target: Record<string, Obj>,
  fields: Record<string, Obj> | null | undefined,
  removes: (value: Obj | null | undefined) => boolean = clears,
): void {
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (removes(value)) delete target[key];
    else target[key] = value;
  }
}

/** A keyword-list payload (json/plain), stamped KeywordList. */
export function keywordList(values: string[]): Obj {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('KeywordList') },
    data: Buffer.from(JSON.stringify(values)),
  };
}
