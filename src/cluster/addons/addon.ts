/**
 * What the lab's addons (cluster DNS, the ingress controller) share: each runs in the cluster as a
 * Deployment signed in as its own ServiceAccount, and `orch-lab up` installs it the way kubeadm
 * installs CoreDNS, by creating its objects through the API.
 * Each signs in with its pod's projected service-account token, as client-go's in-cluster
 * configuration does.
 */
import type { KubeObject } from '../api/meta.ts';
import type { ResourceType } from '../api/resources.ts';
import { isAlreadyExists, isNotFound, type RestClient } from '../client/rest-client.ts';

/**
 * Creates each object that is not there yet; one that exists is left as it is (a learner may have
 * changed it). It looks before it creates: a Service asking for its fixed cluster IP again would be
 * refused as Invalid (IP already allocated) before the name clash is noticed.
 */
export async function createMissing(
  client: RestClient,
  objects: readonly { type: ResourceType; object: KubeObject }[],
): Promise<void> {
  for (const { type, object } of objects) {
    const resource = client.resource(type, object.metadata.namespace);
    const exists = await resource.get(object.metadata.name ?? '').then(
      () => true,
      (err) => {
        if (isNotFound(err)) return false;
        throw err;
      },
    );
    if (exists) continue;
    await resource.create(object).catch((err) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }
}
