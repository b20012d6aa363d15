/**
 * createAs runs a body through what the API server does before storing a new object: decode with
 * defaults, the pod admission defaults, and the resource's create preparation. What comes out
 * should equal `kubectl get -o json` on a real cluster, less what only storage adds (uid,
 * timestamps, resourceVersion, an allocated clusterIP, the service account token volume).
 */
import type { Pod } from '../../../api/core/pod.ts';
import {
  admitPodPriority,
  admitPodServiceAccount,
  admitPodTolerations,
} from '../../../api/core/pod-admission.ts';
import type { KubeObject } from '../../../api/meta.ts';
import type { ResourceType } from '../../../api/resource-type.ts';
import { decodeAs, pods } from '../../../api/resources.ts';
import { builtinRegistry } from '../index.ts';
import type { ResourceRegistration } from '../registration.ts';

export function createAs<T extends KubeObject>(type: ResourceType<T>, body: unknown): T {
  const result = decodeAs(type, body, 'Strict');
  if (!result.ok) throw new Error(JSON.stringify(result));
  const obj = result.object;
  if (isPod(type, obj)) {
    admitPodServiceAccount(obj);
    admitPodPriority(obj);
    admitPodTolerations(obj);
  }
  registrationOf(type).strategy?.prepareForCreate(obj);
  return obj;
}

/** registrationOf finds the registry module of a resource. */
export function registrationOf<T extends KubeObject>(type: ResourceType<T>): ResourceRegistration<T> {
  for (const registration of builtinRegistry) if (isRegistrationOf(registration, type)) return registration;
  throw new Error(`no registry module for ${type.plural}`);
}

function isRegistrationOf<T extends KubeObject>(
  registration: ResourceRegistration,
  type: ResourceType<T>,
): registration is ResourceRegistration<T> {
  return registration.resource === type;
}

function isPod(type: ResourceType<KubeObject>, _obj: KubeObject): _obj is Pod {
  return type === pods;
}
