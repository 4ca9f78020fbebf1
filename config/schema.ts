/**
 * The shape of baosong.config.yaml, validated with zod. Field docs here are the reference;
 * config/example.yaml shows every section for a fictional school.
 *
 * Long file: the whole configuration is one zod schema, so one parse locates every problem of a file at once
 * (with the cross-section checks at the end); each section is short, the sections are many.
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { checkOfficeSchedule, expandOfficeSchedule } from '../domain/calendar.js';
import { CHAT_EVENTS } from '../domain/chat.js';
import { CHECK_CODES, DEFAULT_CHECK_SETTINGS } from '../domain/checks/types.js';
import { CATEGORY_LABELS, URGENCIES } from '../domain/report.js';
import { assertTimeZone, parseClock } from '../domain/time.js';
import { say, scheduleProblemMessage } from './messages.js';
import { applyMailProvider, MAIL_PROVIDER_IDS } from './providers.js';

/** Minutes after midnight of "HH:MM", or null when it is not a time of day. */
function clockMinutes(s: string): number | null {
  try {
    return parseClock(s);
  } catch {
    return null;
  }
}

const clock = z.string().refine((s) => clockMinutes(s) !== null, {
  error: (issue) => say(`${JSON.stringify(issue.input)} is not a time of day: write HH:MM (00:00–23:59), e.g. "08:00" or "17:30"`, `${JSON.stringify(issue.input)} 不是时刻：请写成 时:分（00:00—23:59），例如 "08:00" 或 "17:30"`),
});

const timeZone = z.string().refine(
  (s) => {
    try {
      assertTimeZone(s);
      return true;
    } catch {
      return false;
    }
  },
  { error: () => say('unknown time zone; use an IANA name such as Asia/Shanghai', '没有这个时区：请写 IANA 时区名，例如 Asia/Shanghai') },
);

// An address as people type it: an empty one is missing; a full-width ＠ (Chinese input method) is named.
const email = z
  .string({ error: (issue) => (issue.input === undefined ? say('missing: expected an e-mail address', '缺少此项：应填邮箱地址') : say('expected an e-mail address', '应填邮箱地址')) })
  .superRefine((s, ctx) => {
    if (s.trim() === '') ctx.addIssue({ code: 'custom', message: say('missing: the e-mail address is empty', '缺少此项：邮箱地址是空的') });
    else if (/[＠．]/.test(s)) ctx.addIssue({ code: 'custom', message: say(`"${s}" has a full-width ＠ or ．: type the address with the English keyboard (@ and .)`, `“${s}”里有全角的 ＠ 或 ．：请切换到英文输入法输入 @ 和 .`) });
    else if (!z.email().safeParse(s.trim()).success) ctx.addIssue({ code: 'custom', message: say(`"${s}" is not an e-mail address`, `“${s}”不是邮箱地址`) });
  })
  .transform((s) => s.trim().toLowerCase());
const date = z.iso.date({ error: () => say('expected a date YYYY-MM-DD', '应填日期，写成 年-月-日，例如 2027-02-05') });
/** Durations as people write them: "30m", "2h", "1h30m", "1d". */
export const durationPattern = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;
const duration = z.string().regex(durationPattern, { error: () => say('expected a duration such as "30m", "2h" or "1h30m"', '应填时长，例如 "30m"（30 分钟）、"2h"（2 小时）或 "1h30m"') }).refine((s) => s !== '', { error: () => say('empty duration', '时长是空的') });
/** Name of an environment variable that holds a secret; the secret itself never sits in the file. */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: () => say('expected an environment variable name such as BAOSONG_SMTP_PASSWORD', '应填环境变量名（大写字母、数字和下划线），例如 BAOSONG_SMTP_PASSWORD') });

/** An address or block a reverse proxy sends from: "127.0.0.1", "10.0.0.0/8", "::1", or proxy-addr's names "loopback", "linklocal", "uniquelocal". */
function isProxyAddress(s: string): boolean {
  return ['loopback', 'linklocal', 'uniquelocal'].includes(s) || isAddressOrNetwork(s);
}

