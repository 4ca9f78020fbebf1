// No configured secret reaches a log line or a stored error, whoever quotes it. The local robots
// (tests/support/chat-robots.ts) refuse each message and echo the request URL in their error — the WeCom
// key, the DingTalk access_token, the Feishu hook token are in it — followed by every other configured
// secret (DingTalk and Feishu signing secrets, IMAP and SMTP passwords, BAOSONG_SECRET), as a careless
// vendor or server could. What baosong shows (/healthz), keeps (chat_messages, the Temporal failure) and
// logs (pino) has each of them masked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createChatActivities } from '../../activities/chat.js';
import { ChatError, ChatRobots } from '../../chat/index.js';
import type { Config } from '../../config/schema.js';
import { migrateToLatest, openDatabase, ReadModel, type Database } from '../../db/index.js';
import { createLogger } from '../../ops/logging.js';
import { addSecrets, secretsInConfig } from '../../ops/redact.js';
import { SECRET, testConfig } from '../support/baosong.js';
import { startChatRobotServer, type ChatRobotServer } from '../support/chat-robots.js';

const env = {
  T_WECOM_KEY: 'wecom-key-7f3a9c2e41d8',
  T_DING_TOKEN: 'dingtoken0c5e8a1b97f2d4',
  T_DING_SECRET: 'SEC5d1f0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0',
  T_FEISHU_TOKEN: 'feishu-hook-3b8e2d7c-9a41',
  T_FEISHU_SECRET: 'feishuSignSecret9d2c7b',
  T_IMAP_PASSWORD: 'imap-P@ss word/中文&=+',
  T_SMTP_PASSWORD: 'smtp-authcode-qqmail-6h2k',
  T_HMAC: SECRET,
};
const SECRETS = Object.values(env);
const others = [env.T_DING_SECRET, env.T_FEISHU_SECRET, env.T_IMAP_PASSWORD, env.T_SMTP_PASSWORD, env.T_HMAC];

let server: ChatRobotServer;
let database: Database;
let config: Config;

/** Fails when any configured secret, as is or URL-encoded, is in `text`. */
function expectNoSecret(text: string, where: string) {
  for (const s of SECRETS) {
    expect(text.includes(s), `${where} holds ${s}: ${text}`).toBe(false);
    expect(text.includes(encodeURIComponent(s)), `${where} holds ${s} URL-encoded: ${text}`).toBe(false);
  }
}

