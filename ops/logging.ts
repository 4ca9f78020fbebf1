/**
 * One log stream. Everything baosong logs goes through pino: its own lines, the Temporal SDK's (bundler, worker
 * state, activity and workflow logs with their report's workflow id and attempt), Rust Core's (forwarded to the
 * SDK's logger), and Fastify's request log (with request ids). Secrets are redacted in one place, here, by field
 * name and by value (ops/redact.ts) for every pino logger, and bearer tokens are masked in logged URLs.
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactSecrets } from './redact.js';

/** Field paths whose values never reach a log (passwords, keys, tokens, cookies, authorization headers). */
export const REDACTED_FIELDS = [
  'password', 'pass', 'secret', 'token', 'apiKey', 'accessToken', 'authorization', 'cookie',
  '*.password', '*.pass', '*.secret', '*.token', '*.apiKey', '*.accessToken', '*.authorization', '*.cookie',
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
];

/**
 * pino options every baosong logger uses: secret fields by name, and every configured secret's value wherever
 * it appears in a line (a robot's or a server's error text quoting it: ops/redact.ts).
 */
export function loggerOptions(): LoggerOptions {
  return { name: 'baosong', base: undefined, redact: { paths: REDACTED_FIELDS, censor: '[redacted]' }, hooks: { streamWrite: redactSecrets } };
}

export function createLogger(destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(), destination) : pino(loggerOptions());
}

/**
 * Signed links carry their token in the path or the query (/status/R-2026-0042/<hmac>, /office/signin/<token>,
 * ?t=…): a URL is logged with every long opaque segment masked, so a log reader cannot use the link.
 */
export function maskUrl(url: string): string {
  return url.replace(/[A-Za-z0-9_\-.~%]{20,}/g, '…');
}

/** Fastify's request and response as logged: method, masked URL, status; no headers, no body. */
export const requestSerializers = {
  req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: maskUrl(req.url ?? '') }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
};

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/**
 * The Temporal SDK's Logger on top of pino: its metadata (sdkComponent, workflowId, activityType, attempt…)
 * becomes fields, an `error` becomes pino's `err`. Messages below `level` are dropped.
 */
export class TemporalPinoLogger implements SdkLogger {
  constructor(
    private readonly logger: Logger,
    private readonly level: LogLevel = 'INFO',
  ) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    // baosong's own activity and workflow lines are application logs: INFO and up whatever the SDK's level.
    const own = meta?.sdkComponent === 'activity' || meta?.sdkComponent === 'workflow';
    if (RANK[level] < RANK[own ? 'INFO' : this.level]) return;
    const { error, ...fields } = (meta ?? {}) as LogMetadata & { error?: unknown };
    this.logger[PINO_LEVEL[level]]({ ...fields, ...(error === undefined ? {} : { err: error }) }, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** TEMPORAL_LOG_LEVEL (TRACE … ERROR), default WARN: the SDK's and Core's chatter stays out unless asked. */
export function temporalLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  const level = env.TEMPORAL_LOG_LEVEL?.toUpperCase();
  return level === 'TRACE' || level === 'DEBUG' || level === 'INFO' || level === 'WARN' || level === 'ERROR' ? level : 'WARN';
}
