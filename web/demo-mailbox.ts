/**
 * The demo mailbox (`npm run demo` only): a local mail catcher for trying the whole mail story in the
 * browser. It shows each person's mail as it arrives (the HTML in a sandboxed frame with its own CSP,
 * as a mail client shows it) and lets you write a report mail, or reply 同意 / 退回：… as that person.
 * What you write goes to baosong the way `DemoMailbox.deliver` says (the mail intake's own handler).
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Config } from '../config/schema.js';
import { CATEGORIES } from '../domain/report.js';
import { formatDateTime } from '../templates/format.js';

export interface DemoMailbox {
  /** Every mail baosong has sent so far, raw (RFC 822). */
  sent(): Promise<Buffer[]>;
  /** Hands a mail written on the page to baosong as if it had arrived in the shared inbox; says what became of it. */
  deliver(raw: Buffer): Promise<{ folder: 'processed' } | { folder: 'quarantine'; reason: string }>;
  /** How written mail reaches baosong, said on the page. */
  route: string;
  /** The demo server's clock, for 快进 (absent: no button). */
  clock?: { now(): Promise<number>; skip(ms: number): Promise<number> };
}

/** Mails that ask their recipient to decide a step (X-Baosong-Kind). */
const DECIDING_KINDS = new Set(['review_request', 'reminder', 'escalation']);

/** What the 快进 buttons move the demo's clock by. */
const FAST_FORWARD: Record<string, { ms: number; label: string }> = {
  hour: { ms: 3_600_000, label: '1 小时' },
  day: { ms: 86_400_000, label: '1 天' },
  week: { ms: 7 * 86_400_000, label: '7 天' },
};

interface Person {
  name: string;
  email: string;
  role: string;
}

interface Letter {
  id: string;
  messageId: string;
  to: string[];
  subject: string;
  date: Date;
  kind: string;
  replyTo: string | null;
  html: string;
  text: string;
  files: string[];
}

/** Everyone in the school's configuration who sends or gets mail, in a useful order. */
function people(config: Config): Person[] {
  const all: Person[] = [];
  for (const d of config.departments) {
    for (const l of d.liaisons) all.push({ name: l.name, email: l.email, role: `${d.name} · 信息员` });
    all.push({ name: d.head.name, email: d.head.email, role: `${d.name} · 负责人` });
  }
  for (const p of config.office.reviewers) all.push({ name: p.name, email: p.email, role: '办公室' });
  for (const p of config.leadership) all.push({ name: p.name, email: p.email, role: '校领导' });
  const seen = new Set<string>();
  return all.filter((p) => !seen.has(p.email.toLowerCase()) && seen.add(p.email.toLowerCase()));
}

const CSP_PAGE = "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const CSP_MAIL = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox";

