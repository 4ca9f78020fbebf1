/**
 * A TCP proxy on a loopback port that can stop passing bytes and start again — the network (or a server)
 * holding a worker's poll responses, as the stalled run of issue 22 item 9 may have seen. Paused, it holds
 * every byte from either side; resumed, everything held flows on, in order.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  address: string;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  /** Bytes held while paused, per direction, flushed in order on resume. */
  const held: { to: Socket; chunks: Buffer[] }[] = [];
  let paused = false;
  const forward = (from: Socket, to: Socket) => {
    const queue = { to, chunks: [] as Buffer[] };
    held.push(queue);
    from.on('data', (chunk: Buffer) => (paused ? queue.chunks.push(chunk) : to.write(chunk)));
  };
  const server = createServer((client) => {
    const upstream = connect({ host, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const q of held) for (const chunk of q.chunks.splice(0)) if (!q.to.destroyed) q.to.write(chunk);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
