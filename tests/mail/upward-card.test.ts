import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import {
  NOTICE_HEADER,
  REPORT_HEADER,
  readNoticeCard,
  readReportCard,
  signNoticeCard,
  signReportCard,
  type NoticeCard,
  type ReportCard,
} from '../../mail/upward-card.js';

const key = 'a-shared-key-of-enough-length';
const school = { key, messageId: '<r-2026-0042.1@school.test>', from: 'baosong@school.test' };
const bureau = { key, messageId: '<n-17@jyj.example.cn>', from: 'baosong@jyj.example.cn' };

const report: ReportCard = { ref: 'R-2026-0042', round: 1, category: 'safety', urgency: 'urgent', eventTime: '2026-03-05T08:00:00.000Z' };
const url = 'https://jyj.example.cn/news/view?a=1;b=2&c=中文';
const used: NoticeCard = {
  ref: 'R-2026-0042',
  kind: 'used',
  bureauRef: 'JYJ-2026-17',
  level: '市级',
  outlet: '某某市教育局官方网站',
  url,
  reason: '内容翔实；已录用。Thanks; see "链接"=下文',
};

/** What a mail server does to a long header: CRLF + space at (some of) the "; " and spaces. */
const fold = (v: string, every = 1) => v.split(' ').map((w, i) => (i > 0 && i % every === 0 ? `\r\n ${w}` : ` ${w}`)).join('').slice(1);
const fail = (problem: string) => ({ ok: false, problem });

