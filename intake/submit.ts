/**
 * Turning a submission (a mail or a web form) into a running report workflow: who the submitter is and
 * for which department, the report number, the deadlines and the review chain, all decided here, before
 * the workflow starts. Repeating a submission (a mail delivered twice, a form posted twice) is harmless:
 * the workflow id comes from the submission's origin, so it is the same report.
 */
import { inSchool } from '../domain/school-ids.js';
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { identify } from '../config/school.js';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import { computeDeadline, timeliness } from '../domain/deadline.js';
import type { AttachmentRef, ReportInput, TextRef } from '../domain/lifecycle.js';
import { planReview } from '../domain/plan.js';
import type { CategoryLabel, Urgency } from '../domain/report.js';
import { resolveReviewChain, type Person } from '../domain/review.js';
import { toLocal } from '../domain/time.js';
import { planUpward, upwardRuleFor, type UpwardPlan } from '../domain/upward.js';
import { planContext } from '../activities/plan.js';
import { reportChatPlan } from '../chat/index.js';
import { reportWorkflow } from '../workflows/report.js';
import { linkExpectation } from './expected.js';
import { countSubmission } from '../ops/metrics.js';
import { keepText } from '../storage/texts.js';
import { type ErrorCodes } from '../domain/errors.js';

export interface Submission {
  origin: { kind: 'mail' | 'web'; ref: string };
  from: Person;
  /** Needed only when the sender belongs to several departments (the form asks). */
  departmentId?: string | undefined;
  category: CategoryLabel;
  urgency: Urgency;
  title: string;
  body: string;
  eventTime: Date;
  receivedAt: Date;
  attachments: AttachmentRef[];
  /** The expected report this one answers (the liaison replied to its reminder). */
  expectedId?: string | undefined;
  /** Sent up by a school's baosong (a bureau's intake): that school's report number. */
  upstream?: { ref: string } | undefined;
}

export type SubmissionErrorCode = ErrorCodes<'ESUBMIT_UNKNOWN_SENDER' | 'ESUBMIT_DEPARTMENT'>;

export class SubmissionError extends Error {
  constructor(
    readonly code: SubmissionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SubmissionError';
  }
}

/** The same origin always gives the same workflow id: `report-mail-<hash of Message-ID>`. */
export function reportWorkflowId(origin: Submission['origin']): string {
  return `report-${origin.kind}-${createHash('sha256').update(origin.ref).digest('hex').slice(0, 32)}`;
}

/** Which department a submission belongs to, by the sender's roles (liaison first, then head, then member). */
export function submittingDepartment(config: Config, submission: Pick<Submission, 'from' | 'departmentId'>) {
  const who = identify(config, submission.from.email);
  const mine = ['liaison', 'department_head', 'member'].flatMap((role) => who.roles.filter((r) => r.role === role).map((r) => ('department' in r ? r.department : '')));
  const atLarge = who.roles.some((r) => r.role === 'office' || r.role === 'leadership');
  if (mine.length === 0 && !atLarge) {
    throw new SubmissionError('ESUBMIT_UNKNOWN_SENDER', `${submission.from.email} is not listed in any department of the configuration`);
  }
  const wanted = submission.departmentId;
  if (wanted !== undefined && !mine.includes(wanted) && !atLarge) {
    throw new SubmissionError('ESUBMIT_DEPARTMENT', `${submission.from.email} does not belong to department "${wanted}"`);
  }
  const id = wanted ?? mine[0];
  const department = config.departments.find((d) => d.id === id);
  if (!department) throw new SubmissionError('ESUBMIT_DEPARTMENT', `Choose the department this report is for (unknown department "${id ?? ''}")`);
  return { department, submitterName: who.name ?? submission.from.name };
}

