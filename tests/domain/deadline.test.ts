import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandOfficeSchedule, WorkingCalendar } from '../../domain/calendar.js';
import { computeDeadline, provisionalWarning, timeliness } from '../../domain/deadline.js';
import { formatIsoInZone, formatLocalDate, toLocal } from '../../domain/time.js';
import { URGENCIES } from '../../domain/report.js';
import { SCHEDULE_2027 } from '../fixtures/schedule-2027.js';

const TZ = 'Asia/Shanghai';
const calendar = new WorkingCalendar();
const ctx = { calendar, timeZone: TZ };
const at = (iso: string) => new Date(iso);
const due = (event: string, urgency: 'routine' | 'major' | 'urgent', c = ctx) =>
  formatIsoInZone(computeDeadline(at(event), urgency, c).dueAt, TZ);

describe('computeDeadline: the examples in notes/domain.md', () => {
  it('routine on the eve of National Day is due the first working day after it, same clock time', () => {
    expect(due('2026-09-30T16:00:00+08:00', 'routine')).toBe('2026-10-08T16:00:00+08:00');
  });

  it('routine on the Friday before a 调休 Saturday is due that Saturday', () => {
    expect(due('2026-10-09T10:00:00+08:00', 'routine')).toBe('2026-10-10T10:00:00+08:00');
  });
});

describe('computeDeadline: the three rules', () => {
  it('major and urgent are due 2 hours after the event, even at night on a holiday', () => {
    expect(due('2026-10-02T23:30:00+08:00', 'urgent')).toBe('2026-10-03T01:30:00+08:00');
    expect(due('2026-11-26T15:00:00+08:00', 'major')).toBe('2026-11-26T17:00:00+08:00');
  });

  it('routine on a working day keeps the clock time, even after working hours', () => {
    expect(due('2026-11-26T21:15:00+08:00', 'routine')).toBe('2026-11-27T21:15:00+08:00');
    expect(due('2026-11-27T09:00:00+08:00', 'routine')).toBe('2026-11-30T09:00:00+08:00'); // Friday → Monday
  });

  it('routine on a day off is due at the end of the next working day', () => {
    expect(due('2026-11-28T10:00:00+08:00', 'routine')).toBe('2026-11-30T17:30:00+08:00'); // Saturday
    const d = computeDeadline(at('2026-10-03T09:00:00+08:00'), 'routine', ctx);
    expect(formatIsoInZone(d.dueAt, TZ)).toBe('2026-10-08T17:30:00+08:00');
    expect(d.rule).toBe('working_day_end_of_day');
    expect(d.explanation).toContain('国庆节');
  });

  it('uses the local date, not the UTC date (an event at 07:00 Shanghai is on the previous UTC day)', () => {
    // 2026-11-30 07:00 +08:00 is Sunday 23:00 UTC; in Shanghai it is Monday, a working day.
    expect(due('2026-11-30T07:00:00+08:00', 'routine')).toBe('2026-12-01T07:00:00+08:00');
  });

  it('follows the configured numbers and school overrides', () => {
    const school = { calendar: new WorkingCalendar({ holidays: ['2026-11-27'] }), timeZone: TZ, rules: { majorHours: 4, workdayEnd: '18:00' } };
    expect(due('2026-11-26T15:00:00+08:00', 'major', school)).toBe('2026-11-26T19:00:00+08:00');
    expect(due('2026-11-26T15:00:00+08:00', 'routine', school)).toBe('2026-11-30T15:00:00+08:00');
    expect(due('2026-11-27T15:00:00+08:00', 'routine', school)).toBe('2026-11-30T18:00:00+08:00');
  });

  it('works in another time zone', () => {
    const berlin = { calendar: new WorkingCalendar(), timeZone: 'Europe/Berlin' };
    expect(formatIsoInZone(computeDeadline(at('2026-11-26T16:00:00+01:00'), 'routine', berlin).dueAt, 'Europe/Berlin')).toBe('2026-11-27T16:00:00+01:00');
  });
});

describe('timeliness', () => {
  it('is on time up to and including the due instant, late after it', () => {
    const dueAt = at('2026-11-27T15:00:00+08:00');
    expect(timeliness(at('2026-11-27T15:00:00+08:00'), dueAt)).toBe('on_time');
    expect(timeliness(at('2026-11-27T15:00:01+08:00'), dueAt)).toBe('late');
  });
});

