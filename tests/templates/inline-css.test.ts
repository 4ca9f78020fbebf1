// The cached CSS inliner must write exactly what juice writes, for every mail we send: a mail client sees
// the same styles whether juice ran on that mail or only once on an element like it.
import juice from 'juice';
import { describe, expect, it } from 'vitest';
import { sharedEngine } from '../../templates/engine.js';
import { CssInliner, JUICE_OPTIONS } from '../../templates/inline-css.js';
import { MAIL_KINDS, oneLine, type Locale, type MailData } from '../../templates/render.js';
import { SAMPLES, TZ } from './fixtures.js';

const engine = sharedEngine();

/** The page before inlining, as renderMail builds it: content template inside the shared layout. */
function page(kind: string, data: MailData, locale: Locale): string {
  const frame = { locale, timeZone: TZ, mode: 'html' as const };
  const context = { ...data, links: data.links ?? {} };
  const subject = oneLine(engine.render(`${locale}/${kind}.subject`, context, frame));
  const content = engine.render(`${locale}/${kind}.html`, context, frame);
  return engine.render('layouts/mail', { lang: locale, subject, schoolName: data.schoolName, replyAddress: null, content }, frame);
}

/** User text that HTML escaping, the code-block guard of juice and the tokenizer must all leave alone. */
const hostile = (d: MailData): MailData => ({
  ...d,
  schoolName: `<b>"学校"</b> & 'x' {{y}} <% z %>`,
  report: { ...d.report, title: `<script>alert("x")</script> ' = \` {{title}}`, body: '第一行\n<p>第二行</p>\n\n& "引号" <!-- x -->', departmentName: 'A&B' },
});

describe('CSS inlining', () => {
  const inliner = new CssInliner();
  for (const locale of ['zh-CN', 'en'] as const) {
    it.each([...MAIL_KINDS])(`${locale} %s: the same HTML as juice, with ordinary and hostile data, also when cached`, (kind) => {
      for (const data of [SAMPLES[kind], hostile(SAMPLES[kind])]) {
        const html = page(kind, data, locale);
        const expected = juice(html, JUICE_OPTIONS);
        expect(inliner.inline(html)).toBe(expected);
        expect(inliner.inline(html)).toBe(expected);
      }
    });
  }

  it('inlines classes, descendant selectors and table attributes, and removes the style element', () => {
    const html = '<html><head><style>.box p { color: red; } td.wide { width: 120px; background-color: #eee; }</style></head><body><div class="box"><p>a</p></div><p>b</p><table><tr><td class="wide">c</td></tr></table></body></html>';
    const out = new CssInliner().inline(html);
    expect(out).toBe(juice(html, JUICE_OPTIONS));
    expect(out).toContain('<p style="color: red;">a</p>');
    expect(out).toContain('<p>b</p>');
    expect(out).toMatch(/<td class="wide" style="[^"]*width: 120px;[^"]*" width="120" bgcolor="#eee">/);
    expect(out).not.toContain('<style>');
  });

  it('a style sheet it cannot follow (sibling selectors, pseudo-classes) goes through juice in full', () => {
    const html = '<html><head><style>p + p { color: red; } li:first-child { font-weight: bold; }</style></head><body><p>a</p><p>b</p><ul><li>x</li><li>y</li></ul></body></html>';
    const out = new CssInliner().inline(html);
    expect(out).toBe(juice(html, JUICE_OPTIONS));
    expect(out).toContain('<p style="color: red;">b</p>');
  });
});
