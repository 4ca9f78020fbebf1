// Schedule specs: the times a Temporal ScheduleSpec matches. Structured calendars (ranges per field,
// in the spec's time zone), calendar and cron strings compiled into structured calendars as the real
// server does on input, intervals (epoch + n × interval + phase), exclusions, start and end times.
// Jitter is not applied (a test server should fire at the nominal time).
import { invalidArgument } from './errors.js';
import { durationToMs, timestampToMs, type DurationLike, type Obj } from './proto.js';

export interface Range {
  start: number;
  end: number;
  step: number;
}

export interface StructuredCalendar {
  second: Range[];
  minute: Range[];
  hour: Range[];
  dayOfMonth: Range[];
  month: Range[];
  year: Range[];
  dayOfWeek: Range[];
  comment: string;
}

export interface Interval {
  intervalMs: number;
  phaseMs: number;
}

/** A ScheduleSpec after compilation: what Describe shows and what the schedule fires on. */
export interface CompiledSpec {
  calendars: StructuredCalendar[];
  excluded: StructuredCalendar[];
  intervals: Interval[];
  startMs: number | null;
  endMs: number | null;
  jitter: Obj | null;
  timeZone: string;
}

type Field = 'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'year' | 'dayOfWeek';

const LIMITS: Record<Field, [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  year: [1970, 2200],
  dayOfWeek: [0, 6],
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// ------------------------------------------------------------------ compiling a spec

interface RangeLike {
  start?: number | null;
  end?: number | null;
  step?: number | null;
}

function normalizeRanges(list: RangeLike[] | null | undefined): Range[] {
  return (list ?? []).map((r) => {
    const start = Number(r.start ?? 0);
    const end = Math.max(start, Number(r.end ?? 0));
    return { start, end, step: Math.max(1, Number(r.step ?? 0)) };
  });
}

function structured(c: Record<string, unknown>): StructuredCalendar {
  return {
    second: normalizeRanges(c.second as RangeLike[]),
    minute: normalizeRanges(c.minute as RangeLike[]),
    hour: normalizeRanges(c.hour as RangeLike[]),
    dayOfMonth: normalizeRanges(c.dayOfMonth as RangeLike[]),
    month: normalizeRanges(c.month as RangeLike[]),
    year: normalizeRanges(c.year as RangeLike[]),
    dayOfWeek: normalizeRanges(c.dayOfWeek as RangeLike[]),
    comment: typeof c.comment === 'string' ? c.comment : '',
  };
}

function nameValue(field: Field, text: string): number {
  const t = text.toLowerCase();
  if (field === 'month') {
    const i = MONTHS.indexOf(t.slice(0, 3));
    if (i >= 0 && /^[a-z]+$/.test(t)) return i + 1;
  }
  if (field === 'dayOfWeek') {
    const i = DAYS.indexOf(t.slice(0, 3));
    if (i >= 0 && /^[a-z]+$/.test(t)) return i;
  }
  if (!/^\d+$/.test(t)) throw invalidArgument(`schedule spec: "${text}" is not a valid ${field} value`);
  const n = Number(t);
  // Cron allows 7 for Sunday.
  return field === 'dayOfWeek' && n === 7 ? 0 : n;
}

/** One calendar/cron field ("*", "1-5", "MON-FRI", "*\/15", "0,30", "10-50/10") as ranges. */
export function parseField(field: Field, text: string): Range[] {
  const [min, max] = LIMITS[field];
  const ranges: Range[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') throw invalidArgument(`schedule spec: empty ${field} value in "${text}"`);
    const [base, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw invalidArgument(`schedule spec: bad step in ${field} "${part}"`);
    let start: number;
    let end: number;
    if (base === '*' || base === '?') {
      if (field === 'year') return []; // all years
      start = min;
      end = max;
    } else if (base!.includes('-')) {
      const [a, b] = base!.split('-');
      start = nameValue(field, a!);
      end = nameValue(field, b!);
    } else {
      start = nameValue(field, base!);
      end = stepText === undefined ? start : max;
    }
    if (start < min || end > max || end < start) throw invalidArgument(`schedule spec: ${field} "${part}" is out of range ${min}-${max}`);
    ranges.push({ start, end, step });
  }
  return ranges;
}

const CALENDAR_DEFAULTS: Record<Field, string> = {
  second: '0',
  minute: '0',
  hour: '0',
  dayOfMonth: '*',
  month: '*',
  year: '*',
  dayOfWeek: '*',
};

function fromCalendarStrings(c: Record<string, unknown>): StructuredCalendar {
  const field = (f: Field) => parseField(f, typeof c[f] === 'string' && c[f] !== '' ? (c[f]) : CALENDAR_DEFAULTS[f]);
  return {
    second: field('second'),
    minute: field('minute'),
    hour: field('hour'),
    dayOfMonth: field('dayOfMonth'),
    month: field('month'),
    year: field('year'),
    dayOfWeek: field('dayOfWeek'),
    comment: typeof c.comment === 'string' ? c.comment : '',
  };
}

const CRON_MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A cron string: 5 fields (minute hour day-of-month month day-of-week), a macro, or @every <duration>; CRON_TZ= / TZ= prefix. */
export function parseCron(text: string): { calendar?: StructuredCalendar; interval?: Interval; timeZone?: string } {
  let rest = text.trim();
  let timeZone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(rest);
  if (tz) {
    timeZone = tz[1];
    rest = rest.slice(tz[0].length);
  }
  const every = /^@every\s+(\d+)(s|m|h|d)$/.exec(rest);
  if (every) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[every[2] as 's' | 'm' | 'h' | 'd'];
    return { interval: { intervalMs: Number(every[1]) * unit, phaseMs: 0 }, ...(timeZone ? { timeZone } : {}) };
  }
  rest = CRON_MACROS[rest] ?? rest;
  const parts = rest.split(/\s+/);
  if (parts.length !== 5) throw invalidArgument(`schedule spec: cron string "${text}" must have 5 fields (minute hour day-of-month month day-of-week)`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts as [string, string, string, string, string];
  return {
    calendar: {
      second: [{ start: 0, end: 0, step: 1 }],
      minute: parseField('minute', minute),
      hour: parseField('hour', hour),
      dayOfMonth: parseField('dayOfMonth', dayOfMonth),
      month: parseField('month', month),
      year: [],
      dayOfWeek: parseField('dayOfWeek', dayOfWeek),
      comment: '',
    },
    ...(timeZone ? { timeZone } : {}),
  };
}

function checkTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw invalidArgument(`schedule spec: unknown time zone "${zone}"`);
  }
}

