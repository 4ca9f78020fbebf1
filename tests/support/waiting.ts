/** Waiting in tests: for something to become true, and for a quiet working morning on the test server's clock. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkingCalendar } from '../../domain/calendar.js';
import { addDays, formatLocalDate, fromLocal, toLocal } from '../../domain/time.js';

/** Polls `probe` until it gives a value; a timeout names what was awaited. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The example school's calendar (its extra holiday after the sports meeting). */
const EXAMPLE_CALENDAR = new WorkingCalendar({ holidays: ['2026-11-06'] });

/**
 * 09:00 (school time) of the next day on the test server's clock that starts three working days in a row: a report
 * submitted then has its deadlines, reminders and escalations on working days, whatever the real date is.
 */
export async function nextQuietMorning(env: TestWorkflowEnvironment, calendar: WorkingCalendar = EXAMPLE_CALENDAR, timeZone = 'Asia/Shanghai'): Promise<Date> {
  let day = formatLocalDate(toLocal(new Date((await env.currentTimeMs()) + 86_400_000), timeZone));
  while (![day, addDays(day, 1), addDays(day, 2)].every((d) => calendar.isWorkingDay(d))) day = addDays(day, 1);
  const [year, month, dayOfMonth] = day.split('-').map(Number) as [number, number, number];
  return fromLocal({ year, month, day: dayOfMonth, hour: 9, minute: 0, second: 0 }, timeZone);
}
