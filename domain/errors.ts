/**
 * Every error code baosong gives, once, with what it means in the school's two languages — like nodemailer's
 * and fastify's `errors` lists. A thrown error carries its own message (what exactly went wrong and what to
 * do); this list says what the code stands for, so a log reader, a script or the CLI can name it.
 *
 * Codes are E + words in capitals joined by `_`, the first word the area (EDB_…, ECHAT_…, EACTION_…); the
 * mailbox watcher's few follow imapflow's short words (EAUTH, EMOVE). Never reuse or rename a code that
 * has shipped: scripts branch on them. Lives in domain/ because every layer may import domain/ and it is data.
 * tests/architecture/error-codes.test.ts checks that every code thrown is here and every code here is used.
 */
export interface ErrorMeaning {
  'zh-CN': string;
  en: string;
}

export const ERRORS = {
  // Configuration and start-up
  ECONFIG: { 'zh-CN': '配置文件有误', en: 'The configuration is not valid' },
  ECONFIG_NOT_FOUND: { 'zh-CN': '找不到配置文件', en: 'The configuration file was not found' },
  ECONFIG_SECRET: { 'zh-CN': '配置指定的密钥或密码没有在环境变量里设置', en: 'A secret or password the configuration names is not set in the environment' },
  ESECRET: { 'zh-CN': '签名密钥太短', en: 'A signing secret is too short' },
  ESTART: { 'zh-CN': '无法启动', en: 'baosong could not start' },
  EWORKER: { 'zh-CN': '后台处理进程出错', en: 'The worker process failed' },
  ETEMPORAL: { 'zh-CN': '连接不上 Temporal 服务', en: 'The Temporal service cannot be reached' },
  EDOVECOT_MISSING: { 'zh-CN': '本机没有安装 Dovecot', en: 'Dovecot is not installed here' },
  EDOVECOT_START: { 'zh-CN': 'Dovecot 启动失败', en: 'Dovecot did not start' },

  // Command line
  EUSAGE: { 'zh-CN': '命令用法有误', en: 'The command was used wrongly' },
  EREPORT_USAGE: { 'zh-CN': 'baosong report 用法有误', en: 'baosong report was used wrongly' },
  EEXPECT_USAGE: { 'zh-CN': 'baosong expect 用法有误', en: 'baosong expect was used wrongly' },
  EDEADLINE: { 'zh-CN': '无法计算截止时间', en: 'The deadline cannot be computed' },
  EDOCTOR: { 'zh-CN': '自检无法进行', en: 'The check-up could not run' },
  EINSPECT: { 'zh-CN': '无法读取这封邮件文件', en: 'The mail file cannot be read' },
  EDIGEST: { 'zh-CN': '周报无法生成或发送', en: 'The digest cannot be made or sent' },

  // Reports, review, the calendar
  EREPORT_NUMBER: { 'zh-CN': '报送编号无效', en: 'Not a valid report number' },
  EREVIEW_CHAIN: { 'zh-CN': '审核流程配置有误', en: 'The review chain is not valid' },
  ECALENDAR: { 'zh-CN': '节假日安排有误', en: 'The holiday schedule is not valid' },
  EWEEK: { 'zh-CN': '周次写法有误（应如 2026-W48）', en: 'Not a valid week (e.g. 2026-W48)' },
  EFIGURES: { 'zh-CN': '统计数据无法计算', en: 'The figures cannot be computed' },
  ETERM: { 'zh-CN': '学期写法有误（应如 2026-秋、2027-春 或 2026-2027）', en: 'Not a valid term (e.g. 2026-autumn, 2027-spring or 2026-2027)' },
  ESCORING: { 'zh-CN': '考核量分无法计算或导出', en: 'The scoring sheet cannot be computed or exported' },
  ESUBMIT_UNKNOWN_SENDER: { 'zh-CN': '提交人不在学校名单中', en: 'The submitter is not on the school’s list' },
  ESUBMIT_DEPARTMENT: { 'zh-CN': '无法确定所属部门', en: 'The department cannot be determined' },
  EACTION_NOT_FOUND: { 'zh-CN': '找不到这份报送', en: 'No such report' },
  EACTION_CLOSED: { 'zh-CN': '报送已结束，不能再操作', en: 'The report is closed' },
  EACTION_INVALID: { 'zh-CN': '这项操作不被允许', en: 'The action is not allowed' },
  EACTION_TIMEOUT: { 'zh-CN': '操作已提交，但暂未确认结果', en: 'The action was sent but its outcome is not known yet' },
  EACTION_UNAVAILABLE: { 'zh-CN': 'Temporal 服务器不接受这项操作（工作流更新已关闭）', en: 'The Temporal server refuses the action (workflow updates are off)' },
  EACCEPT_GONE: { 'zh-CN': '这封邮件已被处理或已不存在', en: 'The mail was already dealt with or is gone' },
  EACCEPT_REFUSED: { 'zh-CN': '这封邮件不能作为报送接收', en: 'The mail cannot be received as a report' },
  EEXPECT_DEPARTMENT: { 'zh-CN': '预期报送的部门不存在', en: 'The expected report’s department does not exist' },
  EEXPECT_ICS: { 'zh-CN': '日历文件（.ics）无法读取', en: 'The calendar file (.ics) cannot be read' },

  // The WeChat official account (publish/wechat-mp.ts)
  EWECHAT_TOKEN: { 'zh-CN': '公众号的 AppID 或 AppSecret 不被微信接受', en: 'WeChat refused the official account’s AppID or AppSecret' },
  EWECHAT_IP: { 'zh-CN': '本服务器不在公众号的 IP 白名单中', en: 'This server is not in the official account’s IP whitelist' },
  EWECHAT_QUOTA: { 'zh-CN': '公众号今天的接口调用次数已用完', en: 'The official account has used today’s API quota' },
  EWECHAT_MEDIA: { 'zh-CN': '照片不符合公众号的要求', en: 'A photo does not meet the official account’s rules' },
  EWECHAT_REFUSED: { 'zh-CN': '微信拒绝了公众号请求', en: 'WeChat refused the official account request' },
  EWECHAT_NETWORK: { 'zh-CN': '连接不上微信服务器', en: 'WeChat cannot be reached' },

  // Mail in and out
  EAUTH: { 'zh-CN': '邮箱登录被拒绝（用户名或密码不对）', en: 'The mailbox refused the login' },
  ECONNECT: { 'zh-CN': '连接不上邮件服务器', en: 'The mail server cannot be reached' },
  EFOLDER: { 'zh-CN': '邮箱文件夹无法建立或打开', en: 'A mailbox folder cannot be made or opened' },
  ECLOSED: { 'zh-CN': '与邮件服务器的连接断开', en: 'The mail server connection dropped' },
  EMOVE: { 'zh-CN': '邮件服务器拒绝移动邮件', en: 'The mail server refused to move a mail' },
  EHANDLER: { 'zh-CN': '处理一封邮件时出错', en: 'Handling a mail failed' },
  EUNSUPPORTED: { 'zh-CN': '邮件服务器不支持 MOVE 和 UIDPLUS', en: 'The mail server supports neither MOVE nor UIDPLUS' },
  EOPTIONS: { 'zh-CN': '收信设置有误', en: 'The mailbox options are not valid' },
  ESTOPPED: { 'zh-CN': '收信已停止', en: 'The mailbox watcher was stopped' },
  EMAIL_PARSE: { 'zh-CN': '邮件无法解析', en: 'The mail cannot be parsed' },
  ETEXT_STORE: { 'zh-CN': '长文本无法保存或读取', en: 'A long text cannot be stored or read' },

  // Where attachments are kept (storage/store.ts)
  ESTORAGE: { 'zh-CN': '附件无法保存或读取（本机文件夹或对象存储）', en: 'An attachment cannot be stored or read (data folder or object storage)' },
  ESTORAGE_AUTH: { 'zh-CN': '对象存储拒绝了访问密钥（AccessKey 不对或没有这个存储桶的权限）', en: 'The object storage refused the access key' },
  ESTORAGE_BUCKET: { 'zh-CN': '对象存储里没有这个存储桶', en: 'The object storage has no such bucket' },
  ESTORAGE_MIGRATE: { 'zh-CN': '附件迁移没有完成', en: 'Moving the attachments did not finish' },
  ETEMPLATE: { 'zh-CN': '邮件或页面模板出错', en: 'A mail or page template failed' },

  // Database
  EDB_CONFIG: { 'zh-CN': '数据库设置有误', en: 'The database settings cannot work' },
  EDB_CONNECT: { 'zh-CN': '数据库无法打开或连接', en: 'The database cannot be opened or reached' },
  EDB_MIGRATE: { 'zh-CN': '数据库升级失败', en: 'A database migration failed' },
  EDB_INVALID: { 'zh-CN': '写入数据库的值无效', en: 'A value for the database is not usable' },
  EDB_NO_REPORT: { 'zh-CN': '数据库中还没有这份报送', en: 'The report is not in the database yet' },
  EDB_NOT_FOUND: { 'zh-CN': '要更新的记录不存在', en: 'The row to update does not exist' },
  EDB_REPORT_NUMBER: { 'zh-CN': '无法分配报送编号', en: 'A report number could not be allocated' },

  // Chat robots, the digest chart, the web
  ECHAT_BAD_KEY: { 'zh-CN': '群机器人的密钥（key/token）不对', en: 'The chat robot does not know the key' },
  ECHAT_BAD_SIGNATURE: { 'zh-CN': '群机器人的加签校验失败（密钥或时钟不对）', en: 'The chat robot’s signature check failed' },
  ECHAT_RATE_LIMITED: { 'zh-CN': '群机器人发送过于频繁，稍后重试', en: 'The chat robot’s rate limit was hit' },
  ECHAT_REFUSED: { 'zh-CN': '群机器人拒收了消息', en: 'The chat robot refused the message' },
  ECHAT_UNREACHABLE: { 'zh-CN': '连接不上群机器人', en: 'The chat robot cannot be reached' },
  ECHAT_NOT_CONFIGURED: { 'zh-CN': '群机器人未设置', en: 'The chat robot is not configured' },
  ECHART_FONT: { 'zh-CN': '缺少中文字体，图表无法生成', en: 'No CJK font for the chart' },
  ECHART_RENDER: { 'zh-CN': '图表无法生成', en: 'The chart cannot be drawn' },
  EMETRICS_FORBIDDEN: { 'zh-CN': '本机以外不能查看运行指标', en: 'Metrics are not served to this address' },
} as const satisfies Record<string, ErrorMeaning>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** What a code means, in the locale; null for a code that is not ours (a Node or library error). */
export function errorMeaning(code: unknown, locale: 'zh-CN' | 'en'): string | null {
  return isErrorCode(code) ? ERRORS[code][locale] : null;
}

/** A set of codes an error class gives, checked against the list: `type MailboxErrorCode = ErrorCodes<'EAUTH' | …>`. */
export type ErrorCodes<T extends ErrorCode> = T;
