/**
 * 稿件体检 on real text: the corpus of tests/fixtures/checks (≥ 30 reports with one planted error each, ≥ 30 clean
 * ones full of traps), checked against the example school's configuration. Every planted error must be found
 * and nothing else; no clean report may have a finding. Prints recall and false findings.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE_CONFIG_FILE, loadConfig } from '../../config/load.js';
import { checkFacts } from '../../config/school.js';
import { CATEGORY_LABELS } from '../../domain/report.js';
import { CHECK_CODES, ReportChecks, type CheckCode, type Finding } from '../../domain/checks/index.js';
import { parseDateTime } from '../../domain/time.js';

interface CorpusReport {
  id: string;
  kind: '简讯' | '详讯';
  category: string;
  received?: string;
  title: string;
  body: string;
  photos?: (string | null)[];
  expect?: CheckCode;
}

const read = (name: string) => parse(readFileSync(new URL(`../fixtures/checks/${name}`, import.meta.url), 'utf8')) as CorpusReport[];
const planted = read('planted.yaml');
const clean = read('clean.yaml');
const { config } = loadConfig({ path: EXAMPLE_CONFIG_FILE });
// The corpus is written for a school that asks for credits (撰稿、摄影), as many do.
const facts = checkFacts(config);
const checks = new ReportChecks({ ...facts, settings: { ...facts.settings, requireCredit: { author: true, photographer: true } } });

function check(r: CorpusReport): Finding[] {
  return checks.check({
    title: r.title,
    body: r.body,
    photos: (r.photos ?? []).map((caption, i) => ({ name: `photo-${i + 1}.jpg`, caption })),
    receivedAt: parseDateTime(r.received ?? '2026-12-04T16:30', 'Asia/Shanghai'),
  });
}

const describeFindings = (fs: Finding[]) => fs.map((f) => `${f.code} «${f.excerpt}»`).join('; ');
const tally = { planted: 0, found: 0, extra: 0, cleanWithFindings: 0 };

describe('the corpus', () => {
  it('has ≥ 30 planted and ≥ 30 clean reports, 简讯 and 详讯, all seven categories, every error code planted', () => {
    expect(planted.length).toBeGreaterThanOrEqual(30);
    expect(clean.length).toBeGreaterThanOrEqual(30);
    for (const set of [planted, clean]) {
      expect(new Set(set.map((r) => r.kind))).toEqual(new Set(['简讯', '详讯']));
      expect(new Set(set.map((r) => r.category))).toEqual(new Set(CATEGORY_LABELS));
    }
    expect(new Set(planted.map((r) => r.expect))).toEqual(new Set(CHECK_CODES));
    expect(new Set([...planted, ...clean].map((r) => r.id)).size).toBe(planted.length + clean.length);
  });
});

describe('planted errors: each found, and nothing else', () => {
  it.each(planted.map((r) => [r.id, r] as const))('%s', (_id, r) => {
    const findings = check(r);
    tally.planted++;
    const found = findings.some((f) => f.code === r.expect);
    if (found) tally.found++;
    tally.extra += findings.length - (found ? 1 : 0);
    expect(findings.map((f) => f.code), describeFindings(findings)).toEqual([r.expect]);
    const f = findings[0]!;
    const text = f.field === 'title' ? r.title : f.field === 'body' ? r.body : (r.photos?.[f.photo ?? -1] ?? '');
    if (f.end > f.start && !['id_number', 'phone_number'].includes(f.code)) expect(text.slice(f.start, f.end)).toBe(f.excerpt);
    expect(f.message['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('clean reports with traps: no finding', () => {
  it.each(clean.map((r) => [r.id, r] as const))('%s', (_id, r) => {
    const findings = check(r);
    if (findings.length > 0) tally.cleanWithFindings++;
    expect(describeFindings(findings)).toBe('');
  });
});

afterAll(() => {
  const recall = tally.planted === 0 ? 0 : tally.found / tally.planted;
  console.log(
    `稿件体检 corpus: recall ${tally.found}/${tally.planted} (${(recall * 100).toFixed(1)}%), ` +
      `false findings: ${tally.extra} beside planted errors, ${tally.cleanWithFindings}/${clean.length} clean reports with a finding`,
  );
});
