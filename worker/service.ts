/**
 * baosong as a running service: the Temporal worker, the mail intake and the web pages, in one process
 * (`baosong start`) or apart (`baosong worker`, `baosong intake`, `baosong web`) for scale.
 * SIGINT/SIGTERM drain and exit.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ChatRobots } from '../chat/index.js';
import { readSecret } from '../config/load.js';
import { speaker, type MessageLocale } from '../config/messages.js';
import { outboxDir } from '../config/readiness.js';
import { loadSecret } from '../config/secret.js';
import { fileStoreFor } from '../storage/store.js';
import type { Config } from '../config/schema.js';
import { migrateToLatest, openDatabase, redactUrl, ReadModel, type Database } from '../db/index.js';
import type { DemoInbox } from '../intake/demo-inbox.js';
import type { MailboxWatcher } from '../intake/mailbox.js';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { createLogger, TemporalPinoLogger, temporalLogLevel } from '../ops/logging.js';
import { createMailTransport, type MailTransport } from '../mail/transport.js';
import { spawnWorkerChild, WorkerChildError } from './child.js';
import { createWorker } from './index.js';
import { StallWatch, WorkerLiveness } from './liveness.js';
import { WorkerBeats } from '../db/worker-beats.js';
import { connectTemporal, type TemporalTarget } from './temporal.js';
import { addSecrets, secretsInConfig } from '../ops/redact.js';
import { observeIntake, observeReadModel, temporalTelemetry } from '../ops/metrics.js';
import { startMetricsServer } from '../ops/metrics-http.js';
import { startDigestClock } from '../ops/digest-schedule.js';
import { replanIfCalendarChanged } from '../ops/calendar-replan.js';
import { inSpan, startTracing } from '../ops/tracing.js';
import { Client } from '@temporalio/client';

export type Part = 'worker' | 'intake' | 'web';

/** Mails the intake handles at once: enough to overlap Temporal and IMAP round trips, few enough to stay light. */
export const INTAKE_CONCURRENCY = 8;

/** How long a starting service waits for a PostgreSQL that refuses connections or is (re)starting. */
export const DATABASE_WAIT_MS = 60_000;

