import { isDeepStrictEqual } from 'node:util';
import type { Pod, PodStatus } from '../../api/core/pod.ts';
import { pods } from '../../api/resources.ts';
import { isConflict, isNotFound, type RestClient } from '../../client/rest-client.ts';

/**
 * StatusManager is the kubelet's status manager (status/status_manager.go): it keeps the status the
 * kubelet last computed for each pod and writes it to pods/status only when it differs from what it
 * last wrote, so a pod synced every few seconds with nothing new costs the API server nothing.
 * Once a deleted pod's containers are gone it removes the object for good (grace period 0, with the
 * pod's uid as precondition so a new pod of the same name is safe), which is when
 * `kubectl delete pod` returns.
 */
export class StatusManager {
  private readonly written = new Map<string, PodStatus>();

  constructor(private readonly client: RestClient) {}

  /** The status last written for the pod, if any. */
  getPodStatus(uid: string): PodStatus | undefined {
    return this.written.get(uid);
  }

  /** Writes `status` unless it is what the pod already has; answers the pod as written. */
  async setPodStatus(pod: Pod, status: PodStatus): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const known = this.written.get(uid) ?? pod.status;
    if (isDeepStrictEqual(normalize(known), normalize(status))) {
      this.written.set(uid, status);
      return;
    }
    // A merge patch: lists (conditions, containerStatuses) are replaced whole, fields the kubelet
    // does not own (nominatedNodeName) stay. A field that went away is sent as null to clear it.
    const cleared = Object.fromEntries(
      Object.keys(known ?? {})
        .filter((k) => !(k in status) && k !== 'nominatedNodeName')
        .map((k) => [k, null]),
    );
    try {
      await this.client
        .resource(pods, pod.metadata.namespace)
        .patch(
          pod.metadata.name ?? '',
          'merge',
          { status: { ...cleared, ...status } },
          { subresource: 'status' },
        );
      this.written.set(uid, status);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Deletes the pod object now that nothing of it runs (canBeDeleted -> Delete with uid precondition). */
  async deletePod(pod: Pod): Promise<void> {
    try {
      await this.client.resource(pods, pod.metadata.namespace).delete(pod.metadata.name ?? '', {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      // Conflict: the uid precondition failed, a new pod of that name took the old one's place.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    this.forget(pod.metadata.uid ?? '');
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }
}

/** lastProbeTime null and an absent one are the same to a reader. */
function normalize(status: PodStatus | undefined): unknown {
  return JSON.parse(JSON.stringify(status ?? {}, (_k, v) => (v === null ? undefined : v)));
}
