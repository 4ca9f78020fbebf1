// A deployment for several schools (issue 25, docs/district.md): the deployment file, a folder of school
// configurations each checked alone, the shared sections filled in per school, and the per-school signing keys.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadDeployment, schoolSecret } from '../../config/deployment.js';
import { ConfigError, EXAMPLE_CONFIG_FILE } from '../../config/load.js';
import { fileUrl, verifyFileLink } from '../../mail/links.js';

const example = readFileSync(EXAMPLE_CONFIG_FILE, 'utf8');

/** The example school as another school: its name and inbox, and any other top-level changes. */
function school(name: string, inbox: string, edit: (doc: ReturnType<typeof parseDocument>) => void = () => undefined): string {
  const doc = parseDocument(example);
  doc.delete('dataDir');
  doc.delete('temporal');
  doc.setIn(['school', 'name'], name);
  doc.setIn(['mail', 'address'], inbox);
  edit(doc);
  return doc.toString();
}

const DEPLOYMENT = `deployment:
  name: 青禾县教育局
storage:
  s3:
    endpoint: http://127.0.0.1:9000
    bucket: qinghe-district
    prefix: baosong
    accessKeyIdEnv: S3_KEY
    secretAccessKeyEnv: S3_SECRET
    forcePathStyle: true
web:
  schoolUrl: https://{school}.baosong.qhjy.example.cn/
temporal:
  address: temporal.qhjy.internal:7233
  namespace: qinghe
dataDir: /var/lib/baosong
`;

function district(files: Record<string, string>, deployment = DEPLOYMENT): string {
  const dir = mkdtempSync(join(tmpdir(), 'baosong-district-'));
  mkdirSync(join(dir, 'schools'));
  writeFileSync(join(dir, 'baosong.deployment.yaml'), deployment);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'schools', name), text);
  return join(dir, 'baosong.deployment.yaml');
}

