/**
 * /publish/<token>: the website editor's page to say an approved report is published (the 确认已发布 link in
 * the 待发布 mail), with the page's address. Opening it only shows the form; its POST (CSRF) sends the same
 * markPublished a reply "已发布 <URL>" does, and the workflow decides whether this person may.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { identify } from '../config/school.js';
import { REPORT_STATUS_LABELS } from '../domain/report.js';
import { verifyPublishLink } from '../mail/links.js';
import { actOnReport, ReportActionError } from '../ops/report-actions.js';

type Params = { Params: { token: string } };

export const publishPages: FastifyPluginAsync = async (app) => {
  const { web } = app;

  async function load(req: FastifyRequest<Params>, reply: FastifyReply) {
    const check = verifyPublishLink(req.params.token, web.secret);
    if (!check.ok) {
      const expired = check.reason === 'expired';
      web.message(req, reply, expired ? 410 : 400, web.t(req, expired ? 'publish.expired' : 'publish.invalid'), { kind: expired ? 'warning' : 'error' });
      return null;
    }
    const report = await web.readModel.getReport(check.claims.reportId);
    if (!report) {
      web.message(req, reply, 404, web.t(req, 'error.notFound'));
      return null;
    }
    return { claims: check.claims, report };
  }

  app.get<Params>('/publish/:token', async (req, reply) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    const { report } = loaded;
    const en = web.locale(req) === 'en';
    if (report.status !== 'approved') {
      const label = REPORT_STATUS_LABELS[report.status][en ? 'en' : 'zh'];
      return web.message(req, reply, 200, web.t(req, report.status === 'published' ? 'publish.already' : 'publish.notApproved', { status: label }), { kind: report.status === 'published' ? 'ok' : 'warning' });
    }
    return web.page(req, reply, 'publish', { report: { id: report.id, title: report.title }, csrf: web.csrf(req, reply), request: randomBytes(12).toString('base64url'), formAction: `/publish/${req.params.token}` }, { title: `${report.id} · ${web.strings(req)['publish.heading']}` });
  });

  app.post<Params & { Body: Record<string, unknown> }>('/publish/:token', async (req, reply) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    if (!web.csrfOk(req, req.body?.csrf)) return web.message(req, reply, 403, web.t(req, 'error.csrf'));
    const field = (k: string) => (typeof req.body?.[k] === 'string' ? String(req.body[k]).trim().slice(0, 2000) : '');
    const url = field('url');
    const back = [{ href: `/publish/${req.params.token}`, label: web.strings(req)['publish.heading'] }];
    if (url && !/^https?:\/\/\S+$/i.test(url)) return web.message(req, reply, 400, web.t(req, 'uses.badUrl'), { kind: 'warning', links: back });
    const who = identify(web.config, loaded.claims.email);
    try {
      const outcome = await actOnReport({ config: web.config, client: web.client, readModel: web.readModel }, loaded.report.id, { name: who.name ?? loaded.claims.email, email: loaded.claims.email }, { kind: 'markPublished', url: url || null }, { via: 'web', requestId: field('request') });
      return web.message(req, reply, 200, outcome.text, { kind: outcome.result === 'done' ? 'ok' : 'warning' });
    } catch (err) {
      if (err instanceof ReportActionError) return web.message(req, reply, err.code === 'EACTION_TIMEOUT' ? 202 : 400, err.message, { kind: 'warning' });
      return web.unavailable(req, reply, err);
    }
  });
};
