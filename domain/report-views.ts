/**
 * What the outside reads of a report: the `status` query's answer, the read model's snapshot and the request
 * for one mail. Computed from the input and the state; pure.
 */
import type { ReportStatus, Timeliness, Urgency, CategoryLabel } from './report.js';
import type { Person, ReviewStepKind } from './review.js';
import type { UpwardPlan } from './upward.js';
import { lastSeq, STATUS_TIMELINE_ENTRIES, type AttachmentRef, type MailEffect, type MailKind, type ReportInput, type ReportState, type TextRef, type TimelineEntry, type TimerKind } from './report-state.js';

/**
 * What the `status` query answers: state, step and holders, deadlines, the current text (an excerpt and
 * its reference when long), and the most recent timeline entries with counts. Bounded whatever people send.
 */
export interface ReportStatusView {
  reportId: string;
  status: ReportStatus;
  round: number;
  step: { index: number; count: number; kind: ReviewStepKind; holders: Person[] } | null;
  overdue: boolean;
  deadlines: { dueAt: string; timeliness: Timeliness; reviewDueAt: string; reviewDueProvisional: boolean; revisionDueAt: string | null; expiresAt: string | null };
  title: string;
  returnedCount: number;
  decidedAt: string | null;
  publishedAt: string | null;
  /** Where it was published (the website's answer); null: approved and handed to the editor, not known to be online. */
  publishedUrl: string | null;
  body: string;
  bodyRef: TextRef | null;
  attachments: AttachmentRef[];
  /** The last STATUS_TIMELINE_ENTRIES entries kept by the workflow, oldest first. */
  timeline: TimelineEntry[];
  /** How many entries the report has had in all (the read model has every one). */
  timelineTotal: number;
  comments: number;
}

export function statusView(input: ReportInput, state: ReportState): ReportStatusView {
  const step = state.step === null ? undefined : state.chain[state.step];
  return {
    reportId: input.facts.reportId,
    status: state.status,
    round: state.round,
    step: step && state.step !== null ? { index: state.step, count: state.chain.length, kind: step.kind, holders: step.holders } : null,
    overdue: state.overdue && state.status === 'in_review',
    deadlines: {
      dueAt: input.facts.dueAt,
      timeliness: input.facts.timeliness,
      reviewDueAt: state.plan.dueAt,
      reviewDueProvisional: state.plan.provisional === true,
      revisionDueAt: state.status === 'returned' ? (state.revision?.revisionDueAt ?? null) : null,
      expiresAt: state.status === 'returned' ? (state.revision?.expiresAt ?? null) : null,
    },
    title: state.title,
    returnedCount: state.returnedCount,
    decidedAt: state.decidedAt,
    publishedAt: state.publishedAt,
    publishedUrl: state.publishedUrl,
    body: state.body,
    bodyRef: state.bodyRef,
    attachments: state.attachments,
    timeline: state.timeline.slice(-STATUS_TIMELINE_ENTRIES),
    timelineTotal: lastSeq(state),
    comments: state.comments,
  };
}

/** The report as the read model stores it (one row), at the state's version. */
export interface ReportSnapshot {
  id: string;
  origin: 'mail' | 'web';
  originRef: string;
  departmentId: string;
  submitterEmail: string;
  submitterName: string;
  category: CategoryLabel;
  urgency: Urgency;
  title: string;
  eventTime: string;
  receivedAt: string;
  dueAt: string;
  timeliness: Timeliness;
  reviewDueAt: string;
  status: ReportStatus;
  currentStep: number | null;
  currentStepKind: ReviewStepKind | null;
  holders: Person[];
  overdue: boolean;
  returnedCount: number;
  decidedAt: string | null;
  publishedAt: string | null;
  /** Grows with every timeline entry: an older snapshot never overwrites a newer one. */
  version: number;
}

export interface ReadModelUpdate {
  report: ReportSnapshot;
  body: string;
  bodyRef: TextRef | null;
  attachments: AttachmentRef[];
  /** Timeline entries not recorded yet (the read model ignores ones it already has). */
  events: TimelineEntry[];
}

