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
import { secretStates } from '../config/readiness.js';
import { MAIL_PROVIDERS } from '../config/providers.js';
import { migrations, openDatabase, redactUrl } from '../db/index.js';
import { findCjkFont } from '../digest/chart.js';
import { fail, firstLine, ok, warn, type CheckLine, type DoctorCheck, type DoctorContext } from './lines.js';
import { imapCheck, smtpCheck, subaddressCheck } from './mail.js';

export { fail, firstLine, ok, warn, type CheckLine, type CheckStatus, type DoctorCheck, type DoctorContext } from './lines.js';

/** The secrets the configuration names, and a mail provider's known limits. */
export const secretsCheck: DoctorCheck = ({ config, env }) => {
  const lines: CheckLine[] = [];
  for (const s of secretStates(config, env)) {
    const name = `secret ${s.variable}`;
    if (s.problem) lines.push(fail(name, s.problem, `set ${s.variable} to a longer random value: export ${s.variable}=$(openssl rand -hex 32)`));
    else if (s.set) lines.push(ok(name, `set (${s.path})`));
    else if (s.part === 'links') lines.push(warn(name, `not set: ${s.without}`, `export ${s.variable}=$(openssl rand -hex 32) in the service's environment`));
    else lines.push(fail(name, `not set (${s.path}): ${s.without}`, `export ${s.variable}=… (the ${s.part === 'intake' ? 'IMAP' : 'SMTP'} password${config.mail.provider ? ` — ${MAIL_PROVIDERS[config.mail.provider].note}` : ''})`));
  }
  const provider = config.mail.provider ? MAIL_PROVIDERS[config.mail.provider] : null;
  if (provider && 'warning' in provider) lines.push(warn('mail provider', provider.warning, 'see the README table of mail services'));
  return lines;
};

/** Temporal: the configured server answers and knows the namespace; without one, what `start` will do. */
export const temporalCheck: DoctorCheck = async ({ config, env, timeoutMs }) => {
  const address = env.TEMPORAL_ADDRESS || config.temporal.address;
  const namespace = env.TEMPORAL_NAMESPACE || config.temporal.namespace;
  if (!address) {
    const cli = (env.PATH ?? '').split(delimiter).find((dir) => dir && existsSync(join(dir, 'temporal')));
    if (cli) return [ok('temporal', `no address set: \`baosong start\` runs a local dev server with ${join(cli, 'temporal')}, state in ${join(resolve(config.dataDir), 'temporal.db')}`)];
    return [
      warn(
        'temporal',
        'no address set and no `temporal` CLI on PATH: `baosong start` would have to download a dev server (needs internet)',
        'set TEMPORAL_ADDRESS=host:7233 (or temporal.address), or install the Temporal CLI; `npm run demo` needs neither',
      ),
    ];
  }
  let connection: Connection | null = null;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.workflowService.describeNamespace({ namespace });
    return [ok('temporal', `${address} answers; namespace ${namespace} exists`)];
  } catch (err) {
    const e = err as Error & { code?: number };
    if (connection && e.code === 5) {
      return [fail('temporal', `${address} answers, but has no namespace "${namespace}"`, `create it (temporal operator namespace create --namespace ${namespace}) or set temporal.namespace / TEMPORAL_NAMESPACE to an existing one`)];
    }
    return [fail('temporal', `cannot reach Temporal at ${address}: ${firstLine(e.message)}`, 'start the Temporal server, or correct TEMPORAL_ADDRESS / temporal.address (host:port, usually 7233)')];
  } finally {
    await connection?.close().catch(() => undefined);
  }
};

/** The read model: reachable, and its schema up to date (doctor never migrates; `start` does). */
export const databaseCheck: DoctorCheck = async ({ config, env }) => {
  const url = env.DATABASE_URL?.trim();
  const file = resolve(config.dataDir, 'baosong.db');
  const where = url ? redactUrl(url) : file;
  if (!url && !existsSync(file)) return [ok('database', `no database yet at ${file}: \`baosong start\` creates it`)];
  let database: Awaited<ReturnType<typeof openDatabase>> | null = null;
  try {
    database = url ? await openDatabase({ url }) : await openDatabase({ file });
    const all = migrations(database.dialect);
    const provider: MigrationProvider = { getMigrations: () => Promise.resolve(all) };
    const migrator = new Migrator({ db: database.db, provider, migrationTableName: 'baosong_migration', migrationLockTableName: 'baosong_migration_lock' });
    const pending = (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
    if (pending.length === 0) return [ok('database', `${where} (${database.dialect}) reachable, schema current (${Object.keys(all).length} migrations)`)];
    return [warn('database', `${where} reachable; ${pending.length} migration(s) not applied yet: ${pending.join(', ')}`, '`baosong start` applies them when it starts (back the database up first)')];
  } catch (err) {
    return [fail('database', `${where}: ${firstLine((err as Error).message)}`, url ? 'check DATABASE_URL: host, port, user, password, database name, and that PostgreSQL accepts the connection' : `check that ${file} is a baosong SQLite database and readable`)];
  } finally {
    await database?.close().catch(() => undefined);
  }
};

/** The data directory: exists (or can be made) and takes a file. */
export const dataDirCheck: DoctorCheck = async ({ config }) => {
  const dir = resolve(config.dataDir);
  const probe = join(dir, `.doctor-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'baosong doctor\n');
    await rm(probe, { force: true });
    return [ok('data directory', `${dir} is writable`)];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return [fail('data directory', `${dir} is not writable (${code || firstLine((err as Error).message)})`, `give the user baosong runs as write access (chown/chmod ${dir}), or set dataDir to a writable folder`)];
  }
};

/** The CJK font the weekly digest's chart is drawn with. */
export const fontCheck: DoctorCheck = ({ env }) => {
  try {
    const font = findCjkFont(env.BAOSONG_CJK_FONT || undefined);
    return [ok('chart font', `${font.family} (${font.file})`)];
  } catch (err) {
    return [fail('chart font', firstLine((err as Error).message), 'Debian/Ubuntu: apt-get install fonts-wqy-microhei; or set BAOSONG_CJK_FONT to a .ttc/.ttf/.otf file with Chinese glyphs')];
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

/** Every check `baosong doctor` runs, in order. Add yours here (or pass a list to runDoctor). */
export const DOCTOR_CHECKS: DoctorCheck[] = [secretsCheck, imapCheck, smtpCheck, subaddressCheck, temporalCheck, databaseCheck, dataDirCheck, fontCheck, calendarCheck, chatCheck];

/** Runs the checks one after the other (their lines in order); a check that throws becomes a fail line. */
export async function runDoctor(ctx: DoctorContext, checks: DoctorCheck[] = DOCTOR_CHECKS): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  for (const check of checks) {
    try {
      lines.push(...(await check(ctx)));
    } catch (err) {
      lines.push(fail(check.name || 'check', `the check itself failed: ${firstLine((err as Error).message)}`, 'report this as a bug in baosong'));
    }
  }
  return lines;
}
