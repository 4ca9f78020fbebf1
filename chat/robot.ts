/**
 * What the three group robots (企业微信, 钉钉, 飞书) have in common: one message shape, one error type,
 * and the HTTP call. Each robot's file turns a ChatMessage into its documented JSON and maps its
 * answer codes onto ChatError codes.
 */
import type { ErrorCodes } from '../domain/errors.js';

export type RobotKind = 'wecom' | 'dingtalk' | 'feishu';

/** One chat message, in the domain's words; each robot renders it in its own format. */
export interface ChatMessage {
  /** First line, shown bold (and as the notification preview). */
  title: string;
  /** Body lines, plain text. */
  lines: string[];
  /** A link shown under the lines (the report's status page, the digest). */
  link?: { label: string; url: string } | undefined;
  /** Mobile numbers to @-mention (WeCom and DingTalk; Feishu's custom robots cannot mention by mobile). */
  mentionMobiles?: string[] | undefined;
}

export type ChatErrorCode = ErrorCodes<
  /** The robot does not know the key / access token (deleted robot, wrong key). */
  | 'ECHAT_BAD_KEY'
  /** The signature (加签 / 签名校验) did not match, or the timestamp was too old: wrong secret or clock. */
  | 'ECHAT_BAD_SIGNATURE'
  /** The robot's rate limit was hit; `retryAfterMs` says when to try again. */
  | 'ECHAT_RATE_LIMITED'
  /** The robot refused the message for another reason (keyword / IP whitelist, bad message, too long). */
  | 'ECHAT_REFUSED'
  /** No answer, a network error or an HTTP error status: worth retrying. */
  | 'ECHAT_UNREACHABLE'
  /** The robot's key or secret is not set (environment variable), or no robot of that name is configured. */
  | 'ECHAT_NOT_CONFIGURED'
>;

export class ChatError extends Error {
  readonly code: ChatErrorCode;
  /** The robot's own code (errcode / code), when it answered one. */
  readonly robotCode: number | null;
  /** For ECHAT_RATE_LIMITED: how long the robot asks us to wait. */
  readonly retryAfterMs: number | null;

  constructor(code: ChatErrorCode, message: string, options: { robotCode?: number | null; retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChatError';
    this.code = code;
    this.robotCode = options.robotCode ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }

  /** Errors a retry can cure (rate limits, outages); a bad key or signature needs a person. */
  get retryable(): boolean {
    return this.code === 'ECHAT_RATE_LIMITED' || this.code === 'ECHAT_UNREACHABLE';
  }
}

export interface ChatRobot {
  readonly kind: RobotKind;
  /** Sends one message; resolves when the robot answered success, else throws ChatError. */
  send(message: ChatMessage): Promise<void>;
}

/** Options every robot takes besides its credentials. */
export interface RobotCommonOptions {
  /** Where the robot's API lives (tests and proxies); defaults to the vendor's public address. */
  baseUrl?: string | undefined;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch | undefined;
  /** The clock used for signatures; defaults to Date.now. */
  now?: (() => number) | undefined;
  /** Per request; default 10 s. */
  timeoutMs?: number | undefined;
}

/** POSTs JSON and returns the parsed JSON answer; network trouble and HTTP errors become ECHAT_UNREACHABLE. */
export async function postJson(url: string, body: unknown, options: RobotCommonOptions, robotName: string): Promise<Record<string, unknown>> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new ChatError('ECHAT_UNREACHABLE', `The ${robotName} robot could not be reached: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text().catch(() => '');
  if (res.status === 429) throw new ChatError('ECHAT_RATE_LIMITED', `The ${robotName} robot answered HTTP 429 (too many requests)`, { retryAfterMs: 60_000 });
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = null;
  }
  if (answer === null || typeof answer !== 'object') {
    throw new ChatError('ECHAT_UNREACHABLE', `The ${robotName} robot answered HTTP ${res.status} without a JSON body${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
  return answer as Record<string, unknown>;
}

/** Hides a key or token in messages and logs: the first 4 characters and the length. */
export function redact(secret: string): string {
  return `${secret.slice(0, 4)}…(${secret.length})`;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** A field of the robot's JSON answer as text ('' when absent or not a string/number). */
export function field(answer: Record<string, unknown>, ...names: string[]): string {
  for (const n of names) {
    const v = answer[n];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return '';
}
