import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ListMeta } from '../../api/meta.ts';
import type { Clock } from '../../clock/clock.ts';
import type { UserInfo } from '../authn.ts';
import { BodyDecodeError, type ResponseShape, responseShape, sendJSON, warningHeaders } from '../http.ts';
import { applyPatch, patchTypeOf } from '../patch.ts';
import type { DeleteOptions, GenericStore, RequestScope } from '../registry/generic-store.ts';
import type { ResourceRegistration, SubresourceDeps } from '../registry/registration.ts';
import { selectionPredicate } from '../registry/selectors.ts';
import type { RequestInfo } from '../request-info.ts';
import { badRequest, methodNotSupported, pathNotFound, StatusError } from '../status.ts';
import type { ListResult } from '../storage/object-store.ts';
import { defaultConvertor } from '../tables/default.ts';
import { parseIncludeObject, toTable } from '../tables/types.ts';
import { WatchStream } from '../watch.ts';

/** Lays objects out as a meta.k8s.io/v1 Table with the resource's printer columns. */
function table<T extends KubeObject>(
  registration: ResourceRegistration<T>,
  objects: T[],
  list: ListMeta,
  query: URLSearchParams,
  now: Date,
): unknown {
  return toTable(registration.printer ?? defaultConvertor, objects, now, list, {
    includeObject: parseIncludeObject(query.get('includeObject')),
  });
}

export interface ResourceRequest<T extends KubeObject = KubeObject> {
  readonly req: IncomingMessage;
  readonly user: UserInfo;
  readonly res: ServerResponse;
  readonly info: RequestInfo;
  readonly query: URLSearchParams;
  readonly store: GenericStore<T>;
  readonly scope: RequestScope;
  /** Reads and decodes the body. */
  body(): Promise<unknown>;
  /** Records the store revision a write produced (and the name a create chose), for the audit log. */
  produced(revision: string | undefined, name?: string): void;
}

export interface ResourceHandlerDeps {
  readonly clock: Clock;
  /** What subresource handlers use beyond the request. */
  readonly subresources: SubresourceDeps;
  /** Default watch length when the client gives no timeoutSeconds (Kubernetes: 30-60 minutes). */
  readonly watchTimeoutMs?: number;
  readonly bookmarkIntervalMs?: number;
}

/**
 * Serves the verbs of one resource request, after k8s.io/apiserver's endpoints/handlers:
 * get, list, watch, create, update, patch, delete and deletecollection, each answered in the
 * representation the client asked for (object, Table, or metadata only).
 */
