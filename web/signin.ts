/**
 * Sign-in mails, sent after the answer. The page answers at once and the same for every address — listed
 * or not, mail sent or not — so neither its text nor its timing tells who is office or leadership (an SMTP
 * exchange takes hundreds of milliseconds; answering after it did, for listed addresses only). Each
 * address gets at most SIGN_IN_MAILS_PER_HOUR links an hour, however many clients ask: the per-client
 * limit alone let a few addresses flood one leader's inbox.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { identify } from '../config/school.js';
import { deliverOnce } from '../mail/deliver.js';
import { SIGN_IN_LINK_TTL_MS, signInUrl, verifySignInLink } from '../mail/links.js';
import { mailDomain } from '../mail/message-id.js';
import { renderSignIn } from '../templates/render.js';
import type { Locale } from '../templates/types.js';
import type { Web } from './server.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from './sessions.js';

/** Sign-in links mailed to one address per hour, at most. */
export const SIGN_IN_MAILS_PER_HOUR = 5;

export class SignInMailer {
  readonly #web: Web;
  readonly #pending = new Set<Promise<void>>();

  constructor(web: Web) {
    this.#web = web;
  }

  /**
   * Counts the request for `email` and, when the address may sign in and has not had its links for this
   * hour, queues the mail. Does the same work before answering whatever the address; the mail itself
   * goes out after the answer.
   */
  async request(email: string, locale: Locale, allowed: boolean): Promise<void> {
    const web = this.#web;
    const count = await web.sessions.signInRequests(email, 3600_000);
    if (!allowed) {
      web.logger.warn(`web: sign-in asked for ${email}, who is neither office nor leadership`);
      return;
    }
    if (count > SIGN_IN_MAILS_PER_HOUR) {
      web.logger.warn(`web: sign-in asked for ${email} ${count} times this hour; no more links are mailed to it until the hour is over`);
      return;
    }
    const sending = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#send(email, locale));
    this.#pending.add(sending);
    void sending.finally(() => this.#pending.delete(sending));
  }

  /** Waits for the mails already queued (before the server closes its database). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async #send(email: string, locale: Locale): Promise<void> {
    const web = this.#web;
    const { config } = web;
    try {
      const who = identify(config, email);
      const { url, expiresAt } = signInUrl(config.web.baseUrl, email, web.secret);
      const mail = renderSignIn({ schoolName: config.school.name, recipientName: who.name ?? email, link: url, expiresAt: expiresAt.toISOString() }, { locale, timeZone: config.school.timeZone });
      const messageId = `<signin.${createHash('sha256').update(url).digest('hex').slice(0, 24)}@${mailDomain(config.mail.address)}>`;
      await deliverOnce(web.readModel, web.transport, { messageId, reportId: null, kind: 'signin', to: [email], subject: mail.subject, createdAt: new Date() }, () => ({
        messageId,
        from: { name: config.mail.fromName, address: config.mail.address },
        to: { name: who.name ?? email, address: email },
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Baosong-Kind': 'signin' },
      }));
      web.logger.info(`web: sign-in link sent to ${email}`);
    } catch (err) {
      web.logger.error(`web: sign-in mail to ${email} failed: ${(err as Error).message}`);
    }
  }
}

/**
 * /office/signin: the form, the one-time link's page and the session it starts, and sign-out. A child of the
 * office plugin; the mails it queues are drained when the server closes.
 */
export const signInPages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  const { config } = web;
  const allowed = (email: string) => identify(config, email).roles.some((r) => r.role === 'office' || r.role === 'leadership');
  const signInMailer = new SignInMailer(web);
  app.addHook('onClose', () => signInMailer.drain());
  const demoHint = (req: FastifyRequest) => (web.demoMailbox ? web.strings(req)['signin.demoHint'] : null);
  app.get('/office/signin', (req, reply) => web.page(req, reply, 'signin', { csrf: web.csrf(req, reply), email: '', demoHint: demoHint(req) }, { title: web.strings(req)['signin.heading'] }));

  app.post<{ Body: Record<string, unknown> }>('/office/signin', { config: { rateLimit: { max: web.rateLimits.signIn, timeWindow: '1 minute' } } }, async (req, reply) => {
    const body = req.body ?? {};
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase().slice(0, 200) : '';
    if (!web.csrfOk(req, body.csrf)) return web.page(req, reply, 'signin', { csrf: web.csrf(req, reply), email, error: web.t(req, 'error.csrf') }, { status: 403 });
    if (!email) return web.page(req, reply, 'signin', { csrf: web.csrf(req, reply), email, error: web.t(req, 'error.required', { field: web.strings(req)['signin.email'] }) }, { status: 400 });
    // Counted and queued; the mail goes after the answer, which is the same in text and time for every address.
    await signInMailer.request(email, web.locale(req), allowed(email));
    // The same answer either way: the page does not tell who is on the list.
    const sent = web.t(req, 'signin.sent', { email, minutes: SIGN_IN_LINK_TTL_MS / 60_000 });
    if (!web.demoMailbox) return web.message(req, reply, 200, sent, { kind: 'ok' });
    return web.message(req, reply, 200, `${sent}${web.strings(req)['signin.demoHint']}`, { kind: 'ok', links: [{ href: `/demo/mail?who=${encodeURIComponent(email)}`, label: web.strings(req)['signin.demoOpen'] }] });
  });

  const badLink = (req: FastifyRequest, reply: FastifyReply) =>
    web.message(req, reply, 400, web.t(req, 'signin.bad'), { kind: 'warning', links: [{ href: '/office/signin', label: web.strings(req)['signin.again'] }] });

  app.get<{ Params: { token: string } }>('/office/signin/:token', (req, reply) => {
    const check = verifySignInLink(req.params.token, web.secret);
    if (!check.ok || !allowed(check.claims.email)) return badLink(req, reply);
    return web.page(req, reply, 'signin-confirm', { csrf: web.csrf(req, reply), formAction: `/office/signin/${req.params.token}`, text: web.t(req, 'signin.confirm', { email: check.claims.email }) });
  });

  app.post<{ Params: { token: string }; Body: Record<string, unknown> }>('/office/signin/:token', { config: { rateLimit: { max: web.rateLimits.signIn * 2, timeWindow: '1 minute' } } }, async (req, reply) => {
    const check = verifySignInLink(req.params.token, web.secret);
    if (!check.ok || !allowed(check.claims.email)) return badLink(req, reply);
    if (!web.csrfOk(req, req.body?.csrf)) return web.message(req, reply, 403, web.t(req, 'error.csrf'));
    if (!(await web.sessions.useNonce(check.claims.nonce, check.claims.expiresAt))) return badLink(req, reply);
    const who = identify(config, check.claims.email);
    const id = await web.sessions.create(check.claims.email, who.name ?? check.claims.email);
    reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: web.secureCookies, maxAge: SESSION_TTL_MS / 1000 });
    web.logger.info(`web: ${check.claims.email} signed in to the dashboard`);
    return reply.redirect('/office', 303);
  });

  app.post<{ Body: Record<string, unknown> }>('/office/signout', async (req, reply) => {
    if (!web.csrfOk(req, req.body?.csrf)) return web.message(req, reply, 403, web.t(req, 'error.csrf'));
    await web.sessions.end(req);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/office/signin', 303);
  });
};
