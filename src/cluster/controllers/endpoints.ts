/**
 * EndpointsController keeps an Endpoints object, named after its Service, listing the pods the
 * Service selects, after pkg/controller/endpoint/endpoints_controller.go:
 *
 *   service and pod events ──> queue of service keys ──> syncService(key)
 *     - Service gone: delete its Endpoints.
 *     - Service without a selector: leave its Endpoints to whoever writes them.
 *     - otherwise: one subset per set of resolved ports, ready pods in `addresses`, the others in
 *       `notReadyAddresses` (all in `addresses` with publishNotReadyAddresses); terminating pods
 *       are left out. Written only when it changed.
 */
import type { EndpointAddress, EndpointSubset, Endpoints } from '../api/core/endpoints.ts';
import type { Pod } from '../api/core/pod.ts';
import type { Service } from '../api/core/service.ts';
import { semanticEqual } from '../api/equality.ts';
import { endpoints as endpointsResource } from '../api/resources.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isAlreadyExists, isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { runWorkers, splitKey } from './controller-utils.ts';
import { type Backend, enqueueServicesOfPods, podReference, serviceBackends } from './service-backends.ts';

export interface EndpointsControllerOptions {
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

export class EndpointsController {
  readonly queue: RateLimitingQueue<string>;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly endpoints: SharedInformer<Endpoints>;
  private readonly onError: (err: unknown) => void;
  /** The sync function, a field so tests can replace it, as in Kubernetes. */
  syncHandler = (key: string) => this.syncService(key);

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: EndpointsControllerOptions = {},
  ) {
    this.onError = options.onError ?? ((err) => console.error('endpoint-controller:', err));
    this.queue = new RateLimitingQueue<string>({ clock: options.clock ?? systemClock });
    ({ services: this.services, pods: this.pods } = enqueueServicesOfPods(informers, this.queue));
    this.endpoints = informers.forResource(endpointsResource);
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(
      [this.services, this.pods, this.endpoints].map((i) => i.waitForSync(signal)),
    );
    if (!synced.every(Boolean)) return;
    await runWorkers(this.queue, workers, this.syncHandler, signal, this.onError);
  }

  private async syncService(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const client = this.client.resource(endpointsResource, namespace);
    const service = this.services.store.get(key);
    if (!service) {
      await client.delete(name).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
      return;
    }
    if (!service.spec.selector) return;
    const publishNotReady = service.spec.publishNotReadyAddresses === true;
    const subsets: EndpointSubset[] = [];
    for (const group of serviceBackends(service, this.pods.store.byIndex('namespace', namespace))) {
      const live = group.backends.filter((b) => publishNotReady || !b.terminating);
      const ready = live.filter((b) => publishNotReady || b.serving).map(address);
      const notReady = live.filter((b) => !publishNotReady && !b.serving).map(address);
      if (ready.length === 0 && notReady.length === 0) continue;
      subsets.push({
        ...(ready.length ? { addresses: ready } : {}),
        ...(notReady.length ? { notReadyAddresses: notReady } : {}),
        ports: group.ports.map(({ name, ...p }) => (name ? { name, ...p } : p)),
      });
    }
    const labels = service.metadata.labels;
    const current = this.endpoints.store.get(key);
    if (
      current &&
      semanticEqual(current.subsets ?? [], subsets) &&
      semanticEqual(current.metadata.labels, labels)
    )
      return;
    const desired: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...current?.metadata, name, namespace, labels },
      subsets,
    };
    if (current) {
      await client.update(desired);
      return;
    }
    // The cache may not have seen our own create yet: update what is there instead.
    await client.create(desired).catch(async (err) => {
      if (!isAlreadyExists(err)) throw err;
      const live = await client.get(name);
      await client.update({
        ...desired,
        metadata: { ...desired.metadata, resourceVersion: live.metadata.resourceVersion },
      });
    });
  }
}

const address = (b: Backend): EndpointAddress => ({
  ip: b.ip,
  ...(b.pod.spec.nodeName ? { nodeName: b.pod.spec.nodeName } : {}),
  targetRef: podReference(b.pod),
});
