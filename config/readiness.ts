/**
 * Which secrets the configuration names, which of them the environment has, and what that means for
 * each part of baosong. `config check`, `doctor` and the demo's start-up all say it the same way.
 */
import { join, resolve } from 'node:path';
import type { Config } from './schema.js';

export interface SecretState {
  /** The environment variable, e.g. BAOSONG_IMAP_PASSWORD. */
  variable: string;
  /** Where the configuration names it, e.g. mail.imap.passwordEnv. */
  path: string;
  /** What needs it. */
  part: 'intake' | 'smtp' | 'links';
  set: boolean;
  /** A value that is there but unusable (e.g. too short), else null. */
  problem: string | null;
  /** What happens without it, in one sentence. */
  without: string;
}

export const MIN_HMAC_SECRET_LENGTH = 32;

export function secretStates(config: Config, env: NodeJS.ProcessEnv = process.env): SecretState[] {
  const out: SecretState[] = [];
  const isSet = (variable: string) => Boolean(env[variable]);
  const imap = config.mail.imap;
  if (imap) {
    out.push({
      variable: imap.passwordEnv,
      path: 'mail.imap.passwordEnv',
      part: 'intake',
      set: isSet(imap.passwordEnv),
      problem: null,
      without: 'the mail intake cannot log in: `baosong start` stops with an error; the demo runs with the intake off (reports only from the web form)',
    });
  }
  const smtp = config.mail.smtp;
  if (smtp?.passwordEnv) {
    out.push({
      variable: smtp.passwordEnv,
      path: 'mail.smtp.passwordEnv',
      part: 'smtp',
      set: isSet(smtp.passwordEnv),
      problem: null,
      without: `no mail can be sent: \`baosong start\` stops with an error; the demo writes mail to ${outboxDir(config)} instead`,
    });
  }
  const hmac = config.secrets.hmacSecretEnv;
  const value = env[hmac] ?? '';
  out.push({
    variable: hmac,
    path: 'secrets.hmacSecretEnv',
    part: 'links',
    set: value !== '',
    problem: value !== '' && value.length < MIN_HMAC_SECRET_LENGTH ? `${hmac} must be at least ${MIN_HMAC_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`)` : null,
    without: `links and reply addresses are signed with a secret generated once in ${join(resolve(config.dataDir), 'secret')} (fine for a trial; set ${hmac} in production so that it is kept with your other secrets)`,
  });
  return out;
}

/** Where mail goes when there is no SMTP server. */
export function outboxDir(config: Config): string {
  return resolve(config.mail.outboxDir ?? join(config.dataDir, 'outbox'));
}

/** One line per part that will be off or reduced, for `config check` (empty when everything is on). */
export function partsOff(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  const lines: string[] = [];
  const secrets = secretStates(config, env);
  const missing = (part: SecretState['part']) => secrets.find((s) => s.part === part && !s.set);
  if (!config.mail.imap) lines.push('intake off: no mail.imap in the configuration (reports come only from the web form)');
  else if (missing('intake')) lines.push(`intake off in the demo (\`baosong start\` stops instead): ${config.mail.imap.passwordEnv} is not set (the IMAP password)`);
  if (!config.mail.smtp) lines.push(`outgoing mail to the outbox folder ${outboxDir(config)}: no mail.smtp in the configuration`);
  else if (missing('smtp')) lines.push(`outgoing mail to the outbox folder ${outboxDir(config)} in the demo (\`baosong start\` stops instead): ${config.mail.smtp.passwordEnv} is not set (the SMTP password)`);
  return lines;
}
