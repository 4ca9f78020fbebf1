import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReport, DEFAULT_CHECK_SETTINGS, photoCaptionsFromText, type CheckFacts, type CheckInput, type CheckSettings } from '../../domain/checks/index.js';
import { idCheckCharacter, isIdNumber } from '../../domain/checks/personal.js';
import { parseDateTime } from '../../domain/time.js';

const TZ = 'Asia/Shanghai';
const facts = (settings: Partial<CheckSettings> = {}): CheckFacts => ({
  timeZone: TZ,
  people: [
    { name: '张国栋', titles: ['党委书记、校长'], departments: [] },
    { name: '李文娟', titles: ['副校长（分管宣传、行政）'], departments: [] },
    { name: '王建国', titles: ['教务主任'], departments: ['教务处'] },
    { name: '赵丽华', titles: ['德育主任'], departments: ['德育处'] },
  ],
  departments: ['教务处', '德育处', '办公室'],
  settings: { ...DEFAULT_CHECK_SETTINGS, ...settings },
});
const received = parseDateTime('2026-12-04T16:30', TZ); // a Friday
const run = (body: string, more: Partial<CheckInput> = {}, settings: Partial<CheckSettings> = {}) =>
  checkReport({ title: '标题', body, receivedAt: received, ...more }, facts(settings));
const codes = (body: string, more: Partial<CheckInput> = {}, settings: Partial<CheckSettings> = {}) => run(body, more, settings).map((f) => f.code);

describe('weekday_mismatch', () => {
  it.each([
    '12月3日（星期三）', '12月3日(星期三)', '12月3日星期三', '12月3日 周三', '12月3日（周三）', '12月3日礼拜三',
    '2026年12月3日（星期三）', '十二月三日（星期三）', '二〇二六年十二月三日（周三）', '１２月３日（周三）', '12月3号（周三）',
  ])('finds %s (3 December 2026 is a Thursday)', (text) => {
    const [f] = run(`${text}上午，学校召开会议。`);
    expect(f).toMatchObject({ code: 'weekday_mismatch', severity: 'error', start: 0, field: 'body' });
    expect(f?.message['zh-CN']).toContain('是星期四，不是星期三');
  });

  it.each(['12月3日（星期四）', '12月3日周四', '十二月三日（礼拜四）', '12月6日（星期日）', '12月6日（周天）'])('accepts the right weekday: %s', (text) => {
    expect(codes(`${text}上午天气晴。`)).toEqual([]);
  });

  it('reads a January written in December as next year, a December read in January as last year', () => {
    const dec28 = parseDateTime('2026-12-28T09:00', TZ);
    expect(codes('1月8日（星期五）', { receivedAt: dec28 })).toEqual([]); // 2027-01-08 is a Friday
    expect(codes('1月8日（星期四）', { receivedAt: dec28 })).toEqual(['weekday_mismatch']);
    const jan4 = parseDateTime('2027-01-04T09:00', TZ);
    expect(codes('12月30日（星期三）', { receivedAt: jan4 })).toEqual([]); // 2026-12-30
    expect(run('12月30日（星期四）', { receivedAt: jan4 })[0]?.message['zh-CN']).toContain('2026年12月30日是星期三');
  });

  it('ignores a date that is not real and a weekday far from a date', () => {
    expect(codes('2月30日（星期三）')).toEqual([]);
    expect(codes('12月3日，天气晴朗，星期三的课照常。')).toEqual([]);
  });
});

describe('date_in_future', () => {
  it('finds an event told as past on a date after the receipt', () => {
    for (const body of ['12月9日，教务处组织了质量分析会。', '12月11日下午，艺术节闭幕式在礼堂隆重举行。', '2026年12月19日，我校田径队荣获团体第二名。']) {
      expect(codes(body).filter((c) => c === 'date_in_future'), body).toEqual(['date_in_future']);
    }
  });

  it('accepts announcements and plans, and past dates', () => {
    for (const body of [
      '学校将于12月9日举行运动会。', '学校拟于12月9日召开家长会。', '运动会定于12月9日举行。', '请于12月9日前报送材料。',
      '报名截止时间为12月9日。', '12月3日，学校举行了运动会。', '今天12月4日，学校举行了运动会。',
    ]) {
      expect(codes(body).filter((c) => c === 'date_in_future'), body).toEqual([]);
    }
  });
});

