/**
 * 飞书 custom group robot (自定义机器人). Its webhook is
 *   POST https://open.feishu.cn/open-apis/bot/v2/hook/<token>
 * with { msg_type: 'post', content: { post: { zh_cn: { title, content: [[…tags]] } } } }. In the 签名校验
 * security mode (the one to pick), the body also carries `timestamp` (seconds, as a string) and `sign`:
 * "<timestamp>\n<secret>" is the HMAC-SHA256 *key*, the message is empty, the result Base64. The
 * timestamp must be within an hour of Feishu's clock. It answers { code, msg, data }; code 0 is success.
 * Custom robots cannot @-mention by mobile number (only by open_id, or everyone), so the text names people.
 */
import { createHmac } from 'node:crypto';
import { ChatError, field, postJson, redact, trimSlash, type ChatMessage, type ChatRobot, type RobotCommonOptions } from './robot.js';

export interface FeishuRobotOptions extends RobotCommonOptions {
  /** The last part of the robot's webhook address (…/bot/v2/hook/<token>). */
  token: string;
  /** The 签名校验 secret; without it the robot must use keywords or an IP whitelist. */
  secret?: string | undefined;
  /** Language key of the post message: zh_cn (default) or en_us. */
  language?: 'zh_cn' | 'en_us' | undefined;
}

export const FEISHU_BASE_URL = 'https://open.feishu.cn';
/** The documented limit: 100 messages a minute and 5 a second per robot. */
export const FEISHU_PER_MINUTE = 100;
export const FEISHU_PER_SECOND = 5;

/** The 签名校验 signature for a timestamp in seconds. */
export function feishuSign(timestampSeconds: number | string, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update(Buffer.alloc(0)).digest('base64');
}

export function feishuBody(message: ChatMessage, language: 'zh_cn' | 'en_us' = 'zh_cn'): Record<string, unknown> {
  const content: unknown[][] = message.lines.map((text) => [{ tag: 'text', text }]);
  if (message.link) content.push([{ tag: 'a', text: message.link.label, href: message.link.url }]);
  return { msg_type: 'post', content: { post: { [language]: { title: message.title, content } } } };
}

export function feishuRobot(options: FeishuRobotOptions): ChatRobot {
  if (!options.token) throw new ChatError('ECHAT_BAD_KEY', 'The Feishu robot needs the token of its webhook address');
  const url = `${trimSlash(options.baseUrl ?? FEISHU_BASE_URL)}/open-apis/bot/v2/hook/${encodeURIComponent(options.token)}`;
  const now = options.now ?? Date.now;
  return {
    kind: 'feishu',
    async send(message) {
      const body = feishuBody(message, options.language);
      if (options.secret) {
        const timestamp = String(Math.floor(now() / 1000));
        Object.assign(body, { timestamp, sign: feishuSign(timestamp, options.secret) });
      }
      const answer = await postJson(url, body, options, 'Feishu');
      const code = Number(answer.code ?? answer.StatusCode ?? -1);
      if (code === 0) return;
      throw feishuError(code, field(answer, 'msg', 'StatusMessage'), options.token);
    },
  };
}

/**
 * Feishu's codes: 19021 signature or timestamp refused; 19001 / 19002 unknown webhook token; 11232 rate
 * limited; 19022 IP not whitelisted, 19024 keyword missing, 9499 bad request: refusals.
 */
export function feishuError(code: number, msg: string, token: string): ChatError {
  const said = `(code ${code}${msg ? `: ${msg}` : ''})`;
  if (code === 19021) return new ChatError('ECHAT_BAD_SIGNATURE', `The Feishu robot refused the signature ${said}: check the 签名校验 secret and the server clock`, { robotCode: code });
  if (code === 19001 || code === 19002) {
    return new ChatError('ECHAT_BAD_KEY', `The Feishu robot does not know the webhook token ${redact(token)} ${said}; copy it from the robot's webhook address again`, { robotCode: code });
  }
  if (code === 11232) return new ChatError('ECHAT_RATE_LIMITED', `The Feishu robot is rate limited ${said}`, { robotCode: code, retryAfterMs: 60_000 });
  if (code === -1) return new ChatError('ECHAT_UNREACHABLE', `The Feishu robot answered without a code ${said}`);
  return new ChatError('ECHAT_REFUSED', `The Feishu robot refused the message ${said}`, { robotCode: code });
}
