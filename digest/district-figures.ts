/**
 * A district's figures across its schools (issue 25): for a period, each school's reports, on time, 迟报, 漏报,
 * sent back, published, and its pieces used (录用) by level — what a bureau ranks its schools by. Read through the
 * district's unscoped connection (`database.root`) with one grouped query per figure, each answered from an index
 * alone; nothing but counts leaves the database.
 *
 *   const figures = await computeDistrictFigures(database, { from, to, schools: [{ id, name }, …] });
 */
import type { Database } from '../db/connect.js';
import { receivedCountsQuery } from './counts.js';
import type { Counts } from './figures.js';
import { weekDates, weekRange, type IsoWeek } from './weeks.js';
import { USE_LEVELS, type UseLevel } from '../domain/scoring.js';

/** A school's counts over the period, as a school's digest counts a department's (digest/figures.ts Counts). */
export interface DistrictSchoolFigures extends Pick<Counts, 'submitted' | 'onTime' | 'late' | 'missing' | 'returned' | 'published' | 'onTimeRate'> {
  schoolId: string;
  name: string;
  /** Uses (录用) recorded with a date in the period, by level. */
  uses: Record<UseLevel, number>;
  usesTotal: number;
}

export interface DistrictFigures {
  from: string;
  to: string;
  /** Every school of the deployment (in its order), then any other with rows (a school since removed). */
  schools: DistrictSchoolFigures[];
  total: Omit<DistrictSchoolFigures, 'schoolId' | 'name'>;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const noUses = (): Record<UseLevel, number> => Object.fromEntries(USE_LEVELS.map((l) => [l, 0])) as Record<UseLevel, number>;

/**
 * The four grouped counts behind the figures, each answered from an index alone (0010-district-figures): reports
 * received in [lo, hi), 漏报 due in it, pieces published in it, uses dated in [fromDate, toDate).
 */
export function districtFigureQueries(database: Database, range: { lo: string; hi: string; fromDate: string; toDate: string }) {
  const db = database.root;
  const { lo, hi } = range;
  return {
    received: receivedCountsQuery(db, lo, hi, 'school_id'),
    missing: db.selectFrom('expected_reports').where('status', '=', 'missing').where('due_at', '>=', lo).where('due_at', '<', hi).select((eb) => ['school_id', eb.fn.countAll().as('n')]).groupBy('school_id'),
    published: db.selectFrom('published').where('published_at', '>=', lo).where('published_at', '<', hi).select((eb) => ['school_id', eb.fn.countAll().as('n')]).groupBy('school_id'),
    uses: db.selectFrom('report_uses').where('used_on', '>=', range.fromDate).where('used_on', '<', range.toDate).select((eb) => ['school_id', 'level', eb.fn.countAll().as('n')]).groupBy(['school_id', 'level']),
  };
}

/** `from` inclusive, `to` exclusive; uses count by their local date (`usedOn`) within [fromDate, toDate). */
export async function computeDistrictFigures(database: Database, options: { from: Date; to: Date; fromDate: string; toDate: string; schools: readonly { id: string; name: string }[] }): Promise<DistrictFigures> {
  const lo = options.from.toISOString();
  const hi = options.to.toISOString();
  const q = districtFigureQueries(database, { lo, hi, fromDate: options.fromDate, toDate: options.toDate });
  const [received, missing, published, uses] = await Promise.all([q.received.execute(), q.missing.execute(), q.published.execute(), q.uses.execute()]);

  const rows = new Map<string, DistrictSchoolFigures>();
  const entry = (id: string): DistrictSchoolFigures => {
    let e = rows.get(id);
    if (!e) {
      const name = options.schools.find((s) => s.id === id)?.name ?? id;
      e = { schoolId: id, name, submitted: 0, onTime: 0, late: 0, missing: 0, returned: 0, published: 0, onTimeRate: null, uses: noUses(), usesTotal: 0 };
      rows.set(id, e);
    }
    return e;
  };
  for (const s of options.schools) entry(s.id);
  for (const r of received) Object.assign(entry(r.unit), { submitted: num(r.submitted), onTime: num(r.on_time), late: num(r.late), returned: num(r.returned) });
  for (const r of missing) entry(r.school_id).missing = num(r.n);
  for (const r of published) entry(r.school_id).published = num(r.n);
  for (const r of uses) {
    const e = entry(r.school_id);
    if ((USE_LEVELS as readonly string[]).includes(r.level)) e.uses[r.level as UseLevel] += num(r.n);
    e.usesTotal += num(r.n);
  }
  const schools = [...rows.values()].filter((s) => s.schoolId !== '' || s.submitted + s.usesTotal > 0);
  for (const s of schools) s.onTimeRate = s.submitted > 0 ? s.onTime / s.submitted : null;
  const total = schools.reduce(
    (t, s) => {
      for (const k of ['submitted', 'onTime', 'late', 'missing', 'returned', 'published', 'usesTotal'] as const) t[k] += s[k];
      for (const l of USE_LEVELS) t.uses[l] += s.uses[l];
      return t;
    },
    { submitted: 0, onTime: 0, late: 0, missing: 0, returned: 0, published: 0, onTimeRate: null as number | null, uses: noUses(), usesTotal: 0 },
  );
  total.onTimeRate = total.submitted > 0 ? total.onTime / total.submitted : null;
  return { from: lo, to: hi, schools, total };
}

export type DistrictWeekFigures = DistrictFigures & { week: IsoWeek; monday: string; sunday: string };

/**
 * An ISO week's figures in the district's time zone: reports by their receipt in the week, uses by their local
 * date from its Monday to its Sunday. Throws (EWEEK) for a week that is not one.
 */
export async function districtWeekFigures(database: Database, week: IsoWeek, timeZone: string, schools: readonly { id: string; name: string }[]): Promise<DistrictWeekFigures> {
  const { start, end } = weekRange(week, timeZone);
  const { monday, sunday } = weekDates(week);
  const afterSunday = new Date(Date.parse(`${sunday}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { week, monday, sunday, ...(await computeDistrictFigures(database, { from: start, to: end, fromDate: monday, toDate: afterSunday, schools })) };
}

/**
 * What every view of a school's counts shows beside them (the bureau's page, its digest mail, the CLI): the on-time
 * rate in whole percents, whether it is under 80 % (marked in red), and the uses at county level and above.
 */
export function districtRowMarks(s: Omit<DistrictSchoolFigures, 'schoolId' | 'name'>): { rate: string; weak: boolean; above: number } {
  return {
    rate: s.onTimeRate === null ? '—' : `${Math.round(s.onTimeRate * 100)}%`,
    weak: s.onTimeRate !== null && s.onTimeRate < 0.8,
    above: s.usesTotal - s.uses['校级'],
  };
}

/** The figures as the bureau's office reads them, one line per school (Chinese, or English for `en`). */
export function districtFiguresText(f: DistrictFigures, locale: 'zh-CN' | 'en'): string[] {
  const head = locale === 'en' ? 'school: submitted / on time / late / missing / sent back / published / on-time rate / used (of which county and above)' : '学校：报送 / 按时 / 迟报 / 漏报 / 退回 / 发布 / 按时率 / 录用（其中县区级及以上）';
  const line = (name: string, s: Omit<DistrictSchoolFigures, 'schoolId' | 'name'>) => {
    const { rate, above } = districtRowMarks(s);
    return `${name}${locale === 'en' ? ': ' : '：'}${s.submitted} / ${s.onTime} / ${s.late} / ${s.missing} / ${s.returned} / ${s.published} / ${rate} / ${s.usesTotal}（${above}）`;
  };
  return [head, ...f.schools.map((s) => line(s.name, s)), line(locale === 'en' ? 'All schools' : '全区（县）合计', f.total)];
}
