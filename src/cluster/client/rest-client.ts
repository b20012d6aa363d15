import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { createSecureContext } from 'node:tls';
import type { KubeObject, ListMeta, Status } from '../api/meta.ts';
import type { ResourceType } from '../api/resources.ts';
import { loadRestConfig, type RestConfig } from './kubeconfig.ts';

/**
 * The REST client every orch-lab component reaches the API server through, after client-go's
 * rest.RESTClient and its typed clientsets, but one generic class instead of generated code:
 *
 *   const client = new RestClient(await loadRestConfig(kubeconfig), { component: 'scheduler' });
 *   const podClient = client.resource(pods, 'default');   // typed by the catalog entry: Pod
 *   const pod = await podClient.get('web');
 *   await podClient.createSubresource('web', 'binding', binding);
 *
 * Failures the API server answers arrive as ApiError with the server's Status; network failures
 * arrive as Node's own errors, and an unanswered request as RequestTimeoutError. Nothing is
 * retried here: retrying is the caller's decision (the reflector backs off, a controller requeues).
 */

/** How a RestClient presents itself and how long it waits. */
export interface RestClientOptions {
  /** Who is calling; sent as User-Agent `orch-lab/<component>`, which the audit log records. */
  readonly component: string;
  /** Milliseconds a request may take, answer included, before it is abandoned; 30 s unless given. */
  readonly timeoutMs?: number;
}

/** Per-call options every request takes. */
export interface RequestOptions {
  /** Overrides the client's timeout for this call; 0 waits as long as it takes. */
  readonly timeoutMs?: number;
  /** Abandons the call (it rejects with the signal's AbortError). */
  readonly signal?: AbortSignal;
}

/** A query parameter's value; undefined leaves the parameter out. */
export type QueryValue = string | number | boolean | undefined;

/** One HTTP exchange with the API server; the path is absolute: /api/v1/namespaces/default/pods. */
export interface RestRequest extends RequestOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** application/json unless given (patches name their patch type here). */
  readonly contentType?: string;
  /** application/json unless given; kubectl get asks for a Table (`application/json;as=Table;...`). */
  readonly accept?: string;
}

/** What a list asks for: selectors, paging (limit/continue) and the version to read at. */
export interface ListOptions extends RequestOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** At most this many items; the answer's metadata.continue fetches the next page. */
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

/** What a watch asks for; `signal` stops it. */
export interface WatchOptions extends Omit<RequestOptions, 'timeoutMs'> {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Changes after this version; without one the server first sends every object as ADDED. */
  readonly resourceVersion?: string;
  /** The server ends the watch after this long (its own default is 30 minutes). */
  readonly timeoutSeconds?: number;
  /** Ask for BOOKMARK events, which move the resourceVersion on while nothing changes. */
  readonly allowWatchBookmarks?: boolean;
}

/** Options of create, update and the other writes. */
export interface WriteOptions extends RequestOptions {
  /** Validate and answer without storing anything. */
  readonly dryRun?: boolean;
  /** What the server does with unknown fields; it warns by default. */
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** Options of a patch. */
export interface PatchOptions extends WriteOptions {
  /** Patch a subresource instead of the object: "status", "scale". */
  readonly subresource?: string;
}

/** meta/v1 DeleteOptions, sent as the body of the DELETE as client-go sends them. */
export interface DeleteOptions extends RequestOptions {
  /** Seconds the object gets to shut down; 0 deletes at once. */
  readonly gracePeriodSeconds?: number;
  /** What happens to the objects this one owns. */
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Delete only if the object is still this one (uid) or unchanged (resourceVersion). */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly dryRun?: boolean;
}

/** merge: RFC 7386 JSON merge patch; strategic: Kubernetes' strategic merge; json: RFC 6902. */
export type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

/** A list response: PodList, ConfigMapList, ... */
export interface ObjectList<T> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ListMeta;
  readonly items: T[];
}

/**
 * One line of a watch stream. BOOKMARK carries only apiVersion, kind and
 * metadata.resourceVersion; ERROR carries a Status (410 Expired: the version is compacted away).
 */
export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: T }
  | { readonly type: 'ERROR'; readonly object: Status };

