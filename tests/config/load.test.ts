import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_CONFIG_FILE, loadConfig, parseConfig, readSecret } from '../../config/load.js';
import { identify, schoolCalendar } from '../../config/school.js';

const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');
const errorOf = (text: string): ConfigError => {
  try {
    parseConfig(text, 'baosong.config.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('the example configuration', () => {
  const { config } = loadConfig({ path: EXAMPLE_CONFIG_FILE });

  it('loads, with the seed’s departments and the default time zone and hours', () => {
    expect(config.school.timeZone).toBe('Asia/Shanghai');
    expect(config.workingHours).toEqual({ start: '08:00', end: '17:30' });
    expect(config.departments.map((d) => d.name)).toEqual(expect.arrayContaining(['办公室', '教务处', '德育处', '总务处', '安全办', '七年级组']));
    expect(config.review.chains.at(-1)?.when).toBeUndefined();
  });

  it('feeds its school holiday into the calendar', () => {
    expect(schoolCalendar(config).day('2026-11-06')).toMatchObject({ working: false, kind: 'school_holiday' });
  });

  it('names every role an address has, aliases and case included', () => {
    expect(identify(config, 'ZhouXiaoMei@school.test')).toEqual({
      address: 'zhouxiaomei@school.test',
      name: '周晓梅',
      roles: [{ role: 'department_head', department: 'bangongshi', departmentName: '办公室' }, { role: 'office' }],
    });
    expect(identify(config, 'liufang1988@qq.com').roles).toEqual([{ role: 'liaison', department: 'jiaowu', departmentName: '教务处' }]);
    expect(identify(config, 'huangchen@school.test').roles).toEqual([{ role: 'member', department: 'grade-7', departmentName: '七年级组' }]);
    expect(identify(config, 'stranger@example.com')).toEqual({ address: 'stranger@example.com', name: null, roles: [] });
  });
});

describe('configuration errors name the file, line, path and problem', () => {
  it('a bad e-mail address', () => {
    const err = errorOf(example.replace('wangjianguo@school.test', 'wangjianguo@'));
    expect(err.code).toBe('ECONFIG');
    const line = example.split('\n').findIndex((l) => l.includes('wangjianguo@school.test')) + 1;
    expect(err.message).toContain(`baosong.config.yaml:${line}:`);
    expect(err.message).toMatch(/departments\[1\]\.head\.email: “wangjianguo@”不是邮箱地址/);
  });

  it('what people type by mistake: an empty address is missing, a full-width ＠ or ：is named, a person as a line of text gets the shape to write', () => {
    const empty = errorOf(example.replace('wangjianguo@school.test', "''"));
    expect(empty.message).toMatch(/departments\[1\]\.head\.email: 缺少此项：邮箱地址是空的/);
    const wide = errorOf(example.replace('wangjianguo@school.test', 'wangjianguo＠school.test'));
    expect(wide.message).toMatch(/里有全角的 ＠ 或 ．：请切换到英文输入法输入 @ 和 \./);
    const colon = errorOf(example.replace('timeZone: Asia/Shanghai', 'timeZone：Asia/Shanghai'));
    const line = example.split('\n').findIndex((l) => l.includes('timeZone: Asia/Shanghai')) + 1;
    expect(colon.problems).toContainEqual(expect.objectContaining({ line, message: expect.stringMatching(/“timeZone”后面是全角冒号“：”：请改成英文冒号加一个空格/) }));
    const text = errorOf(example.replace('head: { name: 王建国, email: wangjianguo@school.test, title: 教务主任 }', 'head: 王建国 <wangjianguo@school.test>'));
    expect(text.message).toMatch(/departments\[1\]\.head: 应写成一个人的姓名和邮箱，例如 \{ name: 王建国, email: wangjianguo@school\.edu\.cn \}，而不是一行文字“王建国 <wangjianguo@school\.test>”/);
  });

  it('one address given to two different people is an error; the same person in two roles is not', () => {
    const two = errorOf(example.replace('head: { name: 王建国, email: wangjianguo@school.test, title: 教务主任 }', 'head: { name: 王建国, email: liufang@school.test, title: 教务主任 }'));
    expect(two.message).toMatch(/departments\[1\]\.liaisons\[0\]\.email: liufang@school\.test 同时给了王建国（departments\[1\]\.head）和刘芳：每个人要用自己的邮箱地址/);
  });

  it('an unknown time zone and an unknown key', () => {
    const err = errorOf(example.replace('timeZone: Asia/Shanghai', 'timeZone: Asia/Beijing\n  colour: red'));
    expect(err.message).toMatch(/^baosong\.config\.yaml：配置有误$/m);
    expect(err.message).toMatch(/school\.timeZone: 没有这个时区：请写 IANA 时区名，例如 Asia\/Shanghai/);
    expect(err.message).toMatch(/school: 没有这个设置项："colour"。请检查拼写和缩进/);
    expect(err.problems).toHaveLength(2);
  });

  it('a missing section', () => {
    const err = errorOf(example.replace(/^office:[\s\S]*?(?=^leadership:)/m, ''));
    expect(err.problems).toEqual([expect.objectContaining({ path: 'office', line: expect.any(Number), message: '缺少此项：应填一组设置（下面缩进的几行）' })]);
  });

  it('YAML syntax errors and duplicate keys, with line numbers', () => {
    const dup = errorOf('school:\n  name: A\nschool:\n  name: B\n');
    expect(dup.problems[0]).toMatchObject({ line: 3, message: 'YAML 格式错误：同一组设置里出现了两次相同的设置项' });
    const bad = errorOf('school: [unclosed\n');
    expect(bad.problems[0]?.message).toMatch(/^YAML 格式错误：/);
  });

  it('in English when the school chose `locale: en` — also when its YAML cannot be read', () => {
    const english = example.replace('locale: zh-CN', 'locale: en');
    const err = errorOf(english.replace('timeZone: Asia/Shanghai', 'timeZone: Asia/Beijing\n  colour: red').replace(/^office:[\s\S]*?(?=^leadership:)/m, ''));
    expect(err.message).toMatch(/^baosong\.config\.yaml: invalid configuration$/m);
    expect(err.message).toMatch(/school\.timeZone: unknown time zone; use an IANA name such as Asia\/Shanghai/);
    expect(err.message).toMatch(/school: unknown key "colour": check the spelling and the indentation/);
    expect(err.message).toMatch(/office: missing: expected a section/);
    const dup = errorOf(`${english}\nschool:\n  name: B\n`);
    expect(dup.problems[0]?.message).toBe('YAML: the same key twice in one section');
  });

  it('a review chain list without a catch-all at the end', () => {
    const err = errorOf(example.replace(/ {4}- name: 常规\n {6}steps: \[department_head, office\]\n/, ''));
    expect(err.message).toMatch(/review\.chains\[1\]: 最后一条审核流程不能有 when 条件/);
  });

  it('an unknown category in a chain, duplicate department ids, and hours that end before they start', () => {
    const text = example
      .replace('category: [安全管理, 政策传达]', 'category: [安全, 政策传达]')
      .replace('id: deyu', 'id: jiaowu')
      .replace('start: "08:00"', 'start: "18:00"');
    const err = errorOf(text);
    expect(err.message).toMatch(/review\.chains\[0\]\.when\.category\[0\]: 应为以下之一：教育教学、校园文化/);
    expect(err.message).toMatch(/departments\[2\]\.id: 部门编号“jiaowu”重复了（departments\[1\] 也用了它）/);
    expect(err.message).toMatch(/workingHours: 上班时间要早于下班时间/);
  });
});

describe('finding the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-config-'));
  writeFileSync(join(dir, 'school.yaml'), example);

  it('uses BAOSONG_CONFIG when no path is given, relative to the working directory', () => {
    const { file, config } = loadConfig({ env: { BAOSONG_CONFIG: 'school.yaml' }, cwd: dir });
    expect(file).toBe(join(dir, 'school.yaml'));
    expect(config.school.name).toBe('青禾市第一实验中学');
  });

  it('says how to fix a missing file, in the command line’s language (LANG, BAOSONG_LOCALE)', () => {
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(/baosong\.config\.yaml：读不到配置文件（文件不存在）。请把 config\/example\.yaml 复制为 baosong\.config\.yaml/);
    expect(() => loadConfig({ env: { LANG: 'en_US.UTF-8' }, cwd: dir })).toThrow(/baosong\.config\.yaml: cannot read the configuration \(file not found\)\. Copy config\/example\.yaml/);
  });
});

describe('secrets come from the environment', () => {
  it('reads the named variable, and names it when it is missing', () => {
    expect(readSecret('BAOSONG_SECRET', 'secrets.hmacSecretEnv', { BAOSONG_SECRET: 'x'.repeat(32) })).toHaveLength(32);
    expect(() => readSecret('BAOSONG_SMTP_PASSWORD', 'mail.smtp.passwordEnv', {})).toThrow(/请设置环境变量 BAOSONG_SMTP_PASSWORD（配置中 mail\.smtp\.passwordEnv 指定了它）/);
    expect(() => readSecret('BAOSONG_SMTP_PASSWORD', 'mail.smtp.passwordEnv', {}, 'en')).toThrow(/set BAOSONG_SMTP_PASSWORD \(named by mail\.smtp\.passwordEnv/);
  });
});
