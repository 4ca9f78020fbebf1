import { describe, expect, it } from 'vitest';
import { COUNTY_SHEET, guessSize, rankDepartments, rankPeople, scorePiece, type Piece } from '../../domain/scoring.js';

const piece = (over: Partial<Piece>): Piece => ({
  reportId: 'r1', title: '秋季运动会', department: '体育组', author: '张老师', size: '简讯', uses: [], ...over,
});

describe('scoring (county sheet)', () => {
  it('gives a piece sent but not used 1 point (简讯) or 2 (详讯)', () => {
    expect(scorePiece(COUNTY_SHEET, piece({})).points).toBe(1);
    expect(scorePiece(COUNTY_SHEET, piece({ size: '详讯' })).points).toBe(2);
  });

  it('counts a piece used several times once, at its highest use, and says why', () => {
    const line = scorePiece(COUNTY_SHEET, piece({
      size: '详讯',
      uses: [
        { level: '县区级', kind: '网站', outlet: '县教育网' },
        { level: '市级', kind: '简报', outlet: '市教育简报' },
        { level: '县区级', kind: '简报', outlet: '县教育简报' },
      ],
    }));
    expect(line.points).toBe(20);
    expect(line.reason).toContain('市教育简报');
    expect(line.reason).toContain('按最高一次计');
  });

  it('ranks departments from facts with deductions for 迟报, 漏报 and 瞒报', () => {
    const facts = {
      pieces: [
        piece({ reportId: 'a', department: '教务处', author: '王', uses: [{ level: '县区级', kind: '网站', outlet: '县教育网' }] }),
        piece({ reportId: 'b', department: '教务处', author: '王', size: '详讯', uses: [{ level: '国家级', kind: '报刊', outlet: '中国教育报' }] }),
        piece({ reportId: 'c', department: '德育处', author: '李', size: '详讯', uses: [{ level: '县区级', kind: '简报', outlet: '县教育简报' }] }),
        piece({ reportId: 'd', department: '德育处', author: '李' }),
      ],
      late: [{ reportId: 'a', department: '教务处', author: '王' }],
      missing: [{ department: '德育处', expectation: '十月安全教育月' }],
      concealed: [{ department: '德育处', incident: '学生食堂检查' }],
    };
    // hand-computed: 教务处 3 + 80 - 1 = 82; 德育处 10 + 1 - 2 - 5 = 4
    const ranking = rankDepartments(COUNTY_SHEET, facts);
    expect(ranking.map((r) => [r.department, r.points])).toEqual([['教务处', 82], ['德育处', 4]]);
    expect(ranking[1]!.lines.map((l) => l.reason)).toEqual(expect.arrayContaining(['漏报：十月安全教育月', '瞒报：学生食堂检查']));
    expect(rankPeople(COUNTY_SHEET, facts)).toEqual([{ author: '王', points: 82 }, { author: '李', points: 11 }]);
  });

  it('guesses 简讯/详讯 from length with a threshold', () => {
    expect(guessSize('短讯'.repeat(10), 300)).toBe('简讯');
    expect(guessSize('长'.repeat(300), 300)).toBe('详讯');
  });
});
