// `baosong start` as one process: worker, intake and web together, here on the in-memory (demo) Temporal
// server with a real Dovecot and a real SMTP server. What an IT person checks after installing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { testConfig } from './support/baosong.js';
import { DEFAULT_TEST_USER, startDovecot, type TestDovecot } from './support/dovecot.js';
import { mail } from './support/mails.js';
import { freePort } from './support/ports.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.js';
import { startChatRobotServer, type ChatRobotServer } from './support/chat-robots.js';
import { startService, type RunningService } from '../worker/service.js';

let dovecot: TestDovecot;
let smtp: TestSmtpServer;
let service: RunningService;
let robots: ChatRobotServer;
let base = '';

beforeAll(async () => {
  dovecot = await startDovecot();
  smtp = await startSmtpServer();
  const port = await freePort();
  const config = testConfig({ smtpPort: smtp.port, dataDir: mkdtempSync(`${tmpdir()}/baosong-service-`), taskQueue: `service-${randomUUID()}` });
  config.mail.imap = { host: dovecot.host, port: dovecot.port, secure: false, user: DEFAULT_TEST_USER.user, passwordEnv: 'TEST_IMAP_PASSWORD', mailbox: 'INBOX', processedFolder: 'Processed', quarantineFolder: 'Quarantine' };
  config.web = { ...config.web, port, baseUrl: `http://127.0.0.1:${port}` };
  // Two chat robots: the leadership's WeCom group works; the office's DingTalk robot has the wrong 加签 secret.
  robots = await startChatRobotServer({ wecom: { keys: ['leaders-key'] }, dingtalk: { 'office-token': 'SECright' } });
  config.chat = {
    ...config.chat,
    robots: [
      { kind: 'wecom', name: 'leaders-wecom', for: ['leadership'], keyEnv: 'TEST_WECOM_KEY', baseUrl: robots.baseUrl },
      { kind: 'dingtalk', name: 'office-dingtalk', for: ['office'], accessTokenEnv: 'TEST_DING_TOKEN', secretEnv: 'TEST_DING_SECRET', baseUrl: robots.baseUrl },
    ],
  };
  service = await startService({
    config,
    configFile: 'test',
    parts: ['worker', 'intake', 'web'],
    demo: true,
    env: { ...process.env, TEST_IMAP_PASSWORD: DEFAULT_TEST_USER.password, BAOSONG_SECRET: 'x'.repeat(40), DATABASE_URL: '', TEST_WECOM_KEY: 'leaders-key', TEST_DING_TOKEN: 'office-token', TEST_DING_SECRET: 'SECwrong' },
    logger: pino({ level: 'silent' }),
  });
  base = config.web.baseUrl;
});

afterAll(async () => {
  await service?.stop();
  await smtp?.close();
  await dovecot?.stop();
  await robots?.close();
});

describe('baosong start (worker + intake + web in one process)', () => {
  it('reports itself healthy, takes a mailed report and answers it, serves the form, and stops cleanly', async () => {
    const health = (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean; worker: string; intake: { state: string; summary: string } };
    expect(health).toMatchObject({ ok: true, worker: 'RUNNING', intake: { state: expect.stringMatching(/idle|backlog|handling/) } });

    const id = `<${randomUUID()}@school.test>`;
    await dovecot.append(DEFAULT_TEST_USER.user, 'INBOX', mail({ from: '刘芳 <liufang@school.test>', subject: '【教育教学】服务联调', body: '一份报送。', messageId: id }));
    const [receipt] = await smtp.waitFor((m) => m.kind === 'receipt' && m.inReplyTo === id);
    expect(receipt!.subject).toMatch(/^【R-\d{4}-\d{4}】/);

    // An urgent report goes to chat too: the robot that refuses the signature shows in /healthz (mail carries on).
    const urgentId = `<${randomUUID()}@school.test>`;
    await dovecot.append(DEFAULT_TEST_USER.user, 'INBOX', mail({ from: '刘芳 <liufang@school.test>', subject: '【紧急】【安全管理】实验室漏水', body: '实验楼二楼漏水，已关闭总阀。', messageId: urgentId }));
    await smtp.waitFor((m) => m.kind === 'receipt' && m.inReplyTo === urgentId);
    await robots.waitFor((m) => m.vendor === 'wecom');
    type Robot = { name: string; state: string; code: string | null; robotCode: number | null };
    let chat: Robot[] = [];
    for (let i = 0; i < 100 && !chat.some((r) => r.state === 'failing'); i++) {
      const answer = await fetch(`${base}/healthz`);
      expect(answer.status).toBe(200);
      chat = ((await answer.json()) as { chat: Robot[] }).chat;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(chat).toEqual([
      expect.objectContaining({ name: 'leaders-wecom', state: 'ok', code: null }),
      expect.objectContaining({ name: 'office-dingtalk', state: 'failing', code: 'ECHAT_BAD_SIGNATURE', robotCode: 310000 }),
    ]);

    const form = await fetch(`${base}/submit`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('青禾市第一实验中学');

    await service.stop();
    await service.done;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
