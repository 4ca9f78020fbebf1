// `baosong start --deployment` as one process (worker/district-service.ts): three schools' inboxes on a real Dovecot,
// PostgreSQL, a bucket (s3rver) and our Temporal test server. Mail into two schools' inboxes is taken, numbered and
// reviewed by reply, each at its own school; a school whose mailbox refuses the login keeps its pages and leaves
// the others alone; a school whose file is broken is left out with its problem; each school's pages answer at its host.
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { openDatabase, ReadModel, scopeDatabase, type Database } from '../../db/index.js';
import { startDistrictService, type RunningDistrict } from '../../worker/district-service.js';
import { startDovecot, type TestDovecot } from '../support/dovecot.js';
import { mail, replyTo } from '../support/mails.js';
import { freePort } from '../support/ports.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';
import { createTestEnv, uniqueTaskQueue } from '../support/temporal.js';

const SCHOOLS = [
  { id: 'qinghe-yizhong', name: '青禾市第一实验中学', domain: 'yizhong.test', inbox: 'baosong@yizhong.test', variable: 'YIZHONG_IMAP_PASSWORD' },
  { id: 'qinghe-erxiao', name: '青禾县第二小学', domain: 'erxiao.test', inbox: 'baosong@erxiao.test', variable: 'ERXIAO_IMAP_PASSWORD' },
  { id: 'hexi-zhongxue', name: '河西中学', domain: 'hexi.test', inbox: 'baosong@hexi.test', variable: 'HEXI_IMAP_PASSWORD' },
] as const;

let env: TestWorkflowEnvironment;
let pg: PostgresServer;
let s3: TestS3;
let smtp: TestSmtpServer;
let dovecot: TestDovecot;
let database: Database;
let district: RunningDistrict;
let port = 0;
const logLines: string[] = [];

function schoolFile(s: (typeof SCHOOLS)[number]): string {
  return readFileSync(EXAMPLE_CONFIG_FILE, 'utf8')
    .replaceAll('school.test', s.domain)
    .replace(/^dataDir:.*$/m, '')
    .replace(/^temporal:\n(?: {2}.*\n)*/m, '')
    .replace(/^(\s+)name: 青禾市第一实验中学.*$/m, `$1name: ${s.name}`)
    .replace(/^mail:\n(?:.*\n)*?(?=^\S)/m, (section) =>
      section
        .replace(/^ {2}imap:\n(?: {4}.*\n)*/m, `  imap: { host: 127.0.0.1, port: ${dovecot.port}, secure: false, user: ${s.inbox}, passwordEnv: ${s.variable}, mailbox: INBOX, processedFolder: Processed, quarantineFolder: Quarantine }\n`)
        .replace(/^ {2}smtp:\n(?: {4}.*\n)*/m, '')
        .replace(/^mail:\n/, `mail:\n  smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false, pool: false }\n`),
    );
}

beforeAll(async () => {
  [env, pg, s3, smtp, dovecot] = await Promise.all([createTestEnv(), startPostgres(), startS3(), startSmtpServer(), startDovecot({ users: SCHOOLS.map((s) => ({ user: s.inbox, password: `${s.id}-pw` })) })]);
  if (process.env.BAOSONG_TEST_WORKFLOW_BUNDLE) process.env.BAOSONG_WORKFLOW_BUNDLE = process.env.BAOSONG_TEST_WORKFLOW_BUNDLE;
  port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'baosong-district-service-'));
  mkdirSync(join(dir, 'schools'));
  writeFileSync(
    join(dir, 'baosong.deployment.yaml'),
    `deployment:\n  name: 青禾县教育局\ndataDir: ${JSON.stringify(join(dir, 'data'))}\ntemporal:\n  taskQueue: ${uniqueTaskQueue('district-service')}\nweb:\n  port: ${port}\n  schoolUrl: http://{school}.baosong.test:${port}\nstorage:\n  s3: ${JSON.stringify(s3.storageConfig('district/'))}\n`,
  );
  for (const s of SCHOOLS) writeFileSync(join(dir, 'schools', `${s.id}.yaml`), schoolFile(s));
  writeFileSync(join(dir, 'schools', 'dongshan.yaml'), 'school:\n  name: 东山小学\n  timeZone: Mars/Base\n');
  const url = await pg.createDatabase('district_service');
  database = await openDatabase({ url });
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  district = await startDistrictService({
    deploymentFile: join(dir, 'baosong.deployment.yaml'),
    host: '127.0.0.1',
    logger,
    env: {
      ...process.env,
      ...s3.env,
      BAOSONG_SECRET: 'district-deployment-secret-0123456789abcdef',
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      YIZHONG_IMAP_PASSWORD: 'qinghe-yizhong-pw',
      ERXIAO_IMAP_PASSWORD: 'qinghe-erxiao-pw',
      HEXI_IMAP_PASSWORD: 'not-the-password',
    },
  });
}, 180_000);

