/**
 * What the 考核 exports are made from: plain data computed from the facts (db/uses.ts + domain/scoring.ts),
 * so the documents (exports/*.ts) only lay it out. Dates are the school's local dates (YYYY-MM-DD).
 */
import type { PieceSize, UseLevel } from '../domain/scoring.js';
import type { Locale } from '../templates/types.js';

/** One row of the 信息录用情况登记表: one use of one piece. */
export interface UseRow {
  reportId: string;
  title: string;
  department: string;
  author: string;
  size: PieceSize;
  /** Where it was used: 县教育网, 县教育简报 第12期, 某某日报 … */
  outlet: string;
  level: UseLevel;
  /** 网站, 简报, 报刊, 电视, 公众号 … */
  kind: string;
  usedOn: string;
  /** The URL or the issue number, as recorded ('' when none). */
  where: string;
  /** True for the one use of its piece that is scored (a piece counts once, at its best use). */
  counted: boolean;
}

/** One line of a department's points, with its reason in words (domain/scoring.ts PointLine). */
export interface ScoreLine {
  points: number;
  reason: string;
  reportId?: string | undefined;
  author?: string | undefined;
}

/** One row of the 宣传考核量分表, ranked. */
export interface DepartmentScore {
  rank: number;
  department: string;
  points: number;
  /** Pieces approved in the period. */
  pieces: number;
  /** Of them, used at least once (at a level the sheet scores). */
  used: number;
  late: number;
  missing: number;
  concealed: number;
  lines: ScoreLine[];
}

export interface PersonScore {
  rank: number;
  author: string;
  department: string;
  points: number;
}

export interface ScoringBook {
  locale: Locale;
  school: string;
  /** As the office names it: 2026-秋 (2026年秋季学期), or the two dates. */
  periodLabel: string;
  from: string;
  to: string;
  /** ISO time the book was made. */
  generatedAt: string;
  uses: UseRow[];
  departments: DepartmentScore[];
  people: PersonScore[];
}

/** The term's figures for the 工作总结. */
export interface TermFigures {
  submitted: number;
  onTime: number;
  late: number;
  missing: number;
  /** Reports sent back at least once. */
  returned: number;
  approved: number;
  published: number;
  /** Uses recorded, by level (every use, not only the counted one). */
  usesByLevel: Record<UseLevel, number>;
  /** Pieces used at least once. */
  piecesUsed: number;
}

export interface DepartmentTerm {
  department: string;
  submitted: number;
  onTime: number;
  late: number;
  missing: number;
  returned: number;
  published: number;
  used: number;
  points: number;
  rank: number;
}

export interface Highlight {
  reportId: string;
  title: string;
  department: string;
  /** Its best use in words: 市教育简报（市级简报）. */
  best: string;
  uses: number;
  points: number;
}

/** The term 工作总结: the book, the figures, the highlights and a first draft of the text the office rewrites. */
export interface TermSummary extends ScoringBook {
  figures: TermFigures;
  perDepartment: DepartmentTerm[];
  highlights: Highlight[];
  /** Paragraphs in the office's voice (generated; the office edits them in Word/WPS). */
  paragraphs: string[];
}
