/**
 * What kube-controller-manager's controllers share, after pkg/controller/controller_utils.go:
 * the worker loop, expectations, pod control (create and delete with Events), owner references,
 * pod readiness and the order in which surplus pods are deleted.
 */
import type { Pod, PodTemplateSpec } from '../api/core/pod.ts';
import type { KubeObject, OwnerReference } from '../api/meta.ts';
import { pods as podResource } from '../api/resources.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import type { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isApiError, isConflict, isNotFound, type RestClient } from '../client/rest-client.ts';
import { type Clock, systemClock } from '../clock/clock.ts';

/** "namespace/name", or "name" for cluster-scoped objects: the key of a work queue. */
export function keyOf(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? '');
}

export function splitKey(key: string): [namespace: string, name: string] {
  const slash = key.indexOf('/');
  return slash === -1 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
}

/** A create refused because its namespace is being deleted (the NamespaceTerminating cause). */
export function isNamespaceTerminating(err: unknown): boolean {
  return (
    isApiError(err) && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')
  );
}

/**
 * An error reporter for a controller's EventRecorder: events about objects in a namespace being
 * deleted cannot be written, and that is no news.
 */
export function eventErrors(onError: (err: unknown) => void): (err: unknown) => void {
  return (err) => {
    if (!isNamespaceTerminating(err)) onError(err);
  };
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * runWorkers is a controller's worker loop: `workers` loops take keys from the queue and call
 * `sync`; a key that synced is forgotten, one that threw is requeued with backoff ("returning an
 * error causes a requeue without a hot loop"). Resolves when the queue shuts down on `signal`.
 */
export async function runWorkers(
  queue: RateLimitingQueue<string>,
  workers: number,
  sync: (key: string) => Promise<void>,
  signal: AbortSignal,
  onError: (err: unknown) => void,
): Promise<void> {
  const stop = () => queue.shutDown();
  signal.addEventListener('abort', stop, { once: true });
  const worker = async () => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        if (!signal.aborted) await sync(key);
        queue.forget(key);
      } catch (err) {
        // A conflict only means the cache was behind a write: retry quietly, from fresher state.
        if (!isConflict(err)) onError(new Error(`syncing "${key}": ${errorMessage(err)}`));
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  signal.removeEventListener('abort', stop);
}

/** The owner reference with controller=true, if any. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller);
}

/**
 * resolveControllerRef: the object of `kind` in `store` that controls `obj`, if it still exists
 * (same uid); a controller with the same name made since is not the owner.
 */
export function resolveControllerRef<T extends KubeObject>(
  obj: KubeObject,
  kind: string,
  store: { get(key: string): T | undefined },
): T | undefined {
  const ref = getControllerOf(obj);
  if (ref?.kind !== kind) return undefined;
  const owner = store.get(`${obj.metadata.namespace ?? ''}/${ref.name}`);
  return owner?.metadata.uid === ref.uid ? owner : undefined;
}

/** The controller reference a controller puts on what it creates or adopts. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * ControllerExpectations remember, per controller key, how many creations and deletions the
 * controller has asked for and not yet seen in its informer. Until they are seen, the controller
 * does not count pods again: its cache is behind its own writes, and a burst of events would
 * otherwise create the same pods twice. Expectations older than five minutes are given up on.
 * Deletions are tracked by pod key (UIDTrackingControllerExpectations), so one pod seen deleted
 * twice (marked, then gone) counts once.
 */
export class ControllerExpectations {
  private readonly records = new Map<string, { add: number; deletes: Set<string>; at: number }>();

  constructor(private readonly clock: Clock = systemClock) {}

  satisfiedExpectations(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    return (r.add <= 0 && r.deletes.size === 0) || this.clock.now() - r.at > 5 * 60_000;
  }

  expectCreations(key: string, adds: number): void {
    this.records.set(key, { add: adds, deletes: new Set(), at: this.clock.now() });
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.records.set(key, { add: 0, deletes: new Set(podKeys), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.deletes.delete(podKey);
  }

  deleteExpectations(key: string): void {
    this.records.delete(key);
  }
}

/**
 * PodControl creates and deletes a controller's pods and records what happened on the controller,
 * in RealPodControl's words: SuccessfulCreate "Created pod: web-7c79c4bf97-x2x9z", FailedCreate
 * "Error creating: ...", SuccessfulDelete "Deleted pod: ...", FailedDelete "Error deleting: ...".
 */
export class PodControl {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
  ) {}

  async createPod(template: PodTemplateSpec, owner: KubeObject, extraLabels?: Record<string, string>) {
    const namespace = owner.metadata.namespace ?? 'default';
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...structuredClone(template.metadata),
        name: undefined,
        generateName: `${owner.metadata.name}-`,
        namespace,
        labels: { ...template.metadata.labels, ...extraLabels },
        ownerReferences: [newControllerRef(owner)],
      },
      spec: structuredClone(template.spec),
    } as unknown as Pod;
    try {
      const created = await this.client.resource(podResource, namespace).create(pod);
      await this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return created;
    } catch (err) {
      await this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
  }

  /** Deletes the pod; one already gone counts as deleted (and gets no event). */
  async deletePod(pod: Pod, owner: KubeObject): Promise<void> {
    const name = pod.metadata.name ?? '';
    try {
      await this.client.resource(podResource, pod.metadata.namespace).delete(name);
      await this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      await this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      throw err;
    }
  }
}

/**
 * slowStartBatch calls `fn` `count` times in batches of 1, 2, 4, ... and stops at the first
 * batch with a failure, so a controller whose pods are all refused (quota, a bad template) makes
 * one failing call instead of a hundred. Returns how many calls succeeded and the first error.
 */
export async function slowStartBatch(
  count: number,
  fn: () => Promise<unknown>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, 1); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.length - (failed ? results.filter((r) => r.status === 'rejected').length : 0);
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}

const conditionOf = (pod: Pod, type: string) => pod.status?.conditions?.find((c) => c.type === type);

/** Not finished and not being deleted: the pods that count towards a controller's replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The pod's Ready condition is True (set by its kubelet). */
export function isPodReady(pod: Pod): boolean {
  return conditionOf(pod, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds, by the Ready condition's lastTransitionTime. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = conditionOf(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : Number.NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const timeOf = (t: string | null | undefined) => (t ? Date.parse(t) : 0);
const restarts = (pod: Pod) =>
  Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
const deletionCost = (pod: Pod) =>
  Number(pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;

/**
 * Sorts pods least valuable first, as ActivePodsWithRanks does, so a scale-down removes those
 * that matter least: unscheduled before scheduled, Pending before Unknown before Running, not
 * ready before ready, lower pod-deletion-cost first, pods on crowded nodes (rank: more related pods
 * on the same node) first, ready for a shorter time first, more restarts first, newest first.
 */
export function sortPodsToDelete(pods: Pod[], related: readonly Pod[]): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    if (p.spec.nodeName && isPodActive(p))
      perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  }
  const rank = (p: Pod) => (p.spec.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  const keys = (p: Pod): number[] => [
    p.spec.nodeName ? 1 : 0,
    phaseRank[p.status?.phase ?? 'Pending'] ?? 0,
    isPodReady(p) ? 1 : 0,
    deletionCost(p),
    -rank(p),
    // Ready longer is worth more: a later transition sorts first.
    isPodReady(p) ? -timeOf(conditionOf(p, 'Ready')?.lastTransitionTime) : 0,
    -restarts(p),
    -timeOf(p.metadata.creationTimestamp),
  ];
  return [...pods].sort((a, b) => {
    const ka = keys(a);
    const kb = keys(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
}

/**
 * computeHash is the pod-template-hash: FNV-32a over the template (and, when there is one, the
 * collision count as eight bytes: the count little-endian, then zeros), its decimal digits mapped onto the alphabet of
 * rand.SafeEncodeString, which is why real hashes look like 7c79c4bf97. Kubernetes hashes Go's
 * spew rendering of the struct; this hashes the template's canonical JSON (sorted keys), so the
 * shape of the result is Kubernetes' but a given template hashes to a different value.
 */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  const bytes = [...Buffer.from(canonicalJSON(template), 'utf8')];
  if (collisionCount !== undefined) {
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    bytes.push(...extra);
  }
  let hash = 0x811c9dc5;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  const alphanums = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(hash)].map((c) => alphanums[c.charCodeAt(0) % alphanums.length]).join('');
}

function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJSON(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