describe('a deployment of several schools', () => {
  it('loads each school with its own data folder, bucket prefix and web address, and the shared Temporal', () => {
    const file = district({
      'qinghe-yizhong.yaml': school('青禾市第一实验中学', 'baosong@yizhong.test'),
      'qinghe-erxiao.yaml': school('青禾县第二小学', 'xinxi@erxiao.test'),
      'hexi-zhongxue.yml': school('河西中学', 'baosong@hexi.test'),
    });
    const { deployment, schools, broken } = loadDeployment({ path: file });
    expect(broken).toEqual([]);
    expect(deployment.deployment.name).toBe('青禾县教育局');
    expect(schools.map((s) => s.id)).toEqual(['hexi-zhongxue', 'qinghe-erxiao', 'qinghe-yizhong']);
    const yizhong = schools.find((s) => s.id === 'qinghe-yizhong')!.config;
    expect(yizhong.school.name).toBe('青禾市第一实验中学');
    expect(yizhong.dataDir).toBe('/var/lib/baosong/schools/qinghe-yizhong');
    expect(yizhong.storage.s3).toMatchObject({ bucket: 'qinghe-district', prefix: 'baosong/qinghe-yizhong/' });
    expect(yizhong.web.baseUrl).toBe('https://qinghe-yizhong.baosong.qhjy.example.cn');
    expect(yizhong.temporal).toMatchObject({ address: 'temporal.qhjy.internal:7233', namespace: 'qinghe' });
    // Every school its own prefix: no key of one school is a key of another.
    const prefixes = schools.map((s) => s.config.storage.s3!.prefix);
    for (const p of prefixes) expect(prefixes.filter((q) => q.startsWith(p))).toEqual([p]);
  });

  it('a school’s mistakes leave it out with its problems and lines; the other schools load', () => {
    const file = district({
      'qinghe-yizhong.yaml': school('青禾市第一实验中学', 'baosong@yizhong.test'),
      'qinghe-erxiao.yaml': school('青禾县第二小学', 'xinxi@erxiao.test', (d) => d.setIn(['departments', 0, 'head', 'email'], 'wang＠erxiao.test')),
      'hexi-zhongxue.yaml': school('河西中学', 'baosong@hexi.test', (d) => d.set('dataDir', '/var/lib/baosong/schools/qinghe-yizhong')),
      'dongshan.yaml': school('东山小学', 'shared@district.test'),
      'xishan.yaml': school('西山小学', 'shared@district.test'),
      'Bad Name.yaml': school('某校', 'x@bad.test'),
      // Copied from 一中's file with its inbox changed but not its password variable.
      'zz-beishan.yaml': school('北山小学', 'baosong@beishan.test', (d) => d.setIn(['mail', 'imap', 'user'], 'baosong@beishan.test')),
    });
    const { schools, broken } = loadDeployment({ path: file });
    expect(schools.map((s) => s.id)).toEqual(['qinghe-yizhong']);
    const why = Object.fromEntries(broken.map((b) => [b.id, b.error.message]));
    expect(Object.keys(why).sort()).toEqual(['Bad Name', 'dongshan', 'hexi-zhongxue', 'qinghe-erxiao', 'xishan', 'zz-beishan']);
    expect(why['zz-beishan']).toContain('BAOSONG_IMAP_PASSWORD 已经是 qinghe-yizhong 的收信密码变量');
    expect(why['qinghe-erxiao']).toMatch(/qinghe-erxiao\.yaml:\d+:\d+ departments\[0\]\.head\.email: .*全角/);
    expect(why['hexi-zhongxue']).toMatch(/hexi-zhongxue\.yaml:\d+:1 dataDir: dataDir 由部署（青禾县教育局）统一设置/);
    expect(why.dongshan).toContain('收件邮箱 shared@district.test 同时是 xishan 的收件邮箱');
    expect(why.xishan).toContain('同时是 dongshan 的收件邮箱');
    expect(why['Bad Name']).toContain('不能作为学校编号');
    for (const b of broken) expect(b.error).toBeInstanceOf(ConfigError);
  });

  it('a school address must put the school in the host name', () => {
    for (const url of ['https://baosong.qhjy.example.cn/{school}', 'https://x{school}.qhjy.example.cn', 'https://baosong.example.cn', 'ftp://{school}.x.cn']) {
      expect(() => loadDeployment({ path: district({ 'a.yaml': school('甲校', 'a@a.test') }, DEPLOYMENT.replace('schoolUrl: https://{school}.baosong.qhjy.example.cn/', `schoolUrl: ${url}`)) })).toThrow(/web\.schoolUrl: 应填含 \{school\} 的网址/);
    }
  });

  it('a broken deployment file stops everything, saying where', () => {
    const file = district({ 'a.yaml': school('甲校', 'a@a.test') }, DEPLOYMENT.replace('bucket: qinghe-district', 'bucket: Qinghe_District'));
    const err = (() => {
      try {
        loadDeployment({ path: file });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/baosong\.deployment\.yaml:6:\d+ storage\.s3\.bucket: 存储桶名称应为/);
  });
});

describe('per-school signing keys', () => {
  it('derive a different key per school from one secret; a link of one school does not open at another', () => {
    const secret = 'd'.repeat(64);
    const a = schoolSecret(secret, 'qinghe-yizhong');
    const b = schoolSecret(secret, 'qinghe-erxiao');
    expect(a).not.toBe(b);
    expect(schoolSecret(secret, 'qinghe-yizhong')).toBe(a); // stable across restarts
    expect(a).toHaveLength(64);
    const url = fileUrl('', { reportId: 'R-2026-0042', sha256: 'ab'.repeat(32), filename: '现场.jpg', issuedAt: new Date(), secret: a });
    const token = url.split('/')[2]!;
    expect(verifyFileLink(token, a)).toMatchObject({ ok: true });
    expect(verifyFileLink(token, b)).toMatchObject({ ok: false });
  });
});

describe('baosong config check --deployment', () => {
  it('lists the schools that will run and, for the others, why; exits 1 while one is broken', async () => {
    const { runCli } = await import('../support/cli.js');
    const file = district({
      'qinghe-yizhong.yaml': school('青禾市第一实验中学', 'baosong@yizhong.test'),
      'qinghe-erxiao.yaml': school('青禾县第二小学', 'xinxi@erxiao.test', (d) => d.setIn(['workingHours', 'start'], '25:00')),
    });
    const run = await runCli(['config', 'check', '--deployment', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('青禾县教育局，1 所学校配置正确，1 所有问题');
    expect(run.stdout).toMatch(/正确 {2}qinghe-yizhong {2}青禾市第一实验中学 {2}baosong@yizhong\.test {2}https:\/\/qinghe-yizhong\.baosong\.qhjy\.example\.cn/);
    expect(run.stdout).toMatch(/不会启动 {2}qinghe-erxiao：\n.*\n.*workingHours\.start: "25:00" 不是时刻/);
  });
});
