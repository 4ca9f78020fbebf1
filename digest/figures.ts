/**
 * The weekly digest's figures (and the term statistics), computed from the read model by SQL
 * aggregation (GROUP BY in the database, on SQLite and PostgreSQL alike): per department and for the
 * school — submitted, on time, late (迟报), missing (漏报), returned, published — per category, reviews
 * pending now and who holds them, overdue steps, median time from receipt to decision, published
 * highlights, the change against the previous week, and a ranking by on-time rate.
 *
 *   const figures = await computeDigest(database, { week: '2026-W48', timeZone: 'Asia/Shanghai', departments });
 */
import type { DistrictWeekFigures } from './district-figures.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import { ReportFindings } from '../db/report-findings.js';
import { publicationFigures, type PublicationFigures } from './publication.js';
import type { Tables } from '../db/schema.js';
import { receivedCountsQuery } from './counts.js';
import { CATEGORY_LABELS } from '../domain/report.js';
import { assertTimeZone } from '../domain/time.js';
import { previousWeek, weekDates, weekRange, type IsoWeek } from './weeks.js';
import { type ErrorCode } from '../domain/errors.js';

export interface Department {
  id: string;
  name: string;
}

/** The counts of one department (or the whole school) over a period. */
export interface Counts {
  /** Reports received in the period. */
  submitted: number;
  /** Of those, received by their due time. */
  onTime: number;
  /** Of those, received after their due time (迟报). */
  late: number;
  /** Expected reports due in the period that never came (漏报). */
  missing: number;
  /** Reports received in the period that were sent back at least once. */
  returned: number;
  /** Reports published in the period (whenever received). */
  published: number;
  /** Reports decided (final approval) in the period. */
  decided: number;
  /** onTime / submitted, 0–1; null when nothing was submitted. */
  onTimeRate: number | null;
  /** Median minutes from receipt to decision of the reports decided in the period; null when none. */
  medianDecisionMinutes: number | null;
}

export interface DepartmentFigures extends Counts {
  departmentId: string;
  /** The configured name; the id for a department no longer configured. */
  name: string;
}

export interface CategoryFigures {
  /** The category's Chinese label, e.g. 安全管理. */
  category: string;
  submitted: number;
  /** Per department id (only departments with reports of this category). */
  byDepartment: Record<string, number>;
}

/** The figures of a period: every configured department (in configured order), then any other that reported. */
export interface PeriodFigures {
  /** Start of the period (inclusive), ISO UTC. */
  from: string;
  /** End of the period (exclusive), ISO UTC. */
  to: string;
  departments: DepartmentFigures[];
  school: Counts;
  /** In the seed's category order; categories with no report are left out. */
  categories: CategoryFigures[];
}

export interface PendingReview {
  reportId: string;
  title: string;
  departmentId: string;
  departmentName: string;
  category: string;
  urgency: string;
  stepKind: string | null;
  holders: { name: string; email: string }[];
  /** Since when the report has waited at its current step (its last review request, else its last change). */
  since: string;
  /** When the review should be done, if known. */
  reviewDueAt: string | null;
  /** Past its review deadline (flagged by the workflow, or the deadline is behind `now`). */
  overdue: boolean;
  /** Link to the report on the dashboard, when a base URL was given. */
  url: string | null;
}

export interface Highlight {
  reportId: string;
  title: string;
  departmentId: string;
  departmentName: string;
  category: string;
  summary: string;
  publishedAt: string;
  url: string | null;
}

export type CountKey = 'submitted' | 'onTime' | 'late' | 'missing' | 'returned' | 'published';
export const COUNT_KEYS: readonly CountKey[] = ['submitted', 'onTime', 'late', 'missing', 'returned', 'published'];

/** This week minus the previous week. */
export interface Change extends Record<CountKey, number> {
  /** Difference of on-time rates (−1…1); null when either week had nothing submitted. */
  onTimeRate: number | null;
}

export interface RankingEntry {
  /** 1 = best; departments with equal rate and equal submissions share a rank. */
  rank: number;
  departmentId: string;
  name: string;
  submitted: number;
  onTime: number;
  onTimeRate: number | null;
}

