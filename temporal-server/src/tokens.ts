// Task tokens are small JSON documents; anything else is answered INVALID_ARGUMENT.
import { invalidArgument } from './errors.js';

export interface WorkflowTaskToken {
  k: 'w';
  r: string; // run id
  s: number; // scheduled event id
  a: number; // attempt
}
export interface ActivityTaskToken {
  k: 'a';
  r: string;
  s: number;
  a: number;
}
export interface QueryTaskToken {
  k: 'q';
  id: string;
}
type Token = WorkflowTaskToken | ActivityTaskToken | QueryTaskToken;
type TokenOf<K extends Token['k']> = Extract<Token, { k: K }>;

export function encodeToken(t: Token): Buffer {
  return Buffer.from(JSON.stringify(t), 'utf8');
}

export function decodeToken<K extends Token['k']>(bytes: Uint8Array | null | undefined, kind: K): TokenOf<K> {
  if (!bytes || bytes.length === 0) throw invalidArgument('Task token not set on request.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalidArgument('Error deserializing task token: malformed token');
  }
  const t = parsed as Partial<Record<string, unknown>> | null;
  const ok =
    t !== null &&
    typeof t === 'object' &&
    t.k === kind &&
    (kind === 'q' ? typeof t.id === 'string' : typeof t.r === 'string' && typeof t.s === 'number' && typeof t.a === 'number');
  if (!ok) throw invalidArgument('Error deserializing task token: malformed token');
  return parsed as TokenOf<K>;
}
