/**
 * The addons `orch-lab up` installs once a lab has nodes to run them: cluster DNS and the Ingress
 * controller. Process nodes share the host's network, where only loopback addresses can be bound,
 * so such a lab takes its Service addresses from loopback ranges too (see README "Services").
 */
import { services } from '../api/resources.ts';
import { isNotFound, type RestClient } from '../client/rest-client.ts';
import { installClusterDNS } from './dns.ts';
import { INGRESS_NAMESPACE, INGRESS_SERVICE, installIngressController } from './ingress.ts';

/** The service range of a lab with process nodes (a real cluster's default is 10.96.0.0/12). */
export const LOOPBACK_SERVICE_CIDR = '127.96.0.0/16';

export async function installLabAddons(options: { client: RestClient; serviceCIDR: string }): Promise<void> {
  await installClusterDNS(options);
  await installIngressController(options);
}

/** Where the host reaches the lab's Ingresses: the ingress controller Service's external IP, port 80. */
export async function ingressAddress(client: RestClient): Promise<string | undefined> {
  const svc = await client
    .resource(services, INGRESS_NAMESPACE)
    .get(INGRESS_SERVICE)
    .catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  const ip = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
  return ip ? `http://${ip}:80` : undefined;
}