describe('id_number', () => {
  it('computes the GB 11643 check character', () => {
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(idCheckCharacter('33010620120315123')).toBe('0');
  });

  it('wants a real birth date, not after today, and the right check character', () => {
    expect(isIdNumber('330106201203151230', '2026-12-04')).toBe(true);
    expect(isIdNumber('11010519491231002x', '2026-12-04')).toBe(true);
    expect(isIdNumber('330106201203151231', '2026-12-04')).toBe(false); // check character
    expect(isIdNumber('330106201302301235', '2026-12-04')).toBe(false); // 30 February
    expect(isIdNumber('330106202712041233', '2026-12-04')).toBe(false); // born next year
  });

  it('masks the number in the excerpt and points at it in the text', () => {
    const body = '王小涵同学（身份证号330106201203151230）获奖。';
    const [f] = run(body);
    expect(f).toMatchObject({ code: 'id_number', excerpt: '330106********1230' });
    expect(body.slice(f!.start, f!.end)).toBe('330106201203151230');
  });

  it('leaves 18-digit order numbers and longer digit runs alone', () => {
    expect(codes('订单号202612031045678912，物流单号330106202612041234，流水号3301062012031512301。')).toEqual([]);
  });
});

describe('phone_number', () => {
  it.each(['13957112345', '139 5711 2345', '139-5711-2345', '+86 13957112345', '8613957112345'])('finds the mobile %s', (n) => {
    expect(codes(`联系电话：${n}。`)).toEqual(['phone_number']);
  });

  it('masks it', () => {
    expect(run('电话13957112345')[0]?.excerpt).toBe('139****2345');
  });

  it.each(['0571-88881234', '(0571)88881234', '057188881234', '12345', '400-800-1234', '订单20261203139571123456'])('leaves %s alone', (n) => {
    expect(codes(`电话：${n}。`)).toEqual([]);
  });
});

describe('leader_title_mismatch', () => {
  it.each([
    ['副校长张国栋讲话', '副校长'], ['张国栋副校长讲话', '副校长'], ['校长李文娟讲话', '校长'], ['李文娟校长讲话', '校长'],
    ['德育处主任王建国', '德育处主任'], ['德育主任王建国', '德育主任'], ['王建国德育处主任', '德育处主任'],
  ])('finds %s', (body, written) => {
    const [f] = run(body);
    expect(f?.code).toBe('leader_title_mismatch');
    expect(f?.message['zh-CN']).toContain(`文中写作“${written}”`);
    expect(body.slice(f!.start, f!.end)).toBe(f!.excerpt);
  });

  it.each([
    '校长张国栋讲话', '张国栋校长讲话', '党委书记、校长张国栋', '张国栋书记', '副校长李文娟', '李文娟副校长',
    '教务主任王建国', '教务处主任王建国', '王建国主任', '赵丽华老师', '校长张国栋、副校长李文娟出席', '副校长李文娟、校长张国栋出席',
  ])('accepts %s', (body) => {
    expect(codes(body)).toEqual([]);
  });

  it('reads photo captions and the title too', () => {
    expect(run('正文', { title: '李文娟校长看望师生', photos: [{ name: 'a.jpg', caption: '副校长张国栋在会上讲话' }] }).map((f) => [f.code, f.field])).toEqual([
      ['leader_title_mismatch', 'title'],
      ['leader_title_mismatch', 'photo'],
    ]);
  });
});

describe('sensitive_word', () => {
  it.each(['中考状元', '高考状元', '升学率', '重高率连续三年位居全区第一', '排名全市第一', '全区第一', '清华录取12人'])('finds the built-in %s', (phrase) => {
    const [f] = run(`我校${phrase}。`);
    expect(f).toMatchObject({ code: 'sensitive_word', excerpt: phrase });
  });

  it('accepts a sentence that forbids the claim, and 全市第一所', () => {
    expect(codes('通知要求，严禁炒作中高考状元和升学率，不得宣传排名全市第一。')).toEqual([]);
    expect(codes('我校是全市第一所智慧校园示范校。')).toEqual([]);
  });

  it('adds the school’s words, and the built-in list can be switched off', () => {
    expect(codes('这是内部资料。', {}, { sensitiveWords: ['内部资料'] })).toEqual(['sensitive_word']);
    expect(run('这是内部资料。', {}, { sensitiveWords: ['内部资料'] })[0]?.message['zh-CN']).toContain('学校的敏感词清单');
    expect(codes('中考状元', {}, { builtinSensitiveWords: false })).toEqual([]);
  });
});

