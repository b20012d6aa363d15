// Named errors of the store, one class each, carrying etcd's own wording so every face
// (gRPC, the API server, the CLI) reports what etcd would. `grpcCode` is the status code etcd uses.

export type GrpcCodeName =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'OUT_OF_RANGE'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE';

export class StoreError extends Error {
  constructor(
    message: string,
    readonly grpcCode: GrpcCodeName,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A read or watch asked for a revision that compaction already removed. */
export class CompactedError extends StoreError {
  constructor(readonly compactRevision: number) {
    super('etcdserver: mvcc: required revision has been compacted', 'OUT_OF_RANGE');
  }
}

/** A read asked for a revision the store has not reached. */
export class FutureRevisionError extends StoreError {
  constructor() {
    super('etcdserver: mvcc: required revision is a future revision', 'OUT_OF_RANGE');
  }
}

export class EmptyKeyError extends StoreError {
  constructor() {
    super('etcdserver: key is not provided', 'INVALID_ARGUMENT');
  }
}

export class KeyNotFoundError extends StoreError {
  constructor() {
    super('etcdserver: key not found', 'INVALID_ARGUMENT');
  }
}

export class ValueProvidedError extends StoreError {
  constructor() {
    super('etcdserver: value is provided', 'INVALID_ARGUMENT');
  }
}

export class LeaseProvidedError extends StoreError {
  constructor() {
    super('etcdserver: lease is provided', 'INVALID_ARGUMENT');
  }
}

export class TooManyOpsError extends StoreError {
  constructor() {
    super('etcdserver: too many operations in txn request', 'INVALID_ARGUMENT');
  }
}

export class DuplicateKeyError extends StoreError {
  constructor() {
    super('etcdserver: duplicate key given in txn request', 'INVALID_ARGUMENT');
  }
}

export class RequestTooLargeError extends StoreError {
  constructor() {
    super('etcdserver: request is too large', 'INVALID_ARGUMENT');
  }
}

export class LeaseNotFoundError extends StoreError {
  constructor() {
    super('etcdserver: requested lease not found', 'NOT_FOUND');
  }
}

export class LeaseExistsError extends StoreError {
  constructor() {
    super('etcdserver: lease already exists', 'FAILED_PRECONDITION');
  }
}

export class LeaseTTLTooLargeError extends StoreError {
  constructor() {
    super('etcdserver: too large lease TTL', 'OUT_OF_RANGE');
  }
}

/** The backend could not make a write durable (for example a full disk); nothing of it was kept. */
export class NoSpaceError extends StoreError {
  constructor(cause?: unknown) {
    super('etcdserver: mvcc: database space exceeded', 'RESOURCE_EXHAUSTED', { cause });
  }
}

/** The store is closed or failed; etcd answers "etcdserver: server stopped". */
export class StoppedError extends StoreError {
  constructor() {
    super('etcdserver: server stopped', 'UNAVAILABLE');
  }
}

export const isCompacted = (err: unknown): err is CompactedError => err instanceof CompactedError;
