import { request as httpRequest } from 'node:http';
import type { KubeObject } from '../cluster/api/meta.ts';
import {
  deployments,
  events,
  findKind,
  ingresses,
  nodes,
  pods,
  type ResourceType,
  resources,
  services,
} from '../cluster/api/resources.ts';
import { isNotFound, type RestClient } from '../cluster/client/rest-client.ts';
import { RevisionAnnotation } from '../cluster/controllers/deployment/util.ts';
import type { KV } from '../cluster/etcd/kv.ts';
import type { Text } from './language.ts';
import { say } from './messages.ts';
import { matchField } from './paths.ts';
import type { Check, FieldMatcher } from './schema.ts';

/** What a check reads the cluster with. */
export interface CheckContext {
  readonly client: RestClient;
  /** The lesson's namespace: checks that name none look there. */
  readonly namespace: string;
  /** The store's etcd face, for keys outside /registry; undefined against a cluster without one. */
  readonly etcd?: Pick<KV, 'range'>;
  /**
   * Lines typed at the UI's prompt since the step began; undefined where nobody can see what is
   * typed (the CLI), which makes `typed` checks report that they are checked in the UI only.
   */
  readonly typed?: readonly string[];
}

/** A check's verdict and, either way, what it saw: "Pods (app=web): 2 with ..., want at least 3". */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail: Text;
  /** The check cannot be decided here (a typed command, seen only by the UI). */
  readonly uiOnly?: boolean;
}

/** The resource of apiVersion + kind, from the catalog of kinds the lab serves. */
export function resourceOf(apiVersion: string, kind: string): ResourceType {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  const type = findKind(group, kind);
  if (!type) throw new Error(`no resource for ${apiVersion} ${kind}`);
  return type;
}

/** The resources a check reads, so the engine can re-check when their informers report changes. */
export function watchedBy(check: Check): ResourceType[] {
  if ('objects' in check) return [resourceOf(check.objects.apiVersion, check.objects.kind)];
  if ('rollout' in check) return [deployments];
  if ('event' in check) return [events];
  if ('log' in check) return [pods];
  if ('http' in check) return [services, ingresses, pods];
  if ('storeKey' in check) {
    const found = registryKey(check.storeKey.key);
    return found ? [found.type] : [];
  }
  return [];
}

/** Whether a check can only be decided by polling: nothing the API watches tells it changed. */
export const needsPolling = (check: Check): boolean =>
  'http' in check || 'log' in check || ('storeKey' in check && !registryKey(check.storeKey.key));

export async function evaluate(check: Check, ctx: CheckContext): Promise<CheckResult> {
  try {
    if ('objects' in check) return await objectsCheck(check.objects, ctx);
    if ('rollout' in check) return await rolloutCheck(check.rollout, ctx);
    if ('event' in check) return await eventCheck(check.event, ctx);
    if ('storeKey' in check) return await storeKeyCheck(check.storeKey, ctx);
    if ('http' in check) return await httpCheck(check.http, ctx);
    if ('log' in check) return await logCheck(check.log, ctx);
    return typedCheck(check.typed, ctx);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, detail: say((m) => m.check.couldNotCheck(message)) };
  }
}

type ObjectsSpec = Extract<Check, { objects: unknown }>['objects'];

async function objectsCheck(spec: ObjectsSpec, ctx: CheckContext): Promise<CheckResult> {
  const type = resourceOf(spec.apiVersion, spec.kind);
  const client = ctx.client.resource(type, type.namespaced ? (spec.namespace ?? ctx.namespace) : '');
  let items: KubeObject[];
  if (spec.name) {
    const obj = await client.get(spec.name).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    items = obj ? [obj] : [];
  } else {
    items = (await client.list({ labelSelector: spec.selector })).items;
  }
  const matchers: FieldMatcher[] = [...spec.where];
  if (spec.phase) matchers.push({ path: '.status.phase', equals: spec.phase });
  if (spec.ready !== undefined) {
    matchers.push({
      path: '.status.conditions[?(@.type=="Ready")].status',
      equals: spec.ready ? 'True' : 'False',
    });
  }
  const live = items.filter((obj) => !obj.metadata.deletionTimestamp);
  const matching = live.filter((obj) => matchers.every((m) => matchField(obj, m).ok));
  const count = spec.count ?? { atLeast: 1 };
  const ok =
    count.equals !== undefined ? matching.length === count.equals : matching.length >= (count.atLeast ?? 1);
  // Why the nearest miss failed helps more than the count alone.
  const miss = ok ? undefined : live.find((obj) => !matchers.every((m) => matchField(obj, m).ok));
  const failed = miss && matchers.find((m) => !matchField(miss, m).ok)!;
  const detail = say(
    (m) =>
      m.check.objects({
        kind: spec.kind,
        name: spec.name,
        selector: spec.selector,
        matching: matching.length,
        conditions: matchers.map(m.check.matcher),
        wanted: count,
      }) +
      (miss && failed
        ? m.check.nearestMiss(miss.metadata.name ?? '', failed.path, matchField(miss, failed).found)
        : ''),
  );
  return { ok, detail };
}

