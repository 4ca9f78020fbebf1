/**
 * `baosong doctor`: each check looks at one thing a school's IT person set up and answers with lines
 * of ok / warn / fail, each failure with its fix. Checks are plain async functions of a context, so
 * other parts (a chat robot, a new mail service) add theirs to DOCTOR_CHECKS or pass their own list
 * to runDoctor(). A check never throws: an unexpected error is its own `fail` line.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { schoolCalendar } from '../config/school.js';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import { checkChatRobots } from '../chat/index.js';
import { speaker } from '../config/messages.js';
import { secretStates } from '../config/readiness.js';
import { MAIL_PROVIDERS } from '../config/providers.js';
import { migrations, openDatabase, redactUrl } from '../db/index.js';
import { findCjkFont } from '../digest/chart.js';
import { s3Store, type FileStoreError } from '../storage/store.js';
import { fail, firstLine, ok, warn, type CheckLine, type DoctorCheck, type DoctorContext } from './lines.js';
import { imapCheck, smtpCheck, subaddressCheck } from './mail.js';

export { fail, firstLine, ok, warn, type CheckLine, type CheckStatus, type DoctorCheck, type DoctorContext } from './lines.js';

/** The secrets the configuration names, and a mail provider's known limits. */
export const secretsCheck: DoctorCheck = ({ config, env }) => {
  const t = speaker(config.school.locale);
  const lines: CheckLine[] = [];
  const provider = config.mail.provider ? MAIL_PROVIDERS[config.mail.provider] : null;
  for (const s of secretStates(config, env)) {
    const name = `secret ${s.variable}`;
    // What the variable holds, in the words of the service that gave it.
    const what =
      s.part === 'intake' ? t('the IMAP password', 'IMAP 密码') : s.part === 'smtp' ? t('the SMTP password', 'SMTP 密码') : s.part === 'storage' ? t('the object storage AccessKey', '对象存储的 AccessKey') : t('from the 公众号 platform', '公众号平台上的值');
    if (s.problem) lines.push(fail(name, s.problem, t(`set ${s.variable} to a longer random value: export ${s.variable}=$(openssl rand -hex 32)`, `把 ${s.variable} 换成更长的随机值：export ${s.variable}=$(openssl rand -hex 32)`)));
    else if (s.set) lines.push(ok(name, t(`set (${s.path})`, `已设置（${s.path}）`)));
    else if (s.part === 'links') lines.push(warn(name, t(`not set: ${s.without}`, `未设置。${s.without}`), t(`export ${s.variable}=$(openssl rand -hex 32) in the service's environment`, `在服务的环境变量里设置：export ${s.variable}=$(openssl rand -hex 32)`)));
    else {
      const note = provider && (s.part === 'intake' || s.part === 'smtp') ? t(` — ${provider.note}`, `。${provider.noteZh}`) : '';
      lines.push(fail(name, t(`not set (${s.path}): ${s.without}`, `未设置（${s.path}）。${s.without}`), t(`export ${s.variable}=… (${what}${note})`, `export ${s.variable}=…（${what}${note}）`)));
    }
  }
  if (provider && 'warning' in provider) lines.push(warn('mail provider', t(provider.warning, provider.warningZh), t('see the README table of mail services', '见 README 里的邮箱服务商表格')));
  return lines;
};

