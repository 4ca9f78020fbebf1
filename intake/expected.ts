/**
 * Expected reports (应报事项): the office registers that a department owes a report about an event, by
 * the CLI, from the school calendar (.ics) or from the dashboard. Each runs an expectedReportWorkflow
 * that reminds, then marks it missing (漏报); a report from that department about that day satisfies it.
 */
import { inSchool } from '../domain/school-ids.js';
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import ICAL from 'ical.js';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import { planReview } from '../domain/plan.js';
import { isUrgency, type Urgency } from '../domain/report.js';
import { formatLocalDate, fromLocal, parseClock, toLocal } from '../domain/time.js';
import { planContext } from '../activities/plan.js';
import { missingReportRobots } from '../chat/index.js';
import { expectedReportWorkflow, expectedWorkflowId, satisfyExpectedSignal, type ExpectedReportInput } from '../workflows/expected.js';
import { type ErrorCodes } from '../domain/errors.js';

export interface Expectation {
  /** Stable id; default derived from department, title and event end (registering twice is the same). */
  id?: string;
  departmentId: string;
  title: string;
  eventEnd: Date;
  urgency: Urgency;
  source: 'cli' | 'ics' | 'web';
}

export class ExpectationError extends Error {
  constructor(
    readonly code: ErrorCodes<'EEXPECT_DEPARTMENT' | 'EEXPECT_ICS'>,
    message: string,
  ) {
    super(message);
    this.name = 'ExpectationError';
  }
}

interface Deps {
  client: Client;
  config: Config;
  readModel: ReadModel;
}

export function expectationId(e: Pick<Expectation, 'departmentId' | 'title' | 'eventEnd'>): string {
  return `E-${createHash('sha256').update(`${e.departmentId}|${e.title}|${e.eventEnd.toISOString()}`).digest('hex').slice(0, 12)}`;
}

/** Everything the workflow needs, decided now: the deadline and the reminder need the calendar. */
export function prepareExpectation(config: Config, e: Expectation): ExpectedReportInput {
  const department = config.departments.find((d) => d.id === e.departmentId || d.name === e.departmentId);
  if (!department) throw new ExpectationError('EEXPECT_DEPARTMENT', `Unknown department "${e.departmentId}" (expected one of ${config.departments.map((d) => d.id).join(', ')})`);
  const plan = planReview(e.eventEnd, e.urgency, planContext(config));
  const person = (p: { name: string; email: string }) => ({ name: p.name, email: p.email });
  const chatRobots = missingReportRobots(config, department.id);
  return {
    id: e.id ?? expectationId({ ...e, departmentId: department.id }),
    department: { id: department.id, name: department.name, head: person(department.head), liaisons: department.liaisons.map(person) },
    office: config.office.reviewers.map(person),
    title: e.title,
    urgency: e.urgency,
    eventEnd: e.eventEnd.toISOString(),
    dueAt: plan.dueAt,
    remindAt: plan.reminders[0] ?? null,
    ...(chatRobots.length > 0 ? { chatRobots } : {}),
  };
}

export async function registerExpectation(deps: Deps, e: Expectation): Promise<{ id: string; dueAt: string; started: boolean }> {
  const input = prepareExpectation(deps.config, e);
  if (!(await deps.readModel.getExpected(input.id))) {
    await deps.readModel.recordExpected({ id: input.id, departmentId: input.department.id, title: input.title, eventEnd: input.eventEnd, urgency: input.urgency, dueAt: input.dueAt, source: e.source, createdAt: new Date() });
  }
  try {
    await deps.client.workflow.start(expectedReportWorkflow, { taskQueue: deps.config.temporal.taskQueue, workflowId: inSchool(deps.config.district?.school, expectedWorkflowId(input.id)), args: [input] });
    return { id: input.id, dueAt: input.dueAt, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { id: input.id, dueAt: input.dueAt, started: false };
    throw err;
  }
}

/**
 * A new report satisfies the expectation it names (an answer to its reminder), else the oldest open
 * expectation of its department for the same (local) day. Returns the expectation's id, or null.
 */
export async function linkExpectation(deps: Deps, report: { reportId: string; departmentId: string; eventTime: Date; receivedAt: Date; expectedId?: string | undefined }): Promise<string | null> {
  const tz = deps.config.school.timeZone;
  const day = formatLocalDate(toLocal(report.eventTime, tz));
  const open = await deps.readModel.listExpected({ department: report.departmentId, status: ['waiting', 'missing'] });
  // Named (the liaison answered the reminder), else the same department and day.
  const match =
    open.find((e) => e.id === report.expectedId) ??
    open.filter((e) => formatLocalDate(toLocal(new Date(e.eventEnd), tz)) === day).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!match) return null;
  await deps.client.workflow.getHandle(inSchool(deps.config.district?.school, expectedWorkflowId(match.id))).signal(satisfyExpectedSignal, { reportId: report.reportId, receivedAt: report.receivedAt.toISOString() });
  return match.id;
}

