import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RestClient } from '../client/rest-client.ts';
import { RemoteRuntimeService } from '../cri/client.ts';
import { startKubelet } from '../kubelet/index.ts';
import { type RunningKubeProxy, startKubeProxy } from '../proxy/index.ts';
import { ProcessRuntime, serveRuntime } from '../runtime/index.ts';
import { type NodeConfig, nodeFiles, nodeIndex, readNodeConfig, resolveNodePath } from './config.ts';
import { startContainerd } from './containerd/containerd.ts';
import { KUBE_PROXY_CREDENTIALS } from './credentials.ts';

/**
 * runNodeAgent is one node: what `orch-lab node-agent --config <nodeDir>/node.json` runs, on the
 * host (the process provider) or in a container (the Docker provider) alike, since everything it
 * needs is in the node's folder. It starts the container runtime (the lab runtime or containerd,
 * serving CRI's gRPC on <nodeDir>/runtime.sock) and the kubelet, which reaches the runtime through
 * that socket, and stops both on
 * SIGTERM or SIGINT; a second signal ends it at once.
 */
export async function runNodeAgent(configPath: string): Promise<void> {
  const config = await readNodeConfig(configPath);
  const path = (p: string) => resolveNodePath(configPath, p);
  const nodeDir = dirname(configPath);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${config.name}: ${line}`);
  const stopping = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        resolve(signal);
        process.once(signal, () => process.exit(1));
      });
    }
  });

  const client = await RestClient.fromKubeconfig(path(config.credentials.kubeconfig), {
    component: `kubelet/${config.name}`,
  });
  const socket = nodeFiles(nodeDir).runtimeSocket;
  const runtime = await startContainerRuntime(config, nodeDir, socket, log);
  const cri = new RemoteRuntimeService(socket);
  const kubelet = await startKubelet({
    nodeName: config.name,
    nodeIP: config.nodeIP,
    podCIDR: config.podCIDR,
    client,
    runtime: cri,
    images: cri,
    rootDir: nodeDir,
    capacity: { ...config.capacity, pods: String(config.capacity.pods) },
    labels: config.labels,
    taints: config.taints,
    server: {
      port: config.kubeletPort,
      cert: await readFile(path(config.credentials.kubeletCert), 'utf8'),
      key: await readFile(path(config.credentials.kubeletKey), 'utf8'),
      ca: await readFile(path(config.credentials.ca), 'utf8'),
    },
  });
  log(`kubelet on https://${config.nodeIP}:${config.kubeletPort}, runtime on ${socket}`);
  const kubeProxy = await startNodeProxy(config, path, nodeDir, log);

  log(`${await stopping}: stopping`);
  await kubeProxy?.stop();
  await kubelet.stop();
  cri.close();
  await runtime.stop();
  client.close();
  log('stopped');
}

/**
 * The node's CRI runtime, serving on `socket`: the lab runtime (its gRPC server in this process),
 * or the node's own containerd. stop() takes the node's containers down with it.
 */
async function startContainerRuntime(
  config: NodeConfig,
  nodeDir: string,
  socket: string,
  log: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  if (config.containerRuntime === 'containerd') {
    return startContainerd({
      nodeDir,
      socket,
      podCIDR: config.podCIDR,
      bridge: `orchlab${nodeIndex(config)}`,
      imageCacheDir: config.imageCache,
      log,
    });
  }
  const runtime = new ProcessRuntime({
    rootDir: nodeDir,
    podCIDR: config.podCIDR,
    imageCacheDir: config.imageCache,
  });
  const server = await serveRuntime(runtime, runtime, socket);
  return {
    stop: async () => {
      await server.close();
      await runtime.shutdown();
    },
  };
}

/**
 * runNodeAgent as a process's whole job: the process exits when the agent is done, or fails to
 * start, whatever handles a half-started kubelet or runtime left open.
 */
export async function runAgentProcess(configPath: string): Promise<never> {
  try {
    await runNodeAgent(configPath);
    process.exit(0);
  } catch (err) {
    console.error(`orch-lab node-agent: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

/**
 * kube-proxy, signed in with its own certificate (system:kube-proxy, bound to system:node-proxier).
 * A node folder made before kube-proxy existed has no such certificate: it runs without one.
 */
async function startNodeProxy(
  config: NodeConfig,
  path: (p: string) => string,
  nodeDir: string,
  log: (line: string) => void,
): Promise<RunningKubeProxy | undefined> {
  const credential = await Promise.all([
    readFile(path(config.credentials.ca), 'utf8'),
    readFile(path(KUBE_PROXY_CREDENTIALS.cert), 'utf8'),
    readFile(path(KUBE_PROXY_CREDENTIALS.key), 'utf8'),
  ]).catch(() => undefined);
  if (!credential) {
    log(`kube-proxy not started: no ${KUBE_PROXY_CREDENTIALS.cert} (re-create the node to get one)`);
    return undefined;
  }
  const [ca, cert, key] = credential;
  const client = RestClient.withCertificate(
    config.apiServer,
    { ca, cert, key },
    {
      component: `kube-proxy/${config.name}`,
    },
  );
  const proxy = await startKubeProxy({
    client,
    nodeName: config.name,
    nodeIP: config.nodeIP,
    clusterCIDR: config.clusterCIDR,
    nodeDir,
    onError: (err) => log(`kube-proxy: ${err instanceof Error ? err.message : String(err)}`),
  });
  log(`kube-proxy: rules on ${nodeDir}/proxy.sock`);
  return {
    stop: async () => {
      await proxy.stop();
      client.close();
    },
  };
}
