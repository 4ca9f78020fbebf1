// The three group robots against a loopback server that checks requests as the vendors document them
// (tests/support/chat-robots.ts): path, key, body shape, signature and its timestamp, rate limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatError, ChatRobots, checkChatRobots, dingtalkRobot, feishuRobot, wecomRobot, type ChatMessage } from '../../chat/index.js';
import type { Config } from '../../config/schema.js';
import { chatCheck, runDoctor } from '../../doctor/checks.js';
import { startChatRobotServer, type ChatRobotServer } from '../support/chat-robots.js';

const message: ChatMessage = {
  title: '【紧急】新报送 R-2026-0042：校门口发生轻微交通事故',
  lines: ['报送：安全办 · 冯磊（安全管理）', '待审核：郑卫东（部门负责人审核 1/3）'],
  link: { label: '查看报送状态', url: 'http://127.0.0.1:8080/status/R-2026-0042?t=abc' },
};
const DING_SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
const FEISHU_SECRET = 'feishu-secret-0123456789';

let server: ChatRobotServer;

beforeAll(async () => {
  server = await startChatRobotServer({
    wecom: { keys: ['wecom-key-1', 'wecom-key-rate'] },
    dingtalk: { 'ding-token': DING_SECRET, 'ding-rate': DING_SECRET, 'ding-plain': null },
    feishu: { 'feishu-hook': FEISHU_SECRET, 'feishu-rate': null },
  });
});
afterAll(async () => {
  await server?.close();
});

async function failure(p: Promise<unknown>): Promise<ChatError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChatError);
  return err as ChatError;
}

describe('企业微信 group robot', () => {
  it('posts markdown, or text with mentioned_mobile_list when someone is @-mentioned', async () => {
    const robot = wecomRobot({ key: 'wecom-key-1', baseUrl: server.baseUrl });
    await robot.send(message);
    await robot.send({ ...message, mentionMobiles: ['13800001111'] });
    const [md, text] = server.accepted.filter((m) => m.robot === 'wecom-key-1');
    expect(md!.body).toMatchObject({ msgtype: 'markdown' });
    expect((md!.body.markdown as { content: string }).content).toContain('[查看报送状态](http://127.0.0.1:8080/status/R-2026-0042?t=abc)');
    expect(text!.body).toMatchObject({ msgtype: 'text', text: { mentioned_mobile_list: ['13800001111'] } });
  });

  it('an unknown key is ECHAT_BAD_KEY (errcode 93000)', async () => {
    const err = await failure(wecomRobot({ key: 'deleted-robot', baseUrl: server.baseUrl }).send(message));
    expect(err).toMatchObject({ code: 'ECHAT_BAD_KEY', robotCode: 93000, retryable: false });
    expect(err.message).not.toContain('deleted-robot'); // the key is a secret
  });

  it('the 21st message within a minute is refused with 45009, a retryable rate limit', async () => {
    const robot = wecomRobot({ key: 'wecom-key-rate', baseUrl: server.baseUrl });
    for (let i = 0; i < 20; i++) await robot.send({ ...message, title: `第 ${i + 1} 条` });
    const err = await failure(robot.send(message));
    expect(err).toMatchObject({ code: 'ECHAT_RATE_LIMITED', robotCode: 45009, retryAfterMs: 60_000, retryable: true });
  });
});

