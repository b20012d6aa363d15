import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_SERVICE_CIDR, ServiceCIDR } from './allocator/ipallocator.ts';
import type { KubeObject } from './api/meta.ts';
import type { ResourceType } from './api/resource-type.ts';
import { endpointSlices, endpoints, namespaces, services } from './api/resources.ts';
import { VERSION_INFO } from './api/version.ts';
import { type RunningApiServer, startApiServer } from './apiserver/index.ts';
import { isAlreadyExists, isNotFound } from './apiserver/status.ts';
import {
  addLabCredentials,
  emptyKubeconfig,
  LAB_ADMIN_USER,
  readKubeconfig,
  writeKubeconfig,
} from './client/kubeconfig.ts';
import type { LeaderElectionTimings } from './client/leader-election.ts';
import { type Clock, systemClock } from './clock/clock.ts';
import type { ControllerManagerOptions } from './controllers/controller-manager.ts';
import { startControllerManager } from './controllers/run.ts';
import { EtcdKV } from './etcd/client.ts';
import type { KV } from './etcd/kv.ts';
import { EtcdGrpcServer } from './etcd/server.ts';
import { ClusterPki } from './pki/pki.ts';
import { startScheduler } from './scheduler/run.ts';
import { FileBackend } from './store/file-backend.ts';
import { Store } from './store/store.ts';

export interface ControlPlaneOptions {
  /** $ORCH_LAB_HOME: store, pki, kubeconfig, audit.log and lab.json live here. */
  readonly home: string;
  readonly apiHost?: string;
  /** 6443 by default; 0 picks a free port (the kubeconfig holds the real one). */
  readonly apiPort?: number;
  /** The store's etcd v3 face for etcdctl: 2379 by default; 0 picks a free port. */
  readonly etcdPort?: number;
  /**
   * etcd client URLs of a real etcd cluster: when given, the API server keeps its objects there, and
   * the embedded store (with its etcd face, so etcdPort too) is not started.
   */
  readonly etcdEndpoints?: readonly string[];
  /** The service CIDR cluster IPs come from: 10.96.0.0/12 by default. */
  readonly serviceClusterIPRange?: string;
  /**
   * Run the scheduler (true unless given). Tests of the API server alone, or of a scheduler of
   * their own, turn it off so nothing else writes to the cluster while they watch.
   */
  readonly scheduler?: boolean;
  /** Run the controller-manager (true unless given); tests of the API server alone turn it off. */
  readonly controllers?: boolean;
  /** Node heartbeat grace period, eviction clocks and other controller-manager settings. */
  readonly controllerManager?: ControllerManagerOptions;
  /**
   * How long pods stay on a not-ready or unreachable node before they are evicted (the
   * tolerationSeconds admission gives them): 30 s in the lab, 300 s in Kubernetes.
   */
  readonly defaultTolerationSeconds?: number;
  /** Leader election timings of the scheduler and the controller-manager (tests shorten them). */
  readonly leaderElection?: LeaderElectionTimings;
  readonly clock?: Clock;
}

/** What a running lab records about itself in lab.json, for `orch-lab status` and `down`. */
export interface LabState {
  readonly pid: number;
  readonly apiServer: string;
  /** The embedded store's etcd face, or the endpoints of the etcd cluster in use, comma-separated. */
  readonly etcd: string;
  readonly kubeconfig: string;
  readonly startedAt: string;
  /** Seconds of silence before the node controller marks a node NotReady (Unknown). */
  readonly nodeMonitorGracePeriodSeconds?: number;
  /** Seconds pods stay on a NotReady or unreachable node before they are evicted. */
  readonly defaultTolerationSeconds?: number;
}

/**
 * Lab defaults short enough for a learner to watch a node die: it turns NotReady after 20 s without
 * a heartbeat (Kubernetes: 40 s), and its pods are evicted 30 s later (Kubernetes: 300 s).
 */
export const LAB_NODE_MONITOR_GRACE_PERIOD_SECONDS = 20;
export const LAB_TOLERATION_SECONDS = 30;

/** The namespaces every cluster starts with. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export const labPaths = (home: string) => ({
  store: join(home, 'store'),
  pki: join(home, 'pki'),
  kubeconfig: join(home, 'kubeconfig'),
  state: join(home, 'lab.json'),
  logs: join(home, 'logs'),
});

/** Where the API server keeps its objects, and how to let go of it. */
interface Storage {
  readonly kv: KV;
  /** What lab.json records as `etcd`. */
  readonly etcd: string;
  /** The embedded store, when it is the one in use. */
  readonly store?: Store;
  close(): Promise<void>;
}

