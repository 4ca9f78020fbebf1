// The office adds next year's State Council schedule to the configuration (calendar.statutory): the example
// in config/example.yaml is valid as it stands, replaces the provisional year everywhere, and doctor's fix
// for a missing year is exactly that. Mistakes are refused with their place.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { schoolCalendar } from '../../config/school.js';
import { calendarCheck } from '../../doctor/checks.js';

const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');
/** The example file with its commented `statutory:` block switched on, as the office would write it. */
const withSchedule = example.replace(/^ {2}# statutory:[^\n]*\n(?: {2}# {3}[^\n]*\n)+/m, (block) => block.replace(/^ {2}# /gm, '  '));
const now = new Date('2026-12-05T09:00:00+08:00');
const doctor = (text: string) => calendarCheck({ config: parseConfig(text, 'baosong.config.yaml'), configFile: 'baosong.config.yaml', env: {}, timeoutMs: 1000, now });

describe('calendar.statutory: the office’s copy of next year’s schedule', () => {
  it('without it, doctor says 2027 is provisional and how to fix it, in Chinese', async () => {
    const lines = await doctor(example);
    expect(lines).toEqual([
      { check: 'calendar 2026', status: 'ok', message: '2026 年法定节假日和调休已内置' },
      {
        check: 'calendar 2027',
        status: 'warn',
        message: '2027 年放假安排尚未录入：只按法定节日推算（没有调休），2027 年的时限都是暂定的',
        fix: expect.stringContaining('按 config/example.yaml 里的示例把它写入配置 calendar.statutory."2027"') as string,
      },
    ]);
  });

  it('doing what doctor says (the example block, switched on) is valid and makes 2027 known', async () => {
    expect(withSchedule).not.toBe(example);
    const config = parseConfig(withSchedule, 'baosong.config.yaml');
    expect(Object.keys(config.calendar.statutory)).toEqual(['2027']);
    const lines = await doctor(withSchedule);
    expect(lines[1]).toEqual({ check: 'calendar 2027', status: 'ok', message: '2027 年放假安排：取自配置 calendar.statutory.2027（国办发明电〔2026〕×号）' });
    const calendar = schoolCalendar(config);
    expect(calendar.day('2027-02-10')).toMatchObject({ working: false, name: '春节', provisional: false });
    expect(calendar.day('2027-02-20')).toMatchObject({ working: true, kind: 'makeup_workday' });
  });

  it('refuses a make-up day on a weekday, a range that ends before it starts, and a missing legal holiday, each with its place', () => {
    const broken = withSchedule
      .replace('{ name: 春节, date: 2027-02-20 }', '{ name: 春节, date: 2027-02-18 }')
      .replace('{ name: 元旦, from: 2027-01-01, to: 2027-01-03 }', '{ name: 元旦, from: 2027-01-03, to: 2027-01-01 }');
    let error: unknown;
    try {
      parseConfig(broken, 'baosong.config.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/calendar\.statutory\.2027\.holidays\[0\]\.to: 结束日期（2027-01-01）早于开始日期（2027-01-03）/);
    expect(message).toMatch(/calendar\.statutory\.2027: 调休上班日 2027-02-18 是工作日（调休上班只会在周六或周日）/);
    expect(message).toMatch(/calendar\.statutory\.2027: 2027-01-01（元旦）是法定假日（《全国年节及纪念日放假办法》），却不在放假日期里/);
  });
});

describe('domain/law-holidays.json', () => {
  it('is what scripts/law-holidays.ts computes from chinese-days (run `npm run calendar:law` after updating it)', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/law-holidays.ts', '--check'], { env: { ...process.env, TZ: 'UTC' } });
    expect(stdout).toContain('domain/law-holidays.json is current');
  });
});
