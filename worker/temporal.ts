/**
 * Where baosong's Temporal comes from, in this order:
 * 1. `TEMPORAL_ADDRESS` (or `temporal.address` in the config): an existing server, a cluster or Temporal
 *    Cloud; namespace, TLS and API key from Temporal's own environment configuration (TEMPORAL_NAMESPACE,
 *    TEMPORAL_API_KEY, TEMPORAL_TLS_*, or a profile file), read with @temporalio/envconfig;
 * 2. a local dev server from the `temporal` CLI on PATH, its state kept under the data directory;
 * 3. the same dev server downloaded by the SDK (needs internet).
 * `--demo` instead runs the in-repo test server in memory: everything is lost when baosong stops.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
// Internal to the SDK (its testing package uses it the same way): a connection that also speaks Temporal's
// TestService, which our demo server implements. Only the demo's clock uses it.
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { projectFile } from '../config/paths.js';
import type { Config } from '../config/schema.js';
import { type ErrorCode } from '../domain/errors.js';

export interface TemporalTarget {
  nativeConnection: NativeConnection;
  client: Client;
  namespace: string;
  /** host:port, for another process (the worker child) to connect to the same server. */
  address: string;
  /** One line for the log: what we are connected to. */
  description: string;
  /** false for the in-memory demo server. */
  durable: boolean;
  /** The demo server's virtual clock: read it, and move it forward (快进) so timers due meanwhile fire. */
  demoClock?: DemoClock;
  close(): Promise<void>;
}

export interface DemoClock {
  /** The server's time, epoch ms. */
  now(): Promise<number>;
  /** Moves the clock `ms` forward (reminders, escalations, expiries due meanwhile happen); resolves with the new time. */
  skip(ms: number): Promise<number>;
}

export class TemporalUnavailableError extends Error {
  readonly code = 'ETEMPORAL' satisfies ErrorCode;
}

export const DEMO_SERVER_PATH = projectFile('temporal-server', 'bin', 'temporal-test-server');

function onPath(command: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

function fromEnvironment(env: TestWorkflowEnvironment, description: string, durable: boolean): TemporalTarget {
  return { nativeConnection: env.nativeConnection, client: env.client, namespace: env.namespace ?? 'default', address: env.address, description, durable, close: () => env.teardown() };
}

/**
 * The in-memory demo server, started in a process group of its own: Ctrl-C in a terminal signals the
 * whole foreground group, and the server must outlive the worker's drain (else the worker's last calls
 * fail and the Rust core prints warnings). It is stopped after the worker and the client, and it exits
 * by itself if baosong dies (it watches its parent).
 */
async function connectDemoServer(): Promise<TemporalTarget> {
  const server = spawn(DEMO_SERVER_PATH, ['0'], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stopServer = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`no answer within 60 s${output ? `: ${output.trim()}` : ''}`)), 60_000);
      server.stderr?.setEncoding('utf8');
      server.stderr?.on('data', (chunk: string) => {
        output += chunk;
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      server.once('error', (err) => (clearTimeout(timer), reject(err)));
      server.once('exit', (code) => (clearTimeout(timer), reject(new Error(`it exited (${code ?? 'signal'})${output ? `: ${output.trim()}` : ''}`))));
    });
    server.stderr?.resume(); // keep draining its log
    const env = await TestWorkflowEnvironment.createFromExistingServer({ address: `127.0.0.1:${port}` });
    const testOptions: InternalConnectionOptions = { address: `127.0.0.1:${port}`, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
    const test = await Connection.connect(testOptions);
    const service = test.testService;
    if (!service) throw new Error('the TestService is not available on this connection');
    const now = async () => {
      const { time } = await service.getCurrentTime({});
      return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
    };
    const demoClock: DemoClock = {
      now,
      async skip(ms) {
        // The server starts with the clock locked to wall time (one client lock); unlocking it for a virtual
        // sleep lets it jump from timer to timer, waiting for each workflow task and activity that holds it.
        await service.unlockTimeSkippingWithSleep({ duration: msToTs(ms) });
        return now();
      },
    };
    return {
      ...fromEnvironment(env, 'in-memory demo Temporal server (workflow state is LOST when baosong stops)', false),
      demoClock,
      close: async () => {
        await test.close();
        await env.teardown();
        await stopServer();
      },
    };
  } catch (err) {
    await stopServer();
    throw new TemporalUnavailableError(`Cannot start the demo Temporal server ${DEMO_SERVER_PATH}: ${(err as Error).message}`);
  }
}

