import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText, removeBlockquotes, removeInvisible } from '../../../domain/mail/html.js';
import { extractNewText } from '../../../domain/mail/quoted.js';

const NEW = '同意发布。\n辛苦了！';

describe('extractNewText: quoted history of each client', () => {
  it.each([
    ['QQ Mail / Foxmail zh', '------------------ 原始邮件 ------------------\n发件人: "报送"<baosong@school.test>;\n主题: R-2026-0042'],
    ['QQ Mail with no-break spaces', '------------------\u00a0原始邮件\u00a0------------------\n发件人: "报送"'],
    ['Foxmail en', '------------------ Original ------------------\nFrom: "报送"<baosong@school.test>;\nDate: Thu, Nov 26, 2026 05:10 PM'],
    ['Outlook zh header block', '发件人: 报送 <baosong@school.test>\n发送时间: 2026年11月26日 16:03\n收件人: 李明\n主题: R-2026-0044'],
    ['Outlook en header block with rule', '________________________________\nFrom: 报送 <baosong@school.test>\nSent: Thursday, November 26, 2026 6:12 PM\nTo: 陈军'],
    ['Outlook HTML <hr> above the header block', '-----------------------------------------------\n\n发件人: 报送 <baosong@school.test>\n发送时间: 2026年11月26日 16:03'],
    ['Outlook bold header names', '*From:* 报送 <baosong@school.test>\n*Sent:* Thursday, November 26, 2026 6:12 PM'],
    ['Outlook -----Original Message-----', '-----Original Message-----\nFrom: 报送\nSent: Friday'],
    ['Outlook -----原始邮件-----', '-----原始邮件-----\n发件人: 报送\n发送时间: 2026年11月26日'],
    ['NetEase 163/126', '在 2026-11-26 15:03:11，"张老师" <zhang@school.test> 写道：\n>请审核'],
    ['Apple Mail / iPhone', '在 2026年11月26日，15:03，张老师 <zhang@school.test> 写道：\n\n> 请审核'],
    ['Gmail', 'On Thu, Nov 26, 2026 at 3:03 PM 张老师 <zhang@school.test> wrote:\n\n> 请审核'],
    ['Gmail wrapped over two lines', 'On Thu, Nov 26, 2026 at 3:03 PM 报送 <\nbaosong@school.test> wrote:\n> 请审核'],
    ['163 wrapped over two lines', '在 2026-11-26 15:03:11，"报送" <\nbaosong@school.test> 写道：\n> 请审核'],
  ])('%s', (_client, history) => {
    const r = extractNewText(`${NEW}\n\n${history}\n退回：这是旧的意见\n`);
    expect(r.text).toBe(NEW);
    expect(r.quoted).toBe(true);
  });

  it('drops ">"-quoted lines and the line that introduces them', () => {
    const r = extractNewText('好的\n\nZhang wrote:\n> 不同意\n> 请修改');
    expect(r).toEqual({ text: '好的', quoted: true, signature: false });
  });

  it('drops a "-- " signature and phone footers', () => {
    expect(extractNewText('照片很好\n-- \n李明\n学校办公室')).toEqual({ text: '照片很好', quoted: false, signature: true });
    expect(extractNewText('同意\n\n发自我的iPhone\n\n在 2026年11月26日 写道：').text).toBe('同意');
    expect(extractNewText('同意\nSent from my iPhone').text).toBe('同意');
    expect(extractNewText('同意\n发自网易邮箱大师').text).toBe('同意');
  });

  it('keeps a line that merely starts with "From:" when no header block follows', () => {
    const text = 'From: 初二(3)班的报道\n内容见附件';
    expect(extractNewText(text).text).toBe(text);
  });

  it('keeps text that has no history', () => {
    expect(extractNewText('  第一行\n\n第二行  \n')).toEqual({ text: '第一行\n\n第二行', quoted: false, signature: false });
  });

  it('never keeps anything after a QQ marker, whatever the new text', () => {
    const line = fc.string({ unit: fc.constantFrom(...'同意退回照片标题请修改，。好的abc 123'), maxLength: 20 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 4 }), fc.string({ maxLength: 30 }), (lines, history) => {
        const fresh = lines.join('\n');
        const r = extractNewText(`${fresh}\n------------------ 原始邮件 ------------------\n${history}`);
        const expected = fresh
          .split('\n')
          .map((l) => l.trimEnd())
          .join('\n')
          .replace(/\n{3,}/g, '\n\n')
          .trim();
        expect(r.text).toBe(expected);
      }),
    );
  });
});

describe('htmlToText', () => {
  it('drops blockquoted history, nested ones too', () => {
    const html =
      '<html><head><style>p{color:red}</style></head><body><div>可以发了，辛苦！</div><blockquote><div>旧</div><blockquote>退回：更旧</blockquote>还是旧</blockquote><p>谢谢</p></body></html>';
    expect(htmlToText(html)).toBe('可以发了，辛苦！\n\n谢谢');
  });

  it('turns <br> and blocks into lines and decodes entities', () => {
    expect(htmlToText('同意&nbsp;发布<br>李明&lt;办公室&gt;&#x4E00;&#20108;')).toBe('同意 发布\n李明<办公室>一二');
  });

  it('drops everything after an unclosed blockquote', () => {
    expect(removeBlockquotes('a<blockquote>b')).toBe('a');
    expect(removeBlockquotes('a</blockquote>b')).toBe('a</blockquote>b');
  });

  it('drops comments, styles and scripts, an unclosed one to the end', () => {
    expect(removeInvisible('a<!-- x -->b<script>evil()</script>c<STYLE type="t">p{}</style >d<title>t')).toBe('abcd');
    expect(removeInvisible('a<!-- never closed')).toBe('a');
  });

  it('leaves unknown entities alone', () => {
    expect(decodeEntities('&bogus; &#0;')).toBe('&bogus; &#0;');
  });
});

describe('linear time on hostile input', () => {
  it.each([
    ['a long run of spaces', `${' '.repeat(200_000)}x`],
    ['many unclosed tags', '<'.repeat(100_000)],
    ['many unclosed comments and styles', '<!--<style>'.repeat(20_000)],
    ['many blockquotes', '<blockquote>'.repeat(50_000)],
  ])('%s', (_name, input) => {
    const started = performance.now();
    htmlToText(input);
    extractNewText(input);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
