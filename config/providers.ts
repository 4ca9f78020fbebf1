/**
 * Mail services Chinese schools use, by name: `mail.provider: exmail` fills the IMAP and SMTP hosts,
 * ports and TLS; fields written in the file win. Where each keeps its app password (授权码) is in the
 * README's table; `note` is what `baosong doctor` adds to a refused login.
 */

export interface MailEndpoint {
  host: string;
  port: number;
  /** true: TLS from the first byte (993, 465); false: plain, upgraded with STARTTLS (587). */
  secure: boolean;
}

export interface MailProvider {
  name: string;
  imap: MailEndpoint;
  smtp: MailEndpoint;
  /** Where the password baosong needs comes from; said when a login is refused. */
  note: string;
  /** Said by `doctor` even when everything else is fine (a known limit of the service). */
  warning?: string;
  /**
   * Whether mail to `baosong+token@…` reaches the shared inbox: 'yes' / 'no' where known, else 'unknown'
   * (`baosong doctor --send-test` finds out). Replies authenticate either way (the token is in our Message-IDs too).
   */
  subaddressing?: 'yes' | 'no' | 'unknown';
}

export const MAIL_PROVIDERS = {
  exmail: {
    name: '腾讯企业邮 Tencent Exmail',
    subaddressing: 'unknown',
    imap: { host: 'imap.exmail.qq.com', port: 993, secure: true },
    smtp: { host: 'smtp.exmail.qq.com', port: 465, secure: true },
    note: 'with 安全登录 (WeChat login protection) on, use a 客户端专用密码 (client password) from 设置 → 账户 → 客户端专用密码, not the mailbox password; IMAP/SMTP must be on in 设置 → 收发信设置',
  },
  qq: {
    name: 'QQ邮箱 QQ Mail',
    subaddressing: 'unknown',
    imap: { host: 'imap.qq.com', port: 993, secure: true },
    smtp: { host: 'smtp.qq.com', port: 465, secure: true },
    note: 'QQ Mail takes a 授权码, never the QQ password: 设置 → 账号(账户) → POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV服务 → turn on IMAP/SMTP服务, then 生成授权码',
  },
  '163': {
    name: '网易163邮箱',
    subaddressing: 'unknown',
    imap: { host: 'imap.163.com', port: 993, secure: true },
    smtp: { host: 'smtp.163.com', port: 465, secure: true },
    note: '163 takes a 授权码 (client authorisation code), not the login password: 设置 → POP3/SMTP/IMAP → turn on IMAP/SMTP服务 → 新增授权密码',
  },
  '126': {
    name: '网易126邮箱',
    subaddressing: 'unknown',
    imap: { host: 'imap.126.com', port: 993, secure: true },
    smtp: { host: 'smtp.126.com', port: 465, secure: true },
    note: '126 takes a 授权码 (client authorisation code), not the login password: 设置 → POP3/SMTP/IMAP → turn on IMAP/SMTP服务 → 新增授权密码',
  },
  'netease-enterprise': {
    name: '网易企业邮箱 NetEase enterprise mail (qiye.163.com)',
    subaddressing: 'unknown',
    imap: { host: 'imap.qiye.163.com', port: 993, secure: true },
    smtp: { host: 'smtp.qiye.163.com', port: 465, secure: true },
    note: 'when 客户端授权码 is on (设置 → 客户端设置; it needs a bound phone number), use the generated 授权密码, not the login password; ERR.LOGIN.IPDENY means the administrator restricts logins by IP',
  },
  aliyun: {
    name: '阿里邮箱 Aliyun enterprise mail',
    subaddressing: 'unknown',
    imap: { host: 'imap.qiye.aliyun.com', port: 993, secure: true },
    smtp: { host: 'smtp.qiye.aliyun.com', port: 465, secure: true },
    note: 'third-party clients may be off for the domain (the administrator allows them); with 三方客户端安全密码 on (设置 → 账户与安全 → 三方客户端安全管理), use that password, not the login password',
  },
  microsoft365: {
    name: 'Microsoft 365 (Exchange Online)',
    subaddressing: 'yes',
    imap: { host: 'outlook.office365.com', port: 993, secure: true },
    smtp: { host: 'smtp.office365.com', port: 587, secure: false },
    note: 'Exchange Online refuses passwords for IMAP (Basic authentication was turned off in 2022; it needs OAuth 2.0, which baosong does not do yet). SMTP AUTH takes a password (an app password if the account uses per-user MFA) only while the tenant allows SMTP AUTH Basic authentication for the mailbox',
    warning: 'Microsoft 365: the IMAP intake needs OAuth 2.0, which baosong does not support yet; SMTP with a password works only while the tenant allows SMTP AUTH Basic authentication (Microsoft turns it off by default for existing tenants at the end of 2026; administrators can turn it back on)',
  },
} as const satisfies Record<string, MailProvider>;

export type MailProviderId = keyof typeof MAIL_PROVIDERS;
/** In the order the README lists them (object keys such as '163' would sort first). */
export const MAIL_PROVIDER_IDS: [MailProviderId, ...MailProviderId[]] = ['exmail', 'qq', '163', '126', 'netease-enterprise', 'aliyun', 'microsoft365'];

/**
 * Fills `mail.imap` / `mail.smtp` host, port and secure from `mail.provider` where the file leaves them
 * out (the sections themselves must be there: they name the user and the password variable).
 * Anything that is not the expected shape is passed on unchanged for the schema to report.
 */
export function applyMailProvider(mail: unknown): unknown {
  if (typeof mail !== 'object' || mail === null || Array.isArray(mail)) return mail;
  const m = mail as Record<string, unknown>;
  const id = m.provider;
  if (typeof id !== 'string' || !Object.hasOwn(MAIL_PROVIDERS, id)) return mail;
  const preset = MAIL_PROVIDERS[id as MailProviderId];
  const fill = (section: unknown, endpoint: MailEndpoint) =>
    typeof section === 'object' && section !== null && !Array.isArray(section) ? { ...endpoint, ...(section as Record<string, unknown>) } : section;
  return {
    ...m,
    ...(m.imap !== undefined ? { imap: fill(m.imap, preset.imap) } : {}),
    ...(m.smtp !== undefined ? { smtp: fill(m.smtp, preset.smtp) } : {}),
  };
}