/** `npm run demo` only: everyone's mail at /demo/mail. */
export const demoMailboxPages: FastifyPluginAsync<{ mailbox: DemoMailbox }> = async (app, { mailbox }) => {
  const { web } = app;
  const cache = new Map<string, Letter>();
  const everyone = people(web.config);

  async function letters(): Promise<Letter[]> {
    const out: Letter[] = [];
    for (const raw of await mailbox.sent()) {
      const id = createHash('sha256').update(raw).digest('hex').slice(0, 16);
      let letter = cache.get(id);
      if (!letter) {
        const parsed: ParsedMail = await simpleParser(raw);
        const addresses = (a: ParsedMail['to']) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => (v.address ?? '').toLowerCase()));
        const header = (k: string) => {
          const v = parsed.headers.get(k);
          return typeof v === 'string' ? v : null;
        };
        letter = {
          id,
          messageId: parsed.messageId ?? '',
          to: addresses(parsed.to),
          subject: parsed.subject ?? '',
          date: parsed.date ?? new Date(0),
          kind: header('x-baosong-kind') ?? '',
          replyTo: parsed.replyTo?.value[0]?.address ?? null,
          html: typeof parsed.html === 'string' ? parsed.html : `<pre>${(parsed.text ?? '').replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`,
          text: parsed.text ?? '',
          files: parsed.attachments.map((a) => a.filename ?? 'file'),
        };
        cache.set(id, letter);
      }
      out.push(letter);
    }
    return out.sort((a, b) => b.date.getTime() - a.date.getTime());
  }

  const chosen = (req: FastifyRequest) => {
    const q = (req.query as Record<string, unknown>).who;
    const who = typeof q === 'string' ? q.toLowerCase() : '';
    return everyone.find((p) => p.email.toLowerCase() === who) ?? everyone[0]!;
  };

  const page = (req: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>) => {
    reply.header('content-security-policy', CSP_PAGE);
    return web.page(req, reply, view, { ...data, route: mailbox.route }, { title: '演示邮箱' });
  };

  app.get('/demo/mail', async (req, reply) => {
    const me = chosen(req);
    const all = await letters();
    const mine = all.filter((l) => l.to.includes(me.email.toLowerCase()));
    const n = (req.query as Record<string, unknown>).note;
    const note = typeof n === 'string' ? n.slice(0, 300) : '';
    const clockNow = mailbox.clock ? await mailbox.clock.now().catch(() => null) : null;
    return page(req, reply, 'demo-mailbox', {
      csrf: web.csrf(req, reply),
      me,
      note,
      clock: clockNow === null ? null : { now: new Date(clockNow).toISOString(), ahead: clockNow - Date.now() > 60_000 },
      fastForward: Object.entries(FAST_FORWARD).map(([by, f]) => ({ by, label: f.label })),
      people: everyone.map((p) => ({ ...p, current: p.email === me.email, count: all.filter((l) => l.to.includes(p.email.toLowerCase())).length, href: `/demo/mail?who=${encodeURIComponent(p.email)}` })),
      letters: mine.map((l) => ({ ...l, href: `/demo/mail/m/${l.id}?who=${encodeURIComponent(me.email)}` })),
      categories: CATEGORIES.map((c) => c.zh),
      shared: web.config.mail.address,
    });
  });

  app.get<{ Params: { id: string } }>('/demo/mail/m/:id', async (req, reply) => {
    const me = chosen(req);
    const letter = (await letters()).find((l) => l.id === req.params.id);
    if (!letter) return web.message(req, reply, 404, web.t(req, 'error.notFound'));
    return page(req, reply, 'demo-letter', {
      csrf: web.csrf(req, reply),
      me,
      letter,
      back: `/demo/mail?who=${encodeURIComponent(me.email)}`,
      frame: `/demo/mail/m/${letter.id}/html`,
      // 同意 / 退回 buttons only on a mail that asks this person to decide (not on a liaison's receipt).
      answerable: letter.replyTo !== null && letter.replyTo !== web.config.mail.address && DECIDING_KINDS.has(letter.kind),
      // The editor's answer to 待发布 is "已发布 <网址>": the box starts with it.
      publishable: letter.kind === 'publish_request',
    });
  });

  app.get<{ Params: { id: string } }>('/demo/mail/m/:id/html', async (req, reply) => {
    const letter = (await letters()).find((l) => l.id === req.params.id);
    if (!letter) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return reply.header('content-security-policy', CSP_MAIL).header('x-frame-options', 'SAMEORIGIN').type('text/html; charset=utf-8').send(letter.html);
  });

  // 快进: the demo's clock jumps ahead so a visitor sees reminders, escalations and expiries within a minute.
  app.post<{ Body: Record<string, unknown> }>('/demo/mail/fast-forward', async (req, reply) => {
    const body = req.body ?? {};
    if (!web.csrfOk(req, body.csrf)) return web.message(req, reply, 403, web.t(req, 'error.csrf'));
    const step = typeof body.by === 'string' && Object.hasOwn(FAST_FORWARD, body.by) ? FAST_FORWARD[body.by] : undefined;
    if (!mailbox.clock || !step) return web.message(req, reply, 400, web.t(req, 'error.form'));
    const who = typeof body.who === 'string' ? body.who : '';
    const now = await mailbox.clock.skip(step.ms);
    // The mails of the timers that fired are sent by activities that may still be running: a moment for them.
    await new Promise((r) => setTimeout(r, 1500));
    const at = formatDateTime(new Date(now).toISOString(), 'zh-CN', web.config.school.timeZone);
    const note = `演示时钟已快进 ${step.label}，现在是 ${at}。这段时间里到期的提醒、逾期升级和过期通知已经发出，请在各人的收件箱里查看。`;
    return reply.redirect(`/demo/mail?who=${encodeURIComponent(who)}&note=${encodeURIComponent(note)}`, 303);
  });

  app.post<{ Body: Record<string, unknown> }>('/demo/mail/send', async (req, reply) => {
    const body = req.body ?? {};
    const field = (k: string) => (typeof body[k] === 'string' ? String(body[k]) : '');
    if (!web.csrfOk(req, body.csrf)) return web.message(req, reply, 403, web.t(req, 'error.csrf'));
    const me = everyone.find((p) => p.email === field('from'));
    if (!me) return web.message(req, reply, 400, web.t(req, 'error.form'));
    const original = field('replyTo') ? (await letters()).find((l) => l.id === field('replyTo')) : undefined;
    const text = field('body').replace(/\r\n?/g, '\n').slice(0, 20_000);
    const messageId = `<demo.${Date.now()}.${Math.random().toString(36).slice(2)}@${me.email.split('@')[1] ?? 'demo'}>`;
    const mail = original
      ? {
          from: { name: me.name, address: me.email },
          to: original.replyTo ?? web.config.mail.address,
          subject: `回复：${original.subject}`,
          text: `${text}\n\n------------------ 原始邮件 ------------------\n${original.text.split('\n').map((l) => `> ${l}`).join('\n')}`,
          inReplyTo: original.messageId,
          references: [original.messageId],
        }
      : { from: { name: me.name, address: me.email }, to: web.config.mail.address, subject: `【${field('category') || '其他'}】${field('subject').trim().slice(0, 200)}`, text };
    const raw = await new MailComposer({ ...mail, messageId, date: new Date() }).compile().build();
    const result = await mailbox.deliver(raw);
    const note = result.folder === 'processed' ? `${me.name}的邮件已送达，系统已处理。` : `${me.name}的邮件未被处理：${result.reason}`;
    // Give the workflow a moment to answer, so its mail is there when the page reloads.
    await new Promise((r) => setTimeout(r, 600));
    return reply.redirect(`/demo/mail?who=${encodeURIComponent(me.email)}&note=${encodeURIComponent(note)}`, 303);
  });
};
