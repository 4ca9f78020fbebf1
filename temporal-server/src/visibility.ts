// The visibility query language of List/CountWorkflowExecutions (and ListSchedules), as Temporal's
// SQL-like dialect has it: comparisons (=, !=, <, <=, >, >=), IN / NOT IN, BETWEEN … AND …,
// STARTS_WITH, IS [NOT] NULL, NOT, AND / OR and parentheses, ORDER BY, and GROUP BY ExecutionStatus
// (Count only). Fields: the system attributes below and any search attribute a workflow carries
// (compared with its stored value; a keyword list matches if any element does). Anything else is
// INVALID_ARGUMENT naming what is not understood.
import { invalidArgument } from './errors.js';
import { Status, type Obj } from './proto.js';

/** What a query can see of one workflow execution (or schedule). */
export interface Filterable {
  workflowType: string;
  workflowId: string;
  status: number;
  runId?: string;
  taskQueue?: string;
  startTime?: number;
  closeTime?: number;
  executionTime?: number;
  historyLength?: number;
  parentWorkflowId?: string;
  parentRunId?: string;
  rootWorkflowId?: string;
  rootRunId?: string;
  /** Search attributes as stored (payloads). */
  searchAttributes?: Record<string, Obj>;
}

export type Predicate = (r: Filterable) => boolean;

export interface ParsedQuery {
  filter: Predicate;
  /** GROUP BY field (only ExecutionStatus is supported, as in Temporal). */
  groupBy?: 'ExecutionStatus';
  /** ORDER BY: compare two records (stable for equal keys). */
  order?: (a: Filterable, b: Filterable) => number;
}

const STATUS_NAMES: Record<string, number> = {
  running: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
  completed: Status.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  failed: Status.WORKFLOW_EXECUTION_STATUS_FAILED,
  canceled: Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
  cancelled: Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
  terminated: Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  continuedasnew: Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
  timedout: Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
};

