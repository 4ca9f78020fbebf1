/**
 * 发布与录用 and 考核 under /office (issue 20): on a report's page the office confirms a publication the editor
 * did not reply about, records where the piece was used (录用) and sets 简讯/详讯; /office/scoring shows the
 * term's ranking with every point's reason, the 瞒报 records, and the downloads bureaus ask for.
 * Every form carries the CSRF token; the person must be office or leadership now; each change goes to the audit.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { identify } from '../config/school.js';
import type { Config } from '../config/schema.js';
import { QuarantineDesk } from '../db/quarantine-desk.js';
import type { Report } from '../db/rows.js';
import { ChannelDrafts, ReportUses } from '../db/uses.js';
import { bookOptions, scoringDownload, ScoringError, type DownloadKind } from '../exports/index.js';
import { scoringBook } from '../exports/build.js';
import { sizeFromChars, USE_LEVELS, type UseLevel } from '../domain/scoring.js';
import { termOf, termRange, TermError, type TermRange } from '../domain/terms.js';
import { localDateOf } from '../domain/time.js';
import { parseUseLine, USE_KINDS } from '../domain/uses.js';
import { actOnReport, ReportActionError } from '../ops/report-actions.js';
import { tellSchoolOfUse } from '../ops/use-notice.js';
import type { Web } from './server.js';

const officeOrLeader = (web: Web, email: string) => identify(web.config, email).roles.some((r) => r.role === 'office' || r.role === 'leadership');
const today = (config: Config) => localDateOf(new Date(), config.school.timeZone);
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** What a report's page shows of its publication and uses (null for someone who may not see it). */
export async function usesPanel(web: Web, req: FastifyRequest, reply: FastifyReply, report: Report, session: { email: string }) {
  if (!officeOrLeader(web, session.email)) return null;
  const store = new ReportUses(web.readModel.database);
  const [uses, pieces, draft] = await Promise.all([store.usesOf([report.id]), store.pieces([report.id]), new ChannelDrafts(web.readModel.database).get(report.id, 'wechat_mp')]);
  const piece = pieces.get(report.id);
  const threshold = web.config.scoring?.detailedFromChars ?? 300;
  const base = `/office/reports/${encodeURIComponent(report.id)}`;
  // 投稿: an approved, published or archived piece not yet sent up to the bureau (the timeline says when it went).
  // (The last word counts: a mail that could not go leaves the button for sending it again.)
  const lastUp = web.config.upward ? (await web.readModel.timeline(report.id)).filter((e) => e.type === 'sent_upward' || e.type === 'upward_requested' || e.type === 'upward_failed').at(-1) : undefined;
  const wentUp = lastUp?.type === 'upward_failed' ? undefined : lastUp;
  const upward = web.config.upward && ['approved', 'published', 'archived'].includes(report.status) ? { action: `${base}/act`, bureau: web.config.upward.bureau.name, sentAt: wentUp?.at ?? null } : null;
  return {
    upward,
    csrf: web.csrf(req, reply),
    request: randomBytes(12).toString('base64url'),
    addAction: `${base}/uses`,
    sizeAction: `${base}/size`,
    publishAction: `${base}/publish`,
    publishable: report.status === 'approved',
    wechat: draft ? { ok: draft.state === 'draft', text: draft.state === 'draft' ? web.t(req, 'uses.wechatDraft') : web.t(req, 'uses.wechatFailed', { error: draft.error ?? '' }), note: draft.state === 'draft' ? draft.error : null } : null,
    decided: report.decidedAt !== null,
    levels: USE_LEVELS,
    kinds: USE_KINDS,
    today: today(web.config),
    uses: uses.map((u) => ({ ...u, href: /^https?:\/\//.test(u.ref) ? u.ref : null, removeAction: `${base}/uses/${u.id}/remove` })),
    size: piece?.size ?? null,
    chars: piece?.chars ?? null,
    sizeAutoText: piece ? web.t(req, 'uses.sizeAuto', { chars: piece.chars, guess: sizeFromChars(piece.chars, threshold) }) : web.t(req, 'uses.auto'),
  };
}

export const officeUsesPages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  const { config } = web;

  /** The signed-in office or leadership member, or the answer already sent. */
  function allowed(req: FastifyRequest, reply: FastifyReply, form = true): { name: string; email: string } | null {
    const session = app.officeSession(req, reply);
    if (!session) return null;
    if (!officeOrLeader(web, session.email)) {
      void web.message(req, reply, 403, web.t(req, 'act.forbidden'));
      return null;
    }
    if (form && !web.csrfOk(req, (req.body as Record<string, unknown> | undefined)?.csrf)) {
      void web.message(req, reply, 403, web.t(req, 'error.csrf'));
      return null;
    }
    return { name: identify(config, session.email).name ?? session.name, email: session.email };
  }
  const field = (req: FastifyRequest, k: string) => {
    const v = (req.body as Record<string, unknown> | undefined)?.[k];
    return typeof v === 'string' ? v.trim().slice(0, 2000) : '';
  };
  const audit = (by: { name: string; email: string }, action: string, subject: string, detail: Record<string, unknown>) =>
    new QuarantineDesk(web.readModel.database).audit({ at: new Date(), actorEmail: by.email, actorName: by.name, action, subject, detail });
  const back = (req: FastifyRequest, id: string) => [{ href: `/office/reports/${encodeURIComponent(id)}#uses`, label: web.strings(req)['act.back'] }];

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/office/reports/:id/uses', async (req, reply) => {
    const by = allowed(req, reply);
    if (!by) return reply;
    const report = await web.readModel.getReport(req.params.id);
    if (!report) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
    const read = parseUseLine(field(req, 'line'));
    if (!read) return web.message(req, reply, 400, web.t(req, 'uses.unreadable'), { kind: 'warning', links: back(req, report.id) });
    const level = (USE_LEVELS as readonly string[]).includes(field(req, 'level')) ? (field(req, 'level') as UseLevel) : read.level;
    const kind = field(req, 'kind') && field(req, 'kind') !== 'auto' ? field(req, 'kind').slice(0, 20) : read.kind;
    const date = field(req, 'date');
    if (date && !DATE_RE.test(date)) return web.message(req, reply, 400, web.t(req, 'score.badDate'), { kind: 'warning', links: back(req, report.id) });
    const usedOn = date || read.usedOn || today(config);
    const added = await new ReportUses(web.readModel.database).add({ reportId: report.id, outlet: read.outlet, level, kind, usedOn, ref: read.ref, source: 'office', recordedBy: by, recordedAt: new Date() });
    const what = `${read.outlet}（${level} ${kind}）${read.ref ? ` ${read.ref}` : ''}，${usedOn}`;
    if (added.added) await audit(by, 'use.add', report.id, { use: added.id, outlet: read.outlet, level, kind, usedOn, ref: read.ref });
    // A bureau's 录用 of a school's piece goes back to the school (ops/use-notice.ts; once per use, however often
    // asked: a mail that failed before goes now); a school's own uses tell nobody.
    await tellSchoolOfUse({ config, client: web.client, readModel: web.readModel, transport: web.transport, secret: web.secret }, report.id, { id: added.id, outlet: read.outlet, level, kind, ref: read.ref });
    return web.message(req, reply, 200, web.t(req, added.added ? 'uses.added' : 'uses.again', { what }), { kind: added.added ? 'ok' : 'warning', links: back(req, report.id) });
  });

  app.post<{ Params: { id: string; use: string }; Body: Record<string, unknown> }>('/office/reports/:id/uses/:use/remove', async (req, reply) => {
    const by = allowed(req, reply);
    if (!by) return reply;
    const store = new ReportUses(web.readModel.database);
    const use = (await store.usesOf([req.params.id])).find((u) => u.id === req.params.use);
    if (!use) return web.message(req, reply, 404, web.t(req, 'error.notFound'), { links: back(req, req.params.id) });
    await store.remove(use.id);
    await audit(by, 'use.remove', use.reportId, { use: use.id, outlet: use.outlet, level: use.level, kind: use.kind, usedOn: use.usedOn, ref: use.ref });
    return web.message(req, reply, 200, web.t(req, 'uses.removed'), { kind: 'ok', links: back(req, use.reportId) });
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/office/reports/:id/size', async (req, reply) => {
    const by = allowed(req, reply);
    if (!by) return reply;
    const report = await web.readModel.getReport(req.params.id);
    if (!report) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
    const wanted = field(req, 'size');
    const size = wanted === '简讯' || wanted === '详讯' ? wanted : null;
    await new ReportUses(web.readModel.database).setSize(report.id, size, by.email, new Date());
    await audit(by, 'piece.size', report.id, { size });
    return web.message(req, reply, 200, web.t(req, 'uses.sizeSaved', { size: size ?? web.t(req, 'uses.auto') }), { kind: 'ok', links: back(req, report.id) });
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/office/reports/:id/publish', async (req, reply) => {
    const by = allowed(req, reply);
    if (!by) return reply;
    const url = field(req, 'url');
    if (url && !/^https?:\/\/\S+$/i.test(url)) return web.message(req, reply, 400, web.t(req, 'uses.badUrl'), { kind: 'warning', links: back(req, req.params.id) });
    try {
      const outcome = await actOnReport({ config, client: web.client, readModel: web.readModel }, req.params.id, by, { kind: 'markPublished', url: url || null }, { via: 'web', requestId: field(req, 'request') });
      if (outcome.result === 'done') await audit(by, 'report.markPublished', req.params.id, { event: outcome.event.seq, url: url || null });
      return web.message(req, reply, 200, outcome.text, { kind: outcome.result === 'done' ? 'ok' : 'warning', links: back(req, req.params.id) });
    } catch (err) {
      if (err instanceof ReportActionError) return web.message(req, reply, err.code === 'EACTION_NOT_FOUND' ? 404 : err.code === 'EACTION_TIMEOUT' ? 202 : 400, err.message, { kind: 'warning', links: back(req, req.params.id) });
      return web.unavailable(req, reply, err);
    }
  });

  /** The term asked for (?term=2026-秋), else today's; null when it is not a term. */
  function term(req: FastifyRequest<{ Querystring: { term?: string } }>): TermRange | null {
    try {
      return termRange(req.query.term?.trim() || termOf(today(config)), config.scoring?.terms ?? []);
    } catch (err) {
      if (err instanceof TermError) return null;
      throw err;
    }
  }

  app.get<{ Querystring: { term?: string } }>('/office/scoring', async (req, reply) => {
    const by = allowed(req, reply, false);
    if (!by) return reply;
    const range = term(req);
    if (!range) return web.message(req, reply, 400, web.t(req, 'score.badTerm'), { kind: 'warning', links: [{ href: '/office/scoring', label: web.strings(req)['score.heading'] }] });
    const en = web.locale(req) === 'en';
    const q = `term=${encodeURIComponent(range.name)}`;
    if (!config.scoring) return web.page(req, reply, 'scoring', { noSheet: true, term: range.name, label: en ? range.label.en : range.label.zh }, { title: web.strings(req)['score.heading'] });
    const book = await scoringBook(web.readModel.database, bookOptions(config, range, web.locale(req)));
    const concealed = await new ReportUses(web.readModel.database).concealedBetween(range.from, range.to);
    const name = (id: string) => config.departments.find((d) => d.id === id)?.name ?? id;
    return web.page(
      req,
      reply,
      'scoring',
      {
        term: range.name,
        label: en ? range.label.en : range.label.zh,
        from: range.from,
        to: range.to,
        departments: book.departments.map((d) => ({ ...d, lines: d.lines.map((l) => ({ ...l, href: l.reportId ? `/office/reports/${encodeURIComponent(l.reportId)}` : null, negative: l.points < 0 })) })),
        people: book.people,
        uses: book.uses.length,
        concealed: concealed.map((c) => ({ ...c, department: name(c.departmentId) })),
        departmentChoices: config.departments.map((d) => ({ id: d.id, name: d.name })),
        csrf: web.csrf(req, reply),
        concealedAction: `/office/scoring/concealed?${q}`,
        downloads: (['register.xlsx', 'register.docx', 'summary.docx'] as const).map((kind) => ({ kind, href: `/office/scoring/download/${kind}?${q}` })),
        today: today(config),
      },
      { title: web.strings(req)['score.heading'] },
    );
  });

  app.post<{ Querystring: { term?: string }; Body: Record<string, unknown> }>('/office/scoring/concealed', async (req, reply) => {
    const by = allowed(req, reply);
    if (!by) return reply;
    const backLinks = [{ href: `/office/scoring${req.query.term ? `?term=${encodeURIComponent(req.query.term)}` : ''}`, label: web.strings(req)['score.heading'] }];
    const department = config.departments.find((d) => d.id === field(req, 'department'));
    const incident = field(req, 'incident');
    const date = field(req, 'date');
    if (!department || !incident) return web.message(req, reply, 400, web.t(req, 'error.form'), { kind: 'warning', links: backLinks });
    if (!DATE_RE.test(date)) return web.message(req, reply, 400, web.t(req, 'score.badDate'), { kind: 'warning', links: backLinks });
    const saved = await new ReportUses(web.readModel.database).addConcealed({ departmentId: department.id, incident, occurredOn: date, recordedBy: by, recordedAt: new Date() });
    await audit(by, 'concealed.add', department.id, { id: saved.id, incident: saved.incident, occurredOn: date });
    return web.message(req, reply, 200, web.t(req, 'score.concealedSaved', { what: `${department.name}：${saved.incident}（${date}）` }), { kind: 'ok', links: backLinks });
  });

  app.get<{ Params: { kind: string }; Querystring: { term?: string } }>('/office/scoring/download/:kind', async (req, reply) => {
    const by = allowed(req, reply, false);
    if (!by) return reply;
    const range = term(req);
    const kinds: readonly string[] = ['register.xlsx', 'register.docx', 'summary.docx'];
    if (!range || !kinds.includes(req.params.kind)) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
    try {
      const file = await scoringDownload(web.readModel.database, config, range, req.params.kind as DownloadKind, web.locale(req));
      // RFC 6266 / 5987: the Chinese file name for browsers, an ASCII one for the rest.
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.asciiName}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('cache-control', 'no-store')
        .send(file.data);
    } catch (err) {
      if (err instanceof ScoringError) return web.message(req, reply, 400, web.t(req, 'score.noSheet'), { kind: 'warning' });
      throw err;
    }
  });
};
