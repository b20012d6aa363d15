/** The core ("" group, v1) resources, in the order kube-apiserver's discovery lists them. */

import {
  eventFields,
  metadataOnly,
  namespaceFields,
  nodeFields,
  podFields,
  replicasFields,
  secretFields,
  serviceFields,
} from '../fields.ts';
import {
  createOrUpdate,
  defineResource,
  scaleSubresource,
  statusSubresource,
  updateOf,
} from '../resource-type.ts';
import { Binding } from './binding.ts';
import { ConfigMap, Secret } from './config.ts';
import {
  defaultEndpoints,
  defaultNamespace,
  defaultNode,
  defaultPod,
  defaultReplicationController,
  defaultSecret,
  defaultService,
} from './defaults.ts';
import { Endpoints } from './endpoints.ts';
import { Event } from './event.ts';
import { Namespace } from './namespace.ts';
import { Node } from './node.ts';
import { Pod } from './pod.ts';
import { validatePod, validatePodUpdate } from './pod-validation.ts';
import { ReplicationController } from './replication-controller.ts';
import { Service } from './service.ts';
import { ServiceAccount } from './service-account.ts';
import { validateService, validateServiceUpdate } from './service-validation.ts';
import {
  validateBinding,
  validateConfigMap,
  validateConfigMapUpdate,
  validateEndpoints,
  validateEndpointsUpdate,
  validateEvent,
  validateEventUpdate,
  validateNamespace,
  validateNode,
  validateNodeUpdate,
  validateReplicationController,
  validateReplicationControllerUpdate,
  validateSecret,
  validateSecretUpdate,
  validateServiceAccount,
} from './validation.ts';

export const pods = defineResource<Pod>({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  shortNames: ['po'],
  namespaced: true,
  categories: ['all'],
  subresources: [
    statusSubresource('Pod'),
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ],
  storagePrefix: 'pods',
  schema: Pod,
  defaults: defaultPod,
  validate: createOrUpdate(validatePod, validatePodUpdate),
  fields: podFields,
});

export const nodes = defineResource<Node>({
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  subresources: [statusSubresource('Node')],
  storagePrefix: 'minions',
  schema: Node,
  defaults: defaultNode,
  validate: createOrUpdate(validateNode, validateNodeUpdate),
  fields: nodeFields,
});

export const namespaces = defineResource<Namespace>({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [statusSubresource('Namespace'), { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  storagePrefix: 'namespaces',
  schema: Namespace,
  defaults: defaultNamespace,
  validate: updateOf(validateNamespace),
  fields: namespaceFields,
});

export const services = defineResource<Service>({
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  shortNames: ['svc'],
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('Service')],
  storagePrefix: 'services/specs',
  schema: Service,
  defaults: defaultService,
  validate: createOrUpdate(validateService, validateServiceUpdate),
  fields: serviceFields,
});

export const endpoints = defineResource<Endpoints>({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  storagePrefix: 'services/endpoints',
  schema: Endpoints,
  defaults: defaultEndpoints,
  validate: createOrUpdate(validateEndpoints, validateEndpointsUpdate),
  fields: metadataOnly(true),
});

export const events = defineResource<Event>({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  namespaced: true,
  storagePrefix: 'events',
  schema: Event,
  validate: createOrUpdate(validateEvent, validateEventUpdate),
  fields: eventFields,
});

export const configMaps = defineResource<ConfigMap>({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  storagePrefix: 'configmaps',
  schema: ConfigMap,
  validate: createOrUpdate(validateConfigMap, validateConfigMapUpdate),
  fields: metadataOnly(true),
});

export const secrets = defineResource<Secret>({
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  storagePrefix: 'secrets',
  schema: Secret,
  defaults: defaultSecret,
  validate: createOrUpdate(validateSecret, validateSecretUpdate),
  fields: secretFields,
});

export const serviceAccounts = defineResource<ServiceAccount>({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  shortNames: ['sa'],
  namespaced: true,
  subresources: [
    { name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
  ],
  storagePrefix: 'serviceaccounts',
  schema: ServiceAccount,
  validate: updateOf(validateServiceAccount),
  fields: metadataOnly(true),
});

export const replicationControllers = defineResource<ReplicationController>({
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  shortNames: ['rc'],
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('ReplicationController'), scaleSubresource],
  storagePrefix: 'controllers',
  schema: ReplicationController,
  defaults: defaultReplicationController,
  validate: createOrUpdate(validateReplicationController, validateReplicationControllerUpdate),
  fields: replicasFields,
});

/** bindings: the older top-level way to bind a pod (pods/<name>/binding is the same). Nothing is stored. */
export const bindings = defineResource<Binding>({
  group: '',
  version: 'v1',
  kind: 'Binding',
  plural: 'bindings',
  namespaced: true,
  verbs: ['create'],
  storagePrefix: undefined,
  schema: Binding,
  validate: validateBinding,
  fields: metadataOnly(true),
});

export const coreResources = [
  pods,
  nodes,
  namespaces,
  services,
  endpoints,
  events,
  configMaps,
  secrets,
  serviceAccounts,
  replicationControllers,
  bindings,
] as const;
