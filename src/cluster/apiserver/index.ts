import { join } from 'node:path';
import type { KubeObject } from '../api/meta.ts';
import { clusterRoleBindings, clusterRoles, nodes } from '../api/resources.ts';
import type { VersionInfo } from '../api/version.ts';
import type { Clock } from '../clock/clock.ts';
import type { KV } from '../etcd/kv.ts';
import type { ClusterPki } from '../pki/pki.ts';
import { AuditLog } from './audit.ts';
import { RequestAuthenticator, ServiceAccountTokenGenerator } from './authn.ts';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './authz/bootstrap-policy.ts';
import { RBACAuthorizer } from './authz/rbac.ts';
import { RbacCache } from './authz/rbac-cache.ts';
import { Discovery } from './discovery.ts';
import { KubeletClient } from './kubelet-client.ts';
import { metricsResources } from './metrics/api.ts';
import { Scraper } from './metrics/scraper.ts';
import { MetricsStorage } from './metrics/storage.ts';
import { OpenApi } from './openapi.ts';
import type { GenericStore } from './registry/generic-store.ts';
import { builtinRegistry } from './registry/index.ts';
import { openRegistry } from './registry/open.ts';
import type { RegistryOptions, ResourceRegistration, StoreLookup } from './registry/registration.ts';
import { ApiServer, type PathHandler, storeKey } from './server.ts';
import { isAlreadyExists } from './status.ts';
import { ObjectStore } from './storage/object-store.ts';

export interface ApiServerConfig {
  readonly kv: KV;
  readonly pki: ClusterPki;
  readonly host: string;
  readonly port: number;
  /** Where audit.log goes; no file when undefined. */
  readonly home?: string;
  readonly clock: Clock;
  /** The served resources: every built-in one (registry/index.ts) unless given. */
  readonly registry?: readonly ResourceRegistration[];
  /** The flags that shape what registries do: service CIDR, node port range, default tolerations. */
  readonly registryOptions?: RegistryOptions;
  readonly version: VersionInfo;
  /** Non-resource paths served beside discovery, health and OpenAPI. */
  readonly paths?: readonly PathHandler[];
  readonly servingNames?: { ipAddresses?: string[]; dnsNames?: string[] };
}

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
 * with the bootstrap policy, as kube-apiserver's post-start hook does), audit, discovery and
 * OpenAPI, which both follow from the registry.
 */
export async function startApiServer(config: ApiServerConfig): Promise<RunningApiServer> {
  const storage = new ObjectStore(config.kv);
  const registrations = config.registry ?? builtinRegistry;
  const { served, stores: lookup } = openRegistry(
    registrations,
    storage,
    config.clock,
    config.registryOptions ?? {},
  );
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
    nodes: async () => (await lookup(nodes).list('', {})).items,
    kubelet,
    storage: metricsStorage,
    clock: config.clock,
  });
  const metrics = metricsResources({
    stores: lookup,
    scraper,
    storage: metricsStorage,
    clock: config.clock,
  });
  const discovery = new Discovery([
    ...registrations.map((r) => r.resource),
    ...metrics.map((m) => m.resource),
  ]);
  const openApi = new OpenApi(
    registrations.map((r) => r.resource),
    config.version.gitVersion,
  );
  const server = new ApiServer({
    host: config.host,
    port: config.port,
    tls: { cert: serving.cert, key: serving.key, ca: config.pki.caCertificate },
    authenticate: (req) => authenticator.authenticate(req),
    authorize: (attributes) => authorizer.authorize(attributes),
    served: new Map(
      served.map((s) => [
        storeKey(s.store.resource.group, s.store.resource.version, s.store.resource.plural),
        s,
      ]),
    ),
    computed: new Map(
      metrics.map((m) => [storeKey(m.resource.group, m.resource.version, m.resource.plural), m.serve]),
    ),
    discovery,
    handlerDeps: {
      clock: config.clock,
      subresources: {
        stores: lookup,
        authorize: (attributes) => authorizer.authorize(attributes),
        kubelet,
        rulesFor: (user, namespace) => authorizer.rulesFor(user, namespace),
        tokens: new ServiceAccountTokenGenerator({
          privateKey: serviceAccountKey.privateKey,
          clock: config.clock,
        }),
        clock: config.clock,
      },
    },
    audit,
    version: config.version,
    paths: [openApi.handler, ...(config.paths ?? [])],
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
  const seed = async (store: GenericStore<KubeObject>, objects: readonly object[]) => {
    for (const obj of objects) {
      await store.create(obj, scope).catch((err) => {
        if (!isAlreadyExists(err)) throw err;
      });
    }
  };
  await seed(stores(clusterRoles), bootstrapClusterRoles());
  await seed(stores(clusterRoleBindings), bootstrapClusterRoleBindings());
}
