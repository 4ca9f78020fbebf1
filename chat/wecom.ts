/**
 * 企业微信 group robot (群机器人). Its webhook is
 *   POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>
 * with { msgtype: 'markdown', markdown: { content } } or, to @-mention people by mobile number (only the
 * text type can), { msgtype: 'text', text: { content, mentioned_mobile_list } }. The key in the URL is the
 * only credential. It answers { errcode, errmsg }; errcode 0 is success.
 *
 *   const robot = wecomRobot({ key: process.env.WECOM_KEY! });
 *   await robot.send({ title: '【紧急】…', lines: ['…'], link: { label: '查看', url } });
 */
import { ChatError, field, postJson, redact, trimSlash, type ChatMessage, type ChatRobot, type RobotCommonOptions } from './robot.js';

export interface WecomRobotOptions extends RobotCommonOptions {
  /** The `key` of the robot's webhook address. */
  key: string;
}

export const WECOM_BASE_URL = 'https://qyapi.weixin.qq.com';
/** The documented limit: 20 messages a minute per robot. */
export const WECOM_PER_MINUTE = 20;

/** Markdown content is limited to 4096 bytes and text to 2048 (UTF-8). */
const MAX_MARKDOWN_BYTES = 4096;
const MAX_TEXT_BYTES = 2048;

export function wecomBody(message: ChatMessage): Record<string, unknown> {
  const mobiles = message.mentionMobiles ?? [];
  if (mobiles.length > 0) {
    const content = [message.title, ...message.lines, ...(message.link ? [`${message.link.label}：${message.link.url}`] : [])].join('\n');
    return { msgtype: 'text', text: { content: clip(content, MAX_TEXT_BYTES), mentioned_mobile_list: mobiles } };
  }
  const content = [`**${message.title}**`, ...message.lines.map((l) => `> ${l}`), ...(message.link ? [`[${message.link.label}](${message.link.url})`] : [])].join('\n');
  return { msgtype: 'markdown', markdown: { content: clip(content, MAX_MARKDOWN_BYTES) } };
}

export function wecomRobot(options: WecomRobotOptions): ChatRobot {
  if (!options.key) throw new ChatError('ECHAT_BAD_KEY', 'The WeCom robot needs the key of its webhook address');
  const url = `${trimSlash(options.baseUrl ?? WECOM_BASE_URL)}/cgi-bin/webhook/send?key=${encodeURIComponent(options.key)}`;
  return {
    kind: 'wecom',
    async send(message) {
      const answer = await postJson(url, wecomBody(message), options, 'WeCom');
      const errcode = Number(answer.errcode ?? -1);
      if (errcode === 0) return;
      throw wecomError(errcode, field(answer, 'errmsg'), options.key);
    },
  };
}

/** WeCom's errcodes: 93000 unknown webhook key, 45009 over the rate limit; anything else is a refusal. */
export function wecomError(errcode: number, errmsg: string, key: string): ChatError {
  const said = `(errcode ${errcode}${errmsg ? `: ${errmsg}` : ''})`;
  if (errcode === 93000 || errcode === 40001 || errcode === 40014) {
    return new ChatError('ECHAT_BAD_KEY', `The WeCom robot does not know the key ${redact(key)} ${said}; copy the key from the robot's webhook address again`, { robotCode: errcode });
  }
  if (errcode === 45009) return new ChatError('ECHAT_RATE_LIMITED', `The WeCom robot is rate limited ${said}`, { robotCode: errcode, retryAfterMs: 60_000 });
  if (errcode === -1) return new ChatError('ECHAT_UNREACHABLE', `The WeCom robot answered without an errcode ${said}`);
  return new ChatError('ECHAT_REFUSED', `The WeCom robot refused the message ${said}`, { robotCode: errcode });
}

/** Cuts a string to at most `bytes` UTF-8 bytes without splitting a character. */
export function clip(s: string, bytes: number): string {
  if (Buffer.byteLength(s) <= bytes) return s;
  let out = '';
  let size = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (size + n > bytes - 3) break;
    out += ch;
    size += n;
  }
  return `${out}…`;
}