async function rolloutCheck(
  spec: Extract<Check, { rollout: unknown }>['rollout'],
  ctx: CheckContext,
): Promise<CheckResult> {
  const d = await ctx.client
    .resource(deployments, spec.namespace ?? ctx.namespace)
    .get(spec.name)
    .catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (!d) return { ok: false, detail: say((m) => m.check.deploymentNotFound(spec.name)) };
  const revision = Number(d.metadata.annotations?.[RevisionAnnotation] ?? 0);
  const replicas = d.spec.replicas ?? 1;
  const status = d.status ?? {};
  // kubectl rollout status's rule (polymorphichelpers.DeploymentStatusViewer).
  const complete =
    (d.metadata.generation ?? 0) <= (status.observedGeneration ?? 0) &&
    (status.updatedReplicas ?? 0) >= replicas &&
    (status.replicas ?? 0) <= (status.updatedReplicas ?? 0) &&
    (status.availableReplicas ?? 0) >= (status.updatedReplicas ?? 0);
  const ok = complete && revision === spec.revision && !d.spec.paused;
  const state = d.spec.paused
    ? 'paused'
    : complete
      ? 'complete'
      : { updated: status.updatedReplicas ?? 0, replicas };
  return { ok, detail: say((m) => m.check.rollout(spec.name, revision, spec.revision, state)) };
}

async function eventCheck(
  spec: Extract<Check, { event: unknown }>['event'],
  ctx: CheckContext,
): Promise<CheckResult> {
  const list = await ctx.client.resource(events, spec.namespace ?? ctx.namespace).list();
  const seen = list.items
    .filter((e) => e.reason === spec.reason)
    .filter((e) => !spec.involvedKind || e.involvedObject.kind === spec.involvedKind)
    .filter((e) => !spec.involvedName || e.involvedObject.name === spec.involvedName)
    .reduce((n, e) => n + (e.count ?? 1), 0);
  return {
    ok: seen >= spec.atLeast,
    detail: say((m) =>
      m.check.events({
        reason: spec.reason,
        kind: spec.involvedKind,
        name: spec.involvedName,
        seen,
        atLeast: spec.atLeast,
      }),
    ),
  };
}

/**
 * The resource and object behind a /registry key, as kube-apiserver lays them out:
 * /registry/<prefix>/<namespace>/<name>, or /registry/<prefix>/<name> for cluster-scoped kinds.
 */
export function registryKey(
  key: string,
): { type: ResourceType; namespace: string; name: string } | undefined {
  if (!key.startsWith('/registry/')) return undefined;
  const rest = key.slice('/registry/'.length);
  for (const type of resources) {
    if (!type.storagePrefix || !rest.startsWith(`${type.storagePrefix}/`)) continue;
    const parts = rest.slice(type.storagePrefix.length + 1).split('/');
    if (type.namespaced && parts.length === 2) return { type, namespace: parts[0]!, name: parts[1]! };
    if (!type.namespaced && parts.length === 1) return { type, namespace: '', name: parts[0]! };
  }
  return undefined;
}