describe('warnings of form', () => {
  it('title_too_long counts characters, not UTF-16 units', () => {
    expect(codes('正文', { title: '一'.repeat(30) })).toEqual([]);
    expect(codes('正文', { title: '一'.repeat(31) })).toEqual(['title_too_long']);
    expect(codes('正文', { title: '一'.repeat(12) }, { titleMaxChars: 10 })).toEqual(['title_too_long']);
  });

  it('an event report without a time or a place', () => {
    expect(codes('近日，我校举行了读书会。')).toEqual(['event_time_missing', 'event_place_missing']);
    expect(codes('12月3日，我校在图书馆举行了读书会。')).toEqual([]);
    expect(codes('12月3日，我校举行了读书会。')).toEqual(['event_place_missing']);
    expect(codes('近日，我校在图书馆举行了读书会。')).toEqual(['event_time_missing']);
    expect(codes('各校要开展读书活动。')).toEqual([]); // not a report of an event
  });

  it('a photo without a caption', () => {
    const fs = run('正文', { photos: [{ name: 'a.jpg', caption: '图说' }, { name: 'b.jpg', caption: ' ' }, { name: null, caption: null }] });
    expect(fs.map((f) => [f.code, f.photo, f.excerpt])).toEqual([
      ['photo_caption_missing', 1, 'b.jpg'],
      ['photo_caption_missing', 2, '第 3 张'],
    ]);
  });

  it('credit_missing only where the school asks for it; the photographer only with photos', () => {
    const ask = { requireCredit: { author: true, photographer: true } };
    expect(codes('正文', {}, ask)).toEqual(['credit_missing']);
    expect(codes('正文（撰稿：刘芳）', {}, ask)).toEqual([]);
    expect(codes('正文 文/刘芳', {}, ask)).toEqual([]);
    expect(codes('正文（撰稿：刘芳）', { photos: [{ name: 'a.jpg', caption: '图说' }] }, ask)).toEqual(['credit_missing']);
    expect(codes('正文（撰稿：刘芳 摄影：孙浩）', { photos: [{ name: 'a.jpg', caption: '图说' }] }, ask)).toEqual([]);
    expect(codes('正文')).toEqual([]);
  });
});

describe('the office switches checks off', () => {
  it('by code', () => {
    const body = '12月3日（星期三），副校长张国栋出席，电话13957112345。';
    expect(codes(body)).toEqual(['weekday_mismatch', 'phone_number', 'leader_title_mismatch']);
    expect(codes(body, {}, { disabled: ['phone_number', 'weekday_mismatch'] })).toEqual(['leader_title_mismatch']);
  });
});

describe('photo captions in a mailed text', () => {
  it('takes 图1：…, 图为…, 上图… lines in order', () => {
    const text = '正文。\n图1：同学们在操场长跑\n图为张国栋校长讲话\n';
    expect(photoCaptionsFromText(text, [{ name: 'a.jpg' }, { name: 'b.jpg' }, { name: 'c.jpg' }])).toEqual([
      { name: 'a.jpg', caption: '同学们在操场长跑' },
      { name: 'b.jpg', caption: '张国栋校长讲话' },
      { name: 'c.jpg', caption: null },
    ]);
  });
});

describe('any text', () => {
  it('never throws, and every finding points inside its field', () => {
    const alphabet = fc.constantFrom(...'0123456789１２年月日号星期周礼拜一二三四五六日天十（）() 校长副主任张国栋李文娟王建国德育处教务举行了将于状元升学率第排名全市，。\n-+'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')), (body) => {
        for (const f of run(body)) {
          expect(f.start).toBeGreaterThanOrEqual(0);
          expect(f.end).toBeLessThanOrEqual(f.field === 'body' ? body.length : Infinity);
        }
      }),
      { numRuns: 300 },
    );
  });
});
