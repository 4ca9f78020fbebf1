import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { inspectMail } from '../../intake/inspect.js';
import { MailParseError, parseMail } from '../../intake/parse-mail.js';

const enc = (s: string, cs: string): Buffer => iconv.encode(s, cs);
const word = (s: string, cs: string): string => `=?${cs}?B?${enc(s, cs).toString('base64')}?=`;
const pct = (s: string, cs: string): string =>
  [...enc(s, cs)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/** A message from header text (LF is turned into CRLF) and an optional body in bytes. */
function message(head: string, body: Buffer | string = ''): Buffer {
  return Buffer.concat([Buffer.from(`${head.trim()}\n\n`.replace(/\n/g, '\r\n'), 'utf8'), typeof body === 'string' ? Buffer.from(body.replace(/\n/g, '\r\n'), 'utf8') : body]);
}

// 镕 and 堃 are in GBK but not GB2312; 㛃 exists only in GB18030 (four bytes).
const NAMES = '朱镕 王堃 陈㛃';

describe('parseMail: what mailparser already gets right', () => {
  it('decodes UTF-8 encoded words and a quoted-printable body', async () => {
    const m = await parseMail(
      message(
        `From: ${word('王芳', 'UTF-8')} <wangfang@school.test>
Subject: ${word('【紧急】消防演练', 'UTF-8')}
Date: Thu, 26 Nov 2026 15:03:11 +0800
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable`,
        '=E6=97=B6=E9=97=B4=EF=BC=9A15:00\n',
      ),
    );
    expect(m.subject).toBe('【紧急】消防演练');
    expect(m.from).toEqual({ address: 'wangfang@school.test', name: '王芳' });
    expect(m.text?.trim()).toBe('时间：15:00');
  });

  it('joins encoded words split in the middle of a GBK character', async () => {
    const bytes = enc('关于消防演练的报告', 'gbk');
    const subject = `=?GBK?B?${bytes.subarray(0, 5).toString('base64')}?= =?GBK?B?${bytes.subarray(5).toString('base64')}?=`;
    const m = await parseMail(message(`From: a@school.test\nSubject: ${subject}`, 'x'));
    expect(m.subject).toBe('关于消防演练的报告');
  });

  it('decodes Big5 subjects and bodies', async () => {
    const m = await parseMail(
      message(
        `From: a@school.test\nSubject: ${word('臺灣姊妹校來訪', 'big5')}\nContent-Type: text/plain; charset=big5\nContent-Transfer-Encoding: base64`,
        enc('參觀校史館', 'big5').toString('base64'),
      ),
    );
    expect(m.subject).toBe('臺灣姊妹校來訪');
    expect(m.text?.trim()).toBe('參觀校史館');
  });

  it('decodes Hong Kong (HKSCS) characters under a plain Big5 label', async () => {
    const m = await parseMail(message(`From: a@school.test\nSubject: ${word('交流嘅安排', 'big5hkscs').replace('big5hkscs', 'big5')}`, 'x'));
    expect(m.subject).toBe('交流嘅安排');
  });

  it('decodes RFC 2047 file names in a GBK label', async () => {
    const m = await parseMail(
      message(
        `From: a@school.test\nSubject: x\nContent-Type: multipart/mixed; boundary="b"`,
        `--b\nContent-Type: text/plain\n\nsee attachment\n--b\nContent-Type: application/pdf; name="${word('总结.pdf', 'GBK')}"\nContent-Disposition: attachment; filename="${word('总结.pdf', 'GBK')}"\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n`,
      ),
    );
    expect(m.attachments).toEqual([{ filename: '总结.pdf', contentType: 'application/pdf', size: 5, disposition: 'attachment' }]);
  });
});

describe('parseMail: GB2312/GBK labels are decoded as GB18030', () => {
  const head = (label: string): string => `From: ${word('陈㛃', 'gb18030').replace('gb18030', label)} <chenjie@school.test>
Subject: ${word(NAMES, 'gb18030').replace('gb18030', label)}
Date: Thu, 26 Nov 2026 12:00:00 +0800
Content-Type: text/plain; charset="${label}"
Content-Transfer-Encoding: base64`;

  it('mailparser alone turns a four-byte GB18030 character under a GB2312 label into garbage (why the fix exists)', async () => {
    const raw = await simpleParser(message(head('gb2312'), enc(NAMES, 'gb18030').toString('base64')));
    expect(raw.subject).not.toBe(NAMES);
    expect(raw.subject).toContain('\uFFFD');
  });

  it.each(['gb2312', 'GB2312', 'gbk', 'GBK', 'x-gbk', 'cp936'])('label %s: subject, sender and body', async (label) => {
    const m = await parseMail(message(head(label), enc(`${NAMES}\n`, 'gb18030').toString('base64')));
    expect(m.subject).toBe(NAMES);
    expect(m.from).toEqual({ address: 'chenjie@school.test', name: '陈㛃' });
    expect(m.text?.trim()).toBe(NAMES);
  });

  it('decodes a quoted-printable GB2312 body with GBK-only characters', async () => {
    const qp = [...enc('朱镕基 王堃', 'gbk')].map((b) => `=${b.toString(16).toUpperCase()}`).join('').replace(/=20/g, ' ');
    const m = await parseMail(message('From: a@school.test\nSubject: x\nContent-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: quoted-printable', qp));
    expect(m.text?.trim()).toBe('朱镕基 王堃');
  });

  it('decodes RFC 2231 file names, with continuations, in GBK and GB2312', async () => {
    const name = '关于家访工作的总结报告（定稿）陈㛃.docx';
    const p = pct(name, 'gb18030');
    const cut = p.indexOf('%', 30);
    const m = await parseMail(
      message(
        'From: a@school.test\nSubject: x\nContent-Type: multipart/mixed; boundary="b"',
        `--b\nContent-Type: text/plain\n\nsee attachments\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=GBK''${p}\n\nAAAA\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment;\n filename*0*=gb2312''${p.slice(0, cut)};\n filename*1*=${p.slice(cut)}\n\nAAAA\n--b--\n`,
      ),
    );
    expect(m.attachments.map((a) => a.filename)).toEqual([name, name]);
  });

  it('leaves body text that merely mentions a charset alone', async () => {
    const m = await parseMail(message('From: a@school.test\nSubject: x\nContent-Type: text/plain; charset=utf-8', '请把 charset=gbk 改成 UTF-8\n'));
    expect(m.text?.trim()).toBe('请把 charset=gbk 改成 UTF-8');
  });
});

describe('parseMail: raw 8-bit GBK headers', () => {
  it('decodes an unencoded GBK Subject, From name and attachment name', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: '),
      enc('赵磊', 'gbk'),
      Buffer.from(' <zhaolei@school.test>\r\nSubject: '),
      enc('【家校共育】家访活动', 'gbk'),
      Buffer.from('\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=gbk\r\n\r\n'),
      enc('正文王堃', 'gbk'),
      Buffer.from('\r\n--b\r\nContent-Type: image/jpeg; name="'),
      enc('合影.jpg', 'gbk'),
      Buffer.from('"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n'),
    ]);
    const m = await parseMail(raw);
    expect(m.subject).toBe('【家校共育】家访活动');
    expect(m.from).toEqual({ address: 'zhaolei@school.test', name: '赵磊' });
    expect(m.text?.trim()).toBe('正文王堃');
    expect(m.attachments[0]?.filename).toBe('合影.jpg');
  });

  it('leaves raw UTF-8 headers as they are', async () => {
    const m = await parseMail(message('From: 王芳 <wangfang@school.test>\nSubject: 家长会', 'x'));
    expect(m.subject).toBe('家长会');
    expect(m.from?.name).toBe('王芳');
  });
});

