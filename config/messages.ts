/**
 * The words of configuration problems, in the language the configuration itself asks for (`school.locale`):
 * the school's IT teacher reads `config check` and `doctor` in Chinese, a school that chose `en` in English.
 *
 * zod builds each message while it parses, and a schema is built once; so parseConfig sets the language
 * around its one synchronous parse (withMessageLocale) and the schema's messages ask say() — the way zod's
 * own locales work (z.config), but scoped to one parse instead of the whole process. Each message keeps its
 * two languages side by side, next to the rule it explains.
 */
import type { z } from 'zod';
import type { ScheduleProblem } from '../domain/calendar.js';

export type MessageLocale = 'zh-CN' | 'en';

let active: MessageLocale = 'zh-CN';

/** The message in the language of the configuration being read. */
export function say(en: string, zh: string): string {
  return active === 'en' ? en : zh;
}

/** Runs `fn` (synchronous) with configuration messages in `locale`. */
export function withMessageLocale<T>(locale: MessageLocale, fn: () => T): T {
  const before = active;
  active = locale;
  try {
    return fn();
  } finally {
    active = before;
  }
}

/** A fixed-language say(), for code that knows its configuration (doctor, config check). */
export function speaker(locale: MessageLocale): (en: string, zh: string) => string {
  return (en, zh) => (locale === 'en' ? en : zh);
}

/** The language before any configuration is read: BAOSONG_LOCALE, else English for an English LANG, else Chinese. */
export function envLocale(env: NodeJS.ProcessEnv = process.env): MessageLocale {
  const wanted = env.BAOSONG_LOCALE || env.LC_ALL || env.LANG || ''; // an empty variable is an unset one
  return /^en/i.test(wanted) ? 'en' : 'zh-CN';
}

/**
 * The language a configuration text asks for, read before it is validated (so that its own problems are
 * told in it): `school.locale: en` → English; anything else, or nothing readable, → Chinese, baosong's default.
 */
export function localeOf(raw: unknown): MessageLocale {
  const school = raw && typeof raw === 'object' ? (raw as { school?: unknown }).school : undefined;
  const locale = school && typeof school === 'object' ? (school as { locale?: unknown }).locale : undefined;
  return locale === 'en' ? 'en' : 'zh-CN';
}

/** What a kind of value is called where people write YAML. */
function kindName(kind: string): string {
  const names: Record<string, [string, string]> = {
    string: ['text', '文字'],
    number: ['a number', '数字'],
    int: ['a whole number', '整数'],
    boolean: ['true or false', 'true 或 false'],
    array: ['a list (lines starting with "- ", or [a, b])', '列表（以“- ”开头的几行，或写成 [a, b]）'],
    object: ['a section (indented lines below it)', '一组设置（下面缩进的几行）'],
    null: ['nothing', '空值'],
  };
  const [en, zh] = names[kind] ?? [kind, kind];
  return say(en, zh);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'number';
  return typeof value;
}

/** A missing value's message, given what was expected there. */
export function missingMessage(expected: string): string {
  return say(`missing: expected ${kindName(expected)}`, `缺少此项：应填${kindName(expected)}`);
}

/**
 * zod's own problems (a wrong type, an unknown key, a number out of range) in the school's language; the
 * schema's rules say theirs where they know better (config/schema.ts).
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return missingMessage(issue.expected);
      return say(`expected ${kindName(issue.expected)}, not ${kindName(kindOf(issue.input))}`, `应填${kindName(issue.expected)}，这里是${kindName(kindOf(issue.input))}`);
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      if (values.length === 1) return say(`expected ${values[0]}`, `应为 ${values[0]}`);
      return say(`expected one of ${values.join(', ')}`, `应为以下之一：${values.join('、')}`);
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return say(`list at least ${min}`, `至少要列出 ${min} 项`);
      if (issue.origin === 'string') return min <= 1 ? say('empty: write something here', '不能为空') : say(`at least ${min} characters`, `至少 ${min} 个字`);
      return issue.inclusive ? say(`at least ${min}`, `不能小于 ${min}`) : say(`more than ${min}`, `必须大于 ${min}`);
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return say(`at most ${max} items`, `最多 ${max} 项`);
      if (issue.origin === 'string') return say(`at most ${max} characters`, `最多 ${max} 个字`);
      return issue.inclusive ? say(`at most ${max}`, `不能大于 ${max}`) : say(`less than ${max}`, `必须小于 ${max}`);
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => `"${k}"`);
      return say(
        `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}: check the spelling and the indentation (config/example.yaml shows every key)`,
        `没有这个设置项：${keys.join('、')}。请检查拼写和缩进（config/example.yaml 列出了所有设置项）`,
      );
    }
    case 'invalid_union':
      return say('not written in any of the accepted forms: compare with config/example.yaml', '写法不对：请对照 config/example.yaml');
    case 'invalid_format':
      return say(`wrong format (${issue.format})`, `格式不对（${issue.format}）`);
    case 'invalid_key':
      return say('this key is not allowed here', '这个键名不对');
    default:
      return say('invalid value', '这个值不对');
  }
};

/** A problem of the office's copy of a year's holiday schedule (calendar.statutory), in words. */
export function scheduleProblemMessage(year: number, p: ScheduleProblem): string {
  switch (p.kind) {
    case 'not_in_year':
      return say(`${p.date} is not in ${year}`, `${p.date} 不在 ${year} 年`);
    case 'makeup_on_weekday':
      return say(`make-up workday ${p.date} is a weekday (调休上班 days are Saturdays or Sundays)`, `调休上班日 ${p.date} 是工作日（调休上班只会在周六或周日）`);
    case 'off_and_makeup':
      return say(`${p.date} is listed both as a day off and as a make-up workday`, `${p.date} 既写成了放假，又写成了调休上班`);
    case 'law_holiday_missing':
      return say(
        `${p.date} (${p.name}) is a day off by law (全国年节及纪念日放假办法) but is not among the holidays`,
        `${p.date}（${p.name}）是法定假日（《全国年节及纪念日放假办法》），却不在放假日期里`,
      );
  }
}

/** YAML syntax errors people make, by the yaml library's code; others keep the library's words. */
export function yamlMessage(code: string, text: string): string {
  const known: Record<string, [string, string]> = {
    DUPLICATE_KEY: ['the same key twice in one section', '同一组设置里出现了两次相同的设置项'],
    TAB_AS_INDENT: ['a tab used for indentation: indent with spaces', '用了 Tab 缩进：请改用空格缩进'],
    BAD_INDENT: ['wrong indentation: line it up with the lines it belongs with', '缩进不对：请与同一组的行对齐'],
    MULTILINE_IMPLICIT_KEY: ['a key and its value run over lines: is a colon or a quote missing?', '设置项跨了多行：是不是少了冒号或引号？'],
    MISSING_CHAR: ['a closing bracket or quote is missing', '缺少右括号或右引号'],
    BLOCK_AS_IMPLICIT_KEY: ['wrong indentation or a missing colon', '缩进不对，或少了冒号'],
    UNEXPECTED_TOKEN: ['unexpected character: is a colon followed by a space?', '出现了意外的字符：冒号后面要有一个空格'],
  };
  const words = known[code];
  if (words) return say(`YAML: ${words[0]}`, `YAML 格式错误：${words[1]}`);
  return say(`YAML: ${text}`, `YAML 格式错误：${text}`);
}
