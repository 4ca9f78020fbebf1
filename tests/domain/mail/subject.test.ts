import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseSubject, readSubject, stripSubjectPrefixes } from '../../../domain/mail/subject.js';

describe('stripSubjectPrefixes', () => {
  it.each([
    ['Re: 消防演练', '消防演练', true, false],
    ['RE：消防演练', '消防演练', true, false],
    ['回复：消防演练', '消防演练', true, false],
    ['回复: 回复：答复: 消防演练', '消防演练', true, false],
    ['Re[2]: 消防演练', '消防演练', true, false],
    ['Re(3)：消防演练', '消防演练', true, false],
    ['Fwd: 消防演练', '消防演练', false, true],
    ['FW：消防演练', '消防演练', false, true],
    ['转发：消防演练', '消防演练', false, true],
    ['[Fwd: 消防演练]', '消防演练', false, true],
    ['【转发】消防演练', '消防演练', false, true],
    ['Re: Fwd: RE：转发：回复：消防演练', '消防演练', true, true],
    ['　Re：　 消防演练', '消防演练', true, false],
    ['自动回复：消防演练', '消防演练', true, false],
  ])('%s → %s', (input, rest, isReply, isForward) => {
    expect(stripSubjectPrefixes(input)).toEqual({ rest, isReply, isForward });
  });

  it('does not take words that merely start like a prefix', () => {
    expect(stripSubjectPrefixes('回复家长来信：关于校服').isReply).toBe(false);
    expect(stripSubjectPrefixes('Report: 消防演练').rest).toBe('Report: 消防演练');
    expect(stripSubjectPrefixes('Fwdx: a').isForward).toBe(false);
  });
});

describe('normaliseSubject', () => {
  it.each([
    ['回复：【R-2026-0042】初三年级开展消防疏散演练', '初三年级开展消防疏散演练'],
    ['RE: [R-2026-0045] 英语组开展集体教研活动', '英语组开展集体教研活动'],
    ['答复: R-2026-0044 数学组公开课', '数学组公开课'],
    ['【紧急】【安全管理】初二学生摔伤', '初二学生摔伤'],
    ['[重大] 运动会开幕式', '运动会开幕式'],
    ['#家校共育 七年级家长会', '七年级家长会'],
    ['【紧急·安全管理】食堂停电', '食堂停电'],
    ['Re: 【紧急】 Re: 消防演练', '消防演练'],
    ['【初二年级】消防演练', '【初二年级】消防演练'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(normaliseSubject(input)).toBe(expected);
  });

  it('is idempotent on subjects built from prefixes, tags, numbers and words', () => {
    const piece = fc.constantFrom(
      'Re:', 'RE：', '回复：', '答复: ', 'Fwd:', 'FW：', '转发：', '[Fwd:', ']', '【紧急】', '[重大]', '#安全管理', '【', '】',
      'R-2026-0042', '【R-2026-0042】', ' ', '　', '：', '消防', '演练', 'Re', '回复', '-', '#', 'a',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const once = normaliseSubject(pieces.join(''));
        expect(normaliseSubject(once)).toBe(once);
      }),
    );
  });

  it('is idempotent on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const once = normaliseSubject(s);
        expect(normaliseSubject(once)).toBe(once);
      }),
    );
  });
});

describe('readSubject', () => {
  it('finds the report number, also with full-width dashes and lower case', () => {
    expect(readSubject('回复：【r－2026－0042】消防演练').reportId).toBe('R-2026-0042');
    expect(readSubject('消防演练').reportId).toBeNull();
  });
});
