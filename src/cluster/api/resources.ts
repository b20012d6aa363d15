/**
 * The catalog of served resources: for each, the facts discovery publishes (names, short names,
 * verbs, categories, subresources, exactly as kube-apiserver v1.32 lists them), where it is
 * stored, its schema, and the hooks the API server's registry calls in this order:
 *
 *   create:  decodeAs -> admission -> lifecycle.prepareForCreate -> validate(obj)
 *   update:  decodeAs -> lifecycle.prepareForUpdate(obj, old) -> validate(obj, old)
 *   status:  decodeAs -> lifecycle.prepareForStatusUpdate(obj, old) -> validate(obj, old)
 *
 * decodeAs parses strictly (per fieldValidation) and applies the kind's defaults, so what reaches
 * storage reads back as it would from a real cluster.
 */
import type { z } from 'zod';
import { defaultDeployment, defaultReplicaSet } from './apps/defaults.ts';
import { Deployment } from './apps/deployment.ts';
import { ReplicaSet } from './apps/replica-set.ts';
import { deploymentLifecycle, replicaSetLifecycle } from './apps/strategy.ts';
import {
  validateDeployment,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
} from './apps/validation.ts';
import { SelfSubjectReview } from './authentication/self-subject-review.ts';
import { TokenRequest } from './authentication/token-request.ts';
import { SelfSubjectAccessReview } from './authorization/self-subject-access-review.ts';
import { SelfSubjectRulesReview } from './authorization/self-subject-rules-review.ts';
import { validateSelfSubjectAccessReview } from './authorization/validation.ts';
import { Scale } from './autoscaling/scale.ts';
import { validateScale } from './autoscaling/validation.ts';
import { defaultJob } from './batch/defaults.ts';
import { Job } from './batch/job.ts';
import { jobLifecycle } from './batch/strategy.ts';
import { validateJob, validateJobUpdate } from './batch/validation.ts';
import { Lease } from './coordination/lease.ts';
import { validateLease, validateLeaseUpdate } from './coordination/validation.ts';
import { Binding } from './core/binding.ts';
import { ConfigMap, Secret } from './core/config.ts';
import {
  defaultEndpoints,
  defaultNamespace,
  defaultNode,
  defaultPod,
  defaultReplicationController,
  defaultSecret,
  defaultService,
} from './core/defaults.ts';
import { Endpoints } from './core/endpoints.ts';
import { Event } from './core/event.ts';
import { Namespace } from './core/namespace.ts';
import { Node } from './core/node.ts';
import { Pod } from './core/pod.ts';
import { validatePod, validatePodUpdate } from './core/pod-validation.ts';
import { podTemplateWarnings, podWarnings } from './core/pod-warnings.ts';
import { ReplicationController } from './core/replication-controller.ts';
import { Service } from './core/service.ts';
import { ServiceAccount } from './core/service-account.ts';
import { validateService, validateServiceUpdate } from './core/service-validation.ts';
import {
  namespaceLifecycle,
  nodeLifecycle,
  podLifecycle,
  replicationControllerLifecycle,
  serviceLifecycle,
} from './core/strategy.ts';
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
} from './core/validation.ts';
import { type DecodeResult, decode, type FieldValidation } from './decode.ts';
import { defaultEndpointSlice } from './discovery/defaults.ts';
import { EndpointSlice } from './discovery/endpoint-slice.ts';
import { endpointSliceLifecycle } from './discovery/strategy.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './discovery/validation.ts';
import type { FieldError } from './field-error.ts';
import {
  eventFields,
  metadataOnly,
  namespaceFields,
  nodeFields,
  podFields,
  replicasFields,
  type SelectableFields,
  secretFields,
  serviceFields,
} from './fields.ts';
import { selectorFromLabelSelector, selectorFromSet } from './labels.ts';
import { DeleteOptions, type KubeObject } from './meta.ts';
import { defaultIngressClass } from './networking/defaults.ts';
import { Ingress, IngressClass } from './networking/ingress.ts';
import { ingressClassLifecycle, ingressLifecycle } from './networking/strategy.ts';
import {
  validateIngress,
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressUpdate,
} from './networking/validation.ts';
import { Eviction } from './policy/eviction.ts';
import { validateEviction } from './policy/validation.ts';
import { defaultRoleBinding } from './rbac/defaults.ts';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './rbac/rbac.ts';
import {
  validateClusterRole,
  validateClusterRoleBinding,
  validateClusterRoleBindingUpdate,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
} from './rbac/validation.ts';
import { asSent, type Lifecycle } from './strategy.ts';
import { validateDeleteOptions, validateObjectMetaUpdate } from './validation.ts';

