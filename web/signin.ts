/**
 * Sign-in mails, sent after the answer. The page answers at once and the same for every address — listed
 * or not, mail sent or not — so neither its text nor its timing tells who is office or leadership (an SMTP
 * exchange takes hundreds of milliseconds; answering after it did, for listed addresses only). Each
 * address gets at most SIGN_IN_MAILS_PER_HOUR links an hour, however many clients ask: the per-client
 * limit alone let a few addresses flood one leader's inbox.
 */
import { createHash } from 'node:crypto';
import { identify } from '../config/school.js';
import { deliverOnce } from '../mail/deliver.js';
import { signInUrl } from '../mail/links.js';
import { mailDomain } from '../mail/message-id.js';
import { renderSignIn } from '../templates/render.js';
import type { Locale } from '../templates/types.js';
import type { Web } from './server.js';

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