/** Compile a ScheduleSpec message (decoded) the way the server does on input. */
export function compileSpec(spec: Record<string, unknown> | null | undefined): CompiledSpec {
  const s = spec ?? {};
  let timeZone = typeof s.timezoneName === 'string' && s.timezoneName ? s.timezoneName : 'UTC';
  const calendars = ((s.structuredCalendar as Record<string, unknown>[] | undefined) ?? []).map(structured);
  for (const c of (s.calendar as Record<string, unknown>[] | undefined) ?? []) calendars.push(fromCalendarStrings(c));
  const intervals: Interval[] = ((s.interval as { interval?: DurationLike; phase?: DurationLike }[] | undefined) ?? []).map((i) => {
    const intervalMs = Math.floor(durationToMs(i.interval) / 1000) * 1000;
    if (intervalMs <= 0) throw invalidArgument('schedule spec: an interval must be at least one second');
    return { intervalMs, phaseMs: Math.floor(durationToMs(i.phase) / 1000) * 1000 };
  });
  for (const cron of (s.cronString as string[] | undefined) ?? []) {
    const c = parseCron(cron);
    if (c.calendar) calendars.push(c.calendar);
    if (c.interval) intervals.push(c.interval);
    if (c.timeZone) timeZone = c.timeZone;
  }
  const excluded = ((s.excludeStructuredCalendar as Record<string, unknown>[] | undefined) ?? []).map(structured);
  for (const c of (s.excludeCalendar as Record<string, unknown>[] | undefined) ?? []) excluded.push(fromCalendarStrings(c));
  const startMs = s.startTime ? timestampToMs(s.startTime) : null;
  const endMs = s.endTime ? timestampToMs(s.endTime) : null;
  return { calendars, excluded, intervals, startMs, endMs, jitter: (s.jitter as Obj | null | undefined) ?? null, timeZone: checkTimeZone(timeZone) };
}

/** The compiled spec as a ScheduleSpec message (what DescribeSchedule answers). */
export function specMessage(spec: CompiledSpec): Obj {
  const cal = (c: StructuredCalendar) => ({ ...c });
  return {
    structuredCalendar: spec.calendars.map(cal),
    excludeStructuredCalendar: spec.excluded.map(cal),
    interval: spec.intervals.map((i) => ({ interval: { seconds: i.intervalMs / 1000 }, phase: { seconds: i.phaseMs / 1000 } })),
    ...(spec.startMs !== null ? { startTime: { seconds: Math.floor(spec.startMs / 1000) } } : {}),
    ...(spec.endMs !== null ? { endTime: { seconds: Math.floor(spec.endMs / 1000) } } : {}),
    ...(spec.jitter ? { jitter: spec.jitter } : {}),
    timezoneName: spec.timeZone,
  };
}