/** "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8". */
export function isAddressOrNetwork(s: string): boolean {
  const [address = '', prefix, ...rest] = s.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  try {
    new BlockList().addSubnet(address, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false;
  }
}

/** What `web.trustProxy: true` gets as its error: trusting every hop lets a visitor choose their own address. */
const trustProxyTrueMessage = (): string =>
  say(
    'true would take the address a visitor writes in X-Forwarded-For, so no per-address limit holds. Write the address of your reverse proxy instead: ' +
      'trustProxy: ["127.0.0.1"] when nginx runs on this machine, or its address or network, e.g. ["10.0.0.5"] or ["10.0.0.0/24"]',
    '写 true 会相信访问者自己在 X-Forwarded-For 里写的地址，按地址的限流就失效了。请写反向代理的地址：' +
      'nginx 在本机时写 trustProxy: ["127.0.0.1"]，否则写它的地址或网段，例如 ["10.0.0.5"] 或 ["10.0.0.0/24"]',
  );

const trustProxy = z
  .union([z.boolean(), z.number(), z.array(z.string()).min(1)], { error: () => say('expected false or the reverse proxy\'s addresses, e.g. ["127.0.0.1"]', '应填 false，或反向代理的地址，例如 ["127.0.0.1"]') })
  .superRefine((value, ctx) => {
    if (value === true) ctx.addIssue({ code: 'custom', message: trustProxyTrueMessage() });
    // Fastify ignores a hop count on purpose: it cannot tell the proxy from a visitor who connects directly.
    if (typeof value === 'number') ctx.addIssue({ code: 'custom', message: say(`a number of proxies cannot tell your proxy from a visitor who connects to baosong directly; write the proxy's address instead, e.g. ["127.0.0.1"]`, `代理的个数分不清是你的代理还是直接连进来的访问者：请改写代理的地址，例如 ["127.0.0.1"]`) });
    if (Array.isArray(value)) {
      value.forEach((a, i) => {
        if (!isProxyAddress(a)) ctx.addIssue({ code: 'custom', path: [i], message: say(`${JSON.stringify(a)} is not an IP address or network such as "127.0.0.1" or "10.0.0.0/8"`, `${JSON.stringify(a)} 不是 IP 地址或网段（例如 "127.0.0.1" 或 "10.0.0.0/8"）`) });
      });
    }
  })
  .transform((value) => value as false | string[]);

export const personSchema = z.strictObject({
  name: z.string().min(1),
  email,
  /** Other addresses the same person sends from (a personal QQ or 163 mailbox). */
  aliases: z.array(email).default([]),
  /** Job title shown in mail, e.g. 宣传干事, 副校长. */
  title: z.string().optional(),
  /** Mobile number, to @-mention them in WeCom / DingTalk groups (chat robots), e.g. "13800001111". */
  mobile: z.string().regex(/^\+?\d{5,20}$/, { error: () => say('expected a mobile number of digits, e.g. "13800001111"', '应填手机号（数字），例如 "13800001111"') }).optional(),
});

export const departmentSchema = z.strictObject({
  /** Short stable id used in URLs, statistics and the CLI, e.g. "jiaowu". */
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: () => say('expected a short id in lower-case letters, digits and "-", e.g. "jiaowu"', '应填简短的编号：小写字母、数字和“-”，例如 "jiaowu"') }),
  /** Name as people say it, e.g. 教务处. */
  name: z.string().min(1),
  head: personSchema,
  liaisons: z.array(personSchema).min(1, { error: () => say('every department needs at least one liaison (信息联络员)', '每个部门至少要有一位信息联络员') }),
  /** Other staff who may submit (年级组长, 班主任 …); reviewed through this department. */
  members: z.array(personSchema).default([]),
  /**
   * A bureau's configuration, where the "departments" are schools: this school runs baosong too, and its upward
   * mail carries a card signed with the key the two share (environment variable named here; mail/upward-card.ts).
   * Its reports are then taken as the school's baosong describes them, and the bureau's answers carry a card back.
   */
  sharedKeyEnv: envName.optional(),
});

const categoryLabel = z.enum(CATEGORY_LABELS as [string, ...string[]], { error: () => say(`expected one of ${CATEGORY_LABELS.join('、')}`, `应为以下之一：${CATEGORY_LABELS.join('、')}`) });

/** One rule of what goes up to the bureau, and by when (domain/upward.ts). */
const upwardRuleSchema = z.strictObject({
  /** Categories this rule covers (absent: every category). */
  category: z.array(categoryLabel).min(1).optional(),
  /** Urgencies this rule covers (absent: every urgency). */
  urgency: z.array(z.enum(URGENCIES)).min(1).optional(),
  /** Sent when the report arrives, while the school's own review runs (incidents: the bureau's clock does not wait). */
  parallel: z.boolean().default(false),
  /** The bureau's deadline, counted from the event: hours (an incident within 1 hour) … */
  withinHours: z.number().positive().optional(),
  /** … or working days on the school's calendar (a routine piece within 2 working days). */
  withinWorkingDays: z.number().int().min(1).optional(),
}).refine((r) => r.withinHours === undefined || r.withinWorkingDays === undefined, { error: () => say('give withinHours or withinWorkingDays, not both', 'withinHours 和 withinWorkingDays 只能写一个') });

