/**
 * createAs runs a body through what the API server does before storing a new object: decode with
 * defaults, the pod admission defaults, and the kind's create preparation. What comes out should
 * equal `kubectl get -o json` on a real cluster, less what only storage adds (uid, timestamps,
 * resourceVersion, an allocated clusterIP, the service account token volume).
 */

import type { Pod } from '../core/pod.ts';
import { admitPodPriority, admitPodServiceAccount, admitPodTolerations } from '../core/pod-admission.ts';
import type { KubeObject } from '../meta.ts';
import { decodeAs, type ResourceType } from '../resources.ts';

export function createAs<T extends KubeObject>(type: ResourceType<T>, body: unknown): T {
  const result = decodeAs(type, body, 'Strict');
  if (!result.ok) throw new Error(JSON.stringify(result));
  const obj = result.object;
  if (type.kind === 'Pod') {
    const pod = obj as unknown as Pod;
    admitPodServiceAccount(pod);
    admitPodPriority(pod);
    admitPodTolerations(pod);
  }
  type.lifecycle.prepareForCreate(obj);
  return obj;
}
