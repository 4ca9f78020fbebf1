import { describe, expect, it } from 'vitest';
import { guessCategory, guessUrgency, readCategoryUrgency, readFieldTags, readTags } from '../../../domain/mail/tags.js';

describe('readTags', () => {
  it.each([
    ['【紧急】食堂停电', undefined, 'urgent'],
    ['[重大] 运动会', undefined, 'major'],
    ['［教育教学］公开课', '教育教学', undefined],
    ['〔安全〕演练', '安全管理', undefined],
    ['#安全管理 演练', '安全管理', undefined],
    ['#家校共育# 家长会', '家校共育', undefined],
    ['【紧急·安全管理】停电', '安全管理', 'urgent'],
    ['【重大/校园文化】艺术节', '校园文化', 'major'],
    ['【校園文化】來訪', '校园文化', undefined],
    ['[urgent] Safety', undefined, 'urgent'],
  ])('%s', (text, category, urgency) => {
    const read = readTags(text);
    expect(read.category).toBe(category);
    expect(read.urgency).toBe(urgency);
  });

  it('keeps bracketed text that is not a tag', () => {
    expect(readTags('【初二年级】【紧急】停电').text).toBe('【初二年级】 停电');
    expect(readTags('【初二年级】消防').category).toBeUndefined();
  });

  it('takes the first tag when two disagree', () => {
    expect(readTags('【紧急】【重大】x').urgency).toBe('urgent');
  });
});

describe('readFieldTags', () => {
  it('reads form-style lines', () => {
    expect(readFieldTags('类别：安全管理\n紧急程度：紧急\n')).toEqual({ category: '安全管理', urgency: 'urgent' });
    expect(readFieldTags('分类: 教育教学。')).toEqual({ category: '教育教学' });
    expect(readFieldTags('类别：不知道')).toEqual({});
  });
});

describe('keyword hints', () => {
  it.each([
    ['消防疏散演练', '', '安全管理'],
    ['七年级家长会', '', '家校共育'],
    ['', '今天下午开展了家访', '家校共育'],
    ['数学组公开课', '', '教育教学'],
    ['传达上级文件精神', '', '政策传达'],
    ['秋季运动会开幕', '', '校园文化'],
    ['我校学生荣获一等奖', '', '师生成长'],
  ])('%s %s → %s', (subject, text, category) => {
    expect(guessCategory(subject, text)?.category).toBe(category);
  });

  it('reads an incident as safety, and 教学楼 as a place, not teaching', () => {
    expect(guessCategory('教学楼走廊学生摔伤', '已送校医室')?.category).toBe('安全管理');
    expect(guessCategory('教学楼外墙粉刷完成', '')).toBeUndefined();
  });

  it('gives nothing when no keyword occurs', () => {
    expect(guessCategory('食堂新餐桌', '已经安装到位')).toBeUndefined();
  });

  it('weighs the subject above the text', () => {
    // One safety word in the subject beats two teaching words in the text.
    expect(guessCategory('消防', '教学 课堂')?.category).toBe('安全管理');
  });

  it('reports a tie as ambiguous', () => {
    expect(guessCategory('家长会和公开课', '')).toEqual({ category: '教育教学', ambiguous: true });
  });

  it('reads incident words as urgent, but not in a drill or prevention text', () => {
    expect(guessUrgency('实验室突发火情', '')).toBe('urgent');
    expect(guessUrgency('学生课间受伤', '已送医')).toBe('urgent');
    expect(guessUrgency('消防演练', '模拟火灾突发情况')).toBeUndefined();
    expect(guessUrgency('防溺水安全教育', '讲解溺水事故案例')).toBeUndefined();
    expect(guessUrgency('开学典礼', '')).toBe('major');
    expect(guessUrgency('食堂新餐桌', '')).toBeUndefined();
  });
});

describe('readCategoryUrgency', () => {
  it('prefers tags over keywords, and flags nothing when both are tagged', () => {
    expect(readCategoryUrgency('【紧急】【教育教学】消防演练', '')).toEqual({
      category: '教育教学',
      categorySource: 'tag',
      urgency: 'urgent',
      urgencySource: 'tag',
      flags: [],
    });
  });

  it('flags a guess and a default for triage', () => {
    const r = readCategoryUrgency('消防疏散演练', '');
    expect(r).toMatchObject({ category: '安全管理', categorySource: 'keyword', urgency: 'routine', urgencySource: 'default' });
    expect(r.flags).toEqual(['category_guessed', 'urgency_default']);
  });

  it('falls back to 其他 / routine', () => {
    const r = readCategoryUrgency('食堂新餐桌', '安装到位');
    expect(r).toMatchObject({ category: '其他', categorySource: 'default', urgency: 'routine' });
    expect(r.flags).toEqual(['category_default', 'urgency_default']);
  });

  it('reads tags from the first lines of the text and form fields', () => {
    expect(readCategoryUrgency('公开课', '类别：安全管理\n紧急程度：重大')).toMatchObject({
      category: '安全管理',
      categorySource: 'tag',
      urgency: 'major',
      urgencySource: 'tag',
    });
    expect(readCategoryUrgency('通知', '#家校共育\n下周家长会')).toMatchObject({ category: '家校共育', categorySource: 'tag' });
  });

  it('guesses urgent from an incident, flagged', () => {
    const r = readCategoryUrgency('初一学生走失', '已报警，正在寻找');
    expect(r.urgency).toBe('urgent');
    expect(r.flags).toContain('urgency_guessed');
  });
});