/** The name Temporal gives each status in queries and GROUP BY values. */
export const STATUS_DISPLAY: Record<number, string> = {
  [Status.WORKFLOW_EXECUTION_STATUS_RUNNING]: 'Running',
  [Status.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'Completed',
  [Status.WORKFLOW_EXECUTION_STATUS_FAILED]: 'Failed',
  [Status.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'Canceled',
  [Status.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'Terminated',
  [Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW]: 'ContinuedAsNew',
  [Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'TimedOut',
};

type Scalar = string | number | boolean;
type Value = Scalar | undefined;

/** System attributes: how each reads a record, and whether it holds a time. */
const SYSTEM: Record<string, { get: (r: Filterable) => Value | Value[]; time?: boolean }> = {
  WorkflowType: { get: (r) => r.workflowType },
  WorkflowId: { get: (r) => r.workflowId },
  RunId: { get: (r) => r.runId },
  ExecutionStatus: { get: (r) => STATUS_DISPLAY[r.status] },
  TaskQueue: { get: (r) => r.taskQueue },
  StartTime: { get: (r) => r.startTime, time: true },
  CloseTime: { get: (r) => r.closeTime || undefined, time: true },
  ExecutionTime: { get: (r) => r.executionTime, time: true },
  HistoryLength: { get: (r) => r.historyLength },
  ParentWorkflowId: { get: (r) => r.parentWorkflowId },
  ParentRunId: { get: (r) => r.parentRunId },
  RootWorkflowId: { get: (r) => r.rootWorkflowId },
  RootRunId: { get: (r) => r.rootRunId },
};

type Tok = { kind: 'word' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma'; text: string; pos: number };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    const rest = q.slice(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, pos: i });
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = q.indexOf(c, i + 1);
      if (end < 0) throw invalidArgument(`invalid query: unterminated string at position ${i + 1}`);
      // Backquotes name an attribute (`Custom Field`), quotes hold a value.
      out.push({ kind: c === '`' ? 'word' : 'string', text: q.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (/^(!=|<>|>=|<=|=|>|<)/.test(rest)) {
      const op = /^(!=|<>|>=|<=|=|>|<)/.exec(rest)![0];
      out.push({ kind: 'op', text: op === '<>' ? '!=' : op, pos: i });
      i += op.length;
    } else if (/^-?\d/.test(rest)) {
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(rest)!;
      out.push({ kind: 'number', text: m[0], pos: i });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(rest);
      if (!m) throw invalidArgument(`invalid query: unexpected character '${c}' at position ${i + 1}`);
      out.push({ kind: 'word', text: m[0], pos: i });
      i += m[0].length;
    }
  }
  return out;
}

export function parseQuery(query: string | null | undefined): ParsedQuery {
  const q = (query ?? '').trim();
  if (!q) return { filter: () => true };
  const toks = tokenize(q);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isKeyword = (t: Tok | undefined, kw: string) => t?.kind === 'word' && t.text.toUpperCase() === kw;
  const expectKeyword = (kw: string): void => {
    if (!isKeyword(toks[p], kw)) throw invalidArgument(`invalid query: expected ${kw}${toks[p] ? ` at position ${toks[p]!.pos + 1}` : ' at the end'}`);
    p++;
  };

  const parseOr = (): Predicate => {
    let left = parseAnd();
    while (isKeyword(peek(), 'OR')) {
      p++;
      const l = left;
      const r = parseAnd();
      left = (x) => l(x) || r(x);
    }
    return left;
  };
  const parseAnd = (): Predicate => {
    let left = parseNot();
    while (isKeyword(peek(), 'AND')) {
      p++;
      const l = left;
      const r = parseNot();
      left = (x) => l(x) && r(x);
    }
    return left;
  };
  const parseNot = (): Predicate => {
    if (isKeyword(peek(), 'NOT')) {
      p++;
      const inner = parseNot();
      return (x) => !inner(x);
    }
    return parseTerm();
  };
  const parseValue = (field: Field): Scalar => {
    const v = toks[p++];
    if (v?.kind === 'string') return field.time ? timeOf(v.text) : v.text;
    if (v?.kind === 'number') return Number(v.text);
    if (isKeyword(v, 'TRUE')) return true;
    if (isKeyword(v, 'FALSE')) return false;
    throw invalidArgument(`invalid query: expected a value after ${field.name}${v ? `, got '${v.text}'` : ''}`);
  };
  const parseTerm = (): Predicate => {
    const t = toks[p++];
    if (!t) throw invalidArgument('invalid query: unexpected end of query');
    if (t.kind === 'lparen') {
      const inner = parseOr();
      if (toks[p++]?.kind !== 'rparen') throw invalidArgument('invalid query: missing closing parenthesis');
      return inner;
    }
    if (t.kind !== 'word') throw invalidArgument(`invalid query: expected a search attribute at position ${t.pos + 1}, got '${t.text}'`);
    const field = fieldOf(t.text);
    const next = toks[p];
    if (isKeyword(next, 'IS')) {
      p++;
      const negated = isKeyword(peek(), 'NOT') ? (p++, true) : false;
      expectKeyword('NULL');
      return (x) => (values(field, x).length === 0) !== negated;
    }
    const negated = isKeyword(next, 'NOT') ? (p++, true) : false;
    if (isKeyword(peek(), 'IN')) {
      p++;
      if (toks[p++]?.kind !== 'lparen') throw invalidArgument(`invalid query: expected ( after ${field.name} IN`);
      const list: Scalar[] = [parseValue(field)];
      while (toks[p]?.kind === 'comma') {
        p++;
        list.push(parseValue(field));
      }
      if (toks[p++]?.kind !== 'rparen') throw invalidArgument(`invalid query: expected ) to close ${field.name} IN (…)`);
      return (x) => values(field, x).some((v) => list.some((w) => equal(v, w))) !== negated;
    }
    if (isKeyword(peek(), 'BETWEEN')) {
      p++;
      const low = parseValue(field);
      expectKeyword('AND');
      const high = parseValue(field);
      return (x) => values(field, x).some((v) => compare(v, low) >= 0 && compare(v, high) <= 0) !== negated;
    }
    if (isKeyword(peek(), 'STARTS_WITH')) {
      p++;
      const prefix = String(parseValue(field));
      return (x) => values(field, x).some((v) => typeof v === 'string' && v.startsWith(prefix)) !== negated;
    }
    if (negated) throw invalidArgument(`invalid query: expected IN, BETWEEN or STARTS_WITH after ${field.name} NOT`);
    const op = toks[p++];
    if (op?.kind !== 'op') throw invalidArgument(`invalid query: expected an operator after ${field.name}${op ? `, got '${op.text}'` : ''}`);
    const value = parseValue(field);
    switch (op.text) {
      case '=':
        return (x) => values(field, x).some((v) => equal(v, value));
      case '!=':
        return (x) => !values(field, x).some((v) => equal(v, value));
      case '<':
        return (x) => values(field, x).some((v) => compare(v, value) < 0);
      case '<=':
        return (x) => values(field, x).some((v) => compare(v, value) <= 0);
      case '>':
        return (x) => values(field, x).some((v) => compare(v, value) > 0);
      default:
        return (x) => values(field, x).some((v) => compare(v, value) >= 0);
    }
  };

  // The filter may be empty ("ORDER BY StartTime" alone).
  const filter = isKeyword(peek(), 'ORDER') || isKeyword(peek(), 'GROUP') ? () => true : parseOr();
  const result: ParsedQuery = { filter };
  while (p < toks.length) {
    if (isKeyword(peek(), 'GROUP')) {
      p++;
      expectKeyword('BY');
      const g = toks[p++];
      if (g?.text !== 'ExecutionStatus') throw invalidArgument(`invalid query: GROUP BY supports ExecutionStatus only${g ? `, got '${g.text}'` : ''}`);
      result.groupBy = 'ExecutionStatus';
    } else if (isKeyword(peek(), 'ORDER')) {
      p++;
      expectKeyword('BY');
      const f = toks[p++];
      if (f?.kind !== 'word') throw invalidArgument('invalid query: expected a search attribute after ORDER BY');
      const field = fieldOf(f.text);
      const desc = isKeyword(peek(), 'DESC') ? (p++, true) : isKeyword(peek(), 'ASC') ? (p++, false) : false;
      result.order = (a, b) => {
        const c = compare(values(field, a)[0], values(field, b)[0]);
        return desc ? -c : c;
      };
    } else {
      throw invalidArgument(`invalid query: unexpected '${toks[p]!.text}' at position ${toks[p]!.pos + 1}`);
    }
  }
  return result;
}

interface Field {
  name: string;
  time: boolean;
  get: (r: Filterable) => Value | Value[];
}

function fieldOf(name: string): Field {
  const system = SYSTEM[name];
  if (system) return { name, time: !!system.time, get: system.get };
  // A custom search attribute: its stored value (datetimes as epoch milliseconds).
  return { name, time: false, get: (r) => decodeAttribute(r.searchAttributes?.[name]) };
}

function values(field: Field, r: Filterable): Scalar[] {
  const v = field.get(r);
  return (Array.isArray(v) ? v : [v]).filter((x): x is Scalar => x !== undefined && x !== null);
}

function timeOf(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalidArgument(`invalid query: '${text}' is not a date and time (RFC 3339)`);
  return ms;
}

function equal(a: Scalar, b: Scalar): boolean {
  if (typeof a === 'number' && typeof b === 'string') return a === timeOrNumber(b);
  if (typeof a === 'string' && typeof b === 'string') return a === b || a.toLowerCase() === b.toLowerCase() && isStatusName(a);
  return a === b;
}

function compare(a: Scalar | undefined, b: Scalar | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'string') return a - timeOrNumber(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function timeOrNumber(s: string): number {
  const n = Number(s);
  return Number.isNaN(n) ? Date.parse(s) : n;
}

function isStatusName(s: string): boolean {
  return STATUS_NAMES[s.toLowerCase()] !== undefined;
}

type Payload = { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null };

/** A stored search attribute value as scalars (a datetime as epoch milliseconds). */
function decodeAttribute(value: Obj | undefined): Value[] {
  if (!value) return [];
  const payload = value as Payload;
  const type = payload.metadata?.type ? Buffer.from(payload.metadata.type).toString('utf8') : '';
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'));
  } catch {
    return [];
  }
  const list = Array.isArray(decoded) ? decoded : [decoded];
  return list
    .filter((x): x is Scalar => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')
    .map((x) => (type === 'Datetime' && typeof x === 'string' ? Date.parse(x) : x));
}