/**
 * A running watch, client-go's watch.Interface: iterate it (once) for events. Iteration ends
 * when the server closes the stream, throws if the connection breaks, and ends quietly after stop().
 */
export interface Watcher<T> extends AsyncIterable<WatchEvent<T>> {
  /** Closes the connection; an iteration in progress ends. */
  stop(): void;
}

/**
 * ApiError is a failure the API server answered, carrying its Status. When the answer was not a
 * Status (a proxy's error page, an empty body) one is made from the HTTP code, as client-go does.
 */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly status: Status;

  constructor(status: Status) {
    super(status.message ?? `the server responded with the status code ${status.code}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = status.code ?? 0;
    this.reason = status.reason ?? '';
  }
}

/** No complete answer came within the request's timeout. */
export class RequestTimeoutError extends Error {
  constructor(method: string, path: string, timeoutMs: number) {
    super(`${method} ${path}: no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The failure is an answer of the API server (not a network error or a timeout). */
export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;

/** The object (or the named thing) does not exist. */
export const isNotFound = (err: unknown): boolean => hasReason(err, 'NotFound', 404);
/** An update or delete was based on an older version of the object: read it again and retry. */
export const isConflict = (err: unknown): boolean => hasReason(err, 'Conflict', 409);
/** A create found an object of that name already there. */
export const isAlreadyExists = (err: unknown): boolean => hasReason(err, 'AlreadyExists', 409);
/**
 * 410: the resourceVersion (or continue token) asked for has been compacted away, whether the
 * server says Gone or Expired. A reflector answers it by listing again.
 */
export const isGone = (err: unknown): boolean => isApiError(err) && err.code === 410;

/** Reasons by code, for answers that carried no Status (client-go's newUnstructuredResponseError). */
const REASONS_BY_CODE: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Every reason Kubernetes defines (metav1.StatusReason); any other is as good as none. */
const KNOWN_REASONS: ReadonlySet<string> = new Set([
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Invalid',
  'ServerTimeout',
  'StoreReadError',
  'Timeout',
  'TooManyRequests',
  'BadRequest',
  'MethodNotAllowed',
  'NotAcceptable',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'InternalError',
  'Expired',
  'ServiceUnavailable',
]);

/**
 * The reason decides; the code counts only when the reason is empty or unknown, so a 409 that
 * says AlreadyExists is not also a Conflict (client-go's reasonAndCodeForError).
 */
function hasReason(err: unknown, reason: string, code: number): boolean {
  if (!isApiError(err)) return false;
  if (err.reason === reason) return true;
  return !KNOWN_REASONS.has(err.reason) && err.code === code;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The status of a response and its whole body. */
interface Answer {
  readonly statusCode: number;
  readonly body: Buffer;
}

/** RestClient talks HTTPS to one API server as one user, over a pool of kept-alive connections. */
export class RestClient {
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly userAgent: string;
  private readonly timeoutMs: number;

  constructor(
    readonly config: RestConfig,
    options: RestClientOptions,
  ) {
    this.base = new URL(config.server);
    if (this.base.protocol !== 'https:') {
      throw new Error(`${config.server}: the API server is reached over https only`);
    }
    this.agent = new Agent({
      keepAlive: true,
      // One context for every connection: given only ca/cert/key, each new socket would parse the
      // key and certificates again (a handshake's largest cost after the signature).
      secureContext: createSecureContext({
        ca: config.certificateAuthority,
        cert: config.clientCertificate,
        key: config.clientKey,
      }),
      rejectUnauthorized: !config.insecureSkipTlsVerify,
      ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
    });
    this.userAgent = `orch-lab/${options.component}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** A client for the current (or named) context of a kubeconfig file. */
  static async fromKubeconfig(
    path: string,
    options: RestClientOptions & { readonly context?: string },
  ): Promise<RestClient> {
    return new RestClient(await loadRestConfig(path, options.context), options);
  }

  /**
   * A client signing in with a client certificate from the cluster CA, as the lab's own components
   * do (the scheduler as system:kube-scheduler, each controller as its service account).
   */
  static withCertificate(
    server: string,
    credential: { readonly ca: string; readonly cert: string; readonly key: string },
    options: RestClientOptions,
  ): RestClient {
    return new RestClient(
      {
        contextName: options.component,
        server,
        certificateAuthority: credential.ca,
        clientCertificate: credential.cert,
        clientKey: credential.key,
        insecureSkipTlsVerify: false,
        namespace: 'default',
      },
      options,
    );
  }

  /**
   * The verbs of one resource from the catalog, typed by it: resource(pods, 'default') reads
   * and writes Pods. Without a namespace a namespaced resource lists and watches across all
   * namespaces, and object verbs use the namespace in the object's metadata.
   */
  resource<T extends KubeObject>(type: ResourceType<T>, namespace = ''): ResourceClient<T> {
    return new ResourceClient(this, type, namespace);
  }

  /** Sends one request and parses the JSON answer; a non-2xx answer rejects with ApiError. */
  async request<T>(req: RestRequest): Promise<T> {
    return JSON.parse(await this.requestText(req)) as T;
  }

  /** Sends one request and returns the answer as text (a pod's log); a non-2xx answer rejects with ApiError. */
  async requestText(req: RestRequest): Promise<string> {
    const answer = await this.exchange(req);
    if (answer.statusCode < 200 || answer.statusCode > 299) throw apiError(answer);
    return answer.body.toString('utf8');
  }

  /**
   * Opens a watch: resolves once the server has accepted it (its headers arrived), rejects with
   * ApiError if it refused. The client's timeout covers only the wait for that acceptance; the
   * server bounds the watch itself (timeoutSeconds).
   */
  async watch<T>(path: string, options: WatchOptions = {}): Promise<Watcher<T>> {
    const { signal, labelSelector, fieldSelector, resourceVersion, timeoutSeconds } = options;
    const query = {
      watch: true,
      labelSelector,
      fieldSelector,
      resourceVersion,
      timeoutSeconds,
      allowWatchBookmarks: options.allowWatchBookmarks || undefined,
    };
    const req: RestRequest = { method: 'GET', path, query, signal };
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const deadline = new Deadline(req, this.timeoutMs, reject);
      deadline.watch(this.send(req, (res) => deadline.settle(() => resolve(res))));
    });
    if (res.statusCode !== 200) throw apiError({ statusCode: res.statusCode ?? 0, body: await readAll(res) });
    return new ResponseWatcher<T>(res, signal);
  }

  /** Closes every pooled connection, open watches included. */
  close(): void {
    this.agent.destroy();
  }

  /** Sends the request and reads the whole answer, all within the request's timeout. */
  private exchange(req: RestRequest): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const deadline = new Deadline(req, req.timeoutMs ?? this.timeoutMs, reject);
      const outgoing = this.send(req, (res) => {
        deadline.watch(res);
        readAll(res).then(
          (body) => deadline.settle(() => resolve({ statusCode: res.statusCode ?? 0, body })),
          (err: Error) => deadline.fail(err),
        );
      });
      deadline.watch(outgoing);
    });
  }

  /** Builds and sends the HTTP request; the caller listens for its errors. */
  private send(req: RestRequest, onResponse: (res: IncomingMessage) => void): ClientRequest {
    const url = new URL(this.base.href.replace(/\/$/, '') + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: OutgoingHttpHeaders = {
      Accept: req.accept ?? 'application/json',
      'User-Agent': this.userAgent,
    };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    if (body) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    const outgoing = httpsRequest(
      url,
      { method: req.method, headers, agent: this.agent, signal: req.signal },
      onResponse,
    );
    outgoing.end(body);
    return outgoing;
  }
}

/**
 * Deadline ends one exchange: with its result, with the first error of the streams it watches,
 * or, when the timeout passes first, by destroying those streams and failing with
 * RequestTimeoutError (rather than the "socket hang up" the destruction itself causes).
 */
class Deadline {
  private readonly streams: { destroy(err: Error): void }[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly timeout: RequestTimeoutError;
  private done = false;

  constructor(
    req: RestRequest,
    timeoutMs: number,
    private readonly reject: (err: Error) => void,
  ) {
    this.timeout = new RequestTimeoutError(req.method, req.path, timeoutMs);
    this.timer = timeoutMs > 0 ? setTimeout(() => this.expire(), timeoutMs) : undefined;
  }

  watch(stream: ClientRequest | IncomingMessage): void {
    this.streams.push(stream);
    stream.on('error', (err) => this.fail(err));
  }

  settle(finish: () => void): void {
    if (this.end()) finish();
  }

  fail(err: Error): void {
    if (this.end()) this.reject(err);
  }

  private expire(): void {
    if (!this.end()) return;
    for (const stream of this.streams) stream.destroy(this.timeout);
    this.reject(this.timeout);
  }

  /** True for the first outcome only; later ones (the errors a destruction causes) are dropped. */
  private end(): boolean {
    if (this.done) return false;
    this.done = true;
    clearTimeout(this.timer);
    return true;
  }
}

/** The verbs of one resource, scoped to one namespace (or none), as client-go's typed clients. */
export class ResourceClient<T extends KubeObject> {
  constructor(
    private readonly client: RestClient,
    readonly type: ResourceType<T>,
    readonly namespace: string,
  ) {}

  get(name: string, options: RequestOptions & { readonly resourceVersion?: string } = {}): Promise<T> {
    const { resourceVersion, ...rest } = options;
    return this.client.request<T>({
      ...rest,
      method: 'GET',
      path: this.path(name),
      query: { resourceVersion },
    });
  }

  /**
   * Lists the objects (one page with `limit`). Items carry apiVersion and kind, which a list's
   * items leave out on the wire, so they look like the objects a watch delivers.
   */
  async list(options: ListOptions = {}): Promise<ObjectList<T>> {
    const {
      labelSelector,
      fieldSelector,
      limit,
      continue: next,
      resourceVersion,
      resourceVersionMatch,
      ...rest
    } = options;
    const list = await this.client.request<ObjectList<T>>({
      ...rest,
      method: 'GET',
      path: this.path(),
      query: { labelSelector, fieldSelector, limit, continue: next, resourceVersion, resourceVersionMatch },
    });
    const { apiVersion, kind } = this.typeMeta();
    return { ...list, items: (list.items ?? []).map((item) => ({ apiVersion, kind, ...item })) };
  }

  /** Watches the resource (in this client's namespace, or all); see RestClient.watch. */
  watch(options: WatchOptions = {}): Promise<Watcher<T>> {
    return this.client.watch<T>(this.path(), options);
  }

  create(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.write('POST', this.path(undefined, undefined, this.namespaceOf(obj)), obj, options);
  }

  /** Replaces the object; its metadata.resourceVersion makes this fail with a Conflict if it changed meanwhile. */
  update(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.write('PUT', this.objectPath(obj), obj, options);
  }

  /** Replaces only the status (the /status subresource); changes to anything else are ignored. */
  updateStatus(obj: T, options: WriteOptions = {}): Promise<T> {
    return this.write('PUT', this.objectPath(obj, 'status'), obj, options);
  }

  patch(name: string, type: PatchType, patch: unknown, options: PatchOptions = {}): Promise<T> {
    const { subresource, dryRun, fieldValidation, ...rest } = options;
    return this.client.request<T>({
      ...rest,
      method: 'PATCH',
      path: this.path(name, subresource),
      query: writeQuery({ dryRun, fieldValidation }),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
    });
  }

  /**
   * Deletes the object. The answer is the object (marked with a deletionTimestamp when
   * finalizers or a grace period hold it back) or, from some servers and kinds, a Success Status.
   */
  delete(name: string, options: DeleteOptions = {}): Promise<T | Status> {
    const { gracePeriodSeconds, propagationPolicy, preconditions, dryRun, ...rest } = options;
    return this.client.request<T | Status>({
      ...rest,
      method: 'DELETE',
      path: this.path(name),
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        gracePeriodSeconds,
        propagationPolicy,
        preconditions,
        dryRun: dryRun ? ['All'] : undefined,
      },
    });
  }

  /** GET of a subresource: a Scale from "scale", the object from "status". */
  getSubresource<R>(name: string, subresource: string, options: RequestOptions = {}): Promise<R> {
    return this.client.request<R>({ ...options, method: 'GET', path: this.path(name, subresource) });
  }

  /** POST to a subresource: a Binding to "binding", an Eviction to "eviction". */
  createSubresource<R = Status>(
    name: string,
    subresource: string,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<R> {
    return this.write<R>('POST', this.path(name, subresource), body, options);
  }

  /** PUT to a subresource: a Scale to "scale". */
  updateSubresource<R>(
    name: string,
    subresource: string,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<R> {
    return this.write<R>('PUT', this.path(name, subresource), body, options);
  }

  private write<R>(method: 'POST' | 'PUT', path: string, body: unknown, options: WriteOptions): Promise<R> {
    const { dryRun, fieldValidation, ...rest } = options;
    return this.client.request<R>({
      ...rest,
      method,
      path,
      query: writeQuery({ dryRun, fieldValidation }),
      body,
    });
  }

  private typeMeta(): { apiVersion: string; kind: string } {
    const { group, version, kind } = this.type;
    return { apiVersion: group ? `${group}/${version}` : version, kind };
  }

  private namespaceOf(obj: T): string {
    return this.namespace || obj.metadata.namespace || '';
  }

  private objectPath(obj: T, subresource?: string): string {
    const name = obj.metadata.name;
    if (!name) throw new Error(`${this.type.plural}: the object to write has no metadata.name`);
    return this.path(name, subresource, this.namespaceOf(obj));
  }

  /** /api/v1/namespaces/<ns>/pods/<name>/<subresource>, or /apis/<group>/<version>/... */
  path(name?: string, subresource?: string, namespace = this.namespace): string {
    const { group, version, plural, namespaced } = this.type;
    let path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    if (namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
    else if (namespaced && name !== undefined) {
      throw new Error(`${plural} "${name}": a namespaced resource needs a namespace`);
    }
    path += `/${plural}`;
    if (name !== undefined) path += `/${pathSegment(name)}`;
    if (subresource) path += `/${subresource}`;
    return path;
  }
}

/**
 * A name as one path segment, escaped as Go's url.PathEscape escapes it (client-go's way): ':' and
 * '@' stay as they are, so system:coredns is asked for by that name.
 */
const pathSegment = (name: string) => encodeURIComponent(name).replaceAll('%3A', ':').replaceAll('%40', '@');

function writeQuery(options: Pick<WriteOptions, 'dryRun' | 'fieldValidation'>): Record<string, QueryValue> {
  return { dryRun: options.dryRun ? 'All' : undefined, fieldValidation: options.fieldValidation };
}

/** Reads a watch response line by line: the server writes one JSON event per line. */
class ResponseWatcher<T> implements Watcher<T> {
  private stopped = false;

  constructor(
    private readonly res: IncomingMessage,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.stop, { once: true });
  }

  readonly stop = (): void => {
    this.stopped = true;
    this.res.destroy();
  };

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    const decoder = new StringDecoder('utf8');
    let buffer = '';
    try {
      for await (const chunk of this.res) {
        buffer += decoder.write(chunk as Buffer);
        for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
          const line = buffer.slice(0, end).trim();
          buffer = buffer.slice(end + 1);
          if (line) yield JSON.parse(line) as WatchEvent<T>;
        }
      }
      const rest = (buffer + decoder.end()).trim();
      if (rest) yield JSON.parse(rest) as WatchEvent<T>;
    } catch (err) {
      if (!this.stopped) throw err;
    } finally {
      this.signal?.removeEventListener('abort', this.stop);
      // A consumer that stops iterating early must not leave the connection streaming.
      this.res.destroy();
    }
  }
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function apiError(answer: Answer): ApiError {
  const code = answer.statusCode;
  const text = answer.body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as Partial<Status>;
    if (parsed.kind === 'Status') return new ApiError({ ...parsed, code: parsed.code ?? code } as Status);
  } catch {
    // not JSON: described below from the HTTP code
  }
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason: REASONS_BY_CODE[code] ?? 'Unknown',
    message:
      text.trim() || `the server responded with the status code ${code} but did not return more information`,
  });
}
