/**
 * Serving the metrics: GET /metrics on the web process's own port (with the web request durations), or,
 * for a process without web pages (`baosong worker`, `baosong intake`), a small listener of its own on
 * BAOSONG_METRICS_PORT.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE, metrics, metricsText } from './metrics.js';

/** Adds GET /metrics and times every request by its route pattern (/office/reports/:id, not each id). */
export function metricsRoutes(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.webRequests.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_req, reply) => reply.type(METRICS_CONTENT_TYPE).header('cache-control', 'no-store').send(await metricsText()));
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** A listener answering GET /metrics only; host defaults to 127.0.0.1. */
export async function startMetricsServer(options: { port: number; host?: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metricsText().then(
      (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