export async function serveResource<T extends KubeObject>(
  ctx: ResourceRequest<T>,
  registration: ResourceRegistration<T>,
  deps: ResourceHandlerDeps,
): Promise<void> {
  const { info, store, query, res, scope } = ctx;
  const shape = responseShape(ctx.req.headers.accept);
  const warnings: string[] = [];
  const reply = (code: number, obj: unknown) =>
    sendJSON(res, code, obj, warnings.length ? { Warning: warningHeaders(warnings) } : {});
  // A body that is no object at all is "unrecognized" as the kind this resource expects.
  const objectBody = () =>
    ctx.body().catch((err: unknown) => {
      throw err instanceof BodyDecodeError ? err.forKind(store.resource.kind) : err;
    });

  // A subresource the resource does not have has no route, as in kube-apiserver.
  if (info.subresource && !store.resource.subresources.some((s) => s.name === info.subresource)) {
    throw pathNotFound();
  }
  if (info.subresource && info.subresource !== 'status') {
    const handlers = registration.subresources ?? {};
    const handler = handlers[info.subresource as keyof typeof handlers];
    if (!handler) throw pathNotFound();
    return handler.call(handlers, ctx, deps.subresources);
  }
  if (!info.subresource && !store.resource.verbs.includes(info.verb)) throw methodNotSupported();
  if (registration.create) {
    if (info.verb !== 'create') throw methodNotSupported();
    return registration.create(ctx, deps.subresources);
  }
  // PUT and PATCH name their object; on a collection they have no route, as in kube-apiserver.
  if ((info.verb === 'update' || info.verb === 'patch') && !info.name) throw methodNotSupported();

  switch (info.verb) {
    case 'get': {
      const obj = await store.get(scope.namespace, info.name);
      if (shape === 'table') {
        return reply(
          200,
          table(
            registration,
            [obj],
            { resourceVersion: obj.metadata.resourceVersion ?? '' },
            query,
            new Date(deps.clock.now()),
          ),
        );
      }
      return reply(200, shape === 'metadata' ? partialMetadata(obj) : obj);
    }
    case 'list': {
      const list = await store.list(scope.namespace, listOptions(ctx));
      return reply(200, presentList(ctx, registration, list, shape, deps));
    }
    case 'watch':
      return watch(ctx, registration, deps, shape);
    case 'create': {
      if (info.name && !info.subresource) throw methodNotSupported();
      const result = await store.create(await objectBody(), scope);
      warnings.push(...result.warnings);
      ctx.produced(result.obj.metadata.resourceVersion, result.obj.metadata.name);
      return reply(201, result.obj);
    }
    case 'update': {
      const result = await store.update(info.name, await objectBody(), scope, info.subresource);
      warnings.push(...result.warnings);
      ctx.produced(result.obj.metadata.resourceVersion);
      return reply(result.created ? 201 : 200, result.obj);
    }
    case 'patch': {
      const type = patchTypeOf(ctx.req.headers['content-type']);
      const patch = await ctx.body();
      const obj = await store
        .guaranteedUpdate(
          scope,
          info.name,
          (current) => {
            const patched = applyPatch(type, current, patch);
            // A patch may not turn the object into another kind or version.
            store.checkTypeMeta(patched);
            // Parsing the patched object validates it as a whole, unknown fields included.
            const decoded = store.decodeBody(patched, scope.fieldValidation);
            warnings.push(...decoded.warnings);
            return decoded.obj;
          },
          info.subresource,
        )
        .catch((err) => Promise.reject(store.storageError(err, info.name)));
      if (!info.subresource) warnings.push(...(store.strategy.warnings?.(obj) ?? []));
      ctx.produced(obj.metadata.resourceVersion);
      return reply(200, obj);
    }
    case 'delete': {
      const options = await deleteOptions(ctx);
      const obj = await store.delete(info.name, withDryRun(scope, options), options);
      ctx.produced(obj.metadata.resourceVersion);
      return reply(200, obj);
    }
    case 'deletecollection': {
      const options = await deleteOptions(ctx);
      const deleteScope = withDryRun(scope, options);
      const list = await store.list(scope.namespace, listOptions(ctx));
      const deleted: T[] = [];
      for (const item of list.items) {
        const itemScope = { ...deleteScope, namespace: item.metadata.namespace ?? '' };
        deleted.push(await store.delete(item.metadata.name!, itemScope, options).catch(() => item));
      }
      return reply(200, listObject(store, { ...list, items: deleted }));
    }
    default:
      throw methodNotSupported();
  }
}

function listOptions<T extends KubeObject>(ctx: ResourceRequest<T>) {
  const { query, store } = ctx;
  const limit = int64Param(query, 'limit') ?? 0;
  if (limit < 0) throw badRequest(`invalid limit: ${query.get('limit')}`);
  const match = query.get('resourceVersionMatch');
  const rv = query.get('resourceVersion');
  return {
    limit,
    continue: query.get('continue') ?? undefined,
    // Only an Exact match pins the read; otherwise the newest state is always "not older than" asked.
    revision: match === 'Exact' && rv ? parseResourceVersion(rv) : undefined,
    predicate: selectionPredicate(store.resource, query.get('labelSelector'), query.get('fieldSelector')),
  };
}

/** A query parameter Kubernetes reads as an int64, refused in strconv.ParseInt's words. */
function int64Param(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const refuse = (why: string) => badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: ${why}`);
  if (!/^[+-]?\d+$/.test(value)) throw refuse('invalid syntax');
  const n = BigInt(value);
  if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) throw refuse('value out of range');
  return Number(n);
}

export function parseResourceVersion(rv: string): number {
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version "${rv}"`);
  return n;
}

function presentList<T extends KubeObject>(
  { store, query }: ResourceRequest<T>,
  registration: ResourceRegistration<T>,
  list: ListResult<T>,
  shape: ResponseShape,
  deps: ResourceHandlerDeps,
): unknown {
  const meta = {
    resourceVersion: String(list.revision),
    ...(list.continue ? { continue: list.continue } : {}),
    ...(list.remainingItemCount !== undefined ? { remainingItemCount: list.remainingItemCount } : {}),
  };
  if (shape === 'table') return table(registration, list.items, meta, query, new Date(deps.clock.now()));
  if (shape === 'metadata') {
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata: meta,
      items: list.items.map(partialMetadata),
    };
  }
  return listObject(store, list);
}