/** Everything the workflow needs, decided now. `bodyRef`: where the whole body is stored when `submission.body` is its excerpt. */
export function prepareReport(config: Config, submission: Submission, reportId: string, bodyRef: TextRef | null = null): ReportInput {
  const { department, submitterName } = submittingDepartment(config, submission);
  const ctx = planContext(config);
  const due = computeDeadline(submission.eventTime, submission.urgency, ctx).dueAt;
  const person = (p: { name: string; email: string }): Person => ({ name: p.name, email: p.email });
  const submitter = { name: submitterName, email: submission.from.email.toLowerCase() };
  const chat = reportChatPlan(config, { urgency: submission.urgency, departmentId: department.id });
  const upward = upwardPlanFor(config, submission);
  return {
    facts: {
      reportId,
      origin: submission.origin,
      submitter,
      department: { id: department.id, name: department.name, head: person(department.head) },
      category: submission.category,
      urgency: submission.urgency,
      title: submission.title,
      body: submission.body,
      ...(bodyRef ? { bodyRef } : {}),
      attachments: submission.attachments,
      eventTime: submission.eventTime.toISOString(),
      receivedAt: submission.receivedAt.toISOString(),
      dueAt: due.toISOString(),
      timeliness: timeliness(submission.receivedAt, due),
      ...(submission.upstream ? { upstream: submission.upstream } : {}),
    },
    chain: resolveReviewChain({
      category: submission.category,
      urgency: submission.urgency,
      submitter,
      rules: config.review.chains,
      people: { departmentHead: person(department.head), office: config.office.reviewers.map(person), leadership: config.leadership.map(person) },
      skipHeadWhenSubmitter: config.review.skipHeadWhenSubmitter,
    }),
    plan: planReview(submission.receivedAt, submission.urgency, ctx),
    office: config.office.reviewers.map(person),
    leadership: config.leadership.map(person),
    editor: config.publish.editorEmail
      ? { name: identify(config, config.publish.editorEmail).name ?? (config.school.locale === 'en' ? 'Website editor' : '网站编辑'), email: config.publish.editorEmail }
      : null,
    ...(config.publish.archiveCategories.includes(submission.category) ? { archiveOnly: true } : {}),
    ...(config.publish.wechat ? { wechat: true } : {}),
    ...(config.publish.webhookUrl ? {} : { publishWebhook: false as const }),
    ...(chat ? { chat } : {}),
    ...(upward ? { upward } : {}),
  };
}

/** 投稿: the way up the office sends a piece by hand — no deadline, listened to like any. Null without `upward`. */
export function officeUpwardPlan(config: Config): UpwardPlan | null {
  const up = config.upward;
  return up ? { bureau: { name: up.bureau.name, email: up.bureau.email.toLowerCase() }, parallel: false, dueAt: null, reminders: [], listenMs: up.listenDays * 86_400_000 } : null;
}

/** 上报: whether this report goes up to the bureau, and by when (the first rule of config `upward` that covers it). */
export function upwardPlanFor(config: Config, submission: Pick<Submission, 'category' | 'urgency' | 'eventTime' | 'receivedAt'>): UpwardPlan | null {
  const up = config.upward;
  const rule = up ? upwardRuleFor(up.rules, submission.category, submission.urgency) : null;
  if (!up || !rule) return null;
  return planUpward(rule, { bureau: { name: up.bureau.name, email: up.bureau.email.toLowerCase() }, eventTime: submission.eventTime, now: submission.receivedAt, listenDays: up.listenDays, ctx: planContext(config) });
}

export interface SubmitDeps {
  client: Client;
  config: Config;
  readModel: ReadModel;
}

export interface SubmitResult {
  reportId: string;
  workflowId: string;
  /** false when this submission had already started its report (a duplicate). */
  started: boolean;
}

export async function submitReport(deps: SubmitDeps, submission: Submission): Promise<SubmitResult> {
  // Refuse an unknown sender or a wrong department before a report number is used up (no gaps in R-2026-…).
  submittingDepartment(deps.config, submission);
  const year = toLocal(submission.receivedAt, deps.config.school.timeZone).year;
  const reportId = await deps.readModel.allocateReportNumber(`${submission.origin.kind}:${submission.origin.ref}`, year, submission.receivedAt);
  const workflowId = inSchool(deps.config.district?.school, reportWorkflowId(submission.origin));
  // A long body is stored first: the workflow gets its excerpt and the reference.
  const body = await keepText(deps.config, submission.body);
  const input = prepareReport(deps.config, { ...submission, body: body.text }, reportId, body.ref);
  try {
    await deps.client.workflow.start(reportWorkflow, {
      taskQueue: deps.config.temporal.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    countSubmission(submission.origin.kind, submission, true);
    // A report the office was expecting (漏报 watch) is linked to it: satisfied, or late.
    await linkExpectation(deps, { reportId, departmentId: input.facts.department.id, eventTime: submission.eventTime, receivedAt: submission.receivedAt, expectedId: submission.expectedId }).catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // its watch had already ended
    });
    return { reportId, workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      countSubmission(submission.origin.kind, submission, false);
      return { reportId, workflowId, started: false };
    }
    throw err;
  }
}
