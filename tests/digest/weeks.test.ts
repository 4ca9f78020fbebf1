import { describe, expect, test } from 'vitest';
import { digestSendTime, nextDigestWeek, nextWeek, parseWeek, previousWeek, weekDates, weekOf, weekRange, weeksInYear } from '../../digest/weeks.js';

const TZ = 'Asia/Shanghai';

describe('ISO weeks in the school time zone', () => {
  test('2026-W48 is Monday 23 November to Sunday 29 November, Shanghai midnight to midnight', () => {
    expect(weekDates('2026-W48')).toEqual({ monday: '2026-11-23', sunday: '2026-11-29' });
    const { start, end } = weekRange('2026-W48', TZ);
    // Shanghai is UTC+8 all year (no DST): local midnight is 16:00 UTC the day before.
    expect(start.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(end.toISOString()).toBe('2026-11-29T16:00:00.000Z');
    expect(end.getTime() - start.getTime()).toBe(7 * 24 * 3600 * 1000);
  });

  test('the week of an instant is judged by the Shanghai clock, not UTC', () => {
    // Sunday 29 Nov 23:59 Shanghai = 15:59 UTC: still W48. Monday 00:00 Shanghai = Sunday 16:00 UTC: W49.
    expect(weekOf(new Date('2026-11-29T15:59:59Z'), TZ)).toBe('2026-W48');
    expect(weekOf(new Date('2026-11-29T16:00:00Z'), TZ)).toBe('2026-W49');
    expect(weekOf(new Date('2026-11-22T16:00:00Z'), TZ)).toBe('2026-W48');
  });

  test('year boundaries: 2026 has 53 weeks (1 January 2026 is a Thursday), 2025 and 2027 have 52', () => {
    expect(weeksInYear(2026)).toBe(53);
    expect(weeksInYear(2025)).toBe(52);
    expect(weeksInYear(2027)).toBe(52);
    expect(weeksInYear(2020)).toBe(53); // leap year starting on a Wednesday
    // 2026-W01 starts Monday 29 December 2025 (the week holding 4 January).
    expect(weekDates('2026-W01')).toEqual({ monday: '2025-12-29', sunday: '2026-01-04' });
    expect(weekOf(new Date('2025-12-29T00:00:00+08:00'), TZ)).toBe('2026-W01');
    // 2026-W53 runs into 2027; 2027-W01 starts Monday 4 January 2027.
    expect(weekDates('2026-W53')).toEqual({ monday: '2026-12-28', sunday: '2027-01-03' });
    expect(weekOf(new Date('2027-01-03T12:00:00+08:00'), TZ)).toBe('2026-W53');
    expect(weekOf(new Date('2027-01-04T00:00:00+08:00'), TZ)).toBe('2027-W01');
    expect(nextWeek('2026-W53')).toBe('2027-W01');
    expect(previousWeek('2027-W01')).toBe('2026-W53');
    expect(previousWeek('2026-W01')).toBe('2025-W52');
    expect(previousWeek('2026-W48')).toBe('2026-W47');
  });

  test('weeks that do not exist are refused with a clear message', () => {
    expect(() => parseWeek('2027-W53')).toThrow(/2027 has weeks W01 to W52/);
    expect(() => parseWeek('2026-W00')).toThrow(/W01 to W53/);
    expect(() => parseWeek('2026-48')).toThrow(expect.objectContaining({ code: 'EWEEK' }));
    expect(parseWeek('2026-W53')).toEqual({ year: 2026, week: 53 });
  });

  test('the digest goes out on the configured weekday and time of its week', () => {
    const friday = { weekday: 'friday', time: '16:00' } as const;
    expect(digestSendTime('2026-W48', friday, TZ).toISOString()).toBe('2026-11-27T08:00:00.000Z');
    expect(digestSendTime('2026-W48', { weekday: 'monday', time: '08:30' }, TZ).toISOString()).toBe('2026-11-23T00:30:00.000Z');
    // W53's Friday is 1 January 2027.
    expect(digestSendTime('2026-W53', friday, TZ).toISOString()).toBe('2027-01-01T08:00:00.000Z');
    // Before Friday 16:00 the next digest is this week's; at or after it (a moment later), next week's.
    expect(nextDigestWeek(new Date('2026-11-27T07:59:00Z'), friday, TZ)).toBe('2026-W48');
    expect(nextDigestWeek(new Date('2026-11-27T08:00:00Z'), friday, TZ)).toBe('2026-W48');
    expect(nextDigestWeek(new Date('2026-11-27T08:00:01Z'), friday, TZ)).toBe('2026-W49');
  });
});
