// Every CSV baosong writes defuses cells a spreadsheet would run as formulas, full-width forms included
// (Excel and WPS read ＝SUM(…) as a formula too), and quotes what needs quoting.
import { describe, expect, it } from 'vitest';
import { csvField } from '../../templates/csv.js';

describe('csvField', () => {
  it('puts a quote mark before = + - @, their full-width forms, tab and carriage return at the start', () => {
    for (const lead of ['=', '+', '-', '@', '＝', '＋', '－', '＠', '\t']) expect(csvField(`${lead}HYPERLINK("x")`)).toBe(`"'${lead}HYPERLINK(""x"")"`);
    expect(csvField('\rcmd')).toBe(`"'\rcmd"`);
  });

  it('leaves ordinary text and numbers alone, and quotes commas and quotes', () => {
    expect(csvField('七年级家长会')).toBe('七年级家长会');
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField('后勤,保卫')).toBe('"后勤,保卫"');
  });
});
