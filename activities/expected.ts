/** Activities of expected reports (漏报 detection): recording their state and mailing about them. */
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import type { Person } from '../domain/review.js';
import { automaticMail, deliverOnce } from '../mail/deliver.js';
import { mailDomain } from '../mail/message-id.js';
import type { MailTransport } from '../mail/transport.js';
import { renderExpectedMail, type ExpectedMailKind } from '../templates/expected.js';
import type { ExpectedReportInput, ExpectedStatus } from '../workflows/expected.js';

export function createExpectedActivities(deps: { config: Config; readModel: ReadModel; transport: MailTransport }) {
  const { config, readModel, transport } = deps;
  const domain = mailDomain(config.mail.address);
  return {
    async recordExpectedState({ input, status, reportId }: { input: ExpectedReportInput; status: ExpectedStatus; reportId: string | null }): Promise<void> {
      const existing = await readModel.getExpected(input.id);
      if (!existing) {
        await readModel.recordExpected({ id: input.id, departmentId: input.department.id, title: input.title, eventEnd: input.eventEnd, urgency: input.urgency, dueAt: input.dueAt, source: 'cli', createdAt: new Date() });
      }
      // A deadline planned again on a new calendar (the workflow's input keeps the first one; the row follows).
      else if (existing.dueAt !== input.dueAt) await readModel.moveExpectedDue(input.id, input.dueAt);
      if (status !== 'waiting' || existing?.status !== 'waiting') await readModel.markExpected(input.id, status, reportId);
    },

    /** `at`: the workflow's time, for the Date header (the activity's clock is not the workflow's). */
    async sendExpectedMail({ input, kind, to, at }: { input: ExpectedReportInput; kind: ExpectedMailKind; to: Person[]; at: string }): Promise<void> {
      for (const person of to) {
        // The expectation's id is in the Message-ID: a liaison who answers the reminder with the report is linked by it.
        const messageId = `<expected.${input.id}.${kind}.${createHash('sha256').update(person.email.toLowerCase()).digest('hex').slice(0, 12)}@${domain}>`;
        const rendered = renderExpectedMail(
          kind,
          { schoolName: config.school.name, recipientName: person.name, departmentName: input.department.name, title: input.title, eventEnd: input.eventEnd, dueAt: input.dueAt },
          { locale: config.school.locale, timeZone: config.school.timeZone },
        );
        await deliverOnce(readModel, transport, { messageId, reportId: null, kind, to: [person.email], subject: rendered.subject, createdAt: at }, () =>
          automaticMail(config, { messageId, to: person, at, kind, rendered, headers: { 'X-Baosong-Expected': input.id } }),
        );
      }
    },
  };
}
