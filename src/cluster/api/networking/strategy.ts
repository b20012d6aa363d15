/** Create and update rules of networking.k8s.io/v1 kinds (see ../strategy.ts). */
import { specChanged, withGeneration, withStatusSubresource } from '../strategy.ts';
import type { Ingress, IngressClass } from './ingress.ts';

export const ingressLifecycle = withStatusSubresource<Ingress>({
  initialStatus: () => ({ loadBalancer: {} }),
  generation: specChanged,
});

export const ingressClassLifecycle = withGeneration<IngressClass>(specChanged);
