/**
 * A bureau's page of its district (issue 25): every school's week side by side — reports, on time, 迟报, 漏报, sent
 * back, published, on-time rate, 录用 — for the bureau's office and leaders, signed in as on any office page.
 * Registered only for a bureau's pages in a district's deployment (WebOptions.district); it reads the district's
 * unscoped database through digest/district-figures.ts (counts only).
 */
import type { FastifyPluginAsync } from 'fastify';
import { identify } from '../config/school.js';
import { districtRowMarks, districtWeekFigures } from '../digest/district-figures.js';
import { weekOf, WeekError, type IsoWeek } from '../digest/weeks.js';

const WEEK_RE = /^\d{4}-W\d{2}$/;

export const districtPages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  const district = web.district;
  if (!district) return;
  const config = web.config;

  app.get<{ Querystring: { week?: string } }>('/office/district', async (req, reply) => {
    const session = app.officeSession(req, reply);
    if (!session) return reply;
    if (!identify(config, session.email).roles.some((r) => r.role === 'office' || r.role === 'leadership')) return web.message(req, reply, 403, web.t(req, 'act.forbidden'));
    const asked = req.query.week?.trim();
    const again = { kind: 'warning' as const, links: [{ href: '/office/district', label: web.strings(req)['district.heading'] }] };
    if (asked && !WEEK_RE.test(asked)) return web.message(req, reply, 400, web.t(req, 'district.badWeek'), again);
    const week: IsoWeek = asked || weekOf(new Date(), config.school.timeZone);
    let figures;
    try {
      figures = await districtWeekFigures(district.root, week, config.school.timeZone, district.schools);
    } catch (err) {
      if (err instanceof WeekError) return web.message(req, reply, 400, web.t(req, 'district.badWeek'), again); // 2026-W60 has the shape and is no week
      throw err;
    }
    const row = (s: (typeof figures.schools)[number] | typeof figures.total, name: string) => ({ name, ...s, ...districtRowMarks(s) });
    return web.page(
      req,
      reply,
      'district',
      { week, monday: figures.monday, sunday: figures.sunday, schools: figures.schools.map((s) => row(s, s.name)), total: row(figures.total, web.strings(req)['district.total']), count: figures.schools.length },
      { title: web.strings(req)['district.heading'] },
    );
  });
};
