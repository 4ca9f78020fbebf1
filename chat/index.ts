/**
 * Group chat robots beside mail: 企业微信 (wecom.ts), 钉钉 (dingtalk.ts) and 飞书 (feishu.ts), made from
 * the configuration (`chat.robots`, secrets by environment variable), each behind its own rate limiter,
 * with the last answer of each kept for /healthz. See chat/README.md for the APIs as documented.
 *
 *   const robots = new ChatRobots(config);          // once per worker process
 *   await robots.send('office-dingtalk', message);  // ChatError on refusal or rate limit
 *   robots.health();                                // [{ name, kind, state: 'ok' | 'failing' | 'idle', … }]
 */
import { speaker } from '../config/messages.js';
import type { ChatRobotConfig, Config } from '../config/schema.js';
import type { ChatAudience, ReportChatEvent, ReportChatPlan } from '../domain/chat.js';
import type { Urgency } from '../domain/report.js';
import { DINGTALK_PER_MINUTE, dingtalkRobot } from './dingtalk.js';
import { FEISHU_PER_MINUTE, FEISHU_PER_SECOND, feishuRobot } from './feishu.js';
import { addSecrets, redactSecrets } from '../ops/redact.js';
import { RateLimiter, type RateWindow } from './limiter.js';
import { ChatError, type ChatMessage, type ChatRobot, type RobotKind } from './robot.js';
import { WECOM_PER_MINUTE, wecomRobot } from './wecom.js';

export { ChatError, type ChatErrorCode, type ChatMessage, type ChatRobot, type RobotKind } from './robot.js';
export { wecomRobot } from './wecom.js';
export { dingtalkRobot, dingtalkSign } from './dingtalk.js';
export { feishuRobot, feishuSign } from './feishu.js';
export { RateLimiter } from './limiter.js';

/** The documented rate limits, per robot. */
export const RATE_LIMITS: Record<RobotKind, RateWindow[]> = {
  wecom: [{ limit: WECOM_PER_MINUTE, windowMs: 60_000 }],
  dingtalk: [{ limit: DINGTALK_PER_MINUTE, windowMs: 60_000 }],
  feishu: [
    { limit: FEISHU_PER_MINUTE, windowMs: 60_000 },
    { limit: FEISHU_PER_SECOND, windowMs: 1_000 },
  ],
};

export interface RobotOptions {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: () => number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

/** The environment variables a robot's configuration names, with where they are named. */
function secretsOf(robot: ChatRobotConfig, index: number): { variable: string; path: string; required: boolean }[] {
  const at = (field: string) => `chat.robots[${index}].${field}`;
  switch (robot.kind) {
    case 'wecom':
      return [{ variable: robot.keyEnv, path: at('keyEnv'), required: true }];
    case 'dingtalk':
      return [{ variable: robot.accessTokenEnv, path: at('accessTokenEnv'), required: true }, ...(robot.secretEnv ? [{ variable: robot.secretEnv, path: at('secretEnv'), required: true }] : [])];
    case 'feishu':
      return [{ variable: robot.tokenEnv, path: at('tokenEnv'), required: true }, ...(robot.secretEnv ? [{ variable: robot.secretEnv, path: at('secretEnv'), required: true }] : [])];
  }
}

/** Makes the robot a configuration entry describes; ChatError ECHAT_NOT_CONFIGURED when a secret is not set. */
export function createRobot(robot: ChatRobotConfig, index: number, options: RobotOptions = {}): ChatRobot {
  const env = options.env ?? process.env;
  for (const s of secretsOf(robot, index)) {
    if (s.required && !env[s.variable]) throw new ChatError('ECHAT_NOT_CONFIGURED', `The ${robot.kind} robot "${robot.name}" needs the environment variable ${s.variable} (named by ${s.path})`);
  }
  const common = { baseUrl: robot.baseUrl, fetch: options.fetch, now: options.now, timeoutMs: options.timeoutMs };
  switch (robot.kind) {
    case 'wecom':
      return wecomRobot({ ...common, key: env[robot.keyEnv]! });
    case 'dingtalk':
      return dingtalkRobot({ ...common, accessToken: env[robot.accessTokenEnv]!, secret: robot.secretEnv ? env[robot.secretEnv] : undefined });
    case 'feishu':
      return feishuRobot({ ...common, token: env[robot.tokenEnv]!, secret: robot.secretEnv ? env[robot.secretEnv] : undefined });
  }
}

export interface RobotHealth {
  name: string;
  kind: RobotKind;
  /** idle: nothing sent yet since start; ok: the last message went through; failing: the last attempt failed. */
  state: 'idle' | 'ok' | 'failing';
  code: string | null;
  robotCode: number | null;
  message: string | null;
  at: string | null;
}

/** The configured robots of one process, each with its rate limiter and its last answer. */
export class ChatRobots {
  readonly #robots = new Map<string, { config: ChatRobotConfig; robot: ChatRobot | ChatError; limiter: RateLimiter; health: RobotHealth }>();
  readonly #now: () => number;

