import { type IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { namespaces } from '../api/core/register.ts';
import type { FieldValidation } from '../api/decode.ts';
import { notSupported, statusCauses } from '../api/field-error.ts';
import type { VersionInfo } from '../api/version.ts';
import type { AuditLog } from './audit.ts';
import type { AuthenticationResult, UserInfo } from './authn.ts';
import type { Attributes } from './authz/attributes.ts';
import type { AuthorizationDecision } from './authz/rbac.ts';
import { AGGREGATED_DISCOVERY_V2, type Discovery } from './discovery.ts';
import { buildHandlerChain } from './filters/chain.ts';
import type { RequestContext } from './filters/context.ts';
import { type ResourceHandlerDeps, serveResource } from './handlers/resource.ts';
import { acceptedMediaTypes, decodeBody, readBody, sendJSON, sendStatus, sendText } from './http.ts';
import type { ServedResource } from './registry/registration.ts';
import type { RequestInfo } from './request-info.ts';
import { badRequest, internalError, invalid, methodNotSupported, pathNotFound } from './status.ts';

/** Serves a resource computed by code rather than kept in storage (metrics.k8s.io). */
export type ComputedResource = (ctx: {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info: RequestInfo;
  readonly query: URLSearchParams;
}) => Promise<void>;

/** Serves non-resource paths a component adds (OpenAPI, the audit stream); undefined = not mine. */
export type PathHandler = (req: IncomingMessage, res: ServerResponse, user: UserInfo) => Promise<boolean>;

export interface ApiServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
  readonly authenticate: (req: IncomingMessage) => Promise<AuthenticationResult>;
  readonly authorize: (attributes: Attributes) => AuthorizationDecision;
  /** Served resources by "group/version/resource" ("/v1/pods" for the core group). */
  readonly served: ReadonlyMap<string, ServedResource>;
  /** Resources served by code, by the same "group/version/resource" keys. */
  readonly computed?: ReadonlyMap<string, ComputedResource>;
  readonly discovery: Discovery;
  readonly handlerDeps: ResourceHandlerDeps;
  readonly audit: AuditLog;
  readonly version: VersionInfo;
  readonly paths?: readonly PathHandler[];
  /** Health checks behind /healthz, /livez and /readyz. */
  readonly checks?: ReadonlyMap<string, () => boolean>;
}

export const storeKey = (group: string, version: string, resource: string) =>
  `${group}/${version}/${resource}`;

/**
 * ApiServer is the HTTPS front of the cluster: requests go through kube-apiserver's filter chain
 * (filters/chain.ts) to a route: discovery, health, OpenAPI, or a resource verb.
 */
export class ApiServer {
  private readonly server: Server;
  private readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Upgraded connections, which Node no longer counts as HTTP ones: close() ends them itself. */
  private readonly upgraded = new Set<Socket>();

