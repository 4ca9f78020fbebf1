/**
 * The weekly digest's activities: when the next one is due, and computing + mailing one ISO week's
 * digest exactly once (the digests table remembers what was sent; each mail has a Message-ID per week
 * and recipient, so a retry resends nothing that went out).
 */
import { createHash } from 'node:crypto';
import { digestRobots } from '../chat/index.js';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/connect.js';
import type { ReadModel } from '../db/read-model.js';
import { ChartError, renderDepartmentChart } from '../digest/chart.js';
import { computeDigest, type DigestFigures } from '../digest/figures.js';
import { districtWeekFigures } from '../digest/district-figures.js';
import { digestSendTime, nextDigestWeek, type IsoWeek } from '../digest/weeks.js';
import type { DistrictView } from './deps.js';
import { automaticMail, deliverOnce } from '../mail/deliver.js';
import { mailDomain } from '../mail/message-id.js';
import type { MailTransport } from '../mail/transport.js';
import { renderDigest, type DigestUnit } from '../templates/render.js';
import { scoringBook } from '../exports/build.js';
import { bookOptions } from '../exports/index.js';
import { termOf, termRange } from '../domain/terms.js';
import { formatLocalDate, toLocal } from '../domain/time.js';

/** A bureau (any level above 校级) lists its schools as departments, and its people call them schools. */
export function digestUnit(config: Config): DigestUnit {
  return config.school.level !== '校级' ? 'school' : 'department';
}

/** Who gets the digest: the configured roles' people and any extra addresses, each once. */
export function digestRecipients(config: Config): { name: string; email: string }[] {
  const people = [
    ...(config.digest.roles.includes('office') ? config.office.reviewers : []),
    ...(config.digest.roles.includes('leadership') ? config.leadership : []),
    ...config.digest.recipients.map((email) => ({ name: email, email })),
  ];
  return people.filter((p, i) => people.findIndex((q) => q.email === p.email) === i).map((p) => ({ name: p.name, email: p.email }));
}

export function createDigestActivities(deps: { config: Config; database: Database; readModel: ReadModel; transport: MailTransport; district?: DistrictView }) {
  const { config, database, readModel, transport } = deps;
  const schedule = { weekday: config.digest.weekday, time: config.digest.time };
  const tz = config.school.timeZone;
  const domain = mailDomain(config.mail.address);

  /** The current term's 考核 ranking as of `now`: the digest shows where each department stands. */
  async function termRanking(db: Database, now: Date) {
    const range = termRange(termOf(formatLocalDate(toLocal(now, tz))), config.scoring?.terms ?? []);
    const book = await scoringBook(db, bookOptions(config, range));
    return { term: config.school.locale === 'en' ? range.label.en : range.label.zh, departments: book.departments.map((d) => ({ rank: d.rank, department: d.department, points: d.points })) };
  }

  async function computeFigures(week: IsoWeek, at: string): Promise<DigestFigures> {
    const departments = config.departments.map((d) => ({ id: d.id, name: d.name }));
    const figures = await computeDigest(database, { week, timeZone: tz, departments, baseUrl: config.web.baseUrl, now: new Date(at), ...(config.scoring ? { scoring: (db: Database) => termRanking(db, new Date(at)) } : {}) });
    // A bureau's digest opens with its schools' own weeks: what it ranks them by.
    if (deps.district) figures.district = { ...(await districtWeekFigures(deps.district.root, week, tz, deps.district.schools)), url: `${config.web.baseUrl}/office/district?week=${week}` };
    return figures;
  }

  return {
    /** The next digest due strictly after `after`: its ISO week and its send instant. */
    nextDigestRun({ after }: { after: string }): Promise<{ week: string; at: string }> {
      const week = nextDigestWeek(new Date(Date.parse(after) + 1), schedule, tz);
      return Promise.resolve({ week, at: digestSendTime(week, schedule, tz).toISOString() });
    },

    /** Computes and mails the digest of `week`, once. `at`: the workflow's time (the digest's "now"). */
    async sendWeeklyDigest({ week, at }: { week: string; at: string }): Promise<{ sent: number; chatRobots: string[] }> {
      const chatRobots = digestRobots(config);
      const existing = await readModel.digestFor(week);
      if (existing?.sentAt) return { sent: 0, chatRobots };
      // The figures are frozen at the first computation: a retry mails the same numbers.
      const record = existing ?? (await readModel.recordDigest({ week, computedAt: at, figures: await computeFigures(week, at) }));
      const figures = record.figures as DigestFigures;
      let chart: Buffer | null = null;
      try {
        chart = await renderDepartmentChart(figures, { locale: config.school.locale, timeZone: tz, unit: digestUnit(config) });
      } catch (err) {
        if (!(err instanceof ChartError)) throw err; // no CJK font here: the digest goes without its chart
      }
      const cid = `chart.${week}@${domain}`;
      const { subject, html, text } = renderDigest(figures, { locale: config.school.locale, timeZone: tz, schoolName: config.school.name, chartCid: chart ? cid : null, unit: digestUnit(config) });
      const ids: string[] = [];
      for (const person of digestRecipients(config)) {
        const messageId = `<digest.${week}.${createHash('sha256').update(person.email.toLowerCase()).digest('hex').slice(0, 12)}@${domain}>`;
        ids.push(messageId);
        await deliverOnce(readModel, transport, { messageId, reportId: null, kind: 'digest', to: [person.email], subject, createdAt: at }, () =>
          automaticMail(config, {
            messageId,
            to: person,
            at,
            kind: 'digest',
            rendered: { subject, html, text },
            headers: { 'X-Baosong-Week': week },
            ...(chart ? { attachments: [{ filename: `digest-${week}.png`, content: chart, contentType: 'image/png', cid }] } : {}),
          }),
        );
      }
      await readModel.markDigestSent(week, ids, at);
      return { sent: ids.length, chatRobots };
    },
  };
}
