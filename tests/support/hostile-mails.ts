/**
 * Hostile mail for the fuzz harness: seeded, reproducible, one raw message at a time. Each is one of the
 * shapes a shared inbox really gets when someone (or something) means harm or simply breaks: truncated
 * and nested multipart, bogus charsets, huge headers, binary garbage, deep message/rfc822, text made to
 * hurt regular expressions, auto-replies carrying the holder's valid token, forwards of our own mail,
 * tokens of other reports, forged senders. None of them is a genuine decision by the holder of a step.
 */
import { randomUUID } from 'node:crypto';

/** A small seeded PRNG (mulberry32): the same seed gives the same mails. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzTarget {
  reportId: string;
  /** The holder of the open step and the Reply-To of their review request (with their step token). */
  holder: string;
  replyTo: string;
  requestMessageId: string;
  requestSubject: string;
}

export interface FuzzContext {
  inbox: string;
  /** Known staff addresses (senders the intake accepts). */
  staff: string[];
  /** Open reports with their review requests. */
  targets: FuzzTarget[];
  /** Raw mails baosong sent (to forward back). */
  ours: Buffer[];
}

export interface HostileMail {
  shape: string;
  raw: Buffer;
}

const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

function headers(h: { from: string; to: string; subject: string; id?: string | null; extra?: string[] }): string[] {
  return [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${h.subject}`,
    `Date: ${new Date().toUTCString()}`,
    ...(h.id === null ? [] : [`Message-ID: ${h.id ?? `<fz-${randomUUID()}@fuzz.test>`}`]),
    ...(h.extra ?? []),
    'MIME-Version: 1.0',
  ];
}

function plain(h: Parameters<typeof headers>[0], body: string | Buffer, contentType = 'text/plain; charset=utf-8', cte = '8bit'): Buffer {
  return Buffer.concat([Buffer.from([...headers(h), `Content-Type: ${contentType}`, `Content-Transfer-Encoding: ${cte}`, '', ''].join('\r\n')), typeof body === 'string' ? Buffer.from(body) : body, Buffer.from('\r\n')]);
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rng() * 256);
  return b;
}

const AUTO_MARKS: readonly (readonly [string[], string])[] = [
  [['Auto-Submitted: auto-replied'], 'Re: '],
  [['Precedence: auto_reply'], 'Re: '],
  [['X-Autoreply: yes'], 'Re: '],
  [['X-Autorespond: vacation'], 'Re: '],
  [['X-MS-Exchange-Inbox-Rules-Loop: x@school.test'], 'RE: '],
  [['X-Auto-Response-Suppress: All'], '答复: '],
  [['Precedence: bulk'], 'Re: '],
  [['List-Id: <staff.school.test>'], 'Re: '],
  [['Return-Path: <>'], 'Re: '],
  [[], '自动回复 Re: '],
  [[], '自动回复：'],
  [[], 'Out of Office AutoReply: '],
  [[], 'Automatic reply: '],
  [[], '【自动回复】'],
  [[], '休假 Re: '],
  [[], 'Abwesenheitsnotiz: AW: '],
  [[], 'AutoReply: '],
];

const REGEX_HOSTILE = [
  (n: number) => '同意'.repeat(n),
  (n: number) => `${'a'.repeat(n)}!`,
  (n: number) => `${'>'.repeat(n)} 同意`,
  (n: number) => 'R-2026-'.repeat(n),
  (n: number) => '【'.repeat(n),
  (n: number) => ` \t\u3000`.repeat(n),
  (n: number) => '今天下午3点11月26日'.repeat(n),
  (n: number) => `不${'不'.repeat(n)}同意`,
  (n: number) => '=?UTF-8?B?'.repeat(n),
  (n: number) => '------------------ 原始邮件 ------------------\n'.repeat(n),
  (n: number) => `${'On Mon wrote:\n'.repeat(n)}`,
  (n: number) => '退回：'.repeat(n),
];

const APPROVALS = ['同意', '同意发布', 'OK', '好的，收到！本人休假至12月1日', '可以发', 'Approved', '👍', '没问题，同意'];

/** One hostile mail, by number `i` (the shape rotates with the PRNG). */
export function hostileMail(rng: Rng, ctx: FuzzContext): HostileMail {
  const staff = () => pick(rng, ctx.staff);
  const target = () => pick(rng, ctx.targets);
  const address = (s: string) => s.replace(/^.*</, '').replace(/>$/, '').toLowerCase();
  /** Anyone on the staff but the holder of the target's step (who alone could answer it for real). */
  const notHolder = (t: FuzzTarget) => pick(rng, ctx.staff.filter((s) => address(s) !== address(t.holder)));
  const shape = pick(rng, [
    'truncated_multipart',
    'nested_multipart',
    'bogus_charset',
    'huge_header',
    'many_headers',
    'binary_garbage',
    'deep_rfc822',
    'regex_hostile',
    'auto_reply_with_token',
    'forward_of_ours',
    'other_reports_token',
    'forged_from_with_token',
    'long_ids',
    'bad_attachment',
    'encoded_word_garbage',
  ] as const);
  switch (shape) {
    case 'truncated_multipart': {
      const boundary = `b${int(rng, 0, 1e9)}`;
      const full = Buffer.from(
        [...headers({ from: staff(), to: ctx.inbox, subject: b64('【教育教学】运动会照片') }), `Content-Type: multipart/mixed; boundary="${boundary}"`, '', `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', '运动会顺利举行。', `--${boundary}`, 'Content-Type: image/jpeg; name="a.jpg"', 'Content-Transfer-Encoding: base64', '', randomBytes(rng, 3000).toString('base64'), `--${boundary}--`, ''].join('\r\n'),
      );
      return { shape, raw: full.subarray(0, int(rng, 1, full.length)) };
    }
    case 'nested_multipart': {
      const depth = int(rng, 5, 400);
      const parts: string[] = [...headers({ from: staff(), to: ctx.inbox, subject: b64(`【其他】嵌套 ${depth}`) }), 'Content-Type: multipart/mixed; boundary="d0"', ''];
      for (let d = 1; d <= depth; d++) parts.push(`--d${d - 1}`, `Content-Type: multipart/${pick(rng, ['mixed', 'alternative', 'related'])}; boundary="d${d}"`, '');
      parts.push(`--d${depth}`, 'Content-Type: text/plain', '', '同意');
      if (rng() < 0.5) for (let d = depth; d >= 0; d--) parts.push(`--d${d}--`);
      return { shape, raw: Buffer.from(parts.join('\r\n')) };
    }
    case 'bogus_charset': {
      const charset = pick(rng, ['x-unknown-123', 'utf-7', 'gb2312', 'iso-2022-jp', 'utf-16', '"><script>', 'binary', '']);
      return { shape, raw: plain({ from: staff(), to: ctx.inbox, subject: `=?${charset}?B?${randomBytes(rng, 30).toString('base64')}?=` }, randomBytes(rng, int(rng, 0, 4000)), `text/plain; charset=${charset}`, pick(rng, ['8bit', 'base64', 'quoted-printable', 'x-bogus'])) };
    }
    case 'huge_header': {
      const n = int(rng, 1000, 200_000);
      const which = pick(rng, ['Subject', 'X-Junk', 'References', 'To', 'From']);
      const value = which === 'References' ? Array.from({ length: Math.ceil(n / 40) }, (_, i) => `<r${i}@x.test>`).join(' ') : which === 'To' || which === 'From' ? Array.from({ length: Math.ceil(n / 30) }, (_, i) => `u${i}@x.test`).join(', ') : 'x'.repeat(n);
      const h = { from: which === 'From' ? value : staff(), to: which === 'To' ? value : ctx.inbox, subject: which === 'Subject' ? value : b64('【其他】大头'), extra: which === 'X-Junk' || which === 'References' ? [`${which}: ${value}`] : [] };
      return { shape, raw: plain(h, '同意') };
    }
    case 'many_headers': {
      const extra = Array.from({ length: int(rng, 100, 20_000) }, (_, i) => `X-H${i}: ${'v'.repeat(int(rng, 0, 50))}`);
      return { shape, raw: plain({ from: staff(), to: ctx.inbox, subject: b64('【其他】多头'), extra }, '同意') };
    }
    case 'binary_garbage': {
      const body = randomBytes(rng, int(rng, 0, 20_000));
      return { shape, raw: rng() < 0.5 ? body : Buffer.concat([Buffer.from(`From: ${staff()}\r\nSubject: `), body]) };
    }
    case 'deep_rfc822': {
      const depth = int(rng, 2, 120);
      let inner = plain({ from: staff(), to: ctx.inbox, subject: b64('同意') }, '同意');
      for (let d = 0; d < depth; d++) inner = Buffer.concat([Buffer.from([...headers({ from: staff(), to: ctx.inbox, subject: b64(`Fwd: 层 ${d}`) }), 'Content-Type: message/rfc822', '', ''].join('\r\n')), inner]);
      return { shape, raw: inner };
    }
    case 'regex_hostile': {
      const t = target();
      const text = pick(rng, REGEX_HOSTILE)(int(rng, 100, 30_000));
      const asReply = rng() < 0.5;
      return { shape, raw: plain({ from: asReply ? notHolder(t) : staff(), to: asReply ? t.replyTo : ctx.inbox, subject: asReply ? b64(`回复：${text.slice(0, 2000)}`) : b64(text.slice(0, 5000)) }, text) };
    }
    case 'auto_reply_with_token': {
      // The holder's own valid token and From, saying "yes": only the automatic mark stands between this and an approval.
      const t = target();
      const [extra, prefix] = pick(rng, AUTO_MARKS);
      return { shape, raw: plain({ from: t.holder, to: t.replyTo, subject: b64(`${prefix}${t.requestSubject}`), extra: [...extra, `In-Reply-To: ${t.requestMessageId}`] }, pick(rng, APPROVALS)) };
    }
    case 'forward_of_ours': {
      const ours = ctx.ours.length > 0 ? pick(rng, ctx.ours) : plain({ from: ctx.inbox, to: staff(), subject: 'x', extra: ['X-Baosong-Kind: receipt'] }, '');
      const style = int(rng, 0, 2);
      if (style === 0) return { shape, raw: Buffer.concat([Buffer.from(`Resent-From: ${staff()}\r\nResent-To: ${ctx.inbox}\r\n`), ours]) };
      const text = ours.toString('utf8');
      const subject = /^Subject: (.*)$/m.exec(text)?.[1] ?? '';
      const id = /^Message-ID: (.*)$/im.exec(text)?.[1]?.trim();
      return { shape, raw: plain({ from: staff(), to: ctx.inbox, subject: style === 1 ? `Fwd: ${subject}` : subject, extra: id && style === 2 ? [`References: ${id}`] : [] }, `---------- Forwarded message ---------\n${text.slice(text.indexOf('\r\n\r\n'))}`) };
    }
    case 'other_reports_token': {
      // The holder of one report answering another report with the first report's token.
      const a = target();
      const others = ctx.targets.filter((t) => t.reportId !== a.reportId);
      const b = others.length > 0 ? pick(rng, others) : a;
      if (b === a) return { shape, raw: plain({ from: notHolder(a), to: a.replyTo, subject: b64(`回复：${a.requestSubject}`) }, '同意') };
      return { shape, raw: plain({ from: a.holder, to: a.replyTo, subject: b64(`回复：【${b.reportId}】${b.requestSubject}`) }, pick(rng, APPROVALS)) };
    }
    case 'forged_from_with_token': {
      const t = target();
      return { shape, raw: plain({ from: notHolder(t), to: t.replyTo, subject: b64(`回复：${t.requestSubject}`), extra: [`In-Reply-To: ${t.requestMessageId}`] }, pick(rng, [...APPROVALS, '退回：不行', '已修改'])) };
    }
    case 'long_ids': {
      const n = int(rng, 500, 20_000);
      return { shape, raw: plain({ from: staff(), to: ctx.inbox, subject: b64('回复：没有编号'), id: `<${'i'.repeat(n)}@fuzz.test>`, extra: [`In-Reply-To: <${'j'.repeat(n)}@fuzz.test>`, `References: ${Array.from({ length: int(rng, 1, 2000) }, (_, i) => `<ref${i}@fuzz.test>`).join(' ')}`] }, '同意') };
    }
    case 'bad_attachment': {
      const boundary = `a${int(rng, 0, 1e9)}`;
      const [name, type, content] = pick(rng, [
        ['photo\u202Egpj.exe', 'image/jpeg', Buffer.from('MZ\x90\x00', 'latin1')],
        ['通知.pdf', 'application/pdf', Buffer.from('<html><script>x</script>')],
        ['a.svg', 'image/svg+xml', Buffer.from('<svg onload=alert(1)>')],
        ['x.jpg', 'image/jpeg', randomBytes(rng, 500)],
        ['../../../etc/passwd', 'application/octet-stream', randomBytes(rng, 100)],
      ] as const);
      return {
        shape,
        raw: Buffer.from(
          [...headers({ from: staff(), to: ctx.inbox, subject: b64('【校园文化】照片') }), `Content-Type: multipart/mixed; boundary="${boundary}"`, '', `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', '见附件', `--${boundary}`, `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '', content.toString('base64'), `--${boundary}--`, ''].join('\r\n'),
        ),
      };
    }
    case 'encoded_word_garbage': {
      const words = Array.from({ length: int(rng, 1, 300) }, () => `=?${pick(rng, ['utf-8', 'gbk', 'big5', 'x-nope'])}?${pick(rng, ['B', 'Q', 'X'])}?${randomBytes(rng, int(rng, 0, 40)).toString(pick(rng, ['base64', 'latin1', 'hex']))}?=`).join(pick(rng, [' ', '', '\r\n ']));
      return { shape, raw: plain({ from: `${words} <${staff().replace(/^.*</, '').replace(/>$/, '')}>`, to: ctx.inbox, subject: words }, words) };
    }
  }
}
