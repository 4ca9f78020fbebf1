/**
 * What one step of a report records and sends, gathered so that it goes out in as few activities as the step allows
 * (runs from the 'step-batches' patch on; issue 26). Pure and deterministic: the report workflow owns the batch and
 * flushes it before any activity whose answer the step waits for, and at the step's end.
 */
import type { Effect, ReadModelUpdate, ReportEvent, ReportMailRequest } from '../domain/lifecycle.js';
import type { ReviewPlan, RevisionPlan } from '../domain/plan.js';
import type { Urgency } from '../domain/report.js';

/** A publication a person confirmed: recorded in the archive and the register of uses, after the step's record. */
export interface StepPublication {
  url: string | null;
  channel: string;
}

/** A plan the step needs next (its answer is the next step's event): asked in the same activity, after the mails. */
export type StepPlan = Extract<Effect, { type: 'plan_publish' | 'plan_review' | 'plan_overdue' | 'plan_revision' }> & { urgency: Urgency };
/** A plan's answer, as the event the workflow applies. */
export type PlannedEvent = Extract<ReportEvent, { type: 'publish_planned' | 'review_planned' | 'overdue_planned' | 'revision_planned' }>;

/**
 * What the step's activity did beyond the record and the mails. A worker from before 'step-batches' (an upgrade
 * under way, the ordinary activity on another machine) answers nothing: the workflow then asks for those apart.
 */
export interface StepAnswer {
  publicationRecorded?: true;
  planned?: PlannedEvent;
}

export function isPlan(effect: Effect): effect is Extract<Effect, { type: StepPlan['type'] }> {
  return effect.type === 'plan_publish' || effect.type === 'plan_review' || effect.type === 'plan_overdue' || effect.type === 'plan_revision';
}

/** One activity's worth of a step: the record, the publication (if any), then the mails, in that order. */
export interface StepBatch {
  update: ReadModelUpdate | null;
  mails: ReportMailRequest[];
  publication?: StepPublication;
}

/** What the step's activity (`settleReport`) is given: the batch, and the plan the step needs next. */
export interface StepWork extends StepBatch {
  plan?: StepPlan;
}

export function emptyBatch(): StepBatch {
  return { update: null, mails: [] };
}

/**
 * A later snapshot of the same report on top of an earlier one not written yet: the report as it is now, the
 * timeline entries of both, in order (each snapshot carries the whole report, so the later one supersedes).
 */
export function addUpdate(batch: StepBatch, update: ReadModelUpdate): void {
  batch.update = batch.update ? { ...update, events: [...batch.update.events, ...update.events] } : update;
}

/** The report as a record would leave it, without the new timeline entries: equal text means the write changes nothing. */
export function recordedForm(update: ReadModelUpdate): string {
  return JSON.stringify({ ...update, events: [] });
}

/**
 * Whether the batch needs an activity at all. A record with no new entry that leaves the report as the last record
 * of this run left it (a plan's answer: the reminders are the workflow's own state) would only write the same row.
 * `form` is the batch's `recordedForm` (made once per flush: it becomes the next `lastRecorded`).
 */
export function batchNeedsWork(batch: StepBatch, form: string | null, lastRecorded: string | null): boolean {
  if (batch.mails.length > 0 || batch.publication) return true;
  if (!batch.update) return false;
  return batch.update.events.length > 0 || form !== lastRecorded;
}

/** The plan activities, as the workflow calls them (local or ordinary) and the step's activity runs them. */
export interface PlanSteps {
  planPublishReminders(a: { from: string }): Promise<string[]>;
  planReviewRound(a: { from: string; urgency: Urgency }): Promise<ReviewPlan>;
  planRevisionWindow(a: { from: string }): Promise<RevisionPlan>;
  planOverdueReminders(a: { after: string; urgency: Urgency }): Promise<string[]>;
}

/** A plan asked of the calendar, answered as the event the workflow applies. */
export async function askPlan(plans: PlanSteps, plan: StepPlan): Promise<PlannedEvent> {
  switch (plan.type) {
    case 'plan_publish':
      return { type: 'publish_planned', reminders: await plans.planPublishReminders({ from: plan.from }) };
    case 'plan_review':
      return { type: 'review_planned', plan: await plans.planReviewRound({ from: plan.from, urgency: plan.urgency }), from: plan.from };
    case 'plan_revision':
      return { type: 'revision_planned', plan: await plans.planRevisionWindow({ from: plan.from }) };
    case 'plan_overdue':
      return { type: 'overdue_planned', reminders: await plans.planOverdueReminders({ after: plan.after, urgency: plan.urgency }) };
  }
}