describe('upward cards', () => {
  it('round-trip a report card, written in plain fields in a fixed order', () => {
    const value = signReportCard(report, school);
    expect(value).toMatch(/^v=1; ref=R-2026-0042; round=1; cat=safety; urgency=urgent; time=2026-03-05T08:00:00\.000Z; sig=[A-Za-z0-9_-]{22}$/);
    expect(readReportCard(value, school)).toEqual({ ok: true, card: report });
    const noMillis = { ...report, round: 1000, eventTime: '2026-12-31T23:59:59Z' };
    expect(readReportCard(signReportCard(noMillis, school), school)).toEqual({ ok: true, card: noMillis });
  });

  it('round-trip a notice card with Chinese outlet, level and reason and a URL full of ; and =, in ASCII', () => {
    const value = signNoticeCard(used, bureau);
    expect(value).toMatch(/^[\x20-\x7e]+$/);
    expect(value).toMatch(/^v=1; ref=R-2026-0042; kind=used; bref=JYJ-2026-17; level=b64\.[^;]+; outlet=b64\.[^;]+; url=b64\.[^;]+; reason=b64\.[^;]+; sig=[A-Za-z0-9_-]{22}$/);
    expect(readNoticeCard(value, bureau)).toStrictEqual({ ok: true, card: used });
    // Absent fields stay absent; a plain value that looks encoded is encoded, not misread.
    for (const card of [{ ref: 'R-2026-12345', kind: 'chase' }, { ref: 'R-2026-0042', kind: 'returned', reason: 'b64.aGk', outlet: '' }] as NoticeCard[]) {
      expect(readNoticeCard(signNoticeCard(card, bureau), bureau)).toStrictEqual({ ok: true, card });
    }
  });

  it('do not verify once any field is changed, added or removed', () => {
    const r = signReportCard(report, school);
    for (const forged of [r.replace('cat=safety', 'cat=teaching'), r.replace('round=1', 'round=2'), r.replace('0042', '0043'), r.replace('urgent', 'routine'), r.replace('08:00', '09:00')]) {
      expect(forged).not.toBe(r);
      expect(readReportCard(forged, school)).toEqual(fail('bad signature'));
    }
    const n = signNoticeCard(used, bureau);
    const other = signNoticeCard({ ...used, outlet: '省教育厅网站', level: '省级' }, bureau);
    const part = (v: string, name: string) => v.split('; ').find((p) => p.startsWith(`${name}=`))!;
    const forgeries = [
      n.replace('kind=used', 'kind=returned'),
      n.replace(part(n, 'outlet'), part(other, 'outlet')),
      n.replace(part(n, 'level'), part(other, 'level')),
      n.replace(`${part(n, 'url')}; `, ''),
      n.replace(/sig=(.)/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`),
    ];
    const chase = signNoticeCard({ ref: 'R-2026-0042', kind: 'chase' }, bureau);
    forgeries.push(chase.replace('; sig=', '; reason=b64.5aW9; sig='), chase.replace('kind=chase', 'kind=returned'));
    // A value moved to another field (the outlet's name read as a reason) is another card.
    forgeries.push(signNoticeCard({ ref: 'R-2026-0042', kind: 'returned', outlet: '某网站' }, bureau).replace('outlet=', 'reason='));
    for (const forged of forgeries) expect(readNoticeCard(forged, bureau)).toEqual(fail('bad signature'));
  });

  it('are bound to their mail: another Message-ID, From or key does not verify; case and spacing do not matter', () => {
    const value = signNoticeCard(used, bureau);
    expect(readNoticeCard(value, { ...bureau, messageId: '<n-18@jyj.example.cn>' })).toEqual(fail('bad signature'));
    expect(readNoticeCard(value, { ...bureau, from: 'someone@jyj.example.cn' })).toEqual(fail('bad signature'));
    expect(readNoticeCard(value, { ...bureau, key: 'another-key-of-enough-length' })).toEqual(fail('bad signature'));
    expect(readNoticeCard(value, { key, messageId: ' <N-17@JYJ.Example.CN>\r\n', from: ' BaoSong@JYJ.example.cn ' })).toMatchObject({ ok: true });
    expect(readNoticeCard(value, { ...bureau, messageId: 'n-17@jyj.example.cn' })).toMatchObject({ ok: true });
    // The header names are part of what is signed: neither card passes for the other.
    expect(readReportCard(signReportCard(report, school), { ...school, from: 'x@y.test' })).toEqual(fail('bad signature'));
    expect(readReportCard(value, bureau)).toMatchObject({ ok: false });
  });

  it('refuse a short key, an empty Message-ID or From, on both sides', () => {
    expect(() => signReportCard(report, { ...school, key: 'short' })).toThrow(expect.objectContaining({ code: 'ESECRET' }));
    expect(readReportCard(signReportCard(report, school), { ...school, key: 'short' })).toEqual(fail('key too short'));
    expect(() => signReportCard(report, { ...school, messageId: ' ' })).toThrow(RangeError);
    expect(readReportCard(signReportCard(report, school), { ...school, from: '' })).toEqual(fail('no from address'));
  });

  it('still read when a mail server folds the header, at some or all of its spaces', () => {
    const value = signNoticeCard({ ...used, reason: '退'.repeat(300) }, bureau);
    for (const folded of [fold(value), fold(value, 3), value.replaceAll('; ', ';\r\n\t'), value.replaceAll(' ', '')]) {
      expect(folded).not.toBe(value);
      expect(readNoticeCard(folded, bureau)).toMatchObject({ ok: true, card: { reason: '退'.repeat(300) } });
    }
    expect(readReportCard(fold(signReportCard(report, school), 2), school)).toEqual({ ok: true, card: report });
  });

  it('refuse oversize fields when signing (RangeError) and reading, and fit every card within the bounds', () => {
    for (const [field, size] of [['outlet', 101], ['reason', 1001], ['url', 501], ['bureauRef', 101]] as const) {
      expect(() => signNoticeCard({ ...used, [field]: 'x'.repeat(size) }, bureau)).toThrow(RangeError);
      expect(() => signNoticeCard({ ...used, [field]: '中'.repeat(size - 1) }, bureau)).not.toThrow();
    }
    expect(readNoticeCard(`v=1; ref=R-2026-0042; kind=used; outlet=${'x'.repeat(101)}; sig=AAAAAAAAAAAAAAAAAAAAAA`, bureau)).toEqual(fail('field outlet too long'));
    expect(readNoticeCard(`v=1; ref=R-2026-0042; kind=returned; reason=${'x'.repeat(1001)}; sig=AAAAAAAAAAAAAAAAAAAAAA`, bureau)).toEqual(fail('field reason too long'));
    expect(readNoticeCard(`v=1; ref=R-2026-0042; kind=returned; reason=${'x'.repeat(9000)}; sig=A`, bureau)).toEqual(fail('header too long'));
    // The largest card: every bounded field full of Chinese. Its header is over 4,000 characters and reads back.
    const largest: NoticeCard = { ref: 'R-2026-0042', kind: 'returned', bureauRef: '编'.repeat(100), level: '国家级', outlet: '网'.repeat(100), url: `https://x.cn/${'路'.repeat(487)}`, reason: '退'.repeat(1000) };
    const value = signNoticeCard(largest, bureau);
    expect(value.length).toBeGreaterThan(4000);
    expect(readNoticeCard(fold(value), bureau)).toStrictEqual({ ok: true, card: largest });
  });

  it('turn garbage into ok:false with a short problem, never a throw', () => {
    const good = signReportCard(report, school);
    const sig = good.slice(good.indexOf('; sig='));
    const cases: [unknown, string][] = [
      ['', 'no header'],
      [undefined, 'no header'],
      [null, 'no header'],
      ['   \r\n ', 'no header'],
      [[good, good], 'header repeated'],
      [{ text: good }, 'not a text header'],
      ['hello', 'no version'],
      [good.replace('v=1', 'v=2'), 'unknown version'],
      [good.replace(sig, ''), 'no signature'],
      [good.replace('; round=1', '; round=1; round=2'), 'duplicated field round'],
      [good.replace('; cat=', '; colour=red; cat='), 'unknown field colour'],
      [good.replace('round=1; cat=safety', 'cat=safety; round=1'), 'fields out of order'],
      [good.replace('; round=1', ''), 'missing field round'],
      [good.replace('cat=safety', 'cat=b64.***'), 'malformed field cat'],
      [good.replace('cat=safety', 'cat=b64.5a'), 'malformed field cat'],
      [good.replace('cat=safety', 'cat=b64./w'), 'malformed field cat'],
      [good.replace('cat=safety', 'cat=bogus'), 'malformed field cat'],
      [good.replace('round=1', 'round=0'), 'malformed field round'],
      [good.replace('round=1', 'round=1001'), 'malformed field round'],
      [good.replace('round=1', 'round=1.5'), 'malformed field round'],
      [good.replace('R-2026-0042', 'R-26-42'), 'malformed field ref'],
      [good.replace('2026-03-05', '2026-02-30'), 'malformed field time'],
      [good.replace('.000Z', '+08:00'), 'malformed field time'],
      [good.replace('; sig', ';; sig'), 'malformed'],
      [`${good};`, 'malformed'],
    ];
    for (const [value, problem] of cases) expect([value, readReportCard(value, school)]).toEqual([value, fail(problem)]);
    const notice = signNoticeCard(used, bureau);
    expect(readNoticeCard(notice.replace('kind=used', 'kind=lost'), bureau)).toEqual(fail('malformed field kind'));
    const level = notice.split('; ').find((p) => p.startsWith('level='))!;
    expect(readNoticeCard(notice.replace(level, `level=b64.${Buffer.from('乡级').toString('base64url')}`), bureau)).toEqual(fail('malformed field level'));
    // One spelling per value: base64 whose unused bits are set decodes to the same bytes, and is still refused.
    const hi = signNoticeCard({ ref: 'R-2026-0042', kind: 'returned', reason: 'hi there' }, bureau);
    expect(hi).toContain('reason=b64.aGkgdGhlcmU;');
    expect(readNoticeCard(hi.replace('aGkgdGhlcmU', 'aGkgdGhlcmV'), bureau)).toEqual(fail('malformed field reason'));
    expect(() => signReportCard({ ...report, category: 'bogus' as 'safety' }, school)).toThrow(RangeError);
  });

  it('never throw or accept for any string, nor for any one character changed in a good header', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => !readNoticeCard(s, bureau).ok && !readReportCard(`v=1; ${s}`, school).ok));
    const value = signNoticeCard(used, bureau);
    fc.assert(
      fc.property(fc.nat(value.length - 1), fc.constantFrom('A', 'z', '0', '-', '_', ';', '=', '.'), (i, c) => {
        const changed = value.slice(0, i) + c + value.slice(i + 1);
        return changed.replace(/\s/g, '') === value.replace(/\s/g, '') || !readNoticeCard(changed, bureau).ok;
      }),
    );
  });

  it('survive a real mail: MailComposer writes them, mailparser reads them back as one unfolded string', async () => {
    const cards = [used, { ref: 'R-2026-0042', kind: 'returned', reason: '请补充现场照片，'.repeat(120) } as NoticeCard];
    for (const card of cards) {
      const value = signNoticeCard(card, bureau);
      const raw = await new MailComposer({
        from: `"某某市教育局" <${bureau.from}>`,
        to: 'baosong@school.test',
        subject: '【录用】关于R-2026-0042的通知',
        text: '正文',
        messageId: bureau.messageId,
        headers: { [NOTICE_HEADER]: value, [REPORT_HEADER.toLowerCase()]: signReportCard(report, { ...school, messageId: bureau.messageId, from: bureau.from }) },
      })
        .compile()
        .build();
      const lines = raw.toString('latin1').split('\r\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(78); // folded at our spaces, far below 998
      expect(lines.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(0);
      const parsed = await simpleParser(raw);
      expect(parsed.subject).toBe('【录用】关于R-2026-0042的通知');
      const header = parsed.headers.get('x-baosong-notice');
      expect(typeof header).toBe('string'); // unknown headers: the unfolded value, folds turned into single spaces
      const binding = { key, messageId: parsed.messageId ?? '', from: parsed.from?.value[0]?.address ?? '' };
      expect(readNoticeCard(header, binding)).toStrictEqual({ ok: true, card });
      expect(readReportCard(parsed.headers.get(REPORT_HEADER.toLowerCase()), binding)).toEqual({ ok: true, card: report });
    }
  });

  it('are refused when a mail carries the header twice (mailparser gives an array)', async () => {
    const value = signNoticeCard(used, bureau);
    const raw = await new MailComposer({ from: bureau.from, to: 'baosong@school.test', subject: '录用', text: '正文', messageId: bureau.messageId, headers: [{ key: NOTICE_HEADER, value }, { key: NOTICE_HEADER, value }] })
      .compile()
      .build();
    const parsed = await simpleParser(raw);
    expect(Array.isArray(parsed.headers.get('x-baosong-notice'))).toBe(true);
    expect(readNoticeCard(parsed.headers.get('x-baosong-notice'), bureau)).toEqual(fail('header repeated'));
  });
});
