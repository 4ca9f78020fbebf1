import { describe, expect, it } from 'vitest';
import { checkOfficeSchedule, expandOfficeSchedule, lawHolidays, LAW_YEARS, WorkingCalendar, STATUTORY_YEARS } from '../../domain/calendar.js';
import { SCHEDULE_2027 } from '../fixtures/schedule-2027.js';

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
    expect(cal.yearSource(2026)).toBe('official');
    expect(cal.covers('2099-05-01')).toBe(false);
    expect(cal.yearSource(2099)).toBe('provisional');
    expect(cal.yearSource(2101)).toBe('unknown');
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

describe('WorkingCalendar (a year the data lacks: the law’s holidays, provisional)', () => {
  const cal = new WorkingCalendar();

  it('knows 2027 only from the law, and says every day of it is provisional', () => {
    expect(STATUTORY_YEARS).not.toContain(2027); // the day chinese-days ships 2027, the office schedule tests below still hold
    expect(cal.yearSource(2027)).toBe('provisional');
    expect(cal.covers('2027-03-01')).toBe(false);
    expect(cal.day('2027-03-01')).toMatchObject({ working: true, kind: 'workday', provisional: true });
    expect(cal.day('2026-12-31')).toMatchObject({ working: true, provisional: false });
  });

  it('takes 元旦, 春节 from 除夕 (2027-02-05) to 初三, 清明, 劳动节, 端午, 中秋 and 国庆 as days off in 2027', () => {
    const off = (d: string) => cal.day(d);
    expect(off('2027-01-01')).toMatchObject({ working: false, kind: 'holiday', name: '元旦' });
    for (const d of ['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08']) expect(off(d)).toMatchObject({ working: false, name: '春节' });
    expect(off('2027-02-04')).toMatchObject({ working: true });
    expect(off('2027-02-09')).toMatchObject({ working: true }); // Tuesday: no 调休 known yet
    expect(off('2027-04-05')).toMatchObject({ working: false, name: '清明节' });
    for (const d of ['2027-05-01', '2027-05-02']) expect(off(d)).toMatchObject({ working: false, name: '劳动节' });
    expect(off('2027-05-03')).toMatchObject({ working: true });
    expect(off('2027-06-09')).toMatchObject({ working: false, name: '端午节' });
    expect(off('2027-09-15')).toMatchObject({ working: false, name: '中秋节' });
    for (const d of ['2027-10-01', '2027-10-02', '2027-10-03']) expect(off(d)).toMatchObject({ working: false, name: '国庆节' });
    expect(off('2027-10-04')).toMatchObject({ working: true });
  });

  it('agrees with the published schedules of the years both know: every day the law fixes is a day off there', () => {
    for (const year of LAW_YEARS.filter((y) => STATUTORY_YEARS.includes(y))) {
      const days = lawHolidays(year);
      expect(days.length).toBeGreaterThanOrEqual(13);
      for (const { date, name } of days) expect(cal.day(date), `${date} ${name}`).toMatchObject({ working: false, kind: 'holiday' });
    }
    expect(LAW_YEARS.filter((y) => STATUTORY_YEARS.includes(y))).toEqual([2025, 2026]);
  });
});

describe('WorkingCalendar (the office’s copy of the State Council’s schedule)', () => {
  const schedule2027 = SCHEDULE_2027;

  it('replaces the provisional year: its holidays and 调休 count, and nothing is provisional any more', () => {
    const cal = new WorkingCalendar({ statutory: { '2027': expandOfficeSchedule(schedule2027) } });
    expect(cal.yearSource(2027)).toBe('office');
    expect(cal.day('2027-02-09')).toMatchObject({ working: false, kind: 'holiday', name: '春节', provisional: false });
    expect(cal.day('2027-02-20')).toMatchObject({ working: true, kind: 'makeup_workday', name: '春节', provisional: false }); // a Saturday
    expect(cal.nextWorkingDay('2027-02-04')).toBe('2027-02-15');
  });

  it('refuses a schedule that cannot be right, saying why', () => {
    const expanded = expandOfficeSchedule(schedule2027);
    expect(checkOfficeSchedule(2027, expanded)).toEqual([]);
    const weekdayMakeup = { ...expanded, workdays: [{ name: '春节', date: '2027-02-18' }] };
    expect(checkOfficeSchedule(2027, weekdayMakeup)).toEqual([{ kind: 'makeup_on_weekday', date: '2027-02-18' }]);
    const both = { ...expanded, workdays: [{ name: '春节', date: '2027-02-06' }] };
    expect(checkOfficeSchedule(2027, both)).toEqual([{ kind: 'off_and_makeup', date: '2027-02-06' }]);
    const noDragonBoat = expandOfficeSchedule({ ...schedule2027, holidays: schedule2027.holidays.filter((h) => h.name !== '端午节') });
    expect(checkOfficeSchedule(2027, noDragonBoat)).toEqual([{ kind: 'law_holiday_missing', date: '2027-06-09', name: '端午节' }]);
    const wrongYear = expandOfficeSchedule({ ...schedule2027, holidays: [...schedule2027.holidays, { name: '国庆节', from: '2028-10-01' }] });
    expect(checkOfficeSchedule(2027, wrongYear)).toEqual([{ kind: 'not_in_year', date: '2028-10-01' }]);
    expect(() => new WorkingCalendar({ statutory: { '2027': weekdayMakeup } })).toThrow(/calendar\.statutory\.2027: make-up workday/);
  });
});
