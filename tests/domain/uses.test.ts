import { describe, expect, it } from 'vitest';
import { guessKind, guessLevel, parseUseLine } from '../../domain/uses.js';

describe('reading a use as the office writes it', () => {
  it('takes the outlet and the URL, and guesses the level and kind from the name', () => {
    expect(parseUseLine('县教育网 https://jyj.county.gov.cn/news/123.html')).toEqual({ outlet: '县教育网', level: '县区级', kind: '网站', ref: 'https://jyj.county.gov.cn/news/123.html', usedOn: null });
    expect(parseUseLine('市教育简报 第 12 期 2026年11月3日')).toEqual({ outlet: '市教育简报', level: '市级', kind: '简报', ref: '第12期', usedOn: '2026-11-03' });
    expect(parseUseLine('中国教育报')).toMatchObject({ level: '国家级', kind: '报刊' });
    expect(parseUseLine('学校公众号 https://mp.weixin.qq.com/s/abc')).toMatchObject({ level: '校级', kind: '公众号' });
  });

  it('a level and kind written out stand against the guess', () => {
    expect(parseUseLine('晨报（市级 报刊）第3期')).toEqual({ outlet: '晨报', level: '市级', kind: '报刊', ref: '第3期', usedOn: null });
    expect(parseUseLine('融媒体中心(区级,电视)')).toMatchObject({ outlet: '融媒体中心', level: '县区级', kind: '电视' });
  });

  it('no outlet, no use', () => {
    expect(parseUseLine('  https://example.org/x ')).toBeNull();
    expect(parseUseLine('')).toBeNull();
  });

  it('guesses', () => {
    expect(guessLevel('省教育厅网站')).toBe('省级');
    expect(guessLevel('县电视台')).toBe('县区级');
    expect(guessKind('县电视台')).toBe('电视');
    expect(guessKind('教育信息快报')).toBe('简报');
  });
});