/** `events`: the timeline entries made since the last record (a comment may already be gone from the bounded state). */
export function readModelSnapshot(input: ReportInput, state: ReportState, events: TimelineEntry[]): ReadModelUpdate {
  const f = input.facts;
  const step = state.step === null ? undefined : state.chain[state.step];
  return {
    report: {
      id: f.reportId,
      origin: f.origin.kind,
      originRef: f.origin.ref,
      departmentId: f.department.id,
      submitterEmail: f.submitter.email,
      submitterName: f.submitter.name,
      category: f.category,
      urgency: f.urgency,
      title: state.title,
      eventTime: f.eventTime,
      receivedAt: f.receivedAt,
      dueAt: f.dueAt,
      timeliness: f.timeliness,
      reviewDueAt: state.plan.dueAt,
      status: state.status,
      currentStep: state.step,
      currentStepKind: step?.kind ?? null,
      holders: step?.holders ?? [],
      overdue: state.overdue && state.status === 'in_review',
      returnedCount: state.returnedCount,
      decidedAt: state.decidedAt,
      publishedAt: state.publishedAt,
      version: lastSeq(state),
    },
    body: state.body,
    bodyRef: state.bodyRef,
    attachments: state.attachments,
    events,
  };
}

/** Everything a mail activity needs to render and address one notification. */
export interface ReportMailRequest {
  reportId: string;
  kind: MailKind;
  key: string;
  to: Person[];
  round: number;
  step: { index: number; count: number; kind: ReviewStepKind } | null;
  /** The liaison's own mail, when the report came by mail: our mails reply to it, so it all threads. */
  originMessageId: string | null;
  report: {
    title: string;
    /** The text, or its excerpt when bodyRef is set (the mail activity loads the whole text). */
    body: string;
    bodyRef: TextRef | null;
    departmentName: string;
    submitter: Person;
    category: CategoryLabel;
    urgency: Urgency;
    eventTime: string;
    receivedAt: string;
    dueAt: string;
    timeliness: Timeliness;
    attachments: AttachmentRef[];
  };
  /** Who holds the report's current step (escalation mails name them). */
  holders: Person[];
  /** The workflow's time when the mail was decided (reminders say how much time is left). */
  composedAt: string;
  reviewDueAt: string;
  /** reviewDueAt may move when the year's holiday schedule is added (see ReviewPlan.provisional). */
  reviewDueProvisional?: boolean | undefined;
  revisionDueAt: string | null;
  expiresAt: string | null;
  overdue: boolean;
  actor: Person | null;
  reason: string | null;
  attemptedAction: string | null;
  publishedUrl: string | null;
  /** publish_request: who approved each step (the latest approval of each), in chain order. */
  approvals: { kind: ReviewStepKind; name: string; at: string }[];
  /** The report came up from a school's baosong (a bureau's): that school's number and this report's department (the school). */
  upstream?: { ref: string; departmentId: string } | undefined;
  /** upward_due: the bureau and its deadline; bureau_notice: what the bureau said. */
  upward?: { bureau: Person; dueAt: string | null; notice?: MailEffect['bureau'] } | undefined;
}

export function mailRequest(input: ReportInput, state: ReportState, effect: MailEffect, composedAt: string): ReportMailRequest {
  const f = input.facts;
  const stepIndex = effect.step;
  const step = stepIndex === null ? undefined : state.chain[stepIndex];
  return {
    reportId: f.reportId,
    kind: effect.kind,
    key: effect.key,
    to: effect.to,
    round: effect.round,
    step: step && stepIndex !== null ? { index: stepIndex, count: state.chain.length, kind: step.kind } : null,
    originMessageId: f.origin.kind === 'mail' ? f.origin.ref : null,
    report: {
      title: state.title,
      body: state.body,
      bodyRef: state.bodyRef,
      departmentName: f.department.name,
      submitter: f.submitter,
      category: f.category,
      urgency: f.urgency,
      eventTime: f.eventTime,
      receivedAt: f.receivedAt,
      dueAt: f.dueAt,
      timeliness: f.timeliness,
      attachments: state.attachments,
    },
    holders: state.step === null ? [] : (state.chain[state.step]?.holders ?? []),
    composedAt,
    reviewDueAt: state.plan.dueAt,
    ...(state.plan.provisional ? { reviewDueProvisional: true } : {}),
    revisionDueAt: state.revision?.revisionDueAt ?? null,
    expiresAt: state.revision?.expiresAt ?? null,
    overdue: effect.overdue ?? false,
    actor: effect.actor ?? null,
    reason: effect.reason ?? null,
    attemptedAction: effect.attemptedAction ?? null,
    publishedUrl: state.publishedUrl,
    approvals: effect.kind === 'publish_request' ? approvals(state) : [],
    ...(f.upstream ? { upstream: { ref: f.upstream.ref, departmentId: f.department.id } } : {}),
    ...upwardOfMail(input, state, effect),
  };
}

