import type { Node } from '../api/core/node.ts';
import type { Pod } from '../api/core/pod.ts';
import { nodes, pods } from '../api/resources.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { sleep } from '../clock/clock.ts';
import { canAdmitPod } from './admission.ts';
import type { KubeletConfig } from './config.ts';
import type { DownwardContext } from './downward-api.ts';
import type { ImageManager } from './kuberuntime/image-manager.ts';
import { POD_UID_LABEL } from './kuberuntime/labels.ts';
import {
  type ContainerWaiting,
  gracePeriod,
  type KubeGenericRuntimeManager,
  latestByName,
  type RuntimePodStatus,
} from './kuberuntime/runtime-manager.ts';
import type { NodeLeaseController } from './node-lease.ts';
import { type NodeStatusManager, runtimeProblem } from './node-status.ts';
import { runPLEG } from './pleg.ts';
import { PodWorkers, type SyncOutcome } from './pod-workers.ts';
import type { ProbeManager } from './prober/prober-manager.ts';
import { generateAPIPodStatus } from './status/generate.ts';
import type { StatusManager } from './status/status-manager.ts';
import { type VolumeManager, VolumeSetUpError } from './volumes.ts';

/** What the kubelet knows of one pod between syncs. */
interface PodState {
  pod: Pod;
  /** Gone from the API server (force deleted, or deleted before we saw it terminate). */
  removed: boolean;
  admitted: boolean;
  rejected: boolean;
  /** Succeeded or Failed: nothing more runs, its sandbox is stopped. */
  terminal: boolean;
  waiting: Map<string, ContainerWaiting>;
}

/** The parts the kubelet is assembled from (kubelet.go's Kubelet struct fields). */
export interface KubeletDependencies {
  readonly informers: SharedInformerFactory;
  readonly recorder: EventRecorder;
  readonly nodeStatus: NodeStatusManager;
  readonly nodeLease: NodeLeaseController;
  readonly runtimeManager: KubeGenericRuntimeManager;
  readonly imageManager: ImageManager;
  readonly volumes: VolumeManager;
  readonly probes: (onChange: (uid: string) => void) => ProbeManager;
  readonly statusManager: StatusManager;
  /** The runtime's name (containerd, orch-lab), which prefixes container IDs in pod status. */
  readonly runtimeName: string;
}

/**
 * Kubelet is the node agent's main loop (pkg/kubelet/kubelet.go): it registers the node and keeps
 * its status and lease fresh, watches the pods bound to the node, and gives each a pod worker
 * that syncs it with the runtime: admit, set up volumes, SyncPod, probe, report status; and, once
 * the pod is deleted, stop it gracefully and remove the object.
 */
export class Kubelet {
  private readonly states = new Map<string, PodState>();
  /** Sandbox ID -> pod UID, so a runtime event (PLEG) wakes the right pod worker. */
  private readonly sandboxOwners = new Map<string, string>();
  private readonly podWorkers: PodWorkers;
  private readonly probes: ProbeManager;
  private readonly podInformer: SharedInformer<Pod>;
  /** Its own Node as the API has it now (labels change under it), as the kubelet's node lister. */
  private readonly nodeInformer: SharedInformer<Node>;
  private node: Node | undefined;

  constructor(
    private readonly config: KubeletConfig,
    private readonly deps: KubeletDependencies,
  ) {
    this.podWorkers = new PodWorkers((uid) => this.syncPod(uid), {
      clock: config.clock,
      resyncMs: config.syncFrequencyMs,
      backOffPeriodMs: Math.min(config.syncFrequencyMs, 1000),
      onError: config.onError,
    });
    this.probes = deps.probes((uid) => this.podWorkers.updatePod(uid));
    this.podInformer = deps.informers.forResource(pods, {
      fieldSelector: `spec.nodeName=${config.nodeName}`,
    });
    this.nodeInformer = deps.informers.forResource(nodes, {
      fieldSelector: `metadata.name=${config.nodeName}`,
    });
  }

  /** The pods the kubelet runs (for GET /pods): those it admitted and has not finished tearing down. */
  runningPods(): Pod[] {
    return [...this.states.values()].filter((s) => s.admitted && !s.removed).map((s) => s.pod);
  }

  /** A pod of this node by namespace and name, as the kubelet server looks pods up. */
  findPod(namespace: string, name: string): Pod | undefined {
    return [...this.states.values()].find(
      (s) => s.pod.metadata.namespace === namespace && s.pod.metadata.name === name,
    )?.pod;
  }

  /** Runs until `signal` aborts: registration, heartbeats, pod sync. */
  async run(signal: AbortSignal): Promise<void> {
    const pleg = runPLEG(
      this.config.runtime,
      this.config.clock,
      (podSandboxId) => {
        const uid = this.sandboxOwners.get(podSandboxId);
        if (uid) this.podWorkers.updatePod(uid);
      },
      signal,
      this.config.onError,
    );
    try {
      await this.registerWithAPIServer(signal);
      if (signal.aborted) return;
      const loops = [this.syncNodeStatusLoop(signal), this.leaseLoop(signal)];
      this.podInformer.addEventHandler({
        onAdd: (pod) => this.handlePod(pod),
        onUpdate: (old, pod) => this.handlePod(pod, needsSync(old, pod)),
        onDelete: (pod) => this.handlePodRemove(pod),
      });
      this.deps.informers.start(signal);
      if (await this.deps.informers.waitForCacheSync(signal)) await this.cleanupOrphans();
      await Promise.all([...loops, this.housekeepingLoop(signal)]);
    } finally {
      await pleg;
      await this.podWorkers.stop();
      this.probes.stop();
      await this.deps.informers.shutdown();
    }
  }