/** A kind the API reads from request bodies: its schema, defaults and validation. */
export interface KindType<T> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly schema: z.ZodType<T>;
  /** Fill in defaults in place, as decoding does in Kubernetes. */
  defaults(obj: T): void;
  /** Validate a new object, or (with `old`) an update of `old`. */
  validate(obj: T, old?: T): FieldError[];
}

/** A subresource as discovery lists it; its kind may live in another group (pods/eviction is policy/v1). */
export interface Subresource {
  readonly name:
    | 'status'
    | 'scale'
    | 'binding'
    | 'eviction'
    | 'log'
    | 'exec'
    | 'attach'
    | 'portforward'
    | 'finalize'
    | 'token';
  readonly kind: string;
  readonly group?: string;
  readonly version?: string;
  readonly verbs: readonly string[];
}

/** Reads and writes the replica count of a scalable kind through an autoscaling/v1 Scale. */
export interface Scalable<T> {
  toScale(obj: T): Scale;
  setReplicas(obj: T, replicas: number): void;
}

export interface ResourceType<T extends KubeObject = KubeObject> extends KindType<T> {
  readonly listKind: string;
  /** The resource name in URLs: "pods". */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  /** "all" puts the resource in `kubectl get all`. */
  readonly categories: readonly string[];
  readonly subresources: readonly Subresource[];
  /** Where objects live under /registry (Kubernetes' historical names: nodes are "minions"); undefined if never stored. */
  readonly storagePrefix: string | undefined;
  /** PUT of a missing object creates it. */
  readonly allowCreateOnUpdate: boolean;
  readonly lifecycle: Lifecycle<T>;
  readonly fields: SelectableFields<T>;
  readonly scale?: Scalable<T>;
  /** Warnings about an accepted object, such as fields the lab stores but does not act on. */
  warnings?(obj: T): string[];
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const statusSubresource = (kind: string): Subresource => ({
  name: 'status',
  kind,
  verbs: ['get', 'patch', 'update'],
});
const scaleSubresource: Subresource = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update'],
};
const noDefaults = () => {};

type Definition<T extends KubeObject> = Omit<
  ResourceType<T>,
  | 'listKind'
  | 'singular'
  | 'verbs'
  | 'categories'
  | 'subresources'
  | 'shortNames'
  | 'allowCreateOnUpdate'
  | 'lifecycle'
  | 'defaults'
> &
  Partial<
    Pick<
      ResourceType<T>,
      | 'verbs'
      | 'categories'
      | 'subresources'
      | 'shortNames'
      | 'allowCreateOnUpdate'
      | 'lifecycle'
      | 'defaults'
    >
  >;

/** define fills in what nearly every resource shares: list kind, singular name, all verbs, no extras. */
function define<T extends KubeObject>(d: Definition<T>): ResourceType<T> {
  return {
    listKind: `${d.kind}List`,
    singular: d.kind.toLowerCase(),
    verbs: allVerbs,
    categories: [],
    subresources: [],
    shortNames: [],
    allowCreateOnUpdate: false,
    lifecycle: asSent,
    defaults: noDefaults,
    ...d,
  };
}

/** updateOf combines a create validator with the metadata rules of an update, for kinds with nothing more. */
function updateOf<T extends KubeObject>(
  validate: (obj: T) => FieldError[],
): (obj: T, old?: T) => FieldError[] {
  return (obj, old) =>
    old ? [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validate(obj)] : validate(obj);
}

function createOrUpdate<T>(create: (obj: T) => FieldError[], update: (obj: T, old: T) => FieldError[]) {
  return (obj: T, old?: T) => (old ? update(obj, old) : create(obj));
}

function scaleOf(obj: KubeObject, specReplicas: number, statusReplicas: number, selector: string): Scale {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: specReplicas },
    status: { replicas: statusReplicas, selector },
  };
}

export const pods = define<Pod>({
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
  lifecycle: podLifecycle,
  validate: createOrUpdate(validatePod, validatePodUpdate),
  fields: podFields,
  warnings: podWarnings,
});

export const nodes = define<Node>({
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
  lifecycle: nodeLifecycle,
  validate: createOrUpdate(validateNode, validateNodeUpdate),
  fields: nodeFields,
});

