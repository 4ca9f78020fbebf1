/**
 * The digest's part of issue 20: what waits to be published (审核通过 · 待发布), the uses (录用) recorded in the
 * week beyond the school's own channels, and the term's 考核 ranking so far (computed by the caller, who has
 * the scoring sheet).
 */
import type { Database } from '../db/connect.js';

export interface PublicationFigures {
  /** 审核通过 · 待发布 now: approved, no channel has said it is out. Absent from older digests. */
  toPublish?: { reportId: string; title: string; departmentName: string; approvedAt: string }[];
  /** Uses (录用) recorded in the week, beyond the school's own channels. Absent from older digests. */
  uses?: { reportId: string; title: string; departmentName: string; outlet: string; level: string; kind: string; usedOn: string }[];
  /** The term's 考核 ranking so far (when the configuration has a scoring sheet). */
  scoring?: { term: string; departments: { rank: number; department: string; points: number }[] };
}

export async function publicationFigures(
  database: Database,
  range: { start: Date; end: Date },
  names: ReadonlyMap<string, string>,
  scoring: ((database: Database) => Promise<PublicationFigures['scoring']>) | undefined,
): Promise<PublicationFigures> {
  const [toPublish, uses, ranking] = await Promise.all([
    database.db.selectFrom('reports').select(['id', 'title', 'department_id', 'decided_at']).where('status', '=', 'approved').orderBy('decided_at').execute(),
    database.db
      .selectFrom('report_uses')
      .innerJoin('reports', 'reports.id', 'report_uses.report_id')
      .select(['report_uses.report_id', 'reports.title', 'reports.department_id', 'report_uses.outlet', 'report_uses.level', 'report_uses.kind', 'report_uses.used_on'])
      .where('report_uses.recorded_at_ms', '>=', range.start.getTime())
      .where('report_uses.recorded_at_ms', '<', range.end.getTime())
      .where('report_uses.source', '!=', 'channel')
      .orderBy('report_uses.used_on')
      .execute(),
    scoring ? scoring(database) : Promise.resolve(undefined),
  ]);
  return {
    toPublish: toPublish.map((r) => ({ reportId: r.id, title: r.title, departmentName: names.get(r.department_id) ?? r.department_id, approvedAt: r.decided_at === null ? '' : new Date(r.decided_at).toISOString() })),
    uses: uses.map((u) => ({ reportId: u.report_id, title: u.title, departmentName: names.get(u.department_id) ?? u.department_id, outlet: u.outlet, level: u.level, kind: u.kind, usedOn: u.used_on })),
    ...(ranking ? { scoring: ranking } : {}),
  };
}
