/** discovery.k8s.io/v1 EndpointSlice: a scalable slice of a service's backends. */
import type { z } from 'zod';
import { ObjectReference } from '../core/references.ts';
import { objectFields } from '../meta.ts';
import {
  apiPackage,
  bool,
  int32,
  listOf,
  optional,
  required,
  str,
  stringMap,
  strings,
  zero,
} from '../schema.ts';

const discovery = apiPackage('io.k8s.api.discovery.v1');

export const EndpointConditions = discovery.struct('EndpointConditions', 'Readiness of one endpoint.', {
  ready: optional(bool, 'Ready to receive traffic (serving and not terminating).'),
  serving: optional(bool, 'Passing readiness, whether or not terminating.'),
  terminating: optional(bool, 'Shutting down.'),
});

export const ForZone = discovery.struct('ForZone', 'A zone an endpoint should serve.', {
  name: required(str, 'Zone name.'),
});

export const EndpointHints = discovery.struct('EndpointHints', 'Hints for topology-aware routing.', {
  forZones: optional(listOf(ForZone), 'Zones this endpoint should serve.'),
});

export const Endpoint = discovery.struct('Endpoint', 'One backend: its addresses, readiness and location.', {
  addresses: required(strings, 'Addresses of the backend, of the slice address type (1 to 100).'),
  conditions: optional(EndpointConditions, 'Readiness.'),
  hostname: optional(str, 'Host name of the backend.'),
  targetRef: optional(ObjectReference, 'The object behind it, usually a pod.'),
  deprecatedTopology: optional(stringMap, 'Deprecated topology labels.'),
  nodeName: optional(str, 'Node the backend runs on.'),
  zone: optional(str, 'Zone the backend runs in.'),
  hints: optional(EndpointHints, 'Routing hints.'),
});
export type Endpoint = z.infer<typeof Endpoint>;

export const EndpointPort = discovery.struct('EndpointPort', 'A port of the backends.', {
  name: optional(str, 'Must match the service port name; empty by default.'),
  protocol: optional(str, 'TCP (default), UDP or SCTP.'),
  port: optional(int32, 'Port number; unset means all ports.'),
  appProtocol: optional(str, 'Application protocol hint.'),
});

export const EndpointSlice = discovery.kind(
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' },
  'A subset of the backends of a service; the label kubernetes.io/service-name names the service.',
  {
    ...objectFields('Standard object metadata.'),
    addressType: required(str, 'IPv4, IPv6 or FQDN; cannot change.'),
    endpoints: zero(listOf(Endpoint), [], 'The backends, at most 1000.'),
    ports: optional(listOf(EndpointPort), 'Ports of all the backends, at most 100.'),
  },
);
export type EndpointSlice = z.infer<typeof EndpointSlice>;
