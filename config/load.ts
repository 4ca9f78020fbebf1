/**
 * Loads baosong.config.yaml: file → YAML → schema. Every problem names the file, the line,
 * the path in the document and what is wrong, so a school's IT person can fix it at once.
 */
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configPath, DEFAULT_CONFIG_FILE, projectFile, type LoadConfigOptions } from './paths.js';
import { configErrorMap, envLocale, localeOf, say, speaker, withMessageLocale, yamlMessage, type MessageLocale } from './messages.js';
import { configSchema, type Config } from './schema.js';
import { type ErrorCodes } from '../domain/errors.js';

export { configPath, DEFAULT_CONFIG_FILE, type LoadConfigOptions };
export const EXAMPLE_CONFIG_FILE = projectFile('config', 'example.yaml');

export interface ConfigProblem {
  /** Path in the document, e.g. "departments[2].head.email" ("" for the whole file). */
  path: string;
  line: number | null;
  column: number | null;
  message: string;
}

export class ConfigError extends Error {
  readonly code: ErrorCodes<'ECONFIG' | 'ECONFIG_NOT_FOUND' | 'ECONFIG_SECRET'>;
  readonly file: string | null;
  readonly problems: ConfigProblem[];

  constructor(code: ConfigError['code'], file: string | null, problems: ConfigProblem[], headline?: string) {
    const where = (p: ConfigProblem) => [file, p.line, p.column].filter((x) => x !== null).join(':');
    const lines = problems.map((p) => `  - ${where(p)}${p.path ? ` ${p.path}` : ''}: ${p.message}`);
    super([headline ?? say(`${file ?? 'configuration'}: invalid configuration`, `${file ?? '配置'}：配置有误`), ...lines].join('\n'));
    this.name = 'ConfigError';
    this.code = code;
    this.file = file;
    this.problems = problems;
  }
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file that was read. */
  file: string;
}


export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const file = configPath(options);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // No file, no school.locale: the language of the command line (BAOSONG_LOCALE, LANG).
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(
      'ECONFIG_NOT_FOUND',
      file,
      [],
      speaker(envLocale(options.env ?? process.env))(
        `${file}: cannot read the configuration (${missing ? 'file not found' : (err as Error).message}). Copy config/example.yaml to ${DEFAULT_CONFIG_FILE}, or pass --config / set BAOSONG_CONFIG.`,
        `${file}：读不到配置文件（${missing ? '文件不存在' : (err as Error).message}）。请把 config/example.yaml 复制为 ${DEFAULT_CONFIG_FILE} 再修改，或用 --config 指定文件（也可设置环境变量 BAOSONG_CONFIG）。`,
      ),
    );
  }
  return { config: parseConfig(text, file), file };
}

/**
 * Parses and validates configuration text; `file` is only used in messages. Problems are told in the language
 * the text asks for (school.locale; Chinese when it says nothing or cannot be read).
 */
export function parseConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const raw: unknown = doc.errors.length > 0 ? null : doc.toJS();
  return withMessageLocale(localeOf(raw ?? localeLine(text)), () => {
    // A full-width colon is the cause of the YAML error on its line: said instead of that error.
    const colons = fullWidthColons(text);
    if (doc.errors.length > 0) {
      const yaml = doc.errors.map((e) => ({ path: '', line: e.linePos?.[0]?.line ?? null, column: e.linePos?.[0]?.col ?? null, message: yamlMessage(e.code, e.message.split('\n')[0] ?? '') }));
      throw new ConfigError('ECONFIG', file, [...colons, ...yaml.filter((y) => !colons.some((c) => c.line === y.line))]);
    }
    const result = configSchema.safeParse(raw ?? {}, { error: configErrorMap });
    if (!result.success || colons.length > 0) {
      throw new ConfigError('ECONFIG', file, [...colons, ...(result.success ? [] : result.error.issues.map((issue) => toProblem(issue, doc, lineCounter)))]);
    }
    return result.data;
  });
}

/** `locale: en` on a line of its own, for a text YAML cannot read (its errors then still come in English). */
function localeLine(text: string): { school: { locale: string } } | null {
  return /^\s+locale:\s*["']?en["']?\s*(#.*)?$/m.test(text) ? { school: { locale: 'en' } } : null;
}

/** `name：王建国` typed with a Chinese input method: YAML reads one text, not a key and its value. */
function fullWidthColons(text: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^(\s*(?:-\s+)?)([A-Za-z][A-Za-z0-9_]*)\s*：/.exec(line);
    if (m) {
      const message = say(`full-width colon after "${m[2]}": YAML needs the English colon and a space ("${m[2]}: …")`, `“${m[2]}”后面是全角冒号“：”：请改成英文冒号加一个空格（“${m[2]}: …”）`);
      problems.push({ path: '', line: i + 1, column: (m[1]?.length ?? 0) + 1, message });
    }
  });
  return problems;
}

function toProblem(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): ConfigProblem {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  let message = issue.message;
  // A person written as a line of text (head: 王建国 <wang@…>): show the shape wanted.
  const value: unknown = doc.getIn(path);
  if (issue.code === 'invalid_type' && issue.expected === 'object' && typeof value === 'string' && isPersonPath(path)) {
    message = say(
      `expected a person with a name and an address, e.g. { name: 王建国, email: wangjianguo@school.edu.cn }, not the text "${value}"`,
      `应写成一个人的姓名和邮箱，例如 { name: 王建国, email: wangjianguo@school.edu.cn }，而不是一行文字“${value}”`,
    );
  }
  // Point at the deepest node that exists: the value itself, or the mapping that lacks the key.
  let pos: { line: number; col: number } | null = null;
  for (let n = path.length; n >= 0 && !pos; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) pos = lines.linePos(node.range[0]);
  }
  return { path: formatPath(path), line: pos?.line ?? null, column: pos?.col ?? null, message };
}

/** A place in the configuration that holds one person (a head, a liaison, an office reviewer, a leader). */
function isPersonPath(path: (string | number)[]): boolean {
  const last = path.at(-1);
  const parent = path.at(-2);
  return last === 'head' || (typeof last === 'number' && (parent === 'liaisons' || parent === 'reviewers' || parent === 'leadership'));
}

function formatPath(path: (string | number)[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/** Reads a secret from the environment variable the configuration names (its problem told in `locale`). */
export function readSecret(variable: string, configPathInDocument: string, env: NodeJS.ProcessEnv = process.env, locale: MessageLocale = 'zh-CN'): string {
  const value = env[variable];
  if (value === undefined || value === '') {
    throw withMessageLocale(locale, () => {
      const problem = { path: configPathInDocument, line: null, column: null, message: say(`environment variable ${variable} is not set`, `环境变量 ${variable} 没有设置`) };
      return new ConfigError('ECONFIG_SECRET', null, [problem], say(`A secret is missing: set ${variable} (named by ${configPathInDocument} in the configuration).`, `缺少密钥：请设置环境变量 ${variable}（配置中 ${configPathInDocument} 指定了它）。`));
    });
  }
  return value;
}
