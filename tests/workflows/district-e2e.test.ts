// Three schools of one district on one deployment (issue 25, docs/district.md): their files in a deployment folder,
// one PostgreSQL database, one bucket (s3rver), one Temporal namespace and task queue served by one worker whose
// activities go to the school of each workflow. Mail in at each school, review by reply, the weekly digest — and
// nothing of one school reaches another: numbers, workflows, mail, files, tokens, figures.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { districtActivities } from '../../activities/district.js';
import { loadDeployment } from '../../config/deployment.js';
import { EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { migrateToLatest, openDatabase, type Database } from '../../db/index.js';
import { handleMail, type IntakeDeps } from '../../intake/handle.js';
import { smtpTransport } from '../../mail/transport.js';
import { statusQuery } from '../../workflows/report.js';
import { scheduledDigestWorkflow } from '../../workflows/digest.js';
import { districtSchools, type DistrictSchool } from '../../worker/district.js';
import { districtSchoolList } from '../../worker/district-service.js';
import { ChatRobots } from '../../chat/index.js';
import { startDistrictWeb, type DistrictWeb } from '../../web/district.js';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshots } from '../support/browser.js';
import { freePort } from '../support/ports.js';
import { linksIn } from '../support/baosong.js';
import { runCli } from '../support/cli.js';
import { ReportUses } from '../../db/uses.js';
import { testWorkflowCode, waitForStatus } from '../support/baosong.js';
import { mail, replyTo } from '../support/mails.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';
import { createTestEnv, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';

const SCHOOLS = [
  { id: 'qinghe-yizhong', name: '青禾市第一实验中学', domain: 'yizhong.test' },
  { id: 'qinghe-erxiao', name: '青禾县第二小学', domain: 'erxiao.test' },
  { id: 'hexi-zhongxue', name: '河西中学', domain: 'hexi.test' },
] as const;
type SchoolId = (typeof SCHOOLS)[number]['id'];

let env: TestWorkflowEnvironment;
let pg: PostgresServer;
let s3: TestS3;
let smtp: TestSmtpServer;
let database: Database;
let worker: Worker;
let running: Promise<void>;
let web: DistrictWeb;
let databaseUrl = '';
let deploymentFile = '';
let webPort = 0;
let browser: Browser;
const schools = new Map<SchoolId, DistrictSchool>();
let bureau: DistrictSchool;
const intake = new Map<SchoolId, IntakeDeps>();

/**
 * The weekly digest's slot in this test: today at 00:00 at the schools (Asia/Shanghai). A scheduled run sends the
 * week of the last slot, so the example's Friday 16:00 made the digests of a run from Monday to Friday afternoon
 * last week's, without the reports this test has just sent (the CI of a Monday 00:05 in Beijing failed on it).
 */
const DIGEST_DAY = new Date().toLocaleDateString('en-US', { weekday: 'long', timeZone: 'Asia/Shanghai' }).toLowerCase();

/** A school as its IT teacher would write it: the example school, its people at the school's own domain. */
function schoolFile(name: string, domain: string, smtpPort: number): string {
  return readFileSync(EXAMPLE_CONFIG_FILE, 'utf8')
    .replaceAll('school.test', domain)
    .replace(/^dataDir:.*$/m, '')
    .replace(/^temporal:\n(?: {2}.*\n)*/m, '')
    .replace(/^(\s+)name: 青禾市第一实验中学.*$/m, `$1name: ${name}`)
    .replace(/^( {2}weekday:) friday\n( {2}time:) "16:00"$/m, `$1 ${DIGEST_DAY}\n$2 "00:00"`)
    .replace(/^mail:\n/m, `mail:\n  smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false, pool: false }\n`)
    .replace('passwordEnv: BAOSONG_IMAP_PASSWORD', `passwordEnv: ${domain.split('.')[0]!.toUpperCase()}_IMAP_PASSWORD`); // each school its own
}

beforeAll(async () => {
  [env, pg, s3, smtp] = await Promise.all([createTestEnv(), startPostgres(), startS3(), startSmtpServer()]);
  Object.assign(process.env, s3.env);
  const dir = mkdtempSync(join(tmpdir(), 'baosong-district-e2e-'));
  mkdirSync(join(dir, 'schools'));
  const taskQueue = uniqueTaskQueue('district');
  webPort = await freePort();
  writeFileSync(
    join(dir, 'baosong.deployment.yaml'),
    `deployment:\n  name: 青禾县教育局\n  bureau: qinghe-jyj\ndataDir: ${JSON.stringify(join(dir, 'data'))}\ntemporal:\n  taskQueue: ${taskQueue}\nweb:\n  schoolUrl: http://{school}.baosong.test:${webPort}\nstorage:\n  s3: ${JSON.stringify(s3.storageConfig('district/'))}\n`,
  );
  for (const s of SCHOOLS) writeFileSync(join(dir, 'schools', `${s.id}.yaml`), schoolFile(s.name, s.domain, smtp.port));
  // The bureau's own configuration in the same deployment (deployment.bureau names it): every school's figures.
  writeFileSync(join(dir, 'schools', 'qinghe-jyj.yaml'), schoolFile('青禾县教育局', 'jyj.test', smtp.port).replace(/^school:\n/m, 'school:\n  level: 县区级\n'));
  const loaded = loadDeployment({ path: join(dir, 'baosong.deployment.yaml') });
  expect(loaded.broken.map((b) => b.error.message)).toEqual([]);

  databaseUrl = await pg.createDatabase('district');
  deploymentFile = join(dir, 'baosong.deployment.yaml');
  database = await openDatabase({ url: databaseUrl });
  await migrateToLatest(database);
  const deploymentSecret = 'district-secret-0123456789abcdef0123456789';
  for (const s of districtSchools(loaded, database, { deploymentSecret, transportFor: () => smtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: false }) })) {
    if (s.id === 'qinghe-jyj') {
      bureau = s;
      continue;
    }
    schools.set(s.id as SchoolId, s);
    intake.set(s.id as SchoolId, { config: s.config, client: env.client, readModel: s.readModel, transport: s.transport, secret: s.secret });
  }
  const activities = districtActivities(
    new Map([
      ...[...schools].map(([id, s]) => [id, createActivities({ ...s, chat: new ChatRobots(s.config) })] as const),
      ['qinghe-jyj', createActivities({ ...bureau, chat: new ChatRobots(bureau.config), district: { root: database, schools: districtSchoolList([...schools.values()], 'qinghe-jyj') } })] as const,
    ]),
  );
  worker = await createTestWorker(env, { taskQueue, ...testWorkflowCode(), activities });
  running = worker.run();
  web = await startDistrictWeb({
    port: webPort,
    host: '127.0.0.1',
    schools: [
      ...[...schools.values()].map((s) => ({ config: s.config, client: env.client, readModel: s.readModel, transport: s.transport, secret: s.secret })),
      { config: bureau.config, client: env.client, readModel: bureau.readModel, transport: bureau.transport, secret: bureau.secret, district: { root: database, schools: districtSchoolList([...schools.values()], 'qinghe-jyj') } },
    ],
  });
  browser = await launchChromium([`--host-resolver-rules=MAP *.baosong.test 127.0.0.1`]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  for (const s of [...schools.values(), bureau]) s?.transport.close();
  await database?.close();
  await Promise.all([smtp?.close(), s3?.stop(), pg?.stop()]);
  await env?.teardown();
});

