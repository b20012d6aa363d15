/**
 * services: created with their IP families defaulted and a cluster IP and node ports allocated
 * from the service CIDR and the node port range (allocation.ts); status only through
 * services/status, which the lab's load balancer controller writes.
 */
import { services as resource } from '../../../../api/core/register.ts';
import type { Service } from '../../../../api/core/service.ts';
import type { ResourceRegistration } from '../../registration.ts';
import { withStatusSubresource } from '../../strategy.ts';
import { ServiceAllocator } from './allocation.ts';
import { serviceConvertor } from './printer.ts';

/**
 * defaultServiceIPFamilies is what the service registry does on create in a single-stack IPv4
 * cluster such as the lab's: SingleStack IPv4, except that a headless service without a selector
 * asks for RequireDualStack (it gets whatever families the cluster has). Allocating the
 * clusterIP itself is the allocator's job.
 */
function defaultServiceIPFamilies(service: Service): void {
  const spec = service.spec;
  if (spec.type === 'ExternalName') return;
  const headlessWithoutSelector =
    spec.type === 'ClusterIP' && spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  spec.ipFamilyPolicy ??= headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack';
  if (!spec.ipFamilies?.length) spec.ipFamilies = ['IPv4'];
}

export const serviceStrategy = withStatusSubresource<Service>({
  initialStatus: () => ({ loadBalancer: {} }),
  onCreate: defaultServiceIPFamilies,
});

export const services: ResourceRegistration<Service> = {
  resource,
  strategy: serviceStrategy,
  hooks: ({ storage, options }) => new ServiceAllocator(storage, options).hooks(),
  printer: serviceConvertor,
};
