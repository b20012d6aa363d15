import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AuditLog } from './audit.ts';
import type { AuthenticationResult, UserInfo } from './authn.ts';
import type { Attributes } from './authz/attributes.ts';
import { forbiddenStatus } from './authz/attributes.ts';
import type { AuthorizationDecision } from './authz/rbac.ts';
import { AGGREGATED_DISCOVERY_V2, type Discovery } from './discovery.ts';
import { type ResourceHandlerDeps, serveResource } from './handlers/resource.ts';
import { acceptedMediaTypes, decodeBody, readBody, sendJSON, sendStatus, sendText } from './http.ts';
import type { GenericStore } from './registry/generic-store.ts';
import type { FieldValidation } from './registry/strategy.ts';
import { type RequestInfo, requestInfo } from './request-info.ts';
import {
  badRequest,
  internalError,
  isStatusError,
  methodNotSupported,
  pathNotFound,
  StatusError,
  unauthorized,
} from './status.ts';

/** /version, as kubectl version prints it. */
export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
  readonly gitCommit: string;
  readonly gitTreeState: string;
  readonly buildDate: string;
  readonly goVersion: string;
  readonly compiler: string;
  readonly platform: string;
}

/** Serves non-resource paths a component adds (OpenAPI, the audit stream); undefined = not mine. */
export type PathHandler = (req: IncomingMessage, res: ServerResponse, user: UserInfo) => Promise<boolean>;

export interface ApiServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
  readonly authenticate: (req: IncomingMessage) => Promise<AuthenticationResult>;
  readonly authorize: (attributes: Attributes) => AuthorizationDecision;
  /** Stores by "group/version/resource" ("/v1/pods" for the core group). */
  readonly stores: ReadonlyMap<string, GenericStore>;
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
 * ApiServer is the HTTPS front of the cluster, with kube-apiserver's request path:
 * authenticate -> audit -> authorize -> route (discovery, health, or a resource verb).
 */
export class ApiServer {
  private readonly server: Server;

  constructor(private readonly options: ApiServerOptions) {
    this.server = createServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        ca: options.tls.ca,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        this.handle(req, res).catch((err) => sendStatus(res, internalError(err)));
      },
    );
    // Slow or half-open clients must not hold sockets forever; watches carry their own timeout.
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 65_000;
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
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = new Date();
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    let user: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    let revision: string | undefined;
    let decision: 'allow' | 'forbid' | undefined;
    res.on('finish', () =>
      this.options.audit.record({
        info,
        uri: req.url ?? '/',
        user,
        sourceIP: req.socket.remoteAddress ?? '',
        userAgent: req.headers['user-agent'],
        code: res.statusCode,
        received,
        revision,
        decision,
      }),
    );
    try {
      const authn = await this.options.authenticate(req);
      if (authn.status !== 'Authenticated') {
        if (authn.status === 'Anonymous') user = authn.user;
        throw unauthorized();
      }
      user = authn.user;
      const attributes: Attributes = {
        user,
        verb: info.verb,
        isResourceRequest: info.isResourceRequest,
        path: info.path,
        apiGroup: info.apiGroup,
        apiVersion: info.apiVersion,
        resource: info.resource,
        subresource: info.subresource,
        namespace: info.namespace,
        name: info.name,
      };
      const verdict = this.options.authorize(attributes);
      decision = verdict.decision === 'Allow' ? 'allow' : 'forbid';
      if (verdict.decision !== 'Allow') {
        const status = forbiddenStatus(attributes, verdict.reason);
        throw new StatusError(403, 'Forbidden', status.message, status.details);
      }
      if (info.isResourceRequest)
        await this.serveResource(req, res, info, url, user, (rv) => (revision = rv));
      else await this.serveNonResource(req, res, url, user);
    } catch (err) {
      if (isStatusError(err)) sendStatus(res, err);
      else sendStatus(res, internalError(err));
    }
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    url: URL,
    user: UserInfo,
    produced: (revision: string | undefined) => void,
  ): Promise<void> {
    const store = this.options.stores.get(storeKey(info.apiGroup, info.apiVersion, info.resource));
    if (!store) throw pathNotFound();
    const namespaced = store.strategy.resource.namespaced;
    // A namespaced object needs a namespace to be named; the namespace's own URL is its name.
    const namespace = info.resource === 'namespaces' ? '' : info.namespace;
    if (namespaced && info.name && !namespace) throw pathNotFound();
    if (!namespaced && info.namespace && info.resource !== 'namespaces') throw pathNotFound();
    const fieldValidation = parseFieldValidation(url.searchParams.get('fieldValidation'));
    const dryRun = url.searchParams.getAll('dryRun').includes('All');
    let body: Promise<unknown> | undefined;
    await serveResource(
      {
        req,
        user,
        res,
        info,
        query: url.searchParams,
        store,
        scope: { namespace, dryRun, fieldValidation },
        body: () => {
          body ??= readBody(req).then((data) => decodeBody(data, req.headers['content-type']));
          return body;
        },
        produced,
      },
      this.options.handlerDeps,
    );
  }

  private async serveNonResource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    user: UserInfo,
  ): Promise<void> {
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

function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${value}"`);
}
