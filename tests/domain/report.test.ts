import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, CATEGORY_LABELS, findCategory, findReportNumber, formatReportNumber, parseReportNumber, REPORT_STATUS_LABELS, REPORT_STATUSES } from '../../domain/report.js';

describe('categories', () => {
  it('are the seven of the school’s plan, in its order, with English labels', () => {
    expect(CATEGORY_LABELS).toEqual(['教育教学', '校园文化', '师生成长', '安全管理', '家校共育', '政策传达', '其他']);
    expect(CATEGORIES.every((c) => c.en.length > 0)).toBe(true);
  });

  it('are found by Chinese label, English label or key', () => {
    expect(findCategory('安全管理')?.key).toBe('safety');
    expect(findCategory(' campus culture ')?.zh).toBe('校园文化');
    expect(findCategory('home_school')?.zh).toBe('家校共育');
    expect(findCategory('体育')).toBeUndefined();
  });

  it('every status has a Chinese and an English label', () => {
    for (const s of REPORT_STATUSES) {
      expect(REPORT_STATUS_LABELS[s].zh).toMatch(/^(已|审核)/);
      expect(REPORT_STATUS_LABELS[s].en).toMatch(/^[A-Z][a-z ·]+$/);
    }
    // Approved is not published: the page and the digest say which it is.
    expect(REPORT_STATUS_LABELS.approved.zh).toBe('审核通过 · 待发布');
    expect(REPORT_STATUS_LABELS.archived.zh).toBe('审核通过 · 仅存档');
  });
});

describe('report numbers', () => {
  it('are R-<year>-<at least four digits>', () => {
    expect(formatReportNumber(2026, 42)).toBe('R-2026-0042');
    expect(formatReportNumber(2026, 12345)).toBe('R-2026-12345');
    expect(parseReportNumber('R-2026-0042')).toEqual({ year: 2026, sequence: 42 });
  });

  it('refuse what is not one, saying what was expected', () => {
    expect(() => parseReportNumber('R-2026-42')).toThrow(/expected R-<year>-<4\+ digits>/);
    expect(() => parseReportNumber('R-2026-0000')).toThrow(/sequence 0/);
    expect(() => formatReportNumber(26, 1)).toThrow(/four-digit year/);
    expect(() => formatReportNumber(2026, 0)).toThrow(/positive integer/);
  });

  it('are found inside subjects, also with full-width dashes and lower case', () => {
    expect(findReportNumber('回复：【R-2026-0042】七年级家长会')).toBe('R-2026-0042');
    expect(findReportNumber('Re: r－2026－0042 照片')).toBe('R-2026-0042');
    expect(findReportNumber('编号R-2026-12345。')).toBe('R-2026-12345');
    expect(findReportNumber('R-2026-00420')).toBe('R-2026-0420'); // canonical form
    expect(findReportNumber('XR-2026-0042')).toBeNull();
    expect(findReportNumber('R-2026-004')).toBeNull();
  });

  it('round-trip for any year and sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1, max: 10_000_000 }), (year, seq) => {
        const n = formatReportNumber(year, seq);
        return parseReportNumber(n).sequence === seq && findReportNumber(`回复：${n}`) === n;
      }),
    );
  });
});