describe('钉钉 custom robot (加签)', () => {
  it('signs each request with the timestamp and secret; mentions by atMobiles and @mobile in the text', async () => {
    await dingtalkRobot({ accessToken: 'ding-token', secret: DING_SECRET, baseUrl: server.baseUrl }).send({ ...message, mentionMobiles: ['13900002222'] });
    const [m] = server.accepted.filter((a) => a.robot === 'ding-token');
    expect(m!.body).toMatchObject({ msgtype: 'markdown', markdown: { title: message.title }, at: { atMobiles: ['13900002222'], isAtAll: false } });
    expect((m!.body.markdown as { text: string }).text).toContain('@13900002222');
  });

  it('a wrong secret, a stale timestamp or no signature at all is ECHAT_BAD_SIGNATURE (310000)', async () => {
    const wrong = await failure(dingtalkRobot({ accessToken: 'ding-token', secret: 'SECwrong', baseUrl: server.baseUrl }).send(message));
    expect(wrong).toMatchObject({ code: 'ECHAT_BAD_SIGNATURE', robotCode: 310000, retryable: false });
    const stale = await failure(dingtalkRobot({ accessToken: 'ding-token', secret: DING_SECRET, baseUrl: server.baseUrl, now: () => Date.now() - 2 * 3_600_000 }).send(message));
    expect(stale).toMatchObject({ code: 'ECHAT_BAD_SIGNATURE', robotCode: 310000 });
    const unsigned = await failure(dingtalkRobot({ accessToken: 'ding-token', baseUrl: server.baseUrl }).send(message));
    expect(unsigned).toMatchObject({ code: 'ECHAT_BAD_SIGNATURE' });
  });

  it('an unknown access_token is ECHAT_BAD_KEY (300001); a robot without 加签 needs no signature', async () => {
    expect(await failure(dingtalkRobot({ accessToken: 'nope', secret: DING_SECRET, baseUrl: server.baseUrl }).send(message))).toMatchObject({ code: 'ECHAT_BAD_KEY', robotCode: 300001 });
    await dingtalkRobot({ accessToken: 'ding-plain', baseUrl: server.baseUrl }).send(message);
  });

  it('over 20 a minute: 130101, retry after the 10-minute throttle', async () => {
    const robot = dingtalkRobot({ accessToken: 'ding-rate', secret: DING_SECRET, baseUrl: server.baseUrl });
    for (let i = 0; i < 20; i++) await robot.send(message);
    expect(await failure(robot.send(message))).toMatchObject({ code: 'ECHAT_RATE_LIMITED', robotCode: 130101, retryAfterMs: 600_000 });
  });
});

describe('飞书 custom robot (签名校验)', () => {
  it('posts a post message with timestamp (seconds) and sign in the body', async () => {
    await feishuRobot({ token: 'feishu-hook', secret: FEISHU_SECRET, baseUrl: server.baseUrl }).send(message);
    const [m] = server.accepted.filter((a) => a.robot === 'feishu-hook');
    expect(m!.body).toMatchObject({ msg_type: 'post', timestamp: expect.stringMatching(/^\d{10}$/) as unknown, content: { post: { zh_cn: { title: message.title } } } });
    expect(JSON.stringify(m!.body)).toContain('"tag":"a","text":"查看报送状态"');
  });

  it('a wrong secret or a timestamp over an hour old is ECHAT_BAD_SIGNATURE (19021); an unknown hook is ECHAT_BAD_KEY', async () => {
    expect(await failure(feishuRobot({ token: 'feishu-hook', secret: 'other', baseUrl: server.baseUrl }).send(message))).toMatchObject({ code: 'ECHAT_BAD_SIGNATURE', robotCode: 19021 });
    const stale = feishuRobot({ token: 'feishu-hook', secret: FEISHU_SECRET, baseUrl: server.baseUrl, now: () => Date.now() - 3_700_000 });
    expect(await failure(stale.send(message))).toMatchObject({ code: 'ECHAT_BAD_SIGNATURE', robotCode: 19021 });
    expect(await failure(feishuRobot({ token: 'gone', baseUrl: server.baseUrl }).send(message))).toMatchObject({ code: 'ECHAT_BAD_KEY', robotCode: 19001 });
  });

  it('more than 5 in a second: 11232, a retryable rate limit', async () => {
    const robot = feishuRobot({ token: 'feishu-rate', baseUrl: server.baseUrl });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => robot.send(message)));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: 'ECHAT_RATE_LIMITED', robotCode: 11232 });
  });
});

