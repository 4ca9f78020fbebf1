// Search attribute types, as a Temporal namespace registers them. Temporal stamps every stored
// value with its registered type (payload metadata "type"), which is how the SDK decodes a Datetime
// back into a Date and how typed search attributes find keys set through the untyped API.
import type { Obj } from './proto.js';

/** The dev server's predefined custom attributes (ListSearchAttributes shows them as custom). */
const PREDEFINED_CUSTOM: Readonly<Record<string, string>> = {
  CustomKeywordField: 'Keyword',
  CustomStringField: 'Text',
  CustomTextField: 'Text',
  CustomIntField: 'Int',
  CustomDatetimeField: 'Datetime',
  CustomDoubleField: 'Double',
  CustomBoolField: 'Bool',
};

/** Temporal's system attributes (those the SDK reads, and those queries use). */
const SYSTEM: Readonly<Record<string, string>> = {
  WorkflowId: 'Keyword',
  WorkflowType: 'Keyword',
  RunId: 'Keyword',
  ExecutionStatus: 'Keyword',
  TaskQueue: 'Keyword',
  StartTime: 'Datetime',
  CloseTime: 'Datetime',
  ExecutionTime: 'Datetime',
  ExecutionDuration: 'Int',
  HistoryLength: 'Int',
  HistorySizeBytes: 'Int',
  ParentWorkflowId: 'Keyword',
  ParentRunId: 'Keyword',
  RootWorkflowId: 'Keyword',
  RootRunId: 'Keyword',
  BuildIds: 'KeywordList',
  BinaryChecksums: 'KeywordList',
  TemporalChangeVersion: 'KeywordList',
  TemporalScheduledStartTime: 'Datetime',
  TemporalScheduledById: 'Keyword',
  TemporalSchedulePaused: 'Bool',
  TemporalWorkerDeploymentVersion: 'Keyword',
};

const REGISTERED: Readonly<Record<string, string>> = { ...PREDEFINED_CUSTOM, ...SYSTEM };

/** IndexedValueType numbers (OperatorService) and the type names stamped on values. */
const INDEXED_VALUE_TYPES = ['', 'Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'];
export const indexedValueTypeName = (n: number): string | undefined => INDEXED_VALUE_TYPES[n] || undefined;
export const indexedValueTypeNumber = (name: string): number => Math.max(0, INDEXED_VALUE_TYPES.indexOf(name));
/** Type names as the dev server's --search-attribute option spells them (case-insensitive). */
export const typeNameOf = (text: string): string | undefined => INDEXED_VALUE_TYPES.find((t) => t && t.toLowerCase() === text.toLowerCase());

type Payload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };

export class SearchAttributeTypes {
  /** Types first seen on a typed value, for attributes this server has no registration for. */
  private readonly learned = new Map<string, string>();
  /** Custom attributes added with OperatorService AddSearchAttributes (or --search-attribute). */
  private readonly custom = new Map<string, string>(Object.entries(PREDEFINED_CUSTOM));

  typeOf(key: string): string | undefined {
    return SYSTEM[key] ?? this.custom.get(key) ?? this.learned.get(key);
  }

  isSystem(key: string): boolean {
    return key in SYSTEM;
  }

  /** Register a custom attribute; false if it exists already with another type. */
  register(key: string, type: string): boolean {
    const existing = this.custom.get(key);
    if (existing && existing !== type) return false;
    this.custom.set(key, type);
    this.learned.delete(key);
    return true;
  }

  unregister(key: string): boolean {
    return this.custom.delete(key);
  }

  customTypes(): Map<string, string> {
    return this.custom;
  }

  systemTypes(): Readonly<Record<string, string>> {
    return SYSTEM;
  }

  /** Copy of `fields` with each value stamped with its type; values that clear a key are left as they are. */
  stamp(fields: Record<string, Obj> | null | undefined): Record<string, Obj> {
    const out: Record<string, Obj> = {};
    for (const [key, value] of Object.entries(fields ?? {})) {
      const payload = value as Payload;
      const given = payload.metadata?.type ? Buffer.from(payload.metadata.type).toString('utf8') : undefined;
      if (given) {
        if (!REGISTERED[key] && !this.custom.has(key)) this.learned.set(key, given);
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