async function storeKeyCheck(
  spec: Extract<Check, { storeKey: unknown }>['storeKey'],
  ctx: CheckContext,
): Promise<CheckResult> {
  let value: unknown;
  let revision = 0;
  const found = registryKey(spec.key);
  if (found) {
    const obj = await ctx.client
      .resource(found.type, found.namespace)
      .get(found.name)
      .catch((err) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    // The API's resourceVersion is the key's mod revision in the store.
    value = obj;
    revision = Number(obj?.metadata.resourceVersion ?? 0);
  } else {
    if (!ctx.etcd) return { ok: false, detail: say((m) => m.check.outsideRegistry(spec.key)) };
    const answer = await ctx.etcd.range({ key: Buffer.from(spec.key) });
    const kv = answer.kvs[0];
    if (kv) {
      value = { value: kv.value.toString('utf8'), lease: kv.lease.toString(16), version: kv.version };
      revision = kv.modRevision;
    }
  }
  if (value === undefined) return { ok: !spec.exists, detail: say((m) => m.check.noSuchKey(spec.key)) };
  if (!spec.exists) return { ok: false, detail: say((m) => m.check.stillThere(spec.key, revision)) };
  const failed = spec.where.find((m) => !matchField(value, m).ok);
  if (failed) {
    const found = matchField(value, failed).found;
    return {
      ok: false,
      detail: say((m) => m.check.keyMismatch(spec.key, revision, m.check.matcher(failed), found)),
    };
  }
  return { ok: true, detail: say((m) => m.check.keyAt(spec.key, revision)) };
}

type HttpSpec = Extract<Check, { http: unknown }>['http'];

async function httpCheck(spec: HttpSpec, ctx: CheckContext): Promise<CheckResult> {
  const target = spec.url ? { url: spec.url } : await targetOf(spec, ctx);
  if (!target.url) return { ok: false, detail: target.missing ?? say((m) => m.check.noAddressYet) };
  const answer = await httpGet(target.url, spec.ingress?.host).then(
    (body) => ({ body }),
    (err: Error) => ({ error: err.message }),
  );
  const ok = 'body' in answer && answer.body.includes(spec.expect);
  const where = spec.ingress ? `${target.url} (Host: ${spec.ingress.host})` : target.url;
  return {
    ok,
    detail: say((m) =>
      ok
        ? m.check.answered(where, spec.expect)
        : `${where}: ${'body' in answer ? answer.body.trim().slice(0, 80) : m.check.noAnswer(answer.error)}`,
    ),
  };
}

/** GET from the host, with a Host header of its own if given (which fetch would not send). */
function httpGet(url: string, host?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { headers: host ? { Host: host } : {}, agent: false, timeout: 2000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve(body));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The URL a Service or an Ingress answers at from the host, or why there is none yet. */
async function targetOf(spec: HttpSpec, ctx: CheckContext): Promise<{ url?: string; missing?: Text }> {
  if (spec.ingress) {
    const { name, namespace, path } = spec.ingress;
    const ing = await ctx.client.resource(ingresses, namespace ?? ctx.namespace).get(name);
    const ip = ing.status?.loadBalancer?.ingress?.[0]?.ip;
    return ip ? { url: `http://${ip}${path}` } : { missing: say((m) => m.check.ingressNoAddress(name)) };
  }
  const service = spec.service!;
  const url = await serviceUrl(service, ctx);
  return url ? { url } : { missing: say((m) => m.check.serviceNoAddress(service.name, service.via)) };
}

/** Where a Service answers from the host, by the way it is exposed. */
async function serviceUrl(
  spec: NonNullable<Extract<Check, { http: unknown }>['http']['service']>,
  ctx: CheckContext,
): Promise<string | undefined> {
  const svc = await ctx.client.resource(services, spec.namespace ?? ctx.namespace).get(spec.name);
  const port = svc.spec.ports?.[0];
  if (!port) return undefined;
  if (spec.via === 'clusterIP')
    return svc.spec.clusterIP ? `http://${svc.spec.clusterIP}:${port.port}${spec.path}` : undefined;
  if (spec.via === 'loadBalancer') {
    const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
    return ip ? `http://${ip}:${port.port}${spec.path}` : undefined;
  }
  if (!port.nodePort) return undefined;
  const nodeList = await ctx.client.resource(nodes).list();
  const ip = nodeList.items
    .flatMap((n) => n.status?.addresses ?? [])
    .find((a) => a.type === 'InternalIP')?.address;
  return ip ? `http://${ip}:${port.nodePort}${spec.path}` : undefined;
}

async function logCheck(
  spec: Extract<Check, { log: unknown }>['log'],
  ctx: CheckContext,
): Promise<CheckResult> {
  const namespace = spec.namespace ?? ctx.namespace;
  const text = await ctx.client
    .requestText({
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(spec.pod)}/log`,
      query: { container: spec.container, tailLines: 200 },
    })
    .catch((err: Error) => `(${err.message})`);
  const ok = new RegExp(spec.matches, 'm').test(text);
  const where = `${spec.pod}${spec.container ? `/${spec.container}` : ''}`;
  return {
    ok,
    detail: say((m) => (ok ? m.check.logShows : m.check.logNotYet)(where, spec.matches)),
  };
}

function typedCheck(pattern: string, ctx: CheckContext): CheckResult {
  if (!ctx.typed) return { ok: false, uiOnly: true, detail: say((m) => m.check.uiOnly) };
  const re = new RegExp(pattern);
  const ok = ctx.typed.some((line) => re.test(line));
  return { ok, detail: say((m) => (ok ? m.check.typed : m.check.waitingForTyped(pattern))) };
}
