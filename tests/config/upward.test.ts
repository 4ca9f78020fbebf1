// The `upward` configuration as the IT teacher writes it: read with its defaults, refused with a reason when wrong,
// and `baosong doctor`'s lines about it (the bureau, the shared keys).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ConfigError, EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { upwardCheck, type CheckLine } from '../../doctor/checks.js';

const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');
function withUpward(upward: unknown, edit: (doc: ReturnType<typeof parseDocument>) => void = () => undefined) {
  const doc = parseDocument(example);
  doc.set('upward', upward);
  edit(doc);
  return parseConfig(doc.toString(), 'baosong.config.yaml');
}
const bureau = { name: '青禾县教育局', email: 'xxk@jyj.test' };
const now = new Date('2026-12-05T02:00:00Z');

describe('upward in the configuration', () => {
  it('takes the bureau and a rule, filling in the bureau’s usual form', () => {
    const config = withUpward({ bureau, rules: [{ category: ['安全管理'], parallel: true, withinHours: 1 }] });
    expect(config.upward).toMatchObject({ subject: '【{school}】{title}', body: true, docx: true, photos: 'attach', maxMB: 20, listenDays: 30 });
    expect(config.upward?.rules[0]).toMatchObject({ category: ['安全管理'], parallel: true, withinHours: 1 });
    expect(config.school.level).toBe('校级');
  });

  it('refuses an unknown category, no rules, and a bureau without an address, saying where', () => {
    const problems = (upward: unknown) => {
      try {
        withUpward(upward);
        return '';
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
    };
    expect(problems({ bureau, rules: [{ category: ['安全'] }] })).toMatch(/upward\.rules\[0\]\.category/);
    expect(problems({ bureau, rules: [] })).toMatch(/upward\.rules/);
    expect(problems({ bureau: { name: '教育局' }, rules: [{}] })).toMatch(/upward\.bureau\.email/);
    expect(problems({ bureau, rules: [{ withinHours: 1, withinWorkingDays: 1 }] })).toMatch(/withinHours 和 withinWorkingDays 只能写一个|not both/);
  });

  it('doctor: the bureau named; a shared key missing is a warning saying what still works; a short one fails', () => {
    const config = withUpward({ bureau, sharedKeyEnv: 'BAOSONG_UPWARD_KEY', rules: [{ parallel: false }] });
    const lines = (env: NodeJS.ProcessEnv) => upwardCheck({ config, configFile: 'baosong.config.yaml', env, timeoutMs: 1000, now }) as CheckLine[];
    expect(lines({}).map((l) => [l.check, l.status])).toEqual([['upward', 'ok'], ['upward key BAOSONG_UPWARD_KEY', 'warn']]);
    expect(lines({})[1]!.message).toContain('回复仍可凭回复凭证和文字生效');
    expect(lines({ BAOSONG_UPWARD_KEY: 'short' })[1]!.status).toBe('fail');
    expect(lines({ BAOSONG_UPWARD_KEY: 'a'.repeat(64) })[1]!.status).toBe('ok');
    expect(upwardCheck({ config: parseConfig(example, 'x.yaml'), configFile: 'x.yaml', env: {}, timeoutMs: 1000, now })).toEqual([]);
  });
});
