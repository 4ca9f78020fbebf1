/**
 * One CSV field, for every CSV baosong writes (the office's export, term statistics): quoted when it holds a
 * quote, comma or line break; text a spreadsheet would run as a formula — starting with = + - @, their
 * full-width forms ＝ ＋ － ＠ (Excel and WPS accept those too), a tab or a carriage return — gets a leading '.
 * Numbers are written as numbers.
 */
const FORMULA_START = /^[=+\-@＝＋－＠\t\r]/;

export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