beforeAll(async () => {
  server = await startChatRobotServer({ wecom: { keys: [] }, dingtalk: {}, feishu: {}, echo: (url) => `; request ${url}; ${others.join(' ')}` });
  const dataDir = mkdtempSync(join(tmpdir(), 'baosong-redact-'));
  const base = testConfig({ smtpPort: 9, dataDir, taskQueue: 'unused' });
  config = {
    ...base,
    mail: { ...base.mail, smtp: { ...base.mail.smtp!, user: 'baosong', passwordEnv: 'T_SMTP_PASSWORD' }, imap: { host: '127.0.0.1', port: 993, secure: true, user: 'baosong', passwordEnv: 'T_IMAP_PASSWORD', mailbox: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine' } },
    secrets: { hmacSecretEnv: 'T_HMAC' },
    chat: {
      ...base.chat,
      robots: [
        { kind: 'wecom', name: 'office-wecom', for: ['office'], keyEnv: 'T_WECOM_KEY', baseUrl: server.baseUrl },
        { kind: 'dingtalk', name: 'office-dingtalk', for: ['office'], accessTokenEnv: 'T_DING_TOKEN', secretEnv: 'T_DING_SECRET', baseUrl: server.baseUrl },
        { kind: 'feishu', name: 'office-feishu', for: ['office'], tokenEnv: 'T_FEISHU_TOKEN', secretEnv: 'T_FEISHU_SECRET', baseUrl: server.baseUrl },
      ] as Config['chat']['robots'],
    },
  };
  // What a starting service does (worker/service.ts) with the secrets its configuration names.
  addSecrets(secretsInConfig(config, env));
  database = await openDatabase({ file: join(dataDir, 'baosong.db') });
  await migrateToLatest(database);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('secrets echoed in a robot\'s error', () => {
  test('are masked in the error, in /healthz, in chat_messages, in the Temporal failure and in the log', async () => {
    expect(secretsInConfig(config, env).sort()).toEqual([...SECRETS].sort());
    const chat = new ChatRobots(config, { env });
    const readModel = new ReadModel(database);
    const activities = createChatActivities({ config, readModel, secret: SECRET, chat });
    const department = config.departments[0]!;
    const lines: string[] = [];
    const logger = createLogger(new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString('utf8')), done()) }));

    for (const robot of chat.names) {
      const input = { id: `E-redact-${robot}`, department: { id: department.id, name: department.name, head: department.head, liaisons: department.liaisons }, office: config.office.reviewers, title: '期中考试总结', urgency: 'routine' as const, eventEnd: new Date().toISOString(), dueAt: new Date().toISOString(), remindAt: null };
      const failure = await activities.sendExpectedChat({ input, robot, at: new Date().toISOString() }).then(() => null, (e: unknown) => e as Error);
      expect(failure, robot).not.toBeNull();
      expect(failure!.message).toContain('[redacted]');
      expectNoSecret(`${failure!.message}\n${failure!.stack ?? ''}`, `${robot}'s failure`);
      const [row] = await readModel.chatMessagesFor(input.id);
      expect(row?.status).toBe('failed');
      expectNoSecret(row?.error ?? '', `${robot}'s chat_messages row`);
      logger.error({ err: failure, robot }, `chat robot failed: ${failure!.message}`);
    }
    // What the robots really answered did hold them (the test would pass on an honest vendor otherwise).
    expect(server.refused).toHaveLength(3);
    for (const s of [env.T_WECOM_KEY, env.T_DING_TOKEN, env.T_FEISHU_TOKEN, ...others]) expect(server.refused.some((r) => r.msg.includes(s))).toBe(true);

    expectNoSecret(JSON.stringify(chat.health()), '/healthz');
    expect(chat.health().every((h) => h.state === 'failing' && h.message?.includes('[redacted]'))).toBe(true);

    // A line that quotes each secret outright (a server's error, a misconfigured URL) is logged masked.
    logger.warn({ detail: { reason: others.join(' | ') } }, `login failed for ${SECRETS.join(', ')}`);
    const err = new ChatError('ECHAT_UNREACHABLE', `POST ${server.baseUrl}/cgi-bin/webhook/send?key=${env.T_WECOM_KEY} failed`);
    logger.error({ err }, 'unreachable');
    await new Promise((r) => setImmediate(r));
    expect(lines.length).toBe(5);
    for (const line of lines) expectNoSecret(line, 'a log line');
    expect(lines.join('')).toContain('[redacted]');
  });

  test('the store masks a secret handed to it directly; an error with none is kept as it was', async () => {
    const readModel = new ReadModel(database);
    for (const [subject, error] of [['leaky', `ECHAT_UNREACHABLE: GET https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${env.T_WECOM_KEY} with ${env.T_SMTP_PASSWORD}`], ['plain', 'ECHAT_REFUSED: invalid message type (40008)']] as const) {
      await readModel.recordChatSending({ key: `${subject}|x|office-wecom`, subject, event: 'digest', robot: 'office-wecom', createdAt: new Date() });
      await readModel.markChatFailed(`${subject}|x|office-wecom`, error);
    }
    expect((await readModel.chatMessagesFor('leaky'))[0]?.error).toBe('ECHAT_UNREACHABLE: GET https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=[redacted] with [redacted]');
    expect((await readModel.chatMessagesFor('plain'))[0]?.error).toBe('ECHAT_REFUSED: invalid message type (40008)');
  });
});
