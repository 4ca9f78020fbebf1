/**
 * What 稿件体检 found in each version of a report (migration 0006), kept for counting: which 错报 recur and
 * in which department. Written once per report and round (a retried activity writes the same rows).
 */
import type { Database } from './connect.js';

export interface FoundInVersion {
  reportId: string;
  round: number;
  departmentId: string;
  foundAt: Date;
  /** One entry per finding (several of a code are counted as places). */
  findings: readonly { code: string; severity: 'error' | 'warn' }[];
}

export interface FindingCount {
  departmentId: string;
  code: string;
  severity: 'error' | 'warn';
  /** Versions (a report as submitted, each revision) in which the code was found. */
  versions: number;
  /** Reports in which it was found. */
  reports: number;
}

export class ReportFindings {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  async record(version: FoundInVersion): Promise<void> {
    const byCode = new Map<string, { severity: 'error' | 'warn'; places: number }>();
    for (const f of version.findings) {
      const seen = byCode.get(f.code);
      byCode.set(f.code, { severity: seen?.severity === 'error' ? 'error' : f.severity, places: (seen?.places ?? 0) + 1 });
    }
    if (byCode.size === 0) return;
    await this.#database.db
      .insertInto('report_findings')
      .values(
        [...byCode].map(([code, f]) => ({
          report_id: version.reportId,
          round: version.round,
          code,
          severity: f.severity,
          department_id: version.departmentId,
          places: f.places,
          found_at_ms: version.foundAt.getTime(),
        })),
      )
      .onConflict((oc) => oc.columns(['report_id', 'round', 'code']).doNothing())
      .execute();
  }

  /** Findings of versions found in [from, to), by department and code, most frequent first. */
  async counts(from: Date, to: Date): Promise<FindingCount[]> {
    const rows = await this.#database.db
      .selectFrom('report_findings')
      .select((eb) => [
        'department_id',
        'code',
        eb.fn.max('severity').as('severity'),
        eb.fn.countAll<number | string>().as('versions'),
        eb.fn.count<number | string>('report_id').distinct().as('reports'),
      ])
      .where('found_at_ms', '>=', from.getTime())
      .where('found_at_ms', '<', to.getTime())
      .groupBy(['department_id', 'code'])
      .execute();
    return rows
      .map((r): FindingCount => ({ departmentId: r.department_id, code: r.code, severity: r.severity === 'error' ? 'error' : 'warn', versions: Number(r.versions), reports: Number(r.reports) }))
      .sort((a, b) => b.versions - a.versions || a.departmentId.localeCompare(b.departmentId) || a.code.localeCompare(b.code));
  }
}
