/**
 * Writes domain/law-holidays.json: for each year, the days off fixed by 《全国年节及纪念日放假办法》 (2024 revision)
 * — 元旦 1 day, 春节 4 (除夕 and 正月初一–初三), 清明 1 (the solar term's day), 劳动节 2, 端午 1, 中秋 1, 国庆 3 —
 * with the lunar dates and the solar term computed by chinese-days. The table is data (like chinese-days.json):
 * the calendar reads it, so no lunar arithmetic runs in a worker, whatever its time zone. chinese-days mixes UTC and
 * local time, so this script must run with TZ=UTC (it refuses otherwise).
 *   npm run calendar:law            rewrite the table
 *   npm run calendar:law -- --check exit 1 if the table differs from what the script computes
 */
import { readFileSync, writeFileSync } from 'node:fs';
import cd from 'chinese-days';

const FIRST = 2025; // the 2024 revision applies from 2025 (earlier years are in the official data anyway)
const LAST = 2099; // chinese-days' lunar table ends with 2100
const file = new URL('../domain/law-holidays.json', import.meta.url);

if (new Date(0).getTimezoneOffset() !== 0) {
  console.error('law-holidays: run with TZ=UTC (chinese-days gives dates a day off in other zones)');
  process.exit(2);
}

const pad = (n: number) => String(n).padStart(2, '0');
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const lunar = (year: number, month: number, day: number) => cd.getSolarDateFromLunar(`${year}-${pad(month)}-${pad(day)}`).date;

function lawDays(year: number): Record<string, string> {
  const days: Record<string, string> = {};
  const put = (date: string, name: string) => {
    // 中秋 and 国庆 can fall on the same day: the day is off once, under both names.
    days[date] = days[date] ? `${days[date]}、${name}` : name;
  };
  put(`${year}-01-01`, '元旦');
  const springFestival = lunar(year, 1, 1);
  for (let i = -1; i <= 2; i++) put(addDays(springFestival, i), '春节');
  put(cd.getSolarTermDate(year, 4, 'pure_brightness'), '清明节');
  put(`${year}-05-01`, '劳动节');
  put(`${year}-05-02`, '劳动节');
  put(lunar(year, 5, 5), '端午节');
  put(lunar(year, 8, 15), '中秋节');
  for (const d of ['01', '02', '03']) put(`${year}-10-${d}`, '国庆节');
  return Object.fromEntries(Object.entries(days).sort(([a], [b]) => a.localeCompare(b)));
}

const table: Record<string, Record<string, string>> = {};
for (let y = FIRST; y <= LAST; y++) table[y] = lawDays(y);
const text = JSON.stringify({ law: '全国年节及纪念日放假办法（2024年修订）', generatedBy: 'scripts/law-holidays.ts', years: table }, null, 1) + '\n';

if (process.argv.includes('--check')) {
  const same = readFileSync(file, 'utf8') === text;
  console.log(same ? 'domain/law-holidays.json is current' : 'domain/law-holidays.json differs from what chinese-days computes: run npm run calendar:law');
  process.exit(same ? 0 : 1);
}
writeFileSync(file, text);
console.log(`wrote domain/law-holidays.json (${FIRST}–${LAST})`);
