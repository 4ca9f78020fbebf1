import { describe, expect, it } from 'vitest';
import { formatAmount, formatDateTime, formatDuration, formatSize } from '../../templates/format.js';

describe('formatDateTime', () => {
  it('zh-CN and en, in the school zone, from ISO or Date', () => {
    expect(formatDateTime('2026-11-26T07:00:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('2026年11月26日 15:00（周四）');
    expect(formatDateTime(new Date('2026-11-26T07:00:00Z'), 'en', 'Asia/Shanghai')).toBe('Thu 26 Nov 2026, 15:00');
    expect(formatDateTime('2026-10-01T00:05:00+08:00', 'zh-CN', 'Asia/Shanghai')).toBe('2026年10月1日 00:05（周四）');
    expect(formatDateTime('2026-11-26T07:00:00Z', 'en', 'America/New_York')).toBe('Thu 26 Nov 2026, 02:00');
  });
  it('refuses what is not a time', () => {
    expect(() => formatDateTime('soon', 'zh-CN', 'Asia/Shanghai')).toThrow(/expected an ISO time/);
    expect(() => formatDateTime(undefined, 'zh-CN', 'Asia/Shanghai')).toThrow(/expected an ISO time/);
  });
});

describe('formatDuration and formatAmount', () => {
  it('at most two units, whole minutes', () => {
    const min = 60_000;
    expect(formatDuration(45 * min, 'zh-CN')).toBe('45 分钟');
    expect(formatDuration(135 * min, 'zh-CN')).toBe('2 小时 15 分钟');
    expect(formatDuration(120 * min, 'zh-CN')).toBe('2 小时');
    expect(formatDuration(-(3 * 1440 + 125) * min, 'zh-CN')).toBe('3 天 2 小时');
    expect(formatDuration(20_000, 'zh-CN')).toBe('不到 1 分钟');
    expect(formatDuration(61 * min, 'en')).toBe('1 hour 1 minute');
    expect(formatDuration(1440 * min, 'en')).toBe('1 day');
    expect(formatAmount(1, 'working_days', 'zh-CN')).toBe('1 个工作日');
    expect(formatAmount(2, 'hours', 'en')).toBe('2 hours');
  });
  it('sizes', () => {
    expect(formatSize(820)).toBe('820 B');
    expect(formatSize(356_000)).toBe('348 KB');
    expect(formatSize(2_457_600)).toBe('2.3 MB');
  });
});
