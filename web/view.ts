/**
 * Shared pieces of the report pages: labels, time left, the timeline, a report's body (plain text as
 * text; an HTML body only after sanitize-html).
 */
import sanitizeHtml from 'sanitize-html';
import type { Report } from '../db/rows.js';
import type { ReportStatusView, TimelineEntry } from '../domain/lifecycle.js';
import type { ReportContent } from './facts.js';
import { REFUSAL_TEXT, type RefusalReason } from '../domain/lifecycle.js';
import { findCategory } from '../domain/report.js';
import { formatDateTime, formatDuration } from '../templates/format.js';
import type { Locale } from '../templates/types.js';
import { Html } from './html.js';
import { fill, STEP_LABELS, TIMELINE_LABELS, WEB_STRINGS } from './strings.js';

/** "还剩 3 小时" / "已超过 20 分钟" from now to `iso`. */
export function timeLeft(iso: string, now: Date, locale: Locale): { text: string; past: boolean } {
  const ms = new Date(iso).getTime() - now.getTime();
  const s = WEB_STRINGS[locale];
  return ms >= 0 ? { text: fill(s['status.left'], { d: formatDuration(ms, locale) }), past: false } : { text: fill(s['status.over'], { d: formatDuration(ms, locale) }), past: true };
}

export function stepLabel(kind: string, locale: Locale): string {
  return STEP_LABELS[kind]?.[locale] ?? kind;
}

export function categoryLabel(label: string, locale: Locale): string {
  const c = findCategory(label);
  return c ? (locale === 'en' ? c.en : c.zh) : label;
}

export function refusalText(reason: string | null, locale: Locale): string {
  const r = reason ? (REFUSAL_TEXT[reason as RefusalReason] as { zh: string; en: string } | undefined) : undefined;
  return r ? (locale === 'en' ? r.en : r.zh) : (reason ?? '');
}

export interface TimelineItem {
  at: string;
  label: string;
  actor: string | null;
  note: string | null;
}

export function timelineItems(entries: readonly TimelineEntry[], locale: Locale, timeZone: string): TimelineItem[] {
  return entries.map((e) => ({
    at: e.at,
    label: `${TIMELINE_LABELS[e.type]?.[locale] ?? e.type}${e.step !== null && e.type !== 'received' ? ` · ${locale === 'en' ? `step ${e.step + 1}` : `第 ${e.step + 1} 步`}` : ''}`,
    actor: e.actor ? e.actor.name : null,
    note:
      e.type === 'refused'
        ? refusalText(e.refused, locale)
        : (e.type === 'received' || e.type === 'sent_upward') && e.note === 'late'
          ? locale === 'en'
            ? 'late'
            : '迟报'
          : e.type === 'deadline_moved'
            ? movedDeadline(e.note, locale, timeZone)
            : e.note,
  }));
}

/**
 * The workflow records a moved deadline as two instants ("2027-01-01T08:00:00.000Z → 2027-01-04T08:00:00.000Z",
 * data kept as it is for old histories); people read the school's wall clock.
 */
function movedDeadline(note: string | null, locale: Locale, timeZone: string): string | null {
  const [before, after] = (note ?? '').split(' → ');
  if (!before || !after || Number.isNaN(Date.parse(before)) || Number.isNaN(Date.parse(after))) return note;
  const b = formatDateTime(before, locale, timeZone);
  const a = formatDateTime(after, locale, timeZone);
  return locale === 'en' ? `was due ${b}, now due ${a}` : `原定 ${b} 截止，现改为 ${a}`;
}

const HTML_BODY_RE = /<\s*(p|div|br|span|strong|b|i|em|ul|ol|li|table|a|img|h[1-6])\b[^>]*>/i;

/**
 * A report body for a page: plain text stays text (escaped by the template, line breaks kept by CSS);
 * a body that is HTML (pasted or from an HTML mail) is cleaned to a small set of harmless tags first.
 */
export function bodyForPage(body: string): { html: Html | null; text: string } {
  if (!HTML_BODY_RE.test(body)) return { html: null, text: body };
  const clean = sanitizeHtml(body, {
    allowedTags: ['p', 'br', 'div', 'span', 'strong', 'b', 'i', 'em', 'u', 'ul', 'ol', 'li', 'h3', 'h4', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'a'],
    allowedAttributes: { a: ['href'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  });
  return { html: new Html(clean), text: '' };
}

/** Status, step, holders and deadlines of a report, ready for a template. */
export function statusSummary(view: ReportStatusView, now: Date, locale: Locale) {
  const deadline = (key: 'status.due' | 'status.reviewDue' | 'status.revisionDue' | 'status.expiresAt', iso: string | null, live: boolean, provisional = false) =>
    iso ? { label: WEB_STRINGS[locale][key], at: iso, left: live ? timeLeft(iso, now, locale) : null, note: provisional ? WEB_STRINGS[locale]['status.provisional'] : null } : null;
  const open = view.status === 'in_review' || view.status === 'returned' || view.status === 'received';
  return {
    // 已发布 only when something is online: a page, or a person who confirmed it (publish-states); a report published
    // before those rules, with no page, was only handed to the editor: 审核通过 · 待发布 (issue 18 §5, issue 20).
    status: view.status === 'published' && !view.publishedUrl && !view.timeline.some((e) => e.type === 'published' && e.actor !== null) ? 'approved' : view.status,
    overdue: view.overdue,
    step: view.step ? { index: view.step.index + 1, count: view.step.count, label: stepLabel(view.step.kind, locale) } : null,
    holders: view.step ? view.step.holders.map((h) => h.name).join('、') : '',
    deadlines: [
      deadline('status.due', view.deadlines.dueAt, false),
      deadline('status.reviewDue', view.deadlines.reviewDueAt, view.status === 'in_review', view.status === 'in_review' && view.deadlines.reviewDueProvisional === true),
      deadline('status.revisionDue', view.deadlines.revisionDueAt, view.status === 'returned'),
      deadline('status.expiresAt', view.deadlines.expiresAt, view.status === 'returned'),
    ].filter((d) => d !== null),
    timeliness: view.deadlines.timeliness,
    open,
  };
}

/** The report as the status and reviewer pages show it: the current title and text, who sent it, its files. */
export function reportSummary(report: Report, view: ReportStatusView, content: ReportContent | null, locale: Locale) {
  const facts = content?.input.facts ?? null;
  return {
    id: report.id,
    title: view.title,
    department: facts?.department.name ?? report.departmentId,
    submitter: facts?.submitter.name ?? report.submitterName ?? report.submitterEmail,
    category: categoryLabel(report.category, locale),
    urgency: report.urgency,
    eventTime: report.eventTime,
    receivedAt: report.receivedAt,
    timeliness: report.timeliness,
    attachments: content?.attachments ?? [],
  };
}
