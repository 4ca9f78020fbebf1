/** The doctor's vocabulary: a check is an async function of the context answering with lines. */
import type { Config } from '../config/schema.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckLine {
  /** Short name of what was checked, e.g. "imap", "smtp auth", "database". */
  check: string;
  status: CheckStatus;
  /** What was found, one sentence. */
  message: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

export interface DoctorContext {
  config: Config;
  /** The configuration file read (for messages). */
  configFile: string;
  env: NodeJS.ProcessEnv;
  /** `--send-test ADDRESS`: send one test mail there through SMTP. */
  sendTestTo?: string;
  /** Per network connection. */
  timeoutMs: number;
  now: Date;
}

/** May answer synchronously; runDoctor awaits either. */
export type DoctorCheck = (ctx: DoctorContext) => CheckLine[] | Promise<CheckLine[]>;

export const ok = (check: string, message: string): CheckLine => ({ check, status: 'ok', message });
export const warn = (check: string, message: string, fix: string): CheckLine => ({ check, status: 'warn', message, fix });
export const fail = (check: string, message: string, fix: string): CheckLine => ({ check, status: 'fail', message, fix });

export function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}
