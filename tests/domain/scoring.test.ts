// 考核 (issue 20, the scoring rules only): a small term scored against the county sample sheet, each figure
// computed by hand beside it.
import { describe, expect, it } from 'vitest';
import { COUNTY_SAMPLE_RULES, pieceLine, score, type ScoredPiece } from '../../domain/scoring.js';

const piece = (p: Partial<ScoredPiece> & Pick<ScoredPiece, 'reportId' | 'departmentId'>): ScoredPiece => ({ title: p.reportId, author: '刘芳', size: 'brief', late: false, uses: [], ...p });

describe('the scoring sheet', () => {
  it('a piece counts once, at its best use; 简讯 and 详讯 differ; unused pieces still score for being sent', () => {
    const rules = COUNTY_SAMPLE_RULES;
    expect(pieceLine(rules, piece({ reportId: 'R-1', departmentId: 'jiaowu' }))).toMatchObject({ points: 1, reason: '报送未录用（简讯）' });
    expect(pieceLine(rules, piece({ reportId: 'R-2', departmentId: 'jiaowu', size: 'full' })).points).toBe(2);
    // Used by the county website (3) and the city briefing (20): 20, once.
    const twice = piece({ reportId: 'R-3', departmentId: 'jiaowu', uses: [{ level: 'county', kind: 'website', outlet: '县教育网' }, { level: 'city', kind: 'briefing', outlet: '市教育简报' }] });
    expect(pieceLine(rules, twice)).toEqual({ points: 20, reason: '市教育简报录用（市级简报，简讯）', reportId: 'R-3' });
    // A use the sheet does not list scores as sent.
    expect(pieceLine(rules, piece({ reportId: 'R-4', departmentId: 'jiaowu', uses: [{ level: 'school', kind: 'wechat', outlet: '学校公众号' }] })).points).toBe(1);
  });

  it('a term: per department and per person, with each point’s reason, matching the table worked out by hand', () => {
    const s = score(COUNTY_SAMPLE_RULES, {
      pieces: [
        // 教务处 (刘芳): 详讯 on the county website 6; 简讯 unused 1; 简讯 in the county briefing and the national media 60, late -1.
        piece({ reportId: 'R-01', departmentId: 'jiaowu', size: 'full', uses: [{ level: 'county', kind: 'website', outlet: '县教育网' }] }),
        piece({ reportId: 'R-02', departmentId: 'jiaowu' }),
        piece({ reportId: 'R-03', departmentId: 'jiaowu', late: true, uses: [{ level: 'county', kind: 'briefing', outlet: '县教育简报' }, { level: 'national', kind: 'media', outlet: '中国教育报' }] }),
        // 德育处 (孙浩): 详讯 in the county media 10; 详讯 in the province briefing 40.
        piece({ reportId: 'R-04', departmentId: 'deyu', author: '孙浩', size: 'full', uses: [{ level: 'county', kind: 'media', outlet: '县电视台' }] }),
        piece({ reportId: 'R-05', departmentId: 'deyu', author: '孙浩', size: 'full', uses: [{ level: 'province', kind: 'briefing', outlet: '省教育简报' }] }),
        // 总务处 (吴敏): 简讯 unused 1.
        piece({ reportId: 'R-06', departmentId: 'zongwu', author: '吴敏' }),
      ],
      missing: [{ departmentId: 'zongwu', title: '消防演练' }, { departmentId: 'deyu', title: '家长会' }],
      concealed: [{ departmentId: 'zongwu', title: '食堂停电' }],
    });
    // By hand: 教务处 6 + 1 + 60 - 1 = 66; 德育处 10 + 40 - 2 = 48; 总务处 1 - 2 - 5 = -6.
    expect(s.departments.map((d) => [d.id, d.points])).toEqual([
      ['jiaowu', 66],
      ['deyu', 48],
      ['zongwu', -6],
    ]);
    // People score their pieces and their lateness; 漏报 and 瞒报 are the department's.
    expect(s.people.map((p) => [p.id, p.points])).toEqual([
      ['刘芳', 66],
      ['孙浩', 50],
      ['吴敏', 1],
    ]);
    expect(s.departments.find((d) => d.id === 'zongwu')!.lines.map((l) => l.reason)).toEqual(['报送未录用（简讯）', '漏报：消防演练', '瞒报：食堂停电']);
    expect(s.departments.find((d) => d.id === 'jiaowu')!.lines.map((l) => `${l.reason} ${l.points}`)).toContain('中国教育报录用（国家级媒体，简讯） 60');
  });
});
