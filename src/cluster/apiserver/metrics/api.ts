import type { Node } from '../../api/core/node.ts';
import type { Pod } from '../../api/core/pod.ts';
import { nodes, pods } from '../../api/core/register.ts';
import { formatTime, goDuration, type KubeObject } from '../../api/meta.ts';
import {
  type ContainerMetrics,
  METRICS_GROUP,
  METRICS_VERSION,
  type NodeMetrics,
  type PodMetrics,
  type ResourceList,
} from '../../api/metrics/types.ts';
import { formatQuantity } from '../../api/quantity.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import type { Clock } from '../../clock/clock.ts';
import type { DiscoveredResource } from '../discovery.ts';
import { responseShape, sendJSON } from '../http.ts';
import type { StoreLookup } from '../registry/registration.ts';
import { selectionPredicate } from '../registry/selectors.ts';
import type { ComputedResource } from '../server.ts';
import { methodNotSupported, notFound } from '../status.ts';
import { parseIncludeObject, type TableConvertor, toTable } from '../tables/types.ts';
import { nodeMetricsConvertor, podMetricsConvertor } from './printers.ts';
import type { Scraper } from './scraper.ts';
import type { MetricsStorage, Usage } from './storage.ts';

const apiVersion = `${METRICS_GROUP}/${METRICS_VERSION}` as const;

/** The two resources of metrics.k8s.io/v1beta1, as metrics-server registers them: read-only. */
const resource = (kind: string, plural: string, namespaced: boolean): DiscoveredResource => ({
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  kind,
  plural,
  singular: '',
  shortNames: [],
  namespaced,
  verbs: ['get', 'list'],
  categories: [],
  subresources: [],
});
const nodeMetricsResource = resource('NodeMetrics', 'nodes', false);
const podMetricsResource = resource('PodMetrics', 'pods', true);

export interface MetricsApiDeps {
  readonly stores: StoreLookup;
  readonly scraper: Scraper;
  readonly storage: MetricsStorage;
  readonly clock: Clock;
}

/**
 * metricsResources serves metrics.k8s.io as metrics-server's API does (pkg/api/node.go, pod.go):
 * each NodeMetrics or PodMetrics is built for the Node or Pod of that name, labels included, so a
 * label selector picks the same objects as it would for nodes and pods; one without metrics yet
 * is left out of a list and NotFound on a get.
 */
export function metricsResources(
  deps: MetricsApiDeps,
): { resource: DiscoveredResource; serve: ComputedResource }[] {
  const serve =
    <T extends KubeObject, M extends NodeMetrics | PodMetrics>(
      core: ResourceType<T>,
      kind: M['kind'],
      build: (obj: T) => M | undefined,
      convertor: TableConvertor<M>,
    ): ComputedResource =>
    async ({ req, info, query, res }) => {
      if (info.verb !== 'get' && info.verb !== 'list') throw methodNotSupported();
      const store = deps.stores(core);
      await deps.scraper.ready();
      let found: M[];
      if (info.verb === 'get') {
        const obj = await store.get(info.namespace, info.name).catch(() => undefined);
        const metrics = obj && build(obj);
        // metrics-server names its resources by kind: podmetrics.metrics.k8s.io "default/web" not found.
        if (!metrics) {
          const name = core.namespaced ? `${info.namespace}/${info.name}` : info.name;
          throw notFound({ group: METRICS_GROUP, resource: kind.toLowerCase() }, name);
        }
        found = [metrics];
      } else {
        const predicate = selectionPredicate(core, query.get('labelSelector'), query.get('fieldSelector'));
        const objects = (await store.list(info.namespace, { predicate })).items;
        found = objects.flatMap((obj) => build(obj) ?? []);
      }
      // `kubectl get nodes.metrics.k8s.io` asks for a Table, as for any resource.
      if (responseShape(req.headers.accept) === 'table') {
        const includeObject = parseIncludeObject(query.get('includeObject'));
        return sendJSON(
          res,
          200,
          toTable(convertor, found, new Date(deps.clock.now()), {}, { includeObject }),
        );
      }
      if (info.verb === 'get') return sendJSON(res, 200, found[0]);
      sendJSON(res, 200, {
        kind: `${kind}List`,
        apiVersion,
        metadata: {},
        // A list's items carry no kind or apiVersion of their own, as Go encodes them.
        items: found.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => item),
      });
    };
  return [
    {
      resource: nodeMetricsResource,
      serve: serve(
        nodes,
        'NodeMetrics',
        (node) => nodeMetrics(node, deps.storage.nodeUsage(node.metadata.name ?? ''), deps.clock.now()),
        nodeMetricsConvertor,
      ),
    },
    {
      resource: podMetricsResource,
      serve: serve(
        pods,
        'PodMetrics',
        (pod) => podMetrics(pod, deps.storage, deps.clock.now()),
        podMetricsConvertor,
      ),
    },
  ];
}

function nodeMetrics(node: Node, usage: Usage | undefined, nowMs: number): NodeMetrics | undefined {
  if (!usage) return undefined;
  return {
    kind: 'NodeMetrics',
    apiVersion,
    metadata: metadataOf(node, nowMs),
    timestamp: formatTime(usage.timestampMs),
    window: goDuration(usage.windowMs),
    usage: resourceList(usage),
  };
}

function podMetrics(pod: Pod, storage: MetricsStorage, nowMs: number): PodMetrics | undefined {
  const usage = storage.podUsage(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
  if (!usage) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion,
    metadata: metadataOf(pod, nowMs),
    timestamp: formatTime(usage.timestampMs),
    window: goDuration(usage.windowMs),
    containers: usage.containers.map(
      (c): ContainerMetrics => ({ name: c.name, usage: resourceList(c.usage) }),
    ),
  };
}

/** The object's name, namespace and labels; created now, as metrics are never stored. */
function metadataOf(obj: KubeObject, nowMs: number) {
  const { name, namespace, labels } = obj.metadata;
  return {
    name,
    ...(namespace ? { namespace } : {}),
    creationTimestamp: formatTime(nowMs),
    ...(labels ? { labels } : {}),
  };
}

/** CPU in nanocores and memory in bytes, printed as metrics-server's quantities: "1234567n", "5120Ki". */
function resourceList(usage: Usage): ResourceList {
  return {
    cpu: formatQuantity({ nanos: BigInt(usage.cpuNanocores), format: 'DecimalSI' }),
    memory: formatQuantity({
      nanos: BigInt(Math.round(usage.memoryBytes)) * 1_000_000_000n,
      format: 'BinarySI',
    }),
  };
}
