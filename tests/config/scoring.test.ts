// The `scoring:` section: the example carries the county sheet, and a wrong level is a located error.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { COUNTY_SHEET } from '../../domain/scoring.js';

const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');

describe('scoring configuration', () => {
  it('the example holds the county sheet from issue 20', () => {
    const { scoring } = parseConfig(example, 'baosong.config.yaml');
    expect(scoring?.sentNotUsed).toEqual(COUNTY_SHEET.sentNotUsed);
    expect(scoring?.deductions).toEqual(COUNTY_SHEET.deductions);
    expect(scoring?.rules.map((r) => [r.level, r.kind, r.points])).toEqual(COUNTY_SHEET.rules.map((r) => [r.level, r.kind, r.points]));
  });

  it('an unknown level is an error with its line and path', () => {
    let err: unknown;
    try {
      parseConfig(example.replace('{ level: 省级,', '{ level: 全省,'), 'baosong.config.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/scoring\.rules\[4\]\.level: 应为 校级、县区级、市级、省级 或 国家级/);
    expect((err as ConfigError).problems[0]?.line).toBe(example.split('\n').findIndex((l) => l.includes('{ level: 省级,')) + 1);
  });
});
