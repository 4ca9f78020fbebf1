/**
 * "What would baosong do with this mail?" — the decision the intake makes, as one plain object.
 * `baosong inspect` prints it; the intake service acts on the same decision.
 */
import { WorkingCalendar } from '../domain/calendar.js';
import { DEFAULT_CHECK_SETTINGS, photoCaptionsFromText, ReportChecks, type CheckFacts, type Finding } from '../domain/checks/index.js';
import { computeDeadline, timeliness, type DeadlineContext } from '../domain/deadline.js';
import { understandMail } from '../domain/mail/understand.js';
import type { MailInput, MailUnderstanding } from '../domain/mail/types.js';
import type { Timeliness } from '../domain/report.js';
import { DEFAULT_TIME_ZONE, formatIsoInZone } from '../domain/time.js';
import { checkFacts, deadlineContext, identify, type SenderIdentity } from '../config/school.js';
import type { Config } from '../config/schema.js';
import { parseMail } from './parse-mail.js';

export interface InspectOptions {
  /** The school's configuration: adds the sender's roles and the school calendar. */
  config?: Config;
  /** When the mail arrived; defaults to its Date header. */
  receivedAt?: Date;
  /** Used when neither `receivedAt` nor a Date header is there (the CLI passes the file's mtime). */
  fallbackReceivedAt?: Date;
}

export interface InspectResult {
  kind: MailUnderstanding['kind'];
  intent: MailUnderstanding['intent'];
  reportId: string | null;
  category: MailUnderstanding['category'];
  urgency: MailUnderstanding['urgency'];
  eventTime: string | null;
  dueAt: string | null;
  /** on_time / late for a new report, measured at receipt; null otherwise. */
  timeliness: Timeliness | null;
  receivedAt: string;
  subject: string;
  title: string;
  from: string | null;
  messageId: string | null;
  attachments: { name: string | null; type: string; size: number }[];
  reason: string | null;
  sendBackReason: string | null;
  flags: string[];
  /** Why the due time is what it is. */
  deadlineRule: string | null;
  /** Only with a configuration: who the sender is in the school. */
  sender?: SenderIdentity;
  /**
   * 稿件体检 of a new report (empty for other mail): codes such as weekday_mismatch, id_number. Without a
   * configuration the checks that need the school's people and settings use none and the defaults.
   */
  checks: Finding[];
}

/** The report checks of a mail: title, new text, and its pictures with the captions written in the text. */
export function checkMailReport(mail: MailUnderstanding, input: MailInput, facts: CheckFacts): Finding[] {
  if (mail.kind !== 'report') return [];
  const pictures = input.attachments.filter((a) => a.contentType.startsWith('image/'));
  const photos = photoCaptionsFromText(mail.body, pictures.map((a) => ({ name: a.filename })));
  return new ReportChecks(facts).check({ title: mail.title, body: mail.body, photos, receivedAt: input.receivedAt });
}

export async function inspectMail(raw: Buffer | string, options: InspectOptions = {}): Promise<InspectResult> {
  const input: MailInput = await parseMail(raw, options.receivedAt ? { receivedAt: options.receivedAt } : {});
  const flags: string[] = [];
  if (!options.receivedAt && !input.date) {
    if (options.fallbackReceivedAt) input.receivedAt = options.fallbackReceivedAt;
    flags.push('received_time_unknown');
  }
  const ctx: DeadlineContext = options.config
    ? deadlineContext(options.config)
    : { calendar: new WorkingCalendar(), timeZone: DEFAULT_TIME_ZONE };
  const mail = understandMail(input, { timeZone: ctx.timeZone });
  const iso = (d: Date | null) => (d ? formatIsoInZone(d, ctx.timeZone) : null);

  const deadline = mail.kind === 'report' && mail.eventTime ? computeDeadline(mail.eventTime, mail.urgency, ctx) : null;
  const result: InspectResult = {
    kind: mail.kind,
    intent: mail.intent,
    reportId: mail.reportId,
    category: mail.category,
    urgency: mail.urgency,
    eventTime: iso(mail.eventTime),
    dueAt: iso(deadline?.dueAt ?? null),
    timeliness: deadline ? timeliness(input.receivedAt, deadline.dueAt) : null,
    receivedAt: formatIsoInZone(input.receivedAt, ctx.timeZone),
    subject: mail.subject,
    title: mail.title,
    from: input.from?.address ?? null,
    messageId: input.messageId,
    attachments: input.attachments.map((a) => ({ name: a.filename, type: a.contentType, size: a.size })),
    reason: mail.reason,
    sendBackReason: mail.sendBackReason,
    flags: [...mail.flags, ...flags],
    deadlineRule: deadline?.explanation ?? null,
    checks: checkMailReport(mail, input, options.config ? checkFacts(options.config) : { timeZone: ctx.timeZone, people: [], departments: [], settings: DEFAULT_CHECK_SETTINGS }),
  };
  if (options.config && input.from) result.sender = identify(options.config, input.from.address);
  return result;
}
