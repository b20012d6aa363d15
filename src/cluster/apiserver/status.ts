// Kubernetes' Status errors: every failure the API server answers is one of these, with the code,
// reason and wording a real kube-apiserver uses, because kubectl prints the message verbatim and
// decides what to do from the reason.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable'
  // StatusReasonUnknown: an error that came with no Status, such as a kubelet out of reach.
  | '';

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** The meta/v1 Status object as it goes on the wire. */
export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message?: string;
  readonly reason?: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** A resource named as Kubernetes names it in messages: "pods", or "deployments.apps". */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

export const qualified = (gr: GroupResource): string =>
  gr.group ? `${gr.resource}.${gr.group}` : gr.resource;

const detailsOf = (gr: GroupResource, name: string): StatusDetails => ({
  name,
  ...(gr.group ? { group: gr.group } : {}),
  kind: gr.resource,
});

export const notFound = (gr: GroupResource, name: string) =>
  new StatusError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, detailsOf(gr, name));

export const alreadyExists = (gr: GroupResource, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, detailsOf(gr, name));

export const conflict = (gr: GroupResource, name: string, why: string) =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    detailsOf(gr, name),
  );

export const OBJECT_MODIFIED =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 422: the object failed validation; `kind` is the Kind ("Pod"), as Kubernetes words it. */
export function invalid(group: string, kind: string, name: string, causes: StatusCause[]): StatusError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : (c.message ?? '')));
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(
    422,
    'Invalid',
    `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`,
    {
      // Go's StatusDetails omits an empty name (an object with only generateName, an options object).
      ...(name ? { name } : {}),
      ...(group ? { group } : {}),
      kind,
      causes,
    },
  );
}

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);

export const unauthorized = () => new StatusError(401, 'Unauthorized', 'Unauthorized');

export const forbidden = (message: string, details?: StatusDetails) =>
  new StatusError(403, 'Forbidden', message, details);

export const methodNotSupported = () =>
  new StatusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );

export const pathNotFound = () =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

/** 410 for a watch or list from a resourceVersion that compaction removed. */
export const expired = (requested: number, oldest: number) =>
  new StatusError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);

/** 504 for a read at a resourceVersion the store has not reached, as kube-apiserver words it. */
export const tooLargeResourceVersion = (requested: number, current: number) =>
  new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });

export const tooLarge = (limit: number) =>
  new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);

export const unsupportedMediaType = (accepted: readonly string[]) =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

export const internalError = (err: unknown) =>
  new StatusError(
    500,
    'InternalError',
    `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
    { causes: [{ message: err instanceof Error ? err.message : String(err) }] },
    { cause: err },
  );

export const isStatusError = (err: unknown): err is StatusError => err instanceof StatusError;
export const isNotFound = (err: unknown): boolean => isStatusError(err) && err.reason === 'NotFound';
export const isConflict = (err: unknown): boolean => isStatusError(err) && err.reason === 'Conflict';
export const isAlreadyExists = (err: unknown): boolean =>
  isStatusError(err) && err.reason === 'AlreadyExists';
