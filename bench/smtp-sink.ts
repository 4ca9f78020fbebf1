/** An SMTP server for benchmarks: counts deliveries and notes when each arrived, without parsing bodies. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Delivery {
  at: number;
  kind: string | null;
  inReplyTo: string | null;
}

export async function smtpSink() {
  const deliveries: Delivery[] = [];
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
        const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1]?.trim() ?? null;
        deliveries.push({ at: performance.now(), kind: header('X-Baosong-Kind'), inReplyTo: header('In-Reply-To') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    deliveries,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
