// The drafted 工作总结 text reads right in English too (counts of one are singular).
import { describe, expect, it } from 'vitest';
import { draftParagraphs } from '../../exports/summary-text.js';

describe('the drafted summary text', () => {
  it('in English: singular for one, the departments to improve named', () => {
    const p = draftParagraphs({
      locale: 'en', school: 'Qinghe No. 1', periodLabel: 'autumn term 2026', from: '2026-08-15', to: '2027-02-14', generatedAt: '2027-01-20T02:00:00Z',
      uses: [], people: [],
      departments: [{ rank: 1, department: 'Teaching', points: 6, pieces: 1, used: 1, late: 1, missing: 1, concealed: 0, lines: [] }],
      figures: { submitted: 3, onTime: 2, late: 1, missing: 1, returned: 0, approved: 1, published: 1, usesByLevel: { 校级: 0, 县区级: 1, 市级: 0, 省级: 0, 国家级: 0 }, piecesUsed: 1 },
      perDepartment: [{ department: 'Teaching', submitted: 3, onTime: 2, late: 1, missing: 1, returned: 0, published: 1, used: 1, points: 6, rank: 1 }],
      highlights: [],
    });
    expect(p[0]).toBe("In the autumn term 2026, the departments sent 3 reports; 2 arrived on time (66.7%), 1 late, and 1 expected report never came. 1 was approved and 1 published on the school's channels.");
    expect(p[1]).toBe('1 piece was used 1 time, 1 of them beyond the school (1 at 县区级).');
    expect(p[3]).toContain('reports from Teaching came late; Teaching missed expected reports');
  });
});
