// The reviewer link is a bearer credential (issue 10, item 7): the page and the review-request mail say
// so (zh-CN and English), and under `review.linkPolicy: view` a link only shows the report: deciding
// takes a reply, or a signed-in session of that very reviewer. Real worker, SMTP, SQLite and web server.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approveSignal } from '../../workflows/report.js';
import type { WebServer } from '../../web/server.js';
import { startHarness, startHarnessWeb, waitForStatus, type Harness } from '../support/baosong.js';
import type { CaughtMail } from '../support/smtp.js';
import { createTestEnv } from '../support/temporal.js';

const liufang = { name: '刘芳', email: 'liufang@school.test' };
const wangjianguo = { name: '王建国', email: 'wangjianguo@school.test' };
const ZHOU = 'zhouxiaomei@school.test'; // office

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let base = '';

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  ({ web, base } = await startHarnessWeb(h, { rateLimits: { submit: 100, signIn: 100 } }));
}, 60_000);

afterAll(async () => {
  await web?.close();
  await h?.close();
  await env?.teardown();
});

/** A browser in miniature: keeps cookies, reads the CSRF token of a page. */
function browser(lang = 'zh-CN') {
  const jar = new Map<string, string>();
  const request = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), 'accept-language': lang, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      jar.set(k!, v ?? '');
    }
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };
  return {
    get: (path: string) => request(path),
    post: (path: string, form: Record<string, string>) => request(path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    csrf: async () => /name="csrf" value="([^"]+)"/.exec((await request('/submit')).html)![1]!,
  };
}

const linksIn = (m: CaughtMail) => [...m.html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]!.replace(/&amp;/g, '&'));

async function reportWithRequest() {
  const now = new Date(await env.currentTimeMs());
  const r = await h.submit({ origin: { kind: 'web', ref: randomUUID() }, from: liufang, category: '教育教学', urgency: 'routine', title: '七年级公开课周圆满结束', body: '12位教师展示了公开课。', eventTime: now, receivedAt: now, attachments: [] });
  const [request] = await h.smtp.waitFor((m) => m.reportId === r.reportId && m.kind === 'review_request');
  return { ...r, request: request! };
}

describe('reviewer links', () => {
  it('act (the default): the mail and the page say the link is a credential; the link approves', async () => {
    h.config.review.linkPolicy = 'act';
    const { request, handle } = await reportWithRequest();
    expect(request.text).toContain('请勿转发本邮件');
    expect(request.text).toContain('任何拿到它们的人都能以您的名义审核');
    const approve = linksIn(request).find((l) => l.endsWith('?do=approve'))!;
    expect(approve).toBeDefined();
    const b = browser();
    const page = await b.get(approve);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="approve-form"');
    expect(page.html).toContain('此链接相当于您本人的审核凭证');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
    expect((await b.post(new URL(approve).pathname, { csrf, action: 'approve' })).status).toBe(303);
    await waitForStatus(handle, (s) => s.step?.index === 1);
  });

  it('view: the link only shows the report; a POST through it is refused and changes nothing', async () => {
    h.config.review.linkPolicy = 'view';
    const { request, handle, reportId } = await reportWithRequest();
    const links = linksIn(request);
    expect(links.some((l) => l.includes('?do='))).toBe(false);
    const view = links.find((l) => l.includes('/review/'))!;
    expect(request.text).toContain('链接只能查看报送');
    expect(request.text).toContain('请勿转发本邮件');
    const b = browser();
    const page = await b.get(view);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="view-only"');
    expect(page.html).not.toContain('id="approve-form"');
    expect(page.html).toContain('此链接相当于您本人的审核凭证');
    const refused = await b.post(new URL(view).pathname, { csrf: await b.csrf(), action: 'approve' });
    expect(refused.status).toBe(403);
    const status = await waitForStatus(handle, (s) => s.status === 'in_review');
    expect(status.step?.index).toBe(0);
    expect(status.timeline.some((e) => e.type === 'approved')).toBe(false);
    expect((await h.readModel.getReport(reportId))?.currentStep).toBe(0);
  });

  it('view: the reviewer signed in to the dashboard decides through the link', async () => {
    h.config.review.linkPolicy = 'view';
    const { reportId, handle } = await reportWithRequest();
    await handle.signal(approveSignal, { actor: wangjianguo, evidence: { via: 'mail', ref: `<${randomUUID()}@school.test>` }, step: 0 });
    const [officeRequest] = await h.smtp.waitFor((m) => m.reportId === reportId && m.kind === 'review_request' && m.to.includes(ZHOU));
    const view = linksIn(officeRequest!).find((l) => l.includes('/review/'))!;

    const b = browser();
    // Someone else signed in (another office member) is not enough: the link is 周晓梅's.
    const other = browser();
    await signIn(other, 'xieyutong@school.test');
    expect((await other.get(view)).html).toContain('id="view-only"');

    await signIn(b, ZHOU);
    const page = await b.get(view);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="approve-form"');
    expect(page.html).not.toContain('id="view-only"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
    expect((await b.post(new URL(view).pathname, { csrf, action: 'approve' })).status).toBe(303);
    await waitForStatus(handle, (s) => s.step?.index === 2 || s.status === 'approved' || s.status === 'published');
  });

  it('English mails and pages say the same', async () => {
    h.config.review.linkPolicy = 'view';
    h.config.school = { ...h.config.school, locale: 'en' };
    try {
      const { request } = await reportWithRequest();
      expect(request.text).toContain('Do not forward this message');
      expect(request.text).toContain('these links only show the report');
      const view = linksIn(request).find((l) => l.includes('/review/'))!;
      const page = await browser('en').get(view);
      expect(page.html).toContain('This link works like your own review credential');
      expect(page.html).toContain('review links only show the report');
    } finally {
      h.config.school = { ...h.config.school, locale: 'zh-CN' };
      h.config.review.linkPolicy = 'act';
    }
  });
});

async function signIn(b: ReturnType<typeof browser>, email: string): Promise<void> {
  const before = h.smtp.mails.length;
  expect((await b.post('/office/signin', { csrf: await b.csrf(), email })).status).toBe(200);
  const [mail] = await h.smtp.waitFor((m) => m.kind === 'signin' && m.to.includes(email) && h.smtp.mails.indexOf(m) >= before);
  const link = linksIn(mail!).find((l) => l.includes('/office/signin/'))!;
  const confirm = await b.get(link);
  const csrf = /name="csrf" value="([^"]+)"/.exec(confirm.html)![1]!;
  expect((await b.post(new URL(link).pathname, { csrf })).status).toBe(303);
}
