import { status } from '@grpc/grpc-js';
import proto from '@temporalio/proto';

/** An `Any` for google.rpc.Status details: what the client decodes into a typed error. */
export interface ErrorDetail {
  typeUrl: string;
  value: Uint8Array;
}

/** An error that the gRPC layer answers with the given status code (and, optionally, typed details). */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }

  /** The `grpc-status-details-bin` trailer, as Temporal sends it, or undefined without details. */
  statusDetailsBin(): Buffer | undefined {
    if (this.details.length === 0) return undefined;
    const Status = proto.google.rpc.Status;
    return Buffer.from(
      Status.encode({ code: this.code, message: this.message, details: this.details.map((d) => ({ type_url: d.typeUrl, value: d.value })) }).finish(),
    );
  }
}

export const notFound = (msg: string): RpcError => new RpcError(status.NOT_FOUND, msg);
export const invalidArgument = (msg: string): RpcError => new RpcError(status.INVALID_ARGUMENT, msg);
export const alreadyExists = (msg: string): RpcError => new RpcError(status.ALREADY_EXISTS, msg);
export const resourceExhausted = (msg: string): RpcError => new RpcError(status.RESOURCE_EXHAUSTED, msg);
export const failedPrecondition = (msg: string): RpcError => new RpcError(status.FAILED_PRECONDITION, msg);
export const permissionDenied = (msg: string): RpcError => new RpcError(status.PERMISSION_DENIED, msg);
export const unimplemented = (method: string): RpcError =>
  new RpcError(status.UNIMPLEMENTED, `${method} is not implemented by the baosong test server`);

/** NOT_FOUND with a NamespaceNotFoundFailure detail: the client throws NamespaceNotFoundError. */
export function namespaceNotFound(namespace: string): RpcError {
  const T = proto.temporal.api.errordetails.v1.NamespaceNotFoundFailure;
  return new RpcError(status.NOT_FOUND, `Namespace ${namespace} is not found.`, [
    { typeUrl: 'type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure', value: T.encode({ namespace }).finish() },
  ]);
}

/** ALREADY_EXISTS with a NamespaceAlreadyExistsFailure detail. */
export function namespaceAlreadyExists(namespace: string): RpcError {
  const T = proto.temporal.api.errordetails.v1.NamespaceAlreadyExistsFailure;
  return new RpcError(status.ALREADY_EXISTS, `Namespace ${namespace} already exists.`, [
    { typeUrl: 'type.googleapis.com/temporal.api.errordetails.v1.NamespaceAlreadyExistsFailure', value: T.encode({}).finish() },
  ]);
}

/**
 * The error of one operation of an ExecuteMultiOperation (update-with-start), as Temporal answers it:
 * a MultiOperationExecutionFailure with that operation's status and the others' "aborted"; the client
 * rethrows the failed operation's code and message.
 */
export function multiOperationFailure(failed: RpcError, index: number, count: number): RpcError {
  const M = proto.temporal.api.errordetails.v1.MultiOperationExecutionFailure;
  const aborted = {
    code: status.ABORTED,
    message: 'Operation was aborted.',
    details: [{ type_url: 'type.googleapis.com/temporal.api.failure.v1.MultiOperationExecutionAborted', value: Buffer.alloc(0) }],
  };
  const statuses = Array.from({ length: count }, (_, i) =>
    i === index ? { code: failed.code, message: failed.message, details: failed.details.map((d) => ({ type_url: d.typeUrl, value: d.value })) } : aborted,
  );
  return new RpcError(failed.code, failed.message, [
    { typeUrl: 'type.googleapis.com/temporal.api.errordetails.v1.MultiOperationExecutionFailure', value: M.encode({ statuses }).finish() },
  ]);
}
