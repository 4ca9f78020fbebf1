/**
 * An SMTP server for benchmarks: notes when each delivery arrived, without parsing bodies, and tells
 * waiters at once by event (no polling over the deliveries: the harness must not be what is measured).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Delivery {
  at: number;
  kind: string | null;
  inReplyTo: string | null;
}

const keyOf = (kind: string | null, inReplyTo: string | null) => `${kind ?? ''} ${inReplyTo ?? ''}`;

export async function smtpSink() {
  const deliveries: Delivery[] = [];
  /** Deliveries by kind and In-Reply-To, and who waits for one. */
  const byKey = new Map<string, Delivery[]>();
  const waiters = new Map<string, ((d: Delivery) => void)[]>();
  const listeners = new Set<(d: Delivery) => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const headers = head.split(/\r?\n\r?\n/)[0] ?? '';
        // A copy, not a slice: V8 keeps the whole head (≈ 13 KB) alive behind a sliced string, and a week of
        // 350,000 deliveries ran the district bench out of heap that way.
        const header = (name: string) => {
          const value = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1]?.trim();
          return value === undefined ? null : Buffer.from(value, 'latin1').toString('latin1');
        };
        const delivery = { at: performance.now(), kind: header('X-Baosong-Kind'), inReplyTo: header('In-Reply-To') };
        deliveries.push(delivery);
        const key = keyOf(delivery.kind, delivery.inReplyTo);
        byKey.set(key, [...(byKey.get(key) ?? []), delivery]);
        for (const wake of waiters.get(key) ?? []) wake(delivery);
        waiters.delete(key);
        for (const listener of listeners) listener(delivery);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    deliveries,
    /** Every delivery of this kind answering this Message-ID so far. */
    delivered: (kind: string, inReplyTo: string): Delivery[] => byKey.get(keyOf(kind, inReplyTo)) ?? [],
    /** The first delivery of this kind answering this Message-ID (already there, or when it comes). */
    next: (kind: string, inReplyTo: string): Promise<Delivery> => {
      const key = keyOf(kind, inReplyTo);
      const seen = byKey.get(key)?.[0];
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.set(key, [...(waiters.get(key) ?? []), resolve]));
    },
    onDelivery: (listener: (d: Delivery) => void) => listeners.add(listener),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
