/**
 * What `baosong start` prints. Not on a terminal (a service manager, a container, a pipe): pino's JSON
 * lines on stdout, one per event. On a terminal: warnings as they come, then a short block saying where
 * the form is, where mail goes and how to sign in to /office; after that one short line per event.
 * BAOSONG_LOG_FORMAT=json|pretty chooses explicitly.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { ServiceSummary } from '../worker/service.js';
import { createLogger } from '../ops/logging.js';
import { speaker } from '../config/messages.js';

export interface ServiceLog {
  logger: Logger;
  /** The service is up: on a terminal, print the summary and from now on every event. */
  ready(summary: ServiceSummary): void;
}

export function logFormat(env: NodeJS.ProcessEnv = process.env, tty = Boolean(process.stdout.isTTY)): 'json' | 'pretty' {
  const chosen = env.BAOSONG_LOG_FORMAT?.trim().toLowerCase();
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return tty ? 'pretty' : 'json';
}

export function serviceLogger(env: NodeJS.ProcessEnv = process.env, out: NodeJS.WritableStream = process.stdout): ServiceLog {
  if (logFormat(env) === 'json') {
    const logger = createLogger(pino.destination({ dest: 1, sync: true }));
    return { logger, ready: (summary) => logger.info({ summary }, 'baosong is ready') };
  }
  let started = false;
  const colour = 'isTTY' in out && out.isTTY && !env.NO_COLOR;
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const text = prettyLine(line, started, paint);
        if (text !== null) out.write(`${text}\n`);
      }
      callback();
    },
  });
  const logger = createLogger(destination);
  return {
    logger,
    ready(summary) {
      started = true;
      out.write(`${summaryBlock(summary, paint)}\n`);
    },
  };
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** One JSON log line as a person reads it; null to leave it out (start-up chatter before the summary). */
export function prettyLine(json: string, started: boolean, paint: (code: string, text: string) => string = (_c, t) => t): string | null {
  let entry: { level?: number; time?: number; msg?: string; err?: { message?: string } };
  try {
    entry = JSON.parse(json) as typeof entry;
  } catch {
    return json;
  }
  const level = LEVELS[entry.level ?? 30] ?? 'info';
  if (!started && (level === 'info' || level === 'debug' || level === 'trace')) return null;
  const time = new Date(entry.time ?? Date.now()).toTimeString().slice(0, 8);
  const msg = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
  if (level === 'warn') return `${paint('2', time)} ${paint('33', `! ${msg}`)}`;
  if (level === 'error' || level === 'fatal') return `${paint('2', time)} ${paint('31', `✗ ${msg}`)}`;
  return `${paint('2', time)}   ${msg}`;
}

export function summaryBlock(s: ServiceSummary, paint: (code: string, text: string) => string = (_c, t) => t): string {
  const say = speaker(s.locale);
  const rows: [string, string][] = [];
  // The demo's best part first: everyone's mail, where replies are written and the clock can be moved (快进).
  if (s.demoMailbox) rows.push([say('Demo mailbox', '演示邮箱'), `${s.demoMailbox} — ${say('start here: every mail the demo sends, reply as anyone, 快进 the clock', '从这里开始：演示发出的每封邮件都在这里，可以用任何人的身份回复，也可以“快进”时间')}`]);
  if (s.form) rows.push([say('Report form', '报送表单'), s.form]);
  if (s.office) {
    const people = s.officePeople.length ? say(` (e.g. ${s.officePeople.join(', ')})`, `（例如 ${s.officePeople.join('、')}）`) : '';
    const mailed = s.demoMailbox ? say('the sign-in link is mailed (to the demo mailbox)', '登录链接会发到邮箱（演示时在演示邮箱里）') : say('the sign-in link is mailed', '登录链接会发到邮箱');
    rows.push([say('Office', '办公室看板'), `${s.office} — ${say(`sign in with an office or leadership address${people}; ${mailed}`, `用办公室或校领导的邮箱登录${people}；${mailed}`)}`]);
  }
  rows.push([say('Mail goes to', '邮件发往'), s.mail]);
  if (s.intake) rows.push([say('Intake', '收信情况'), s.intake]);
  // Chinese labels are padded with the ideographic space (two columns wide, like the characters): they line up.
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    '',
    paint('1', s.demo ? say('baosong is running — DEMO: every report is lost when it stops', 'baosong 已在运行——演示模式：停止后所有报送都会丢失') : say('baosong is running', 'baosong 已在运行')),
    ...rows.map(([k, v]) => `  ${k.padEnd(width, s.locale === 'en' ? ' ' : '\u3000')}  ${v}`),
    paint('2', say('Ctrl-C to stop.', '按 Ctrl-C 停止。')),
    '',
  ].join('\n');
}
