import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../templates/engine.js';
import { MAIL_KINDS, renderNotice, renderSignIn, REQUIRED_FIELDS, renderMail, TemplateError, type Locale, type MailData, type MailKind, type RenderedMail } from '../../templates/render.js';
import { REPORT, SAMPLES, TZ } from './fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const OUT = path.join(repo, 'test-output', 'mail');
const LOCALE_LIST: readonly Locale[] = ['zh-CN', 'en'];

const render = (kind: MailKind, data: MailData, locale: Locale = 'zh-CN'): RenderedMail => renderMail(kind, data, { locale, timeZone: TZ });

/** Every string inside the sample data (user content), to take out before looking for template wording. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value, ...value.split('\n')];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

const HAN = /\p{Script=Han}/u;
const TAG = /<\/?[a-z][a-z0-9]*(?:\s[^>]*)?>/i;

describe.each(LOCALE_LIST)('every mail kind in %s', (locale) => {
  it.each([...MAIL_KINDS])('%s renders subject, inlined HTML and text', (kind) => {
    const data = SAMPLES[kind];
    const mail = render(kind, data, locale);

    mkdirSync(path.join(OUT, locale), { recursive: true });
    writeFileSync(path.join(OUT, locale, `${kind}.html`), mail.html);
    writeFileSync(path.join(OUT, locale, `${kind}.txt`), `Subject: ${mail.subject}\n\n${mail.text}`);

    // Subject: one line, report number first so mail clients thread it, title after.
    expect(mail.subject.startsWith(locale === 'zh-CN' ? '【R-2026-0042】' : '[R-2026-0042] ')).toBe(true);
    expect(mail.subject).toContain(REPORT.title);
    expect(mail.subject).not.toMatch(/[\r\n]/);

    // HTML: juice inlined the layout's CSS and removed the <style> block.
    expect(mail.html).toMatch(/^<!DOCTYPE html>/);
    expect(mail.html).not.toMatch(/<style/i);
    expect(mail.html).toMatch(/<td class="header" style="[^"]*background-color: #1d4f91/);
    expect(mail.html).toContain('青禾市第一实验中学');
    expect(mail.html).toContain(`lang="${locale}"`);

    // Text: no markup, greeting, report number, footer.
    expect(mail.text).not.toMatch(TAG);
    expect(mail.text).toContain('R-2026-0042');
    expect(mail.text).toContain(locale === 'zh-CN' ? `${data.recipientName}老师，您好！` : `Dear ${data.recipientName},`);
    expect(mail.text).toContain(locale === 'zh-CN' ? '此邮件由青禾市第一实验中学信息报送系统自动发送。' : 'sent automatically');
    expect(mail.text).not.toMatch(/\n{3,}/);

    // The right language: once the user's (Chinese) data is taken out, English mails have no Chinese left.
    let rest = `${mail.subject}\n${mail.text}`;
    for (const s of strings(data).filter((s) => s.trim() !== '').sort((a, b) => b.length - a.length)) rest = rest.split(s).join('');
    if (locale === 'en') expect(rest.match(new RegExp(`.{0,20}${HAN.source}.{0,20}`, 'u'))?.[0] ?? null).toBeNull();
    else expect(rest).toMatch(HAN);
  });
});

describe('what readers notice', () => {
  it('receipt: number, status link, due time and 按时', () => {
    const { text, html } = render('receipt', SAMPLES.receipt);
    expect(text).toContain('报送编号为 R-2026-0042');
    expect(text).toContain('报送截止：2026年11月27日 15:00（周五）');
    expect(text).toContain('事件时间：2026年11月26日 15:00（周四）');
    expect(text).toContain('按时报送：报送截止时间为 2026年11月27日 15:00（周五），已于 2026年11月26日 17:20（周四） 收到。');
    expect(text).toContain(`查看报送进度：${REPORT.statusUrl}`);
    expect(html).toContain(`href="${REPORT.statusUrl}"`);
    expect(text).not.toContain('迟报');
    expect(text).toContain('家长会现场1.jpg · 2.3 MB');
  });

  it('receipt: a late report is marked 迟报 with how late', () => {
    const late = { ...SAMPLES.receipt, report: { ...REPORT, receivedAt: '2026-11-27T16:30:00+08:00', timeliness: 'late' as const } };
    const zh = render('receipt', late);
    expect(zh.text).toContain('迟报：本条信息的报送截止时间为 2026年11月27日 15:00（周五），实际于 2026年11月27日 16:30（周五） 收到，晚了 1 小时 30 分钟。');
    expect(zh.text).toContain('是否按时：迟报');
    expect(zh.html).toMatch(/<td class="late" style="[^"]*color: #c0392b/);
    const en = render('receipt', late, 'en');
    expect(en.text).toContain('Late: the report was due Fri 27 Nov 2026, 15:00 and arrived Fri 27 Nov 2026, 16:30, 1 hour 30 minutes after the deadline.');
    expect(en.text).toContain('Timeliness: Late');
  });

  it('review request: full body, attachments, reply instructions, signed links, deadline', () => {
    const { subject, text, html } = render('review_request', SAMPLES.review_request);
    expect(subject).toBe('【R-2026-0042】审核请求：七年级家长会顺利召开');
    expect(text).toContain('现请您进行部门负责人审核（第 1/2 步）');
    expect(text).toContain('请于 2026年11月27日 17:20（周五） 前完成审核。');
    expect(text).toContain(REPORT.body);
    expect(html).toContain('全年级家长共420余人参加。<br>\n<br>\n会上');
    expect(text).toContain('附件（2 个）');
    expect(text).toContain('家长会签到表.pdf · 348 KB');
    expect(text).toContain('直接回复本邮件即可，无需登录');
    expect(text).toContain('第一行写“同意”，即审核通过');
    expect(text).toContain('写“退回：原因”');
    expect(text).toContain(`同意：${SAMPLES.review_request.links?.approve ?? ''}`);
    expect(text).toContain(`退回修改：${SAMPLES.review_request.links?.sendBack ?? ''}`);
    expect(html).toContain('href="https://baosong.school.test/review/R-2026-0042/approve?step=1&amp;sig=8f2c1e"');

    const en = render('review_request', SAMPLES.review_request, 'en');
    expect(en.subject).toBe('[R-2026-0042] Review request: 七年级家长会顺利召开');
    expect(en.text).toContain('Please carry out the department head review (step 1 of 2).');
    expect(en.text).toContain('write “approve” on the first line');
    expect(en.text).toContain('write “send back: reason”');
    expect(en.text).toContain('Please complete your review by Fri 27 Nov 2026, 17:20.');
  });

  it('review request: urgent reports say so in the subject and the text; links are optional', () => {
    const urgent = { ...SAMPLES.review_request, links: undefined, report: { ...REPORT, urgency: 'urgent' as const } };
    const { subject, text } = render('review_request', urgent);
    expect(subject).toBe('【R-2026-0042】【紧急】审核请求：七年级家长会顺利召开');
    expect(text).toContain('本条为紧急信息，请尽快处理。');
    expect(text).not.toContain('也可以点击下方链接');
  });

  it('reminder: deadline with time left, or overdue; without a step it is a revision reminder', () => {
    const r = render('reminder', SAMPLES.reminder);
    expect(r.subject).toBe('【R-2026-0042】审核提醒：七年级家长会顺利召开');
    expect(r.text).toContain('截止时间：2026年11月27日 17:20（周五）。距截止还有 2 小时。');
    const overdue = render('reminder', { ...SAMPLES.reminder, sentAt: '2026-11-28T09:05:00+08:00' });
    expect(overdue.text).toContain('已超过截止时间 15 小时 45 分钟，请尽快处理。');
    const revision = render('reminder', { ...SAMPLES.reminder, recipientName: '刘芳', step: undefined, links: { edit: 'https://baosong.school.test/r/R-2026-0042/edit' }, deadline: '2026-11-30T17:30:00+08:00' });
    expect(revision.subject).toBe('【R-2026-0042】修改提醒：七年级家长会顺利召开');
    expect(revision.text).toContain('已被退回，尚待您修改后重新提交');
    expect(revision.text).toContain('在线修改：https://baosong.school.test/r/R-2026-0042/edit');
    expect(revision.text).not.toContain('第一行写“同意”');
    expect(render('reminder', SAMPLES.reminder, 'en').text).toContain('Deadline: Fri 27 Nov 2026, 17:20. Time left: 2 hours.');
  });

  it('escalation: step, holder, deadline and how long overdue', () => {
    const { subject, text } = render('escalation', SAMPLES.escalation);
    expect(subject).toBe('【R-2026-0042】审核超时：七年级家长会顺利召开');
    expect(text).toContain('周晓梅老师，您好！');
    expect(text).toContain('在部门负责人审核环节（第 1/2 步）已超过审核时限');
    expect(text).toContain('当前处理人：王建国\n审核截止：2026年11月27日 17:20（周五）\n已超时：15 分钟');
    expect(render('escalation', SAMPLES.escalation, 'en').text).toContain('Overdue by: 15 minutes');
  });

  it('returned: reviewer, reason with its line breaks, revision deadline', () => {
    const { text, html } = render('returned', SAMPLES.returned);
    expect(text).toContain('经王建国（部门负责人审核）审核，需要修改后重新提交。');
    expect(text).toContain('照片不够清晰，请换一张现场全景照片；\n第二段请补充讲座主讲人的姓名。');
    expect(html).toContain('照片不够清晰，请换一张现场全景照片；<br>');
    expect(text).toContain('请于 2026年11月30日 17:30（周一） 前修改并重新提交');
  });

  it('refused: what was attempted, by whom and why', () => {
    const { subject, text } = render('refused', SAMPLES.refused);
    expect(subject).toBe('【R-2026-0042】操作未执行：七年级家长会顺利召开');
    expect(text).toContain('尝试的操作：审核通过（同意）');
    expect(text).toContain('操作人：陈思远（chensiyuan@school.test）');
    expect(text).toContain('未执行原因：发件人不是本环节的审核人（当前审核人：王建国）。');
    const en = render('refused', SAMPLES.refused, 'en').text;
    expect(en).toContain('Attempted: approve the report');
    expect(en).toContain('By: 陈思远 (chensiyuan@school.test)');
  });

  it('the other kinds say what happened', () => {
    expect(render('revision_received', SAMPLES.revision_received).text).toContain('已收到您对“七年级家长会顺利召开”的修改稿');
    expect(render('approved', SAMPLES.approved).text).toContain('已通过全部审核（最后审核人：周晓梅）');
    expect(render('published', SAMPLES.published).text).toContain('发布页面：https://www.qhsyz.test/news/2026/1127-jiazhanghui.html');
    expect(render('withdrawn', SAMPLES.withdrawn).text).toContain('已由刘芳撤回，审核流程随之终止，无需再处理。');
    expect(render('expired', SAMPLES.expired).text).toContain('未在 2026年11月30日 17:30（周一） 前修改提交，已自动过期');
  });

  it('dates follow the school time zone', () => {
    const text = renderMail('receipt', SAMPLES.receipt, { locale: 'en', timeZone: 'Europe/London' }).text;
    expect(text).toContain('Due: Fri 27 Nov 2026, 07:00');
  });
});

describe('escaping', () => {
  const evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
  const data: MailData = {
    ...SAMPLES.review_request,
    recipientName: `王建国${evil}`,
    reason: `原因${evil}`,
    report: {
      ...REPORT,
      title: `标题${evil}`,
      body: `正文${evil}\n第二行`,
      departmentName: `教务处${evil}`,
      submitterName: `刘芳${evil}`,
      attachments: [{ filename: `照片${evil}.jpg`, contentType: 'image/jpeg', size: 1000 }],
    },
  };

  it.each(LOCALE_LIST)('user text is escaped in HTML and verbatim in text (%s)', (locale) => {
    for (const kind of ['review_request', 'returned'] as const) {
      const mail = render(kind, { ...data, actorName: `王建国${evil}`, revisionDueAt: '2026-11-30T17:30:00+08:00' }, locale);
      expect(mail.html).not.toMatch(/<script/i);
      expect(mail.html).not.toMatch(/<img/i);
      expect(mail.html).not.toMatch(/"><img/);
      expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(mail.html).toMatch(/&quot;&gt;&lt;img src(=|&#x3D;)x onerror(=|&#x3D;)alert\(2\)&gt;/);
      expect(mail.text).toContain(`标题${evil}`);
      expect(mail.subject).toContain(`标题${evil}`);
    }
    const review = render('review_request', data, locale);
    for (const s of [`正文${evil}\n第二行`, `教务处${evil}`, `刘芳${evil}`, `照片${evil}.jpg`]) expect(review.text).toContain(s);
  });

  it('only http(s) links become hrefs', () => {
    expect(() => render('review_request', { ...SAMPLES.review_request, links: { approve: 'javascript:alert(1)' } })).toThrow(/not an http\(s\) link/);
  });

  it('subjects stay on one line (no header injection)', () => {
    const mail = render('receipt', { ...SAMPLES.receipt, report: { ...REPORT, title: '家长会\r\nBcc: all@school.test\n\t  通知' } });
    expect(mail.subject).toBe('【R-2026-0042】已收到：家长会 Bcc: all@school.test 通知');
  });

  it('templates never triple-stash anything but the renderer-made layout content', () => {
    const root = path.join(repo, 'templates');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.hbs'));
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      const triples = readFileSync(path.join(root, f), 'utf8').match(/\{\{\{[^}]*\}\}\}|\{\{&[^}]*\}\}/g) ?? [];
      expect({ f, triples }).toEqual({ f, triples: f.startsWith('layouts') ? ['{{{content}}}'] : [] });
    }
  });
});

describe('missing data', () => {
  const strip = (kind: MailKind): MailData => {
    const d = SAMPLES[kind] as unknown as Record<string, unknown>;
    const keep = new Set<string>(['schoolName', 'recipientName', 'report', ...REQUIRED_FIELDS[kind]]);
    return Object.fromEntries(Object.entries(d).filter(([k]) => keep.has(k))) as unknown as MailData;
  };

  it.each([...MAIL_KINDS])('%s renders with only its required fields', (kind) => {
    for (const locale of LOCALE_LIST) expect(render(kind, strip(kind), locale).subject).toContain('R-2026-0042');
  });

  it.each([...MAIL_KINDS])('%s: each required field, when missing, is named in the error', (kind) => {
    const fields = ['schoolName', 'recipientName', ...REQUIRED_FIELDS[kind]];
    for (const field of fields) {
      const d = { ...SAMPLES[kind] } as unknown as Record<string, unknown>;
      delete d[field];
      expect(() => render(kind, d as unknown as MailData)).toThrow(`Mail "${kind}": missing required field "${field}"`);
    }
    for (const field of ['dueAt', 'title', 'attachments']) {
      const d: MailData = { ...SAMPLES[kind], report: { ...REPORT } };
      delete (d.report as unknown as Record<string, unknown>)[field];
      expect(() => render(kind, d)).toThrow(`missing required field "report.${field}"`);
    }
  });

  it('a gap inside the data is reported by the template, with file, line and field', () => {
    const noIndex = { ...SAMPLES.review_request, step: { count: 2, kind: 'department_head' } } as unknown as MailData;
    let error: unknown;
    try {
      render('review_request', noIndex);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).field).toBe('step.index');
    expect((error as Error).message).toMatch(/^Template zh-CN\/review_request\.html\.hbs line \d+: missing field "step\.index" in \{\{t "step\.position"/);

    const noName = { ...SAMPLES.review_request, report: { ...REPORT, attachments: [{ contentType: 'image/jpeg', size: 1 }] } } as unknown as MailData;
    expect(() => render('review_request', noName)).toThrow(
      /^Template partials\/attachments\.hbs line \d+: missing field "filename" in \{\{filename\}\} \(included from zh-CN\/review_request\.html\.hbs\)$/,
    );

    const badDate = { ...SAMPLES.receipt, report: { ...REPORT, dueAt: 'next Friday' } };
    expect(() => render('receipt', badDate)).toThrow(/\{\{date report\.dueAt\}\}: expected an ISO time/);
  });

  it('unknown kind, locale or time zone are refused', () => {
    expect(() => render('nonsense' as MailKind, SAMPLES.receipt)).toThrow(/Unknown mail kind "nonsense"/);
    expect(() => renderMail('receipt', SAMPLES.receipt, { locale: 'fr' as Locale, timeZone: TZ })).toThrow(/unknown locale "fr"/);
    expect(() => renderMail('receipt', SAMPLES.receipt, { locale: 'en', timeZone: 'Mars/Olympus' })).toThrow(/Unknown time zone/);
  });
});

describe('a kind with its own text template', () => {
  it('uses <kind>.text.hbs instead of html-to-text, unescaped', () => {
    const root = path.join(repo, 'test-output', 'engine-root');
    rmSync(root, { recursive: true, force: true });
    cpSync(path.join(repo, 'templates', 'layouts'), path.join(root, 'layouts'), { recursive: true });
    cpSync(path.join(repo, 'templates', 'partials'), path.join(root, 'partials'), { recursive: true });
    cpSync(path.join(repo, 'templates', 'en'), path.join(root, 'en'), { recursive: true });
    writeFileSync(path.join(root, 'en', 'receipt.text.hbs'), 'Received {{report.id}}: {{report.title}}, due {{date report.dueAt}}.\n{{multiline report.body}}\n');
    const data = { ...SAMPLES.receipt, report: { ...REPORT, title: 'A & B <ok>' } };
    const mail = renderMail('receipt', data, { locale: 'en', timeZone: TZ }, new Engine(root));
    expect(mail.text).toBe(`Received R-2026-0042: A & B <ok>, due Fri 27 Nov 2026, 15:00.\n${REPORT.body}\n`);
    expect(mail.html).toContain('A &amp; B &lt;ok&gt;');
  });
});

describe('已发布 only when something is online (issue 18 §5)', () => {
  it('with the website’s address: 已发布 and the link; without it: 审核通过, handed to the editor', () => {
    const online = render('published', SAMPLES.published);
    expect(online.subject).toBe('【R-2026-0042】已发布：七年级家长会顺利召开');
    expect(online.text).toContain('已在学校网站正式发布');
    expect(online.text).toContain('https://www.qhsyz.test/news/2026/1127-jiazhanghui.html');
    const { publishedUrl: _online, ...withoutUrl } = SAMPLES.published;
    const handed = render('published', withoutUrl);
    expect(handed.subject).toBe('【R-2026-0042】审核通过：七年级家长会顺利召开');
    expect(handed.text).toContain('已审核通过，已交网站编辑发布');
    expect(handed.text).not.toMatch(/已发布|正式发布/);
    expect(render('published', withoutUrl, 'en').subject).toBe('[R-2026-0042] Approved: 七年级家长会顺利召开');
  });
});

describe('only mails with a report number ask to keep it (issue 18 §5)', () => {
  it('a report’s mail asks; a notice and a sign-in link do not', () => {
    expect(render('receipt', SAMPLES.receipt).text).toContain('保留主题中的报送编号');
    const notice = renderNotice({ schoolName: '青禾市第一实验中学', recipientName: null, originalSubject: '投稿', reason: '发件地址没有登记。' }, { locale: 'zh-CN', timeZone: TZ });
    expect(notice.text).not.toContain('报送编号');
    const signIn = renderSignIn({ schoolName: '青禾市第一实验中学', recipientName: '周晓梅', link: 'https://baosong.school.test/office/signin/x', expiresAt: '2026-12-05T08:00:00Z' }, { locale: 'zh-CN', timeZone: TZ });
    expect(signIn.text).not.toContain('报送编号');
  });
});

describe('nested quotation marks (issue 18 §5)', () => {
  it('a title with its own “…” inside the mail’s “…” reads “…‘…’…”', () => {
    const m = render('approved', { ...SAMPLES.approved, report: { ...SAMPLES.approved.report, title: '读书节“阅读之星”评选揭晓' } });
    expect(m.text).toContain('“读书节‘阅读之星’评选揭晓”');
    expect(m.text).not.toContain('““');
    expect(m.html).toContain('“读书节‘阅读之星’评选揭晓”');
  });
});