function listObject<T extends KubeObject>(store: GenericStore<T>, list: ListResult<T>): unknown {
  const { group, version, listKind } = store.resource;
  return {
    kind: listKind,
    apiVersion: group ? `${group}/${version}` : version,
    metadata: {
      resourceVersion: String(list.revision),
      ...(list.continue ? { continue: list.continue } : {}),
      ...(list.remainingItemCount !== undefined ? { remainingItemCount: list.remainingItemCount } : {}),
    },
    items: list.items.map(({ apiVersion: _a, kind: _k, ...item }) => item),
  };
}

export function partialMetadata(obj: KubeObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** kubectl and client-go put dryRun in the DeleteOptions body rather than the query. */
function withDryRun(scope: RequestScope, options: DeleteOptions & { dryRun?: unknown }): RequestScope {
  return Array.isArray(options.dryRun) && options.dryRun.includes('All') ? { ...scope, dryRun: true } : scope;
}

async function deleteOptions(ctx: ResourceRequest<KubeObject>): Promise<DeleteOptions> {
  const fromQuery: Record<string, unknown> = {};
  const grace = int64Param(ctx.query, 'gracePeriodSeconds');
  if (grace !== undefined) fromQuery.gracePeriodSeconds = grace;
  const policy = ctx.query.get('propagationPolicy');
  if (policy) fromQuery.propagationPolicy = policy;
  const hasBody = Number(ctx.req.headers['content-length'] ?? 0) > 0 || ctx.req.headers['transfer-encoding'];
  const body = hasBody ? ((await ctx.body()) as Record<string, unknown>) : {};
  const options = { ...body, ...fromQuery } as DeleteOptions & { orphanDependents?: boolean };
  if (options.orphanDependents === true && !options.propagationPolicy)
    return { ...options, propagationPolicy: 'Orphan' };
  const allowed = ['Background', 'Foreground', 'Orphan', undefined];
  if (!allowed.includes(options.propagationPolicy)) {
    throw new StatusError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${options.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  }
  return options;
}

async function watch<T extends KubeObject>(
  ctx: ResourceRequest<T>,
  registration: ResourceRegistration<T>,
  deps: ResourceHandlerDeps,
  shape: ResponseShape,
): Promise<void> {
  const { query, store, scope, info } = ctx;
  const predicate = selectionPredicate(
    store.resource,
    query.get('labelSelector'),
    query.get('fieldSelector'),
  );
  const rv = query.get('resourceVersion');
  const revision = rv ? parseResourceVersion(rv) : 0;
  const timeoutSeconds = int64Param(query, 'timeoutSeconds') ?? 0;
  const { group, version, kind } = store.resource;
  const stream = new WatchStream<T>(ctx.res, {
    timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : (deps.watchTimeoutMs ?? 30 * 60_000),
    bookmarkIntervalMs:
      query.get('allowWatchBookmarks') === 'true' ? (deps.bookmarkIntervalMs ?? 60_000) : undefined,
    bookmarkObject: (resourceVersion) => ({
      kind,
      apiVersion: group ? `${group}/${version}` : version,
      metadata: { resourceVersion },
    }),
    encode: (obj) => {
      if (shape === 'table') {
        return table(
          registration,
          [obj],
          { resourceVersion: obj.metadata.resourceVersion ?? '' },
          query,
          new Date(deps.clock.now()),
        );
      }
      return shape === 'metadata' ? partialMetadata(obj) : obj;
    },
  });
  // A selector turns a change into an arrival (ADDED) or a departure (DELETED) when the object
  // starts or stops matching, as Kubernetes' filtered watch does.
  const handle = await store.watch(
    scope.namespace,
    info.name,
    revision,
    (event) => {
      stream.observe(event.revision);
      if (!predicate) return stream.send(event);
      const now = event.type !== 'DELETED' && predicate(event.object);
      const before = event.previous !== undefined && predicate(event.previous);
      if (event.type === 'ADDED') return now ? stream.send(event) : true;
      if (event.type === 'DELETED') return before ? stream.send(event) : true;
      if (now && before) return stream.send(event);
      if (now) return stream.send({ ...event, type: 'ADDED' });
      if (before) return stream.send({ ...event, type: 'DELETED' });
      return true;
    },
    (err) => stream.fail(err.toStatus()),
  );
  stream.observe(handle.startRevision - 1);
  stream.onDrain(() => handle.resume());
  stream.onClose(() => handle.cancel());
}