let uid = 1;
const deliver = (school: SchoolId, raw: Buffer) => handleMail(intake.get(school)!, { uid: uid++, raw, internalDate: new Date(), size: raw.length });
const at = (school: SchoolId) => SCHOOLS.find((s) => s.id === school)!.domain;
/** An hour ago on the school's clock (Beijing time), as a liaison writes it: "2026-12-05 14:05". */
const hourAgo = () => new Date(Date.now() - 3_600_000).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);

describe('three schools on one deployment', () => {
  it('each school takes its own mail, numbers its own reports and reviews by reply; nothing crosses', async () => {
    // The same mail (one Message-ID) reaches two schools' inboxes, as a forwarded notice would; a third school gets its own.
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(20_000, 3), Buffer.from([0xff, 0xd9])]);
    const shared = '<same-notice-0001@district.test>';
    const titles: Record<SchoolId, string> = { 'qinghe-yizhong': '一中：七年级家长会', 'qinghe-erxiao': '二小：开学典礼', 'hexi-zhongxue': '河西：消防演练' };
    for (const s of SCHOOLS) {
      const raw = mail({ from: `刘芳 <liufang@${s.domain}>`, to: `baosong@${s.domain}`, subject: `【家校共育】${titles[s.id]}`, body: `时间：${hourAgo()}\n${titles[s.id]}，到会家长 300 余人。`, messageId: s.id === 'hexi-zhongxue' ? undefined : shared, attachment: { name: '现场.jpg', type: 'image/jpeg', content: photo } });
      expect(await deliver(s.id, raw)).toEqual({ folder: 'processed' });
    }
    const requests = new Map<SchoolId, Awaited<ReturnType<TestSmtpServer['waitFor']>>[number]>();
    for (const s of SCHOOLS) {
      const [receipt] = await smtp.waitFor((m) => m.kind === 'receipt' && m.to.includes(`liufang@${s.domain}`));
      expect(receipt!.subject).toContain(titles[s.id]);
      expect(receipt!.reportId).toBe('R-2026-0001'); // numbers restart per school
      const [request] = await smtp.waitFor((m) => m.kind === 'review_request' && m.to.includes(`wangjianguo@${s.domain}`));
      expect(request!.subject).toContain(titles[s.id]);
      // Links and the reply address are the school's own.
      expect(request!.html).toContain(`http://${s.id}.baosong.test:${webPort}/`);
      expect(request!.replyTo).toMatch(new RegExp(`^baosong\\+[^@]+@${s.domain.replace('.', '\\.')}$`));
      requests.set(s.id, request!);
    }
    // One workflow per school, its id carrying the school.
    for (const s of SCHOOLS) {
      const row = await schools.get(s.id)!.readModel.getReport('R-2026-0001');
      expect(row?.title).toBe(titles[s.id]);
      expect(row?.workflowId.startsWith(`${s.id}:report-mail-`)).toBe(true);
    }

    // A school's token used at another school acts on nothing: 二小's head answers with 一中's reply address.
    const yizhongRequest = requests.get('qinghe-yizhong')!;
    const crossed = replyTo(yizhongRequest, `王建国 <wangjianguo@${at('qinghe-erxiao')}>`, '同意');
    expect(await deliver('qinghe-erxiao', crossed)).toMatchObject({ folder: 'quarantine', code: 'unverified' });
    // Review by reply at 一中.
    expect(await deliver('qinghe-yizhong', replyTo(yizhongRequest, `王建国 <wangjianguo@${at('qinghe-yizhong')}>`, '同意'))).toEqual({ folder: 'processed' });
    const yizhong = schools.get('qinghe-yizhong')!;
    const handle = env.client.workflow.getHandle((await yizhong.readModel.getReport('R-2026-0001'))!.workflowId);
    const status = await waitForStatus(handle, (st) => st.step?.kind === 'office');
    expect(status.timeline.some((e) => e.type === 'approved' && e.actor?.email === `wangjianguo@${at('qinghe-yizhong')}`)).toBe(true);
    // The other schools' reports still wait for their heads: the crossed reply did nothing there.
    for (const id of ['qinghe-erxiao', 'hexi-zhongxue'] as const) {
      const other = env.client.workflow.getHandle((await schools.get(id)!.readModel.getReport('R-2026-0001'))!.workflowId);
      const st = await other.query(statusQuery);
      expect(st.step?.kind).toBe('department_head');
      expect(st.timeline.some((e) => e.type === 'approved')).toBe(false);
    }

    // Files: each school's photo under its own prefix in the bucket (the same bytes, kept once per school).
    const keys = await s3.keys('district/');
    for (const s of SCHOOLS) expect(keys.some((k) => k.startsWith(`district/${s.id}/attachments/`))).toBe(true);

    // Rows: each school's own, in one database.
    const rows = await database.root.selectFrom('reports').select(['school_id', 'id', 'title']).orderBy('school_id').execute();
    expect(rows).toEqual(SCHOOLS.map((s) => ({ school_id: s.id, id: 'R-2026-0001', title: titles[s.id] })).sort((a, b) => a.school_id.localeCompare(b.school_id)));
  });

  it('each school’s weekly digest counts its own reports and goes to its own office', async () => {
    for (const s of SCHOOLS) {
      await env.client.workflow.execute(scheduledDigestWorkflow, { taskQueue: schools.get(s.id)!.config.temporal.taskQueue, workflowId: `${s.id}:baosong-weekly-digest-run-test` });
    }
    for (const s of SCHOOLS) {
      const [digest] = await smtp.waitFor((m) => m.kind === 'digest' && m.to.includes(`zhouxiaomei@${s.domain}`));
      expect(digest!.text.startsWith(`${s.name} 信息报送周报`)).toBe(true);
      expect(digest!.text).toMatch(/全校：1 ▲1 \/ 1 ▲1 \/ 0 \//); // its one report, on time — not three
      for (const other of SCHOOLS.filter((o) => o.id !== s.id)) {
        expect(digest!.text).not.toContain(other.name);
      }
    }
  });

  it('each school’s pages at its own host: a link, a file or a session of one school opens nothing at another', async () => {
    const host = (id: SchoolId) => `http://${id}.baosong.test:${webPort}`;
    const [receipt] = await smtp.waitFor((m) => m.kind === 'receipt' && m.to.includes(`liufang@${at('qinghe-yizhong')}`));
    const [request] = await smtp.waitFor((m) => m.kind === 'review_request' && m.to.includes(`wangjianguo@${at('qinghe-yizhong')}`));
    const status = linksIn(receipt!).find((l) => l.includes('/status/'))!;
    const file = linksIn(request!).find((l) => l.includes('/files/'))!;
    expect(status.startsWith(host('qinghe-yizhong'))).toBe(true);
    const page = await browser.newPage();
    try {
      // At its own school: the report and its photo.
      expect((await page.goto(status))!.status()).toBe(200);
      expect(await page.textContent('body')).toContain('一中：七年级家长会');
      expect((await page.goto(file))!.status()).toBe(200);
      // The same links at another school's host: not found (signed with another school's key, and its R-2026-0001 is another report).
      for (const other of ['qinghe-erxiao', 'hexi-zhongxue'] as const) {
        const res = await page.goto(status.replace(host('qinghe-yizhong'), host(other)));
        expect(res!.status()).toBe(404);
        expect(await page.textContent('body')).not.toContain('一中');
        expect((await page.goto(file.replace(host('qinghe-yizhong'), host(other))))!.status()).toBe(404);
      }
      // A host that is no school's.
      const none = await page.goto(`http://nowhere.baosong.test:${webPort}/submit`);
      expect(none!.status()).toBe(404);
      expect(await page.textContent('h1')).toContain('没有对应的学校');

      // 一中's office signs in at 一中 and sees its report; at 二小 the same browser is nobody.
      await page.goto(`${host('qinghe-yizhong')}/office/signin`);
      await page.fill('#email', `zhouxiaomei@${at('qinghe-yizhong')}`);
      await page.click('button[type=submit]');
      const [signin] = await smtp.waitFor((m) => m.kind === 'signin' && m.to.includes(`zhouxiaomei@${at('qinghe-yizhong')}`));
      const signinLink = linksIn(signin!).find((l) => l.includes('/office/signin/'))!;
      expect(signinLink.startsWith(host('qinghe-yizhong'))).toBe(true);
      // 一中's sign-in link at 二小's host is refused.
      await page.goto(signinLink.replace(host('qinghe-yizhong'), host('qinghe-erxiao')));
      expect(await page.locator('#sign-in').count()).toBe(0);
      await page.goto(signinLink);
      await page.click('#sign-in');
      await page.waitForSelector('#mail-desk');
      await page.goto(`${host('qinghe-yizhong')}/office/reports/R-2026-0001`);
      expect(await page.textContent('body')).toContain('一中：七年级家长会');
      // The office's export holds its own school's reports only.
      await page.goto(`${host('qinghe-yizhong')}/office`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
      const csv = readFileSync((await download.path()), 'utf8');
      expect(csv).toContain('一中：七年级家长会');
      expect(csv).not.toContain('二小');
      expect(csv).not.toContain('河西');
      // Changing the host to 二小's: the session is not there (its cookie is 一中's host's), so sign in first.
      await page.goto(`${host('qinghe-erxiao')}/office/reports/R-2026-0001`);
      expect(new URL(page.url()).pathname).toBe('/office/signin');
      expect(await page.textContent('body')).not.toContain('二小：开学典礼');
      // And 一中's person is not 二小's office: asking for a link there sends nothing to them.
      await page.fill('#email', `zhouxiaomei@${at('qinghe-yizhong')}`);
      await page.click('button[type=submit]');
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.mails.filter((m) => m.kind === 'signin' && m.to.includes(`zhouxiaomei@${at('qinghe-yizhong')}`))).toHaveLength(1);
    } finally {
      await page.close();
    }
  });

  it('the bureau’s figures put the schools side by side, each with its own counts', async () => {
    // 一中's piece used by the county's site (录用 at 县区级).
    await new ReportUses(schools.get('qinghe-yizhong')!.database).add({ reportId: 'R-2026-0001', outlet: '青禾教育网', level: '县区级', kind: '网站', usedOn: new Date().toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 10), ref: '', source: 'office', recordedBy: { name: '周晓梅', email: `zhouxiaomei@${at('qinghe-yizhong')}` }, recordedAt: new Date() });
    const run = await runCli(['district', 'figures', '--deployment', deploymentFile], { env: { DATABASE_URL: databaseUrl } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^青禾县教育局 2026-W\d\d（/);
    expect(lines[1]).toBe('学校：报送 / 按时 / 迟报 / 漏报 / 退回 / 发布 / 按时率 / 录用（其中县区级及以上）');
    expect(lines).toContain('青禾市第一实验中学：1 / 1 / 0 / 0 / 0 / 0 / 100% / 1（1）');
    expect(lines).toContain('青禾县第二小学：1 / 1 / 0 / 0 / 0 / 0 / 100% / 0（0）');
    expect(lines).toContain('河西中学：1 / 1 / 0 / 0 / 0 / 0 / 100% / 0（0）');
    expect(lines.at(-1)).toBe('全区（县）合计：3 / 3 / 0 / 0 / 0 / 0 / 100% / 1（1）');
  });

  it('the bureau’s weekly digest opens with every school’s own week, to the bureau’s office only', async () => {
    await env.client.workflow.execute(scheduledDigestWorkflow, { taskQueue: bureau.config.temporal.taskQueue, workflowId: 'qinghe-jyj:baosong-weekly-digest-run-test' });
    const [digest] = await smtp.waitFor((m) => m.kind === 'digest' && m.to.includes('zhouxiaomei@jyj.test'));
    const text = digest!.text;
    expect(text.startsWith('青禾县教育局 信息报送周报')).toBe(true);
    expect(text).toContain('【各校校内信息报送情况（3 所学校）】报送 / 按时 / 迟报 / 漏报 / 退回 / 发布 / 按时率 / 录用（其中县区级及以上）');
    expect(text).toContain('青禾市第一实验中学：1 / 1 / 0 / 0 / 0 / 0 / 100% / 1（1）');
    expect(text).toContain('河西中学：1 / 1 / 0 / 0 / 0 / 0 / 100% / 0（0）');
    expect(text).toContain('全区（县）合计：3 / 3 / 0 / 0 / 0 / 0 / 100% / 1（1）');
    expect(text).toMatch(/在网页上查看：http:\/\/qinghe-jyj\.baosong\.test:\d+\/office\/district\?week=2026-W\d\d/);
    // The mail as a client shows it: the table's rows, in the bureau's own mail only.
    expect(digest!.html).toMatch(/各校校内信息报送情况（3 所学校）<\/h2>[^]*>青禾市第一实验中学<\/td>[^]*>全区（县）合计<\/td>/);
    expect(digest!.html).toContain('如有疑问，请联系青禾县教育局办公室。');
    for (const s of SCHOOLS) expect(smtp.mails.filter((m) => m.kind === 'digest' && m.to.some((t) => t.endsWith(s.domain)) && m.text.includes('各校校内'))).toEqual([]);
  });

  it('the bureau’s office sees every school’s week on its own page; a school’s office has no such page', async () => {
    const host = (id: string) => `http://${id}.baosong.test:${webPort}`;
    const page = await browser.newPage();
    try {
      const signIn = async (school: string, email: string) => {
        await page.goto(`${host(school)}/office/signin`);
        await page.fill('#email', email);
        await page.click('button[type=submit]');
        const [signin] = await smtp.waitFor((m) => m.kind === 'signin' && m.to.includes(email));
        await page.goto(linksIn(signin!).find((l) => l.includes('/office/signin/'))!);
        await page.click('#sign-in');
        await page.waitForSelector('#mail-desk');
      };
      await signIn('qinghe-jyj', 'zhouxiaomei@jyj.test');
      await page.click('#district-link');
      await page.waitForSelector('#district');
      const row = async (id: string) => (await page.locator(`#school-${id} td`).allTextContents()).map((t) => t.trim());
      expect(await row('qinghe-yizhong')).toEqual(['青禾市第一实验中学', '1', '1', '0', '0', '0', '0', '100%', '1（1）']);
      expect(await row('qinghe-erxiao')).toEqual(['青禾县第二小学', '1', '1', '0', '0', '0', '0', '100%', '0（0）']);
      expect((await page.locator('#district-total td').allTextContents()).map((t) => t.trim())).toEqual(['全区（县）合计', '3', '3', '0', '0', '0', '0', '100%', '1（1）']);
      expect(await page.locator('#school-qinghe-jyj').count()).toBe(0); // the bureau is not one of its schools
      expect(await page.textContent('footer')).toBe('如有疑问，请联系教育局办公室。');
      await screenshots(page, 'district-figures');
      // A week that is no week says so.
      expect((await page.goto(`${host('qinghe-jyj')}/office/district?week=2026-W60`))!.status()).toBe(400);
      expect(await page.textContent('main')).toContain('周次写法有误');
      // A school's office: no link, and the address answers 404.
      await signIn('qinghe-yizhong', `xieyutong@${at('qinghe-yizhong')}`);
      expect(await page.locator('#district-link').count()).toBe(0);
      expect(await page.textContent('footer')).toBe('如有疑问，请联系学校办公室。');
      expect((await page.goto(`${host('qinghe-yizhong')}/office/district`))!.status()).toBe(404);
    } finally {
      await page.close();
    }
  });
});