const robotCommon = {
  /** Short id used in logs, /healthz and the sent-message record, e.g. "office-wecom". */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: () => say('expected a short id in lower-case letters, digits and "-", e.g. "office-dingtalk"', '应填简短的名字：小写字母、数字和“-”，例如 "office-dingtalk"') }),
  /** Whose group it is: "office", "leadership" and/or department ids. */
  for: z.array(z.string().min(1)).min(1, { error: () => say('say whose group the robot posts to: office, leadership or a department id', '请写机器人发到谁的群：office（办公室）、leadership（领导）或部门编号') }),
  /** The vendor's API address; change it only for a proxy (or a test server). */
  baseUrl: z.url({ error: () => say('expected a URL', '应填网址') }).optional(),
};

export const chatRobotSchema = z.discriminatedUnion('kind', [
  /** 企业微信 群机器人: the `key` of its webhook address. */
  z.strictObject({ kind: z.literal('wecom'), ...robotCommon, keyEnv: envName }),
  /** 钉钉 自定义机器人: its access_token and, in the 加签 mode, the secret (SEC…). */
  z.strictObject({ kind: z.literal('dingtalk'), ...robotCommon, accessTokenEnv: envName, secretEnv: envName.optional() }),
  /** 飞书 自定义机器人: the token at the end of its webhook address and, in the 签名校验 mode, the secret. */
  z.strictObject({ kind: z.literal('feishu'), ...robotCommon, tokenEnv: envName, secretEnv: envName.optional() }),
]);

const allChatEvents = [...CHAT_EVENTS];

export const reviewStepSchema = z.enum(['department_head', 'office', 'leadership']);

export const reviewChainSchema = z.strictObject({
  name: z.string().optional(),
  /** All listed conditions must hold; a chain without `when` matches every report. */
  when: z
    .strictObject({
      urgency: z.array(z.enum(URGENCIES)).min(1).optional(),
      category: z.array(z.enum(CATEGORY_LABELS as [string, ...string[]], { error: () => say(`expected one of ${CATEGORY_LABELS.join('、')}`, `应为以下之一：${CATEGORY_LABELS.join('、')}`) })).min(1).optional(),
    })
    .optional(),
  steps: z.array(reviewStepSchema).min(1),
});

const reminderPlanSchema = z.strictObject({
  /** Reminders to the holder this long before the deadline. */
  before: z.array(duration).default([]),
  /** After the deadline: keep reminding once every working day (routine) or every `every` (urgent/major). */
  every: duration.optional(),
});

const defaultChains = [
  { name: '安全管理、政策传达', when: { category: ['安全管理', '政策传达'] }, steps: ['department_head', 'office', 'leadership'] },
  { name: '重大、紧急', when: { urgency: ['major', 'urgent'] }, steps: ['department_head', 'office', 'leadership'] },
  { name: '常规', steps: ['department_head', 'office'] },
] as const;

/** Points for a 简讯 and for a 详讯. */
const sizePoints = z.strictObject({ 简讯: z.number().min(0), 详讯: z.number().min(0) });

