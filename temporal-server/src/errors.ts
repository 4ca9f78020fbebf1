import { status } from '@grpc/grpc-js';

/** An error that the gRPC layer answers with the given status code. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (msg: string): RpcError => new RpcError(status.NOT_FOUND, msg);
export const invalidArgument = (msg: string): RpcError => new RpcError(status.INVALID_ARGUMENT, msg);
export const alreadyExists = (msg: string): RpcError => new RpcError(status.ALREADY_EXISTS, msg);
export const failedPrecondition = (msg: string): RpcError => new RpcError(status.FAILED_PRECONDITION, msg);
export const unimplemented = (method: string): RpcError =>
  new RpcError(status.UNIMPLEMENTED, `${method} is not implemented by the baosong test server`);