  constructor(config: Pick<Config, 'chat'>, options: RobotOptions = {}) {
    this.#now = options.now ?? Date.now;
    config.chat.robots.forEach((c, i) => {
      let robot: ChatRobot | ChatError;
      addSecrets(secretsOf(c, i).map((s) => (options.env ?? process.env)[s.variable]));
      try {
        robot = createRobot(c, i, options);
      } catch (err) {
        if (!(err instanceof ChatError)) throw err;
        robot = err;
      }
      const health: RobotHealth = { name: c.name, kind: c.kind, state: 'idle', code: null, robotCode: null, message: null, at: null };
      if (robot instanceof ChatError) Object.assign(health, { state: 'failing', code: robot.code, message: robot.message });
      this.#robots.set(c.name, { config: c, robot, limiter: new RateLimiter(RATE_LIMITS[c.kind], this.#now), health });
    });
  }

  get names(): string[] {
    return [...this.#robots.keys()];
  }

  /**
   * Sends one message through robot `name`, within its rate limit (take(), then deliver()). Throws
   * ChatError: ECHAT_RATE_LIMITED (with retryAfterMs) when our limiter or the robot says to wait; the
   * robot's other refusals as mapped.
   */
  async send(name: string, message: ChatMessage): Promise<void> {
    const wait = this.take(name);
    if (wait > 0) throw new ChatError('ECHAT_RATE_LIMITED', `Holding back: the robot "${name}" is at its documented rate limit`, { retryAfterMs: wait });
    await this.deliver(name, message);
  }

  /** Takes a slot of robot `name`'s rate limit: 0 when taken, else the milliseconds to wait. */
  take(name: string): number {
    const entry = this.#entry(name);
    return entry.robot instanceof ChatError ? 0 : entry.limiter.take();
  }

  /** Posts one message (after take() gave a slot); the answer is kept for health(). */
  async deliver(name: string, message: ChatMessage): Promise<void> {
    const entry = this.#entry(name);
    if (entry.robot instanceof ChatError) throw entry.robot;
    const at = new Date(this.#now()).toISOString();
    try {
      await entry.robot.send(message);
      Object.assign(entry.health, { state: 'ok', code: null, robotCode: null, message: null, at });
    } catch (err) {
      // A robot may echo its request (the key or token in the URL) in its error: masked before it is shown or kept,
      // and the original (with its stack and cause) is dropped.
      const e = err instanceof ChatError
        ? new ChatError(err.code, redactSecrets(err.message), { robotCode: err.robotCode, retryAfterMs: err.retryAfterMs })
        : new ChatError('ECHAT_UNREACHABLE', redactSecrets((err as Error).message));
      if (e.code === 'ECHAT_RATE_LIMITED') entry.limiter.pause(e.retryAfterMs ?? 60_000);
      if (e.code === 'ECHAT_UNREACHABLE') entry.limiter.giveBack(); // it never reached the robot
      Object.assign(entry.health, { state: 'failing', code: e.code, robotCode: e.robotCode, message: e.message, at });
      throw e;
    }
  }

  #entry(name: string) {
    const entry = this.#robots.get(name);
    if (!entry) throw new ChatError('ECHAT_NOT_CONFIGURED', `No chat robot named "${name}" is configured (chat.robots)`);
    return entry;
  }

  /** Each robot's last answer, for /healthz. */
  health(): RobotHealth[] {
    return [...this.#robots.values()].map((r) => ({ ...r.health }));
  }
}

/** Robot names per audience for a department (the department's own group, the office's, the leadership's). */
export function audienceRobots(config: Pick<Config, 'chat'>, departmentId: string | null): Record<ChatAudience, string[]> {
  const hear = (who: string) => config.chat.robots.filter((r) => r.for.includes(who)).map((r) => r.name);
  return { office: hear('office'), leadership: hear('leadership'), department: departmentId ? hear(departmentId) : [] };
}

/** What of a report goes to chat, decided before it starts; null when nothing does. */
export function reportChatPlan(config: Pick<Config, 'chat'>, report: { urgency: Urgency; departmentId: string }): ReportChatPlan | null {
  if (config.chat.robots.length === 0 || !config.chat.urgencies.includes(report.urgency)) return null;
  const events = config.chat.events.filter((e): e is ReportChatEvent => e === 'new_report' || e === 'review_waiting' || e === 'overdue');
  if (events.length === 0) return null;
  return { events, robots: audienceRobots(config, report.departmentId) };
}

/** The robots a missing expected report (漏报) goes to: its department's and the office's. */
export function missingReportRobots(config: Pick<Config, 'chat'>, departmentId: string): string[] {
  if (!config.chat.events.includes('expected_missing')) return [];
  const a = audienceRobots(config, departmentId);
  return [...new Set([...a.department, ...a.office])];
}

/** The robots the weekly digest's headline goes to: the office's and the leadership's. */
export function digestRobots(config: Pick<Config, 'chat'>): string[] {
  if (!config.chat.events.includes('digest')) return [];
  const a = audienceRobots(config, null);
  return [...new Set([...a.office, ...a.leadership])];
}

export interface ChatRobotCheck {
  name: string;
  kind: RobotKind;
  /** fail: the robot cannot work; warn: it works, but not in the recommended way. */
  status: 'ok' | 'warn' | 'fail';
  /** What was found. */
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

const SETUP: Record<RobotKind, [en: string, zh: string]> = {
  wecom: ['企业微信 group → 群机器人 → the robot → its webhook address: copy the key= part', '企业微信群 → 群机器人 → 该机器人 → Webhook 地址：复制 key= 后面的部分'],
  dingtalk: [
    '钉钉 group → 群设置 → 机器人 → the robot: copy access_token= from the webhook address and the 加签 secret (SEC…)',
    '钉钉群 → 群设置 → 机器人 → 该机器人：复制 Webhook 地址里 access_token= 后面的部分，以及加签密钥（SEC 开头）',
  ],
  feishu: ['飞书 group → 设置 → 群机器人 → the robot: copy the part after /bot/v2/hook/ and the 签名校验 secret', '飞书群 → 设置 → 群机器人 → 该机器人：复制 Webhook 地址里 /bot/v2/hook/ 后面的部分，以及签名校验密钥'],
};

/**
 * For `baosong doctor`: each configured robot's secrets are set and look right; with `send: true`, a
 * short test message is posted through each (the only way these APIs confirm a key).
 */
export async function checkChatRobots(config: Pick<Config, 'chat' | 'school'>, options: RobotOptions & { send?: boolean } = {}): Promise<ChatRobotCheck[]> {
  const env = options.env ?? process.env;
  const t = speaker(config.school.locale);
  const setup = (kind: RobotKind) => t(...SETUP[kind]);
  const checks: ChatRobotCheck[] = [];
  for (const [i, c] of config.chat.robots.entries()) {
    const missing = secretsOf(c, i).filter((s) => !env[s.variable]);
    if (missing.length > 0) {
      checks.push({ name: c.name, kind: c.kind, status: 'fail', detail: t(`not set: ${missing.map((s) => `${s.variable} (${s.path})`).join(', ')}`, `未设置：${missing.map((s) => `${s.variable}（${s.path}）`).join('、')}`), fix: `${setup(c.kind)}${t('; ', '；')}export ${missing.map((s) => `${s.variable}=…`).join(' ')}` });
      continue;
    }
    const credential = c.kind === 'wecom' ? env[c.keyEnv]! : c.kind === 'dingtalk' ? env[c.accessTokenEnv]! : env[c.tokenEnv]!;
    if (/^https?:/i.test(credential)) {
      checks.push({ name: c.name, kind: c.kind, status: 'fail', detail: t('the variable holds the whole webhook address', '环境变量里放的是整个 Webhook 地址'), fix: t(`set only its key / token: ${setup(c.kind)}`, `只填其中的 key / token：${setup(c.kind)}`) });
      continue;
    }
    if (c.kind === 'dingtalk' && c.secretEnv && !env[c.secretEnv]!.startsWith('SEC')) {
      checks.push({ name: c.name, kind: c.kind, status: 'fail', detail: t(`${c.secretEnv} does not start with SEC`, `${c.secretEnv} 不是以 SEC 开头`), fix: t('copy the secret shown under 加签 in the robot\'s security settings', '复制机器人安全设置里“加签”下显示的密钥') });
      continue;
    }
    if (options.send) {
      try {
        const robot = createRobot(c, i, options);
        const zh = config.school.locale !== 'en';
        await robot.send({ title: zh ? 'baosong 连接测试' : 'baosong connection test', lines: [zh ? `这是 ${config.school.name} 信息报送的测试消息，可以忽略。` : `A test message from ${config.school.name}'s baosong; ignore it.`] });
      } catch (err) {
        const e = err instanceof ChatError ? err : new ChatError('ECHAT_UNREACHABLE', (err as Error).message);
        checks.push({ name: c.name, kind: c.kind, status: 'fail', detail: `${e.code}: ${e.message}`, fix: e.code === 'ECHAT_UNREACHABLE' ? t('check that this server can reach the robot\'s API (proxy, firewall) and baseUrl', '检查这台服务器能否访问机器人的接口（代理、防火墙）以及 baseUrl') : setup(c.kind) });
        continue;
      }
    }
    const unsigned = (c.kind === 'dingtalk' || c.kind === 'feishu') && !c.secretEnv;
    if (unsigned) {
      checks.push({ name: c.name, kind: c.kind, status: 'warn', detail: t('no secretEnv: the robot must rely on keywords or an IP whitelist', '没有 secretEnv：机器人只能靠关键词或 IP 白名单防护'), fix: t(`pick the ${c.kind === 'dingtalk' ? '加签' : '签名校验'} security mode and set secretEnv`, `在机器人安全设置里选“${c.kind === 'dingtalk' ? '加签' : '签名校验'}”，并设置 secretEnv`) });
      continue;
    }
    checks.push({ name: c.name, kind: c.kind, status: 'ok', detail: options.send ? t(`test message posted (for ${c.for.join(', ')})`, `测试消息已发出（发给 ${c.for.join('、')}）`) : t(`secrets set (for ${c.for.join(', ')}); --send-test posts a test message`, `密钥已设置（发给 ${c.for.join('、')}）；加 --send-test 会发一条测试消息`) });
  }
  return checks;
}
