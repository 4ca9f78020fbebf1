/**
 * Wall-clock time in a named time zone, computed with Intl only (no clock reads, no I/O).
 * Every instant in baosong is a JS Date (UTC); local dates and times exist only at the edges:
 * deadlines, parsing "11月26日15:00", and formatting for people.
 */

/** The school's zone unless configured otherwise (China has one zone and no DST). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export interface LocalDateTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A calendar date such as "2026-10-08". */
export type LocalDate = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when it is not an IANA time zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`Unknown time zone "${timeZone}" (expected an IANA name such as Asia/Shanghai)`);
  }
}

/**
 * Readings already made, by time zone and instant: a report's mails show the same few instants (received, due,
 * the event) again and again, and formatToParts is the slow part of a mail's dates. Bounded: emptied when full.
 */
const readings = new Map<string, Readonly<LocalDateTime>>();
const MAX_READINGS = 5000;

/** The wall-clock reading of `instant` in `timeZone`. */
export function toLocal(instant: Date, timeZone: string): LocalDateTime {
  const key = `${timeZone} ${instant.getTime()}`;
  const known = readings.get(key);
  if (known) return { ...known };
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const reading = {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
  if (readings.size >= MAX_READINGS) readings.clear();
  readings.set(key, reading);
  return { ...reading };
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (Asia/Shanghai: +480). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const l = toLocal(instant, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60_000);
}

/**
 * The instant at which clocks in `timeZone` read `local`. In a DST gap the later offset wins;
 * in a repeated hour the earlier instant wins. (Asia/Shanghai has neither.)
 */
export function fromLocal(local: LocalDateTime, timeZone: string): Date {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  let guess = asUtc - offsetMinutes(new Date(asUtc), timeZone) * 60_000;
  const second = asUtc - offsetMinutes(new Date(guess), timeZone) * 60_000;
  if (second !== guess) guess = Math.min(guess, second);
  // Both probes can land after the clocks went back (Berlin's 02:00 on the last Sunday of October: 01:00Z, CET):
  // the offset in force a day before gives the other instant, kept when it reads the same (the earlier one wins).
  const before = asUtc - offsetMinutes(new Date(guess - 86_400_000), timeZone) * 60_000;
  if (before < guess && sameReading(toLocal(new Date(before), timeZone), local)) guess = before;
  return new Date(guess);
}

function sameReading(a: LocalDateTime, b: LocalDateTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function formatLocalDate(l: Pick<LocalDateTime, 'year' | 'month' | 'day'>): LocalDate {
  return `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}`;
}

/** The school's local date (YYYY-MM-DD) of an instant. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  return formatLocalDate(toLocal(instant, timeZone));
}

export function parseLocalDate(date: LocalDate): Pick<LocalDateTime, 'year' | 'month' | 'day'> {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`"${date}" is not a date (expected YYYY-MM-DD)`);
  const parsed = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const check = new Date(Date.UTC(parsed.year, parsed.month - 1, parsed.day));
  if (check.getUTCMonth() !== parsed.month - 1 || check.getUTCDate() !== parsed.day) {
    throw new RangeError(`"${date}" is not a real calendar date`);
  }
  return parsed;
}

/** The local calendar date `days` after `date` (negative goes back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return formatLocalDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** 0 = Sunday … 6 = Saturday, for a local calendar date. */
export function weekday(date: LocalDate): number {
  const { year, month, day } = parseLocalDate(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** ISO 8601 with the zone's offset, e.g. "2026-10-08T16:00:00+08:00". */
export function formatIsoInZone(instant: Date, timeZone: string): string {
  const l = toLocal(instant, timeZone);
  const off = offsetMinutes(instant, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${formatLocalDate(l)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "08:00" → minutes after midnight. */
export function parseClock(text: string): number {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a time of day (expected HH:MM, e.g. 17:30)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads a time as people type it on the command line or in a form: "2026-09-30T16:00",
 * "2026-09-30 16:00", "2026-09-30" (midnight), with an optional "Z" or "+08:00". Without an
 * offset it is wall-clock time in `timeZone`.
 */
export function parseDateTime(text: string, timeZone: string): Date {
  const m = DATE_TIME_RE.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a date and time (expected e.g. 2026-09-30T16:00 or 2026-09-30T16:00+08:00)`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  try {
    parseLocalDate(`${m[1]}-${m[2]}-${m[3]}`);
  } catch {
    throw new RangeError(`"${text}" is not a real calendar date`);
  }
  const local = { year, month, day, hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0) };
  if (local.hour > 23 || local.minute > 59 || local.second > 59) throw new RangeError(`"${text}" has an impossible time of day`);
  const zone = m[7];
  if (zone === undefined) return fromLocal(local, timeZone);
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  return new Date(Date.UTC(year, month - 1, day, local.hour, local.minute, local.second) - offset * 60_000);
}

const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** "30m", "2h", "1h30m", "1d" → milliseconds (a day is 24 hours here, not a working day). */
export function parseDuration(text: string): number {
  const m = DURATION_RE.exec(text.trim());
  if (!m || text.trim() === '') throw new RangeError(`"${text}" is not a duration (expected e.g. 30m, 2h, 1h30m, 1d)`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000;
}
