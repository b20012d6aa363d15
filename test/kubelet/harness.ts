import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../../src/cluster/api/core/pod.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { RemoteRuntimeService } from '../../src/cluster/cri/client.ts';
import { type KubeletOptions, type RunningKubelet, startKubelet } from '../../src/cluster/kubelet/index.ts';
import { ClusterPki } from '../../src/cluster/pki/pki.ts';
import type { ImageService, RuntimeService } from '../../src/cluster/runtime/cri.ts';
import { serveRuntime } from '../../src/cluster/runtime/runtime-server.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

export interface KubeletLab {
  readonly lab: TestLab;
  readonly nodeName: string;
  readonly nodeIP: string;
  /** The kubelet running now: restartKubelet() replaces it. */
  readonly kubelet: RunningKubelet;
  /** Stops the kubelet and starts a new one for the same node and runtime, as after a crash. */
  restartKubelet(): Promise<void>;
  /** system:masters credentials for the kubelet server, as the API server's kubelet client has. */
  readonly masters: { readonly cert: string; readonly key: string; readonly ca: string };
  readonly pki: ClusterPki;
  kubectlJson<T = Pod>(args: readonly string[]): Promise<T>;
  stop(): Promise<void>;
}

/**
 * A control plane (no scheduler: tests bind pods with spec.nodeName) and one kubelet in this
 * process, signed in with its own node certificate, on a node IP of its own. The kubelet reaches
 * the runtime over CRI's gRPC, on a socket in the node's folder, as on a real node.
 */
export async function startKubeletLab(
  runtime: RuntimeService & { stopAll?(): Promise<void> },
  images: ImageService,
  tuning: Partial<KubeletOptions> = {},
): Promise<KubeletLab> {
  const lab = await startTestLab({ scheduler: false });
  const pki = await ClusterPki.open({ dir: join(lab.home, 'pki') });
  const nodeName = `node-${Math.floor(Math.random() * 1000)}`;
  const nodeIP = `127.100.${Math.floor(Math.random() * 200) + 20}.${Math.floor(Math.random() * 200) + 20}`;
  const credential = await pki.issueClientCertificate({
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
  });
  const serving = await pki.issueServingCertificate({ commonName: nodeName }, { ipAddresses: [nodeIP] });
  const masters = await pki.issueClientCertificate({
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['system:masters'],
  });
  const client = RestClient.withCertificate(
    lab.plane.state.apiServer,
    { ca: pki.caCertificate, ...credential },
    { component: `kubelet/${nodeName}` },
  );
  const rootDir = join(lab.home, 'nodes', nodeName);
  await mkdir(rootDir, { recursive: true });
  const runtimeServer = await serveRuntime(runtime, images, join(rootDir, 'runtime.sock'));
  const cri = new RemoteRuntimeService(runtimeServer.socketPath);
  const options: KubeletOptions = {
    nodeName,
    nodeIP,
    podCIDR: '127.244.9.0/24',
    client,
    runtime: cri,
    images: cri,
    rootDir,
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    labels: { 'orch-lab.dev/test': 'true' },
    taints: [],
    server: { port: 0, cert: serving.cert, key: serving.key, ca: pki.caCertificate },
    nodeLeaseRenewIntervalMs: 300,
    nodeStatusUpdateFrequencyMs: 1000,
    syncFrequencyMs: 1000,
    crashLoopBackOff: { initialMs: 500, maxMs: 4000 },
    imagePullBackOff: { initialMs: 500, maxMs: 4000 },
    onError: () => {},
    ...tuning,
  };
  let kubelet = await startKubelet(options);
  return {
    lab,
    nodeName,
    nodeIP,
    get kubelet() {
      return kubelet;
    },
    restartKubelet: async () => {
      await kubelet.stop();
      kubelet = await startKubelet({ ...options, server: { ...options.server, port: kubelet.port } });
    },
    pki,
    masters: { ...masters, ca: pki.caCertificate },
    kubectlJson: async <T>(args: readonly string[]) => {
      const result = await lab.kubectl([...args, '-o', 'json']);
      if (result.code !== 0) throw new Error(result.stderr);
      return JSON.parse(result.stdout) as T;
    },
    stop: async () => {
      await kubelet.stop();
      cri.close();
      await runtimeServer.close();
      await runtime.stopAll?.();
      client.close();
      await lab.stop();
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or throws its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw lastError ?? new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A bare pod bound to `node`, YAML-free, for `kubectl create -f -`. */
export function podManifest(name: string, node: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName: node, ...spec },
  });
}
