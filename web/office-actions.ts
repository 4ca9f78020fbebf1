/**
 * The office's actions on one report, on its page under /office (issue 18 §3): 催办, 改派, 撤回, and 同意 / 退回
 * when the signed-in person holds the current step. Each form carries the CSRF token and a one-time request
 * id (a double click is one action); the person must be office or leadership now, not only at sign-in.
 * The work is done by ops/report-actions.ts, which signals the workflow and reads the outcome back.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { identify } from '../config/school.js';
import type { Report } from '../db/rows.js';
import { actOnReport, ReportActionError, type ReportAction } from '../ops/report-actions.js';
import { QuarantineDesk } from '../db/quarantine-desk.js';
import type { Web } from './server.js';

const OPEN = new Set(['received', 'in_review', 'returned']);

/** Everyone the configuration lists, once each, for 改派. */
function everyone(web: Web): { email: string; label: string }[] {
  const seen = new Map<string, string>();
  const add = (p: { name: string; email: string }, what: string) => {
    const email = p.email.toLowerCase();
    if (!seen.has(email)) seen.set(email, `${p.name}（${what}）`);
  };
  const zh = web.config.school.locale !== 'en';
  for (const p of web.config.office.reviewers) add(p, zh ? '办公室' : 'office');
  for (const p of web.config.leadership) add(p, zh ? '校领导' : 'leadership');
  for (const d of web.config.departments) {
    add(d.head, d.name);
    for (const p of [...d.liaisons, ...d.members]) add(p, d.name);
  }
  return [...seen].map(([email, label]) => ({ email, label }));
}

const officeOrLeader = (web: Web, email: string) => identify(web.config, email).roles.some((r) => r.role === 'office' || r.role === 'leadership');

/** What the report page shows of the actions (null when the report is closed or the person may not act). */
export function officeActionsPanel(web: Web, req: FastifyRequest, reply: FastifyReply, report: Report, session: { email: string }) {
  if (!OPEN.has(report.status) || !officeOrLeader(web, session.email)) return null;
  const inReview = report.status === 'in_review' && report.currentStep !== null;
  const holds = inReview && report.holders.some((h) => h.email.toLowerCase() === session.email.toLowerCase());
  return {
    action: `/office/reports/${encodeURIComponent(report.id)}/act`,
    csrf: web.csrf(req, reply),
    request: randomBytes(12).toString('base64url'),
    inReview,
    holds,
    holders: report.holders.map((h) => h.name).join('、'),
    people: everyone(web).filter((p) => !report.holders.some((h) => h.email.toLowerCase() === p.email)),
  };
}

/** The office's actions on one report, inside the office plugin (its `officeSession` decoration). */
export const officeActionPages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  const signedIn = (req: FastifyRequest, reply: FastifyReply) => app.officeSession(req, reply);
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/office/reports/:id/act', async (req, reply) => {
    const session = signedIn(req, reply);
    if (!session) return reply;
    if (!officeOrLeader(web, session.email)) return web.message(req, reply, 403, web.t(req, 'act.forbidden'));
    if (!web.csrfOk(req, req.body?.csrf)) return web.message(req, reply, 403, web.t(req, 'error.csrf'));
    const field = (k: string) => (typeof req.body?.[k] === 'string' ? String(req.body[k]).trim() : '');
    const back = [{ href: `/office/reports/${encodeURIComponent(req.params.id)}`, label: web.strings(req)['act.back'] }];
    let action: ReportAction;
    switch (field('action')) {
      case 'withdraw':
        action = { kind: 'withdraw', reason: field('reason').slice(0, 20_000) };
        break;
      case 'sendBack':
        action = { kind: 'sendBack', reason: field('reason').slice(0, 20_000) };
        break;
      case 'approve':
        action = { kind: 'approve' };
        break;
      case 'remind':
        action = { kind: 'remind' };
        break;
      case 'sendUp':
        action = { kind: 'sendUp' };
        break;
      case 'reassign': {
        const to = everyone(web).find((p) => p.email === field('to').toLowerCase());
        const who = to ? identify(web.config, to.email) : null;
        action = { kind: 'reassign', to: to && who ? [{ name: who.name ?? to.email, email: to.email }] : [] };
        break;
      }
      default:
        return web.message(req, reply, 400, web.t(req, 'error.form'), { links: back });
    }
    const actor = { name: identify(web.config, session.email).name ?? session.name, email: session.email };
    try {
      const outcome = await actOnReport({ config: web.config, client: web.client, readModel: web.readModel }, req.params.id, actor, action, { via: 'web', requestId: field('request') });
      const desk = new QuarantineDesk(web.readModel.database);
      // The office's own trail of who did what from the dashboard (the report's timeline has it too); once per action.
      if (outcome.result === 'done' && !(await desk.auditFor(req.params.id)).some((e) => e.detail.event === outcome.event.seq)) {
        await desk.audit({ at: new Date(), actorEmail: actor.email, actorName: actor.name, action: `report.${action.kind}`, subject: req.params.id, detail: { event: outcome.event.seq } });
      }
      return web.message(req, reply, 200, outcome.text, { kind: outcome.result === 'done' ? 'ok' : 'warning', links: back });
    } catch (err) {
      if (err instanceof ReportActionError)
        return web.message(req, reply, err.code === 'EACTION_NOT_FOUND' ? 404 : err.code === 'EACTION_TIMEOUT' ? 202 : err.code === 'EACTION_UNAVAILABLE' ? 503 : 400, err.message, { kind: 'warning', links: back });
      return web.unavailable(req, reply, err);
    }
  });
};
