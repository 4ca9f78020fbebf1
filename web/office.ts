/**
 * The office dashboard. Sign-in by a one-time link mailed to an address the configuration lists as
 * office or leadership; opening the link shows a button, and its POST starts a session (cookie,
 * HttpOnly, SameSite=Lax, Secure on https). Then: the filterable list, CSV export, the people who
 * hold overdue reports, and each report's detail with timeline and attachments.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { schoolCalendar } from '../config/school.js';
import type { Config } from '../config/schema.js';
import type { Report, ReportFilter } from '../db/rows.js';
import { CATEGORIES, REPORT_STATUSES, REPORT_STATUS_LABELS, URGENCY_LABELS, type ReportStatus } from '../domain/report.js';
import { parseDateTime } from '../domain/time.js';
import { ExpectationError, registerExpectation } from '../intake/expected.js';
import { statusQuery } from '../workflows/report.js';
import { csvField } from '../templates/csv.js';
import { formatDateTime } from '../templates/format.js';
import type { Locale } from '../templates/types.js';
import { isThumbnailable, sendAttachment } from './files.js';
import { mailDeskPages, mailDeskSection } from './mail-desk.js';
import { officeActionPages, officeActionsPanel } from './office-actions.js';
import { districtPages } from './office-district.js';
import { officeUsesPages, usesPanel } from './office-uses.js';
import type { Web } from './server.js';
import { signInPages } from './signin.js';
import { MAIL_KIND_LABELS, MAIL_STATUS_LABELS } from './strings.js';
import { bodyForPage, categoryLabel, stepLabel, timelineItems } from './view.js';

interface Filters {
  department: string;
  category: string;
  status: string;
  late: string;
  overdue: string;
  from: string;
  to: string;
}

/** Reports per page of the dashboard list. */
export const PAGE_SIZE = 100;

function pageQuery(filters: URLSearchParams, page: number): string {
  const q = new URLSearchParams(filters);
  if (page > 1) q.set('page', String(page));
  return q.toString();
}

