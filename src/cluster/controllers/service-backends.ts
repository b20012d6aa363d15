/**
 * What the Endpoints and EndpointSlice controllers share, after pkg/controller/util/endpoint: which
 * pods back a Service, the port each Service port reaches on each pod (a targetPort by name is looked
 * up in that pod's containers, so two pods may differ), and the event wiring that turns Service and
 * Pod changes into Service keys.
 */
import type { Pod } from '../api/core/pod.ts';
import type { Service } from '../api/core/service.ts';
import { selectorFromSet } from '../api/labels.ts';
import { pods as podResource, services as serviceResource } from '../api/resources.ts';
import type { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { isPodReady, keyOf } from './controller-utils.ts';

/** One Service port as it lands on a pod. */
export interface BackendPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly appProtocol?: string;
}

/** One pod behind a Service. */
export interface Backend {
  readonly pod: Pod;
  readonly ip: string;
  /** Passing its readiness checks (the Ready condition), terminating or not. */
  readonly serving: boolean;
  readonly terminating: boolean;
}

/** Pods that resolve every Service port to the same numbers: one Endpoints subset, one slice. */
export interface BackendGroup {
  readonly ports: readonly BackendPort[];
  readonly backends: readonly Backend[];
}

/** The port a Service port reaches on `pod`: targetPort by number, or by the name of a container port. */
export function findPort(pod: Pod, port: NonNullable<Service['spec']['ports']>[number]): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const container of pod.spec.containers) {
    for (const p of container.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/**
 * The Service's backends grouped by resolved ports. Pods without an IP yet, and finished pods, are
 * left out; a pod that has no port a Service port names is left out of that port only.
 */
export function serviceBackends(service: Service, pods: readonly Pod[]): BackendGroup[] {
  const selector = selectorFromSet(service.spec.selector);
  const groups = new Map<string, { ports: BackendPort[]; backends: Backend[] }>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    const ip = pod.status?.podIP;
    if (!ip || phase === 'Succeeded' || phase === 'Failed') continue;
    if (!selector.matches(pod.metadata.labels)) continue;
    const ports: BackendPort[] = [];
    for (const p of service.spec.ports ?? []) {
      const port = findPort(pod, p);
      if (port === undefined) continue;
      ports.push({
        name: p.name ?? '',
        port,
        protocol: p.protocol ?? 'TCP',
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      });
    }
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, backends: [] };
    groups.set(key, group);
    group.backends.push({
      pod,
      ip,
      serving: isPodReady(pod),
      terminating: pod.metadata.deletionTimestamp !== undefined,
    });
  }
  for (const group of groups.values()) group.backends.sort((a, b) => compareIPs(a.ip, b.ip));
  return [...groups.values()];
}

const compareIPs = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

/** The pod as an endpoint's targetRef. */
export const podReference = (pod: Pod) => ({
  kind: 'Pod',
  namespace: pod.metadata.namespace,
  name: pod.metadata.name,
  uid: pod.metadata.uid,
});

/**
 * Wires Service and Pod events to `queue`: a Service by its own key, a Pod by the keys of every
 * selector Service in its namespace that matches it before or after the change.
 */
export function enqueueServicesOfPods(
  informers: SharedInformerFactory,
  queue: RateLimitingQueue<string>,
): { services: SharedInformer<Service>; pods: SharedInformer<Pod> } {
  const services = informers.forResource(serviceResource);
  const pods = informers.forResource(podResource);
  services.addEventHandler({
    onAdd: (svc) => queue.add(keyOf(svc)),
    onUpdate: (_old, svc) => queue.add(keyOf(svc)),
    onDelete: (svc) => queue.add(keyOf(svc)),
  });
  const enqueueFor = (...changed: Pod[]) => {
    const namespace = changed[0]?.metadata.namespace ?? '';
    for (const svc of services.store.byIndex('namespace', namespace)) {
      if (!svc.spec.selector) continue;
      const selector = selectorFromSet(svc.spec.selector);
      if (changed.some((pod) => selector.matches(pod.metadata.labels))) queue.add(keyOf(svc));
    }
  };
  pods.addEventHandler({
    onAdd: (pod) => enqueueFor(pod),
    onUpdate: (old, pod) => {
      if (old.metadata.resourceVersion !== pod.metadata.resourceVersion) enqueueFor(old, pod);
    },
    onDelete: (pod) => enqueueFor(pod),
  });
  return { services, pods };
}
