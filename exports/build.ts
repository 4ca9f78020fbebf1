/**
 * The 考核 book of a period, computed from the facts every time (never stored totals): the pieces are the
 * reports received in the period and approved; their uses (录用) whenever recorded; 迟报 are the reports
 * received late in the period; 漏报 the expected reports due in it that never came; 瞒报 what the office
 * recorded for it. domain/scoring.ts turns those into points with reasons.
 *
 *   const book = await scoringBook(database, { ...school, from: '2026-08-15', to: '2027-02-14', label: '2026年秋季学期' });
 */
import type { Database } from '../db/connect.js';
import { ReportUses, type Use } from '../db/uses.js';
import { computeStats, type Department } from '../digest/figures.js';
import { bestUse, rankDepartments, sizeFromChars, scoreLines, USE_LEVELS, type Piece, type ScoringFacts, type ScoringSheet, type UseLevel } from '../domain/scoring.js';
import { addDays, fromLocal, parseLocalDate, type LocalDate } from '../domain/time.js';
import type { Locale } from '../templates/types.js';
import type { DepartmentScore, DepartmentTerm, Highlight, PersonScore, ScoringBook, TermFigures, TermSummary, UseRow } from './book.js';

export interface BookOptions {
  school: string;
  locale: Locale;
  timeZone: string;
  departments: readonly Department[];
  sheet: ScoringSheet;
  /** Text at least this long (characters without spaces) is guessed 详讯. */
  detailedFromChars: number;
  /** First and last day (included), the school's local dates. */
  from: LocalDate;
  to: LocalDate;
  label: string;
  now?: Date;
}

interface Gathered {
  book: ScoringBook;
  facts: ScoringFacts;
  pieces: Piece[];
  uses: Use[];
}

/** The first moment of `from` and of the day after `to`, in the school's zone. */
export function periodBounds(o: Pick<BookOptions, 'from' | 'to' | 'timeZone'>): { start: Date; end: Date } {
  const at = (d: LocalDate) => fromLocal({ ...parseLocalDate(d), hour: 0, minute: 0, second: 0 }, o.timeZone);
  return { start: at(o.from), end: at(addDays(o.to, 1)) };
}

async function gather(database: Database, o: BookOptions): Promise<Gathered> {
  const { start, end } = periodBounds(o);
  const nameOf = (id: string) => o.departments.find((d) => d.id === id)?.name ?? id;
  const store = new ReportUses(database);
  const reports = await database.db
    .selectFrom('reports')
    .select(['id', 'title', 'department_id', 'submitter_name', 'submitter_email', 'timeliness', 'decided_at', 'status'])
    .where('received_at', '>=', start.toISOString())
    .where('received_at', '<', end.toISOString())
    .orderBy('id')
    .execute();
  const approved = reports.filter((r) => r.decided_at !== null && r.status !== 'withdrawn' && r.status !== 'expired');
  const ids = approved.map((r) => r.id);
  const [uses, sizes] = await Promise.all([store.usesOf(ids), store.pieces(ids)]);
  const usesOf = new Map<string, Use[]>();
  for (const u of uses) usesOf.set(u.reportId, [...(usesOf.get(u.reportId) ?? []), u]);
  const pieces: Piece[] = approved.map((r) => {
    const facts = sizes.get(r.id);
    return {
      reportId: r.id,
      title: r.title,
      department: nameOf(r.department_id),
      author: r.submitter_name ?? r.submitter_email,
      size: facts?.size ?? sizeFromChars(facts?.chars ?? 0, o.detailedFromChars),
      uses: (usesOf.get(r.id) ?? []).map((u) => ({ level: u.level, kind: u.kind, outlet: u.outlet })),
    };
  });
  const missing = await database.db
    .selectFrom('expected_reports')
    .select(['department_id', 'title'])
    .where('status', '=', 'missing')
    .where('due_at', '>=', start.toISOString())
    .where('due_at', '<', end.toISOString())
    .orderBy('due_at')
    .execute();
  const concealed = await store.concealedBetween(o.from, o.to);
  const facts: ScoringFacts = {
    pieces,
    late: reports.filter((r) => r.timeliness === 'late').map((r) => ({ reportId: r.id, department: nameOf(r.department_id), author: r.submitter_name ?? r.submitter_email })),
    missing: missing.map((m) => ({ department: nameOf(m.department_id), expectation: m.title })),
    concealed: concealed.map((c) => ({ department: nameOf(c.departmentId), incident: c.incident })),
  };

  const rows: UseRow[] = [];
  for (const piece of pieces) {
    const best = bestUse(o.sheet, piece);
    const own = usesOf.get(piece.reportId) ?? [];
    own.forEach((u, i) =>
      rows.push({ reportId: piece.reportId, title: piece.title, department: piece.department, author: piece.author, size: piece.size, outlet: u.outlet, level: u.level, kind: u.kind, usedOn: u.usedOn, where: u.ref, counted: best?.index === i }),
    );
  }
  rows.sort((a, b) => a.usedOn.localeCompare(b.usedOn) || a.reportId.localeCompare(b.reportId));

  const ranked = rankDepartments(o.sheet, facts);
  // Every configured department is on the sheet, with 0 when it did nothing (that is a figure too).
  const names = [...new Set([...o.departments.map((d) => d.name), ...ranked.map((r) => r.department)])];
  const all = names
    .map((department) => ranked.find((r) => r.department === department) ?? { department, points: 0, lines: [] })
    .sort((a, b) => b.points - a.points || names.indexOf(a.department) - names.indexOf(b.department));
  const departments: DepartmentScore[] = all.map((r, i) => {
    const own = pieces.filter((p) => p.department === r.department);
    return {
      rank: rankOf(all, i, (x) => x.points),
      department: r.department,
      points: round(r.points),
      pieces: own.length,
      used: own.filter((p) => bestUse(o.sheet, p) !== undefined).length,
      late: facts.late.filter((l) => l.department === r.department).length,
      missing: facts.missing.filter((m) => m.department === r.department).length,
      concealed: facts.concealed.filter((c) => c.department === r.department).length,
      lines: r.lines.map((l) => ({ points: l.points, reason: l.reason, ...(l.reportId ? { reportId: l.reportId } : {}), ...(l.author ? { author: l.author } : {}) })),
    };
  });

  const people = new Map<string, { department: string; points: number }>();
  for (const line of scoreLines(o.sheet, facts)) {
    if (line.author === undefined) continue;
    const p = people.get(line.author) ?? { department: line.department, points: 0 };
    p.points += line.points;
    people.set(line.author, p);
  }
  const personRows = [...people].map(([author, p]) => ({ author, ...p })).sort((a, b) => b.points - a.points || a.author.localeCompare(b.author, 'zh'));
  const peopleScores: PersonScore[] = personRows.map((p, i) => ({ rank: rankOf(personRows, i, (x) => x.points), author: p.author, department: p.department, points: round(p.points) }));

  const book: ScoringBook = { locale: o.locale, school: o.school, periodLabel: o.label, from: o.from, to: o.to, generatedAt: (o.now ?? new Date()).toISOString(), uses: rows, departments, people: peopleScores };
  return { book, facts, pieces, uses };
}