const FILTER_KEYS: (keyof Filters)[] = ['department', 'category', 'status', 'late', 'overdue', 'from', 'to'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function readFilters(query: Record<string, unknown>): Filters {
  const f = Object.fromEntries(FILTER_KEYS.map((k) => [k, typeof query[k] === 'string' ? query[k].trim() : ''])) as unknown as Filters;
  return f;
}

function toReportFilter(f: Filters, timeZone: string): ReportFilter {
  const filter: ReportFilter = {};
  if (f.department) filter.department = f.department;
  if (f.category && CATEGORIES.some((c) => c.zh === f.category)) filter.category = f.category;
  if (f.status && (REPORT_STATUSES as readonly string[]).includes(f.status)) filter.status = f.status as ReportStatus;
  if (f.late === 'yes' || f.late === 'no') filter.late = f.late === 'yes';
  if (f.overdue === 'yes' || f.overdue === 'no') filter.overdue = f.overdue === 'yes';
  if (DATE_RE.test(f.from)) filter.from = parseDateTime(f.from, timeZone);
  if (DATE_RE.test(f.to)) filter.to = new Date(parseDateTime(f.to, timeZone).getTime() + 86_400_000); // the whole "to" day
  return filter;
}

/**
 * /office: sign-in, the dashboard, one report's page, the CSV export; the desk and the actions are its child
 * plugins and find the signed-in person through this plugin's `officeSession` decoration.
 */
export const officePages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  const { config } = web;
  const tz = config.school.timeZone;
  const deptName = (id: string) => config.departments.find((d) => d.id === id)?.name ?? id;

  function requireSession(req: FastifyRequest, reply: FastifyReply) {
    const session = web.sessions.get(req);
    if (!session) {
      void reply.redirect('/office/signin', 303);
      return null;
    }
    return session;
  }

  const row = (r: Report, locale: Locale) => ({
    id: r.id,
    href: `/office/reports/${encodeURIComponent(r.id)}`,
    title: r.title,
    department: deptName(r.departmentId),
    categoryText: categoryLabel(r.category, locale),
    urgency: r.urgency,
    status: r.status,
    holders: r.holders.map((h) => h.name).join('、'),
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    timeliness: r.timeliness,
    overdue: r.overdue,
  });

  await app.register(signInPages);

  // ---- the list ------------------------------------------------------------------------------
  app.get<{ Querystring: Record<string, unknown> }>('/office', async (req, reply) => {
    const session = requireSession(req, reply);
    if (!session) return reply;
    const locale = web.locale(req);
    const en = locale === 'en';
    const f = readFilters(req.query);
    const filter = toReportFilter(f, tz);
    const total = await web.readModel.countReports(filter);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const pageParam = Number(req.query.page);
    const pageNo = Number.isInteger(pageParam) && pageParam >= 1 ? Math.min(pageParam, pages) : 1;
    const reports = await web.readModel.listReports({ ...filter, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE });
    const overdue = await web.readModel.listReports({ overdue: true, status: 'in_review', limit: 1000 });
    const holders = new Map<string, { name: string; email: string; reports: { id: string; href: string }[] }>();
    for (const r of overdue) {
      for (const h of r.holders) {
        const key = h.email.toLowerCase();
        const entry = holders.get(key) ?? { name: h.name, email: h.email, reports: [] };
        entry.reports.push({ id: r.id, href: `/office/reports/${encodeURIComponent(r.id)}` });
        holders.set(key, entry);
      }
    }
    const query = new URLSearchParams(FILTER_KEYS.filter((k) => f[k] !== '').map((k): [string, string] => [k, f[k]]));
    const option = (value: string, label: string, current: string) => ({ value, label, selected: value === current });
    const s = web.strings(req);
    return web.page(
      req,
      reply,
      'dashboard',
      {
        csrf: web.csrf(req, reply),
        signedIn: web.t(req, 'office.signedInAs', { name: session.name }),
        district: web.district !== null,
        calendarNotice: provisionalYearsNotice(config, new Date(), web, req),
        filters: f,
        departments: [option('', s['office.any'], f.department), ...config.departments.map((d) => option(d.id, d.name, f.department))],
        categories: [option('', s['office.any'], f.category), ...CATEGORIES.map((c) => option(c.zh, en ? c.en : c.zh, f.category))],
        statuses: [option('', s['office.any'], f.status), ...REPORT_STATUSES.map((st) => option(st, REPORT_STATUS_LABELS[st][en ? 'en' : 'zh'], f.status))],
        lates: [option('', s['office.any'], f.late), option('yes', s['office.yes'], f.late), option('no', s['office.no'], f.late)],
        overdues: [option('', s['office.any'], f.overdue), option('yes', s['office.yes'], f.overdue), option('no', s['office.no'], f.overdue)],
        count: web.t(req, 'office.count', { n: total }),
        reports: reports.map((r) => row(r, locale)),
        paging:
          pages > 1
            ? {
                text: web.t(req, 'office.page', { page: pageNo, pages }),
                prev: pageNo > 1 ? `/office?${pageQuery(query, pageNo - 1)}` : null,
                next: pageNo < pages ? `/office?${pageQuery(query, pageNo + 1)}` : null,
              }
            : null,
        exportHref: `/office/export.csv${query.size > 0 ? `?${query.toString()}` : ''}`,
        overdueHolders: [...holders.values()].sort((a, b) => b.reports.length - a.reports.length),
        ...(await expectedSection(req)),
        ...(await mailDeskSection(web, req)),
      },
      { title: s['office.heading'] },
    );
  });

  app.decorate('officeSession', requireSession);
  await app.register(mailDeskPages);
  await app.register(officeActionPages);
  await app.register(officeUsesPages);
  if (web.district) await app.register(districtPages);

  // ---- expected reports (漏报 watch) -----------------------------------------------------------
  async function expectedSection(req: FastifyRequest) {
    const s = web.strings(req);
    const en = web.locale(req) === 'en';
    const open = await web.readModel.listExpected({ status: ['waiting', 'missing'] });
    const recent = (await web.readModel.listExpected({ status: ['satisfied', 'late'] })).slice(-20);
    const name = (id: string) => config.departments.find((d) => d.id === id)?.name ?? id;
    // The notice after registering names a real expectation by its id; no text from the address is shown.
    const query = req.query as Record<string, unknown> | undefined;
    const registered = typeof query?.expected === 'string' && query.expected.length <= 200 ? await web.readModel.getExpected(query.expected) : null;
    const notice = !registered ? '' : query?.new === '1' ? web.t(req, 'expected.added', { title: registered.title, due: formatDateTime(registered.dueAt, web.locale(req), tz) }) : web.t(req, 'expected.exists');
    return {
      expectedNotice: notice,
      expected: [...open, ...recent].map((e) => ({
        id: e.id,
        department: name(e.departmentId),
        title: e.title,
        eventEnd: e.eventEnd,
        dueAt: e.dueAt,
        state: s[`expected.${e.status}`],
        missing: e.status === 'missing' || e.status === 'late',
        reportId: e.reportId,
        reportHref: e.reportId ? `/office/reports/${encodeURIComponent(e.reportId)}` : null,
      })),
      expectedDepartments: config.departments.map((d) => ({ value: d.id, label: d.name })),
      urgencies: (['routine', 'major', 'urgent'] as const).map((u) => ({ value: u, label: URGENCY_LABELS[u][en ? 'en' : 'zh'] })),
    };
  }

  app.post<{ Body: Record<string, unknown> }>('/office/expected', async (req, reply) => {
    const session = requireSession(req, reply);
    if (!session) return reply;
    if (!web.csrfOk(req, req.body?.csrf)) return web.message(req, reply, 403, web.t(req, 'error.csrf'));
    const field = (k: string) => (typeof req.body?.[k] === 'string' ? String(req.body[k]).trim() : '');
    const urgency = field('urgency');
    let eventEnd: Date;
    try {
      eventEnd = parseDateTime(field('eventEnd').replace('T', ' '), tz);
    } catch {
      return web.message(req, reply, 400, web.t(req, 'expected.missingFields'), { kind: 'warning', links: [{ href: '/office#expected', label: web.t(req, 'office.heading') }] });
    }
    if (!field('department') || !field('title')) return web.message(req, reply, 400, web.t(req, 'expected.missingFields'), { kind: 'warning', links: [{ href: '/office#expected', label: web.t(req, 'office.heading') }] });
    let r: Awaited<ReturnType<typeof registerExpectation>>;
    try {
      r = await registerExpectation(
        { client: web.client, config, readModel: web.readModel },
        { departmentId: field('department'), title: field('title').slice(0, 200), eventEnd, urgency: urgency === 'major' || urgency === 'urgent' ? urgency : 'routine', source: 'web' },
      );
    } catch (err) {
      if (err instanceof ExpectationError) return web.message(req, reply, 400, err.message, { kind: 'warning', links: [{ href: '/office#expected', label: web.t(req, 'office.heading') }] });
      throw err;
    }
    return reply.redirect(`/office?expected=${encodeURIComponent(r.id)}&new=${r.started ? 1 : 0}#expected`, 303);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/office/export.csv', async (req, reply) => {
    const session = requireSession(req, reply);
    if (!session) return reply;
    const locale = web.locale(req);
    const en = locale === 'en';
    const s = web.strings(req);
    const reports = await web.readModel.listReports(toReportFilter(readFilters(req.query), tz));
    const header = ['col.id', 'col.title', 'col.department', 'col.category', 'col.urgency', 'col.status', 'col.submitter', 'col.eventTime', 'col.received', 'col.due', 'col.timeliness', 'col.overdue', 'col.holders', 'col.reviewDue', 'col.returned'] as const;
    const when = (iso: string | null) => (iso ? formatDateTime(iso, locale, tz) : '');
    const lines = [header.map((k) => csvField(s[k])).join(',')];
    for (const r of reports) {
      lines.push(
        [
          r.id,
          r.title,
          deptName(r.departmentId),
          categoryLabel(r.category, locale),
          URGENCY_LABELS[r.urgency][en ? 'en' : 'zh'],
          REPORT_STATUS_LABELS[r.status][en ? 'en' : 'zh'],
          r.submitterName ? `${r.submitterName} <${r.submitterEmail}>` : r.submitterEmail,
          when(r.eventTime),
          when(r.receivedAt),
          when(r.dueAt),
          r.timeliness === 'late' ? (en ? 'Late' : '迟报') : en ? 'On time' : '按时',
          r.overdue ? s['office.yes'] : s['office.no'],
          r.holders.map((h) => h.name).join('、'),
          when(r.reviewDueAt),
          r.returnedCount,
        ]
          .map(csvField)
          .join(','),
      );
    }
    const name = `baosong-${new Date().toISOString().slice(0, 10)}.csv`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(`\uFEFF${lines.join('\r\n')}\r\n`); // the BOM makes Excel read UTF-8
  });

  // ---- one report ----------------------------------------------------------------------------
  app.get<{ Params: { id: string } }>('/office/reports/:id', async (req, reply) => {
    const session = requireSession(req, reply);
    if (!session) return reply;
    const locale = web.locale(req);
    const report = await web.readModel.getReport(req.params.id);
    if (!report) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
    const [events, files, mails, input] = await Promise.all([
      web.readModel.timeline(report.id),
      web.readModel.attachmentsFor(report.id),
      web.readModel.mailFor(report.id),
      web.client.workflow
        .getHandle(report.workflowId)
        .query(statusQuery)
        .then((view) => web.facts.content(report.workflowId, view))
        .catch(() => web.facts.get(report.workflowId).then((i) => (i ? { input: i, body: i.facts.body, attachments: i.facts.attachments } : null)))
        .catch(() => null),
    ]);
    const timeline = timelineItems(
      events.map((e) => ({
        seq: e.seq,
        at: e.at,
        type: e.type,
        round: 0,
        step: e.step,
        actor: e.actorName || e.actorEmail ? { name: e.actorName ?? e.actorEmail ?? '', email: e.actorEmail ?? '' } : null,
        evidence: null,
        note: typeof e.detail.note === 'string' ? e.detail.note : null,
        refused: typeof e.detail.refused === 'string' ? (e.detail.refused as never) : null,
      })),
      locale,
      web.config.school.timeZone,
    );
    return web.page(
      req,
      reply,
      'report',
      {
        report: {
          ...row(report, locale),
          submitter: report.submitterName ? `${report.submitterName} <${report.submitterEmail}>` : report.submitterEmail,
          eventTime: report.eventTime,
          reviewDueAt: report.reviewDueAt,
          returnedCount: report.returnedCount,
          step: report.currentStepKind ? stepLabel(report.currentStepKind, locale) : null,
        },
        body: bodyForPage(input?.body ?? ''),
        actions: officeActionsPanel(web, req, reply, report, session),
        uses: await usesPanel(web, req, reply, report, session),
        timeline,
        attachments: files.map((a) => ({ ...a, thumbnail: isThumbnailable(a.contentType), href: `/office/reports/${encodeURIComponent(report.id)}/files/${a.sha256}/${encodeURIComponent(a.filename)}` })),
        mails: mails.map((m) => ({ kind: MAIL_KIND_LABELS[m.kind]?.[locale] ?? m.kind, subject: m.subject, to: m.to.join(', '), at: m.sentAt ?? m.createdAt, mailStatus: MAIL_STATUS_LABELS[m.status]?.[locale] ?? m.status })),
      },
      { title: `${report.id} · ${web.strings(req)['office.detail']}` },
    );
  });

  app.get<{ Params: { id: string; sha: string; name: string } }>('/office/reports/:id/files/:sha/:name', async (req, reply) => {
    const session = requireSession(req, reply);
    if (!session) return reply;
    const files = await web.readModel.attachmentsFor(req.params.id);
    const file = files.find((a) => a.sha256 === req.params.sha);
    if (!file) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
    return sendAttachment(web, req, reply, file);
  });
};

/**
 * The banner on the dashboard while this year or next has no holiday schedule yet (only the law's holidays
 * count, so deadlines in it are provisional): the office sees it and asks the IT teacher to add the schedule.
 */
function provisionalYearsNotice(config: Config, now: Date, web: Web, req: FastifyRequest): string | null {
  const year = Number(new Intl.DateTimeFormat('en', { timeZone: config.school.timeZone, year: 'numeric' }).format(now));
  const calendar = schoolCalendar(config);
  const years = [year, year + 1].filter((y) => calendar.yearSource(y) === 'provisional');
  return years.length === 0 ? null : web.t(req, 'office.calendarProvisional', { years: years.join('、') });
}
