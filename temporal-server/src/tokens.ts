// Task tokens are small JSON documents. A token in Temporal's own format (a protobuf message, e.g.
// kept from a real server) names nothing here: NOT_FOUND, as a real server answers for a task it does
// not have. Anything else is answered INVALID_ARGUMENT.
import { invalidArgument, notFound } from './errors.js';

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
export interface NexusTaskToken {
  k: 'n';
  r: string; // the caller's run id
  s: number; // the operation's scheduled event id
  a: number; // start attempt
  c?: 1; // a cancel task
}
export interface QueryTaskToken {
  k: 'q';
  id: string;
}
type Token = WorkflowTaskToken | ActivityTaskToken | NexusTaskToken | QueryTaskToken;
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
    if (isProtobufMessage(bytes)) throw notFound(kind === 'q' ? 'query not found' : 'workflow execution not found');
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

/** Whether the bytes read as protobuf fields from end to end (how Temporal's task tokens are encoded). */
function isProtobufMessage(bytes: Uint8Array): boolean {
  let i = 0;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 64 && i < bytes.length; shift += 7) {
      const b = bytes[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    return undefined;
  };
  while (i < bytes.length) {
    const key = varint();
    if (key === undefined || key >>> 3 === 0) return false;
    switch (key & 7) {
      case 0:
        if (varint() === undefined) return false;
        break;
      case 1:
        i += 8;
        break;
      case 2: {
        const len = varint();
        if (len === undefined) return false;
        i += len;
        break;
      }
      case 5:
        i += 4;
        break;
      default:
        return false;
    }
  }
  return i === bytes.length;
}