/** upward_due and bureau_notice name the bureau: by a rule (the input) or the office's 投稿 (the state). */
function upwardOfMail(input: ReportInput, state: ReportState, effect: MailEffect): Pick<ReportMailRequest, 'upward'> {
  const plan = input.upward ?? state.upward?.plan;
  if (!plan || (effect.kind !== 'upward_due' && effect.kind !== 'bureau_notice')) return {};
  return { upward: { bureau: plan.bureau, dueAt: plan.dueAt, ...(effect.bureau ? { notice: effect.bureau } : {}) } };
}

function approvals(state: ReportState): ReportMailRequest['approvals'] {
  const latest = new Map<number, TimelineEntry>();
  for (const e of state.timeline) if (e.type === 'approved' && e.step !== null && e.actor) latest.set(e.step, e);
  return state.chain.flatMap((step, i) => {
    const e = latest.get(i);
    return e?.actor ? [{ kind: step.kind, name: e.actor.name, at: e.at }] : [];
  });
}

/** The next timer the workflow must wait for, or null when only a person can move the report on. */
/** `plan`: the report's upward plan (input.upward), whose deadline and listening add timers. */
export function nextTimer(state: ReportState, plan?: UpwardPlan | null): { at: string; timer: TimerKind } | null {
  const candidates: { at: string; timer: TimerKind }[] = [];
  if (state.status === 'in_review') {
    const reminder = state.plan.reminders[state.reminderIndex];
    if (!state.overdue) {
      if (reminder !== undefined && reminder < state.plan.dueAt) candidates.push({ at: reminder, timer: 'remind' });
      candidates.push({ at: state.plan.dueAt, timer: 'review_due' });
    } else {
      const next = state.plan.overdueReminders[state.overdueIndex];
      if (next !== undefined) candidates.push({ at: next, timer: 'overdue_remind' });
    }
  } else if (state.status === 'approved' && state.publishReminders) {
    const next = state.publishReminders[state.publishReminderIndex ?? 0];
    if (next !== undefined) candidates.push({ at: next, timer: 'publish_remind' });
  } else if (state.status === 'returned' && state.revision) {
    const next = state.revision.reminders[state.revisionReminderIndex];
    if (next !== undefined && next < state.revision.expiresAt) candidates.push({ at: next, timer: 'revision_remind' });
    candidates.push({ at: state.revision.expiresAt, timer: 'expire' });
  }
  candidates.push(...upwardTimers(state, plan));
  candidates.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return candidates[0] ?? null;
}

/** 上报: the bureau's deadline while the report waits to go up, then the end of listening for its answer. */
function upwardTimers(state: ReportState, plan: UpwardPlan | null | undefined): { at: string; timer: TimerKind }[] {
  const u = state.upward;
  plan ??= u?.plan;
  if (!u || !plan) return [];
  if (u.status === 'pending' && plan.dueAt !== null && !u.overdue) {
    const reminder = plan.reminders[u.reminderIndex];
    return [...(reminder !== undefined && reminder < plan.dueAt ? [{ at: reminder, timer: 'upward_remind' as const }] : []), { at: plan.dueAt, timer: 'upward_due' }];
  }
  if (u.status === 'sent' && u.listenUntil !== null) return [{ at: u.listenUntil, timer: 'upward_listen_end' }];
  return [];
}

/** The report still has business with the bureau after its own life ended: to go up, or listening for the answer. */
export function upwardOpen(state: ReportState): boolean {
  const u = state.upward;
  if (!u) return false;
  // pending: about to go (a report that has ended gets here by the office's 投稿).
  return u.status === 'returned' || u.status === 'pending' || (u.status === 'sent' && u.listenUntil !== null);
}