/** Temporal: the configured server answers and knows the namespace; without one, what `start` will do. */
export const temporalCheck: DoctorCheck = async ({ config, env, timeoutMs }) => {
  const t = speaker(config.school.locale);
  const address = env.TEMPORAL_ADDRESS || config.temporal.address;
  const namespace = env.TEMPORAL_NAMESPACE || config.temporal.namespace;
  if (!address) {
    const cli = (env.PATH ?? '').split(delimiter).find((dir) => dir && existsSync(join(dir, 'temporal')));
    const state = join(resolve(config.dataDir), 'temporal.db');
    if (cli) return [ok('temporal', t(`no address set: \`baosong start\` runs a local dev server with ${join(cli, 'temporal')}, state in ${state}`, `未设置地址：baosong start 会用 ${join(cli, 'temporal')} 在本机运行开发服务器，数据存在 ${state}`))];
    return [
      warn(
        'temporal',
        t('no address set and no `temporal` CLI on PATH: `baosong start` would have to download a dev server (needs internet)', '未设置地址，PATH 里也没有 temporal 命令：baosong start 需要联网下载开发服务器'),
        t('set TEMPORAL_ADDRESS=host:7233 (or temporal.address), or install the Temporal CLI; `npm run demo` needs neither', '设置 TEMPORAL_ADDRESS=主机:7233（或配置 temporal.address），或安装 Temporal CLI；npm run demo 两者都不需要'),
      ),
    ];
  }
  let connection: Connection | null = null;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    const described = await connection.workflowService.describeNamespace({ namespace });
    // The reviewer's page and the office's buttons act through workflow updates: a server with them off refuses
    // every click. (A server too old to report capabilities says nothing here; its first click will.)
    if (described.namespaceInfo?.capabilities?.syncUpdate === false) {
      return [
        fail(
          'temporal',
          t(`${address} answers, but workflow updates are off in namespace ${namespace}: the review page and the office's buttons would not work`, `${address} 可以连接，但命名空间 ${namespace} 关闭了“工作流更新”（Workflow Update）：审核页面和办公室工作台的按钮将无法使用`),
          t('set frontend.enableUpdateWorkflowExecution=true in the Temporal server\'s dynamic config (or use Temporal 1.21 or later with it on), then restart it', '在 Temporal 服务器的动态配置里设置 frontend.enableUpdateWorkflowExecution=true（Temporal 需 1.21 及以上），然后重启它'),
        ),
      ];
    }
    return [ok('temporal', t(`${address} answers; namespace ${namespace} exists`, `${address} 可以连接；命名空间 ${namespace} 存在`))];
  } catch (err) {
    const e = err as Error & { code?: number };
    if (connection && e.code === 5) {
      return [
        fail(
          'temporal',
          t(`${address} answers, but has no namespace "${namespace}"`, `${address} 可以连接，但没有命名空间“${namespace}”`),
          t(`create it (temporal operator namespace create --namespace ${namespace}) or set temporal.namespace / TEMPORAL_NAMESPACE to an existing one`, `创建它（temporal operator namespace create --namespace ${namespace}），或把 temporal.namespace / TEMPORAL_NAMESPACE 改成已有的命名空间`),
        ),
      ];
    }
    return [
      fail(
        'temporal',
        t(`cannot reach Temporal at ${address}: ${firstLine(e.message)}`, `连不上 ${address} 的 Temporal：${firstLine(e.message)}`),
        t('start the Temporal server, or correct TEMPORAL_ADDRESS / temporal.address (host:port, usually 7233)', '启动 Temporal 服务器，或改正 TEMPORAL_ADDRESS / temporal.address（主机:端口，通常是 7233）'),
      ),
    ];
  } finally {
    await connection?.close().catch(() => undefined);
  }
};

