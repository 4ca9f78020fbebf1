import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readIntent } from '../../../domain/mail/intent.js';

describe('readIntent: approvals', () => {
  it.each(['同意', '同意发布。', '通过', '审核通过，辛苦了', '批准', '可以发', '可以。', '好的', '好的，发吧', 'OK', 'ok!', 'Approve', 'Approved, thanks.', 'LGTM', '没问题，同意', '经核对无误，同意', '非常好，同意发布', '不错，可以发', 'No problem, approved', '王老师：\n同意发布'])(
    '%s',
    (text) => {
      expect(readIntent(text)).toMatchObject({ intent: 'approve', reason: null });
    },
  );
});

describe('readIntent: send back', () => {
  it.each([
    ['退回：照片不清晰', '照片不清晰'],
    ['退回，标题太长', '标题太长'],
    ['驳回。原因：数据有误', '数据有误'],
    ['不同意发布，照片里有学生正面特写', '照片里有学生正面特写'],
    ['不能同意：时间写错了', '时间写错了'],
    ['不可以发，等校长审', '等校长审'],
    ['不通过', null],
    ['退回\n标题中的日期写错了\n另外请补充人数', '标题中的日期写错了\n另外请补充人数'],
    ['请修改标题', '请修改标题'],
    ['请修改：第二段的数据要核实。', '第二段的数据要核实。'],
    ['照片需修改，换一张横版的', '照片需修改，换一张横版的'],
    ['Not approved: the date is wrong.', 'the date is wrong.'],
    ['Rejected - wrong photo', 'wrong photo'],
    ['Please send it back, the title is wrong', 'the title is wrong'],
  ])('%s → %s', (text, reason) => {
    expect(readIntent(text)).toMatchObject({ intent: 'send_back', reason });
  });
});

describe('readIntent: comments (never a guessed approval)', () => {
  it.each([
    '收到，我明天上午再补一张照片。',
    '照片很好，标题能不能再短一点？',
    '可以发吗？',
    '是否同意发布？',
    '好的，我再看看',
    '同意，但是标题要改',
    '我不觉得可以',
    '通过这次活动，学生们学到了很多',
    '附件是修改后的稿件',
    '不太可以',
    'not OK',
    '',
    '同意发布。\n请把标题改一下',
    '同意发布。\n不过标题可以再短一点',
  ])('%s', (text) => {
    expect(readIntent(text).intent).not.toBe('approve');
  });

  it('reads a plain remark as a comment', () => {
    expect(readIntent('收到，我明天再补一张照片。')).toEqual({ intent: 'comment', reason: null, decidedOn: '收到，我明天再补一张照片。' });
  });

  it('decides on the first two meaningful lines only', () => {
    expect(readIntent('李主任：\n您好！\n同意').intent).toBe('approve');
    expect(readIntent('王老师，\n退回：\n照片太暗')).toMatchObject({ intent: 'send_back', reason: '照片太暗' });
    expect(readIntent('Hi all,\nLGTM').intent).toBe('approve');
    expect(readIntent('照片收到了\n谢谢\n\n同意').intent).toBe('comment');
    expect(readIntent('您好！\n各位老师好\n同意').intent).toBe('approve');
  });
});

describe('readIntent: properties', () => {
  const chunk = fc.string({ unit: fc.constantFrom(...'同意通过批准可以发好的OKokLGTM，。！ 退回请修改吗？\n'), maxLength: 12 });

  it('never reads text containing 不同意 as approval', () => {
    fc.assert(
      fc.property(chunk, chunk, (a, b) => {
        expect(readIntent(`${a}不同意${b}`).intent).not.toBe('approve');
      }),
    );
  });

  it('never reads a refusal as approval, wherever it sits in the first line', () => {
    const refusal = fc.constantFrom('不同意', '不能同意', '不可以发', '不通过', '不批准', 'not approved', '驳回', '退回');
    fc.assert(
      fc.property(chunk, refusal, chunk, (a, r, b) => {
        const text = `${a.replace(/\n/g, '')}${r}${b}`;
        expect(readIntent(text).intent).toBe('send_back');
      }),
    );
  });

  it('never approves a question', () => {
    fc.assert(
      fc.property(chunk, (a) => {
        expect(readIntent(`${a.replace(/\n/g, '')}吗？`).intent).not.toBe('approve');
      }),
    );
  });
});

describe('readIntent: 已发布 and 录用', () => {
  it('the editor’s "已发布 <URL>" says the report is out, with its page', () => {
    expect(readIntent('已发布 https://www.school.test/news/42.html\n\n谢谢')).toMatchObject({ intent: 'published', publishedUrl: 'https://www.school.test/news/42.html' });
    expect(readIntent('王老师：\n已在学校网站发布，链接：https://www.school.test/n/1')).toMatchObject({ intent: 'published', publishedUrl: 'https://www.school.test/n/1' });
    expect(readIntent('已经发布了')).toMatchObject({ intent: 'published', publishedUrl: null });
    expect(readIntent('Published: https://mp.weixin.qq.com/s/abc')).toMatchObject({ intent: 'published', publishedUrl: 'https://mp.weixin.qq.com/s/abc' });
  });

  it('a question or a refusal about publishing is not a confirmation', () => {
    expect(readIntent('已发布了吗？')).toMatchObject({ intent: 'comment' });
    expect(readIntent('发布吧')).toMatchObject({ intent: 'approve' });
    expect(readIntent('暂不发布，标题再改改')).toMatchObject({ intent: 'send_back' });
  });

  it('"录用：" lines record uses, one per line, at most ten', () => {
    const r = readIntent('录用：县教育网 https://jyj.county.test/a/1\n录用：市教育简报 第12期\n\n李干事');
    expect(r.intent).toBe('use');
    expect(r.uses).toEqual([
      { outlet: '县教育网', level: '县区级', kind: '网站', ref: 'https://jyj.county.test/a/1', usedOn: null },
      { outlet: '市教育简报', level: '市级', kind: '简报', ref: '第12期', usedOn: null },
    ]);
    const many = Array.from({ length: 30 }, (_, i) => `录用：县教育网 https://jyj.county.test/a/${i}`).join('\n');
    expect(readIntent(many).uses).toHaveLength(10);
    // "录用" further down a comment is not an instruction.
    expect(readIntent('这篇写得很好\n录用：县教育网')).toMatchObject({ intent: 'comment' });
  });

  it('"同意，仅存档" approves and keeps it on record', () => {
    expect(readIntent('同意，仅存档')).toMatchObject({ intent: 'approve', archive: true });
    expect(readIntent('同意，存档备查即可')).toMatchObject({ intent: 'approve', archive: true });
    expect(readIntent('同意')).toEqual({ intent: 'approve', reason: null, decidedOn: '同意' });
  });
});
