/**
 * Serving the metrics: GET /metrics on the web process's own port (with the web request durations), or,
 * for a process without web pages (`baosong worker`, `baosong intake`), a small listener of its own on
 * BAOSONG_METRICS_PORT.
 */
import { createServer, type Server } from 'node:http';
import { BlockList, isIPv4, type AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { METRICS_CONTENT_TYPE, metrics, metricsText } from './metrics.js';

/**
 * Whether a request comes from the machine itself (loopback) or an address `allow` lists (web.metricsAllow):
 * those may read /metrics and the detail of /healthz on the public web port. The address is Fastify's
 * (the client's, behind a proxy web.trustProxy names). A request carrying X-Forwarded-For when no proxy is
 * trusted came through a proxy baosong was not told about (nginx on this machine connects from loopback):
 * it counts as from outside.
 */
export function operatorCheck(options: { allow?: string[] | undefined; trustProxy?: false | string[] | undefined }): (req: FastifyRequest) => boolean {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  for (const entry of options.allow ?? []) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  const proxied = (req: FastifyRequest) => !options.trustProxy && req.headers['x-forwarded-for'] !== undefined;
  return (req) => {
    if (proxied(req)) return false;
    const ip = req.ip.startsWith('::ffff:') && isIPv4(req.ip.slice(7)) ? req.ip.slice(7) : req.ip;
    return list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
  };
}

/**
 * Adds GET /metrics and times every request by its route pattern (/office/reports/:id, not each id).
 * `allowed` says who may read it (operatorCheck); others get `refuse`'s answer.
 */
export function metricsRoutes(app: FastifyInstance, access: { allowed: (req: FastifyRequest) => boolean; refuse: (req: FastifyRequest, reply: FastifyReply) => FastifyReply }): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.webRequests.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (req, reply) => {
    if (!access.allowed(req)) return access.refuse(req, reply);
    return reply.type(METRICS_CONTENT_TYPE).header('cache-control', 'no-store').send(await metricsText());
  });
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