// ------------------------------------------------------------------ matching times

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localTime(ms: number, zone: string): LocalTime {
  const out: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

function offsetMs(ms: number, zone: string): number {
  const l = localTime(ms, zone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant a local wall time in `zone` names (the earlier one when a clock change repeats it). */
function zonedToUtc(l: LocalTime, zone: string): number {
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  const first = wall - offsetMs(wall, zone);
  return wall - offsetMs(first, zone);
}

function inRanges(ranges: Range[], v: number): boolean {
  return ranges.some((r) => v >= r.start && v <= r.end && (v - r.start) % r.step === 0);
}

function values(ranges: Range[]): number[] {
  const set = new Set<number>();
  for (const r of ranges) for (let v = r.start; v <= r.end; v += r.step) set.add(v);
  return [...set].sort((a, b) => a - b);
}

function matchesDay(c: StructuredCalendar, year: number, month: number, day: number, weekday: number): boolean {
  return (c.year.length === 0 || inRanges(c.year, year)) && inRanges(c.month, month) && inRanges(c.dayOfMonth, day) && inRanges(c.dayOfWeek, weekday);
}

function matchesCalendar(c: StructuredCalendar, ms: number, zone: string): boolean {
  const l = localTime(ms, zone);
  const weekday = new Date(Date.UTC(l.year, l.month - 1, l.day)).getUTCDay();
  return matchesDay(c, l.year, l.month, l.day, weekday) && inRanges(c.hour, l.hour) && inRanges(c.minute, l.minute) && inRanges(c.second, l.second);
}

const DAY_MS = 86_400_000;
/** How far ahead a calendar is searched (a Feb 29 that falls on a given weekday recurs within 28 years). */
const SEARCH_DAYS = 366 * 29;

function nextCalendarTime(c: StructuredCalendar, afterMs: number, zone: string): number | null {
  const hours = values(c.hour);
  const minutes = values(c.minute);
  const seconds = values(c.second);
  if (hours.length === 0 || minutes.length === 0 || seconds.length === 0) return null;
  const start = localTime(afterMs, zone);
  let dayMs = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < SEARCH_DAYS; i++, dayMs += DAY_MS) {
    const d = new Date(dayMs);
    const year = d.getUTCFullYear();
    if (c.year.length > 0 && year > Math.max(...c.year.map((r) => r.end))) return null;
    if (!matchesDay(c, year, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay())) continue;
    const firstDay = i === 0;
    for (const hour of hours) {
      if (firstDay && hour < start.hour - 1) continue; // (-1: a clock change can shift the local hour)
      for (const minute of minutes)
        for (const second of seconds) {
          const t = zonedToUtc({ year, month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour, minute, second }, zone);
          // A wall time that a clock change skips maps to another hour: not a match.
          if (t > afterMs && localTime(t, zone).hour === hour) return t;
        }
    }
  }
  return null;
}

function nextIntervalTime(i: Interval, afterMs: number): number {
  const n = Math.floor((afterMs - i.phaseMs) / i.intervalMs) + 1;
  return n * i.intervalMs + i.phaseMs;
}

/** The first time the spec matches strictly after `afterMs`, or null if it never does again. */
export function nextMatch(spec: CompiledSpec, afterMs: number): number | null {
  let after = afterMs;
  if (spec.startMs !== null && after < spec.startMs) after = spec.startMs - 1;
  for (let guard = 0; guard < 10_000; guard++) {
    let best: number | null = null;
    for (const c of spec.calendars) {
      const t = nextCalendarTime(c, after, spec.timeZone);
      if (t !== null && (best === null || t < best)) best = t;
    }
    for (const i of spec.intervals) {
      const t = nextIntervalTime(i, after);
      if (best === null || t < best) best = t;
    }
    if (best === null || (spec.endMs !== null && best > spec.endMs)) return null;
    if (!spec.excluded.some((c) => matchesCalendar(c, best, spec.timeZone))) return best;
    after = best;
  }
  return null;
}

/** Up to `count` matching times after `afterMs` (and not after `untilMs`). */
export function matchingTimes(spec: CompiledSpec, afterMs: number, count: number, untilMs = Infinity): number[] {
  const out: number[] = [];
  let t = afterMs;
  while (out.length < count) {
    const next = nextMatch(spec, t);
    if (next === null || next > untilMs) break;
    out.push(next);
    t = next;
  }
  return out;
}
