// `baosong doctor` as a school's IT person runs it, against a real Dovecot, a real SMTP server with
// logins, and our Temporal server: right settings pass, each wrong one is a fail line with its fix.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { runCli } from '../support/cli.js';
import { startDovecot, DEFAULT_TEST_USER, type TestDovecot } from '../support/dovecot.js';
import { freePort } from '../support/ports.js';
import { TEST_SERVER_PATH } from '../../temporal-server/testing.js';

interface Line {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}
interface Report {
  ok: boolean;
  failed: number;
  checks: Line[];
}

const SMTP_USER = 'baosong@school.test';
const SMTP_PASSWORD = 'smtp-secret';

let dovecot: TestDovecot;
let smtp: SMTPServer;
let smtpPort: number;
const received: { to: string[]; subject: string }[] = [];
/** Whether the pretend provider delivers `baosong+x@` to the shared inbox. */
let plusAddressing = true;
let temporal: ChildProcess;
let temporalAddress: string;
const dir = mkdtempSync(join(tmpdir(), 'baosong-doctor-'));

beforeAll(async () => {
  dovecot = await startDovecot();
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then(async (mail) => {
            const to = session.envelope.rcptTo.map((r) => r.address);
            received.push({ to, subject: mail.subject ?? '' });
            // As a provider: mail to the shared inbox's +sub-address lands in its INBOX, where the provider delivers them.
            if (plusAddressing && to.some((a) => /^baosong\+[^@]+@school\.test$/.test(a))) await dovecot.append(DEFAULT_TEST_USER.user, 'INBOX', raw);
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  const port = await freePort();
  temporal = spawn(TEST_SERVER_PATH, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    temporal.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('listening')) resolve();
    });
    temporal.once('exit', () => reject(new Error(`temporal test server exited: ${out}`)));
  });
  temporalAddress = `127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  temporal?.kill('SIGTERM');
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await dovecot?.stop();
});

/** The example school pointed at the test servers, with `change` applied as [path, value] pairs. */
function configFile(name: string, change: [string[], unknown][] = []): string {
  const doc = parseDocument(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'));
  doc.setIn(['mail', 'imap'], doc.createNode({ host: '127.0.0.1', port: dovecot.port, secure: false, user: DEFAULT_TEST_USER.user, passwordEnv: 'BAOSONG_IMAP_PASSWORD' }));
  doc.setIn(['mail', 'smtp'], doc.createNode({ host: '127.0.0.1', port: smtpPort, secure: false, user: SMTP_USER, passwordEnv: 'BAOSONG_SMTP_PASSWORD' }));
  doc.setIn(['dataDir'], join(dir, name, 'data'));
  for (const [path, value] of change) doc.setIn(path, value);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, doc.toString());
  return file;
}

const goodEnv = () => ({ BAOSONG_IMAP_PASSWORD: DEFAULT_TEST_USER.password, BAOSONG_SMTP_PASSWORD: SMTP_PASSWORD, BAOSONG_SECRET: 'x'.repeat(40), TEMPORAL_ADDRESS: temporalAddress, DATABASE_URL: '' });

async function doctor(file: string, env: Record<string, string>, extra: string[] = []): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await runCli(['doctor', '--json', '--timeout', '5', '--config', file, ...extra], { cwd: dir, env });
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}
const line = (report: Report, check: string) => report.checks.find((l) => l.check === check);

describe('baosong doctor', () => {
  it('right settings: every essential line ok, missing folders created, a test mail only with --send-test; exit 0', async () => {
    const file = configFile('good');
    const { code, report } = await doctor(file, goodEnv(), ['--send-test', 'liufang@school.test']);
    expect(report.checks.filter((l) => l.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
    expect(line(report, 'imap login')?.status).toBe('warn'); // Dovecot here has no TLS: said, not failed
    expect(line(report, 'imap IDLE')?.status).toBe('ok');
    expect(line(report, 'imap MOVE')?.status).toBe('ok');
    expect(line(report, 'folder INBOX')?.status).toBe('ok');
    expect(line(report, 'folder Processed')).toMatchObject({ status: 'ok', message: expect.stringMatching(/原来没有，已创建（mail\.imap\.processedFolder）/) });
    expect(await dovecot.mailboxes(DEFAULT_TEST_USER.user)).toEqual(expect.arrayContaining(['Processed', 'Quarantine']));
    expect(line(report, 'smtp login')).toMatchObject({ status: 'ok', message: `已登录 ${SMTP_USER}` });
    expect(line(report, 'smtp test mail')?.status).toBe('ok');
    // And one to the shared inbox's +sub-address, read back over IMAP: replies to +token addresses arrive.
    expect(received).toEqual([
      { to: ['liufang@school.test'], subject: 'baosong doctor 测试邮件（青禾市第一实验中学）' },
      { to: [expect.stringMatching(/^baosong\+doctor-[0-9a-f]{10}@school\.test$/)], subject: 'baosong doctor 子地址测试（可以删除）' },
    ]);
    expect(line(report, 'reply sub-address')).toMatchObject({ status: 'ok', message: expect.stringMatching(/的邮件已收到（INBOX）/) });
    expect(line(report, 'temporal')).toMatchObject({ status: 'ok', message: `${temporalAddress} 可以连接；命名空间 default 存在` });
    expect(line(report, 'database')?.status).toBe('ok');
    expect(line(report, 'data directory')?.status).toBe('ok');
    expect(line(report, 'chart font')?.status).toBe('ok');
    expect(report.checks.some((l) => /^calendar \d{4}$/.test(l.check))).toBe(true);

    // Without --send-test nothing is sent; the text form shows one line per check.
    const again = await runCli(['doctor', '--timeout', '5', '--config', file], { cwd: dir, env: goodEnv() });
    expect(again.code).toBe(0);
    expect(received).toHaveLength(2);
    expect(again.stdout).toMatch(/^正常 {2}IMAP 移动邮件 +支持：处理过的邮件一步移走$/m);
    expect(again.stdout).toMatch(/^注意 {2}IMAP 登录 +已登录 .*但没有 TLS.*\n +→ 改用 993 端口/m);
    expect(again.stdout).toMatch(/^必要的检查全部通过，\d+ 项需要注意$/m);
  }, 120_000);

  it('wrong passwords: both logins fail with the fix, and the exit code says so', async () => {
    const { code, report } = await doctor(configFile('wrong-password'), { ...goodEnv(), BAOSONG_IMAP_PASSWORD: 'wrong', BAOSONG_SMTP_PASSWORD: 'wrong' });
    expect(code).toBe(1);
    expect(line(report, 'imap login')).toMatchObject({ status: 'fail', message: expect.stringMatching(/：服务器拒绝登录/), fix: expect.stringMatching(/检查 mail\.imap\.user 和 BAOSONG_IMAP_PASSWORD 里的密码/) });
    expect(line(report, 'smtp login')).toMatchObject({ status: 'fail', message: expect.stringMatching(/服务器拒绝 baosong@school\.test 登录：.*535/), fix: expect.stringMatching(/BAOSONG_SMTP_PASSWORD/) });
  }, 60_000);

  it('in English for a school that chose `locale: en`: the lines, the marks and the summary', async () => {
    const file = configFile('english', [
      [['school', 'locale'], 'en'],
      [['mail', 'provider'], 'qq'],
    ]);
    const { report } = await doctor(file, { ...goodEnv(), BAOSONG_IMAP_PASSWORD: 'wrong' });
    expect(line(report, 'imap login')).toMatchObject({ status: 'fail', message: expect.stringMatching(/: the server refused the login/), fix: expect.stringMatching(/check mail\.imap\.user and the password in BAOSONG_IMAP_PASSWORD — QQ Mail takes a 授权码/) });
    const text = await runCli(['doctor', '--timeout', '5', '--config', file], { cwd: dir, env: { ...goodEnv(), BAOSONG_IMAP_PASSWORD: 'wrong' } });
    expect(text.stdout).toMatch(/^fail {2}imap login +baosong@school\.test at 127\.0\.0\.1:\d+: the server refused the login/m);
    expect(text.stdout).toMatch(/^\d+ failed, \d+ warnings?$/m);
  }, 60_000);

  it('wrong ports and TLS: nothing answers / not TLS, each naming the ports to use; an unknown Temporal address fails too', async () => {
    const nobody = await freePort();
    const file = configFile('wrong-port', [
      [['mail', 'imap', 'port'], nobody],
      [['mail', 'smtp', 'secure'], true],
    ]);
    const { code, report } = await doctor(file, { ...goodEnv(), TEMPORAL_ADDRESS: `127.0.0.1:${nobody}` });
    expect(code).toBe(1);
    expect(line(report, 'imap')).toMatchObject({ status: 'fail', message: `127.0.0.1:${nobody} 没有响应（连接被拒绝）`, fix: expect.stringMatching(/993 端口配 secure: true/) });
    expect(line(report, 'smtp')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/465 端口配 secure: true|587/) });
    expect(line(report, 'temporal')).toMatchObject({ status: 'fail', message: expect.stringMatching(new RegExp(`连不上 127\\.0\\.0\\.1:${nobody} 的 Temporal`)) });
  }, 60_000);

  it('a Temporal server with workflow updates off fails the temporal line, saying what stops working and what to set', async () => {
    const port = await freePort();
    const off = spawn(TEST_SERVER_PATH, [String(port), '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=false'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise<void>((resolve) => off.stderr?.on('data', (c: Buffer) => void (c.toString().includes('listening') && resolve())));
      const { code, report } = await doctor(configFile('updates-off'), { ...goodEnv(), TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
      expect(code).toBe(1);
      expect(line(report, 'temporal')).toMatchObject({
        status: 'fail',
        message: expect.stringMatching(/关闭了“工作流更新”.*审核页面和办公室工作台的按钮将无法使用/),
        fix: expect.stringMatching(/frontend\.enableUpdateWorkflowExecution=true/),
      });
    } finally {
      off.kill('SIGTERM');
    }
  }, 60_000);

  it('a missing inbox folder, a missing secret and a server without MOVE or UIDPLUS are fail lines', async () => {
    const { report } = await doctor(configFile('missing-folder', [[['mail', 'imap', 'mailbox'], 'Reports']]), { ...goodEnv(), BAOSONG_SMTP_PASSWORD: '' });
    expect(line(report, 'folder Reports')).toMatchObject({ status: 'fail', message: '没有文件夹“Reports”（mail.imap.mailbox）', fix: expect.stringMatching(/服务器上有：.*INBOX/) });
    expect(line(report, 'secret BAOSONG_SMTP_PASSWORD')?.status).toBe('fail');
    expect(line(report, 'smtp')).toMatchObject({ status: 'fail', message: '没有检查：BAOSONG_SMTP_PASSWORD 未设置' });

    const old = await startDovecot({ imapCapability: 'IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE' });
    try {
      const { code, report: r2 } = await doctor(configFile('old-server', [[['mail', 'imap', 'port'], old.port]]), goodEnv());
      expect(code).toBe(1);
      expect(line(r2, 'imap MOVE')).toMatchObject({ status: 'fail', message: expect.stringMatching(/MOVE 和 UIDPLUS 都不支持/) });
    } finally {
      await old.stop();
    }
  }, 90_000);

  it('a broken configuration: one fail line listing every problem with its place, exit 1, no stack', async () => {
    const file = configFile('broken', [
      [['workingHours', 'start'], '8点'],
      [['mail', 'provider'], 'gmail'],
    ]);
    const { code, report } = await doctor(file, goodEnv());
    expect(code).toBe(1);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ check: 'config', status: 'fail' });
    expect(report.checks[0]?.message).toMatch(/workingHours\.start: "8点" 不是时刻/);
    expect(report.checks[0]?.message).toMatch(/mail\.provider: 应为以下之一：exmail、qq、163、126、netease-enterprise、aliyun、microsoft365/);
  }, 30_000);

  it('a provider that drops +sub-addresses: a warning that says replies still work by Message-ID, not a failure', async () => {
    plusAddressing = false;
    try {
      const { code, report } = await doctor(configFile('no-plus'), goodEnv(), ['--send-test', 'liufang@school.test']);
      expect(line(report, 'reply sub-address')).toMatchObject({
        status: 'warn',
        message: expect.stringMatching(/的邮件 \d+ 秒内没有到达 INBOX：服务商可能不投递“\+”子地址/),
        fix: expect.stringMatching(/回复仍能靠所回邮件 Message-ID 里的令牌（In-Reply-To）识别/),
      });
      expect(code).toBe(0);
    } finally {
      plusAddressing = true;
    }
  }, 120_000);
});