export interface ServiceOptions {
  config: Config;
  configFile: string;
  parts: Part[];
  demo?: boolean;
  /** Running on the example configuration: a mail server that cannot be reached only disables the intake. */
  trial?: boolean;
  /** Run the worker part as a child process (`baosong worker`, heap capped; worker/child.ts), not in this one. */
  workerProcess?: boolean;
  /** The interface the web pages listen on (default: all); the demo passes 127.0.0.1 unless told otherwise. */
  host?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

export interface RunningService {
  logger: Logger;
  temporal: TemporalTarget;
  readModel: ReadModel;
  intake: MailboxWatcher | null;
  /** What a person starting it needs to know: addresses, where mail goes, what is off. */
  summary: ServiceSummary;
  /** Resolves when the service has stopped (after stop(), or a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceSummary {
  /** The language the school reads (school.locale): the summary's sentences below are in it. */
  locale: MessageLocale;
  demo: boolean;
  /** The report form, e.g. http://localhost:8080/submit (null without the web part). */
  form: string | null;
  /** The demo only: everyone's mail, where a visitor starts (null otherwise). */
  demoMailbox: string | null;
  /** The office dashboard's sign-in page (null without the web part). */
  office: string | null;
  /** Addresses that may sign in to the dashboard (office and leadership), first few. */
  officePeople: string[];
  /** Where outgoing mail goes, e.g. "SMTP smtp.school.test:465" or "the outbox folder /srv/baosong/data/outbox". */
  mail: string;
  /** What the intake does, or why it is off (null without the intake part). */
  intake: string | null;
  /** One line per part that is off. */
  off: string[];
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { config } = options;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  // The Temporal SDK's own log and Rust Core's, in the same pino stream (ops/logging.ts), from warnings up unless
  // TEMPORAL_LOG_LEVEL asks for more; activity and workflow log lines carry their workflow id and attempt.
  try {
    const level = temporalLogLevel(env);
    const telemetryOptions = { ...temporalTelemetry(env.BAOSONG_TEMPORAL_METRICS), logging: { filter: makeTelemetryFilterString({ core: level }), forward: {} } };
    Runtime.install({ logger: new TemporalPinoLogger(logger.child({ part: 'temporal' }), level), telemetryOptions });
  } catch {
    // already installed (tests): keep it
  }
  // What the school's IT teacher reads at start (the summary, warnings, parts off) is in the school's language.
  const say = speaker(config.school.locale);
  if (options.demo) {
    logger.warn(
      say(
        'DEMO MODE: Temporal runs in memory inside this process; every report in progress is LOST when baosong stops. Use `npm start` with a Temporal server for real use.',
        '演示模式：Temporal 在本进程的内存里运行，baosong 一停止，所有进行中的报送都会丢失。正式使用请连接 Temporal 服务器，用 `npm start` 启动。',
      ),
    );
  }
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch((err: unknown) => logger.error({ err }, 'while stopping'));
  };
  try {
    await mkdir(resolve(config.dataDir), { recursive: true }); // database, attachments, outbox live here
    const { secret, source } = await loadSecret(config, env);
    addSecrets([secret, ...secretsInConfig(config, env)]); // masked in every log line and stored error from here on
    logger.info({ source }, 'HMAC secret loaded');
    // A service may start with (or just before) its PostgreSQL, or during its restart: wait a minute for it.
    const database: Database = await openDatabase(
      env.DATABASE_URL ? { url: env.DATABASE_URL, waitMs: DATABASE_WAIT_MS, onWait: (message) => logger.warn(message) } : { file: resolve(config.dataDir, 'baosong.db') },
    );
    closers.push(() => database.close());
    await migrateToLatest(database);
    logger.info({ database: env.DATABASE_URL ? redactUrl(env.DATABASE_URL) : resolve(config.dataDir, 'baosong.db') }, 'read model ready');
    const readModel = new ReadModel(database, { onDamaged: (problem) => logger.error(problem) }); // a damaged row: left out of pages, logged
    observeReadModel(readModel);
    if (env.BAOSONG_METRICS_PORT) {
      const metricsServer = await startMetricsServer({ port: Number(env.BAOSONG_METRICS_PORT), host: env.BAOSONG_METRICS_HOST ?? '127.0.0.1' });
      closers.push(() => metricsServer.close());
      logger.info({ url: metricsServer.url }, 'metrics');
    }
    const off: string[] = [];
    const lenient = Boolean(options.demo || options.trial); // trying baosong: what is not set up stays off
    const smtp = config.mail.smtp;
    let mailConfig = config;
    if (lenient && smtp?.passwordEnv && !env[smtp.passwordEnv]) {
      const { smtp: _unused, ...mail } = config.mail;
      mailConfig = { ...config, mail };
      off.push(say(`SMTP off: ${smtp.passwordEnv} is not set (the SMTP password); mail goes to the outbox folder ${outboxDir(config)}`, `SMTP 未启用：没有设置 ${smtp.passwordEnv}（SMTP 密码），邮件改写到 outbox 文件夹 ${outboxDir(config)}`));
      logger.warn(off.at(-1));
    }
    // Attachments: a bucket that refuses the key or does not exist stops the start here, not at the first photo.
    const files = fileStoreFor(config, env);
    await files.check();
    logger.info({ files: files.where }, 'attachments stored');
    const transport: MailTransport = createMailTransport(mailConfig, env);
    closers.push(() => transport.close());
    const mailDescription = transport.kind === 'smtp' ? `SMTP ${smtp?.host}:${smtp?.port}` : say(`the outbox folder ${outboxDir(config)} (one .eml file per mail)`, `outbox 文件夹 ${outboxDir(config)}（每封邮件一个 .eml 文件）`);
    logger.info({ mail: mailDescription }, 'outgoing mail');

    const temporal = await connectTemporal({ config, demo: options.demo ?? false, env });
    closers.push(() => temporal.close());
    // Tracing (off unless OTEL_EXPORTER_OTLP_ENDPOINT…, see ops/tracing.ts): starts and signals carry the trace.
    const tracing = await startTracing({ env, serviceName: `baosong-${options.parts.join('-')}` });
    if (tracing) closers.push(() => tracing.shutdown());
    const client = tracing ? new Client({ connection: temporal.client.connection, namespace: temporal.namespace, interceptors: { workflow: [tracing.clientInterceptor] } }) : temporal.client;
    logger.info({ temporal: temporal.description, taskQueue: config.temporal.taskQueue }, 'connected to Temporal');

    const running: Promise<void>[] = [];
    let workerState: (() => string) | null = null;
    let workerStopped: Promise<boolean> | null = null;
    // The chat robots of this process: their rate limiters and last answers (shown in /healthz; the worker child's are its own).
    const chat = options.parts.includes('worker') && !options.workerProcess && config.chat.robots.length > 0 ? new ChatRobots(config, { env }) : null;
    if (options.parts.includes('worker') && options.workerProcess) {
      const child = await spawnWorkerChild({ configFile: options.configFile, env, temporalAddress: temporal.address, namespace: temporal.namespace });
      workerState = () => child.state();
      closers.push(async () => void (await child.stop()));
      running.push(
        child.exited.then((code) => {
          if (child.state() === 'FAILED') throw new WorkerChildError(`the worker process (pid ${child.pid}) exited with code ${code}`);
        }),
      );
      // The service lives as long as its worker: a worker that stopped cleanly (a signal sent to it alone) stops the rest.
      workerStopped = child.exited.then(() => child.state() === 'STOPPED');
      logger.info({ pid: child.pid }, 'worker running in its own process');
    } else if (options.parts.includes('worker')) {
      // Its heartbeat in the database: any process can tell whether reports are moving (worker/liveness.ts).
      const liveness = new WorkerLiveness({ beats: new WorkerBeats(database), logger: logger.child({ part: 'worker' }) });
      const workerOptions = { interceptors: liveness.interceptors(), ...(tracing ? { plugins: [tracing.plugin] } : {}) };
      const worker = await createWorker({ connection: temporal.nativeConnection, namespace: temporal.namespace, config, database, readModel, transport, secret, ...(chat ? { chat } : {}), worker: workerOptions, ...(tracing ? { bundleAtStart: true } : {}) });
      liveness.attach(worker);
      closers.push(() => liveness.stop());
      workerState = () => worker.getState();
      running.push(worker.run());
      closers.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running[0];
      });
      logger.info('worker running');
      // The weekly digest: a Temporal Schedule where the server has schedules, else the workflow loop (ops/digest-schedule.ts).
      const digestClock = await startDigestClock(client, config);
      logger.info({ weekday: config.digest.weekday, time: config.digest.time, by: digestClock }, 'weekly digest scheduled');
      // A changed calendar (a year's holiday schedule added): reports in review plan their round again.
      const replanned = await replanIfCalendarChanged({ client, readModel, config });
      if (replanned) logger.info(replanned, 'calendar changed: reports in review told to plan their deadlines again');
    }

    // Where mail or forms start reports, watch that a worker acts on them (a stall is logged and fails /healthz).
    const watch = options.parts.includes('intake') || options.parts.includes('web') ? new StallWatch({ beats: new WorkerBeats(database), logger: logger.child({ part: 'liveness' }) }) : null;
    if (watch) {
      watch.start();
      closers.push(() => watch.stop());
    }
    const noteWork = <D extends { folder: string }>(d: D): D => {
      if (d.folder === 'processed') watch?.noteWork();
      return d;
    };

    let intake: MailboxWatcher | null = null;
    let intakeDescription: string | null = null;
    const intakeOff = (why: string) => {
      intakeDescription = say(`off: ${why}`, `未启用：${why}`);
      off.push(say(`intake off: ${why}`, `收信未启用：${why}`));
      logger.warn(off.at(-1));
    };
    // The demo without mail.imap: a private Dovecot as the shared inbox, watched by the real intake (or, without
    // Dovecot, the demo mailbox page hands mail to the handler directly); see intake/demo-inbox.ts.
    // The intake's and the web's modules (mailparser, imapflow, fastify…) are loaded only by a process that
    // runs that part: a worker apart (`baosong worker`, the child of `baosong start`) stays ~25 MB smaller.
    let demoInbox: DemoInbox | null = null;
    const imapSetUp = config.mail.imap && !(lenient && !env[config.mail.imap.passwordEnv]);
    if (options.demo && options.parts.includes('intake') && !imapSetUp && transport.kind === 'outbox') {
      const [{ startDemoInbox }, { handleMail }] = await Promise.all([import('../intake/demo-inbox.js'), import('../intake/handle.js')]);
      const inbox = await startDemoInbox({
        dataDir: config.dataDir,
        address: config.mail.address,
        handle: (message) => handleMail({ config, client, readModel, transport, secret }, message).then(noteWork),
        ...(env.BAOSONG_DEMO_DOVECOT ? { dovecotBinary: env.BAOSONG_DEMO_DOVECOT } : {}),
        logger: logger.child({ part: 'intake' }),
      });
      demoInbox = inbox;
      closers.push(() => inbox.stop());
    }
    if (demoInbox?.watcher && demoInbox.imap) {
      intake = demoInbox.watcher;
      observeIntake(intake);
      intakeDescription = say(`watching INBOX of ${demoInbox.imap.user} at the demo's private Dovecot 127.0.0.1:${demoInbox.imap.port}`, `正在收取 ${demoInbox.imap.user} 的收件箱（演示自带的 Dovecot，127.0.0.1:${demoInbox.imap.port}）`);
    } else if (options.parts.includes('intake')) {
      const imap = config.mail.imap;
      if (!imap) {
        intakeOff(say('no mail.imap in the configuration (reports come from the web form)', '配置里没有 mail.imap（报送只能通过网页表单提交）'));
      } else if (lenient && !env[imap.passwordEnv]) {
        intakeOff(say(`${imap.passwordEnv} is not set (the IMAP password of ${imap.user}); reports come from the web form`, `没有设置 ${imap.passwordEnv}（${imap.user} 的 IMAP 密码），报送只能通过网页表单提交`));
      } else {
        const [{ MailboxWatcher }, { handleMail }, { orderKey }] = await Promise.all([import('../intake/mailbox.js'), import('../intake/handle.js'), import('../intake/order-key.js')]);
        const watcher = new MailboxWatcher({
          host: imap.host,
          port: imap.port,
          secure: imap.secure,
          auth: { user: imap.user, pass: readSecret(imap.passwordEnv, 'mail.imap.passwordEnv', env, config.school.locale) },
          mailbox: imap.mailbox,
          processedFolder: imap.processedFolder,
          quarantineFolder: imap.quarantineFolder,
          handle: (message) => inSpan('mail in', { 'baosong.imap.uid': message.uid }, () => handleMail({ config, client, readModel, transport, secret }, message).then(noteWork)),
          // New reports side by side, a report's replies in their arrival order (intake/order-key.ts).
          concurrency: INTAKE_CONCURRENCY,
          orderKey,
          logger: logger.child({ part: 'intake' }),
        });
        observeIntake(watcher);
        const started = await watcher.start().then(
          () => null,
          (err: unknown) => err as Error,
        );
        if (started === null) {
          intake = watcher;
          closers.push(() => watcher.stop());
          intakeDescription = say(`watching ${imap.mailbox} of ${imap.user} at ${imap.host}:${imap.port}`, `正在收取 ${imap.user} 的 ${imap.mailbox}（${imap.host}:${imap.port}）`);
          logger.info({ mailbox: `${imap.user}@${imap.host}:${imap.port}/${imap.mailbox}` }, 'intake watching the shared inbox');
        } else if (lenient) {
          intakeOff(say(`${started.message} (run \`baosong doctor\` to check the mail settings)`, `${started.message}（运行 \`baosong doctor\` 检查邮件设置）`));
        } else {
          throw started;
        }
      }
    }

    let webUrl: string | null = null;
    if (options.parts.includes('web')) {
      const [{ startWeb }, { describeHealth }, { handleMail }] = await Promise.all([import('../web/server.js'), import('../intake/mailbox.js'), import('../intake/handle.js')]);
      const web = await startWeb({
        config,
        demo: options.demo ?? false,
        client,
        readModel,
        transport,
        secret,
        logger: logger.child({ part: 'web' }),
        requestLogger: logger,
        ...(env.BAOSONG_WEB_PORT ? { port: Number(env.BAOSONG_WEB_PORT) } : {}), // one port per web process on a machine
        ...(options.host ? { host: options.host } : {}),
        ...(options.demo && transport.kind === 'outbox'
          ? {
              demoMailbox: {
                // 快进: the demo server's clock (worker/temporal.ts).
                ...(temporal.demoClock ? { clock: temporal.demoClock } : {}),
                // What baosong sent: the outbox folder's .eml files.
                sent: async () => {
                  const dir = outboxDir(mailConfig);
                  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
                  return Promise.all(files.map((f) => readFile(join(dir, f))));
                },
                // What the page writes: APPENDed to the private Dovecot the intake watches, or straight to the intake's handler.
                ...(demoInbox
                  ? { deliver: demoInbox.deliver, route: demoInbox.route }
                  : {
                      deliver: (raw: Buffer) => handleMail({ config, client: temporal.client, readModel, transport, secret }, { uid: 0, raw, internalDate: new Date(), size: raw.length }),
                      route: '演示模式没有运行 IMAP 收件：这里写的邮件直接交给收件处理程序，与共享收件箱里的邮件走同一段代码。',
                    }),
              },
            }
          : {}),
        health: () => {
          const mailbox = intake?.health();
          const worker = workerState?.() ?? null;
          const progress = watch?.view() ?? null;
          const ok = (!mailbox || mailbox.state !== 'disconnected') && (worker === null || worker === 'RUNNING') && !progress?.failing;
          // A chat robot that refuses (bad key, bad signature, rate limited) shows here; it does not make the service unhealthy: mail carries on.
          return { ok, worker, progress, intake: mailbox ? { ...mailbox, summary: describeHealth(mailbox, config.school.timeZone) } : null, ...(chat ? { chat: chat.health() } : {}) };
        },
        onReportStarted: () => watch?.noteWork(),
      });
      closers.push(() => web.close());
      webUrl = web.url;
      logger.info({ url: web.url, publicUrl: config.web.baseUrl }, `web pages at ${web.url} (health: ${web.url}/healthz)`);
    }

    let stopping: Promise<void> | null = null;
    let settle: { resolve: () => void; reject: (err: unknown) => void } = { resolve: () => undefined, reject: () => undefined };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // A worker that failed makes `done` reject (a non-zero exit), even though stopping itself went well.
    let failure: { err: unknown } | null = null;
    const stop = () =>
      (stopping ??= closeAll().then(() => {
        logger.info(say('stopped', '已停止'));
        if (failure) settle.reject(failure.err);
        else settle.resolve();
      }));
    void workerStopped?.then((clean) => (clean ? stop() : undefined));
    for (const part of running) {
      part.catch(async (err: unknown) => {
        logger.error({ err }, 'the worker failed; stopping');
        failure ??= { err };
        await stop();
      });
    }
    const summary: ServiceSummary = {
      locale: config.school.locale,
      demo: options.demo ?? false,
      form: webUrl && `${webUrl}/submit`,
      demoMailbox: webUrl && options.demo && transport.kind === 'outbox' ? `${webUrl}/demo/mail` : null,
      office: webUrl && `${webUrl}/office`,
      officePeople: [...new Set([...config.office.reviewers, ...config.leadership].map((p) => p.email))].slice(0, 3),
      mail: mailDescription,
      intake: intakeDescription,
      off,
    };
    return { logger, temporal, readModel, intake, summary, done, stop };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