/** Equal points share a rank (1, 2, 2, 4). */
function rankOf<T>(sorted: readonly T[], i: number, points: (x: T) => number): number {
  let j = i;
  while (j > 0 && points(sorted[j - 1]!) === points(sorted[i]!)) j--;
  return j + 1;
}

/** Points may be halves (a sheet may say 0.5): never show 2.9999999. */
const round = (n: number) => Math.round(n * 100) / 100;

export async function scoringBook(database: Database, o: BookOptions): Promise<ScoringBook> {
  return (await gather(database, o)).book;
}

/** Everything the term 工作总结 says, but its paragraphs (exports/summary-text.ts drafts those). */
export async function termFacts(database: Database, o: BookOptions): Promise<Omit<TermSummary, 'paragraphs'>> {
  const { book, pieces, uses } = await gather(database, o);
  const { start, end } = periodBounds(o);
  const stats = await computeStats(database, { from: start, to: end, timeZone: o.timeZone, departments: o.departments });
  const usesByLevel = Object.fromEntries(USE_LEVELS.map((l) => [l, uses.filter((u) => u.level === l).length])) as Record<UseLevel, number>;
  const used = (p: Piece) => bestUse(o.sheet, p) !== undefined;
  const figures: TermFigures = {
    submitted: stats.school.submitted,
    onTime: stats.school.onTime,
    late: stats.school.late,
    missing: stats.school.missing,
    returned: stats.school.returned,
    approved: pieces.length,
    published: stats.school.published,
    usesByLevel,
    piecesUsed: pieces.filter(used).length,
  };
  const perDepartment: DepartmentTerm[] = book.departments.map((d) => {
    const s = stats.departments.find((x) => x.name === d.department);
    return { department: d.department, submitted: s?.submitted ?? 0, onTime: s?.onTime ?? 0, late: s?.late ?? 0, missing: s?.missing ?? 0, returned: s?.returned ?? 0, published: s?.published ?? 0, used: d.used, points: d.points, rank: d.rank };
  });
  const highlights: Highlight[] = pieces
    .map((p) => ({ p, best: bestUse(o.sheet, p) }))
    .filter((x): x is { p: Piece; best: NonNullable<ReturnType<typeof bestUse>> } => x.best !== undefined)
    .sort((a, b) => b.best.points - a.best.points || b.p.uses.length - a.p.uses.length || a.p.reportId.localeCompare(b.p.reportId))
    .slice(0, 5)
    .map(({ p, best }) => ({ reportId: p.reportId, title: p.title, department: p.department, best: `${best.use.outlet}（${best.use.level}${best.use.kind}）`, uses: p.uses.length, points: best.points }));
  return { ...book, figures, perDepartment, highlights };
}
