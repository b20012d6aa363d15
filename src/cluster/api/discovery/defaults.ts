/** Defaulting for discovery.k8s.io/v1: every port gets a name (possibly empty) and a protocol. */
import type { EndpointSlice } from './endpoint-slice.ts';

export function defaultEndpointSlice(slice: EndpointSlice): void {
  for (const port of slice.ports ?? []) {
    port.name ??= '';
    port.protocol ??= 'TCP';
  }
}
