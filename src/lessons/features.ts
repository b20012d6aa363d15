import { ingressClasses, services } from '../cluster/api/resources.ts';
import { isNotFound, type RestClient } from '../cluster/client/rest-client.ts';
import type { Feature } from './schema.ts';

/**
 * The features a cluster offers the lessons, found through its API so that any cluster answers
 * for itself: Services work where cluster DNS runs (the kube-dns Service, as kubeadm, kind and
 * orch-lab's own addon name it; kube-proxy comes with it), Ingress where an IngressClass exists,
 * and the store's keys outside /registry only where the caller has the lab's etcd face.
 */
export async function detectFeatures(client: RestClient, options: { etcd: boolean }): Promise<Set<Feature>> {
  const found = new Set<Feature>(options.etcd ? ['etcd'] : []);
  const dns = await client
    .resource(services, 'kube-system')
    .get('kube-dns')
    .catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (dns) found.add('services');
  if ((await client.resource(ingressClasses).list({ limit: 1 })).items.length > 0) found.add('ingress');
  return found;
}
