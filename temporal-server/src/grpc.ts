// gRPC wiring: builds grpc-js service definitions from the protobuf reflection data, so every
// method of a service is registered; those without a handler answer UNIMPLEMENTED with their name.
import * as grpc from '@grpc/grpc-js';
import { RpcError, invalidArgument, unimplemented } from './errors.js';
import { DECODE_OPTIONS, lookupService, type Obj } from './proto.js';
import type { CallContext } from './queues.js';
import type { Handlers } from './service.js';

const MAX_MESSAGE = 64 * 1024 * 1024;

/** Calls per method, for diagnostics (TEMPORAL_TEST_SERVER_DEBUG). */
export const callCounts = new Map<string, number>();

/** Stands in for a request whose bytes did not decode, so the handler can answer INVALID_ARGUMENT. */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/**
 * The request's bytes in a buffer of their own. Decoded `bytes` fields (payloads) are views into the buffer they
 * were read from, and grpc-js hands over slices of its larger receive buffers: a payload kept in a history pinned
 * a whole receive chunk, ~330 KB per finished report workflow outside the heap (measured with
 * TEMPORAL_TEST_SERVER_DEBUG in bench:district). A copy of exact size pins only the request itself.
 */
function ownBytes(b: Buffer): Buffer {
  const copy = new ArrayBuffer(b.length);
  new Uint8Array(copy).set(b);
  return Buffer.from(copy);
}

export function addService(server: grpc.Server, serviceName: string, handlers: Handlers, log: (msg: string) => void): void {
  const service = lookupService(serviceName);
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, m] of Object.entries(service.methods)) {
    m.resolve();
    const reqType = m.resolvedRequestType!;
    const resType = m.resolvedResponseType!;
    definition[name] = {
      path: `/${serviceName}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: unknown) => Buffer.from(reqType.encode(v).finish()),
      requestDeserialize: (b: Buffer) => {
        try {
          return reqType.toObject(reqType.decode(ownBytes(b)), DECODE_OPTIONS);
        } catch (err) {
          return new UndecodableRequest(err instanceof Error ? err.message : String(err));
        }
      },
      responseSerialize: (v: unknown) => Buffer.from(resType.encode(v).finish()),
      responseDeserialize: (b: Buffer) => resType.toObject(resType.decode(b), DECODE_OPTIONS),
      originalName: name,
    };
    const handler = handlers[name];
    impl[name] = (call: grpc.ServerUnaryCall<unknown, Obj>, callback: grpc.sendUnaryData<Obj>) => {
      callCounts.set(name, (callCounts.get(name) ?? 0) + 1);
      if (name === 'GetSystemInfo' && requestWasCompressed(call)) {
        // Decompressing every request costs this server more CPU than anything else it does.
        // Temporal's Rust core retries its connection without compression when the first
        // GetSystemInfo answers UNIMPLEMENTED naming grpc-encoding, so ask for that on loopback.
        callback({
          code: grpc.status.UNIMPLEMENTED,
          details: 'grpc-encoding gzip: this test server asks clients to connect without a compressor',
        });
        return;
      }
      if (!handler) {
        callback(toStatus(unimplemented(name)));
        return;
      }
      if (call.request instanceof UndecodableRequest) {
        callback(toStatus(invalidArgument(`${name}: malformed request: ${call.request.reason}`)));
        return;
      }
      const cancelFns: Array<() => void> = [];
      const ctx: CallContext = {
        get cancelled() {
          return call.cancelled;
        },
        onCancel(fn) {
          cancelFns.push(fn);
        },
      };
      call.on('cancelled', () => {
        for (const fn of cancelFns.splice(0)) fn();
      });
      Promise.resolve()
        .then(() => handler(call.request as never, ctx))
        .then(
          (res) => callback(null, res),
          (err: unknown) => {
            if (!(err instanceof RpcError)) log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
            callback(toStatus(err));
          },
        );
    };
  }
  server.addService(definition, impl);
}

/**
 * Whether the request came with a grpc-encoding other than identity. grpc-js strips that header
 * from the metadata it hands out, so this reads its (pinned, 1.14) call object; if that ever
 * changes the answer is simply false and clients keep compressing, which still works.
 */
function requestWasCompressed(call: grpc.ServerUnaryCall<unknown, unknown>): boolean {
  const inner = (call as unknown as { call?: { incomingEncoding?: unknown } }).call;
  const encoding = inner?.incomingEncoding;
  return typeof encoding === 'string' && encoding !== 'identity';
}

function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof RpcError) {
    const bin = err.statusDetailsBin();
    if (!bin) return { code: err.code, details: err.message };
    const metadata = new grpc.Metadata();
    metadata.set('grpc-status-details-bin', bin);
    return { code: err.code, details: err.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

export function createServer(): grpc.Server {
  return new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE,
    'grpc.max_send_message_length': MAX_MESSAGE,
  });
}