  private handlePod(pod: Pod, sync = true): void {
    const uid = pod.metadata.uid ?? '';
    const state = this.states.get(uid);
    if (state) state.pod = pod;
    else {
      this.states.set(uid, {
        pod,
        removed: false,
        admitted: false,
        rejected: false,
        terminal: false,
        waiting: new Map(),
      });
    }
    if (sync || !state) this.podWorkers.updatePod(uid);
  }

  private handlePodRemove(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const state = this.states.get(uid);
    if (!state) return;
    state.removed = true;
    this.podWorkers.updatePod(uid);
  }

  /** One sync of one pod, run by its pod worker (never two at once for a pod). */
  private async syncPod(uid: string): Promise<SyncOutcome> {
    const state = this.states.get(uid);
    if (!state) return { done: true };
    const { pod } = state;
    if (state.removed || pod.metadata.deletionTimestamp) return this.syncTerminatingPod(state);
    if (state.rejected || state.terminal) return {};
    if (!state.admitted) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
        state.terminal = true;
        await this.deps.runtimeManager.stopSandboxes(await this.deps.runtimeManager.getPodStatus(uid));
        return {};
      }
      // Admission reads the Node the scheduler saw, not the copy from the last status update.
      const node = this.nodeInformer.store.list()[0] ?? this.node;
      const rejection = node && canAdmitPod(pod, node, this.admittedPods());
      if (rejection) {
        state.rejected = true;
        await this.deps.recorder.event(pod, 'Warning', rejection.reason, rejection.message);
        await this.deps.statusManager.setPodStatus(pod, {
          phase: 'Failed',
          reason: rejection.reason,
          message: `Pod was rejected: ${rejection.message}`,
          conditions: pod.status?.conditions?.filter((c) => c.type === 'PodScheduled'),
          qosClass: pod.status?.qosClass,
          startTime: pod.status?.startTime,
        });
        return {};
      }
      state.admitted = true;
    }

    let volumePaths: Map<string, string>;
    try {
      volumePaths = await this.deps.volumes.mountVolumes(pod, this.downward(''));
    } catch (err) {
      if (!(err instanceof VolumeSetUpError)) throw err;
      await this.deps.recorder.event(pod, 'Warning', 'FailedMount', err.message);
      await this.reportStatus(state, await this.deps.runtimeManager.getPodStatus(uid));
      return { requeueAfterMs: 1000 };
    }
    const before = await this.deps.runtimeManager.getPodStatus(uid);
    const result = await this.deps.runtimeManager.syncPod(pod, before, {
      volumePaths,
      downward: (podIP) => this.downward(podIP),
      unhealthy: (containerId) => {
        const run = before.containers.find((c) => c.id === containerId);
        const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find(
          (c) => c.name === run?.metadata.name,
        );
        return spec ? this.probes.unhealthy(pod, spec, containerId) : undefined;
      },
    });
    state.waiting = result.waiting;
    const after = await this.deps.runtimeManager.getPodStatus(uid);
    const phase = await this.reportStatus(state, after);
    if (phase === 'Succeeded' || phase === 'Failed') {
      state.terminal = true;
      this.probes.removePod(uid);
      await this.deps.runtimeManager.stopSandboxes(after);
      await this.reportStatus(state, await this.deps.runtimeManager.getPodStatus(uid));
    }
    return { requeueAfterMs: result.requeueAfterMs };
  }

  /**
   * syncTerminatingPod then syncTerminatedPod: stop the containers with the grace period, report
   * the final status, tear down volumes and sandbox, and delete the object from the API server.
   */
  private async syncTerminatingPod(state: PodState): Promise<SyncOutcome> {
    const { pod } = state;
    const uid = pod.metadata.uid ?? '';
    this.probes.removePod(uid);
    const status = await this.deps.runtimeManager.getPodStatus(uid);
    await this.deps.runtimeManager.killPod(pod, status, gracePeriod(pod));
    const stopped = await this.deps.runtimeManager.getPodStatus(uid);
    if (!state.removed) await this.reportStatus(state, stopped);
    await this.deps.runtimeManager.removePod(stopped);
    await this.deps.volumes.unmountVolumes(uid);
    for (const sandbox of stopped.sandboxes) this.sandboxOwners.delete(sandbox.id);
    this.deps.imageManager.forgetPod(uid);
    if (!state.removed) await this.deps.statusManager.deletePod(pod);
    this.deps.statusManager.forget(uid);
    this.states.delete(uid);
    return { done: true };
  }

  /** Computes and writes the pod's status; answers its phase. */
  private async reportStatus(state: PodState, runtime: RuntimePodStatus): Promise<string | undefined> {
    const { pod } = state;
    for (const sandbox of runtime.sandboxes) this.sandboxOwners.set(sandbox.id, pod.metadata.uid ?? '');
    const sandbox = runtime.sandboxes.find((s) => s.state === 'SANDBOX_READY');
    if (!state.terminal)
      this.probes.updatePod(pod, sandbox?.network.ip ?? '', latestByName(runtime.containers));
    const specs = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    const spec = (id: string) =>
      specs.find((c) => c.name === runtime.containers.find((r) => r.id === id)?.metadata.name);
    const status = generateAPIPodStatus({
      pod,
      runtime,
      waiting: state.waiting,
      nodeIP: this.config.nodeIP,
      now: this.config.clock.now(),
      containerIDPrefix: `${this.deps.runtimeName}://`,
      probes: {
        ready: (id) => {
          const c = spec(id);
          return c ? this.probes.ready(pod, c, id) : false;
        },
        started: (id) => {
          const c = spec(id);
          return c ? this.probes.started(pod, c, id) : false;
        },
      },
    });
    await this.deps.statusManager.setPodStatus(pod, status);
    return status.phase;
  }

  private admittedPods(): Pod[] {
    return [...this.states.values()].filter((s) => s.admitted && !s.terminal && !s.removed).map((s) => s.pod);
  }

  private downward(podIP: string): DownwardContext {
    const allocatable = this.node?.status?.allocatable ?? {};
    return {
      nodeIP: this.config.nodeIP,
      podIP,
      allocatable: {
        cpu: String(allocatable.cpu ?? this.config.capacity.cpu),
        memory: String(allocatable.memory ?? this.config.capacity.memory),
      },
    };
  }

  /** registerWithAPIServer, retried until the API server takes it, then the kubelet's first events. */
  private async registerWithAPIServer(signal: AbortSignal): Promise<void> {
    for (let delay = 100; !signal.aborted; delay = Math.min(delay * 2, 7000)) {
      try {
        this.node = await this.deps.nodeStatus.register();
        break;
      } catch (err) {
        this.config.onError(err);
        await sleep(this.config.clock, delay, signal);
      }
    }
    if (signal.aborted) return;
    await this.deps.nodeStatus.nodeEvent('Starting', 'Starting kubelet.');
    await this.deps.nodeStatus.nodeEvent(
      'NodeAllocatableEnforced',
      'Updated Node Allocatable limit across pods',
    );
  }

  private async syncNodeStatusLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const images = (await this.config.images.listImages()).map((i) => ({
          names: [i.id, ...i.repoTags],
          sizeBytes: i.size,
        }));
        // A runtime that does not answer is down, as the kubelet's runtime state sees it.
        const runtime = await this.config.runtime.status().catch(() => []);
        this.node = await this.deps.nodeStatus.update(this.node!, images, runtimeProblem(runtime));
      } catch (err) {
        this.config.onError(err);
      }
      await sleep(this.config.clock, this.config.nodeStatusUpdateFrequencyMs, signal);
    }
  }

  private async leaseLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.deps.nodeLease.renew(this.node?.metadata.uid ?? '');
      } catch (err) {
        this.config.onError(err);
      }
      await sleep(this.config.clock, this.config.nodeLeaseRenewIntervalMs, signal);
    }
  }

  /** HandlePodCleanups, every syncFrequency: orphans, and pods removed while we were not watching. */
  private async housekeepingLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.config.clock, this.config.syncFrequencyMs, signal);
      if (signal.aborted) return;
      for (const [uid, state] of this.states) {
        if (!this.podInformer.store.list().some((p) => p.metadata.uid === uid) && !state.removed) {
          this.handlePodRemove(state.pod);
        }
      }
      await this.cleanupOrphans().catch(this.config.onError);
    }
  }

  /** Sandboxes and containers of pods the kubelet does not know (a previous run's): stopped and removed. */
  private async cleanupOrphans(): Promise<void> {
    const sandboxes = await this.config.runtime.listPodSandbox();
    const orphans = new Set(
      sandboxes.map((s) => s.labels[POD_UID_LABEL] ?? '').filter((uid) => !this.states.has(uid)),
    );
    for (const uid of orphans) {
      const status = await this.deps.runtimeManager.getPodStatus(uid);
      await this.deps.runtimeManager.killPod(undefined, status, 0);
      await this.deps.runtimeManager.removePod(status);
      await this.deps.volumes.unmountVolumes(uid);
    }
  }
}

/**
 * Whether a pod update asks for a sync: a change of spec, labels, annotations or deletion does; a
 * status change alone (most often the kubelet's own write) does not, as the kubelet's pod config
 * source filters them (checkAndUpdatePod).
 */
function needsSync(old: Pod, pod: Pod): boolean {
  const relevant = (p: Pod) =>
    JSON.stringify([p.spec, p.metadata.labels, p.metadata.annotations, p.metadata.deletionTimestamp]);
  return relevant(old) !== relevant(pod);
}
