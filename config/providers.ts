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
  /** Where the password baosong needs comes from; said when a login is refused (noteZh: in Chinese). */
  note: string;
  noteZh: string;
  /** Said by `doctor` even when everything else is fine (a known limit of the service). */
  warning?: string;
  warningZh?: string;
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
    noteZh: '开启了安全登录（微信动态码）时，要用“设置 → 账户 → 客户端专用密码”生成的客户端专用密码，而不是邮箱登录密码；并在“设置 → 收发信设置”里开启 IMAP/SMTP 服务',
  },
  qq: {
    name: 'QQ邮箱 QQ Mail',
    subaddressing: 'unknown',
    imap: { host: 'imap.qq.com', port: 993, secure: true },
    smtp: { host: 'smtp.qq.com', port: 465, secure: true },
    note: 'QQ Mail takes a 授权码, never the QQ password: 设置 → 账号(账户) → POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV服务 → turn on IMAP/SMTP服务, then 生成授权码',
    noteZh: 'QQ 邮箱要用授权码，不能用 QQ 密码：设置 → 账号（账户）→ POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV服务 → 开启 IMAP/SMTP 服务，再生成授权码',
  },
  '163': {
    name: '网易163邮箱',
    subaddressing: 'unknown',
    imap: { host: 'imap.163.com', port: 993, secure: true },
    smtp: { host: 'smtp.163.com', port: 465, secure: true },
    note: '163 takes a 授权码 (client authorisation code), not the login password: 设置 → POP3/SMTP/IMAP → turn on IMAP/SMTP服务 → 新增授权密码',
    noteZh: '163 邮箱要用客户端授权码，不能用登录密码：设置 → POP3/SMTP/IMAP → 开启 IMAP/SMTP 服务 → 新增授权密码',
  },
  '126': {
    name: '网易126邮箱',
    subaddressing: 'unknown',
    imap: { host: 'imap.126.com', port: 993, secure: true },
    smtp: { host: 'smtp.126.com', port: 465, secure: true },
    note: '126 takes a 授权码 (client authorisation code), not the login password: 设置 → POP3/SMTP/IMAP → turn on IMAP/SMTP服务 → 新增授权密码',
    noteZh: '126 邮箱要用客户端授权码，不能用登录密码：设置 → POP3/SMTP/IMAP → 开启 IMAP/SMTP 服务 → 新增授权密码',
  },
  'netease-enterprise': {
    name: '网易企业邮箱 NetEase enterprise mail (qiye.163.com)',
    subaddressing: 'unknown',
    imap: { host: 'imap.qiye.163.com', port: 993, secure: true },
    smtp: { host: 'smtp.qiye.163.com', port: 465, secure: true },
    note: 'when 客户端授权码 is on (设置 → 客户端设置; it needs a bound phone number), use the generated 授权密码, not the login password; ERR.LOGIN.IPDENY means the administrator restricts logins by IP',
    noteZh: '开启了客户端授权码（设置 → 客户端设置，需绑定手机号）时，要用生成的授权密码，而不是登录密码；出现 ERR.LOGIN.IPDENY 表示管理员按 IP 限制了登录',
  },
  aliyun: {
    name: '阿里邮箱 Aliyun enterprise mail',
    subaddressing: 'unknown',
    imap: { host: 'imap.qiye.aliyun.com', port: 993, secure: true },
    smtp: { host: 'smtp.qiye.aliyun.com', port: 465, secure: true },
    note: 'third-party clients may be off for the domain (the administrator allows them); with 三方客户端安全密码 on (设置 → 账户与安全 → 三方客户端安全管理), use that password, not the login password',
    noteZh: '第三方客户端可能被管理员关闭（需管理员开启）；开启了三方客户端安全密码（设置 → 账户与安全 → 三方客户端安全管理）时，要用该密码，而不是登录密码',
  },
  microsoft365: {
    name: 'Microsoft 365 (Exchange Online)',
    subaddressing: 'yes',
    imap: { host: 'outlook.office365.com', port: 993, secure: true },
    smtp: { host: 'smtp.office365.com', port: 587, secure: false },
    note: 'Exchange Online refuses passwords for IMAP (Basic authentication was turned off in 2022; it needs OAuth 2.0, which baosong does not do yet). SMTP AUTH takes a password (an app password if the account uses per-user MFA) only while the tenant allows SMTP AUTH Basic authentication for the mailbox',
    noteZh: 'Exchange Online 的 IMAP 不接受密码（2022 年起关闭了基本身份验证，需要 OAuth 2.0，baosong 暂不支持）；SMTP AUTH 只有在租户为该邮箱允许基本身份验证时才接受密码（账户启用了多重验证时用应用密码）',
    warning: 'Microsoft 365: the IMAP intake needs OAuth 2.0, which baosong does not support yet; SMTP with a password works only while the tenant allows SMTP AUTH Basic authentication (Microsoft turns it off by default for existing tenants at the end of 2026; administrators can turn it back on)',
    warningZh: 'Microsoft 365：IMAP 收信需要 OAuth 2.0，baosong 暂不支持；SMTP 用密码登录只在租户允许 SMTP AUTH 基本身份验证时可用（微软在 2026 年底默认对现有租户关闭，管理员可以重新开启）',
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