export const configSchema = z
  .strictObject({
    school: z.strictObject({
      name: z.string().min(1),
      /** Domain of the school's mail, e.g. school.test. */
      domain: z.string().optional(),
      timeZone: timeZone.default('Asia/Shanghai'),
      /** Language of mail and pages: zh-CN first, English available. */
      locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
      /**
       * The level of this organisation's own channels when a piece is used on them: 校级 for a school; a county
       * bureau running baosong says 县区级, so a school's piece it publishes counts as 录用 at 县区级.
       */
      level: z.enum(['校级', '县区级', '市级', '省级', '国家级']).default('校级'),
    }),
    workingHours: z
      .strictObject({ start: clock.default('08:00'), end: clock.default('17:30') })
      .default({ start: '08:00', end: '17:30' })
      .refine(
        (w) => {
          // Only when both are times of day: a bad one already has its own error.
          const [start, end] = [clockMinutes(w.start), clockMinutes(w.end)];
          return start === null || end === null || start < end;
        },
        { error: () => say('working hours must start before they end', '上班时间要早于下班时间') },
      ),
    calendar: z
      .strictObject({
        /** Extra days off (school closures), YYYY-MM-DD. */
        extraHolidays: z.array(date).default([]),
        /** Extra working days, YYYY-MM-DD. */
        extraWorkdays: z.array(date).default([]),
        /**
         * The State Council's holiday schedule for a year (国务院办公厅关于X年部分节假日安排的通知), copied by the
         * office when it is published, for years the built-in data does not have yet. Keyed by year.
         */
        statutory: z
          .record(
            z.string().regex(/^\d{4}$/, { error: () => say('expected a year such as "2027"', '应填年份，例如 "2027"') }),
            z.strictObject({
              /** The notice's number, e.g. 国办发明电〔2026〕7号. */
              source: z.string().optional(),
              /** Each holiday's days off: one date, or from … to (both included). */
              holidays: z.array(z.strictObject({ name: z.string().min(1), from: date, to: date.optional() })).min(1, { error: () => say('list the holidays', '请列出放假日期') }),
              /** The 调休 make-up working days. */
              workdays: z.array(z.strictObject({ name: z.string().min(1), date })).default([]),
            }),
          )
          .default({}),
      })
      .default({ extraHolidays: [], extraWorkdays: [], statutory: {} }),
    departments: z.array(departmentSchema).min(1, { error: () => say('list at least one department', '至少要列出一个部门') }),
    /** 学校办公室 and 宣传干事: any one of them may decide the office step. */
    office: z.strictObject({ reviewers: z.array(personSchema).min(1, { error: () => say('the office needs at least one reviewer', '办公室至少要有一位审核人') }) }),
    /** 工作领导小组: principal and vice-principals. */
    leadership: z.array(personSchema).min(1, { error: () => say('list at least one leader', '至少要列出一位校领导') }),
    review: z
      .strictObject({
        /** First matching chain wins; the last one must have no `when`. */
        chains: z.array(reviewChainSchema).min(1),
        /** Skip the department-head step when the head submitted the report. */
        skipHeadWhenSubmitter: z.boolean().default(true),
        /**
         * A reviewer link is a bearer credential: whoever has the mail can use it. `act`: the link's page
         * approves and sends back. `view`: it only shows the report; deciding takes a reply to the mail
         * (reply token + sender checks) or a signed-in session of that reviewer.
         */
        linkPolicy: z.enum(['act', 'view']).default('act'),
      })
      .default({ chains: defaultChains.map((c) => ({ ...c, steps: [...c.steps] })) as never, skipHeadWhenSubmitter: true, linkPolicy: 'act' }),
    deadlines: z
      .strictObject({
        majorHours: z.number().positive().default(2),
        urgentHours: z.number().positive().default(2),
        routineWorkingDays: z.number().int().min(1).default(1),
        /** A returned report should be revised within this many working days; reminders follow after. */
        revisionWorkingDays: z.number().int().min(1).default(2),
        /** A returned report not revised this many working days after it was sent back expires. */
        expireWorkingDays: z.number().int().min(1).default(5),
        reminders: z
          .strictObject({
            routine: reminderPlanSchema.default({ before: ['2h'] }),
            major: reminderPlanSchema.default({ before: ['30m'], every: '1h' }),
            urgent: reminderPlanSchema.default({ before: ['30m'], every: '30m' }),
          })
          .default({ routine: { before: ['2h'] }, major: { before: ['30m'], every: '1h' }, urgent: { before: ['30m'], every: '30m' } }),
      })
      .default({
        majorHours: 2,
        urgentHours: 2,
        routineWorkingDays: 1,
        revisionWorkingDays: 2,
        expireWorkingDays: 5,
        reminders: { routine: { before: ['2h'] }, major: { before: ['30m'], every: '1h' }, urgent: { before: ['30m'], every: '30m' } },
      }),
    mail: z.preprocess(applyMailProvider, z.strictObject({
      /** The shared inbox staff write to; replies come back as <local>+<token>@<domain>. */
      address: email,
      /** A mail service by name (exmail, qq, 163, 126, netease-enterprise, aliyun, microsoft365): fills IMAP/SMTP host, port and TLS; fields written here win. */
      provider: z.enum(MAIL_PROVIDER_IDS, { error: () => say(`expected one of ${MAIL_PROVIDER_IDS.join(', ')}`, `应为以下之一：${MAIL_PROVIDER_IDS.join('、')}`) }).optional(),
      fromName: z.string().default('信息报送'),
      imap: z
        .strictObject({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535).default(993),
          secure: z.boolean().default(true),
          user: z.string().min(1),
          passwordEnv: envName,
          mailbox: z.string().default('INBOX'),
          processedFolder: z.string().default('Processed'),
          quarantineFolder: z.string().default('Quarantine'),
        })
        .optional(),
      /** Without SMTP, mail is written as .eml files to the outbox folder. */
      smtp: z
        .strictObject({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535).default(465),
          secure: z.boolean().default(true),
          user: z.string().optional(),
          passwordEnv: envName.optional(),
          pool: z.boolean().default(true),
        })
        .optional(),
      outboxDir: z.string().optional(),
      /** Review requests and the website editor's mail carry the report's files up to this many MB in total; beyond it, signed download links. 0: links only. */
      attachUpToMB: z.number().min(0).default(10),
      /**
       * A retry that finds an earlier attempt stopped mid-send (the worker died between the SMTP server's
       * 250 and recording it): send the identical mail again (resend: at-least-once, same Message-ID) or
       * hold it for the office (hold: at-most-once for that mail).
       */
      unknownOutcome: z.enum(['resend', 'hold']).default('resend'),
      limits: z
        .strictObject({
          maxAttachmentMB: z.number().positive().default(20),
          maxMailMB: z.number().positive().default(25),
          /**
           * Automatic answers (notices, refusals) to one address per hour, at most; past it the address's mail is
           * quarantined unanswered and the office is told once. Stops a mail loop with an auto-forwarding mailbox.
           */
          noticesPerHour: z.number().int().min(1).default(3),
          allowedTypes: z
            .array(z.string())
            .default(['image/jpeg', 'image/png', 'image/heic', 'image/webp', 'application/pdf', 'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document']),
        })
        .default({ maxAttachmentMB: 20, maxMailMB: 25, noticesPerHour: 3, allowedTypes: ['image/jpeg', 'image/png', 'image/heic', 'image/webp', 'application/pdf', 'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'] }),
      /** How replies that approve or send back are authenticated beyond sender + token. */
      authentication: z
        .strictObject({
          policy: z.enum(['token', 'dkim', 'authserv']).default('token'),
          trustedAuthservIds: z.array(z.string()).default([]),
        })
        .default({ policy: 'token', trustedAuthservIds: [] }),
    })),
    digest: z
      .strictObject({
        weekday: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']).default('friday'),
        time: clock.default('16:00'),
        /** Roles that get the digest, plus any extra addresses. */
        roles: z.array(z.enum(['office', 'leadership'])).default(['office', 'leadership']),
        recipients: z.array(email).default([]),
      })
      .default({ weekday: 'friday', time: '16:00', roles: ['office', 'leadership'], recipients: [] }),
    web: z
      .strictObject({
        port: z.number().int().min(1).max(65535).default(8080),
        /** Public address used in links inside mail. */
        baseUrl: z.url({ error: () => say('expected a URL such as https://baosong.school.test', '应填网址，例如 https://baosong.school.test') }).default('http://localhost:8080'),
        /**
         * Behind a reverse proxy (nginx, a load balancer): take the client address from X-Forwarded-For, so the
         * per-address limits on the form and sign-in count each person, not the proxy as one global bucket.
         * Name the proxies whose X-Forwarded-For is believed by their addresses or networks (e.g. ["127.0.0.1"],
         * ["10.0.0.0/8"]). The client address is then the last one a trusted proxy appended, whatever a visitor
         * wrote before it. `true` (every hop: the visitor's own left-most entry) and a hop count (Fastify ignores
         * one: it cannot tell the proxy from a visitor connecting directly) are refused. Leave false when browsers reach baosong directly: then the header is anyone's to forge.
         */
        trustProxy: trustProxy.optional(),
        /**
         * Who may read GET /metrics and the detail of GET /healthz (last errors, backlog) on the web port besides
         * this machine (loopback): the monitoring server's addresses or networks, e.g. ["10.0.0.20"]. Everyone
         * else gets 403 from /metrics and only ok/state from /healthz.
         */
        metricsAllow: z
          .array(z.string().refine(isAddressOrNetwork, { error: (i) => say(`${JSON.stringify(i.input)} is not an IP address or network such as "10.0.0.20" or "10.0.0.0/24"`, `${JSON.stringify(i.input)} 不是 IP 地址或网段（例如 "10.0.0.20" 或 "10.0.0.0/24"）`) }))
          .optional(),
      })
      .default({ port: 8080, baseUrl: 'http://localhost:8080' }),
    /** What happens when a report is finally approved: it is always recorded in the published archive. */
    publish: z
      .strictObject({
        /** POSTed a JSON description of the report (e.g. to the school website's CMS). */
        webhookUrl: z.url({ error: () => say('expected a URL', '应填网址') }).optional(),
        /** The website editor, mailed the approved report. */
        editorEmail: email.optional(),
        /** Categories whose approved reports are kept, not published (审核通过 · 仅存档), e.g. [安全管理]. */
        archiveCategories: z.array(z.enum(CATEGORY_LABELS as [string, ...string[]], { error: () => say(`expected one of ${CATEGORY_LABELS.join('、')}`, `应为以下之一：${CATEGORY_LABELS.join('、')}`) })).default([]),
        /** An approved report not yet published: the editor (else the office) is reminded after this many working days, then each working morning, three times in all. */
        remindAfterWorkingDays: z.number().int().min(1).max(10).default(1),
        /** How the school's own channels are named in the uses (录用, 校级) they record when published. */
        websiteName: z.string().min(1).default('学校网站'),
        wechatName: z.string().min(1).default('学校公众号'),
        /**
         * The school's 公众号: approved reports go into its draft box (publish/wechat-mp.ts). AppID and AppSecret by
         * environment variable; this server's public address must be in the account's IP whitelist.
         */
        wechat: z
          .strictObject({
            appIdEnv: envName,
            appSecretEnv: envName,
            /** The article's author line; default: the department and the liaison. */
            author: z.string().min(1).optional(),
            /** For tests and proxies; default https://api.weixin.qq.com. */
            apiBase: z.url().optional(),
          })
          .optional(),
      })
      .default({ archiveCategories: [], remindAfterWorkingDays: 1, websiteName: '学校网站', wechatName: '学校公众号' }),
    /**
     * 上报: reports that must go up to the education bureau, in the form it asks for, by its deadlines (README
     * "Reporting upward"). Absent: nothing goes up automatically (the office can still send a published piece up).
     */
    upward: z
      .strictObject({
        /** The bureau's inbox (aliases: other addresses its answers come from). */
        bureau: personSchema,
        /** The bureau's subject line: {school}, {title}, {category}, {department}, {date} (no report number: a bureau's baosong would read it as a reply). */
        subject: z.string().min(1).default('【{school}】{title}'),
        /** The piece's text in the mail itself. */
        body: z.boolean().default(true),
        /** A Word file (.docx) in the bureau's layout, with the photos in it. */
        docx: z.boolean().default(true),
        /** Photos as attachments, or as download links (always links once the mail would pass maxMB). */
        photos: z.enum(['attach', 'links']).default('attach'),
        maxMB: z.number().positive().default(20),
        /** The bureau runs baosong: the key both configured (environment variable); its answers then carry a signed card. */
        sharedKeyEnv: envName.optional(),
        /** How long after sending a report still listens for the bureau's answer (收到, 录用, 退回, 催报). */
        listenDays: z.number().int().min(1).max(366).default(30),
        /** What goes up: the first rule that matches a report decides; a report no rule matches stays in the school. */
        rules: z.array(upwardRuleSchema).min(1),
      })
      .optional(),
    /** Group chat robots (企业微信, 钉钉, 飞书) beside mail, for the urgent moments. Mail stays the record. */
    chat: z
      .strictObject({
        robots: z.array(chatRobotSchema).default([]),
        /** What goes to chat: new_report, review_waiting, overdue (escalation), expected_missing (漏报), digest. */
        events: z.array(z.enum(CHAT_EVENTS)).default(allChatEvents),
        /** Report events go to chat only for these urgencies (routine traffic stays in mail). */
        urgencies: z.array(z.enum(URGENCIES)).min(1).default(['major', 'urgent']),
      })
      .default({ robots: [], events: allChatEvents, urgencies: ['major', 'urgent'] }),
    /** 稿件体检: the checks every report gets before review (findings never block a report). */
    checks: z
      .strictObject({
        /** Checks the office switched off, by code (e.g. [credit_missing]). */
        disabled: z.array(z.enum(CHECK_CODES, { error: () => say(`expected one of ${CHECK_CODES.join(', ')}`, `应为以下之一：${CHECK_CODES.join('、')}`) })).default([]),
        /** The school's own words and phrases that must not appear in a report. */
        sensitiveWords: z.array(z.string().min(1)).default([]),
        /** The built-in list of claims education authorities forbid (状元, 升学率, 排名第一 …); false switches it off. */
        builtinSensitiveWords: z.boolean().default(true),
        /** A longer title is a warning. */
        titleMaxChars: z.number().int().min(5).default(DEFAULT_CHECK_SETTINGS.titleMaxChars),
        /** Ask for an author credit (撰稿：…) and, when there are photos, a photographer credit (摄影：…). */
        requireCredit: z
          .strictObject({ author: z.boolean().default(false), photographer: z.boolean().default(false) })
          .default({ author: false, photographer: false }),
      })
      .default({ disabled: [], sensitiveWords: [], builtinSensitiveWords: true, titleMaxChars: DEFAULT_CHECK_SETTINGS.titleMaxChars, requireCredit: { author: false, photographer: false } }),
    /** 考核: the rule sheet the office is scored by (domain/scoring.ts); absent → no scoring sheet. */
    scoring: z
      .strictObject({
        /** 学期 or 学年: the period a ranking covers. */
        period: z.enum(['学期', '学年']).default('学期'),
        /** Text at least this long (characters, without spaces) is guessed 详讯; the office can override. */
        detailedFromChars: z.number().int().min(1).default(300),
        sentNotUsed: sizePoints,
        rules: z
          .array(
            z.strictObject({
              level: z.enum(['校级', '县区级', '市级', '省级', '国家级'], { error: () => say('expected 校级, 县区级, 市级, 省级 or 国家级', '应为 校级、县区级、市级、省级 或 国家级') }),
              /** 网站, 简报, 报刊, 电视, 公众号 …; absent = any kind at that level. */
              kind: z.string().min(1).optional(),
              points: sizePoints,
            }),
          )
          .min(1),
        /** The school's own term dates, by name (2026-秋 …); without them terms meet on 15 Feb and 15 Aug (domain/terms.ts). */
        terms: z.array(z.strictObject({ name: z.string().min(1), from: date, to: date })).default([]),
        /** Points lost for each 迟报, 漏报 (a missing expected report) and 瞒报 (recorded by the office). */
        deductions: z.strictObject({
          late: z.number().min(0),
          missing: z.number().min(0),
          concealed: z.number().min(0),
        }),
      })
      .optional(),
    /**
     * Set by a district's deployment (config/deployment.ts) for each of its schools, never in a school's file:
     * the school's id (in its workflow ids, its rows, its bucket prefix and its web path) and the deployment's name.
     */
    district: z.strictObject({ school: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/), deployment: z.string().min(1) }).optional(),
    /** Database, attachments, outbox and the local Temporal state live here. */
    dataDir: z.string().default('./data'),
    /**
     * Where attachments, long texts and kept mails are stored: the data folder unless `s3` is given — a bucket
     * of S3-compatible object storage that every machine of the deployment reaches (storage/store.ts).
     */
    storage: z
      .strictObject({
        s3: z
          .strictObject({
            /** The service's address: https://oss-cn-hangzhou.aliyuncs.com, https://cos.ap-shanghai.myqcloud.com, http://minio.lan:9000; absent → AWS. */
            endpoint: z.url({ protocol: /^https?$/, error: () => say('expected the storage service address, e.g. https://oss-cn-hangzhou.aliyuncs.com', '应填对象存储服务地址，例如 https://oss-cn-hangzhou.aliyuncs.com') }).optional(),
            region: z.string().min(1).default('us-east-1'),
            bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: () => say('a bucket name is 3–63 lower-case letters, digits, dots and hyphens', '存储桶名称应为 3—63 个小写字母、数字、点或连字符') }),
            /** Put before every object's name, so the bucket can hold other things too, e.g. "baosong/". */
            prefix: z
              .string()
              .default('')
              .transform((p) => p.replace(/^\/+/, ''))
              .transform((p) => (p === '' || p.endsWith('/') ? p : `${p}/`)),
            accessKeyIdEnv: envName,
            secretAccessKeyEnv: envName,
            /** true for MinIO and most self-hosted servers (endpoint/bucket/key); Aliyun OSS and Tencent COS need false. */
            forcePathStyle: z.boolean().default(false),
          })
          .optional(),
      })
      .default({}),
    temporal: z
      .strictObject({
        /** host:port of a Temporal server; absent → a local dev server (TEMPORAL_ADDRESS overrides). */
        address: z.string().optional(),
        namespace: z.string().default('default'),
        taskQueue: z.string().default('baosong'),
        /**
         * Reports kept in the worker's memory between steps. Reports wait hours or days for a reviewer;
         * one that is not cached is rebuilt from its history (milliseconds) when a reviewer acts.
         */
        maxCachedWorkflows: z.number().int().min(0).default(100),
      })
      .default({ namespace: 'default', taskQueue: 'baosong', maxCachedWorkflows: 100 }),
    secrets: z
      .strictObject({
        /** Signs reply tokens and links (HMAC). At least 32 random bytes. */
        hmacSecretEnv: envName.default('BAOSONG_SECRET'),
      })
      .default({ hmacSecretEnv: 'BAOSONG_SECRET' }),
  })
  .superRefine(
    (c, ctx) => {
      // Runs even when other fields failed, so one pass reports every problem; hence the guards.
      const departments = Array.isArray(c.departments) ? c.departments : [];
      for (const key of ['id', 'name'] as const) {
        const seen = new Map<string, number>();
        departments.forEach((d, i) => {
          const value = d?.[key];
          if (typeof value !== 'string') return;
          const prev = seen.get(value);
          if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['departments', i, key], message: say(`duplicate department ${key} "${value}" (also departments[${prev}])`, `部门${key === 'id' ? '编号' : '名称'}“${value}”重复了（departments[${prev}] 也用了它）`) });
          seen.set(value, i);
        });
      }
      for (const [year, schedule] of Object.entries(c.calendar?.statutory ?? {})) {
        if (!schedule || !Array.isArray(schedule.holidays)) continue;
        for (const [i, h] of schedule.holidays.entries()) {
          if (h?.to !== undefined && h.to < h.from) ctx.addIssue({ code: 'custom', path: ['calendar', 'statutory', year, 'holidays', i, 'to'], message: say(`ends (${h.to}) before it starts (${h.from})`, `结束日期（${h.to}）早于开始日期（${h.from}）`) });
        }
        let problems: string[];
        try {
          problems = checkOfficeSchedule(Number(year), expandOfficeSchedule(schedule)).map((p) => scheduleProblemMessage(Number(year), p));
        } catch {
          problems = []; // a date that is not a date: its own issue says where
        }
        for (const problem of problems) ctx.addIssue({ code: 'custom', path: ['calendar', 'statutory', year], message: problem });
      }
      const holidays = c.calendar?.extraHolidays ?? [];
      const both = holidays.filter((d) => c.calendar?.extraWorkdays?.includes(d));
      if (both.length > 0) ctx.addIssue({ code: 'custom', path: ['calendar'], message: say(`listed both as extra holiday and extra workday: ${both.join(', ')}`, `这些日期既写成了学校放假，又写成了学校上班：${both.join('、')}`) });
      const chains = Array.isArray(c.review?.chains) ? c.review.chains : [];
      const last = chains[chains.length - 1];
      if (last && last.when !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['review', 'chains', chains.length - 1], message: say('the last chain must have no `when`, so that every report has a review chain', '最后一条审核流程不能有 when 条件，这样每篇报送都有流程可走') });
      }
      const robots = Array.isArray(c.chat?.robots) ? c.chat.robots : [];
      const audiences = new Set(['office', 'leadership', ...departments.map((d) => d?.id)]);
      const robotNames = new Map<string, number>();
      robots.forEach((r, i) => {
        if (!r) return;
        const prev = robotNames.get(r.name);
        if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['chat', 'robots', i, 'name'], message: say(`duplicate robot name "${r.name}" (also chat.robots[${prev}])`, `机器人名字“${r.name}”重复了（chat.robots[${prev}] 也用了它）`) });
        robotNames.set(r.name, i);
        (r.for ?? []).forEach((a, j) => {
          if (!audiences.has(a)) ctx.addIssue({ code: 'custom', path: ['chat', 'robots', i, 'for', j], message: say(`"${a}" is neither office, leadership nor a department id`, `“${a}”既不是 office、leadership，也不是部门编号`) });
        });
      });
      // One address, one person: the same address under two names would mix up whose report and whose reply it is.
      const owners = new Map<string, { name: string; where: string }>();
      const people: { p: { name?: string; email?: string } | undefined; path: (string | number)[] }[] = [
        ...departments.flatMap((d, i) => [{ p: d?.head, path: ['departments', i, 'head'] }, ...(d?.liaisons ?? []).map((l, j) => ({ p: l, path: ['departments', i, 'liaisons', j] }))]),
        ...(Array.isArray(c.office?.reviewers) ? c.office.reviewers : []).map((p, i) => ({ p, path: ['office', 'reviewers', i] })),
        ...(Array.isArray(c.leadership) ? c.leadership : []).map((p, i) => ({ p, path: ['leadership', i] })),
      ];
      for (const { p, path } of people) {
        if (typeof p?.email !== 'string' || typeof p.name !== 'string' || !p.email || !p.name) continue;
        const key = p.email.toLowerCase();
        const first = owners.get(key);
        if (first && first.name !== p.name) ctx.addIssue({ code: 'custom', path: [...path, 'email'], message: say(`${p.email} is given to both ${first.name} (${first.where}) and ${p.name}: each person needs an address of their own`, `${p.email} 同时给了${first.name}（${first.where}）和${p.name}：每个人要用自己的邮箱地址`) });
        else if (!first) owners.set(key, { name: p.name, where: path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').slice(1) });
      }
      const inbox = c.mail?.address;
      departments.forEach((d, i) => {
        for (const [role, people] of [['head', [d?.head]], ['liaisons', d?.liaisons ?? []]] as const) {
          for (const p of people) {
            if (inbox && p?.email === inbox) ctx.addIssue({ code: 'custom', path: ['departments', i, role], message: say(`${p.name} uses the shared inbox address ${inbox}; give them their own address`, `${p.name}用的是报送公共邮箱 ${inbox}：请改成${p.name}本人的邮箱地址`) });
          }
        }
      });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/** The configuration after defaults are filled in. */
export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type Person = z.output<typeof personSchema>;
export type Department = z.output<typeof departmentSchema>;
export type ReviewStepKind = z.output<typeof reviewStepSchema>;
export type ReviewChain = z.output<typeof reviewChainSchema>;
export type ChatRobotConfig = z.output<typeof chatRobotSchema>;
