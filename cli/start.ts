/** `baosong start` (worker + intake + web), `baosong worker`, `baosong intake`, `baosong web`, and `--demo`. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { configPath, EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Part, RunningService } from '../worker/service.js';
import { reportToParent } from '../worker/child.js';
import { serviceLogger, type ServiceLog } from './log.js';
import { speaker } from '../config/messages.js';
import { type ErrorCode } from '../domain/errors.js';

class StartError extends Error {
  readonly code = 'ESTART' satisfies ErrorCode;
}

interface StartOptions {
  config?: string;
  deployment?: string;
  demo?: boolean;
  port?: string;
  host?: string;
}

/** The parts as the Chinese guide names them (the English keeps the commands' names). */
const PART_NAMES_ZH: Record<Part, string> = { worker: '后台处理', intake: '收信', web: '网页' };

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Where the web pages listen: --host, else 127.0.0.1 for the demo — its mailbox page shows every mail it sent,
 * sign-in links included, so anyone who reaches it could sign in to the dashboard — else every interface
 * (production sits behind its reverse proxy or firewall).
 */
export function webHost(flag: string | undefined, demo: boolean): string | undefined {
  if (flag !== undefined && flag.trim() !== '') return flag.trim();
  return demo ? '127.0.0.1' : undefined;
}

/** What the demo says at start about who can reach it: a note on this computer, a loud warning on a network. */
export function demoReach(host: string, port: number, locale: 'zh-CN' | 'en'): { level: 'info' | 'warn'; message: string } {
  if (isLoopback(host)) {
    return {
      level: 'info',
      message:
        locale === 'en'
          ? `The demo answers only on this computer (${host}). To try it from a phone on the same network, start it with --host 0.0.0.0 — then anyone on that network can read the demo mailbox.`
          : `演示只能在本机打开（${host}）。想用同一网络里的手机试用，请加 --host 0.0.0.0 启动；那样同一网络里的任何人都能看到演示邮箱。`,
    };
  }
  return {
    level: 'warn',
    message:
      locale === 'en'
        ? `THE DEMO IS OPEN TO THE NETWORK (--host ${host}): anyone who reaches port ${port} reads every demo mail at /demo/mail, sign-in links included, and can sign in to /office. The demo mailbox is not private: use it only on a network you trust, never with real people's addresses.`
        : `演示正对网络开放（--host ${host}）：任何能访问 ${port} 端口的人都能在 /demo/mail 看到演示发出的全部邮件（包括登录链接），并能登录 /office 办公室看板。演示邮箱不是私密的：只在信任的网络里使用，不要填真实人员的邮箱。`,
  };
}

/** The web port: --port, else $PORT, else web.port in the configuration. */
export function webPort(flag: string | undefined, env: NodeJS.ProcessEnv, configured: number): { port: number; from: string } {
  const pick = flag !== undefined ? { text: flag, from: '--port' } : env.PORT ? { text: env.PORT, from: 'PORT' } : null;
  if (!pick) return { port: configured, from: 'web.port' };
  const port = Number(pick.text);
  if (!/^\d+$/.test(pick.text.trim()) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StartError(`${pick.from}: "${pick.text}" is not a port number (1–65535)`);
  }
  return { port, from: pick.from };
}

/**
 * The configuration with the chosen port. A local base URL on the configured port (the example's
 * http://localhost:8080) follows the port, so links in mail still open; a real public address stays.
 */
function withPort(config: Config, port: number): Config {
  if (port === config.web.port) return config;
  let baseUrl = config.web.baseUrl;
  try {
    const url = new URL(baseUrl);
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (local && Number(url.port || (url.protocol === 'https:' ? 443 : 80)) === config.web.port) {
      url.port = String(port);
      baseUrl = url.toString().replace(/\/$/, '');
    }
  } catch {
    // validated by the schema; keep it as it is
  }
  return { ...config, web: { ...config.web, port, baseUrl } };
}

