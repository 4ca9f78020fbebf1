/**
 * Formatting of times, durations and sizes for people, per locale. Pure: no clock reads.
 */
import { formatLocalDate, toLocal, weekday } from '../domain/time.js';
import type { Locale } from './types.js';

const ZH_WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;
const EN_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const pad = (n: number): string => String(n).padStart(2, '0');

/** Reads an ISO string or Date; throws a RangeError for anything else. */
export function toInstant(value: unknown): Date {
  const d = value instanceof Date ? value : typeof value === 'string' && value.trim() !== '' ? new Date(value) : null;
  if (d === null || Number.isNaN(d.getTime())) {
    throw new RangeError(`expected an ISO time or a Date, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return d;
}

/** zh-CN "2026年11月26日 15:00（周四）"; en "Thu 26 Nov 2026, 15:00" — wall clock in `timeZone`. */
export function formatDateTime(value: unknown, locale: Locale, timeZone: string): string {
  const l = toLocal(toInstant(value), timeZone);
  const wd = weekday(formatLocalDate(l));
  const clock = `${pad(l.hour)}:${pad(l.minute)}`;
  if (locale === 'zh-CN') return `${l.year}年${l.month}月${l.day}日 ${clock}（${ZH_WEEKDAYS[wd] ?? ''}）`;
  return `${EN_WEEKDAYS[wd] ?? ''} ${l.day} ${EN_MONTHS[l.month - 1] ?? ''} ${l.year}, ${clock}`;
}

export type DurationUnit = 'minutes' | 'hours' | 'days' | 'working_days';

function unitPhrase(n: number, unit: DurationUnit, locale: Locale): string {
  if (locale === 'zh-CN') {
    const zh: Record<DurationUnit, string> = { minutes: '分钟', hours: '小时', days: '天', working_days: '个工作日' };
    return `${n} ${zh[unit]}`;
  }
  const en: Record<DurationUnit, string> = { minutes: 'minute', hours: 'hour', days: 'day', working_days: 'working day' };
  return `${n} ${en[unit]}${n === 1 ? '' : 's'}`;
}

/** An amount of one unit: "1 个工作日", "2 hours". */
export function formatAmount(n: number, unit: DurationUnit, locale: Locale): string {
  return unitPhrase(n, unit, locale);
}

/**
 * A span of time in words, at most two units, rounded down to whole minutes:
 * "45 分钟", "2 小时 15 分钟", "3 天 2 小时"; "45 minutes", "2 hours 15 minutes".
 * The sign is dropped (callers say "left" or "overdue").
 */
export function formatDuration(milliseconds: number, locale: Locale): string {
  const minutes = Math.floor(Math.abs(milliseconds) / 60_000);
  if (minutes < 1) return locale === 'zh-CN' ? '不到 1 分钟' : 'less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts: string[] = [];
  if (days > 0) {
    parts.push(unitPhrase(days, 'days', locale));
    if (hours > 0) parts.push(unitPhrase(hours, 'hours', locale));
  } else {
    if (hours > 0) parts.push(unitPhrase(hours, 'hours', locale));
    if (mins > 0) parts.push(unitPhrase(mins, 'minutes', locale));
  }
  return parts.join(' ');
}

/** "356 KB", "1.2 MB", "820 B". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`expected a size in bytes, got ${bytes}`);
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
