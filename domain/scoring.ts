/**
 * 考核: the scoring sheet. Pure — input is the facts (pieces sent, their uses, late/missing/瞒报 records) and
 * the rule sheet; output is points per department and per person, each with its reason. Totals are always
 * recomputed from facts so they can never drift from what happened.
 */

export type UseLevel = '校级' | '县区级' | '市级' | '省级' | '国家级';
export type PieceSize = '简讯' | '详讯';

export const USE_LEVELS: readonly UseLevel[] = ['校级', '县区级', '市级', '省级', '国家级'];
const LEVEL_RANK: Record<UseLevel, number> = { 校级: 0, 县区级: 1, 市级: 2, 省级: 3, 国家级: 4 };

/** One line of the sheet: a use at this level (and, if given, of this kind) earns these points. */
export interface ScoringRule {
  level: UseLevel;
  /** e.g. 网站, 简报, 报刊, 电视; absent = any kind at that level. */
  kind?: string | undefined;
  points: Record<PieceSize, number>;
}

export interface ScoringSheet {
  /** Points for a piece sent but not used anywhere. */
  sentNotUsed: Record<PieceSize, number>;
  rules: readonly ScoringRule[];
  /** Deductions, as positive numbers. */
  deductions: { late: number; missing: number; concealed: number };
}

export interface PieceUse {
  level: UseLevel;
  kind: string;
  outlet: string;
}

export interface Piece {
  reportId: string;
  title: string;
  department: string;
  author: string;
  size: PieceSize;
  uses: readonly PieceUse[];
}

export interface ScoringFacts {
  pieces: readonly Piece[];
  late: readonly { reportId: string; department: string; author?: string | undefined }[];
  missing: readonly { department: string; expectation: string }[];
  concealed: readonly { department: string; incident: string }[];
}

export interface PointLine {
  department: string;
  author?: string | undefined;
  points: number;
  reason: string;
  reportId?: string | undefined;
}

export interface RankingRow {
  department: string;
  points: number;
  lines: PointLine[];
}

function ruleFor(sheet: ScoringSheet, use: PieceUse): ScoringRule | undefined {
  return (
    sheet.rules.find((r) => r.level === use.level && r.kind === use.kind) ??
    sheet.rules.find((r) => r.level === use.level && r.kind === undefined)
  );
}

/** The use a piece is scored by: its best-paying one (ties: the higher level, then the earlier). Undefined when no use scores. */
export function bestUse(sheet: ScoringSheet, piece: Piece): { points: number; use: PieceUse; index: number } | undefined {
  let best: { points: number; use: PieceUse; index: number } | undefined;
  piece.uses.forEach((use, index) => {
    const rule = ruleFor(sheet, use);
    if (!rule) return;
    const points = rule.points[piece.size];
    if (!best || points > best.points || (points === best.points && LEVEL_RANK[use.level] > LEVEL_RANK[best.use.level])) best = { points, use, index };
  });
  return best;
}

/** A piece counts once, at its best-paying use. */
export function scorePiece(sheet: ScoringSheet, piece: Piece): PointLine {
  const best = bestUse(sheet, piece);
  if (!best) {
    return {
      department: piece.department,
      author: piece.author,
      reportId: piece.reportId,
      points: sheet.sentNotUsed[piece.size],
      reason: `《${piece.title}》报送未录用（${piece.size}）`,
    };
  }
  const more = piece.uses.length > 1 ? `，共录用 ${piece.uses.length} 次，按最高一次计` : '';
  return {
    department: piece.department,
    author: piece.author,
    reportId: piece.reportId,
    points: best.points,
    reason: `《${piece.title}》被${best.use.outlet}（${best.use.level}${best.use.kind}）录用（${piece.size}）${more}`,
  };
}

export function scoreLines(sheet: ScoringSheet, facts: ScoringFacts): PointLine[] {
  const lines = facts.pieces.map((p) => scorePiece(sheet, p));
  for (const l of facts.late)
    lines.push({ department: l.department, author: l.author, reportId: l.reportId, points: -sheet.deductions.late, reason: `迟报（${l.reportId}）` });
  for (const m of facts.missing)
    lines.push({ department: m.department, points: -sheet.deductions.missing, reason: `漏报：${m.expectation}` });
  for (const c of facts.concealed)
    lines.push({ department: c.department, points: -sheet.deductions.concealed, reason: `瞒报：${c.incident}` });
  return lines;
}

/** Departments by points, highest first; ties in name order so the ranking is stable. */
export function rankDepartments(sheet: ScoringSheet, facts: ScoringFacts): RankingRow[] {
  const rows = new Map<string, RankingRow>();
  for (const line of scoreLines(sheet, facts)) {
    const row = rows.get(line.department) ?? { department: line.department, points: 0, lines: [] };
    row.points += line.points;
    row.lines.push(line);
    rows.set(line.department, row);
  }
  return [...rows.values()].sort((a, b) => b.points - a.points || a.department.localeCompare(b.department, 'zh'));
}

/** Per person: only lines with an author (missing/瞒报 belong to the department). */
export function rankPeople(sheet: ScoringSheet, facts: ScoringFacts): { author: string; points: number }[] {
  const totals = new Map<string, number>();
  for (const line of scoreLines(sheet, facts)) {
    if (line.author === undefined) continue;
    totals.set(line.author, (totals.get(line.author) ?? 0) + line.points);
  }
  return [...totals].map(([author, points]) => ({ author, points })).sort((a, b) => b.points - a.points || a.author.localeCompare(b.author, 'zh'));
}

/** 简讯 or 详讯, guessed from length (the office can override). */
export function guessSize(text: string, threshold: number): PieceSize {
  return sizeFromChars([...text.replace(/\s/g, '')].length, threshold);
}

/** The same guess from a length already counted (characters without spaces, as db/uses.ts keeps it). */
export function sizeFromChars(chars: number, threshold: number): PieceSize {
  return chars >= threshold ? '详讯' : '简讯';
}

/** The county sheet from issue 20, the sample in config/example.yaml. */
export const COUNTY_SHEET: ScoringSheet = {
  sentNotUsed: { 简讯: 1, 详讯: 2 },
  rules: [
    { level: '县区级', kind: '网站', points: { 简讯: 3, 详讯: 6 } },
    { level: '县区级', kind: '简报', points: { 简讯: 5, 详讯: 10 } },
    { level: '县区级', points: { 简讯: 5, 详讯: 10 } },
    { level: '市级', points: { 简讯: 20, 详讯: 20 } },
    { level: '省级', points: { 简讯: 40, 详讯: 40 } },
    { level: '国家级', points: { 简讯: 60, 详讯: 80 } },
  ],
  deductions: { late: 1, missing: 2, concealed: 5 },
};
