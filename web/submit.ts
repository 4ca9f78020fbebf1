/**
 * /submit: the report form. The form carries a submission id minted when it is rendered; the report's
 * workflow id derives from it, so a double click or a reload of the POST is the same report.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { identify } from '../config/school.js';
import type { AttachmentRef } from '../domain/lifecycle.js';
import { CATEGORIES, URGENCIES, URGENCY_LABELS, type Urgency } from '../domain/report.js';
import { parseDateTime, toLocal } from '../domain/time.js';
import { storeAttachment } from '../storage/attachments.js';
import { SubmissionError, submitReport, submittingDepartment } from '../intake/submit.js';
import { statusToken } from '../mail/links.js';
import { readMultipartForm } from './form.js';
import { typeNames } from '../storage/file-type.js';

const SID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMAIL_RE = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

interface FormValues {
  sid: string;
  email: string;
  department: string;
  category: string;
  urgency: string;
  eventTime: string;
  title: string;
  body: string;
  /** The expected report (漏报 watch) this one answers; '' = none chosen (matched by department and day). */
  expected: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

function localInput(d: Date, timeZone: string): string {
  const l = toLocal(d, timeZone);
  return `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}`;
}

/** The web form (/submit) and what it answers. */
export const submitPages: FastifyPluginAsync = async (app) => {
  const { web } = app;
  const { config } = web;
  const limits = config.mail.limits;

  /** Open expected reports (漏报 watch), for the form's choice. */
  async function openExpected() {
    const open = await web.readModel.listExpected({ status: ['waiting', 'missing'] });
    return open.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  async function render(req: FastifyRequest, reply: FastifyReply, values: FormValues, errors: string[], status = 200): Promise<FastifyReply> {
    const locale = web.locale(req);
    const s = web.strings(req);
    const en = locale === 'en';
    return web.page(
      req,
      reply,
      'submit',
      {
        csrf: web.csrf(req, reply),
        values,
        errors,
        departments: config.departments.map((d) => ({ id: d.id, name: d.name, selected: d.id === values.department })),
        categories: CATEGORIES.map((c) => ({ value: c.zh, label: en ? c.en : c.zh, selected: c.zh === values.category })),
        urgencies: URGENCIES.map((u) => ({ value: u, label: en ? URGENCY_LABELS[u].en : URGENCY_LABELS[u].zh, selected: u === values.urgency })),
        filesHint: web.t(req, 'submit.filesHint', { mb: limits.maxAttachmentMB, total: limits.maxMailMB, types: typeNames(limits.allowedTypes) }),
        accept: limits.allowedTypes.join(','),
        maxLocal: localInput(new Date(Date.now() + 5 * 60_000), config.school.timeZone),
        hadFiles: errors.length > 0,
        expected: (await openExpected()).map((e) => ({
          id: e.id,
          label: `${config.departments.find((d) => d.id === e.departmentId)?.name ?? e.departmentId} · ${e.title}`,
          dueAt: e.dueAt,
          selected: e.id === values.expected,
        })),
      },
      { status, title: s['submit.heading'] },
    );
  }

  const blank = (): FormValues => ({
    sid: randomUUID(),
    email: '',
    department: '',
    category: '',
    urgency: 'routine',
    eventTime: localInput(new Date(), config.school.timeZone),
    title: '',
    body: '',
    expected: '',
  });

  app.get<{ Querystring: { expected?: string } }>('/submit', (req, reply) => {
    const values = blank();
    // A link from an expected-report reminder preselects the expectation it is about.
    if (typeof req.query.expected === 'string') values.expected = req.query.expected.slice(0, 100);
    return render(req, reply, values, []);
  });

  app.post('/submit', { config: { rateLimit: { max: web.rateLimits.submit, timeWindow: '1 minute' } } }, async (req, reply) => {
    const s = web.strings(req);
    const values = blank();
    values.eventTime = '';
    const form = await readMultipartForm(req, web);
    if (!form) return web.message(req, reply, 400, web.t(req, 'error.form'));
    const { fields, uploads } = form;
    for (const key of Object.keys(values) as (keyof FormValues)[]) {
      const v = fields[key];
      if (typeof v === 'string') values[key] = key === 'body' ? v.replace(/\r\n?/g, '\n') : v.trim();
    }
    if (!SID_RE.test(values.sid)) values.sid = randomUUID();
    if (!web.csrfOk(req, fields.csrf)) return render(req, reply, values, [web.t(req, 'error.csrf')], 403);
    const errors = [...form.errors];

    const required: [keyof FormValues, string][] = [
      ['email', s['submit.email']],
      ['title', s['submit.title']],
      ['body', s['submit.body']],
      ['eventTime', s['submit.eventTime']],
    ];
    for (const [key, label] of required) if (values[key].trim() === '') errors.push(web.t(req, 'error.required', { field: label }));
    if (values.email && !EMAIL_RE.test(values.email)) errors.push(web.t(req, 'error.unknownSender', { email: values.email }));
    if (values.title.length > 200) errors.push(web.t(req, 'error.tooLong', { field: s['submit.title'], max: 200 }));
    if (values.body.length > 20_000) errors.push(web.t(req, 'error.tooLong', { field: s['submit.body'], max: 20_000 }));
    const category = CATEGORIES.find((c) => c.zh === values.category);
    if (!category) errors.push(web.t(req, 'error.choice', { field: s['submit.category'] }));
    if (!(URGENCIES as readonly string[]).includes(values.urgency)) errors.push(web.t(req, 'error.choice', { field: s['submit.urgency'] }));
    if (values.department && !config.departments.some((d) => d.id === values.department)) errors.push(web.t(req, 'error.choice', { field: s['submit.department'] }));
    if (values.expected) {
      const chosen = (await openExpected()).find((e) => e.id === values.expected);
      if (!chosen) errors.push(web.t(req, 'error.expectedGone'));
      else if (values.email && EMAIL_RE.test(values.email)) {
        let department: string | null = null;
        try {
          department = submittingDepartment(config, { from: { name: '', email: values.email }, departmentId: values.department || undefined }).department.id;
        } catch {
          // an unknown sender or department is reported when the report is submitted
        }
        if (department && department !== chosen.departmentId) {
          errors.push(web.t(req, 'error.expectedDepartment', { department: config.departments.find((d) => d.id === chosen.departmentId)?.name ?? chosen.departmentId }));
        }
      }
    }
    let eventTime: Date | null = null;
    if (values.eventTime) {
      try {
        eventTime = parseDateTime(values.eventTime, config.school.timeZone);
        if (eventTime.getTime() > Date.now() + 5 * 60_000) errors.push(web.t(req, 'error.eventFuture'));
      } catch {
        errors.push(web.t(req, 'error.eventTime'));
      }
    }
    if (errors.length > 0 || !eventTime || !category) return render(req, reply, values, errors, 400);

    const who = identify(config, values.email);
    const attachments: AttachmentRef[] = [];
    for (const u of uploads) attachments.push(await storeAttachment(config, u.content, { filename: u.filename, contentType: u.contentType }));
    let result;
    try {
      result = await submitReport(
        { client: web.client, config, readModel: web.readModel },
        {
          origin: { kind: 'web', ref: values.sid },
          from: { name: who.name ?? values.email, email: values.email.toLowerCase() },
          departmentId: values.department || undefined,
          expectedId: values.expected || undefined,
          category: category.zh,
          urgency: values.urgency as Urgency,
          title: values.title,
          body: values.body,
          eventTime,
          receivedAt: new Date(),
          attachments,
        },
      );
    } catch (err) {
      if (err instanceof SubmissionError) {
        const text = err.code === 'ESUBMIT_UNKNOWN_SENDER' ? web.t(req, 'error.unknownSender', { email: values.email }) : web.t(req, 'error.department');
        return render(req, reply, values, [text], 400);
      }
      throw err;
    }
    web.logger.info(`web: report ${result.reportId} ${result.started ? 'submitted' : 'submitted again (same form)'} by ${values.email.toLowerCase()}`);
    if (result.started) web.reportStarted();
    // The status page reads the read model; give the workflow a moment to record the new report.
    for (let i = 0; i < 50 && !(await web.readModel.getReport(result.reportId)); i++) await new Promise((r) => setTimeout(r, 100));
    return reply.redirect(`/status/${encodeURIComponent(result.reportId)}/${statusToken(result.reportId, web.secret)}?new=1`, 303);
  });
};