afterAll(async () => {
  await district?.stop();
  await database?.close();
  await Promise.all([smtp?.close(), s3?.stop(), pg?.stop(), dovecot?.stop()]);
  await env?.teardown();
}, 60_000);

/** GET a page the way a browser at that school's host would. */
function get(host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `${host}:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const hourAgo = () => new Date(Date.now() - 3_600_000).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);

describe('baosong start --deployment', () => {
  it('runs the schools that can run, and says which cannot and why', () => {
    expect(district.schools.sort()).toEqual(['hexi-zhongxue', 'qinghe-erxiao', 'qinghe-yizhong']);
    const left = Object.fromEntries(district.left.map((l) => [l.id, l.why]));
    expect(Object.keys(left).sort()).toEqual(['dongshan', 'hexi-zhongxue']);
    expect(left.dongshan).toContain('school.timeZone');
    expect(left['hexi-zhongxue']).toMatch(/mail intake off/);
    expect(logLines.some((l) => l.includes('"school":"hexi-zhongxue"') && l.includes('mail intake off'))).toBe(true);
  });

  it('mail into each school’s inbox becomes that school’s report, reviewed by reply there', async () => {
    for (const s of SCHOOLS.slice(0, 2)) {
      await dovecot.append(s.inbox, 'INBOX', mail({ from: `刘芳 <liufang@${s.domain}>`, to: s.inbox, subject: `【家校共育】${s.name}家长会`, body: `时间：${hourAgo()}\n家长会顺利召开，到会家长 300 余人。` }));
    }
    for (const s of SCHOOLS.slice(0, 2)) {
      const [receipt] = await smtp.waitFor((m) => m.kind === 'receipt' && m.to.includes(`liufang@${s.domain}`), 1, 60_000);
      expect(receipt!.reportId).toBe('R-2026-0001');
      expect(receipt!.subject).toContain(`${s.name}家长会`);
    }
    const [request] = await smtp.waitFor((m) => m.kind === 'review_request' && m.to.includes(`wangjianguo@${SCHOOLS[0].domain}`), 1, 60_000);
    await dovecot.append(SCHOOLS[0].inbox, 'INBOX', replyTo(request!, `王建国 <wangjianguo@${SCHOOLS[0].domain}>`, '同意', { to: request!.replyTo! }));
    const yizhong = new ReadModel(scopeDatabase(database, 'qinghe-yizhong'));
    const erxiao = new ReadModel(scopeDatabase(database, 'qinghe-erxiao'));
    const deadline = Date.now() + 60_000;
    while ((await yizhong.getReport('R-2026-0001'))?.currentStepKind !== 'office' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await yizhong.getReport('R-2026-0001'))?.currentStepKind).toBe('office');
    expect((await erxiao.getReport('R-2026-0001'))?.currentStepKind).toBe('department_head');
    // Handled mail leaves each inbox for its own Processed folder.
    expect(await dovecot.list(SCHOOLS[0].inbox, 'Processed')).toHaveLength(2);
    expect(await dovecot.list(SCHOOLS[1].inbox, 'Processed')).toHaveLength(1);
  });

  it('each school’s pages answer at its host, the school whose mailbox refused included', async () => {
    for (const s of SCHOOLS) {
      const page = await get(`${s.id}.baosong.test`, '/submit');
      expect(page.status).toBe(200);
      expect(page.body).toContain(s.name);
      for (const other of SCHOOLS.filter((o) => o.id !== s.id)) expect(page.body).not.toContain(other.name);
    }
    expect((await get('dongshan.baosong.test', '/submit')).status).toBe(404);
    // The process's metrics are every school's: no school's host serves them, even to this machine (a one-school
    // deployment serves /metrics to loopback).
    expect((await get('qinghe-yizhong.baosong.test', '/metrics')).status).toBe(404);
  });
});
