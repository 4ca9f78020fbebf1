/**
 * /status/<report>/<token>: the submitter's private page (the link in every mail about the report):
 * where the report stands, who holds it, its deadlines with the time left, and its timeline.
 */
import type { FastifyPluginAsync } from 'fastify';
import { reportFindings } from '../config/school.js';
import { findingItems } from '../domain/checks/index.js';
import type { ReportStatusView } from '../domain/lifecycle.js';
import { statusUrl, verifyStatusToken } from '../mail/links.js';
import { statusQuery } from '../workflows/report.js';
import { withFiles } from './files.js';
import { bodyForPage, reportSummary, statusSummary, timelineItems } from './view.js';

/** The liaison's status page (a signed link from the receipt). */
export const statusPages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  app.get<{ Params: { id: string; token: string }; Querystring: { new?: string } }>('/status/:id/:token', async (req, reply) => {
    const { id, token } = req.params;
    if (!verifyStatusToken(id, token, web.secret)) return web.message(req, reply, 404, web.t(req, 'status.badLink'));
    const locale = web.locale(req);
    const report = await web.readModel.getReport(id);
    if (!report) return web.message(req, reply, 200, web.t(req, 'status.pending'), { kind: 'warning' });
    let view: ReportStatusView;
    try {
      view = await web.client.workflow.getHandle(report.workflowId).query(statusQuery);
    } catch (err) {
      web.logger.warn(`web: status of ${id}: ${(err as Error).message}`);
      return web.unavailable(req, reply, err);
    }
    const content = await web.facts.content(report.workflowId, view);
    const now = new Date();
    const text = { title: view.title, body: content?.body ?? view.body, attachments: view.attachments, receivedAt: report.receivedAt };
    // The liaison sees the checks while the report can still be corrected.
    const checks = summaryOpen(view.status) ? findingItems(reportFindings(web.config, text), text, locale) : [];
    return web.page(
      req,
      reply,
      'status',
      {
        justSubmitted: req.query.new === '1',
        submittedText: web.t(req, 'status.submitted', { id }),
        link: statusUrl(web.config.web.baseUrl, id, web.secret),
        report: withFiles(web, reportSummary(report, view, content, locale)),
        body: bodyForPage(content?.body ?? ''),
        summary: statusSummary(view, now, locale),
        checks,
        checksText: web.t(req, 'checks.status', { n: checks.length }),
        checksError: checks.some((c) => c.error),
        timeline: timelineItems(view.timeline, locale, web.config.school.timeZone),
        earlier: view.timelineTotal > view.timeline.length ? web.t(req, 'status.earlier', { shown: view.timeline.length, total: view.timelineTotal, comments: view.comments }) : null,
      },
      { title: `${id} · ${web.strings(req)['status.heading']}` },
    );
  });
};

const summaryOpen = (status: ReportStatusView['status']) => status === 'received' || status === 'in_review' || status === 'returned';