export interface DigestFigures extends PublicationFigures {
  week: IsoWeek;
  timeZone: string;
  /** Local dates of the week's Monday and Sunday, e.g. 2026-11-23 and 2026-11-29. */
  monday: string;
  sunday: string;
  /** When these figures were computed (pending reviews are as of this moment), ISO UTC. */
  computedAt: string;
  current: PeriodFigures;
  previousWeek: IsoWeek;
  previous: PeriodFigures;
  /** Per department id, and for the school. */
  change: { departments: Record<string, Change>; school: Change };
  /** Reports in review now, oldest waiting first. */
  pending: PendingReview[];
  /** The pending reviews past their deadline. */
  overdue: PendingReview[];
  /** Reports published in the week, newest first. */
  highlights: Highlight[];
  /** Departments by on-time rate (ties: more submitted first; nothing submitted: last). */
  ranking: RankingEntry[];
  /**
   * 稿件体检: what the checks found in the versions submitted or revised this week (db/report-findings.ts), by
   * department and code, most frequent first. Absent from digests computed before the checks were stored.
   */
  findings?: FindingFigure[];
  /** A bureau's digest in a district's deployment only: every school's own week (digest/district-figures.ts). */
  district?: DistrictWeekFigures & { url?: string };
}

export interface FindingFigure {
  departmentId: string;
  departmentName: string;
  code: string;
  severity: 'error' | 'warn';
  /** Versions (as submitted, each revision) in which it was found. */
  versions: number;
  reports: number;
}

export interface DigestOptions {
  week: IsoWeek;
  timeZone: string;
  departments: readonly Department[];
  /** The dashboard's address (config web.baseUrl): links to pending reports and unlinked highlights. */
  baseUrl?: string;
  /** "Now" for the pending reviews and computedAt (default: the clock). */
  now?: Date;
  /** The term's ranking so far, computed by the caller (exports/build.ts) when there is a scoring sheet. */
  scoring?: (database: Database) => Promise<PublicationFigures['scoring']>;
}

export interface StatsOptions {
  /** Start (inclusive). */
  from: Date | string;
  /** End (exclusive). */
  to: Date | string;
  timeZone: string;
  departments: readonly Department[];
}

export class FiguresError extends Error {
  readonly code = 'EFIGURES' satisfies ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FiguresError';
  }
}

export async function computeDigest(database: Database, options: DigestOptions): Promise<DigestFigures> {
  assertTimeZone(options.timeZone);
  const now = options.now ?? new Date();
  const range = weekRange(options.week, options.timeZone);
  const before = previousWeek(options.week);
  const beforeRange = weekRange(before, options.timeZone);
  const names = new Map(options.departments.map((d) => [d.id, d.name]));
  const baseUrl = options.baseUrl?.replace(/\/+$/, '');

  const extra = await publicationFigures(database, range, names, options.scoring);
  const [current, previous, pending, highlights, findings] = await Promise.all([
    periodFigures(database, range.start, range.end, options.departments),
    periodFigures(database, beforeRange.start, beforeRange.end, options.departments),
    pendingReviews(database, now, names, baseUrl),
    publishedHighlights(database, range.start, range.end, names, baseUrl),
    new ReportFindings(database).counts(range.start, range.end),
  ]);
  const { monday, sunday } = weekDates(options.week);
  return {
    week: options.week,
    timeZone: options.timeZone,
    monday,
    sunday,
    computedAt: now.toISOString(),
    current,
    previousWeek: before,
    previous,
    change: changeBetween(current, previous),
    pending,
    overdue: pending.filter((p) => p.overdue),
    highlights,
    ranking: rankByOnTimeRate(current.departments),
    findings: findings.map((f) => ({ ...f, departmentName: names.get(f.departmentId) ?? f.departmentId })),
    ...extra,
  };
}

/** Term statistics: the same per-department figures over any period. */
export async function computeStats(database: Database, options: StatsOptions): Promise<PeriodFigures> {
  assertTimeZone(options.timeZone);
  const from = instant(options.from, 'from');
  const to = instant(options.to, 'to');
  if (to.getTime() <= from.getTime()) {
    throw new FiguresError(`The period is empty: it must end (${to.toISOString()}) after it starts (${from.toISOString()}).`);
  }
  return periodFigures(database, from, to, options.departments);
}

// ---------------------------------------------------------------------------------------------------
// One period

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

