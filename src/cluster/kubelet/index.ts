import { setMaxListeners } from 'node:events';
import { services } from '../api/resources.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { SharedInformerFactory } from '../client/shared-informer.ts';
import { systemClock } from '../clock/clock.ts';
import { BackOff } from './backoff.ts';
import { DEFAULTS, type KubeletConfig, type KubeletOptions } from './config.ts';
import { ConfigSources } from './config-sources.ts';
import { Kubelet } from './kubelet.ts';
import { ImageManager } from './kuberuntime/image-manager.ts';
import { KubeGenericRuntimeManager } from './kuberuntime/runtime-manager.ts';
import { NodeLeaseController } from './node-lease.ts';
import { NodeStatusManager, readMachineInfo } from './node-status.ts';
import { Prober } from './prober/prober.ts';
import { ProbeManager } from './prober/prober-manager.ts';
import { KubeletServer } from './server/server.ts';
import { ServiceNetwork } from './service-network.ts';
import { cpuAndMemoryStats } from './stats/cpu-and-memory.ts';
import { StatusManager } from './status/status-manager.ts';
import { TokenManager } from './token-manager.ts';
import { VolumeManager } from './volumes.ts';

export type { KubeletOptions } from './config.ts';

/** A running kubelet, until stopped. */
export interface RunningKubelet {
  /** The port the kubelet server listens on (the one asked for, or the free one picked). */
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * startKubelet assembles and starts the kubelet of one node, as the node agent's process does:
 * the kubelet server on <nodeIP>:<port> first (the Node object advertises its port), then
 * registration, heartbeats and pod sync in the background. stop() ends the loops and the server; the pods' containers keep running, as they do
 * when a real kubelet restarts, and the next kubelet of the node adopts them or cleans them up.
 */
export async function startKubelet(options: KubeletOptions): Promise<RunningKubelet> {
  const config: KubeletConfig = {
    ...DEFAULTS,
    onError: (err) => console.error(`kubelet ${options.nodeName}:`, err instanceof Error ? err.message : err),
    ...options,
    clock: options.clock ?? systemClock,
  };
  const { client, clock, runtime } = config;
  const recorder = new EventRecorder({
    client,
    component: 'kubelet',
    host: config.nodeName,
    clock,
    onError: config.onError,
  });
  const sources = new ConfigSources(client);
  const volumes = new VolumeManager(config.rootDir, sources, new TokenManager(client, clock));
  const imageManager = new ImageManager(
    config.images,
    new BackOff(config.imagePullBackOff, clock),
    recorder,
    clock,
    sources,
  );
  const informers = new SharedInformerFactory({ client, clock });
  const runtimeManager = new KubeGenericRuntimeManager(
    runtime,
    imageManager,
    volumes,
    sources,
    recorder,
    new BackOff(config.crashLoopBackOff, clock),
    config.rootDir,
    new ServiceNetwork(informers.forResource(services)),
  );
  const statusManager = new StatusManager(client);
  const version = await runtime.version();
  const machine = await readMachineInfo(
    config.nodeName,
    `${version.runtimeName}://${version.runtimeVersion}`,
  );
  let server: KubeletServer | undefined;
  const nodeStatus = new NodeStatusManager(
    config,
    machine,
    recorder,
    () => server?.port ?? config.server.port,
  );
  const kubelet = new Kubelet(config, {
    informers,
    recorder,
    nodeStatus,
    nodeLease: new NodeLeaseController(config),
    runtimeManager,
    imageManager,
    volumes,
    probes: (onChange) => new ProbeManager(new Prober(runtime), recorder, clock, onChange),
    statusManager,
    runtimeName: version.runtimeName,
  });
  server = await KubeletServer.start(
    config.nodeIP,
    config.server,
    {
      runningPods: () => kubelet.runningPods(),
      findPod: (namespace, name) => kubelet.findPod(namespace, name),
      podStatus: (pod) => statusManager.getPodStatus(pod.metadata.uid ?? '') ?? pod.status,
      cpuAndMemoryStats: () => cpuAndMemoryStats(runtime, clock),
    },
    runtime,
  );
  const abort = new AbortController();
  // The loops, informers and sleeps of one kubelet all listen to this signal.
  setMaxListeners(100, abort.signal);
  const running = kubelet.run(abort.signal).catch(config.onError);
  const listening = server;
  return {
    port: listening.port,
    stop: async () => {
      abort.abort();
      await running;
      await listening.close();
    },
  };
}
