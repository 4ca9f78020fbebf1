/**
 * /review/<token>: the reviewer's page from the review-request mail. Opening it (GET) never acts —
 * mail scanners open links — it shows the report and the Approve / Send back forms. Only a POST from
 * the page (CSRF token) acts, as the workflow update `actUpdate` with the same checks as a mail reply (the
 * workflow refuses a non-holder and a decided step, and counts one link once); the page waits for the
 * decision and shows it.
 *
 * The link is a bearer credential (anyone the mail is forwarded to can use it); the page says so. Under
 * `review.linkPolicy: view` the link only shows the report: the forms appear, and a POST acts, only for
 * a signed-in session of the very reviewer the link was issued to; otherwise one decides by replying.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { identify, reportFindings } from '../config/school.js';
import { findingItems } from '../domain/checks/index.js';
import type { ReportStatusView } from '../domain/lifecycle.js';
import { REPORT_STATUS_LABELS } from '../domain/report.js';
import { reviewUrls, statusUrl, verifyReviewLink, type ReviewClaims } from '../mail/links.js';
import { actUpdate, statusQuery } from '../workflows/report.js';
import { reportHasEnded } from '../ops/report-actions.js';
import type { PersonEvent } from '../domain/lifecycle.js';
import { withFiles } from './files.js';
import { bodyForPage, refusalText, reportSummary, stepLabel, timeLeft } from './view.js';

type Params = { Params: { token: string }; Querystring: { do?: string } };

/** The reviewer's page behind a review request's signed links. */
export const reviewPages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  /** The link's claims and the report's live status, or a page saying plainly why the link does not work. */
  async function load(req: FastifyRequest<Params>, reply: FastifyReply) {
    const check = verifyReviewLink(req.params.token, web.secret);
    if (!check.ok) {
      const expired = check.reason === 'expired';
      web.message(req, reply, expired ? 410 : 400, web.t(req, expired ? 'review.expired' : 'review.invalid'), { kind: expired ? 'warning' : 'error' });
      return null;
    }
    const report = await web.readModel.getReport(check.claims.reportId);
    if (!report) {
      web.message(req, reply, 404, web.t(req, 'review.invalid'));
      return null;
    }
    let view: ReportStatusView;
    try {
      view = await web.client.workflow.getHandle(report.workflowId).query(statusQuery);
    } catch (err) {
      web.logger.warn(`web: review page for ${report.id}: ${(err as Error).message}`);
      web.unavailable(req, reply, err);
      return null;
    }
    return { claims: check.claims, linkId: check.linkId, report, view, content: await web.facts.content(report.workflowId, view) };
  }

  /** When the link cannot (any longer) act: already used, step decided, or not the holder's. */
  function closed(req: FastifyRequest, claims: ReviewClaims, linkId: string, view: ReportStatusView): { status: number; text: string; kind: 'ok' | 'warning' | 'error'; links?: { href: string; label: string }[] } | null {
    const locale = web.locale(req);
    // A link that can no longer act says where the report is now: its status page, and the newer request when
    // this person holds the step that waits now.
    const where = () => {
      const s = web.strings(req);
      const links = [{ href: statusUrl('', view.reportId, web.secret), label: s['review.statusLink'] }];
      const holds = view.status === 'in_review' && view.step?.holders.some((h) => h.email.toLowerCase() === claims.email);
      if (holds && view.step) links.unshift({ href: reviewUrls('', { reportId: view.reportId, round: view.round, step: view.step.index, reviewer: claims.email, issuedAt: new Date(), secret: web.secret }).approve.replace(/\?do=approve$/, ''), label: s['review.newerRequest'] });
      return links;
    };
    const mine = [...view.timeline].reverse().find((e) => e.evidence?.via === 'link' && e.evidence.ref === linkId);
    if (mine) {
      const outcome =
        mine.type === 'approved'
          ? web.t(req, 'review.done.approved')
          : mine.type === 'sent_back'
            ? web.t(req, 'review.done.sent_back', { reason: mine.note ?? '' })
            : web.t(req, 'review.done.refused', { reason: refusalText(mine.refused, locale) });
      return { status: 200, text: web.t(req, 'review.used', { outcome }), kind: mine.type === 'refused' ? 'warning' : 'ok', links: where() };
    }
    if (view.status !== 'in_review' || !view.step || view.round !== claims.round || view.step.index !== claims.step) {
      return { status: 409, text: web.t(req, 'review.decided', { status: REPORT_STATUS_LABELS[view.status][locale === 'en' ? 'en' : 'zh'] }), kind: 'warning', links: where() };
    }
    if (!view.step.holders.some((h) => h.email.toLowerCase() === claims.email)) {
      return { status: 403, text: web.t(req, 'review.foreign', { email: claims.email }), kind: 'error' };
    }
    return null;
  }

  /** Whether this request may decide through the link: always under `act`; under `view` only signed in as the link's reviewer. */
  function mayAct(req: FastifyRequest, claims: ReviewClaims): boolean {
    return web.config.review.linkPolicy === 'act' || web.sessions.get(req)?.email.toLowerCase() === claims.email;
  }

  /** The report as it reads now (a revision included), for the checks. */
  function reportText(loaded: NonNullable<Awaited<ReturnType<typeof load>>>) {
    const { report, view } = loaded;
    return { title: view.title, body: loaded.content?.body ?? view.body, attachments: view.attachments, receivedAt: report.receivedAt };
  }

  async function show(req: FastifyRequest<Params>, reply: FastifyReply, loaded: NonNullable<Awaited<ReturnType<typeof load>>>, extra: { errors?: string[]; reason?: string; status?: number } = {}) {
    const { claims, report, view } = loaded;
    const canAct = mayAct(req, claims);
    const locale = web.locale(req);
    const content = loaded.content;
    const text = reportText(loaded);
    const checks = findingItems(reportFindings(web.config, text), text, locale);
    const step = view.step;
    return web.page(
      req,
      reply,
      'review',
      {
        csrf: web.csrf(req, reply),
        canAct,
        bearer: web.t(req, 'review.bearer'),
        viewOnly: canAct ? null : web.t(req, 'review.viewOnly'),
        formAction: `/review/${req.params.token}`,
        sendBackFirst: req.query.do === 'send_back',
        errors: extra.errors ?? [],
        reason: extra.reason ?? '',
        // The last step's approval ends the review: it does not go on to another step.
        approveHint: step && step.index + 1 >= step.count ? web.t(req, 'review.approveHintLast') : web.t(req, 'review.approveHint'),
        stepText: step
          ? web.t(req, 'review.step', { step: stepLabel(step.kind, locale), index: step.index + 1, count: step.count })
          : '',
        due: view.deadlines.reviewDueAt,
        left: timeLeft(view.deadlines.reviewDueAt, new Date(), locale),
        reviewer: identify(web.config, claims.email).name ?? claims.email,
        report: withFiles(web, reportSummary(report, view, content, locale)),
        body: bodyForPage(content?.body ?? ''),
        checks,
        checksText: web.t(req, 'checks.review', { n: checks.length }),
        checksError: checks.some((c) => c.error),
        // The last step may keep the report on record instead of publishing it (同意，仅存档).
        lastStep: step !== null && step.index + 1 >= step.count,
      },
      { status: extra.status ?? 200, title: `${report.id} · ${web.strings(req)['review.heading']}` },
    );
  }

  app.get<Params>('/review/:token', async (req, reply) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    const gone = closed(req, loaded.claims, loaded.linkId, loaded.view);
    if (gone) return web.message(req, reply, gone.status, gone.text, { kind: gone.kind, ...(gone.links ? { links: gone.links } : {}) });
    return show(req, reply, loaded);
  });

  app.post<Params & { Body: Record<string, unknown> }>('/review/:token', async (req, reply) => {
    const loaded = await load(req, reply);
    if (!loaded) return reply;
    const body = req.body ?? {};
    if (!web.csrfOk(req, body.csrf)) return show(req, reply, loaded, { errors: [web.t(req, 'error.csrf')], status: 403 });
    const gone = closed(req, loaded.claims, loaded.linkId, loaded.view);
    if (gone) return web.message(req, reply, gone.status, gone.text, { kind: gone.kind });
    if (!mayAct(req, loaded.claims)) return show(req, reply, loaded, { status: 403 });
    const { claims, linkId, report } = loaded;
    const holder = loaded.view.step?.holders.find((h) => h.email.toLowerCase() === claims.email);
    const action = {
      actor: { name: holder?.name ?? identify(web.config, claims.email).name ?? claims.email, email: claims.email },
      evidence: { via: 'link' as const, ref: linkId },
      round: claims.round,
      step: claims.step,
    };
    let event: PersonEvent;
    if (body.action === 'approve') {
      // An error the checks found is never a refusal on its own: the reviewer confirms having looked at it.
      const errors = reportFindings(web.config, reportText(loaded)).some((f) => f.severity === 'error');
      if (errors && body.confirmChecks !== 'yes') return show(req, reply, loaded, { errors: [web.t(req, 'review.checksUnconfirmed')], status: 400 });
      event = { type: 'approve', ...action, ...(body.archive === 'yes' && claims.step + 1 >= (loaded.view.step?.count ?? Infinity) ? { archive: true } : {}) };
    } else if (body.action === 'send_back') {
      const reason = typeof body.reason === 'string' ? body.reason.trim().slice(0, 2000) : '';
      if (!reason) return show(req, reply, loaded, { errors: [web.t(req, 'review.reasonMissing')], status: 400 });
      event = { type: 'sendBack', ...action, reason };
    } else {
      return show(req, reply, loaded, { errors: [web.t(req, 'error.form')], status: 400 });
    }
    web.logger.info(`web: ${String(body.action)} of ${report.id} step ${claims.step + 1} by ${claims.email} (${linkId})`);
    // The page waits for the decision (the link's id is the update's: a second click is the same action), then
    // shows it (POST → redirect → GET). A report that has ended meanwhile is shown as such by the GET.
    try {
      const handle = web.client.workflow.getHandle(report.workflowId);
      await web.client.withDeadline(new Date(Date.now() + 15_000), () => handle.executeUpdate(actUpdate, { args: [event], updateId: `link:${linkId}` }));
    } catch (err) {
      if (!reportHasEnded(err)) {
        web.logger.warn(`web: ${report.id} did not decide ${String(body.action)} by ${claims.email}: ${err instanceof Error ? err.message : String(err)}`);
        return show(req, reply, loaded, { errors: [web.t(req, 'review.notDecided')], status: 503 });
      }
    }
    return reply.redirect(`/review/${req.params.token}`, 303);
  });
};