/** The read model: reachable, and its schema up to date (doctor never migrates; `start` does). */
export const databaseCheck: DoctorCheck = async ({ config, env }) => {
  const t = speaker(config.school.locale);
  const url = env.DATABASE_URL?.trim();
  const file = resolve(config.dataDir, 'baosong.db');
  const where = url ? redactUrl(url) : file;
  if (!url && !existsSync(file)) return [ok('database', t(`no database yet at ${file}: \`baosong start\` creates it`, `${file} 还没有数据库：baosong start 会创建它`))];
  let database: Awaited<ReturnType<typeof openDatabase>> | null = null;
  try {
    database = url ? await openDatabase({ url }) : await openDatabase({ file });
    const all = migrations(database.dialect);
    const provider: MigrationProvider = { getMigrations: () => Promise.resolve(all) };
    const migrator = new Migrator({ db: database.root, provider, migrationTableName: 'baosong_migration', migrationLockTableName: 'baosong_migration_lock' });
    const pending = (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
    const count = Object.keys(all).length;
    if (pending.length === 0) return [ok('database', t(`${where} (${database.dialect}) reachable, schema current (${count} migrations)`, `${where}（${database.dialect}）可以连接，表结构是最新的（${count} 次迁移）`))];
    return [
      warn(
        'database',
        t(`${where} reachable; ${pending.length} migration(s) not applied yet: ${pending.join(', ')}`, `${where} 可以连接；还有 ${pending.length} 次迁移没有执行：${pending.join('、')}`),
        t('`baosong start` applies them when it starts (back the database up first)', 'baosong start 启动时会执行（请先备份数据库）'),
      ),
    ];
  } catch (err) {
    const fix = url
      ? t('check DATABASE_URL: host, port, user, password, database name, and that PostgreSQL accepts the connection', '检查 DATABASE_URL：主机、端口、用户名、密码、数据库名，以及 PostgreSQL 是否允许这个连接')
      : t(`check that ${file} is a baosong SQLite database and readable`, `检查 ${file} 是不是 baosong 的 SQLite 数据库、能否读取`);
    return [fail('database', `${where}: ${firstLine((err as Error).message)}`, fix)];
  } finally {
    await database?.close().catch(() => undefined);
  }
};

/** The data directory: exists (or can be made) and takes a file. */
export const dataDirCheck: DoctorCheck = async ({ config }) => {
  const t = speaker(config.school.locale);
  const dir = resolve(config.dataDir);
  const probe = join(dir, `.doctor-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'baosong doctor\n');
    await rm(probe, { force: true });
    return [ok('data directory', t(`${dir} is writable`, `${dir} 可以写入`))];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why = code || firstLine((err as Error).message);
    return [
      fail(
        'data directory',
        t(`${dir} is not writable (${why})`, `${dir} 无法写入（${why}）`),
        t(`give the user baosong runs as write access (chown/chmod ${dir}), or set dataDir to a writable folder`, `给运行 baosong 的用户写权限（chown/chmod ${dir}），或把 dataDir 改成可写的文件夹`),
      ),
    ];
  }
};

/** The CJK font the weekly digest's chart is drawn with. */
export const fontCheck: DoctorCheck = ({ config, env }) => {
  const t = speaker(config.school.locale);
  try {
    const font = findCjkFont(env.BAOSONG_CJK_FONT || undefined);
    return [ok('chart font', `${font.family} (${font.file})`)];
  } catch (err) {
    return [
      fail(
        'chart font',
        t(firstLine((err as Error).message), '找不到中文字体：周报的图表无法画出中文'),
        t('Debian/Ubuntu: apt-get install fonts-wqy-microhei; or set BAOSONG_CJK_FONT to a .ttc/.ttf/.otf file with Chinese glyphs', 'Debian/Ubuntu 上运行 apt-get install fonts-wqy-microhei；或把 BAOSONG_CJK_FONT 设为含中文字形的 .ttc/.ttf/.otf 字体文件'),
      ),
    ];
  }
};

/**
 * The statutory calendar, this year and next, in the school's time zone: from the office's copy of the State
 * Council's schedule, the built-in data, or — provisional — the law's holidays alone. In the school's language:
 * the IT teacher acts on the fix it prints.
 */
export const calendarCheck: DoctorCheck = ({ config, now }) => {
  const year = Number(new Intl.DateTimeFormat('en', { timeZone: config.school.timeZone, year: 'numeric' }).format(now));
  const calendar = schoolCalendar(config);
  const en = config.school.locale === 'en';
  const line = (y: number, soon: boolean): CheckLine => {
    const name = `calendar ${y}`;
    switch (calendar.yearSource(y)) {
      case 'office':
        return ok(name, en ? `${y}'s schedule from the configuration (calendar.statutory.${y}${config.calendar.statutory[String(y)]?.source ? `, ${config.calendar.statutory[String(y)]?.source}` : ''})` : `${y} 年放假安排：取自配置 calendar.statutory.${y}${config.calendar.statutory[String(y)]?.source ? `（${config.calendar.statutory[String(y)]?.source}）` : ''}`);
      case 'official':
        return ok(name, en ? `${y}'s holidays and make-up days are in the built-in data` : `${y} 年法定节假日和调休已内置`);
      case 'provisional': {
        const detail = en
          ? `no State Council schedule for ${y}: only the holidays fixed by law count (no 调休 make-up days), so every deadline in ${y} is provisional`
          : `${y} 年放假安排尚未录入：只按法定节日推算（没有调休），${y} 年的时限都是暂定的`;
        const fix = en
          ? `once the State Council publishes ${y}'s schedule (usually in November or December), copy it into the configuration under calendar.statutory."${y}" as config/example.yaml shows, then run baosong config check and baosong doctor; reports in review plan their deadlines again when baosong restarts (or run baosong calendar replan)`
          : `国务院办公厅公布 ${y} 年安排后（通常在 11—12 月），按 config/example.yaml 里的示例把它写入配置 calendar.statutory."${y}"，再运行 baosong config check 和 baosong doctor；重启 baosong 后，审核中的报送会按新安排重算时限（不重启也可运行 baosong calendar replan）`;
        return soon ? fail(name, detail, fix) : warn(name, detail, fix);
      }
      case 'unknown':
        return fail(name, en ? `no holidays known for ${y} at all: only weekends count` : `${y} 年没有任何节假日数据：只有周末算休息日`, en ? `copy ${y}'s schedule into calendar.statutory."${y}"` : `把 ${y} 年放假安排写入配置 calendar.statutory."${y}"`);
    }
  };
  return [line(year, true), line(year + 1, false)];
};

/** The chat robots (企业微信 / 钉钉 / 飞书): secrets set and plausible; with --send-test, a test message through each. */
export const chatCheck: DoctorCheck = async ({ config, env, sendTestTo, timeoutMs }) => {
  const checks = await checkChatRobots(config, { env, send: sendTestTo !== undefined, timeoutMs });
  return checks.map((c) => {
    const name = `chat ${c.name} (${c.kind})`;
    return c.status === 'ok' ? ok(name, c.detail) : c.status === 'warn' ? warn(name, c.detail, c.fix ?? '') : fail(name, c.detail, c.fix ?? '');
  });
};

