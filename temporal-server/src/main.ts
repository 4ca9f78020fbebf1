// Entry point: `temporal-test-server <port>` serves Temporal's WorkflowService and TestService on
// 127.0.0.1:<port> until its parent process goes away or it receives SIGINT/SIGTERM.
import * as grpc from '@grpc/grpc-js';
import { Engine } from './engine.js';
import { addService, callCounts, createServer } from './grpc.js';
import { Namespaces } from './namespaces.js';
import { scheduleHandlers } from './schedules.js';
import { testHandlers, workflowHandlers } from './service.js';
import { operatorHandlers } from './operator.js';
import { parseOptions, type ServerOptions } from './options.js';

function log(msg: string): void {
  process.stderr.write(`[temporal-test-server] ${msg}\n`);
}

export async function startServer(port: number, options?: Omit<ServerOptions, 'port'>): Promise<{ port: number; shutdown: () => void }> {
  const engine = new Engine();
  for (const [name, type] of options?.searchAttributes ?? []) engine.searchAttributeTypes.register(name, type);
  const events = Number(options?.dynamicConfig.get('limit.historyCount.suggestContinueAsNew'));
  if (events > 0) engine.suggestContinueAsNewEvents = events;
  const bytes = Number(options?.dynamicConfig.get('limit.historySize.suggestContinueAsNew'));
  if (bytes > 0) engine.suggestContinueAsNewBytes = bytes;
  const blobError = Number(options?.dynamicConfig.get('limit.blobSize.error'));
  if (blobError > 0) engine.blobSizeError = blobError;
  const blobWarn = Number(options?.dynamicConfig.get('limit.blobSize.warn'));
  if (blobWarn > 0) engine.blobSizeWarn = blobWarn;
  // activity.longPollTimeout: how long PollActivityExecution waits (a duration such as "5000ms" or "5s").
  const longPoll = /^"?(\d+)(ms|s)"?$/.exec(options?.dynamicConfig.get('activity.longPollTimeout') ?? '');
  if (longPoll) engine.standaloneActivities.longPollMs = Number(longPoll[1]) * (longPoll[2] === 's' ? 1000 : 1);
  const updates = options?.dynamicConfig.get('frontend.enableUpdateWorkflowExecution');
  if (updates !== undefined) engine.updatesEnabled = updates.trim() === 'true';
  const cancelPolls = options?.dynamicConfig.get('frontend.enableCancelWorkerPollsOnShutdown');
  if (cancelPolls !== undefined) engine.cancelPollsOnShutdown = cancelPolls.trim() === 'true';
  const server = createServer();
  // TEMPORAL_TEST_SERVER_SCHEDULES=off: a server without schedules (its schedule RPCs answer UNIMPLEMENTED).
  const schedules = process.env.TEMPORAL_TEST_SERVER_SCHEDULES === 'off' ? {} : scheduleHandlers(engine);
  const namespaces = new Namespaces();
  for (const name of options?.namespaces ?? []) namespaces.ensure(name);
  engine.namespaceExists = (name) => namespaces.has(name);
  // TEMPORAL_TEST_SERVER_RETENTION=enforce: closed runs are forgotten after their namespace's retention (engine.ts).
  if (process.env.TEMPORAL_TEST_SERVER_RETENTION === 'enforce') engine.retentionMs = (name) => (namespaces.has(name) ? namespaces.check(name).retentionSeconds * 1000 : Infinity);
  namespaces.capabilities = () => ({ eagerWorkflowStart: true, syncUpdate: engine.updatesEnabled, asyncUpdate: engine.updatesEnabled, signalAndQueryHeader: true, workerPollCompleteOnShutdown: engine.cancelPollsOnShutdown });
  namespaces.limits = () => ({ blobSizeLimitError: engine.blobSizeError, memoSizeLimitError: 2 * 1024 * 1024 });
  const workflowService = namespaces.guard({ ...workflowHandlers(engine), ...schedules, ...namespaces.handlers() });
  addService(server, 'temporal.api.workflowservice.v1.WorkflowService', workflowService, log);
  addService(server, 'temporal.api.testservice.v1.TestService', testHandlers(engine), log);
  addService(server, 'temporal.api.operatorservice.v1.OperatorService', operatorHandlers(engine, (name) => namespaces.has(name)), log);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  if (process.env.TEMPORAL_TEST_SERVER_DEBUG)
    setInterval(() => {
      let running = 0;
      for (const r of engine.runs.values()) if (r.running) running++;
      const cpu = process.cpuUsage();
      log(`cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB external ${(process.memoryUsage().external / 1e6).toFixed(0)} MB rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB clock ${JSON.stringify(engine.clock.state())} running ${running} calls ${JSON.stringify(Object.fromEntries(callCounts))}`);
    }, 500).unref();
  return { port: bound, shutdown: () => server.forceShutdown() };
}

function watchParent(): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    let alive = process.ppid === parent;
    if (alive) {
      try {
        process.kill(parent, 0);
      } catch {
        alive = false;
      }
    }
    if (!alive) {
      log('parent process exited; shutting down');
      process.exit(0);
    }
  }, 500);
  timer.unref();
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (typeof options === 'string') {
    log(options);
    process.exit(2);
  }
  if (options.ignored.length > 0) log(`ignoring options this server has no use for: ${options.ignored.join(', ')}`);
  const { port: bound, shutdown } = await startServer(options.port, options);
  log(`listening on 127.0.0.1:${bound}`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      shutdown();
      process.exit(0);
    });
  watchParent();
  // A bug in one request must not take the whole server (and every test using it) down.
  process.on('uncaughtException', (err) => log(`uncaught exception: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log(`unhandled rejection: ${String(err)}`));
}

main().catch((err: unknown) => {
  log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
