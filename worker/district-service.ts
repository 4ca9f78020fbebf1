/**
 * `baosong start --deployment baosong.deployment.yaml`: one process for a district's schools (docs/district.md).
 * One PostgreSQL database (DATABASE_URL), one Temporal namespace and task queue, one worker whose activities go
 * to the school of each workflow, one IMAP watcher per school's inbox, each school's pages at its own host on one
 * port, each school's weekly digest on its own schedule. A school whose file has problems, or whose mailbox
 * refuses the login, is left out with the reason in the log; the others run.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Worker } from '@temporalio/worker';
import { districtActivities } from '../activities/district.js';
import { createActivities } from '../activities/index.js';
import { ChatRobots } from '../chat/index.js';
import { loadDeployment } from '../config/deployment.js';
import { readSecret } from '../config/load.js';
import { MIN_HMAC_SECRET_LENGTH } from '../config/readiness.js';
import { migrateToLatest, openDatabase, redactUrl } from '../db/index.js';
import type { ErrorCode } from '../domain/errors.js';
import { replanIfCalendarChanged } from '../ops/calendar-replan.js';
import { startDigestClock } from '../ops/digest-schedule.js';
import { createLogger } from '../ops/logging.js';
import { addSecrets, secretsInConfig } from '../ops/redact.js';
import { fileStoreFor } from '../storage/store.js';
import { districtSchools } from './district.js';
import { createWorker } from './index.js';
import { INTAKE_CONCURRENCY } from './service.js';
import { connectTemporal } from './temporal.js';

/** The district cannot start (no school can run, the deployment secret or database missing): the message says what to set. */
export class DistrictStartError extends Error {
  readonly code = 'ESTART' satisfies ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = 'DistrictStartError';
  }
}

export interface DistrictServiceOptions {
  deploymentFile: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** The interface the pages listen on (default: every interface). */
  host?: string;
  /** The pages' port (default: the deployment's web.port). */
  port?: number;
}

export interface RunningDistrict {
  /** The schools running, by id. */
  schools: string[];
  /** The schools left out, and why (their configuration's problems, or their mailbox's refusal). */
  left: { id: string; why: string }[];
  /** Where the pages listen. */
  web: string;
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
}

/** The schools a bureau's figures list: every configuration of the deployment but the bureau's own. */
export function districtSchoolList(schools: readonly { id: string; config: { school: { name: string } } }[], bureau: string | undefined): { id: string; name: string }[] {
  return schools.filter((s) => s.id !== bureau).map((s) => ({ id: s.id, name: s.config.school.name }));
}

