/**
 * 待处理邮件: the office's view of every mail the intake kept aside (db/quarantine-desk.ts), on the dashboard.
 * For each: why, who sent it, when it arrived, a preview, and three actions — receive it as a report of a
 * liaison (counted from the mail's own arrival), add its address as an alias of a person, or ignore it.
 * Each action is a POST with the CSRF token, by a signed-in office person or leader, taken once (the desk's
 * `resolve` changes only a pending mail; a report is keyed on the mail's origin), and written to the audit trail.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { identify } from '../config/school.js';
import { QuarantineDesk, type QuarantinedMail } from '../db/quarantine-desk.js';
import { AcceptError, acceptQuarantined } from '../intake/handle.js';
import { formatDateTime } from '../templates/format.js';
import type { Web } from './server.js';
import type { WebKey } from './strings.js';

interface Choice {
  value: string;
  label: string;
  selected: boolean;
}

/** Who the office may say a mail stands for: every department's liaisons, then its head and members. */
function peopleOf(web: Web): { departmentId: string; departmentName: string; name: string; email: string }[] {
  return web.config.departments.flatMap((d) =>
    [...d.liaisons, d.head, ...d.members].map((p) => ({ departmentId: d.id, departmentName: d.name, name: p.name, email: p.email.toLowerCase() })),
  );
}

const sameName = (a: string | null, b: string) => a !== null && a.replace(/\s+/g, '') === b.replace(/\s+/g, '');

/** The dashboard's 待处理邮件 section. */
export async function mailDeskSection(web: Web, req: FastifyRequest) {
  const desk = new QuarantineDesk(web.readModel.database);
  const { pending, decided, pendingCount } = await desk.list();
  const locale = web.locale(req);
  const s = web.strings(req);
  const people = peopleOf(web);
  const when = (d: Date) => formatDateTime(d.toISOString(), locale, web.config.school.timeZone);
  const query = req.query as Record<string, unknown> | undefined;
  const done = typeof query?.mail === 'string' ? await desk.get(query.mail) : null;
  return {
    deskCount: web.t(req, 'desk.count', { n: pendingCount }),
    deskNotice: done && done.status !== 'pending' ? decidedText(web, req, done) : '',
    deskMails: pending.map((m) => {
      // A guess for the office to confirm: the person whose configured name the sender wrote.
      const guess = people.find((p) => sameName(m.fromName, p.name));
      const liaisons: Choice[] = people.map((p) => ({ value: `${p.departmentId}|${p.email}`, label: `${p.departmentName} · ${p.name}`, selected: guess !== undefined && p.email === guess.email && p.departmentId === guess.departmentId }));
      const unique = [...new Map(people.map((p) => [p.email, p])).values()];
      const persons: Choice[] = unique.map((p) => ({ value: p.email, label: `${p.name}（${p.departmentName}）`, selected: guess?.email === p.email }));
      return {
        id: m.id,
        from: m.fromName ? `${m.fromName} <${m.fromAddress ?? ''}>` : (m.fromAddress ?? s['desk.noSender']),
        subject: m.subject || s['desk.noSubject'],
        receivedAt: when(m.receivedAt),
        reason: s[`desk.reason.${m.reasonCode}` as WebKey] ?? m.reasonCode,
        detail: readableDetail(m.reason),
        preview: m.preview,
        // Only a mail from an address no one owns yet can become someone's alias.
        canAlias: m.fromAddress !== null && identify(web.config, m.fromAddress).roles.length === 0,
        canAccept: m.rawSha256 !== null,
        liaisons,
        persons,
      };
    }),
    deskDecided: decided.map((m) => ({ id: m.id, subject: m.subject || s['desk.noSubject'], from: m.fromAddress ?? '', text: decidedText(web, req, m, m.reportId !== null), reportHref: m.reportId ? `/office/reports/${encodeURIComponent(m.reportId)}` : null, reportId: m.reportId })),
  };
}

/**
 * The intake's own note, when it says more than the reason's label in words a person reads: the Chinese
 * of a refusal (what the sender was told), without the English tags kept for the logs.
 */
function readableDetail(reason: string): string | null {
  const text = reason.replace(/（[\x20-\x7e]*）/g, '').replace(/;.*$/, '').trim();
  return /[\u4e00-\u9fff]/.test(text) ? text : null;
}

function decidedText(web: Web, req: FastifyRequest, m: QuarantinedMail, linked = false): string {
  const at = m.resolvedAt ? formatDateTime(m.resolvedAt.toISOString(), web.locale(req), web.config.school.timeZone) : '';
  const by = m.resolvedBy ?? '';
  // In the list the report number follows as a link: not said twice.
  if (m.status === 'accepted') return web.t(req, linked ? 'desk.acceptedLinked' : 'desk.acceptedBy', { id: m.reportId ?? '', by, at });
  if (m.status === 'aliased') return web.t(req, 'desk.aliasedBy', { address: m.fromAddress ?? '', by, at });
  return web.t(req, 'desk.ignoredBy', { by, at });
}

