/**
 * 考核: points for departments and people the way education bureaus score schools (issue 20), recomputed from
 * the facts every time (never a stored total that can drift). Pure: the rule sheet and the facts are arguments.
 *
 * A piece scores once, at its best use: the highest-scoring use of it (县教育网 3, 县简报 5, 市简报 20 …), or the
 * "sent, not used" points when nothing used it. 简讯 and 详讯 score differently. Late (迟报), missing (漏报) and
 * concealed (瞒报) reports lose points. Every point comes with its reason, so a ranking can be explained.
 */

export type UseLevel = 'school' | 'county' | 'city' | 'province' | 'national';
/** 网站, 简报, 报刊/电视 (media), 公众号 … as the sheet names them. */
export type UseKind = 'website' | 'briefing' | 'media' | 'wechat' | 'other';
/** 简讯 (a short item) or 详讯 (a full article). */
export type PieceSize = 'brief' | 'full';

export interface ScoringRules {
  /** Points for a piece sent but used nowhere. */
  sent: Record<PieceSize, number>;
  /** Points for a use, by level and kind; a use whose level and kind are not listed scores as `sent`. */
  uses: { level: UseLevel; kind: UseKind; points: Record<PieceSize, number> }[];
  /** Points taken off (positive numbers). */
  deductions: { late: number; missing: number; concealed: number };
}

export interface ScoredPiece {
  reportId: string;
  title: string;
  departmentId: string;
  /** Who wrote it (the liaison who submitted it), for points per person. */
  author: string;
  size: PieceSize;
  late: boolean;
  uses: { level: UseLevel; kind: UseKind; outlet: string }[];
}

export interface ScoringFacts {
  pieces: ScoredPiece[];
  /** 漏报: an expected report that never came, per department. */
  missing: { departmentId: string; title: string }[];
  /** 瞒报: an incident the office recorded as not reported, per department. */
  concealed: { departmentId: string; title: string }[];
}

export interface ScoreLine {
  points: number;
  reason: string;
  reportId?: string;
}

export interface Score {
  id: string;
  points: number;
  lines: ScoreLine[];
}

export interface Scores {
  departments: Score[];
  people: Score[];
}

const LEVEL_NAMES: Record<UseLevel, string> = { school: '校级', county: '县区级', city: '市级', province: '省级', national: '国家级' };
const KIND_NAMES: Record<UseKind, string> = { website: '网站', briefing: '简报', media: '媒体', wechat: '公众号', other: '其他' };
const SIZE_NAMES: Record<PieceSize, string> = { brief: '简讯', full: '详讯' };

/** The best a piece earned: its highest-scoring use, else the points for sending it. */
export function pieceLine(rules: ScoringRules, piece: ScoredPiece): ScoreLine {
  let best: ScoreLine = { points: rules.sent[piece.size], reason: `报送未录用（${SIZE_NAMES[piece.size]}）`, reportId: piece.reportId };
  for (const use of piece.uses) {
    const rule = rules.uses.find((r) => r.level === use.level && r.kind === use.kind);
    const points = rule ? rule.points[piece.size] : rules.sent[piece.size];
    if (points > best.points) best = { points, reason: `${use.outlet}录用（${LEVEL_NAMES[use.level]}${KIND_NAMES[use.kind]}，${SIZE_NAMES[piece.size]}）`, reportId: piece.reportId };
  }
  return best;
}

export function score(rules: ScoringRules, facts: ScoringFacts): Scores {
  const departments = new Map<string, ScoreLine[]>();
  const people = new Map<string, ScoreLine[]>();
  const add = (table: Map<string, ScoreLine[]>, id: string, line: ScoreLine) => table.set(id, [...(table.get(id) ?? []), line]);
  for (const piece of facts.pieces) {
    const line = pieceLine(rules, piece);
    add(departments, piece.departmentId, line);
    add(people, piece.author, line);
    if (piece.late) {
      const late = { points: -rules.deductions.late, reason: `迟报：${piece.title}`, reportId: piece.reportId };
      add(departments, piece.departmentId, late);
      add(people, piece.author, late);
    }
  }
  for (const m of facts.missing) add(departments, m.departmentId, { points: -rules.deductions.missing, reason: `漏报：${m.title}` });
  for (const c of facts.concealed) add(departments, c.departmentId, { points: -rules.deductions.concealed, reason: `瞒报：${c.title}` });
  const total = (table: Map<string, ScoreLine[]>): Score[] =>
    [...table]
      .map(([id, lines]) => ({ id, points: lines.reduce((n, l) => n + l.points, 0), lines }))
      .sort((a, b) => b.points - a.points || a.id.localeCompare(b.id));
  return { departments: total(departments), people: total(people) };
}

/** The county sheet of issue 20, as a sample (a school copies and edits it in its configuration). */
export const COUNTY_SAMPLE_RULES: ScoringRules = {
  sent: { brief: 1, full: 2 },
  uses: [
    { level: 'county', kind: 'website', points: { brief: 3, full: 6 } },
    { level: 'county', kind: 'briefing', points: { brief: 5, full: 10 } },
    { level: 'county', kind: 'media', points: { brief: 5, full: 10 } },
    { level: 'city', kind: 'briefing', points: { brief: 20, full: 20 } },
    { level: 'province', kind: 'briefing', points: { brief: 40, full: 40 } },
    { level: 'national', kind: 'media', points: { brief: 60, full: 80 } },
  ],
  deductions: { late: 1, missing: 2, concealed: 5 },
};
