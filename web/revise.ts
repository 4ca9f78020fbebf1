/**
 * /revise/<token>: the submitter revises a returned report online (the `在线修改` link in the returned
 * mail and the revision reminder). The link is signed for the submitter and one review round. Opening it
 * only shows the form; its POST (CSRF) sends the same `revise` signal a mail reply does, with new files
 * through the same upload checks as the report form; the workflow decides, as for a reply.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AttachmentRef, ReportStatusView } from '../domain/lifecycle.js';
import { REPORT_STATUS_LABELS } from '../domain/report.js';
import { storeAttachment } from '../storage/attachments.js';
import { keepText } from '../storage/texts.js';
import { statusUrl, verifyReviseLink, type ReviseClaims } from '../mail/links.js';
import { reviseSignal, statusQuery } from '../workflows/report.js';
import { withFiles } from './files.js';
import { readMultipartForm } from './form.js';
import { typeNames } from '../storage/file-type.js';
import { reportSummary, timeLeft } from './view.js';

type Params = { Params: { token: string } };

/** The liaison's revision of a report sent back (a signed link from the 'returned' mail). */
export const revisePages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  async function load(req: FastifyRequest<Params>, reply: FastifyReply) {
    const check = verifyReviseLink(req.params.token, web.secret);
    if (!check.ok) {
      const expired = check.reason === 'expired';
      web.message(req, reply, expired ? 410 : 400, web.t(req, expired ? 'revise.expired' : 'revise.invalid'), { kind: expired ? 'warning' : 'error' });
      return null;
    }
    const report = await web.readModel.getReport(check.claims.reportId);
    if (!report || report.submitterEmail.toLowerCase() !== check.claims.email) {
      web.message(req, reply, 400, web.t(req, 'revise.invalid'));
      return null;
    }
    let view: ReportStatusView;
    try {
      view = await web.client.workflow.getHandle(report.workflowId).query(statusQuery);
    } catch (err) {
      web.logger.warn(`web: revise page for ${report.id}: ${(err as Error).message}`);
      web.unavailable(req, reply, err); // the demo-aware answer, as on every other page
      return null;
    }
    return { claims: check.claims, linkId: check.linkId, report, view };
  }

  /** Why the link can no longer revise: already used, or the report is not waiting for this round's revision. */
  function closed(req: FastifyRequest, claims: ReviseClaims, linkId: string, view: ReportStatusView) {
    const status = statusUrl('', claims.reportId, web.secret);
    const links = [{ href: status, label: web.strings(req)['revise.statusLink'] }];
    const mine = view.timeline.find((e) => e.evidence?.via === 'link' && e.evidence.ref === linkId);
    if (mine?.type === 'revised') return { status: 200, text: web.t(req, 'revise.done'), kind: 'ok' as const, links };
    if (mine?.type === 'refused') return { status: 409, text: web.t(req, 'revise.refused'), kind: 'warning' as const, links };
    if (view.status !== 'returned' || view.round !== claims.round) {
      const label = REPORT_STATUS_LABELS[view.status][web.locale(req) === 'en' ? 'en' : 'zh'];
      return { status: 409, text: web.t(req, 'revise.notReturned', { status: label }), kind: 'warning' as const, links };
    }
    return null;
  }

  async function show(req: FastifyRequest<Params>, reply: FastifyReply, loaded: NonNullable<Awaited<ReturnType<typeof load>>>, extra: { errors?: string[]; title?: string; body?: string; status?: number } = {}) {
    const { report, view } = loaded;
    const locale = web.locale(req);
    const content = await web.facts.content(report.workflowId, view);
    const sentBack = [...view.timeline].reverse().find((e) => e.type === 'sent_back');
    const limits = web.config.mail.limits;
    const due = view.deadlines.revisionDueAt;
    return web.page(
      req,
      reply,
      'revise',
      {
        csrf: web.csrf(req, reply),
        formAction: `/revise/${req.params.token}`,
        errors: extra.errors ?? [],
        returnedText: web.t(req, 'revise.returned', { reviewer: sentBack?.actor?.name ?? '', reason: sentBack?.note ?? '' }),
        due,
        left: due ? timeLeft(due, new Date(), locale) : null,
        title: extra.title ?? view.title,
        body: extra.body ?? content?.body ?? '',
        report: withFiles(web, reportSummary(report, view, content, locale)),
        filesHint: web.t(req, 'submit.filesHint', { mb: limits.maxAttachmentMB, total: limits.maxMailMB, types: typeNames(limits.allowedTypes) }),
        accept: limits.allowedTypes.join(','),
      },
      { status: extra.status ?? 200, title: `${report.id} · ${web.strings(req)['revise.heading']}` },
    );
  }

  app.get<Params>('/revise/:token', async (req, reply) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    const gone = closed(req, loaded.claims, loaded.linkId, loaded.view);
    if (gone) return web.message(req, reply, gone.status, gone.text, { kind: gone.kind, links: gone.links });
    return show(req, reply, loaded);
  });

  app.post<Params>('/revise/:token', { config: { rateLimit: { max: web.rateLimits.submit, timeWindow: '1 minute' } } }, async (req, reply) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    const form = await readMultipartForm(req, web);
    if (!form) return web.message(req, reply, 400, web.t(req, 'error.form'));
    const title = (form.fields.title ?? '').trim();
    const body = (form.fields.body ?? '').replace(/\r\n?/g, '\n');
    if (!web.csrfOk(req, form.fields.csrf)) return show(req, reply, loaded, { errors: [web.t(req, 'error.csrf')], title, body, status: 403 });
    const gone = closed(req, loaded.claims, loaded.linkId, loaded.view);
    if (gone) return web.message(req, reply, gone.status, gone.text, { kind: gone.kind, links: gone.links });
    const s = web.strings(req);
    const errors = [...form.errors];
    if (!title) errors.push(web.t(req, 'error.required', { field: s['submit.title'] }));
    if (!body.trim()) errors.push(web.t(req, 'error.required', { field: s['submit.body'] }));
    if (title.length > 200) errors.push(web.t(req, 'error.tooLong', { field: s['submit.title'], max: 200 }));
    if (body.length > 20_000) errors.push(web.t(req, 'error.tooLong', { field: s['submit.body'], max: 20_000 }));
    if (errors.length > 0) return show(req, reply, loaded, { errors, title, body, status: 400 });

    const { claims, linkId, report } = loaded;
    const attachments: AttachmentRef[] = [];
    for (const u of form.uploads) attachments.push(await storeAttachment(web.config, u.content, { filename: u.filename, contentType: u.contentType }));
    const handle = web.client.workflow.getHandle(report.workflowId);
    const kept = await keepText(web.config, body); // a long text is stored; the workflow gets its excerpt
    await handle.signal(reviseSignal, {
      actor: { name: report.submitterName ?? claims.email, email: claims.email },
      evidence: { via: 'link', ref: linkId },
      title,
      body: kept.text,
      bodyRef: kept.ref,
      ...(attachments.length > 0 ? { attachments } : {}),
    });
    web.logger.info(`web: revision of ${report.id} by ${claims.email} (${linkId})`);
    for (let i = 0; i < 100; i++) {
      const view = await handle.query(statusQuery);
      if (view.timeline.some((e) => e.evidence?.via === 'link' && e.evidence.ref === linkId)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return reply.redirect(`/revise/${req.params.token}`, 303);
  });
};