describe('computeDeadline: properties over 2004–2027', () => {
  const instant = fc.date({ min: new Date('2004-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true });
  const urgency = fc.constantFrom(...URGENCIES);

  it('the due time is always after the event', () => {
    fc.assert(fc.property(instant, urgency, (event, u) => computeDeadline(event, u, ctx).dueAt.getTime() > event.getTime()));
  });

  it('a routine report is always due on a working day, the first one after the event day', () => {
    fc.assert(
      fc.property(instant, (event) => {
        const dueDate = formatLocalDate(toLocal(computeDeadline(event, 'routine', ctx).dueAt, TZ));
        const eventDate = formatLocalDate(toLocal(event, TZ));
        return calendar.isWorkingDay(dueDate) && dueDate === calendar.nextWorkingDay(eventDate);
      }),
    );
  });

  it('a routine report always leaves at least 17.5 hours (a day off ending at midnight → 17:30 next day)', () => {
    fc.assert(fc.property(instant, (event) => computeDeadline(event, 'routine', ctx).dueAt.getTime() - event.getTime() >= 17.5 * 3_600_000));
  });

  it('major and urgent are exactly two hours', () => {
    fc.assert(fc.property(instant, fc.constantFrom('major', 'urgent' as const), (event, u) => computeDeadline(event, u, ctx).dueAt.getTime() - event.getTime() === 7_200_000));
  });
});

describe('computeDeadline in 2027, before the State Council’s schedule is known', () => {
  const provisional = (event: string, c = ctx) => computeDeadline(at(event), 'routine', c).provisional;

  it('skips the law’s holidays (元旦, 春节 from 除夕, 劳动节, 国庆) and says each due time is provisional', () => {
    expect(due('2026-12-31T16:00:00+08:00', 'routine')).toBe('2027-01-04T16:00:00+08:00'); // not 元旦 itself
    expect(provisional('2026-12-31T16:00:00+08:00')).toBe(true);
    expect(due('2027-01-01T10:00:00+08:00', 'routine')).toBe('2027-01-04T17:30:00+08:00'); // event on 元旦: end of the next working day
    expect(due('2027-02-04T10:00:00+08:00', 'routine')).toBe('2027-02-09T10:00:00+08:00'); // 除夕 Fri 5th – 初三 Mon 8th off
    expect(due('2027-04-30T15:00:00+08:00', 'routine')).toBe('2027-05-03T15:00:00+08:00');
    expect(due('2027-09-30T17:00:00+08:00', 'routine')).toBe('2027-10-04T17:00:00+08:00');
    for (const e of ['2027-02-04T10:00:00+08:00', '2027-04-30T15:00:00+08:00', '2027-09-30T17:00:00+08:00']) expect(provisional(e)).toBe(true);
  });

  it('is not provisional where only published years are counted, nor for hours after the event', () => {
    expect(provisional('2026-09-30T16:00:00+08:00')).toBe(false);
    expect(computeDeadline(at('2027-02-05T10:00:00+08:00'), 'urgent', ctx).provisional).toBe(false);
  });

  it('follows the office’s copy of the schedule once it is added, and is no longer provisional', () => {
    const calendar2027 = new WorkingCalendar({
      statutory: {
        '2027': expandOfficeSchedule(SCHEDULE_2027),
      },
    });
    const office = { calendar: calendar2027, timeZone: TZ };
    expect(due('2027-02-04T10:00:00+08:00', 'routine', office)).toBe('2027-02-15T10:00:00+08:00');
    expect(due('2027-04-30T15:00:00+08:00', 'routine', office)).toBe('2027-05-06T15:00:00+08:00');
    expect(due('2027-09-30T17:00:00+08:00', 'routine', office)).toBe('2027-10-08T17:00:00+08:00');
    expect(due('2027-02-19T09:00:00+08:00', 'routine', office)).toBe('2027-02-20T09:00:00+08:00'); // the 调休 Saturday
    expect(provisional('2027-02-04T10:00:00+08:00', office)).toBe(false);
  });

  it('tells people why, in the school’s language, naming the year and where the schedule goes', () => {
    expect(provisionalWarning([2027], 'zh-CN')).toBe('2027 年的放假安排（含调休）尚未录入：此时限只按《全国年节及纪念日放假办法》规定的节日推算，可能会变。国务院办公厅公布安排后，请写入配置 calendar.statutory.2027。');
    expect(provisionalWarning([2027], 'en')).toMatch(/^No State Council holiday schedule for 2027 yet: .* calendar\.statutory\.2027\.$/);
  });
});