/** The 待处理邮件 desk's actions, inside the office plugin (its `officeSession` decoration). */
export const mailDeskPages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  const signedIn = (req: FastifyRequest, reply: FastifyReply) => app.officeSession(req, reply);
  const { config } = web;
  const desk = new QuarantineDesk(web.readModel.database);
  const back = (req: FastifyRequest) => [{ href: '/office#mail-desk', label: web.strings(req)['desk.back'] }];

  /** The common checks of the three actions: session, role, CSRF, a mail still pending. */
  async function gate(req: FastifyRequest<{ Params: { id: string }; Body: Record<string, unknown> }>, reply: FastifyReply) {
    const session = signedIn(req, reply);
    if (!session) return null;
    // Checked again at every action: the configuration may have changed since sign-in.
    if (!identify(config, session.email).roles.some((r) => r.role === 'office' || r.role === 'leadership')) {
      web.message(req, reply, 403, web.t(req, 'desk.forbidden'));
      return null;
    }
    if (!web.csrfOk(req, req.body?.csrf)) {
      web.message(req, reply, 403, web.t(req, 'error.csrf'));
      return null;
    }
    const mail = await desk.get(req.params.id);
    if (!mail) {
      web.message(req, reply, 404, web.t(req, 'error.notFound'));
      return null;
    }
    if (mail.status !== 'pending') {
      // A second click, or a colleague was quicker: say what happened to it.
      web.message(req, reply, 200, `${web.t(req, 'desk.already')}${decidedText(web, req, mail)}`, { kind: 'ok', links: back(req) });
      return null;
    }
    return { session, mail };
  }

  const field = (req: FastifyRequest<{ Body: Record<string, unknown> }>, k: string) => (typeof req.body?.[k] === 'string' ? String(req.body[k]).trim() : '');
  const done = (reply: FastifyReply, id: string) => reply.redirect(`/office?mail=${encodeURIComponent(id)}#mail-desk`, 303);

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/office/mail/:id/accept', async (req, reply) => {
    const ok = await gate(req, reply);
    if (!ok) return reply;
    const [departmentId = '', liaisonEmail = ''] = field(req, 'as').split('|');
    const person = peopleOf(web).find((p) => p.departmentId === departmentId && p.email === liaisonEmail.toLowerCase());
    if (!person) return web.message(req, reply, 400, web.t(req, 'desk.chooseLiaison'), { kind: 'warning', links: back(req) });
    let result: { reportId: string; started: boolean };
    try {
      result = await acceptQuarantined({ config, client: web.client, readModel: web.readModel }, ok.mail, { liaisonEmail: person.email, departmentId });
    } catch (err) {
      if (err instanceof AcceptError) return web.message(req, reply, 422, `${web.t(req, 'desk.cannotAccept')}${err.message}`, { kind: 'warning', links: back(req) });
      return web.unavailable(req, reply, err);
    }
    if (await desk.resolve(ok.mail.id, 'accepted', ok.session.name, result.reportId)) {
      await desk.audit({ at: new Date(), actorEmail: ok.session.email, actorName: ok.session.name, action: 'quarantine.accept', subject: ok.mail.id, detail: { reportId: result.reportId, from: ok.mail.fromAddress, as: person.email, departmentId, receivedAt: ok.mail.receivedAt.toISOString() } });
      web.logger.info(`web: ${ok.session.email} received quarantined mail ${ok.mail.id} as report ${result.reportId}`);
    }
    return done(reply, ok.mail.id);
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/office/mail/:id/alias', async (req, reply) => {
    const ok = await gate(req, reply);
    if (!ok) return reply;
    const address = ok.mail.fromAddress;
    const person = peopleOf(web).find((p) => p.email === field(req, 'person').toLowerCase());
    if (!person) return web.message(req, reply, 400, web.t(req, 'desk.choosePerson'), { kind: 'warning', links: back(req) });
    if (!address || identify(config, address).roles.length > 0) return web.message(req, reply, 400, web.t(req, 'desk.cannotAlias'), { kind: 'warning', links: back(req) });
    await desk.addAlias(address, person.email, ok.session.name);
    if (await desk.resolve(ok.mail.id, 'aliased', ok.session.name)) {
      await desk.audit({ at: new Date(), actorEmail: ok.session.email, actorName: ok.session.name, action: 'quarantine.alias', subject: ok.mail.id, detail: { address, person: person.email } });
      web.logger.info(`web: ${ok.session.email} added ${address} as an alias of ${person.email}`);
    }
    return done(reply, ok.mail.id);
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/office/mail/:id/ignore', async (req, reply) => {
    const ok = await gate(req, reply);
    if (!ok) return reply;
    if (await desk.resolve(ok.mail.id, 'ignored', ok.session.name)) {
      await desk.audit({ at: new Date(), actorEmail: ok.session.email, actorName: ok.session.name, action: 'quarantine.ignore', subject: ok.mail.id, detail: { from: ok.mail.fromAddress } });
    }
    return done(reply, ok.mail.id);
  });
};
