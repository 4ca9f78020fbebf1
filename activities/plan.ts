/** Deadlines and reminder plans need the calendar, so workflows ask for them through these activities. */
import { schoolCalendar, deadlineContext } from '../config/school.js';
import type { Config } from '../config/schema.js';
import { planMoreOverdueReminders, planPublishReminders, planReview, planRevision, type PlanContext, type ReviewPlan, type RevisionPlan } from '../domain/plan.js';
import type { Urgency } from '../domain/report.js';

export function planContext(config: Config): PlanContext {
  return {
    ...deadlineContext(config, schoolCalendar(config)),
    workingHours: config.workingHours,
    reminders: config.deadlines.reminders,
    revisionWorkingDays: config.deadlines.revisionWorkingDays,
    expireWorkingDays: config.deadlines.expireWorkingDays,
  };
}

export function createPlanActivities(config: Config) {
  const ctx = planContext(config);
  return {
    /** A new review round (after a revision): its deadline and reminders. */
    planReviewRound({ from, urgency }: { from: string; urgency: Urgency }): Promise<ReviewPlan> {
      return Promise.resolve(planReview(new Date(from), urgency, ctx));
    },
    /** A report sent back: when to revise by, reminders after that, when it expires. */
    planRevisionWindow({ from }: { from: string }): Promise<RevisionPlan> {
      return Promise.resolve(planRevision(new Date(from), ctx));
    },
    /** An expected report's deadline and reminder, planned again when the calendar changed. */
    planExpectedDeadline({ eventEnd, urgency }: { eventEnd: string; urgency: Urgency }): Promise<{ dueAt: string; remindAt: string | null }> {
      const plan = planReview(new Date(eventEnd), urgency, ctx);
      return Promise.resolve({ dueAt: plan.dueAt, remindAt: plan.reminders[0] ?? null });
    },
    /** An approved report waiting to be published: when to remind the editor. */
    planPublishReminders({ from }: { from: string }): Promise<string[]> {
      return Promise.resolve(planPublishReminders(new Date(from), config.publish.remindAfterWorkingDays, ctx));
    },
    /** A report overdue for a long time: the next batch of reminders. */
    planOverdueReminders({ after, urgency }: { after: string; urgency: Urgency }): Promise<string[]> {
      return Promise.resolve(planMoreOverdueReminders(new Date(after), urgency, ctx));
    },
  };
}
