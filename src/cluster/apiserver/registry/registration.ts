/**
 * ResourceRegistration is one resource's registry module, as upstream's pkg/registry/<group>/<resource>
 * is one package: what the API says about the resource (src/cluster/api), and what the API server
 * adds to it here, all typed for the resource's kind:
 *
 *   resource      names, schema, defaults, validation, selectable fields      (api/<group>/register.ts)
 *   strategy      create/update preparation, status subresource, warnings     (registry/strategy.ts)
 *   hooks         admission, graceful deletion, what the object holds outside itself
 *   subresources  handlers of the subresources the resource lists, but status (the generic store's)
 *   create        for a resource that is answered rather than stored (the reviews, bindings)
 *   printer       the Table `kubectl get` prints
 *
 * Every registration is listed once, in registry/index.ts; discovery, OpenAPI, the stores and the
 * Table responses all follow from that list.
 */
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceType, SubresourceName } from '../../api/resource-type.ts';
import type { Clock } from '../../clock/clock.ts';
import type { ServiceAccountTokenGenerator, UserInfo } from '../authn.ts';
import type { Attributes } from '../authz/attributes.ts';
import type { AuthorizationDecision, UserRules } from '../authz/rbac.ts';
import type { ResourceRequest } from '../handlers/resource.ts';
import type { KubeletClient } from '../kubelet-client.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TableConvertor } from '../tables/types.ts';
import type { PodAdmissionOptions } from './core/pod/admission.ts';
import type { ServiceAllocationOptions } from './core/service/allocation.ts';
import type { GenericStore, StoreHooks } from './generic-store.ts';
import type { Strategy } from './strategy.ts';

/** The store of any served resource, typed by the resource asked for. */
export type StoreLookup = <T extends KubeObject>(resource: ResourceType<T>) => GenericStore<T>;

/** The API server's flags that shape what registries do (kube-apiserver's --service-cluster-ip-range, ...). */
export interface RegistryOptions extends ServiceAllocationOptions, PodAdmissionOptions {}

/** What hooks may use: the object storage (for what a registry keeps beside its objects) and other stores. */
export interface RegistryDeps {
  readonly storage: ObjectStore;
  readonly stores: StoreLookup;
  readonly options: RegistryOptions;
}

/** What subresource handlers may use beyond the request. */
export interface SubresourceDeps {
  readonly stores: StoreLookup;
  readonly authorize: (attributes: Attributes) => AuthorizationDecision;
  /** How pods/log, pods/exec, pods/attach and pods/portforward reach the kubelets. */
  readonly kubelet: KubeletClient;
  readonly rulesFor: (user: UserInfo, namespace: string) => UserRules;
  /** Signs the tokens serviceaccounts/token hands out. */
  readonly tokens: ServiceAccountTokenGenerator;
  readonly clock: Clock;
}

/** Serves one request of a subresource (or of a resource answered by code); `ctx.store` is the resource's. */
export type SubresourceHandler<T extends KubeObject> = (
  ctx: ResourceRequest<T>,
  deps: SubresourceDeps,
) => Promise<void>;

/**
 * The handlers of a resource's subresources, by the name discovery lists ("pods/binding" is
 * `binding`). Status is not here: the generic store serves it with the strategy's
 * prepareForStatusUpdate. Written as methods so that a registration of pods is also a
 * registration of objects in general, which the list of every registration holds.
 */
export interface SubresourceHandlers<T extends KubeObject> {
  binding?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  eviction?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  log?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  exec?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  attach?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  portforward?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  finalize?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  token?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  scale?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
}

export interface ResourceRegistration<T extends KubeObject = KubeObject> {
  /** What the API says about the resource (src/cluster/api/<group>/register.ts). */
  readonly resource: ResourceType<T>;
  /** Create and update rules; without one, objects are stored as sent (registry/strategy.ts asSent). */
  readonly strategy?: Strategy<T>;
  /** Hooks around writes, built once the stores exist. */
  hooks?(deps: RegistryDeps): StoreHooks<T>;
  /** Handlers of the subresources `resource.subresources` lists, status excepted. */
  readonly subresources?: SubresourceHandlers<T>;
  /**
   * Serves POST for a resource that is answered rather than stored, as an upstream REST storage that
   * implements only rest.Creater (SelfSubjectAccessReview, Binding). Such a resource has no
   * storagePrefix and allows only create.
   */
  create?(ctx: ResourceRequest<T>, deps: SubresourceDeps): Promise<void>;
  /** The Table of `kubectl get`; without one, NAME and CREATED AT (tables/default.ts). */
  readonly printer?: TableConvertor<T>;
}

/**
 * registrationProblems lists what does not fit between a registration and the API's facts: a
 * listed subresource without a handler (or the other way round), a status subresource without
 * status rules, a resource answered by code that claims storage. The API server refuses to start
 * with any, and registry/index.test.ts checks the built-in list.
 */
export function registrationProblems(registration: ResourceRegistration): string[] {
  const { resource, strategy, subresources = {}, create } = registration;
  const name = `${resource.plural}.${resource.group || 'core'}`;
  const problems: string[] = [];
  const listed = new Set<SubresourceName>(resource.subresources.map((s) => s.name));
  for (const sub of listed) {
    if (sub !== 'status' && !(sub in subresources)) problems.push(`${name}: no handler for ${sub}`);
  }
  for (const sub of Object.keys(subresources)) {
    if (!listed.has(sub as SubresourceName)) problems.push(`${name}: ${sub} is served but not listed`);
  }
  if (listed.has('status') !== Boolean(strategy?.prepareForStatusUpdate)) {
    problems.push(`${name}: a status subresource needs prepareForStatusUpdate, and only it`);
  }
  if ((resource.storagePrefix === undefined) !== Boolean(create)) {
    problems.push(`${name}: a resource without storage is served by create, and only it`);
  }
  return problems;
}

/** A registration with its store, as the API server serves it. */
export interface ServedResource<T extends KubeObject = KubeObject> {
  readonly registration: ResourceRegistration<T>;
  readonly store: GenericStore<T>;
}
