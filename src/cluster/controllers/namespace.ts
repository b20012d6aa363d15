/**
 * NamespaceController empties namespaces being deleted, after pkg/controller/namespace. The API
 * server marks a deleted namespace (deletionTimestamp, phase Terminating) and keeps it while its
 * spec.finalizers hold "kubernetes"; this controller then deletes every namespaced object in it,
 * reports progress in the namespace's conditions, and once nothing is left removes its finalizer
 * through namespaces/<name>/finalize, which lets the namespace go.
 */
import type { Namespace } from '../api/core/namespace.ts';
import { formatTime, type KubeObject } from '../api/meta.ts';
import { namespaces, type ResourceType, resources } from '../api/resources.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isConflict, isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import { errorMessage, runWorkers } from './controller-utils.ts';

const FinalizerKubernetes = 'kubernetes';

export interface NamespaceControllerOptions {
  /** How soon a namespace whose content is still going (pods shutting down) is looked at again. */
  readonly recheckMs?: number;
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

/** resource.group as the namespace deleter prints it, dot and all: "pods.", "replicasets.apps". */
const groupResource = (type: ResourceType) => `${type.plural}.${type.group}`;

/** The conditions of a namespace being deleted, in Kubernetes' order, with their all-clear words. */
const ConditionsOk = [
  ['NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered', 'All resources successfully discovered'],
  [
    'NamespaceDeletionGroupVersionParsingFailure',
    'ParsedGroupVersions',
    'All legacy kube types successfully parsed',
  ],
  [
    'NamespaceDeletionContentFailure',
    'ContentDeleted',
    'All content successfully deleted, may be waiting on finalization',
  ],
  ['NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed'],
  ['NamespaceFinalizersRemaining', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
] as const;

type ConditionType = (typeof ConditionsOk)[number][0];

export class NamespaceController {
  readonly queue: RateLimitingQueue<string>;
  private readonly informer: SharedInformer<Namespace>;
  private readonly clock: Clock;
  private readonly recheckMs: number;
  private readonly onError: (err: unknown) => void;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: NamespaceControllerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.recheckMs = options.recheckMs ?? 1000;
    this.onError = options.onError ?? ((err) => console.error('namespace controller:', err));
    this.queue = new RateLimitingQueue<string>({ clock: this.clock });
    this.informer = informers.forResource(namespaces);
    const enqueue = (ns: Namespace) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name ?? '');
    };
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (!(await this.informer.waitForSync(signal))) return;
    await runWorkers(this.queue, workers, (name) => this.syncNamespace(name), signal, this.onError);
  }

  private async syncNamespace(name: string): Promise<void> {
    const ns = this.informer.store.get(name);
    if (!ns?.metadata.deletionTimestamp || !ns.spec.finalizers?.includes(FinalizerKubernetes)) return;
    const { remaining, finalizers, failures } = await this.deleteAllContent(name);
    const problems: Partial<Record<ConditionType, [reason: string, message: string]>> = {};
    if (failures.length > 0)
      problems.NamespaceDeletionContentFailure = ['ContentDeletionFailed', failures.join(', ')];
    if (remaining.length > 0) {
      problems.NamespaceContentRemaining = [
        'SomeResourcesRemain',
        `Some resources are remaining: ${remaining.join(', ')}`,
      ];
    }
    if (finalizers.length > 0) {
      problems.NamespaceFinalizersRemaining = [
        'SomeFinalizersRemain',
        `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`,
      ];
    }
    await this.updateConditions(ns, problems);
    if (failures.length > 0 || remaining.length > 0) {
      this.queue.addAfter(name, this.recheckMs);
      return;
    }
    await this.finalize(ns);
  }

  /**
   * Deletes every object of every namespaced resource, then counts what is still there (objects
   * waiting for a grace period or a finalizer), as deleteAllContent does.
   */
  private async deleteAllContent(namespace: string) {
    const remaining: string[] = [];
    const finalizerCounts = new Map<string, number>();
    const failures: string[] = [];
    for (const type of resources) {
      if (!type.namespaced || !type.verbs.includes('list') || !type.verbs.includes('delete')) continue;
      const typed = this.client.resource(type as ResourceType<KubeObject>, namespace);
      try {
        const { items } = await typed.list();
        await Promise.all(
          items
            .filter((obj) => !obj.metadata.deletionTimestamp)
            .map((obj) =>
              typed.delete(obj.metadata.name ?? '', { propagationPolicy: 'Background' }).catch((err) => {
                if (!isNotFound(err)) throw err;
              }),
            ),
        );
        const left = items.length > 0 ? (await typed.list()).items : [];
        if (left.length > 0) remaining.push(`${groupResource(type)} has ${left.length} resource instances`);
        for (const obj of left) {
          for (const f of obj.metadata.finalizers ?? [])
            finalizerCounts.set(f, (finalizerCounts.get(f) ?? 0) + 1);
        }
      } catch (err) {
        failures.push(`Failed to delete all resource types, 1 remaining: ${errorMessage(err)}`);
      }
    }
    const finalizers = [...finalizerCounts].map(([f, n]) => `${f} in ${n} resource instances`);
    return { remaining, finalizers, failures };
  }

  private async updateConditions(
    ns: Namespace,
    problems: Partial<Record<ConditionType, [reason: string, message: string]>>,
  ): Promise<void> {
    const now = formatTime(this.clock.now());
    const conditions = ConditionsOk.map(([type, okReason, okMessage]) => {
      const problem = problems[type];
      const status = problem ? 'True' : 'False';
      const previous = ns.status.conditions?.find((c) => c.type === type);
      return {
        type,
        status,
        lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : now,
        reason: problem?.[0] ?? okReason,
        message: problem?.[1] ?? okMessage,
      };
    });
    const same = (a: unknown, b: unknown) =>
      JSON.stringify(a, ['type', 'status', 'reason', 'message']) ===
      JSON.stringify(b, ['type', 'status', 'reason', 'message']);
    if (same(conditions, ns.status.conditions)) return;
    await this.client
      .resource(namespaces)
      .updateStatus({ ...ns, status: { ...ns.status, phase: 'Terminating', conditions } })
      .catch((err) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
  }

  /** Removes "kubernetes" from spec.finalizers through namespaces/<name>/finalize. */
  private async finalize(ns: Namespace): Promise<void> {
    const nsClient = this.client.resource(namespaces);
    const name = ns.metadata.name ?? '';
    const current = await nsClient.get(name).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!current) return;
    const finalizers = (current.spec.finalizers ?? []).filter((f) => f !== FinalizerKubernetes);
    await nsClient
      .updateSubresource(name, 'finalize', { ...current, spec: { ...current.spec, finalizers } })
      .catch((err) => {
        if (!isNotFound(err)) throw err;
      });
  }
}