export const namespaces = define<Namespace>({
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
  lifecycle: namespaceLifecycle,
  validate: updateOf(validateNamespace),
  fields: namespaceFields,
});

export const services = define<Service>({
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
  lifecycle: serviceLifecycle,
  validate: createOrUpdate(validateService, validateServiceUpdate),
  fields: serviceFields,
});

export const endpoints = define<Endpoints>({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  storagePrefix: 'services/endpoints',
  allowCreateOnUpdate: true,
  schema: Endpoints,
  defaults: defaultEndpoints,
  validate: createOrUpdate(validateEndpoints, validateEndpointsUpdate),
  fields: metadataOnly(true),
});

export const events = define<Event>({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  namespaced: true,
  storagePrefix: 'events',
  allowCreateOnUpdate: true,
  schema: Event,
  validate: createOrUpdate(validateEvent, validateEventUpdate),
  fields: eventFields,
});

export const configMaps = define<ConfigMap>({
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

export const secrets = define<Secret>({
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

export const serviceAccounts = define<ServiceAccount>({
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

export const replicationControllers = define<ReplicationController>({
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
  lifecycle: replicationControllerLifecycle,
  warnings: podTemplateWarnings,
  validate: createOrUpdate(validateReplicationController, validateReplicationControllerUpdate),
  fields: replicasFields,
  scale: {
    toScale: (rc) =>
      scaleOf(rc, rc.spec.replicas ?? 0, rc.status.replicas, selectorFromSet(rc.spec.selector).toString()),
    setReplicas: (rc, n) => {
      rc.spec.replicas = n;
    },
  },
});

/** bindings: the older top-level way to bind a pod (pods/<name>/binding is the same). Nothing is stored. */
export const bindings = define<Binding>({
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

export const replicaSets = define<ReplicaSet>({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  shortNames: ['rs'],
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('ReplicaSet'), scaleSubresource],
  storagePrefix: 'replicasets',
  schema: ReplicaSet,
  defaults: defaultReplicaSet,
  lifecycle: replicaSetLifecycle,
  warnings: podTemplateWarnings,
  validate: createOrUpdate(validateReplicaSet, validateReplicaSetUpdate),
  fields: replicasFields,
  scale: {
    toScale: (rs) =>
      scaleOf(
        rs,
        rs.spec.replicas ?? 0,
        rs.status.replicas,
        selectorFromLabelSelector(rs.spec.selector).toString(),
      ),
    setReplicas: (rs, n) => {
      rs.spec.replicas = n;
    },
  },
});

export const deployments = define<Deployment>({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  shortNames: ['deploy'],
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('Deployment'), scaleSubresource],
  storagePrefix: 'deployments',
  schema: Deployment,
  defaults: defaultDeployment,
  lifecycle: deploymentLifecycle,
  warnings: podTemplateWarnings,
  validate: createOrUpdate(validateDeployment, validateDeploymentUpdate),
  fields: metadataOnly(true),
  scale: {
    toScale: (d) =>
      scaleOf(
        d,
        d.spec.replicas ?? 0,
        d.status.replicas ?? 0,
        selectorFromLabelSelector(d.spec.selector).toString(),
      ),
    setReplicas: (d, n) => {
      d.spec.replicas = n;
    },
  },
});

export const jobs = define<Job>({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('Job')],
  storagePrefix: 'jobs',
  schema: Job,
  defaults: defaultJob,
  lifecycle: jobLifecycle,
  warnings: podTemplateWarnings,
  validate: createOrUpdate(validateJob, validateJobUpdate),
  fields: metadataOnly(true),
});

export const leases = define<Lease>({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
  storagePrefix: 'leases',
  allowCreateOnUpdate: true,
  schema: Lease,
  validate: createOrUpdate(validateLease, validateLeaseUpdate),
  fields: metadataOnly(true),
});

export const endpointSlices = define<EndpointSlice>({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
  storagePrefix: 'endpointslices',
  schema: EndpointSlice,
  defaults: defaultEndpointSlice,
  lifecycle: endpointSliceLifecycle,
  validate: createOrUpdate(validateEndpointSlice, validateEndpointSliceUpdate),
  fields: metadataOnly(true),
});

export const ingresses = define<Ingress>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  subresources: [statusSubresource('Ingress')],
  storagePrefix: 'ingress',
  schema: Ingress,
  lifecycle: ingressLifecycle,
  validate: createOrUpdate(validateIngress, validateIngressUpdate),
  fields: metadataOnly(true),
});

export const ingressClasses = define<IngressClass>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  namespaced: false,
  storagePrefix: 'ingressclasses',
  schema: IngressClass,
  defaults: defaultIngressClass,
  lifecycle: ingressClassLifecycle,
  validate: createOrUpdate(validateIngressClass, validateIngressClassUpdate),
  fields: metadataOnly(false),
});

const rbacGroup = 'rbac.authorization.k8s.io';

export const roles = define<Role>({
  group: rbacGroup,
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  namespaced: true,
  storagePrefix: 'roles',
  allowCreateOnUpdate: true,
  schema: Role,
  validate: updateOf(validateRole),
  fields: metadataOnly(true),
});

export const clusterRoles = define<ClusterRole>({
  group: rbacGroup,
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
  storagePrefix: 'clusterroles',
  allowCreateOnUpdate: true,
  schema: ClusterRole,
  validate: updateOf(validateClusterRole),
  fields: metadataOnly(false),
});

export const roleBindings = define<RoleBinding>({
  group: rbacGroup,
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  namespaced: true,
  storagePrefix: 'rolebindings',
  allowCreateOnUpdate: true,
  schema: RoleBinding,
  defaults: defaultRoleBinding,
  validate: createOrUpdate(validateRoleBinding, validateRoleBindingUpdate),
  fields: metadataOnly(true),
});

export const clusterRoleBindings = define<ClusterRoleBinding>({
  group: rbacGroup,
  version: 'v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  namespaced: false,
  storagePrefix: 'clusterrolebindings',
  allowCreateOnUpdate: true,
  schema: ClusterRoleBinding,
  defaults: defaultRoleBinding,
  validate: createOrUpdate(validateClusterRoleBinding, validateClusterRoleBindingUpdate),
  fields: metadataOnly(false),
});

export const selfSubjectAccessReviews = define<SelfSubjectAccessReview>({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  namespaced: false,
  verbs: ['create'],
  storagePrefix: undefined,
  schema: SelfSubjectAccessReview,
  validate: validateSelfSubjectAccessReview,
  fields: metadataOnly(false),
});

export const selfSubjectRulesReviews = define<SelfSubjectRulesReview>({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectRulesReview',
  plural: 'selfsubjectrulesreviews',
  namespaced: false,
  verbs: ['create'],
  storagePrefix: undefined,
  schema: SelfSubjectRulesReview,
  validate: () => [],
  fields: metadataOnly(false),
});

export const selfSubjectReviews = define<SelfSubjectReview>({
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  namespaced: false,
  verbs: ['create'],
  storagePrefix: undefined,
  schema: SelfSubjectReview,
  validate: () => [],
  fields: metadataOnly(false),
});

/** Every served resource, in the order discovery lists them. */
export const resources: readonly ResourceType[] = [
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
  replicaSets,
  deployments,
  jobs,
  leases,
  endpointSlices,
  ingresses,
  ingressClasses,
  roles,
  clusterRoles,
  roleBindings,
  clusterRoleBindings,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  selfSubjectReviews,
];

/** Kinds that only travel as subresource or request bodies. */
export const scaleKind: KindType<Scale> = {
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  schema: Scale,
  defaults: noDefaults,
  validate: validateScale,
};

export const evictionKind: KindType<Eviction> = {
  group: 'policy',
  version: 'v1',
  kind: 'Eviction',
  schema: Eviction,
  defaults: noDefaults,
  validate: validateEviction,
};

export const tokenRequestKind: KindType<TokenRequest> = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'TokenRequest',
  schema: TokenRequest,
  defaults: noDefaults,
  validate: () => [],
};

export const deleteOptionsKind: KindType<DeleteOptions> = {
  group: 'meta.k8s.io',
  version: 'v1',
  kind: 'DeleteOptions',
  schema: DeleteOptions,
  defaults: noDefaults,
  validate: validateDeleteOptions,
};

/** findResource looks a resource up by the names a URL uses: group, version and plural. */
export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** findKind looks a resource up by group and kind, e.g. to follow an owner reference. */
export function findKind(group: string, kind: string): ResourceType | undefined {
  return resources.find((r) => r.group === group && r.kind === kind);
}

/** decodeAs parses a request body as the given kind and applies its defaults (see decode.ts). */
export function decodeAs<T>(
  type: KindType<T>,
  raw: unknown,
  fieldValidation: FieldValidation,
): DecodeResult<T> {
  const result = decode(type, raw, fieldValidation);
  if (result.ok) type.defaults(result.object);
  return result;
}