async function periodFigures(database: Database, from: Date, to: Date, departments: readonly Department[]): Promise<PeriodFigures> {
  const db = database.db;
  const lo = from.toISOString();
  const hi = to.toISOString();

  const receivedQuery = receivedCountsQuery(db, lo, hi, 'department_id');
  const categoryQuery = db
    .selectFrom('reports')
    .where('received_at', '>=', lo)
    .where('received_at', '<', hi)
    .select((eb) => ['department_id', 'category', eb.fn.countAll().as('submitted')])
    .groupBy(['department_id', 'category']);
  const missingQuery = db
    .selectFrom('expected_reports')
    .where('status', '=', 'missing')
    .where('due_at', '>=', lo)
    .where('due_at', '<', hi)
    .select((eb) => ['department_id', eb.fn.countAll().as('missing')])
    .groupBy('department_id');
  const publishedQuery = db
    .selectFrom('published')
    .where('published_at', '>=', lo)
    .where('published_at', '<', hi)
    .select((eb) => ['department_id', eb.fn.countAll().as('published')])
    .groupBy('department_id');
  // Only the one number per decided report leaves the database: seconds from receipt to decision.
  const decisionQuery = db
    .selectFrom('reports')
    .where('decided_at', '>=', lo)
    .where('decided_at', '<', hi)
    .select(['department_id', secondsBetween(database, 'received_at', 'decided_at').as('seconds')]);

  const [received, categories, missing, published, decisions] = await Promise.all([
    receivedQuery.execute(),
    categoryQuery.execute(),
    missingQuery.execute(),
    publishedQuery.execute(),
    decisionQuery.execute(),
  ]);

  const byDepartment = new Map<string, Omit<Counts, 'onTimeRate' | 'medianDecisionMinutes'> & { decisionSeconds: number[] }>();
  const entry = (id: string) => {
    let e = byDepartment.get(id);
    if (!e) {
      e = { submitted: 0, onTime: 0, late: 0, missing: 0, returned: 0, published: 0, decided: 0, decisionSeconds: [] };
      byDepartment.set(id, e);
    }
    return e;
  };
  for (const d of departments) entry(d.id);
  for (const r of received) Object.assign(entry(r.unit), { submitted: num(r.submitted), onTime: num(r.on_time), late: num(r.late), returned: num(r.returned) });
  for (const r of missing) entry(r.department_id).missing = num(r.missing);
  for (const r of published) entry(r.department_id).published = num(r.published);
  const allSeconds: number[] = [];
  for (const r of decisions) {
    const seconds = Math.max(0, num(r.seconds));
    const e = entry(r.department_id);
    e.decided += 1;
    e.decisionSeconds.push(seconds);
    allSeconds.push(seconds);
  }

  const names = new Map(departments.map((d) => [d.id, d.name]));
  const configured = departments.map((d) => d.id);
  const others = [...byDepartment.keys()].filter((id) => !names.has(id)).sort();
  const departmentFigures: DepartmentFigures[] = [...configured, ...others].map((id) => {
    const { decisionSeconds, ...counts } = entry(id);
    return { departmentId: id, name: names.get(id) ?? id, ...counts, onTimeRate: rate(counts.onTime, counts.submitted), medianDecisionMinutes: medianMinutes(decisionSeconds) };
  });

  const school = { submitted: 0, onTime: 0, late: 0, missing: 0, returned: 0, published: 0, decided: 0 };
  for (const d of departmentFigures) for (const k of Object.keys(school) as (keyof typeof school)[]) school[k] += d[k];

  const categoryMap = new Map<string, CategoryFigures>();
  for (const r of categories) {
    let c = categoryMap.get(r.category);
    if (!c) {
      c = { category: r.category, submitted: 0, byDepartment: {} };
      categoryMap.set(r.category, c);
    }
    c.submitted += num(r.submitted);
    c.byDepartment[r.department_id] = num(r.submitted);
  }
  const order = (category: string) => {
    const i = (CATEGORY_LABELS as readonly string[]).indexOf(category);
    return i < 0 ? CATEGORY_LABELS.length : i;
  };
  const categoryFigures = [...categoryMap.values()].sort((a, b) => order(a.category) - order(b.category) || a.category.localeCompare(b.category));

  return {
    from: lo,
    to: hi,
    departments: departmentFigures,
    school: { ...school, onTimeRate: rate(school.onTime, school.submitted), medianDecisionMinutes: medianMinutes(allSeconds) },
    categories: categoryFigures,
  };
}

