/**
 * EndpointSliceController keeps the EndpointSlices of every Service with a selector, after
 * pkg/controller/endpointslice: one slice per set of resolved ports (at most 100 endpoints each is
 * Kubernetes' default; the lab keeps up to 1000, the API limit, in one slice), named
 * <service>-<random>, labelled kubernetes.io/service-name and
 * endpointslice.kubernetes.io/managed-by, owned by the Service so the garbage collector removes them
 * with it. Every pod is listed with its conditions: ready (serving and not terminating), serving
 * (passing readiness) and terminating.
 */
import type { Pod } from '../api/core/pod.ts';
import type { Service } from '../api/core/service.ts';
import type { Endpoint, EndpointSlice } from '../api/discovery/endpoint-slice.ts';
import { semanticEqual } from '../api/equality.ts';
import { endpointSlices as sliceResource } from '../api/resources.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { newControllerRef, runWorkers, splitKey } from './controller-utils.ts';
import {
  type BackendGroup,
  enqueueServicesOfPods,
  podReference,
  serviceBackends,
} from './service-backends.ts';

export const LabelServiceName = 'kubernetes.io/service-name';
export const LabelManagedBy = 'endpointslice.kubernetes.io/managed-by';
export const ControllerName = 'endpointslice-controller.k8s.io';

export interface EndpointSliceControllerOptions {
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

export class EndpointSliceController {
  readonly queue: RateLimitingQueue<string>;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly onError: (err: unknown) => void;
  /**
   * Slices this controller wrote that its cache may not show yet (Kubernetes' endpointSliceTracker):
   * without them a second sync right after a create would create the slice again.
   */
  private readonly created = new Map<string, EndpointSlice>();
  /** The sync function, a field so tests can replace it, as in Kubernetes. */
  syncHandler = (key: string) => this.syncService(key);

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: EndpointSliceControllerOptions = {},
  ) {
    this.onError = options.onError ?? ((err) => console.error('endpointslice-controller:', err));
    this.queue = new RateLimitingQueue<string>({ clock: options.clock ?? systemClock });
    ({ services: this.services, pods: this.pods } = enqueueServicesOfPods(informers, this.queue));
    this.slices = informers.forResource(sliceResource);
    // A slice changed or deleted by someone else is put back by syncing its Service.
    const enqueueOwner = (slice: EndpointSlice) => {
      const service = slice.metadata.labels?.[LabelServiceName];
      if (service && slice.metadata.labels?.[LabelManagedBy] === ControllerName)
        this.queue.add(`${slice.metadata.namespace}/${service}`);
    };
    this.slices.addEventHandler({
      onAdd: (slice) => this.created.delete(slice.metadata.name ?? ''),
      onUpdate: (_old, slice) => enqueueOwner(slice),
      onDelete: (slice) => {
        this.created.delete(slice.metadata.name ?? '');
        enqueueOwner(slice);
      },
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(
      [this.services, this.pods, this.slices].map((i) => i.waitForSync(signal)),
    );
    if (!synced.every(Boolean)) return;
    await runWorkers(this.queue, workers, this.syncHandler, signal, this.onError);
  }

  private async syncService(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const service = this.services.store.get(key);
    // A deleted Service's slices go with it through their owner reference.
    if (!service?.spec.selector || service.metadata.deletionTimestamp) return;
    const client = this.client.resource(sliceResource, namespace);
    const existing = [...this.created.values(), ...this.slices.store.byIndex('namespace', namespace)]
      .filter((s, i, all) => all.findIndex((o) => o.metadata.name === s.metadata.name) === i)
      .filter(
        (s) =>
          s.metadata.labels?.[LabelServiceName] === name &&
          s.metadata.labels?.[LabelManagedBy] === ControllerName,
      );
    const groups = serviceBackends(service, this.pods.store.byIndex('namespace', namespace));
    // A Service with no pods still has one slice, empty, as in Kubernetes (the placeholder slice).
    if (groups.length === 0) groups.push({ ports: [], backends: [] });
    const unused = [...existing];
    for (const group of groups) {
      const desired = this.desiredSlice(service, group);
      const match =
        unused.find((s) => semanticEqual(s.ports ?? [], desired.ports)) ?? unused.find(() => true);
      if (!match) {
        const created = await client.create(desired);
        this.created.set(created.metadata.name ?? '', created);
        continue;
      }
      unused.splice(unused.indexOf(match), 1);
      if (
        semanticEqual(match.ports ?? [], desired.ports) &&
        semanticEqual(match.endpoints, desired.endpoints) &&
        semanticEqual(match.metadata.labels, desired.metadata.labels)
      )
        continue;
      const updated = await client.update({
        ...desired,
        metadata: { ...match.metadata, labels: desired.metadata.labels },
      });
      if (this.created.has(updated.metadata.name ?? ''))
        this.created.set(updated.metadata.name ?? '', updated);
    }
    for (const slice of unused) {
      this.created.delete(slice.metadata.name ?? '');
      await client.delete(slice.metadata.name ?? '').catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }

  private desiredSlice(service: Service, group: BackendGroup): EndpointSlice {
    const endpoints: Endpoint[] = group.backends.map((b) => ({
      addresses: [b.ip],
      conditions: { ready: b.serving && !b.terminating, serving: b.serving, terminating: b.terminating },
      ...(b.pod.spec.nodeName ? { nodeName: b.pod.spec.nodeName } : {}),
      targetRef: podReference(b.pod),
    }));
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${service.metadata.name}-`,
        namespace: service.metadata.namespace,
        labels: {
          ...service.metadata.labels,
          [LabelServiceName]: service.metadata.name ?? '',
          [LabelManagedBy]: ControllerName,
        },
        ownerReferences: [newControllerRef(service)],
      },
      addressType: 'IPv4',
      endpoints,
      ports: group.ports.map((p) => ({ ...p })),
    };
  }
}
