import { join } from 'node:path';
import type { Node } from '../api/core/node.ts';
import type { VersionInfo } from '../api/version.ts';
import type { Clock } from '../clock/clock.ts';
import type { KV } from '../etcd/kv.ts';
import type { ClusterPki } from '../pki/pki.ts';
import { AuditLog } from './audit.ts';
import { RequestAuthenticator, ServiceAccountTokenGenerator } from './authn.ts';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './authz/bootstrap-policy.ts';
import { RBACAuthorizer } from './authz/rbac.ts';
import { RbacCache } from './authz/rbac-cache.ts';
import type { ApiSubresource } from './discovery.ts';
import { Discovery } from './discovery.ts';
import type { SelectorParser, SubresourceHandler } from './handlers/resource.ts';
import { KubeletClient } from './kubelet-client.ts';
import { metricsResources } from './metrics/api.ts';
import { Scraper } from './metrics/scraper.ts';
import { MetricsStorage } from './metrics/storage.ts';
import { GenericStore, type StoreHooks } from './registry/generic-store.ts';
import type { Strategy } from './registry/strategy.ts';
import type { SubresourceDeps } from './registry/subresources.ts';
import { ApiServer, type PathHandler, storeKey } from './server.ts';
import { isAlreadyExists } from './status.ts';
import { ObjectStore } from './storage/object-store.ts';

/** One served resource: its strategy, hooks and the subresources discovery lists for it. */
export interface ResourceRegistration {
  readonly strategy: Strategy;
  readonly hooks?: StoreHooks;
  readonly subresources?: readonly ApiSubresource[];
}

export interface ApiServerConfig {
  readonly kv: KV;
  readonly pki: ClusterPki;
  readonly host: string;
  readonly port: number;
  /** Where audit.log goes; no file when undefined. */
  readonly home?: string;
  readonly clock: Clock;
  /**
   * The served resources, given a lookup of every resource's store (for admission) and the object
   * storage (for what a registry keeps beside its objects, such as the service IP range).
   */
  readonly resources: (stores: StoreLookup, storage: ObjectStore) => readonly ResourceRegistration[];
  /** Handlers by "resource/subresource" ("selfsubjectaccessreviews/" for a resource served by code). */
  readonly subresources?: (deps: SubresourceDeps) => ReadonlyMap<string, SubresourceHandler>;
  readonly selectors: SelectorParser;
  readonly version: VersionInfo;
  readonly paths?: readonly PathHandler[];
  readonly servingNames?: { ipAddresses?: string[]; dnsNames?: string[] };
}

export type StoreLookup = (group: string, resource: string) => GenericStore;

/** A running API server with what other control-plane parts reach through it. */
export interface RunningApiServer {
  readonly server: ApiServer;
  readonly storage: ObjectStore;
  readonly audit: AuditLog;
  readonly stores: StoreLookup;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * startApiServer assembles kube-apiserver from its parts: storage over the KV, a registry per
 * resource, authentication by certificate or token, RBAC from a cache of the RBAC objects (seeded
 * with the bootstrap policy, as kube-apiserver's post-start hook does), audit, and discovery.
 */
export async function startApiServer(config: ApiServerConfig): Promise<RunningApiServer> {
  const storage = new ObjectStore(config.kv);
  const stores = new Map<string, GenericStore>();
  const lookup: StoreLookup = (group, resource) => {
    const found = [...stores.values()].find(
      (s) => s.strategy.resource.group === group && s.strategy.resource.plural === resource,
    );
    if (!found) throw new Error(`apiserver: no store for ${resource}.${group}`);
    return found;
  };
  const registrations = config.resources(lookup, storage);
  for (const r of registrations) {
    const { group, version, plural } = r.strategy.resource;
    stores.set(
      storeKey(group, version, plural),
      new GenericStore(r.strategy, storage, config.clock, r.hooks),
    );
  }
  await seedBootstrapPolicy(lookup);

  const rbac = new RbacCache(storage);
  await rbac.start();
  const authorizer = new RBACAuthorizer(rbac);
  const serviceAccountKey = await config.pki.ensureServiceAccountKey();
  const authenticator = new RequestAuthenticator({
    serviceAccountPublicKey: serviceAccountKey.publicKey,
    clock: config.clock,
  });
  const serving = await config.pki.ensureServingCertificate(config.servingNames);
  // kube-apiserver's --kubelet-client-certificate: kubelets let system:masters read logs and run exec.
  const kubelet = new KubeletClient(
    await config.pki.issueClientCertificate({
      commonName: 'kube-apiserver-kubelet-client',
      organizations: ['system:masters'],
    }),
    config.pki.caCertificate,
  );
  const audit = new AuditLog(config.home ? join(config.home, 'audit.log') : undefined);
  // metrics.k8s.io is built in, where a real cluster runs metrics-server behind the aggregator.
  const metricsStorage = new MetricsStorage();
  const scraper = new Scraper({
    nodes: async () => (await lookup('', 'nodes').list('', {})).items as Node[],
    kubelet,
    storage: metricsStorage,
    clock: config.clock,
  });
  const metrics = metricsResources({
    stores: lookup,
    selectors: config.selectors,
    scraper,
    storage: metricsStorage,
    clock: config.clock,
  });
  const discovery = new Discovery([
    ...registrations.map((r) => ({ resource: r.strategy.resource, subresources: r.subresources ?? [] })),
    ...metrics,
  ]);
  const server = new ApiServer({
    host: config.host,
    port: config.port,
    tls: { cert: serving.cert, key: serving.key, ca: config.pki.caCertificate },
    authenticate: (req) => authenticator.authenticate(req),
    authorize: (attributes) => authorizer.authorize(attributes),
    stores,
    computed: new Map(
      metrics.map((m) => [storeKey(m.resource.group, m.resource.version, m.resource.plural), m.serve]),
    ),
    discovery,
    handlerDeps: {
      clock: config.clock,
      selectors: config.selectors,
      subresources:
        config.subresources?.({
          stores: lookup,
          authorize: (attributes) => authorizer.authorize(attributes),
          kubelet,
          rulesFor: (user, namespace) => authorizer.rulesFor(user, namespace),
          tokens: new ServiceAccountTokenGenerator({
            privateKey: serviceAccountKey.privateKey,
            clock: config.clock,
          }),
        }) ?? new Map(),
    },
    audit,
    version: config.version,
    paths: config.paths,
  });
  const address = await server.listen();
  return {
    server,
    storage,
    audit,
    stores: lookup,
    port: address.port,
    close: async () => {
      rbac.stop();
      scraper.close();
      kubelet.close();
      await server.close();
      await audit.close();
    },
  };
}

/** Creates the bootstrap ClusterRoles and bindings that are missing; a learner's edits stay. */
async function seedBootstrapPolicy(stores: StoreLookup): Promise<void> {
  const scope = { namespace: '', dryRun: false, fieldValidation: 'Ignore' as const };
  const seed = async (resource: string, objects: readonly object[]) => {
    const store = stores('rbac.authorization.k8s.io', resource);
    for (const obj of objects) {
      await store.create(obj, scope).catch((err) => {
        if (!isAlreadyExists(err)) throw err;
      });
    }
  };
  await seed('clusterroles', bootstrapClusterRoles());
  await seed('clusterrolebindings', bootstrapClusterRoleBindings());
}