/**
 * 上报: where reports go up, and the keys shared with a bureau (or, in a bureau's configuration, with schools) that
 * run baosong. A missing key is a warning, not a failure: answers still count by reply token and words, but the
 * signed cards are neither written nor read.
 */
export const upwardCheck: DoctorCheck = ({ config, env }) => {
  const t = speaker(config.school.locale);
  const lines: CheckLine[] = [];
  const up = config.upward;
  const keyLine = (variable: string, whose: string) => {
    const value = env[variable];
    if (!value) return warn(`upward key ${variable}`, t(`not set: ${whose} runs baosong, but its signed cards are neither written nor read (answers still count by reply token and words)`, `未设置：${whose}也用 baosong，但双方的签名信息无法写入和核对（回复仍可凭回复凭证和文字生效）`), t(`export ${variable}=<the key agreed with ${whose}> (openssl rand -hex 32, once, for both sides)`, `export ${variable}=<与${whose}约定的密钥>（用 openssl rand -hex 32 生成一次，双方设置同一个值）`));
    if (value.length < 16) return fail(`upward key ${variable}`, t('shorter than 16 characters', '不足 16 个字符'), t(`a longer key: openssl rand -hex 32 (and give it to ${whose})`, `换成更长的密钥：openssl rand -hex 32（并告知${whose}）`));
    return ok(`upward key ${variable}`, t(`set (shared with ${whose})`, `已设置（与${whose}共用）`));
  };
  if (up) {
    lines.push(ok('upward', t(`reports go up to ${up.bureau.name} <${up.bureau.email}> by ${up.rules.length} rule(s)`, `按 ${up.rules.length} 条规则上报到 ${up.bureau.name} <${up.bureau.email}>`)));
    if (up.sharedKeyEnv) lines.push(keyLine(up.sharedKeyEnv, up.bureau.name));
  }
  for (const d of config.departments) if (d.sharedKeyEnv) lines.push(keyLine(d.sharedKeyEnv, d.name));
  return lines;
};

/** Every check `baosong doctor` runs, in order. Add yours here (or pass a list to runDoctor). */
/** Object storage, when configured: the bucket exists and takes the key (the data folder has its own check). */
export const storageCheck: DoctorCheck = async ({ config, env }) => {
  const s3 = config.storage.s3;
  if (!s3) return [];
  const t = speaker(config.school.locale);
  if (!env[s3.accessKeyIdEnv] || !env[s3.secretAccessKeyEnv]) return []; // the secrets check already says which is missing
  // A store of its own (not the cached one): doctor may run with another environment than the service's.
  const store = s3Store({ ...s3, accessKeyId: env[s3.accessKeyIdEnv]!, secretAccessKey: env[s3.secretAccessKeyEnv]! });
  try {
    await store.check();
    return [ok('object storage', t(`${store.where}: the bucket answers and takes the key`, `${store.where}：存储桶可以访问，密钥有效`))];
  } catch (err) {
    const code = (err as FileStoreError).code;
    const fix =
      code === 'ESTORAGE_AUTH'
        ? t(`give the key ${s3.accessKeyIdEnv} read and write rights on bucket ${s3.bucket} (in the cloud console's access management: RAM for Aliyun, CAM for Tencent)`, `在云控制台的访问控制（阿里云 RAM、腾讯云 CAM）里给 ${s3.accessKeyIdEnv} 对应的密钥开通存储桶 ${s3.bucket} 的读写权限`)
        : code === 'ESTORAGE_BUCKET'
          ? t(`create bucket ${s3.bucket} (private) in region ${s3.region}, or correct storage.s3.bucket`, `在地域 ${s3.region} 创建私有存储桶 ${s3.bucket}，或改正 storage.s3.bucket`)
          : t('check storage.s3.endpoint (the address, http or https) and that this machine reaches it', '检查 storage.s3.endpoint（地址、http 还是 https），以及本机能否访问它');
    return [fail('object storage', firstLine((err as Error).message), fix)];
  }
};

export const DOCTOR_CHECKS: DoctorCheck[] = [secretsCheck, imapCheck, smtpCheck, subaddressCheck, temporalCheck, databaseCheck, dataDirCheck, storageCheck, fontCheck, calendarCheck, chatCheck, upwardCheck];

/** Runs the checks one after the other (their lines in order); a check that throws becomes a fail line. */
export async function runDoctor(ctx: DoctorContext, checks: DoctorCheck[] = DOCTOR_CHECKS): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  for (const check of checks) {
    try {
      lines.push(...(await check(ctx)));
    } catch (err) {
      const t = speaker(ctx.config.school.locale);
      lines.push(fail(check.name || 'check', t(`the check itself failed: ${firstLine((err as Error).message)}`, `检查本身出错：${firstLine((err as Error).message)}`), t('report this as a bug in baosong', '这是 baosong 的缺陷，请报告给开发者')));
    }
  }
  return lines;
}
