/**
 * Chat (企业微信 / 钉钉 / 飞书 group robots) as a second channel for the urgent moments; mail stays the
 * record and the way to act. Which events of which reports go to chat, and which robots hear them, is
 * decided before a report starts (ReportChatPlan, from the configuration); the lifecycle then emits one
 * `chat` effect per robot and event.
 */
import type { ChatEffect, ReportInput, ReportState } from './lifecycle.js';
import type { Timeliness, Urgency } from './report.js';
import type { Person, ReviewStepKind } from './review.js';

/** What may go to chat. Routine traffic stays in mail. */
export const CHAT_EVENTS = ['new_report', 'review_waiting', 'overdue', 'expected_missing', 'digest'] as const;
export type ChatEventKind = (typeof CHAT_EVENTS)[number];

/** Report events (the others belong to expected reports and the digest). */
export type ReportChatEvent = Extract<ChatEventKind, 'new_report' | 'review_waiting' | 'overdue'>;

/** Who a robot speaks to: the office's group, the leadership's group, or one department's group. */
export type ChatAudience = 'office' | 'leadership' | 'department';

export interface ReportChatPlan {
  /** The report events that go to chat for this report (by its urgency and the configuration). */
  events: ReportChatEvent[];
  /** Robot names per audience (the department is the report's own). */
  robots: Record<ChatAudience, string[]>;
}

/** The audience whose group a review step's holders read. */
export function stepAudience(kind: ReviewStepKind): ChatAudience {
  return kind === 'department_head' ? 'department' : kind;
}

/** The robots of some audiences, each once, in order. */
export function robotsOf(plan: ReportChatPlan, audiences: ChatAudience[]): string[] {
  const names = audiences.flatMap((a) => plan.robots[a]);
  return names.filter((n, i) => names.indexOf(n) === i);
}

/** Where each report event goes: a new report to everyone; a waiting review to the step's group; an overdue one also to whom it escalates. */
export function reportEventAudiences(event: ReportChatEvent, stepKind: ReviewStepKind | null): ChatAudience[] {
  switch (event) {
    case 'new_report':
      return ['department', 'office', 'leadership'];
    case 'review_waiting':
      return stepKind ? [stepAudience(stepKind)] : [];
    case 'overdue':
      return stepKind ? [stepAudience(stepKind), stepKind === 'office' ? 'leadership' : 'office'] : ['office'];
  }
}

/** Everything the chat activity needs to write one report message for one robot. */
export interface ReportChatRequest {
  reportId: string;
  event: ReportChatEvent;
  key: string;
  robot: string;
  /** The workflow's time when the message was decided. */
  composedAt: string;
  report: {
    title: string;
    departmentName: string;
    submitter: Person;
    category: string;
    urgency: Urgency;
    eventTime: string;
    dueAt: string;
    timeliness: Timeliness;
  };
  step: { index: number; count: number; kind: ReviewStepKind } | null;
  /** Who holds the step (named, and @-mentioned where their mobile is configured). */
  holders: Person[];
  reviewDueAt: string;
}

export function chatRequest(input: ReportInput, state: ReportState, effect: ChatEffect, composedAt: string): ReportChatRequest {
  const f = input.facts;
  const step = effect.step === null ? undefined : state.chain[effect.step];
  return {
    reportId: f.reportId,
    event: effect.event,
    key: effect.key,
    robot: effect.robot,
    composedAt,
    report: { title: state.title, departmentName: f.department.name, submitter: f.submitter, category: f.category, urgency: f.urgency, eventTime: f.eventTime, dueAt: f.dueAt, timeliness: f.timeliness },
    step: step && effect.step !== null ? { index: effect.step, count: state.chain.length, kind: step.kind } : null,
    holders: step?.holders ?? [],
    reviewDueAt: state.plan.dueAt,
  };
}
