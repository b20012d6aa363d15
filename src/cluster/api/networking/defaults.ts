/** Defaulting for networking.k8s.io/v1: IngressClass parameters are cluster-scoped unless they say otherwise. */
import type { IngressClass } from './ingress.ts';

export function defaultIngressClass(ic: IngressClass): void {
  if (ic.spec.parameters) ic.spec.parameters.scope ??= 'Cluster';
}
