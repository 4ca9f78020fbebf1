/**
 * One redaction for everything baosong logs or stores: every secret the configuration names (the IMAP and
 * SMTP passwords, the chat robots' keys, tokens and signing secrets, the HMAC secret behind links) is
 * replaced by "[redacted]" wherever it appears — a robot that echoes its request URL in an error, a server
 * that quotes a login. The logger applies it to each line it writes (ops/logging.ts), the stores to the
 * error texts they keep (chat_messages), the chat robots to the errors they report (/healthz, Temporal).
 *
 * The secrets are the process's: each part adds those it reads (addSecrets) as it starts.
 */
import type { Config } from '../config/schema.js';

export const REDACTED = '[redacted]';

/** Shorter values are not masked: they would mask ordinary words (and are no secrets worth the name). */
const MIN_LENGTH = 6;

const secrets = new Set<string>();
/** Each secret as it may appear: as is, inside a JSON string, URL-encoded; longest first. */
let forms: string[] = [];

export function addSecrets(values: Iterable<string | null | undefined>): void {
  let added = false;
  for (const v of values) {
    if (typeof v !== 'string' || v.length < MIN_LENGTH || secrets.has(v)) continue;
    secrets.add(v);
    added = true;
  }
  if (!added) return;
  const all = new Set<string>();
  for (const s of secrets) for (const f of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]) all.add(f);
  forms = [...all].sort((a, b) => b.length - a.length);
}

/** Every secret the configuration names by environment variable, as the environment holds them. */
export function secretsInConfig(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  const variables = [
    config.mail.imap?.passwordEnv,
    config.mail.smtp?.passwordEnv,
    config.secrets.hmacSecretEnv,
    config.storage.s3?.secretAccessKeyEnv,
    config.publish.wechat?.appSecretEnv,
    config.upward?.sharedKeyEnv,
    ...config.departments.map((d) => d.sharedKeyEnv),
  ];
  for (const r of config.chat.robots) {
    if (r.kind === 'wecom') variables.push(r.keyEnv);
    if (r.kind === 'dingtalk') variables.push(r.accessTokenEnv, r.secretEnv);
    if (r.kind === 'feishu') variables.push(r.tokenEnv, r.secretEnv);
  }
  return variables.flatMap((v) => (v && env[v] ? [env[v]] : []));
}

/** `text` with every known secret replaced by [redacted]. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const f of forms) if (out.includes(f)) out = out.replaceAll(f, REDACTED);
  return out;
}
