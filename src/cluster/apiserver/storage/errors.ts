/**
 * StorageError is what object storage reports, before the registry words it for the resource
 * (as k8s.io/apiserver's storage errors become API errors in the registry).
 */
export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'Conflict'
  | 'Expired'
  | 'InvalidContinue'
  | 'TooLargeResourceVersion';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message: string,
    /**
     * For Expired: the requested and the oldest available revisions; for TooLargeResourceVersion,
     * the requested and the current (newest) one.
     */
    readonly revisions?: { requested: number; oldest?: number; current?: number },
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export const isStorageError = (err: unknown, code?: StorageErrorCode): err is StorageError =>
  err instanceof StorageError && (code === undefined || err.code === code);