describe('ChatRobots: robots from the configuration, one limiter each, their health', () => {
  const env = { WECOM_KEY: 'wecom-key-limited', DING_TOKEN: 'ding-token', DING_SECRET: 'SECwrong', FEISHU_HOOK: 'feishu-hook', FEISHU_SECRET: FEISHU_SECRET };
  const chatConfig = (baseUrl: string): Pick<Config, 'chat' | 'school'> => ({
    school: { name: '青禾市第一实验中学', timeZone: 'Asia/Shanghai', locale: 'zh-CN', level: '校级' },
    chat: {
      events: ['new_report'],
      urgencies: ['urgent'],
      robots: [
        { kind: 'wecom', name: 'anquan-wecom', for: ['anquan'], keyEnv: 'WECOM_KEY', baseUrl },
        { kind: 'dingtalk', name: 'office-dingtalk', for: ['office'], accessTokenEnv: 'DING_TOKEN', secretEnv: 'DING_SECRET', baseUrl },
        { kind: 'feishu', name: 'leaders-feishu', for: ['leadership'], tokenEnv: 'FEISHU_HOOK', secretEnv: 'FEISHU_SECRET', baseUrl },
        { kind: 'feishu', name: 'unset', for: ['leadership'], tokenEnv: 'NOT_SET_ANYWHERE' },
      ],
    },
  });

  it('holds back the 21st message of a minute itself, without asking the robot', async () => {
    const limited = await startChatRobotServer({ wecom: { keys: ['wecom-key-limited'] } });
    try {
      const robots = new ChatRobots(chatConfig(limited.baseUrl), { env });
      for (let i = 0; i < 20; i++) await robots.send('anquan-wecom', message);
      const err = await failure(robots.send('anquan-wecom', message));
      expect(err.code).toBe('ECHAT_RATE_LIMITED');
      expect(err.retryAfterMs).toBeGreaterThan(50_000);
      expect(limited.refused).toEqual([]); // never hit the robot's own limit
      expect(limited.accepted).toHaveLength(20);
    } finally {
      await limited.close();
    }
  });

  it('a refused signature, and a robot whose key is not set, show in health()', async () => {
    const robots = new ChatRobots(chatConfig(server.baseUrl), { env });
    await robots.send('leaders-feishu', message);
    await failure(robots.send('office-dingtalk', message));
    await failure(robots.send('unset', message));
    const health = Object.fromEntries(robots.health().map((h) => [h.name, h]));
    expect(health['anquan-wecom']).toMatchObject({ state: 'idle' });
    expect(health['leaders-feishu']).toMatchObject({ state: 'ok', code: null });
    expect(health['office-dingtalk']).toMatchObject({ state: 'failing', code: 'ECHAT_BAD_SIGNATURE', robotCode: 310000 });
    expect(health.unset).toMatchObject({ state: 'failing', code: 'ECHAT_NOT_CONFIGURED' });
    expect(health.unset!.message).toContain('NOT_SET_ANYWHERE');
  });

  it('an endpoint that is down is ECHAT_UNREACHABLE, retryable', async () => {
    server.outage(true);
    try {
      expect(await failure(feishuRobot({ token: 'feishu-hook', secret: FEISHU_SECRET, baseUrl: server.baseUrl }).send(message))).toMatchObject({ code: 'ECHAT_UNREACHABLE', retryable: true });
    } finally {
      server.outage(false);
    }
  });

  it('checkChatRobots (for baosong doctor) names missing variables and wrong secrets, and can send a test message', async () => {
    const offline = await checkChatRobots(chatConfig(server.baseUrl), { env });
    expect(offline.map((c) => [c.name, c.status])).toEqual([
      ['anquan-wecom', 'ok'],
      ['office-dingtalk', 'ok'],
      ['leaders-feishu', 'ok'],
      ['unset', 'fail'],
    ]);
    expect(offline[3]!.detail).toContain('NOT_SET_ANYWHERE');
    const online = await checkChatRobots(chatConfig(server.baseUrl), { env, send: true });
    expect(online.find((c) => c.name === 'office-dingtalk')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ECHAT_BAD_SIGNATURE') as unknown });
    expect(online.find((c) => c.name === 'leaders-feishu')).toMatchObject({ status: 'ok', detail: expect.stringContaining('测试消息已发出') as unknown });
  });

  it('baosong doctor runs the chat check: a line per robot, failures with their fix', async () => {
    const config = chatConfig(server.baseUrl) as Config;
    const lines = await runDoctor({ config, configFile: 'test', env, timeoutMs: 5000, now: new Date(), sendTestTo: 'it@school.test' }, [chatCheck]);
    expect(lines.map((l) => `${l.check} ${l.status}`)).toEqual(['chat anquan-wecom (wecom) fail', 'chat office-dingtalk (dingtalk) fail', 'chat leaders-feishu (feishu) ok', 'chat unset (feishu) fail']);
    expect(lines[0]!.message).toContain('ECHAT_BAD_KEY'); // wecom-key-limited is known only to the other server
    expect(lines[1]!.fix).toContain('加签');
  });
});
