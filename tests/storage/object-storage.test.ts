// Attachments in object storage (issue 25): the S3 store against a real S3-speaking server (s3rver, signature
// key checked), then a school on PostgreSQL whose files go to the bucket — a mailed photo and a long text, the
// reviewer's mail carrying the photo, the signed download link — and `baosong migrate-attachments` moving an
// existing data folder into the bucket, again and after an interruption.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { handleMail, type IntakeDeps } from '../../intake/handle.js';
import { migrateAttachments } from '../../ops/migrate-attachments.js';
import { attachmentKey, storeAttachment } from '../../storage/attachments.js';
import { diskStore, FileStoreError, s3Store, type FileStore } from '../../storage/store.js';
import { statusUrl } from '../../mail/links.js';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { EXAMPLE_CONFIG_FILE, parseConfig } from '../../config/load.js';
import { runDoctor, secretsCheck, storageCheck } from '../../doctor/checks.js';
import { SECRET, startHarness, startHarnessWeb, type Harness } from '../support/baosong.js';
import { mail } from '../support/mails.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { createTestEnv } from '../support/temporal.js';
import { runCli } from '../support/cli.js';

let s3: TestS3;

/** The example school's configuration file with `storage:` (and other top-level keys) set. */
function exampleWith(top: Record<string, unknown>): string {
  const doc = parseDocument(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'));
  for (const [k, v] of Object.entries(top)) doc.set(k, v);
  return doc.toString();
}
const doctorLinesFor = (top: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
  runDoctor({ config: parseConfig(exampleWith(top), 'baosong.config.yaml'), configFile: 'baosong.config.yaml', env, timeoutMs: 5000, now: new Date() }, [secretsCheck, storageCheck]);

beforeAll(async () => {
  s3 = await startS3();
  Object.assign(process.env, s3.env);
});

afterAll(async () => {
  await s3?.stop();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const storeOf = (o: Partial<Parameters<typeof s3Store>[0]> = {}) => s3Store({ ...s3.storageConfig('school-a/'), accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', ...o });

describe('the S3 store', () => {
  it('keeps, finds, reads and streams a file under its key and prefix; a missing one is null', async () => {
    const store = storeOf();
    const bytes = Buffer.from('开幕式照片的字节');
    const key = attachmentKey(sha(bytes));
    expect(await store.has(key)).toBe(false);
    expect(await store.read(key)).toBeNull();
    expect(await store.open(key)).toBeNull();
    await store.put(key, bytes, 'image/jpeg');
    expect(await s3.keys('school-a/')).toContain(`school-a/${key}`);
    expect(await store.has(key)).toBe(true);
    expect(await store.size(key)).toBe(bytes.length);
    expect((await store.read(key))!.equals(bytes)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const c of (await store.open(key))!) chunks.push(Buffer.from(c as Uint8Array));
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    await expect(store.check()).resolves.toBeUndefined();
  });

  it('says which is wrong: a refused key, a bucket that does not exist', async () => {
    const wrongKey = storeOf({ accessKeyId: 'LTAI-NOT-OURS' }); // s3rver knows one key id (it does not check v4 signatures)
    const refused = await wrongKey.put('attachments/00/x', Buffer.from('x'), 'text/plain').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FileStoreError);
    expect(refused).toMatchObject({ code: 'ESTORAGE_AUTH' });
    await expect(wrongKey.check()).rejects.toMatchObject({ code: 'ESTORAGE_AUTH' });
    const noBucket = storeOf({ bucket: 'no-such-bucket' });
    await expect(noBucket.check()).rejects.toMatchObject({ code: 'ESTORAGE_BUCKET', message: expect.stringContaining('no-such-bucket') });
  });

  it('doctor checks the bucket and the key', async () => {
    const good = await doctorLinesFor({ storage: { s3: s3.storageConfig() } }, s3.env);
    expect(good.find((l) => l.check === 'object storage')).toMatchObject({ status: 'ok' });
    const bad = await doctorLinesFor({ storage: { s3: { ...s3.storageConfig(), bucket: 'other-bucket' } } }, s3.env);
    expect(bad.find((l) => l.check === 'object storage')).toMatchObject({ status: 'fail', fix: expect.stringContaining('other-bucket') });
    const unset = await doctorLinesFor({ storage: { s3: s3.storageConfig() } }, {});
    expect(unset.find((l) => l.check === 'secret BAOSONG_TEST_S3_SECRET')).toMatchObject({ status: 'fail', fix: expect.stringContaining('AccessKey') });
  });
});

describe('a school whose files are in object storage (PostgreSQL)', () => {
  let env: TestWorkflowEnvironment;
  let pg: PostgresServer;
  let h: Harness;
  let deps: IntakeDeps;
  let base = '';
  let close: () => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    env = await createTestEnv();
    pg = await startPostgres();
    h = await startHarness(env, { url: await pg.createDatabase(), configure: (c) => ({ ...c, storage: { s3: s3.storageConfig('qinghe/') } }) });
    deps = { config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET };
    const started = await startHarnessWeb(h);
    base = started.base;
    close = () => started.web.close();
  }, 60_000);

  afterAll(async () => {
    await close();
    await h?.close();
    await env?.teardown();
    await pg?.stop();
  });

  it('a mailed photo and a long text go to the bucket; the reviewer gets the photo and the whole text; the link downloads it', async () => {
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(80_000, 9), Buffer.from([0xff, 0xd9])]);
    const long = `${'七年级家长会今天下午召开，到会家长三百余人，班主任逐一介绍了本学期的教学安排。\n'.repeat(120)}——全文完`;
    const raw = mail({ from: '刘芳 <liufang@school.test>', subject: '【家校共育】家长会（对象存储）', body: `时间：${new Date(Date.now() - 3_600_000).toISOString().slice(0, 16).replace('T', ' ')}\n${long}`, attachment: { name: '现场.jpg', type: 'image/jpeg', content: photo } });
    expect(await handleMail(deps, { uid: 1, raw, internalDate: new Date(), size: raw.length })).toEqual({ folder: 'processed' });

    const [request] = await h.smtp.waitFor((m) => m.kind === 'review_request' && m.subject.includes('家长会（对象存储）'));
    const reportId = request!.reportId!;
    // The reviewer's mail: the photo attached, byte for byte, and the text to its last line.
    const attached = request!.parsed.attachments.find((a) => a.filename === '现场.jpg');
    expect(attached?.content.equals(photo)).toBe(true);
    expect(request!.text).toContain('——全文完');

    // In the bucket under the school's prefix, and nothing in the data folder.
    const keys = await s3.keys('qinghe/');
    expect(keys).toContain(`qinghe/${attachmentKey(sha(photo))}`);
    expect(keys.length).toBeGreaterThanOrEqual(2); // the photo and the long text (and the kept mail, if any)
    expect(existsSync(join(h.config.dataDir, 'attachments'))).toBe(false);
    const [row] = await h.readModel.attachmentsFor(reportId);
    expect(row).toMatchObject({ filename: '现场.jpg', storagePath: attachmentKey(sha(photo)) });

    // The signed link in the reviewer's mail serves the bytes with the type the check stored.
    const link = request!.html.match(/href="([^"]*\/files\/[^"]+)"/)?.[1]?.replace(/&amp;/g, '&');
    expect(link).toBeDefined();
    const res = await fetch(link!.replace(/^https?:\/\/[^/]+/, base));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);

    // The status page shows the whole text, read back from the bucket.
    const page = await (await fetch(statusUrl(base, reportId, SECRET))).text();
    expect(page).toContain('——全文完');
  });
});