function serviceCommand(name: string, description: string, parts: Part[], workerProcess = false): Command {
  const command = new Command(name)
    .description(description)
    .option('-c, --config <path>', 'configuration file (default: $BAOSONG_CONFIG or ./baosong.config.yaml, else the example)')
    .option('--demo', 'run on the in-memory Temporal test server (state is lost on exit; for trying baosong); parts that are not set up stay off')
    .action(async (opts: StartOptions) => {
      if (opts.deployment) return runDistrict(opts);
      const explicit = opts.config !== undefined || Boolean(process.env.BAOSONG_CONFIG);
      const useExample = !explicit && !existsSync(configPath());
      const loaded = loadConfig(useExample ? { path: EXAMPLE_CONFIG_FILE } : { path: opts.config });
      let config = loaded.config;
      if (parts.includes('web')) config = withPort(config, webPort(opts.port, process.env, config.web.port).port);
      const log: ServiceLog = serviceLogger();
      const say = speaker(config.school.locale);
      const { startService } = await import('../worker/service.js');
      if (useExample) {
        log.logger.warn(
          { config: loaded.file },
          say(
            `no ${configPath()} found: running with the EXAMPLE configuration (a fictional school). Copy config/example.yaml to baosong.config.yaml and edit it.`,
            `没有找到 ${configPath()}：正在用示例配置运行（一所虚构的学校）。请把 config/example.yaml 复制为 baosong.config.yaml 再修改。`,
          ),
        );
      }
      let service: RunningService;
      try {
        const demo = opts.demo ?? false;
        // The in-memory demo keeps everything in one process; otherwise the worker gets a process (and a core) of its own.
        const host = parts.includes('web') ? webHost(opts.host, demo) : undefined;
        service = await startService({ config, configFile: loaded.file, parts, demo, trial: useExample, logger: log.logger, workerProcess: workerProcess && !demo, ...(host ? { host } : {}) });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new StartError(`port ${config.web.port} is already in use: stop what uses it, or choose another with --port or PORT`);
        throw err;
      }
      // `parts` is the marker a supervisor (and tests/support/service-process.ts) waits for; the message is for people.
      service.logger.info({ config: loaded.file, parts: parts.join(' + ') }, say(`baosong ${parts.join(' + ')} started; Ctrl-C to stop`, `baosong 已启动（${parts.map((p) => PART_NAMES_ZH[p]).join('、')}），按 Ctrl-C 停止`));
      log.ready(service.summary);
      if (opts.demo && parts.includes('web')) {
        const reach = demoReach(webHost(opts.host, true) ?? '127.0.0.1', config.web.port, config.school.locale);
        service.logger[reach.level]({ host: webHost(opts.host, true) }, reach.message);
      }
      let firstSignalAt: number | null = null;
      const stop = (signal: NodeJS.Signals) => {
        if (firstSignalAt !== null) {
          // The same signal again at once comes from the group (`npm run`, `timeout`): keep draining.
          // A second Ctrl-C later means the user does not want to wait for the drain.
          if (Date.now() - firstSignalAt < 1_000) return;
          service.logger.warn({ signal }, say('stopping at once', '立即停止'));
          process.exit(130);
        }
        firstSignalAt = Date.now();
        service.logger.info({ signal }, say('stopping: draining the worker and the intake (Ctrl-C again to stop at once)', '正在停止：等后台处理和收信把手头的事做完（再按一次 Ctrl-C 立即停止）'));
        void service.stop();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      reportToParent(() => stop('SIGTERM')); // the worker child: its parent went away
      try {
        await service.done;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
  if (name === 'start') command.option('--deployment <path>', "a district's deployment file (baosong.deployment.yaml): run every school of its folder in this process (docs/district.md)");
  if (parts.includes('web')) {
    command.option('-p, --port <port>', 'web port (default: $PORT, else web.port in the configuration)');
    command.option('--host <address>', 'interface the web pages listen on (default: 127.0.0.1 with --demo, else all); 0.0.0.0 opens a demo to the network');
  }
  return command;
}

/** `baosong start --deployment FILE`: a district's schools in one process (worker/district-service.ts). */
async function runDistrict(opts: StartOptions): Promise<void> {
  const log: ServiceLog = serviceLogger();
  const { startDistrictService } = await import('../worker/district-service.js');
  const port = opts.port !== undefined ? webPort(opts.port, process.env, 0).port : undefined;
  const district = await startDistrictService({ deploymentFile: opts.deployment!, logger: log.logger, ...(opts.host ? { host: opts.host } : {}), ...(port ? { port } : {}) });
  log.logger.info({ schools: district.schools, left: district.left.map((l) => l.id), web: district.web }, `baosong district started: ${district.schools.length} schools; Ctrl-C to stop`);
  const stop = (signal: NodeJS.Signals) => {
    log.logger.info({ signal }, 'stopping: draining the worker and the intakes');
    void district.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await district.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export const startCommand = () => serviceCommand('start', 'run the worker (in a child process of its own), the mail intake and the web pages', ['worker', 'intake', 'web'], true);
export const webCommand = () => serviceCommand('web', 'run only the web pages (form, status, reviewer links, office dashboard)', ['web']);
export const workerCommand = () => serviceCommand('worker', 'run only the Temporal worker (scale out: several on one task queue)', ['worker']);
export const intakeCommand = () => serviceCommand('intake', 'run only the mail intake (one per shared inbox)', ['intake']);