export async function startDistrictService(options: DistrictServiceOptions): Promise<RunningDistrict> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  const loaded = loadDeployment({ path: options.deploymentFile, env });
  const left = loaded.broken.map((b) => ({ id: b.id, why: b.error.message }));
  for (const b of left) logger.error({ school: b.id }, `school left out: ${b.why}`);
  if (loaded.schools.length === 0) throw new DistrictStartError(`${loaded.file}: no school can run (see each school's problems above; baosong config check --deployment lists them)`);

  const closers: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => logger.error({ err }, 'while stopping'));
  };
  try {
    const deploymentSecret = readSecret(loaded.deployment.secrets.hmacSecretEnv, 'secrets.hmacSecretEnv', env, loaded.deployment.deployment.locale);
    if (deploymentSecret.length < MIN_HMAC_SECRET_LENGTH) throw new DistrictStartError(`${loaded.deployment.secrets.hmacSecretEnv} must be at least ${MIN_HMAC_SECRET_LENGTH} characters (e.g. openssl rand -hex 32): every school's key is derived from it`);
    addSecrets([deploymentSecret, ...loaded.schools.flatMap((s) => secretsInConfig(s.config, env))]);
    const url = env.DATABASE_URL;
    if (!url) throw new DistrictStartError(`${loaded.deployment.deployment.name}: a deployment of several schools needs PostgreSQL: set DATABASE_URL=postgres://…`);
    const database = await openDatabase({ url, waitMs: 60_000, onWait: (m) => logger.warn(m) });
    closers.push(() => database.close());
    await migrateToLatest(database);
    logger.info({ database: redactUrl(url) }, 'read model ready');

    const schools = districtSchools(loaded, database, { deploymentSecret, env });
    for (const s of schools) closers.push(() => Promise.resolve(s.transport.close()));
    // One bucket (or folder) for all: checked once, before any school takes mail.
    const first = schools[0]!;
    await fileStoreFor(first.config, env).check();
    for (const s of schools) await mkdir(resolve(s.config.dataDir), { recursive: true });

    const temporal = await connectTemporal({ config: first.config, env });
    closers.push(() => temporal.close());
    // The bureau's own configuration, named by the deployment file (never by a school's), sees every school's
    // figures: on its pages and in its weekly digest.
    const bureau = loaded.deployment.deployment.bureau;
    const districtView = (id: string) => (id === bureau ? { district: { root: database, schools: districtSchoolList(schools, id) } } : {});
    const activities = districtActivities(new Map(schools.map((s) => [s.id, createActivities({ ...s, chat: new ChatRobots(s.config, { env }), ...districtView(s.id) })])));
    const worker: Worker = await createWorker({ connection: temporal.nativeConnection, namespace: temporal.namespace, ...first, activities });
    const done = worker.run();
    closers.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    });
    logger.info({ temporal: temporal.description, taskQueue: first.config.temporal.taskQueue, schools: schools.map((s) => s.id) }, 'district worker running');

    for (const s of schools) {
      await startDigestClock(temporal.client, s.config);
      await replanIfCalendarChanged({ client: temporal.client, readModel: s.readModel, config: s.config });
    }

    // One watcher per school's inbox; a mailbox that refuses leaves that school without mail intake, not the others.
    const [{ MailboxWatcher }, { handleMail }, { orderKey }] = await Promise.all([import('../intake/mailbox.js'), import('../intake/handle.js'), import('../intake/order-key.js')]);
    const running: string[] = [];
    for (const s of schools) {
      const imap = s.config.mail.imap;
      if (!imap) {
        logger.warn({ school: s.id }, 'no mail.imap: reports come from the web form only');
        running.push(s.id);
        continue;
      }
      try {
        const watcher = new MailboxWatcher({
          host: imap.host,
          port: imap.port,
          secure: imap.secure,
          auth: { user: imap.user, pass: readSecret(imap.passwordEnv, 'mail.imap.passwordEnv', env, s.config.school.locale) },
          mailbox: imap.mailbox,
          processedFolder: imap.processedFolder,
          quarantineFolder: imap.quarantineFolder,
          handle: (message) => handleMail({ config: s.config, client: temporal.client, readModel: s.readModel, transport: s.transport, secret: s.secret }, message),
          concurrency: INTAKE_CONCURRENCY,
          orderKey,
          logger: logger.child({ part: 'intake', school: s.id }),
        });
        await watcher.start();
        closers.push(() => watcher.stop());
        running.push(s.id);
        logger.info({ school: s.id, mailbox: `${imap.user}@${imap.host}:${imap.port}/${imap.mailbox}` }, 'intake watching the school inbox');
      } catch (err) {
        const why = `mail intake off: ${(err as Error).message}`;
        left.push({ id: s.id, why });
        logger.error({ school: s.id }, why);
        running.push(s.id); // its pages, reviews by link and digest still run
      }
    }

    const { startDistrictWeb } = await import('../web/district.js');
    const web = await startDistrictWeb({
      port: options.port ?? loaded.deployment.web.port,
      ...(options.host ? { host: options.host } : {}),
      schools: schools.map((s) => ({
        config: s.config,
        client: temporal.client,
        readModel: s.readModel,
        transport: s.transport,
        secret: s.secret,
        operatorRoutes: false,
        ...districtView(s.id),
        logger: logger.child({ part: 'web', school: s.id }),
      })),
    });
    // The process's metrics are every school's: on a port of their own for the deployment's operator, never at a school's host.
    if (env.BAOSONG_METRICS_PORT) {
      const { startMetricsServer } = await import('../ops/metrics-http.js');
      const metrics = await startMetricsServer({ port: Number(env.BAOSONG_METRICS_PORT), host: env.BAOSONG_METRICS_HOST ?? '127.0.0.1' });
      closers.push(() => metrics.close());
      logger.info({ url: metrics.url }, 'metrics');
    }
    closers.push(() => web.close());
    logger.info({ url: web.url, schools: schools.map((s) => s.config.web.baseUrl) }, 'district pages');

    return { schools: running, left, web: web.url, stop, done };
  } catch (err) {
    await stop();
    throw err;
  }
}
