/** `baosong doctor [--send-test ADDRESS] [--json]` — check what the configuration points at, line by line. */
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
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
      try {
        const loaded = loadConfig({ path: opts.config });
        file = loaded.file;
        lines = [ok('config', `${loaded.file}: valid`), ...(await runDoctor({ config: loaded.config, configFile: loaded.file, env: process.env, timeoutMs, now: new Date(), ...(opts.sendTest ? { sendTestTo: opts.sendTest } : {}) }))];
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        file = err.file;
        // Nothing else can be checked without a configuration.
        lines = [fail('config', err.message, 'fix the lines named above, then run `baosong doctor` again (`baosong config check` shows only these)')];
      }
      const failed = lines.filter((l) => l.status === 'fail').length;
      const warned = lines.filter((l) => l.status === 'warn').length;
      if (opts.json) printJson({ ok: failed === 0, config: file, failed, warned, checks: lines });
      else process.stdout.write(formatLines(lines, failed, warned));
      process.exitCode = failed > 0 ? 1 : 0;
    });
}

function formatLines(lines: { check: string; status: string; message: string; fix?: string }[], failed: number, warned: number): string {
  const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const mark = { ok: paint('32', 'ok  '), warn: paint('33', 'warn'), fail: paint('31', 'fail') } as Record<string, string>;
  const width = Math.min(30, Math.max(...lines.map((l) => l.check.length)));
  const out: string[] = [];
  for (const l of lines) {
    const [first, ...rest] = l.message.split('\n');
    out.push(`${mark[l.status] ?? l.status}  ${l.check.padEnd(width)}  ${first ?? ''}`);
    for (const more of rest) out.push(`      ${' '.repeat(width)}  ${more}`);
    if (l.fix && l.status !== 'ok') out.push(`      ${' '.repeat(width)}  ${paint('2', `→ ${l.fix}`)}`);
  }
  out.push('', failed > 0 ? `${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}` : warned > 0 ? `all essential checks passed, ${warned} warning${warned === 1 ? '' : 's'}` : 'all checks passed');
  return `${out.join('\n')}\n`;
}
