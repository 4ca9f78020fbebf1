/**
 * The report vocabulary: categories, urgency, statuses and report numbers.
 * Pure and deterministic: safe to import from workflow code.
 */
import { type ErrorCode } from './errors.js';

/** The seven report categories (信息报送范围), in the seed's order. */
export const CATEGORIES = [
  { key: 'teaching', zh: '教育教学', en: 'Teaching' },
  { key: 'culture', zh: '校园文化', en: 'Campus culture' },
  { key: 'growth', zh: '师生成长', en: 'Teacher & student growth' },
  { key: 'safety', zh: '安全管理', en: 'Safety' },
  { key: 'home_school', zh: '家校共育', en: 'Home–school' },
  { key: 'policy', zh: '政策传达', en: 'Policy' },
  { key: 'other', zh: '其他', en: 'Other' },
] as const;

export type CategoryKey = (typeof CATEGORIES)[number]['key'];
export type CategoryLabel = (typeof CATEGORIES)[number]['zh'];

export const CATEGORY_LABELS: readonly CategoryLabel[] = CATEGORIES.map((c) => c.zh);

/** Finds a category by its Chinese label, English label or key ("安全管理", "safety", "Safety"). */
export function findCategory(text: string): (typeof CATEGORIES)[number] | undefined {
  const t = text.trim().toLowerCase();
  return CATEGORIES.find((c) => c.zh === t || c.key === t || c.en.toLowerCase() === t);
}

/** routine 常规工作信息; major 重大活动; urgent 紧急信息. */
export const URGENCIES = ['routine', 'major', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const URGENCY_LABELS: Record<Urgency, { zh: string; en: string }> = {
  routine: { zh: '常规', en: 'Routine' },
  major: { zh: '重大', en: 'Major' },
  urgent: { zh: '紧急', en: 'Urgent' },
};

export function isUrgency(value: unknown): value is Urgency {
  return typeof value === 'string' && (URGENCIES as readonly string[]).includes(value);
}

/** Where a report is in its life (see notes/domain.md, "Lifecycle of one report"). */
export const REPORT_STATUSES = [
  'received',
  'in_review',
  'returned',
  'approved',
  'published',
  /** Approved as 仅存档: reviewed and kept, not for publishing (an incident report to 安全管理). */
  'archived',
  'withdrawn',
  'expired',
] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_STATUS_LABELS: Record<ReportStatus, { zh: string; en: string }> = {
  received: { zh: '已接收', en: 'Received' },
  in_review: { zh: '审核中', en: 'In review' },
  returned: { zh: '已退回', en: 'Returned' },
  // Waits for a channel to say it is published (publish-states): 审核通过 · 待发布.
  approved: { zh: '审核通过 · 待发布', en: 'Approved · to be published' },
  published: { zh: '已发布', en: 'Published' },
  archived: { zh: '审核通过 · 仅存档', en: 'Approved · archive only' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  expired: { zh: '已过期', en: 'Expired' },
};

/** Whether the report arrived by its due time (按时) or after it (迟报). */
export type Timeliness = 'on_time' | 'late';

// ---------------------------------------------------------------------------
// Report numbers: R-<year>-<sequence>, the sequence at least four digits (R-2026-0042, R-2026-12345).

export interface ReportNumber {
  year: number;
  sequence: number;
}

const REPORT_NUMBER_RE = /^R-(\d{4})-(\d{4,})$/;
/** Finds a report number inside other text (a subject line, a body), also with full-width dashes or lower case. */
const REPORT_NUMBER_IN_TEXT_RE = /(?<![A-Za-z0-9])[RrＲ][-－—–‐](\d{4})[-－—–‐](\d{4,})(?![0-9])/;

export class ReportNumberError extends Error {
  readonly code = 'EREPORT_NUMBER' satisfies ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = 'ReportNumberError';
  }
}

export function formatReportNumber(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new ReportNumberError(`Report year must be a four-digit year, got ${year}`);
  }
  if (!Number.isInteger(sequence) || sequence < 1) {
    throw new ReportNumberError(`Report sequence must be a positive integer, got ${sequence}`);
  }
  return `R-${year}-${String(sequence).padStart(4, '0')}`;
}

/** Parses an exact report number such as "R-2026-0042"; throws ReportNumberError otherwise. */
export function parseReportNumber(text: string): ReportNumber {
  const m = REPORT_NUMBER_RE.exec(text.trim());
  if (!m) {
    throw new ReportNumberError(`"${text}" is not a report number (expected R-<year>-<4+ digits>, e.g. R-2026-0042)`);
  }
  const sequence = Number(m[2]);
  if (sequence < 1) throw new ReportNumberError(`"${text}" has sequence 0; numbers start at 0001`);
  return { year: Number(m[1]), sequence };
}

/** The first report number found in free text, normalised ("回复：【r－2026－0042】" → "R-2026-0042"), or null. */
export function findReportNumber(text: string): string | null {
  const m = REPORT_NUMBER_IN_TEXT_RE.exec(text);
  if (!m) return null;
  const sequence = Number(m[2]);
  if (sequence < 1) return null;
  return formatReportNumber(Number(m[1]), sequence);
}
