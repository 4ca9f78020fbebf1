/**
 * Chat messages (group robots) as activities: one per report + event + robot, recorded like sent mail
 * (chat_messages), so a retry never posts a message that already went out. A rate limit (ours or the
 * robot's) is a retryable failure with the delay to wait; a bad key or signature is not retryable (a
 * person must fix the configuration) and shows in /healthz.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ChatError, type ChatMessage, type ChatRobots } from '../chat/index.js';
import { digestChatMessage, missingChatMessage, reportChatMessage, type MessageContext } from '../chat/messages.js';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import type { ReportChatRequest } from '../domain/chat.js';
import type { DigestFigures } from '../digest/figures.js';
import { statusUrl } from '../mail/links.js';
import type { ExpectedReportInput } from '../workflows/expected.js';

/** Mobile numbers of everyone in the configuration, by lower-case address. */
export function mobilesOf(config: Config): Map<string, string> {
  const people = [...config.departments.flatMap((d) => [d.head, ...d.liaisons, ...d.members]), ...config.office.reviewers, ...config.leadership];
  const map = new Map<string, string>();
  for (const p of people) if (p.mobile) map.set(p.email.toLowerCase(), p.mobile);
  return map;
}

export function createChatActivities(deps: { config: Config; readModel: ReadModel; secret: string; chat: ChatRobots }) {
  const { config, readModel, secret, chat } = deps;
  const ctx: MessageContext = { locale: config.school.locale, timeZone: config.school.timeZone, mobiles: mobilesOf(config) };
  const dashboard = `${config.web.baseUrl.replace(/\/+$/, '')}/office`;

  /** Posts `message` through `robot` unless the record says it went out already. */
  async function postOnce(m: { subject: string; eventKey: string; event: string; robot: string; at: string }, message: () => ChatMessage): Promise<void> {
    const key = `${m.subject}|${m.eventKey}|${m.robot}`;
    // Our own limiter first: waiting for a slot is not an attempt (nothing recorded, nothing sent).
    const wait = chat.take(m.robot);
    if (wait > 0) throw ApplicationFailure.create({ message: `The robot "${m.robot}" is at its rate limit; waiting ${Math.ceil(wait / 1000)} s`, type: 'ECHAT_RATE_LIMITED', nextRetryDelay: wait });
    const row = await readModel.recordChatSending({ key, subject: m.subject, event: m.event, robot: m.robot, createdAt: m.at });
    if (row.status === 'sent') return;
    try {
      await chat.deliver(m.robot, message());
      await readModel.markChatSent(key, new Date());
    } catch (err) {
      await readModel.markChatFailed(key, err instanceof ChatError ? `${err.code}: ${err.message}` : (err as Error).message);
      throw asFailure(err);
    }
  }

  return {
    /** One report event to one robot. */
    async sendReportChat(req: ReportChatRequest): Promise<void> {
      await postOnce({ subject: req.reportId, eventKey: req.key, event: req.event, robot: req.robot, at: req.composedAt }, () =>
        reportChatMessage(req, statusUrl(config.web.baseUrl, req.reportId, secret), ctx),
      );
    },

    /** A missing expected report (漏报) to one robot. */
    async sendExpectedChat({ input, robot, at }: { input: ExpectedReportInput; robot: string; at: string }): Promise<void> {
      await postOnce({ subject: input.id, eventKey: 'missing', event: 'expected_missing', robot, at }, () =>
        missingChatMessage({ departmentName: input.department.name, title: input.title, dueAt: input.dueAt, head: input.department.head }, dashboard, ctx),
      );
    },

    /** The weekly digest's headline figures to one robot (after the digest mail recorded them). */
    async sendDigestChat({ week, robot, at }: { week: string; robot: string; at: string }): Promise<void> {
      const record = await readModel.digestFor(week);
      if (!record) throw ApplicationFailure.nonRetryable(`No digest of ${week} was computed`, 'DigestMissing');
      const f = record.figures as DigestFigures;
      const s = f.current.school;
      await postOnce({ subject: week, eventKey: 'digest', event: 'digest', robot, at }, () =>
        digestChatMessage(
          { week, monday: f.monday, sunday: f.sunday, submitted: s.submitted, onTime: s.onTime, late: s.late, missing: s.missing, published: s.published, pending: f.pending.length, overdue: f.overdue.length },
          dashboard,
          ctx,
        ),
      );
    },
  };
}

/** Rate limits and outages retry (after the delay the robot asks for); credentials and refusals do not. */
function asFailure(err: unknown): unknown {
  if (!(err instanceof ChatError)) return err;
  if (!err.retryable) return ApplicationFailure.nonRetryable(err.message, err.code);
  return ApplicationFailure.create({ message: err.message, type: err.code, ...(err.retryAfterMs !== null ? { nextRetryDelay: err.retryAfterMs } : {}) });
}