describe('baosong migrate-attachments', () => {
  /** A data folder as a school has it: stored files (a photo, a text), a leftover of an interrupted write. */
  async function dataFolder(n: number): Promise<{ dataDir: string; files: Buffer[] }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'baosong-migrate-'));
    const config = { dataDir, storage: {} };
    const files = Array.from({ length: n }, (_, i) => Buffer.from(`第${i}张照片 `.repeat(100 + i)));
    for (const f of files) await storeAttachment(config, f, { filename: 'x.jpg', contentType: 'image/jpeg' });
    mkdirSync(join(dataDir, 'attachments', 'ab'), { recursive: true });
    writeFileSync(join(dataDir, 'attachments', 'ab', `ab${'0'.repeat(62)}.1234.tmp`), 'half');
    return { dataDir, files };
  }

  it('copies every stored file, skips what is there on a second run, and resumes after an interruption', async () => {
    const { dataDir, files } = await dataFolder(12);
    // A damaged file: its bytes no longer match its name. It must never go over a good object.
    const damaged = files[3]!;
    writeFileSync(join(dataDir, attachmentKey(sha(damaged))), 'bit rot');

    // The first run stops after 5 copies (the network went away).
    const bucket = storeOf({ prefix: 'migrated/' });
    let puts = 0;
    const flaky: FileStore = { ...bucket, put: async (k, b, t) => (++puts > 5 ? Promise.reject(new Error('socket hang up')) : bucket.put(k, b, t)) };
    const first = await migrateAttachments({ dataDir, to: flaky, concurrency: 1 });
    expect(first).toMatchObject({ files: 12, copied: 5 });
    expect(first.failed).toHaveLength(6);
    expect(first.skipped.map((s) => s.reason)).toEqual(expect.arrayContaining([expect.stringContaining('interrupted write'), expect.stringContaining('damaged')]));

    const second = await migrateAttachments({ dataDir, to: bucket });
    expect(second).toMatchObject({ files: 12, copied: 6, alreadyThere: 5, failed: [] });
    const third = await migrateAttachments({ dataDir, to: bucket });
    expect(third).toMatchObject({ copied: 0, alreadyThere: 11, failed: [] });

    const keys = await s3.keys('migrated/');
    expect(keys).toHaveLength(11);
    expect(keys).not.toContain(`migrated/${attachmentKey(sha(damaged))}`);
    for (const f of files.filter((f) => f !== damaged)) expect((await bucket.read(attachmentKey(sha(f))))!.equals(f)).toBe(true);
    // The local files stay unless asked.
    expect(readdirSync(join(dataDir, 'attachments')).length).toBeGreaterThan(0);
    expect(await diskStore(dataDir).has(attachmentKey(sha(files[0]!)))).toBe(true);
  });

  it('as a command: the school’s words, JSON on stdout, --remove-local deletes only verified copies', async () => {
    const { dataDir, files } = await dataFolder(3);
    const configFile = join(dataDir, 'baosong.config.yaml');
    writeFileSync(configFile, exampleWith({ dataDir, storage: { s3: s3.storageConfig('cli/') } }));
    const run = await runCli(['migrate-attachments', '-c', configFile, '--remove-local'], { env: s3.env });
    expect(run.stderr).toContain('共 3 个文件：复制 3 个');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ files: 3, copied: 3, removedLocal: 3 });
    for (const f of files) expect(existsSync(join(dataDir, attachmentKey(sha(f))))).toBe(false);
    expect(await s3.keys('cli/attachments/')).toHaveLength(3);

    const again = await runCli(['migrate-attachments', '-c', configFile], { env: s3.env });
    expect(JSON.parse(again.stdout)).toMatchObject({ files: 0, copied: 0 });

    const wrongKey = await runCli(['migrate-attachments', '-c', configFile], { env: { ...s3.env, BAOSONG_TEST_S3_KEY_ID: 'LTAI-NOT-OURS' } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('ESTORAGE_AUTH');

    writeFileSync(configFile, exampleWith({ dataDir }));
    const none = await runCli(['migrate-attachments', '-c', configFile]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('配置里没有 storage.s3');
  });
});