/** The expectation a mail answers: our reminder's Message-ID is `<expected.<id>.<kind>.<hash>@…>`. */
export function expectationAnswered(messageIds: readonly (string | null)[]): string | null {
  for (const id of messageIds) {
    const m = id ? /^<expected\.([A-Za-z0-9-]+)\.[a-z_]+\.[0-9a-f]+@/.exec(id) : null;
    if (m?.[1]) return m[1];
  }
  return null;
}

const REPORT_MARKERS = ['报送', '信息报送', 'baosong', 'report'];

/**
 * Expectations from an iCalendar file of the school calendar. An event needs a report when one of its
 * CATEGORIES is 报送 / 信息报送 (or X-BAOSONG-DEPARTMENT is set); the department is X-BAOSONG-DEPARTMENT or
 * a category naming a department; urgency is X-BAOSONG-URGENCY or a category 重大 / 紧急 (else routine).
 * An all-day event ends at the end of working hours of its last day.
 */
export function expectationsFromIcs(config: Config, text: string): Expectation[] {
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (err) {
    throw new ExpectationError('EEXPECT_ICS', `Not an iCalendar file: ${(err as Error).message}`);
  }
  const out: Expectation[] = [];
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    const event = new ICAL.Event(vevent);
    const categories = vevent.getAllProperties('categories').flatMap((p) => p.getValues().map(String));
    const explicitDepartment = vevent.getFirstPropertyValue('x-baosong-department');
    const marked = categories.some((c) => REPORT_MARKERS.includes(c.trim().toLowerCase())) || explicitDepartment !== null;
    if (!marked) continue;
    const names = [String(explicitDepartment ?? ''), ...categories].map((c) => c.trim());
    const department = config.departments.find((d) => names.includes(d.id) || names.includes(d.name));
    if (!department) throw new ExpectationError('EEXPECT_ICS', `Event "${event.summary}" needs a report but names no department (X-BAOSONG-DEPARTMENT or a category such as ${config.departments[0]?.name ?? '教务处'})`);
    const urgencyProp = String(vevent.getFirstPropertyValue('x-baosong-urgency') ?? '').trim();
    const urgency: Urgency = isUrgency(urgencyProp) ? urgencyProp : categories.includes('紧急') ? 'urgent' : categories.includes('重大') ? 'major' : 'routine';
    const end = event.endDate;
    let eventEnd: Date;
    if (end.isDate) {
      const last = end.clone();
      last.adjust(-1, 0, 0, 0);
      const minutes = parseClock(config.workingHours.end);
      eventEnd = fromLocal({ year: last.year, month: last.month, day: last.day, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 }, config.school.timeZone);
    } else {
      eventEnd = end.zone?.tzid === 'floating' ? fromLocal({ year: end.year, month: end.month, day: end.day, hour: end.hour, minute: end.minute, second: end.second }, config.school.timeZone) : end.toJSDate();
    }
    out.push({ id: `ics-${createHash('sha256').update(event.uid || `${event.summary}|${eventEnd.toISOString()}`).digest('hex').slice(0, 16)}`, departmentId: department.id, title: event.summary, eventEnd, urgency, source: 'ics' });
  }
  return out;
}
