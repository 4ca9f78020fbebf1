/**
 * Which secrets the configuration names, which of them the environment has, and what that means for
 * each part of baosong. `config check`, `doctor` and the demo's start-up all say it the same way.
 */
import { join, resolve } from 'node:path';
import { speaker } from './messages.js';
import type { Config } from './schema.js';

export interface SecretState {
  /** The environment variable, e.g. BAOSONG_IMAP_PASSWORD. */
  variable: string;
  /** Where the configuration names it, e.g. mail.imap.passwordEnv. */
  path: string;
  /** What needs it. */
  part: 'intake' | 'smtp' | 'links' | 'wechat' | 'storage';
  set: boolean;
  /** A value that is there but unusable (e.g. too short), else null. */
  problem: string | null;
  /** What happens without it, in one sentence (in the school's language). */
  without: string;
}

export const MIN_HMAC_SECRET_LENGTH = 32;

export function secretStates(config: Config, env: NodeJS.ProcessEnv = process.env): SecretState[] {
  const t = speaker(config.school.locale);
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
      without: t(
        'the mail intake cannot log in: `baosong start` stops with an error; the demo runs with the intake off (reports only from the web form)',
        '收信无法登录邮箱：baosong start 会报错停止；演示模式下不收邮件，只能用网页表单报送',
      ),
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
      without: t(`no mail can be sent: \`baosong start\` stops with an error; the demo writes mail to ${outboxDir(config)} instead`, `无法发信：baosong start 会报错停止；演示模式下邮件写到 ${outboxDir(config)} 文件夹`),
    });
  }
  const wechat = config.publish.wechat;
  for (const [variable, path] of wechat ? ([[wechat.appIdEnv, 'publish.wechat.appIdEnv'], [wechat.appSecretEnv, 'publish.wechat.appSecretEnv']] as const) : []) {
    out.push({
      variable,
      path,
      part: 'wechat',
      set: isSet(variable),
      problem: null,
      without: t('approved reports do not go into the 公众号 draft box; each report’s page says so', '审核通过的稿件无法放入公众号草稿箱，报送详情页会注明原因'),
    });
  }
  const s3 = config.storage.s3;
  for (const [variable, path] of s3 ? ([[s3.accessKeyIdEnv, 'storage.s3.accessKeyIdEnv'], [s3.secretAccessKeyEnv, 'storage.s3.secretAccessKeyEnv']] as const) : []) {
    out.push({
      variable,
      path,
      part: 'storage',
      set: isSet(variable),
      problem: null,
      without: t(`attachments cannot be stored in the bucket ${s3?.bucket ?? ""}: \`baosong start\` stops with an error`, `附件无法存入对象存储桶 ${s3?.bucket ?? ""}：baosong start 会报错停止`),
    });
  }
  const hmac = config.secrets.hmacSecretEnv;
  const value = env[hmac] ?? '';
  out.push({
    variable: hmac,
    path: 'secrets.hmacSecretEnv',
    part: 'links',
    set: value !== '',
    problem:
      value !== '' && value.length < MIN_HMAC_SECRET_LENGTH
        ? t(`${hmac} must be at least ${MIN_HMAC_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`, `${hmac} 至少要 ${MIN_HMAC_SECRET_LENGTH} 个字符（可用 openssl rand -hex 32 生成）`)
        : null,
    without: t(
      `links and reply addresses are signed with a secret generated once in ${join(resolve(config.dataDir), 'secret')} (fine for a trial; set ${hmac} in production so that it is kept with your other secrets)`,
      `链接和回复地址改用自动生成并保存在 ${join(resolve(config.dataDir), 'secret')} 的密钥签名（试用可以；正式使用请设置 ${hmac}，与其他密钥一起保管）`,
    ),
  });
  return out;
}

/** Where mail goes when there is no SMTP server. */
export function outboxDir(config: Config): string {
  return resolve(config.mail.outboxDir ?? join(config.dataDir, 'outbox'));
}

/** One line per part that will be off or reduced, for `config check` (empty when everything is on). */
export function partsOff(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  const t = speaker(config.school.locale);
  const lines: string[] = [];
  const secrets = secretStates(config, env);
  const missing = (part: SecretState['part']) => secrets.find((s) => s.part === part && !s.set);
  if (!config.mail.imap) lines.push(t('intake off: no mail.imap in the configuration (reports come only from the web form)', '不收邮件：配置里没有 mail.imap（只能用网页表单报送）'));
  else if (missing('intake')) {
    const v = config.mail.imap.passwordEnv;
    lines.push(t(`intake off in the demo (\`baosong start\` stops instead): ${v} is not set (the IMAP password)`, `演示模式下不收邮件（baosong start 则会报错停止）：没有设置 ${v}（IMAP 密码）`));
  }
  if (!config.mail.smtp) lines.push(t(`outgoing mail to the outbox folder ${outboxDir(config)}: no mail.smtp in the configuration`, `发出的邮件写到 ${outboxDir(config)} 文件夹：配置里没有 mail.smtp`));
  else if (missing('smtp')) {
    const v = config.mail.smtp.passwordEnv;
    lines.push(t(`outgoing mail to the outbox folder ${outboxDir(config)} in the demo (\`baosong start\` stops instead): ${v} is not set (the SMTP password)`, `演示模式下发出的邮件写到 ${outboxDir(config)} 文件夹（baosong start 则会报错停止）：没有设置 ${v}（SMTP 密码）`));
  }
  return lines;
}
