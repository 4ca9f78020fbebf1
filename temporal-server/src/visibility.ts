// A small parser for the visibility query language: WorkflowType, WorkflowId and ExecutionStatus
// compared with = or !=, combined with AND / OR and parentheses. Anything else is INVALID_ARGUMENT.
import { invalidArgument } from './errors.js';
import { Status } from './proto.js';

export interface Filterable {
  workflowType: string;
  workflowId: string;
  status: number;
}

export type Predicate = (r: Filterable) => boolean;

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

const FIELDS = ['WorkflowType', 'WorkflowId', 'ExecutionStatus'] as const;
type Field = (typeof FIELDS)[number];

type Tok = { kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen'; text: string; pos: number };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c, pos: i });
      i++;
    } else if (c === "'" || c === '"') {
      const end = q.indexOf(c, i + 1);
      if (end < 0) throw invalidArgument(`invalid query: unterminated string at position ${i + 1}`);
      out.push({ kind: 'string', text: q.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (/^(!=|>=|<=|=|>|<)/.test(q.slice(i))) {
      const op = /^(!=|>=|<=|=|>|<)/.exec(q.slice(i))![0];
      out.push({ kind: 'op', text: op, pos: i });
      i += op.length;
    } else {
      const m = /^[A-Za-z0-9_.-]+/.exec(q.slice(i));
      if (!m) throw invalidArgument(`invalid query: unexpected character '${c}' at position ${i + 1}`);
      out.push({ kind: 'word', text: m[0], pos: i });
      i += m[0].length;
    }
  }
  return out;
}

export function parseQuery(query: string | null | undefined): Predicate {
  const q = (query ?? '').trim();
  if (!q) return () => true;
  const toks = tokenize(q);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isKeyword = (t: Tok | undefined, kw: string) => t?.kind === 'word' && t.text.toUpperCase() === kw;

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
    let left = parseTerm();
    while (isKeyword(peek(), 'AND')) {
      p++;
      const l = left;
      const r = parseTerm();
      left = (x) => l(x) && r(x);
    }
    return left;
  };
  const parseTerm = (): Predicate => {
    const t = toks[p++];
    if (!t) throw invalidArgument('invalid query: unexpected end of query');
    if (t.kind === 'lparen') {
      const inner = parseOr();
      if (toks[p++]?.kind !== 'rparen') throw invalidArgument('invalid query: missing closing parenthesis');
      return inner;
    }
    if (t.kind !== 'word' || !(FIELDS as readonly string[]).includes(t.text))
      throw invalidArgument(
        `invalid query: unsupported search attribute '${t.text}' (this test server supports ${FIELDS.join(', ')} with = and !=, AND, OR and parentheses)`,
      );
    const field = t.text as Field;
    const op = toks[p++];
    if (op?.kind !== 'op' || (op.text !== '=' && op.text !== '!='))
      throw invalidArgument(`invalid query: expected = or != after ${field}${op ? `, got '${op.text}'` : ''} (other operators are not supported)`);
    const v = toks[p++];
    if (v?.kind !== 'string') throw invalidArgument(`invalid query: expected a quoted value after ${field} ${op.text}`);
    const test = compile(field, v.text);
    return op.text === '=' ? test : (x) => !test(x);
  };

  const pred = parseOr();
  if (p < toks.length) throw invalidArgument(`invalid query: unexpected '${toks[p]!.text}' at position ${toks[p]!.pos + 1}`);
  return pred;
}

function compile(field: Field, value: string): Predicate {
  switch (field) {
    case 'WorkflowType':
      return (r) => r.workflowType === value;
    case 'WorkflowId':
      return (r) => r.workflowId === value;
    case 'ExecutionStatus': {
      const status = STATUS_NAMES[value.toLowerCase()];
      if (status === undefined) throw invalidArgument(`invalid query: unknown ExecutionStatus '${value}'`);
      return (r) => r.status === status;
    }
  }
}