/** Seconds between two timestamp columns of `reports`, as the dialect computes it. */
function secondsBetween(database: Database, from: 'received_at', to: 'decided_at') {
  return database.dialect === 'postgres'
    ? sql<number>`extract(epoch from (${sql.ref(to)} - ${sql.ref(from)}))`
    : sql<number>`round((julianday(${sql.ref(to)}) - julianday(${sql.ref(from)})) * 86400)`;
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** The median, in whole minutes (rounded), of durations in seconds; null for none. */
function medianMinutes(seconds: number[]): number | null {
  if (seconds.length === 0) return null;
  const sorted = [...seconds].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(median / 60);
}

// ---------------------------------------------------------------------------------------------------
// Now: pending reviews; in the week: highlights

async function pendingReviews(database: Database, now: Date, names: Map<string, string>, baseUrl: string | undefined): Promise<PendingReview[]> {
  const db: Kysely<Tables> = database.db;
  const lastRequest = db
    .selectFrom('report_events')
    .where('type', '=', 'review_requested')
    .select((eb) => ['report_id', eb.fn.max('at').as('requested_at')])
    .groupBy('report_id')
    .as('last_request');
  const rows = await db
    .selectFrom('reports')
    .leftJoin(lastRequest, 'last_request.report_id', 'reports.id')
    .where('reports.status', '=', 'in_review')
    .select([
      'reports.id',
      'reports.title',
      'reports.department_id',
      'reports.category',
      'reports.urgency',
      'reports.current_step_kind',
      'reports.holders',
      'reports.review_due_at',
      'reports.overdue',
      'reports.updated_at',
      'last_request.requested_at',
    ])
    .execute();
  const pending = rows.map((r): PendingReview => {
    const reviewDueAt = r.review_due_at === null ? null : iso(r.review_due_at);
    const since = iso(r.requested_at ?? r.updated_at);
    return {
      reportId: r.id,
      title: r.title,
      departmentId: r.department_id,
      departmentName: names.get(r.department_id) ?? r.department_id,
      category: r.category,
      urgency: r.urgency,
      stepKind: r.current_step_kind,
      holders: parseHolders(r.holders, r.id),
      since,
      reviewDueAt,
      overdue: r.overdue === true || r.overdue === 1 || (reviewDueAt !== null && reviewDueAt < now.toISOString()),
      url: baseUrl ? `${baseUrl}/reports/${encodeURIComponent(r.id)}` : null,
    };
  });
  return pending.sort((a, b) => a.since.localeCompare(b.since) || a.reportId.localeCompare(b.reportId));
}

async function publishedHighlights(database: Database, from: Date, to: Date, names: Map<string, string>, baseUrl: string | undefined): Promise<Highlight[]> {
  const rows = await database.db
    .selectFrom('published')
    .where('published_at', '>=', from.toISOString())
    .where('published_at', '<', to.toISOString())
    .selectAll()
    .orderBy('published_at', 'desc')
    .orderBy('report_id')
    .execute();
  return rows.map((r) => ({
    reportId: r.report_id,
    title: r.title,
    departmentId: r.department_id,
    departmentName: names.get(r.department_id) ?? r.department_id,
    category: r.category,
    summary: r.summary,
    publishedAt: iso(r.published_at),
    url: r.url ?? (baseUrl ? `${baseUrl}/reports/${encodeURIComponent(r.report_id)}` : null),
  }));
}

// ---------------------------------------------------------------------------------------------------
// Change and ranking

function changeOf(now: Counts, before: Counts | undefined): Change {
  const change = { onTimeRate: null } as Change;
  for (const k of COUNT_KEYS) change[k] = now[k] - (before?.[k] ?? 0);
  const was = before?.onTimeRate ?? null;
  change.onTimeRate = now.onTimeRate === null || was === null ? null : now.onTimeRate - was;
  return change;
}

function changeBetween(current: PeriodFigures, previous: PeriodFigures): DigestFigures['change'] {
  const before = new Map(previous.departments.map((d) => [d.departmentId, d]));
  return {
    departments: Object.fromEntries(current.departments.map((d) => [d.departmentId, changeOf(d, before.get(d.departmentId))])),
    school: changeOf(current.school, previous.school),
  };
}

export function rankByOnTimeRate(departments: readonly DepartmentFigures[]): RankingEntry[] {
  const sorted = departments
    .map((d, index) => ({ d, index }))
    .sort((a, b) => {
      const ra = a.d.onTimeRate;
      const rb = b.d.onTimeRate;
      if (ra === null || rb === null) return ra === rb ? a.index - b.index : ra === null ? 1 : -1;
      return rb - ra || b.d.submitted - a.d.submitted || a.index - b.index;
    });
  const ranking: RankingEntry[] = [];
  sorted.forEach(({ d }, i) => {
    const prev = ranking[i - 1];
    const tied = prev !== undefined && prev.onTimeRate === d.onTimeRate && prev.submitted === d.submitted;
    ranking.push({ rank: tied ? prev.rank : i + 1, departmentId: d.departmentId, name: d.name, submitted: d.submitted, onTime: d.onTime, onTimeRate: d.onTimeRate });
  });
  return ranking;
}

// ---------------------------------------------------------------------------------------------------

function iso(value: string | Date): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function instant(value: Date | string, name: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new FiguresError(`${name} is not a valid time: ${String(value)}.`);
  return date;
}

function parseHolders(text: string, reportId: string): { name: string; email: string }[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as { name: string; email: string }[]) : [];
  } catch (error) {
    throw new FiguresError(`The stored holders of ${reportId} are not JSON: ${text.slice(0, 80)}`, { cause: error });
  }
}
