/**
 * 钉钉 custom group robot (自定义机器人). Its webhook is
 *   POST https://oapi.dingtalk.com/robot/send?access_token=<token>[&timestamp=<ms>&sign=<sign>]
 * with { msgtype: 'markdown', markdown: { title, text }, at: { atMobiles, isAtAll } }. In the 加签
 * security mode (the one to pick), `sign` is the HMAC-SHA256 of "<timestamp>\n<secret>" keyed with the
 * secret, Base64, then URL-encoded; the timestamp is in milliseconds. People are @-mentioned by listing
 * their mobile in at.atMobiles and writing @<mobile> in the text. It answers { errcode, errmsg }.
 */
import { createHmac } from 'node:crypto';
import { ChatError, field, postJson, redact, trimSlash, type ChatMessage, type ChatRobot, type RobotCommonOptions } from './robot.js';

export interface DingtalkRobotOptions extends RobotCommonOptions {
  /** The `access_token` of the robot's webhook address. */
  accessToken: string;
  /** The 加签 secret (starts with SEC); without it the robot must use keywords or an IP whitelist. */
  secret?: string | undefined;
}

export const DINGTALK_BASE_URL = 'https://oapi.dingtalk.com';
/** The documented limit: 20 messages a minute per robot; over it, the robot is throttled for 10 minutes. */
export const DINGTALK_PER_MINUTE = 20;

/** The 加签 signature for a millisecond timestamp (not yet URL-encoded). */
export function dingtalkSign(timestampMs: number | string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export function dingtalkBody(message: ChatMessage): Record<string, unknown> {
  const mobiles = message.mentionMobiles ?? [];
  const text = [
    `#### ${message.title}`,
    ...message.lines.map((l) => `- ${l}`),
    ...(message.link ? [`[${message.link.label}](${message.link.url})`] : []),
    ...(mobiles.length > 0 ? [mobiles.map((m) => `@${m}`).join(' ')] : []),
  ].join('\n\n');
  return { msgtype: 'markdown', markdown: { title: message.title, text }, at: { atMobiles: mobiles, isAtAll: false } };
}

export function dingtalkRobot(options: DingtalkRobotOptions): ChatRobot {
  if (!options.accessToken) throw new ChatError('ECHAT_BAD_KEY', 'The DingTalk robot needs the access_token of its webhook address');
  const base = `${trimSlash(options.baseUrl ?? DINGTALK_BASE_URL)}/robot/send?access_token=${encodeURIComponent(options.accessToken)}`;
  const now = options.now ?? Date.now;
  return {
    kind: 'dingtalk',
    async send(message) {
      let url = base;
      if (options.secret) {
        const timestamp = now();
        url += `&timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(timestamp, options.secret))}`;
      }
      const answer = await postJson(url, dingtalkBody(message), options, 'DingTalk');
      const errcode = Number(answer.errcode ?? -1);
      if (errcode === 0) return;
      throw dingtalkError(errcode, field(answer, 'errmsg'), options.accessToken);
    },
  };
}

/**
 * DingTalk's errcodes: 300001 unknown token; 310000 a security check failed (the errmsg says which: sign,
 * keywords, IP); 130101 sending too fast (throttled for 10 minutes); anything else is a refusal.
 */
export function dingtalkError(errcode: number, errmsg: string, token: string): ChatError {
  const said = `(errcode ${errcode}${errmsg ? `: ${errmsg}` : ''})`;
  if (errcode === 300001 || errcode === 400102) {
    return new ChatError('ECHAT_BAD_KEY', `The DingTalk robot does not accept the access_token ${redact(token)} ${said}; copy it from the robot's webhook address again`, { robotCode: errcode });
  }
  if (errcode === 310000) {
    if (/sign|timestamp/i.test(errmsg) || errmsg === '') {
      return new ChatError('ECHAT_BAD_SIGNATURE', `The DingTalk robot refused the signature ${said}: check the 加签 secret and the server clock`, { robotCode: errcode });
    }
    return new ChatError('ECHAT_REFUSED', `The DingTalk robot's security settings refused the message ${said}: pick 加签 (signature) as its security mode`, { robotCode: errcode });
  }
  if (errcode === 130101 || errcode === 410100) return new ChatError('ECHAT_RATE_LIMITED', `The DingTalk robot is rate limited ${said}`, { robotCode: errcode, retryAfterMs: 10 * 60_000 });
  if (errcode === -1) return new ChatError('ECHAT_UNREACHABLE', `The DingTalk robot answered without an errcode ${said}`);
  return new ChatError('ECHAT_REFUSED', `The DingTalk robot refused the message ${said}`, { robotCode: errcode });
}