/**
 * ControlPlane is the lab's control-plane process: the store (with its etcd face) or a client of a
 * real etcd cluster, the API server, the scheduler and the controller-manager,
 * which reach the store only through the API server like everyone else.
 */
export class ControlPlane {
  private constructor(
    private readonly storage: Storage,
    readonly api: RunningApiServer,
    /** The API server's clients run beside it (controller-manager, scheduler), stopped first. */
    private readonly components: readonly { stop(): Promise<void> }[],
    readonly state: LabState,
    private readonly home: string,
  ) {}

  /** The embedded store, for tests and tools that look inside it; a lab on an etcd cluster has none. */
  get store(): Store {
    if (!this.storage.store) throw new Error(`this lab keeps its objects in etcd at ${this.state.etcd}`);
    return this.storage.store;
  }

  static async start(options: ControlPlaneOptions): Promise<ControlPlane> {
    const paths = labPaths(options.home);
    const clock = options.clock ?? systemClock;
    await mkdir(options.home, { recursive: true, mode: 0o700 });
    const storage = await openStorage(options, clock);
    const tolerationSeconds = options.defaultTolerationSeconds ?? LAB_TOLERATION_SECONDS;
    const gracePeriodMs = options.controllerManager?.nodeLifecycle?.nodeMonitorGracePeriodMs;
    const gracePeriodSeconds = gracePeriodMs ? gracePeriodMs / 1000 : LAB_NODE_MONITOR_GRACE_PERIOD_SECONDS;
    const cleanup: (() => Promise<void>)[] = [() => storage.close()];
    try {
      const pki = await ClusterPki.open({ dir: paths.pki, clock });
      const host = options.apiHost ?? '127.0.0.1';
      const api = await startApiServer({
        kv: storage.kv,
        pki,
        host,
        port: options.apiPort ?? 6443,
        home: options.home,
        clock,
        registryOptions: {
          serviceClusterIPRange: options.serviceClusterIPRange,
          defaultTolerationSeconds: tolerationSeconds,
        },
        version: VERSION_INFO,
        // Clients check the address they dial against the certificate: node containers dial the host.
        servingNames: isIP(host) ? { ipAddresses: [host] } : { dnsNames: [host] },
      });
      cleanup.unshift(() => api.close());
      await createSystemNamespaces(api);
      await reconcileKubernetesService(api, options.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR, host);
      const server = `https://${host}:${api.port}`;
      await writeAdminKubeconfig(paths.kubeconfig, server, pki);
      const onSchedulerError = (err: unknown) =>
        console.error(`kube-scheduler: ${err instanceof Error ? err.message : String(err)}`);
      const scheduler =
        options.scheduler === false
          ? { stop: async () => {} }
          : await startScheduler({
              server,
              pki,
              onError: onSchedulerError,
              leaderElection: options.leaderElection,
            });
      cleanup.unshift(() => scheduler.stop());
      const onControllerError = (err: unknown) =>
        console.error(`kube-controller-manager: ${err instanceof Error ? err.message : String(err)}`);
      const controllerManager =
        options.controllers === false
          ? { stop: async () => {} }
          : await startControllerManager({
              server,
              pki,
              onError: onControllerError,
              leaderElection: options.leaderElection,
              controllers: {
                ...options.controllerManager,
                nodeLifecycle: {
                  nodeMonitorGracePeriodMs: gracePeriodSeconds * 1000,
                  ...options.controllerManager?.nodeLifecycle,
                },
              },
            });
      cleanup.unshift(() => controllerManager.stop());
      const state: LabState = {
        pid: process.pid,
        apiServer: server,
        etcd: storage.etcd,
        kubeconfig: paths.kubeconfig,
        startedAt: new Date(clock.now()).toISOString(),
        defaultTolerationSeconds: tolerationSeconds,
        ...(options.controllers === false ? {} : { nodeMonitorGracePeriodSeconds: gracePeriodSeconds }),
      };
      await writeFile(paths.state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      return new ControlPlane(storage, api, [controllerManager, scheduler], state, options.home);
    } catch (err) {
      for (const close of cleanup) await close().catch(() => {});
      throw err;
    }
  }

  async stop(): Promise<void> {
    for (const component of this.components) await component.stop();
    await this.api.close();
    await this.storage.close();
    await rm(labPaths(this.home).state, { force: true });
  }
}

async function openStorage(options: ControlPlaneOptions, clock: Clock): Promise<Storage> {
  if (options.etcdEndpoints?.length) {
    const kv = new EtcdKV({ endpoints: options.etcdEndpoints });
    return { kv, etcd: options.etcdEndpoints.join(','), close: async () => kv.close() };
  }
  const store = await Store.open({ backend: new FileBackend({ dir: labPaths(options.home).store }), clock });
  try {
    const face = await EtcdGrpcServer.start(store, { listen: `127.0.0.1:${options.etcdPort ?? 2379}` });
    const close = async () => {
      await face.close();
      await store.close();
    };
    return { kv: store, etcd: face.address, store, close };
  } catch (err) {
    await store.close();
    throw err;
  }
}

async function createSystemNamespaces(api: RunningApiServer): Promise<void> {
  const store = api.stores(namespaces);
  for (const name of SYSTEM_NAMESPACES) {
    await store
      .create(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        { namespace: '', dryRun: false, fieldValidation: 'Strict' },
      )
      .catch((err) => {
        if (!isAlreadyExists(err)) throw err;
      });
  }
}

/**
 * The `kubernetes` Service in default, and its Endpoints and EndpointSlice pointing at this API
 * server, created or brought up to date on every start as kube-apiserver's endpoint reconciler
 * (pkg/controlplane/reconcilers) does: the first IP of the service CIDR, port 443 to the real port.
 */
async function reconcileKubernetesService(
  api: RunningApiServer,
  serviceCIDR: string,
  /** Where the API server listens: 127.0.0.1, or the lab network's gateway for Docker nodes. */
  host: string,
): Promise<void> {
  const scope = { namespace: 'default', dryRun: false, fieldValidation: 'Strict' as const };
  const name = 'kubernetes';
  const port = { name: 'https', port: api.port, protocol: 'TCP' };
  const replace = async <T extends KubeObject>(resource: ResourceType<T>, body: (current?: T) => unknown) => {
    const store = api.stores(resource);
    const current = await store.get('default', name).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (current) await store.update(name, body(current), scope);
    else await store.create(body(), scope);
  };
  await replace(services, (current) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      // An existing service keeps the IP it has: an update may not change it.
      ...(current ? {} : { clusterIP: new ServiceCIDR(serviceCIDR).ipAt(0) }),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: api.port }],
      sessionAffinity: 'None',
    },
  }));
  // Endpoints refuse loopback addresses from clients; the API server writes its own on its own account.
  const endpointsStore = api.stores(endpoints);
  const labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
  const subsets = [{ addresses: [{ ip: host }], ports: [port] }];
  await endpointsStore
    .systemUpdate('default', name, (current) => ({
      ...current,
      metadata: { ...current.metadata, labels },
      subsets,
    }))
    .catch(async (err) => {
      if (!isNotFound(err)) throw err;
      await endpointsStore.systemCreate(
        { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default', labels }, subsets },
        'default',
      );
    });
  await replace(endpointSlices, () => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [host], conditions: { ready: true } }],
    ports: [port],
  }));
}

/** The admin kubeconfig: context `orch-lab`, user orch-lab-admin in system:masters; other entries kept. */
async function writeAdminKubeconfig(path: string, server: string, pki: ClusterPki): Promise<void> {
  const existing = await readKubeconfig(path).catch(() => emptyKubeconfig());
  const credential = await pki.issueClientCertificate({
    commonName: LAB_ADMIN_USER,
    organizations: ['system:masters'],
  });
  const config = addLabCredentials(existing, {
    server,
    caCertificate: pki.caCertificate,
    username: LAB_ADMIN_USER,
    credential,
    makeCurrent: true,
  });
  await writeKubeconfig(path, config);
}

/** The lab recorded in `home`, if its process is still alive. */
export async function runningLab(home: string): Promise<LabState | undefined> {
  let state: LabState;
  try {
    state = JSON.parse(await readFile(labPaths(home).state, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
  try {
    process.kill(state.pid, 0);
    return state;
  } catch {
    return undefined;
  }
}
