import { describe, expect, it } from 'vitest';
import { WorkingCalendar, STATUTORY_YEARS } from '../../domain/calendar.js';

describe('WorkingCalendar (statutory data)', () => {
  const cal = new WorkingCalendar();

  it('knows National Day 2026 as days off and the 调休 Saturday after it as a working day', () => {
    for (const d of ['2026-10-01', '2026-10-04', '2026-10-07']) expect(cal.day(d)).toMatchObject({ working: false, kind: 'holiday' });
    expect(cal.day('2026-10-01').name).toBe('国庆节');
    expect(cal.day('2026-10-10')).toMatchObject({ working: true, kind: 'makeup_workday' });
  });

  it('treats plain weekends as days off and plain weekdays as working days', () => {
    expect(cal.day('2026-11-28')).toMatchObject({ working: false, kind: 'weekend' }); // Saturday
    expect(cal.day('2026-11-26')).toMatchObject({ working: true, kind: 'workday' }); // Thursday
  });

  it('finds the next working day across a holiday', () => {
    expect(cal.nextWorkingDay('2026-09-30')).toBe('2026-10-08');
    expect(cal.nextWorkingDay('2026-10-09')).toBe('2026-10-10');
    expect(cal.addWorkingDays('2026-09-30', 3)).toBe('2026-10-10');
  });

  it('says which years it has statutory data for', () => {
    expect(STATUTORY_YEARS).toContain(2026);
    expect(cal.covers('2026-05-01')).toBe(true);
    expect(cal.covers('2099-05-01')).toBe(false);
  });

  it('rejects impossible dates with a clear message', () => {
    expect(() => cal.day('2026-02-30')).toThrow(/not a real calendar date/);
    expect(() => cal.day('26-1-1')).toThrow(/expected YYYY-MM-DD/);
  });
});

describe('WorkingCalendar (school overrides)', () => {
  it('applies extra holidays and extra workdays before the statutory data', () => {
    const cal = new WorkingCalendar({ holidays: ['2026-11-26'], workdays: ['2026-10-03'] });
    expect(cal.day('2026-11-26')).toMatchObject({ working: false, kind: 'school_holiday' });
    expect(cal.day('2026-10-03')).toMatchObject({ working: true, kind: 'school_workday' });
    expect(cal.nextWorkingDay('2026-11-25')).toBe('2026-11-27');
  });

  it('refuses a date that is both an extra holiday and an extra workday', () => {
    expect(() => new WorkingCalendar({ holidays: ['2026-11-26'], workdays: ['2026-11-26'] })).toThrow(/both as school holiday and as school workday: 2026-11-26/);
  });

  it('gives up with a clear error when overrides leave no working day in sight', () => {
    const holidays = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));
    const cal = new WorkingCalendar({ holidays });
    expect(() => cal.nextWorkingDay('2026-01-01')).toThrow(/No working day within/);
  });
});