/** The port of the local dev server `baosong start` runs when no Temporal address is configured. */
export const LOCAL_TEMPORAL_PORT = 7233;

export async function connectTemporal(options: { config: Config; demo?: boolean; env?: NodeJS.ProcessEnv; clientOnly?: boolean }): Promise<TemporalTarget> {
  const { config } = options;
  const env = options.env ?? process.env;
  // A command such as `baosong expect` talks to the Temporal the running service uses; it never starts one.
  if (options.clientOnly && !env.TEMPORAL_ADDRESS && !config.temporal.address) {
    return connectTemporal({ ...options, clientOnly: false, env: { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${LOCAL_TEMPORAL_PORT}` } });
  }
  if (options.demo) return connectDemoServer();

  const address = env.TEMPORAL_ADDRESS ?? config.temporal.address;
  if (address) {
    const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
    const opts = { ...connectionOptions, address };
    const ns = env.TEMPORAL_NAMESPACE ?? namespace ?? config.temporal.namespace;
    try {
      const nativeConnection = await NativeConnection.connect(opts);
      const connection = await Connection.connect({ address, ...(opts.tls !== undefined ? { tls: opts.tls } : {}), ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}), ...(opts.metadata ? { metadata: opts.metadata } : {}) });
      return {
        nativeConnection,
        client: new Client({ connection, namespace: ns }),
        namespace: ns,
        address,
        description: `Temporal at ${address}, namespace ${ns}`,
        durable: true,
        close: async () => {
          await connection.close();
          await nativeConnection.close();
        },
      };
    } catch (err) {
      throw new TemporalUnavailableError(
        `No Temporal server is answering at ${address} (${networkReason(err)}). Is baosong (npm start) or your Temporal server running there? Set TEMPORAL_ADDRESS if it is elsewhere.`,
      );
    }
  }

  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const server = { dbFilename: join(dataDir, 'temporal.db'), ip: '127.0.0.1', port: LOCAL_TEMPORAL_PORT, namespace: config.temporal.namespace };
  const cli = onPath('temporal', env);
  // A school that must not fetch programs from the internet (or a test that must not depend on having it)
  // switches the SDK's download off.
  const mayDownload = env.BAOSONG_TEMPORAL_DOWNLOAD !== 'never';
  try {
    if (!cli && !mayDownload) throw new Error('no `temporal` CLI on PATH, and BAOSONG_TEMPORAL_DOWNLOAD=never forbids downloading it');
    const local = await TestWorkflowEnvironment.createLocal({ server: cli ? { ...server, executable: { type: 'existing-path', path: cli } } : server });
    return fromEnvironment(local, `local Temporal dev server (${cli ?? 'downloaded by the SDK'}), state in ${server.dbFilename}`, true);
  } catch (err) {
    const why = !cli && mayDownload ? `no \`temporal\` CLI on PATH, and downloading it failed: ${networkReason(err)}` : (err as Error).message.split('\n')[0];
    throw new TemporalUnavailableError(
      [
        `No Temporal server could be had (${why}). Fix it one of three ways:`,
        '  1. point baosong at a Temporal server: set TEMPORAL_ADDRESS=host:7233 (or temporal.address in the config; TLS and API key through TEMPORAL_TLS_* / TEMPORAL_API_KEY);',
        '  2. install the Temporal CLI (`temporal` on PATH): baosong then starts a local dev server that keeps its state under the data directory;',
        '  3. just try baosong: `npm run demo` runs it on the in-memory test server (workflow state is lost when it stops).',
      ].join('\n'),
    );
  }
}

/** A network failure in a few words an IT teacher can act on, instead of a resolver's or gRPC's raw text. */
function networkReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const text = `${typeof code === 'string' ? code : ''} ${err instanceof Error ? err.message : String(err)}`;
  if (/ECONNREFUSED|connection refused/i.test(text)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|dns/i.test(text)) return 'the host name cannot be resolved: no network, or a wrong name';
  if (/ETIMEDOUT|timed? ?out|deadline/i.test(text)) return 'no answer in time';
  if (/ECONNRESET|EHOSTUNREACH|ENETUNREACH|unreachable/i.test(text)) return 'the network path is broken';
  if (/certificate|tls|ssl/i.test(text)) return 'the TLS handshake failed: check TEMPORAL_TLS_* and the server name';
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}
