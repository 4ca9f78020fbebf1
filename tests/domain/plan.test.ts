import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../domain/calendar.js';
import { planReview, planRevision, type PlanContext } from '../../domain/plan.js';
import { formatIsoInZone } from '../../domain/time.js';

const TZ = 'Asia/Shanghai';
const ctx: PlanContext = {
  calendar: new WorkingCalendar(),
  timeZone: TZ,
  workingHours: { start: '08:00', end: '17:30' },
  reminders: { routine: { before: ['2h'] }, major: { before: ['30m'], every: '1h' }, urgent: { before: ['30m'], every: '30m' } },
  revisionWorkingDays: 2,
  expireWorkingDays: 5,
};
const local = (iso: string) => formatIsoInZone(new Date(iso), TZ);
const at = (s: string) => new Date(s);

describe('review plans', () => {
  it('routine: due the next working day, reminded 2 h before, then every working morning', () => {
    const p = planReview(at('2026-11-26T15:00:00+08:00'), 'routine', ctx);
    expect(local(p.dueAt)).toBe('2026-11-27T15:00:00+08:00');
    expect(p.reminders.map(local)).toEqual(['2026-11-27T13:00:00+08:00']);
    expect(p.overdueReminders.slice(0, 3).map(local)).toEqual(['2026-11-30T08:00:00+08:00', '2026-12-01T08:00:00+08:00', '2026-12-02T08:00:00+08:00']);
  });

  it('routine reminders fall in working hours: 2 h before a 09:00 deadline is the evening before', () => {
    const p = planReview(at('2026-11-26T09:00:00+08:00'), 'routine', ctx);
    expect(p.reminders.map(local)).toEqual(['2026-11-26T17:30:00+08:00']);
    // After a holiday: 2 h before 2026-10-08 10:00 is 08:00 that morning, in hours.
    expect(planReview(at('2026-09-30T10:00:00+08:00'), 'routine', ctx).reminders.map(local)).toEqual(['2026-10-08T08:00:00+08:00']);
    // Due 09:00 after the holiday: 07:00 is outside hours, so the last working moment before it, 2026-09-30 17:30.
    expect(planReview(at('2026-09-30T09:00:00+08:00'), 'routine', ctx).reminders.map(local)).toEqual(['2026-09-30T17:30:00+08:00']);
  });

  it('urgent: due in 2 h, reminded 30 min before, then every 30 min at any hour', () => {
    const p = planReview(at('2026-10-02T22:00:00+08:00'), 'urgent', ctx);
    expect(local(p.dueAt)).toBe('2026-10-03T00:00:00+08:00');
    expect(p.reminders.map(local)).toEqual(['2026-10-02T23:30:00+08:00']);
    expect(p.overdueReminders.slice(0, 2).map(local)).toEqual(['2026-10-03T00:30:00+08:00', '2026-10-03T01:00:00+08:00']);
  });

  it('drops reminders that would come before the report even arrived', () => {
    expect(planReview(at('2026-11-26T15:00:00+08:00'), 'major', { ...ctx, reminders: { ...ctx.reminders, major: { before: ['3h'] } } }).reminders).toEqual([]);
  });
});

describe('revision plans', () => {
  it('gives 2 working days to revise, reminds each working morning after, expires after 5 working days', () => {
    const p = planRevision(at('2026-09-29T10:00:00+08:00'), ctx);
    expect(local(p.revisionDueAt)).toBe('2026-10-08T10:00:00+08:00');
    expect(local(p.expiresAt)).toBe('2026-10-12T10:00:00+08:00'); // 9-30, 10-08, 10-09, 10-10 (调休), 10-12
    expect(p.reminders.map(local)).toEqual(['2026-10-09T08:00:00+08:00', '2026-10-10T08:00:00+08:00', '2026-10-12T08:00:00+08:00']);
  });
});
