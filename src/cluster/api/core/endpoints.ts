/** core/v1 Endpoints: the pod addresses currently behind a service (kept up by the endpoints controller). */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { apiPackage, int32, listOf, optional, required, str } from '../schema.ts';
import { ObjectReference } from './references.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const EndpointAddress = core.struct('EndpointAddress', 'One backend address.', {
  ip: required(str, 'IP address of the backend, usually a pod IP.'),
  hostname: optional(str, 'Host name of the backend.'),
  nodeName: optional(str, 'Node the backend runs on.'),
  targetRef: optional(ObjectReference, 'The object behind the address, usually a pod.'),
});
export type EndpointAddress = z.infer<typeof EndpointAddress>;

export const EndpointPort = core.struct('EndpointPort', 'A port the backends listen on.', {
  name: optional(str, 'Must match the service port name.'),
  port: required(int32, 'Port number.'),
  protocol: optional(str, 'TCP (default), UDP or SCTP.'),
  appProtocol: optional(str, 'Application protocol hint.'),
});

export const EndpointSubset = core.struct('EndpointSubset', 'Addresses that all share the same ports.', {
  addresses: optional(listOf(EndpointAddress), 'Ready backends.'),
  notReadyAddresses: optional(listOf(EndpointAddress), 'Backends not ready yet (or failing readiness).'),
  ports: optional(listOf(EndpointPort), 'Ports of these backends.'),
});
export type EndpointSubset = z.infer<typeof EndpointSubset>;

export const Endpoints = core.kind(
  { group: '', version: 'v1', kind: 'Endpoints' },
  'The backend addresses of a service, named after it.',
  {
    ...objectFields('Standard object metadata.'),
    subsets: optional(listOf(EndpointSubset), 'Groups of addresses with their ports.'),
  },
);
export type Endpoints = z.infer<typeof Endpoints>;
