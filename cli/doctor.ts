/** `baosong doctor [--send-test ADDRESS] [--json]` — check what the configuration points at, line by line. */
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { envLocale, speaker, type MessageLocale } from '../config/messages.js';
import { printJson } from './options.js';
import { type ErrorCode } from '../domain/errors.js';

class DoctorError extends Error {
  readonly code = 'EDOCTOR' satisfies ErrorCode;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check the configuration and everything it points at: secrets, IMAP, SMTP, Temporal, database, data directory, chart font, calendar, chat robots')
    .option('-c, --config <path>', 'configuration file (default: $BAOSONG_CONFIG or ./baosong.config.yaml)')
    .option('--send-test <address>', 'also send a test mail to this address through the SMTP server (and a test message through each chat robot)')
    .option('--timeout <seconds>', 'per network connection', '10')
    .option('--json', 'print the lines as JSON')
    .action(async (opts: { config?: string; sendTest?: string; timeout: string; json?: boolean }) => {
      const timeoutMs = Number(opts.timeout) * 1000;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new DoctorError(`--timeout: "${opts.timeout}" is not a number of seconds`);
      const { fail, ok, runDoctor } = await import('../doctor/checks.js');
      type Line = ReturnType<typeof ok>;
      let lines: Line[];
      let file: string | null;
      // Until the configuration says otherwise (school.locale), the command line's language.
      let locale: MessageLocale = envLocale();
      try {
        const loaded = loadConfig({ path: opts.config });
        file = loaded.file;
        locale = loaded.config.school.locale;
        const t = speaker(locale);
        lines = [ok('config', t(`${loaded.file}: valid`, `${loaded.file}：配置正确`)), ...(await runDoctor({ config: loaded.config, configFile: loaded.file, env: process.env, timeoutMs, now: new Date(), ...(opts.sendTest ? { sendTestTo: opts.sendTest } : {}) }))];
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        file = err.file;
        const t = speaker(locale);
        // Nothing else can be checked without a configuration.
        const fix =
          err.code === 'ECONFIG_NOT_FOUND'
            ? t('make the configuration file as said, then run `baosong doctor` again', '按上面说的准备好配置文件，再运行 baosong doctor')
            : t('fix the lines named above, then run `baosong doctor` again (`baosong config check` shows only these)', '改正上面列出的几行，再运行 baosong doctor（baosong config check 只检查这些）');
        lines = [fail('config', err.message, fix)];
      }
      const failed = lines.filter((l) => l.status === 'fail').length;
      const warned = lines.filter((l) => l.status === 'warn').length;
      if (opts.json) printJson({ ok: failed === 0, config: file, failed, warned, checks: lines });
      else process.stdout.write(formatLines(lines, failed, warned, locale));
      process.exitCode = failed > 0 ? 1 : 0;
    });
}

function formatLines(lines: { check: string; status: string; message: string; fix?: string }[], failed: number, warned: number, locale: MessageLocale): string {
  const t = speaker(locale);
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  // The marks keep one width in a terminal: a Chinese character takes two columns.
  const mark = { ok: paint('32', t('ok  ', '正常')), warn: paint('33', t('warn', '注意')), fail: paint('31', t('fail', '失败')) } as Record<string, string>;
  const labels = lines.map((l) => checkLabel(l.check, locale));
  const width = Math.min(30, Math.max(...labels.map(columns)));
  const pad = (text: string) => text + ' '.repeat(Math.max(0, width - columns(text)));
  const out: string[] = [];
  lines.forEach((l, i) => {
    const [first, ...rest] = l.message.split('\n');
    out.push(`${mark[l.status] ?? l.status}  ${pad(labels[i] ?? l.check)}  ${first ?? ''}`);
    for (const more of rest) out.push(`      ${' '.repeat(width)}  ${more}`);
    if (l.fix && l.status !== 'ok') out.push(`      ${' '.repeat(width)}  ${paint('2', `→ ${l.fix}`)}`);
  });
  const s = (n: number) => (n === 1 ? '' : 's');
  out.push(
    '',
    failed > 0
      ? t(`${failed} failed, ${warned} warning${s(warned)}`, `${failed} 项失败${warned > 0 ? `，${warned} 项需要注意` : ''}`)
      : warned > 0
        ? t(`all essential checks passed, ${warned} warning${s(warned)}`, `必要的检查全部通过，${warned} 项需要注意`)
        : t('all checks passed', '全部检查通过'),
  );
  return `${out.join('\n')}\n`;
}

/** Terminal columns of a text: CJK characters and full-width punctuation take two. */
function columns(text: string): number {
  let n = 0;
  for (const ch of text) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return n;
}

/** What a check is called on screen; `check` itself stays the stable name (--json, scripts). */
export function checkLabel(check: string, locale: MessageLocale): string {
  if (locale === 'en') return check;
  const exact: Record<string, string> = {
    config: '配置文件',
    'mail provider': '邮箱服务商',
    imap: 'IMAP 收信',
    'imap login': 'IMAP 登录',
    'imap IDLE': 'IMAP 即时收信',
    'imap MOVE': 'IMAP 移动邮件',
    smtp: 'SMTP 发信',
    'smtp login': 'SMTP 登录',
    'smtp test mail': 'SMTP 测试邮件',
    'reply sub-address': '回复子地址',
    temporal: 'Temporal 服务器',
    database: '数据库',
    'data directory': '数据目录',
    'chart font': '图表字体',
    upward: '上报教育局',
  };
  if (exact[check]) return exact[check];
  const prefixed: [string, string][] = [
    ['secret ', '密钥 '],
    ['folder ', '文件夹 '],
    ['calendar ', '日历 '],
    ['chat ', '群机器人 '],
    ['upward key ', '上报密钥 '],
  ];
  for (const [en, zh] of prefixed) if (check.startsWith(en)) return zh + check.slice(en.length);
  return check;
}