describe('parseMail: dates, headers, attachments', () => {
  it('uses the Date header as the time of receipt, unless told otherwise', async () => {
    const raw = message('From: a@school.test\nSubject: x\nDate: Thu, 26 Nov 2026 15:03:11 +0800 (CST)', 'x');
    const m = await parseMail(raw);
    expect(m.date?.toISOString()).toBe('2026-11-26T07:03:11.000Z');
    expect(m.receivedAt).toEqual(m.date);
    const at = new Date('2026-11-26T08:00:00Z');
    expect((await parseMail(raw, { receivedAt: at })).receivedAt).toEqual(at);
  });

  it('gives date null and the epoch as receivedAt when the Date header is missing or unreadable', async () => {
    for (const head of ['From: a@school.test\nSubject: x', 'From: a@school.test\nSubject: x\nDate: 2026年11月26日 下午3点']) {
      const m = await parseMail(message(head, 'x'));
      expect(m.date).toBeNull();
      expect(m.receivedAt.getTime()).toBe(0);
    }
  });

  it('reads threading headers and keeps other headers by lower-case name, decoded', async () => {
    const m = await parseMail(
      message(
        `Message-ID: <m2@school.test>
From: a@school.test
Subject: ${word('回复：R-2026-0042', 'UTF-8')}
In-Reply-To: <n1@baosong.school.test>
References: <n0@baosong.school.test>
 <n1@baosong.school.test>
Auto-Submitted: auto-replied
X-Note: ${word('说明', 'GBK')}`,
        'x',
      ),
    );
    expect(m.messageId).toBe('<m2@school.test>');
    expect(m.inReplyTo).toBe('<n1@baosong.school.test>');
    expect(m.references).toEqual(['<n0@baosong.school.test>', '<n1@baosong.school.test>']);
    expect(m.headers['auto-submitted']).toBe('auto-replied');
    expect(m.headers['x-note']).toBe('说明');
    expect(m.headers['subject']).toBe('回复：R-2026-0042');
  });

  it('describes inline pictures with their Content-ID', async () => {
    const m = await parseMail(
      message(
        'From: a@school.test\nSubject: x\nContent-Type: multipart/related; boundary="r"',
        '--r\nContent-Type: text/html; charset=utf-8\n\n<p>照片：<img src="cid:p1@x"></p>\n--r\nContent-Type: image/png\nContent-ID: <p1@x>\nContent-Disposition: inline; filename="p.png"\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--r--\n',
      ),
    );
    expect(m.attachments).toEqual([{ filename: 'p.png', contentType: 'image/png', size: 8, disposition: 'inline', contentId: 'p1@x' }]);
    expect(m.html).toContain('cid:p1@x');
  });

  it('reads a mail cut off right after a part\'s "Content-Type:" as an attachment of unknown type (fuzz finding)', async () => {
    // mailparser leaves such a part with contentType `false`; the classifier and the attachment checks used to
    // call string methods on it and the intake crashed. Found by `npm run fuzz` (shape truncated_multipart).
    const cut = message(
      'From: a@school.test\nSubject: =?UTF-8?B?44CQ5pWZ6IKy5pWZ5a2m44CR6L+Q5Yqo5Lya54Wn54mH?=\nContent-Type: multipart/mixed; boundary="b1"',
      '--b1\nContent-Type: text/plain; charset=utf-8\n\n运动会顺利举行。\n--b1\nContent-Type:',
    );
    const raw = await simpleParser(cut);
    expect(raw.attachments.map((a) => a.contentType)).toEqual([false]); // what mailparser gives us
    const m = await parseMail(cut);
    expect(m.attachments).toEqual([{ filename: null, contentType: 'application/octet-stream', size: 0, disposition: null }]);
    const seen = await inspectMail(cut, { receivedAt: new Date('2026-11-26T10:00:00+08:00') });
    expect(seen.kind).toBe('report');
    expect(seen.attachments).toEqual([{ name: null, type: 'application/octet-stream', size: 0 }]);
  });

  it('accepts a string', async () => {
    const m = await parseMail('From: a@school.test\r\nSubject: 家长会\r\n\r\n正文\r\n');
    expect(m.subject).toBe('家长会');
    expect(m.text?.trim()).toBe('正文');
  });
});

describe('parseMail: unreadable input', () => {
  it.each([
    ['empty', Buffer.alloc(0), /为空/],
    ['blank', '  \r\n\r\n', /为空/],
    ['a PDF', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'), /不是邮件格式/],
    ['plain prose', '你好，这是一段文字，不是邮件。', /不是邮件格式/],
    ['binary in the header', Buffer.from('From: a@school.test\r\nX-Bad: \0\0\r\n\r\nbody'), /二进制/],
  ])('%s → EMAIL_PARSE', async (_name, input, message) => {
    const err: unknown = await parseMail(input).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MailParseError);
    expect(err).toMatchObject({ code: 'EMAIL_PARSE' });
    expect((err as Error).message).toMatch(message);
  });
});
