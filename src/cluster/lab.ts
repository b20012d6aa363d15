import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resources } from './api/resources.ts';
import { type RunningApiServer, startApiServer } from './apiserver/index.ts';
import { OpenApi } from './apiserver/openapi.ts';
import { ClusterPki } from './apiserver/pki.ts';
import { builtinResources, selectorParser } from './apiserver/registry/builtin.ts';
import { builtinSubresources } from './apiserver/registry/subresources.ts';
import { VERSION_INFO } from './apiserver/version.ts';
import {
  addLabCredentials,
  emptyKubeconfig,
  LAB_ADMIN_USER,
  readKubeconfig,
  writeKubeconfig,
} from './client/kubeconfig.ts';
import { FileBackend } from './store/file-backend.ts';
import { EtcdGrpcServer } from './store/grpc/server.ts';
import { type Clock, systemClock } from './store/lessor.ts';
import { Store } from './store/store.ts';

export interface ControlPlaneOptions {
  /** $ORCH_LAB_HOME: store, pki, kubeconfig, audit.log and lab.json live here. */
  readonly home: string;
  readonly apiHost?: string;
  /** 6443 by default; 0 picks a free port (the kubeconfig holds the real one). */
  readonly apiPort?: number;
  /** The store's etcd v3 face for etcdctl: 2379 by default; 0 picks a free port. */
  readonly etcdPort?: number;
  readonly clock?: Clock;
}

/** What a running lab records about itself in lab.json, for `orch-lab status` and `down`. */
export interface LabState {
  readonly pid: number;
  readonly apiServer: string;
  readonly etcd: string;
  readonly kubeconfig: string;
  readonly startedAt: string;
}

/** The namespaces every cluster starts with. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export const labPaths = (home: string) => ({
  store: join(home, 'store'),
  pki: join(home, 'pki'),
  kubeconfig: join(home, 'kubeconfig'),
  state: join(home, 'lab.json'),
  logs: join(home, 'logs'),
});

/**
 * ControlPlane is the lab's control-plane process: the store (with its etcd face), the API server,
 * and (in later stages) the scheduler and controller-manager, which reach the store only
 * through the API server like everyone else.
 */
export class ControlPlane {
  private constructor(
    readonly store: Store,
    readonly etcd: EtcdGrpcServer,
    readonly api: RunningApiServer,
    readonly state: LabState,
    private readonly home: string,
  ) {}

  static async start(options: ControlPlaneOptions): Promise<ControlPlane> {
    const paths = labPaths(options.home);
    const clock = options.clock ?? systemClock;
    await mkdir(options.home, { recursive: true, mode: 0o700 });
    const store = await Store.open({ backend: new FileBackend({ dir: paths.store }), clock });
    const cleanup: (() => Promise<void>)[] = [() => store.close()];
    try {
      const etcd = await EtcdGrpcServer.start(store, { listen: `127.0.0.1:${options.etcdPort ?? 2379}` });
      cleanup.unshift(() => etcd.close());
      const pki = await ClusterPki.open({ dir: paths.pki, clock });
      const host = options.apiHost ?? '127.0.0.1';
      const api = await startApiServer({
        kv: store,
        pki,
        host,
        port: options.apiPort ?? 6443,
        home: options.home,
        clock,
        resources: builtinResources,
        subresources: builtinSubresources,
        selectors: selectorParser,
        version: VERSION_INFO,
        paths: [new OpenApi(resources, VERSION_INFO.gitVersion).handler],
      });
      cleanup.unshift(() => api.close());
      await createSystemNamespaces(api);
      const server = `https://${host}:${api.port}`;
      await writeAdminKubeconfig(paths.kubeconfig, server, pki);
      const state: LabState = {
        pid: process.pid,
        apiServer: server,
        etcd: etcd.address,
        kubeconfig: paths.kubeconfig,
        startedAt: new Date(clock.now()).toISOString(),
      };
      await writeFile(paths.state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      return new ControlPlane(store, etcd, api, state, options.home);
    } catch (err) {
      for (const close of cleanup) await close().catch(() => {});
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.api.close();
    await this.etcd.close();
    await this.store.close();
    await rm(labPaths(this.home).state, { force: true });
  }
}

async function createSystemNamespaces(api: RunningApiServer): Promise<void> {
  const namespaces = api.stores('', 'namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    await namespaces
      .create(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        { namespace: '', dryRun: false, fieldValidation: 'Strict' },
      )
      .catch((err: { reason?: string }) => {
        if (err.reason !== 'AlreadyExists') throw err;
      });
  }
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