  constructor(private readonly options: ApiServerOptions) {
    this.handle = buildHandlerChain((ctx) => this.route(ctx), options);
    this.server = createServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        ca: options.tls.ca,
        requestCert: true,
        rejectUnauthorized: false,
        // How often Node enforces headersTimeout and requestTimeout; its default (30 s) would let a
        // stalled client keep its socket for up to 30 s past either.
        connectionsCheckingInterval: 5_000,
      },
      (req, res) => {
        this.handle(req, res).catch((err) => sendStatus(res, internalError(err)));
      },
    );
    // Slow or half-open clients must not hold sockets forever. requestTimeout bounds receiving a
    // whole request, headers and body (kube-apiserver gives a request 60 s); a watch, a log stream
    // or an exec has received its request when it starts, so only its own timeout ends it.
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 60_000;
    this.server.keepAliveTimeout = 65_000;
    this.server.on('clientError', refuseMalformedRequest);
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    // Node hands CONNECT to a tunnel handler, or else drops the connection; it is a method we do not serve.
    this.server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
      socket.end(methodNotAllowedResponse()),
    );
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    for (const socket of this.upgraded) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * An upgrade request (exec and attach, over WebSocket or SPDY) takes the same path as any other:
   * kube-apiserver's filters authenticate, audit and authorize it before the handler that serves it
   * takes the connection over. A response on the socket answers it when it is refused; the
   * connection then closes, as it cannot go back to plain HTTP.
   */
  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (head.length > 0) socket.unshift(head);
    const res = new ServerResponse(req);
    res.assignSocket(socket);
    res.shouldKeepAlive = false;
    res.once('finish', () => socket.end());
    socket.on('error', () => socket.destroy());
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    this.handle(req, res).catch((err) => sendStatus(res, internalError(err)));
  }

  private route(ctx: RequestContext): Promise<void> {
    return ctx.info.isResourceRequest ? this.serveResource(ctx) : this.serveNonResource(ctx);
  }

  private async serveResource(ctx: RequestContext): Promise<void> {
    const { req, res, info, url, user } = ctx;
    const key = storeKey(info.apiGroup, info.apiVersion, info.resource);
    const computed = this.options.computed?.get(key);
    if (computed && !info.subresource) return computed({ req, res, info, query: url.searchParams });
    const served = this.options.served.get(key);
    if (!served) throw pathNotFound();
    const { namespaced } = served.store.resource;
    // Request info reads /api/v1/namespaces/x as namespace x, as kube's does; for the namespace
    // itself that is its name, and the resource is cluster-scoped.
    const isNamespace = served.store.resource === namespaces;
    const namespace = isNamespace ? '' : info.namespace;
    // A name or namespace becomes a storage key: kube-apiserver's key functions refuse what cannot be one.
    for (const [what, value] of [
      ['Name', info.name],
      ['Namespace', info.namespace],
    ] as const) {
      const problems = pathSegmentProblems(value);
      if (problems.length)
        throw badRequest(`${what} parameter invalid: ${JSON.stringify(value)}: ${problems.join(';')}`);
    }
    if (namespaced && info.name && !namespace) throw pathNotFound();
    if (!namespaced && info.namespace && !isNamespace) throw pathNotFound();
    const fieldValidation = parseFieldValidation(url.searchParams.get('fieldValidation'), info.verb);
    const dryRun = url.searchParams.getAll('dryRun').includes('All');
    let body: Promise<unknown> | undefined;
    await serveResource(
      {
        req,
        user,
        res,
        info,
        query: url.searchParams,
        store: served.store,
        scope: { namespace, dryRun, fieldValidation },
        body: () => {
          // Create, update and delete bodies are objects, read as kube-apiserver's decoder reads them.
          const typeMeta = ['create', 'update', 'delete', 'deletecollection'].includes(info.verb);
          body ??= readBody(req).then((data) => decodeBody(data, req.headers['content-type'], { typeMeta }));
          return body;
        },
        produced: (revision, name) => {
          ctx.audit.revision = revision;
          ctx.audit.createdName = name;
        },
      },
      served.registration,
      this.options.handlerDeps,
    );
  }

  private async serveNonResource(ctx: RequestContext): Promise<void> {
    const { req, res, url, user } = ctx;
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      for (const handler of this.options.paths ?? []) if (await handler(req, res, user)) return;
      throw methodNotSupported();
    }
    const { discovery } = this.options;
    const aggregated = acceptedMediaTypes(req.headers.accept).some(
      (m) =>
        m.params.g === 'apidiscovery.k8s.io' &&
        m.params.v === 'v2' &&
        m.params.as === 'APIGroupDiscoveryList',
    );
    const parts = path.split('/').filter(Boolean);
    if (path === '/version') return sendJSON(res, 200, this.options.version);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return this.health(res, path, url);
    if (path === '/api' || path === '/apis') {
      if (aggregated) {
        return sendJSON(res, 200, discovery.aggregated(path === '/api'), {
          'Content-Type': AGGREGATED_DISCOVERY_V2,
        });
      }
      const address = `${req.socket.localAddress}:${req.socket.localPort}`;
      return sendJSON(res, 200, path === '/api' ? discovery.apiVersions(address) : discovery.apiGroupList());
    }
    let doc: unknown;
    if (parts[0] === 'api' && parts.length === 2) doc = discovery.apiResourceList('', parts[1]!);
    else if (parts[0] === 'apis' && parts.length === 2) doc = discovery.apiGroup(parts[1]!);
    else if (parts[0] === 'apis' && parts.length === 3) doc = discovery.apiResourceList(parts[1]!, parts[2]!);
    if (doc) return sendJSON(res, 200, doc);
    for (const handler of this.options.paths ?? []) if (await handler(req, res, user)) return;
    throw pathNotFound();
  }

  private health(res: ServerResponse, path: string, url: URL): void {
    const checks = [...(this.options.checks ?? new Map<string, () => boolean>())].map(
      ([name, check]) => [name, check()] as const,
    );
    const ok = checks.every(([, passed]) => passed);
    if (!url.searchParams.has('verbose')) {
      sendText(res, ok ? 200 : 500, ok ? 'ok' : 'not ok');
      return;
    }
    const lines = [['ping', true] as const, ...checks].map(
      ([name, passed]) => `[${passed ? '+' : '-'}]${name} ${passed ? 'ok' : 'failed'}`,
    );
    const what = path.slice(1);
    sendText(res, ok ? 200 : 500, `${lines.join('\n')}\n${what} check ${ok ? 'passed' : 'failed'}\n`);
  }
}

/** apimachinery's IsValidPathSegmentName: what a name must not be, or contain, to be a path segment. */
function pathSegmentProblems(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** Node's own answers to requests its parser refuses, as it sends them when no listener is set. */
const PARSER_REFUSALS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Answers a request Node's HTTP parser refused. A method the parser does not know ("FOO") gets
 * the 405 Status kube-apiserver gives, since Go's server takes any method; anything else gets
 * Node's usual bare status line. Either way the connection closes, as the parser cannot go on.
 */
function refuseMalformedRequest(err: NodeJS.ErrnoException, socket: Duplex): void {
  // Node keeps a response in progress on the socket; its own handler writes nothing over one.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    if (err.code === 'HPE_INVALID_METHOD') {
      socket.end(methodNotAllowedResponse());
      return;
    }
    socket.write(
      `HTTP/1.1 ${PARSER_REFUSALS[err.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`,
    );
  }
  socket.destroy(err);
}

/** A whole HTTP response carrying the 405 Status, for connections no ServerResponse serves. */
function methodNotAllowedResponse(): string {
  const body = JSON.stringify(methodNotSupported().toStatus());
  return `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * The fieldValidation parameter. Only writes read it (into CreateOptions, UpdateOptions or
 * PatchOptions) and so only they refuse a bad value, with the 422 kube-apiserver gives:
 * CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "x": supported values: ...
 */
function parseFieldValidation(value: string | null, verb: string): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  const options = ({ create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions' } as const)[
    verb as 'create' | 'update' | 'patch'
  ];
  if (!options) return 'Warn';
  const supported = ['', 'Ignore', 'Strict', 'Warn'];
  throw invalid(
    'meta.k8s.io',
    options,
    '',
    statusCauses([notSupported('fieldValidation', value, supported)]),
  );
}
