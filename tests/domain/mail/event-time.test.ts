import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSmallNumber, readEventTime } from '../../../domain/mail/event-time.js';
import { formatIsoInZone } from '../../../domain/time.js';

const TZ = 'Asia/Shanghai';
// Thursday 2026-11-26 16:00 in Shanghai.
const RECEIVED = new Date('2026-11-26T16:00:00+08:00');

function read(text: string, received = RECEIVED, timeZone = TZ): { at: string | null; flags: string[] } {
  const r = readEventTime(text, received, timeZone);
  return { at: r.eventTime ? formatIsoInZone(r.eventTime, timeZone) : null, flags: r.flags };
}

describe('readEventTime', () => {
  it.each([
    ['时间：2026-11-26 15:00', '2026-11-26T15:00:00+08:00'],
    ['时间：2026/11/26 15:00:30', '2026-11-26T15:00:00+08:00'],
    ['2026.11.25 9:05 举行', '2026-11-25T09:05:00+08:00'],
    ['活动时间：11月26日15:00', '2026-11-26T15:00:00+08:00'],
    ['11月26日下午3点，七年级召开家长会', '2026-11-26T15:00:00+08:00'],
    ['11月26号上午十点半', '2026-11-26T10:30:00+08:00'],
    ['今天下午3点，英语组教研', '2026-11-26T15:00:00+08:00'],
    ['今天15：30', '2026-11-26T15:30:00+08:00'],
    ['昨晚7点', '2026-11-25T19:00:00+08:00'],
    ['前天上午9点', '2026-11-24T09:00:00+08:00'],
    ['2026年11月25日上午8点30分', '2026-11-25T08:30:00+08:00'],
    ['2026年11月25日（星期三）14:00', '2026-11-25T14:00:00+08:00'],
    ['11月25日 周三 下午两点', '2026-11-25T14:00:00+08:00'],
    ['１１月２５日１５：００', '2026-11-25T15:00:00+08:00'],
    ['11月24日晚上7点\n八年级开展家访', '2026-11-24T19:00:00+08:00'],
    ['中午12点半', '2026-11-26T12:30:00+08:00'],
  ])('%s → %s', (text, at) => {
    expect(read(text).at).toBe(at);
  });

  it('takes a day without a clock time as 17:30 that day, flagged', () => {
    expect(read('昨天，高一年级参观科技馆')).toEqual({ at: '2026-11-25T17:30:00+08:00', flags: ['event_time_date_only'] });
    expect(read('2026年11月20日召开大会').at).toBe('2026-11-20T17:30:00+08:00');
  });

  it('never puts a date-only event of today after the time of receipt', () => {
    const morning = new Date('2026-11-26T09:15:00+08:00');
    expect(read('今天学校召开大会', morning).at).toBe('2026-11-26T09:15:00+08:00');
    expect(read('2026年11月26日召开大会', morning).at).toBe('2026-11-26T09:15:00+08:00');
  });

  it('takes a clock time alone (with 上午/下午 or a label) as the day of receipt, flagged', () => {
    expect(read('下午3点半在报告厅举行')).toEqual({ at: '2026-11-26T15:30:00+08:00', flags: ['event_date_assumed'] });
    expect(read('时间：14:00').at).toBe('2026-11-26T14:00:00+08:00');
  });

  it('joins a day and a clock time on the next line', () => {
    expect(read('活动时间：11月25日\n下午3点')).toEqual({ at: '2026-11-25T15:00:00+08:00', flags: [] });
    expect(read('日期：2026年11月25日，时间：14:30')).toEqual({ at: '2026-11-25T14:30:00+08:00', flags: [] });
  });

  it('ignores numbers that only look like times', () => {
    expect(read('提出三点建议').at).toBeNull();
    expect(read('共有312位家长参加，用时3分20秒').at).toBeNull();
    expect(read('编号 R-2026-0042').at).toBeNull();
    expect(read('2月30日').at).toBeNull();
    expect(read('没有时间').at).toBeNull();
  });

  it('prefers a labelled time over an earlier unlabelled one', () => {
    expect(read('11月20日通知，活动时间：11月25日10:00').at).toBe('2026-11-25T10:00:00+08:00');
  });

  it('does not take a sending time or a deadline as the label of the event', () => {
    expect(read('11月25日上午10点举行\n发送时间: 2026年11月26日 下午4:40').at).toBe('2026-11-25T10:00:00+08:00');
    expect(read('11月25日上午10点举行，截止时间：11月30日').at).toBe('2026-11-25T10:00:00+08:00');
  });

  it('reads a date without a year as the nearest past year across new year', () => {
    expect(read('12月30日下午3点', new Date('2027-01-02T10:00:00+08:00')).at).toBe('2026-12-30T15:00:00+08:00');
    expect(read('1月2日上午9点', new Date('2027-01-02T10:00:00+08:00')).at).toBe('2027-01-02T09:00:00+08:00');
  });

  it('counts 今天 in the school time zone, not UTC', () => {
    // 00:30 on 27 November in Shanghai is still 26 November in UTC.
    const justAfterMidnight = new Date('2026-11-27T00:30:00+08:00');
    expect(read('今天凌晨0点10分', justAfterMidnight).at).toBe('2026-11-27T00:10:00+08:00');
    expect(read('今天15:00', new Date('2026-11-26T16:00:00-05:00'), 'America/New_York').at).toBe('2026-11-26T15:00:00-05:00');
  });

  it('round-trips every clock time written as "时间：2026-11-26 HH:MM"', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (h, m) => {
        const hh = String(h).padStart(2, '0');
        const mm = String(m).padStart(2, '0');
        expect(read(`时间：2026-11-26 ${hh}:${mm}`).at).toBe(`2026-11-26T${hh}:${mm}:00+08:00`);
      }),
    );
  });
});

describe('parseSmallNumber', () => {
  it.each([
    ['3', 3],
    ['三', 3],
    ['两', 2],
    ['十', 10],
    ['十二', 12],
    ['二十三', 23],
  ])('%s → %d', (text, n) => {
    expect(parseSmallNumber(text)).toBe(n);
  });
  it('is NaN for anything else', () => {
    expect(parseSmallNumber('')).toBeNaN();
    expect(parseSmallNumber('十十')).toBeNaN();
  });
});
