import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Container } from '../../api/core/container.ts';
import type { Pod } from '../../api/core/pod.ts';
import { goDuration } from '../../api/meta.ts';
import { milliValue, parseQuantity, value } from '../../api/quantity.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import type { CriRuntimeService } from '../../cri/services.ts';
import type { ContainerStatus, Mount, PodSandboxConfig, PodSandboxStatus } from '../../runtime/cri.ts';
import type { BackOff } from '../backoff.ts';
import type { ConfigSources } from '../config-sources.ts';
import type { DownwardContext } from '../downward-api.ts';
import type { ServiceNetwork } from '../service-network.ts';
import type { VolumeManager } from '../volumes.ts';
import { makeEnvironmentVariables } from './env.ts';
import { type ImageManager, ImagePullError } from './image-manager.ts';
import {
  CONTAINER_HASH_ANNOTATION,
  CONTAINER_NAME_LABEL,
  containerLabels,
  formatPod,
  hashContainer,
  POD_UID_LABEL,
  podLabels,
  RESTART_COUNT_ANNOTATION,
  TERMINATION_GRACE_ANNOTATION,
} from './labels.ts';

/** What the runtime holds for one pod (kubecontainer.PodStatus): newest first. */
export interface RuntimePodStatus {
  readonly sandboxes: readonly PodSandboxStatus[];
  readonly containers: readonly ContainerStatus[];
}

/** Why a container is not running, as its status shows it (ContainerStateWaiting). */
export interface ContainerWaiting {
  readonly reason: string;
  readonly message: string;
  /** When the pod should be synced again for this container (an image pull back-off). */
  readonly retryAfterMs?: number;
}

/** What SyncPod leaves behind: waiting reasons by container name and when to look again. */
export interface SyncResult {
  readonly waiting: Map<string, ContainerWaiting>;
  /** The earliest back-off end, so the pod worker syncs again when a restart becomes due. */
  requeueAfterMs?: number;
}

/** What SyncPod needs from the rest of the kubelet besides the pod. */
export interface SyncContext {
  readonly volumePaths: ReadonlyMap<string, string>;
  /** The downward API's facts once the sandbox has given the pod its IP. */
  downward(podIP: string): DownwardContext;
  /** The probe that failed for a running container and asks for a restart, if any. */
  unhealthy(containerId: string): 'liveness' | 'startup' | undefined;
}

const NANOS_PER_MS = 1_000_000n;
export const nanosToMs = (ns: bigint) => Number(ns / NANOS_PER_MS);

/** The newest runtime container for each container name (the first in a newest-first list). */
export function latestByName(containers: readonly ContainerStatus[]): Map<string, ContainerStatus> {
  const latest = new Map<string, ContainerStatus>();
  for (const c of containers) if (!latest.has(c.metadata.name)) latest.set(c.metadata.name, c);
  return latest;
}

/**
 * KubeGenericRuntimeManager drives the CRI runtime for the kubelet (pkg/kubelet/kuberuntime):
 * SyncPod compares the pod spec with what the runtime has and acts, in kubelet's order:
 *
 *   1. a ready sandbox (the pod's network: its IP), made anew if it is missing or died;
 *   2. containers to kill: failed liveness/startup probes, changed specs;
 *   3. init containers one at a time, each to success, before any app container;
 *   4. app containers: start the missing, restart the exited per restartPolicy, with
 *      CrashLoopBackOff between crashes.
 */
export class KubeGenericRuntimeManager {
  constructor(
    private readonly runtime: CriRuntimeService,
    private readonly imageManager: ImageManager,
    private readonly volumes: VolumeManager,
    private readonly sources: ConfigSources,
    private readonly recorder: EventRecorder,
    private readonly crashBackOff: BackOff,
    private readonly rootDir: string,
    /** Service environment variables and the cluster DNS resolv.conf; none when not given. */
    private readonly serviceNetwork?: ServiceNetwork,
  ) {}

  /**
   * The pod's resolv.conf, written beside its volumes and mounted at /etc/resolv.conf, as the
   * container runtime does with the sandbox's DNS config; a container mounting its own keeps it.
   */
  private async resolvConfMount(pod: Pod, spec: Container): Promise<Mount[]> {
    const text = this.serviceNetwork?.resolvConf(pod);
    if (text === undefined || spec.volumeMounts?.some((m) => m.mountPath === '/etc/resolv.conf')) return [];
    const hostPath = join(this.volumes.podDir(pod.metadata.uid ?? ''), 'resolv.conf');
    await mkdir(dirname(hostPath), { recursive: true });
    await writeFile(hostPath, text);
    return [{ containerPath: '/etc/resolv.conf', hostPath, readonly: true }];
  }

  /** GetPodStatus: the pod's sandboxes and containers, newest first. */
  async getPodStatus(uid: string): Promise<RuntimePodStatus> {
    const labelSelector = { [POD_UID_LABEL]: uid };
    const newestFirst = <T extends { createdAt: bigint }>(list: T[]) =>
      list.sort((a, b) => (a.createdAt === b.createdAt ? 0 : a.createdAt > b.createdAt ? -1 : 1));
    const [sandboxes, containers] = await Promise.all([
      this.runtime.listPodSandbox({ labelSelector }),
      this.runtime.listContainers({ labelSelector }),
    ]);
    return { sandboxes: newestFirst(sandboxes), containers: newestFirst(containers) };
  }

  async syncPod(pod: Pod, status: RuntimePodStatus, context: SyncContext): Promise<SyncResult> {
    const result: SyncResult = { waiting: new Map() };
    let sandbox = status.sandboxes.find((s) => s.state === 'SANDBOX_READY');
    let containers = status.containers;
    if (!sandbox) {
      if (status.sandboxes.length > 0) {
        await this.recorder.event(
          pod,
          'Normal',
          'SandboxChanged',
          'Pod sandbox changed, it will be killed and re-created.',
        );
        await this.killContainers(pod, containers, 0);
      }
      const id = await this.runtime.runPodSandbox(this.sandboxConfig(pod, status.sandboxes.length));
      sandbox = await this.runtime.podSandboxStatus(id);
      containers = [];
    }
    await this.removeOldRuns(containers);
    const config = this.sandboxConfig(pod, sandbox.metadata.attempt);
    const sandboxContainers = containers.filter((c) => c.podSandboxId === sandbox.id);
    const latest = latestByName(sandboxContainers);
    const restartPolicy = pod.spec.restartPolicy ?? 'Always';

    // Step 2: containers that must go, and then count as exited.
    const killed = new Set<string>();
    for (const spec of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const running = latest.get(spec.name);
      if (running?.state !== 'CONTAINER_RUNNING') continue;
      const probe = context.unhealthy(running.id);
      const changed = running.annotations[CONTAINER_HASH_ANNOTATION] !== hashContainer(spec);
      if (!probe && !changed) continue;
      const message = probe
        ? `Container ${spec.name} failed ${probe} probe, will be restarted`
        : `Container ${spec.name} definition changed, will be restarted`;
      await this.recorder.event(pod, 'Normal', 'Killing', message);
      await this.runtime.stopContainer(running.id, gracePeriod(pod));
      killed.add(spec.name);
      latest.set(spec.name, await this.runtime.containerStatus(running.id));
    }

    // Step 3: init containers, in order, each to success.
    for (const spec of pod.spec.initContainers ?? []) {
      const current = latest.get(spec.name);
      if (current?.state === 'CONTAINER_RUNNING') return result;
      if (current?.state === 'CONTAINER_EXITED' && current.exitCode === 0 && !killed.has(spec.name)) continue;
      if (current?.state === 'CONTAINER_EXITED' && restartPolicy === 'Never') return result;
      await this.startOrBackOff(pod, spec, current, config, sandbox, context, result);
      for (const c of pod.spec.containers)
        result.waiting.set(c.name, { reason: 'PodInitializing', message: '' });
      return result;
    }

    // Step 4: app containers.
    for (const spec of pod.spec.containers) {
      const current = latest.get(spec.name);
      if (current?.state === 'CONTAINER_RUNNING') continue;
      if (current?.state === 'CONTAINER_EXITED') {
        const restart =
          restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && current.exitCode !== 0);
        if (!restart) continue;
      }
      await this.startOrBackOff(pod, spec, current, config, sandbox, context, result);
    }
    return result;
  }

  /**
   * killPod: every running container gets SIGTERM and the grace period (a Killing event each, as
   * `kubectl describe` shows "Stopping container web"), then the sandbox stops and its IP is free.
   */
  async killPod(pod: Pod | undefined, status: RuntimePodStatus, gracePeriodSeconds: number): Promise<void> {
    await this.killContainers(pod, status.containers, gracePeriodSeconds);
    for (const sandbox of status.sandboxes) {
      if (sandbox.state === 'SANDBOX_READY') await this.runtime.stopPodSandbox(sandbox.id);
    }
  }

  /** Stops the sandboxes of a pod that has finished (Succeeded/Failed): its containers stay for their status and logs. */
  async stopSandboxes(status: RuntimePodStatus): Promise<void> {
    for (const sandbox of status.sandboxes) {
      if (sandbox.state === 'SANDBOX_READY') await this.runtime.stopPodSandbox(sandbox.id);
    }
  }

  /** Removes what is left of a pod in the runtime: its containers, then its sandboxes. */
  async removePod(status: RuntimePodStatus): Promise<void> {
    for (const c of status.containers) await this.runtime.removeContainer(c.id);
    for (const s of status.sandboxes) await this.runtime.removePodSandbox(s.id);
  }

  /**
   * containerGC for one pod: of each container's exited runs only the newest two stay, the current
   * one and the one before it (`kubectl logs --previous` reads that).
   */
  private async removeOldRuns(containers: readonly ContainerStatus[]): Promise<void> {
    const seen = new Map<string, number>();
    for (const c of containers) {
      const count = (seen.get(c.metadata.name) ?? 0) + 1;
      seen.set(c.metadata.name, count);
      if (count > 2 && c.state === 'CONTAINER_EXITED') await this.runtime.removeContainer(c.id);
    }
  }

  private async killContainers(pod: Pod | undefined, containers: readonly ContainerStatus[], grace: number) {
    await Promise.all(
      containers
        .filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED')
        .map(async (c) => {
          const name = c.labels[CONTAINER_NAME_LABEL] ?? c.metadata.name;
          if (pod) await this.recorder.event(pod, 'Normal', 'Killing', `Stopping container ${name}`);
          const timeout = pod ? grace : Number(c.annotations[TERMINATION_GRACE_ANNOTATION] ?? grace);
          await this.runtime.stopContainer(c.id, timeout);
        }),
    );
  }

  /**
   * Starts the container unless it crashed too recently (doBackOff): then it waits in
   * CrashLoopBackOff and the pod worker comes back when the back-off ends.
   */
  private async startOrBackOff(
    pod: Pod,
    spec: Container,
    previous: ContainerStatus | undefined,
    config: PodSandboxConfig,
    sandbox: PodSandboxStatus,
    context: SyncContext,
    result: SyncResult,
  ): Promise<void> {
    if (previous?.state === 'CONTAINER_EXITED') {
      const key = `${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_${spec.name}`;
      const finishedAt = nanosToMs(previous.finishedAt);
      if (this.crashBackOff.isInBackOffSince(key, finishedAt)) {
        const delay = goDuration(this.crashBackOff.get(key));
        await this.recorder.event(
          pod,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${spec.name} in pod ${formatPod(pod)}`,
        );
        result.waiting.set(spec.name, {
          reason: 'CrashLoopBackOff',
          message: `back-off ${delay} restarting failed container=${spec.name} pod=${formatPod(pod)}`,
        });
        const due = this.crashBackOff.remaining(key, finishedAt);
        result.requeueAfterMs = Math.min(result.requeueAfterMs ?? due, due);
        return;
      }
      this.crashBackOff.next(key, finishedAt);
    }
    const attempt = previous ? previous.metadata.attempt + 1 : 0;
    const waiting = await this.startContainer(pod, spec, attempt, config, sandbox, context);
    if (!waiting) return;
    result.waiting.set(spec.name, waiting);
    if (waiting.retryAfterMs !== undefined) {
      result.requeueAfterMs = Math.min(result.requeueAfterMs ?? waiting.retryAfterMs, waiting.retryAfterMs);
    }
  }

  /** startContainer (kuberuntime_container.go): image, config, create, start; a failure is a waiting reason. */
  private async startContainer(
    pod: Pod,
    spec: Container,
    attempt: number,
    config: PodSandboxConfig,
    sandbox: PodSandboxStatus,
    context: SyncContext,
  ): Promise<ContainerWaiting | undefined> {
    const fail = async (reason: string, message: string, retryAfterMs?: number) => {
      await this.recorder.event(
        pod,
        'Warning',
        'Failed',
        `Error: ${reason === 'CreateContainerConfigError' ? message : reason}`,
      );
      return { reason, message, retryAfterMs };
    };
    try {
      await this.imageManager.ensureImageExists(pod, spec, pod);
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      return fail(err.reason, err.message, err.retryAfterMs);
    }
    let envs: Awaited<ReturnType<typeof makeEnvironmentVariables>>;
    try {
      envs = await makeEnvironmentVariables(
        pod,
        spec,
        this.sources,
        context.downward(sandbox.network.ip),
        this.serviceNetwork?.environment(pod),
      );
    } catch (err) {
      return fail('CreateContainerConfigError', err instanceof Error ? err.message : String(err));
    }
    const memoryLimit = spec.resources?.limits?.memory;
    const cpuLimit = spec.resources?.limits?.cpu;
    const cpuPeriod = 100_000;
    let id: string;
    try {
      id = await this.runtime.createContainer(
        sandbox.id,
        {
          metadata: { name: spec.name, attempt },
          image: spec.image ?? '',
          command: spec.command ?? [],
          args: spec.args ?? [],
          workingDir: spec.workingDir ?? '',
          envs,
          mounts: [
            ...this.volumes.mounts(spec, context.volumePaths),
            ...(await this.resolvConfMount(pod, spec)),
          ],
          logPath: join(spec.name, `${attempt}.log`),
          stdin: spec.stdin === true,
          stdinOnce: spec.stdinOnce === true,
          tty: spec.tty === true,
          labels: containerLabels(pod, spec),
          annotations: {
            [CONTAINER_HASH_ANNOTATION]: hashContainer(spec),
            [RESTART_COUNT_ANNOTATION]: String(attempt),
            [TERMINATION_GRACE_ANNOTATION]: String(pod.spec.terminationGracePeriodSeconds ?? 30),
          },
          linux: {
            resources: {
              cpuPeriod,
              cpuQuota: cpuLimit ? Math.ceil((milliValue(parseQuantity(cpuLimit)) * cpuPeriod) / 1000) : 0,
              cpuShares: 2,
              memoryLimitInBytes: memoryLimit ? value(parseQuantity(memoryLimit)) : 0,
            },
          },
        },
        config,
      );
    } catch (err) {
      return fail('CreateContainerError', err instanceof Error ? err.message : String(err));
    }
    await this.recorder.event(pod, 'Normal', 'Created', `Created container: ${spec.name}`);
    try {
      await this.runtime.startContainer(id);
    } catch (err) {
      return fail('RunContainerError', err instanceof Error ? err.message : String(err));
    }
    await this.recorder.event(pod, 'Normal', 'Started', `Started container ${spec.name}`);
    return undefined;
  }

  /** The sandbox config of a pod: its CRI metadata, labels, and the folder its logs go in. */
  sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    const { name = '', namespace = 'default', uid = '' } = pod.metadata;
    return {
      metadata: { name, namespace, uid, attempt },
      hostname: pod.spec.hostname ?? name,
      logDirectory: join(this.rootDir, 'pods', `${namespace}_${name}_${uid}`),
      labels: podLabels(pod),
      annotations: { ...pod.metadata.annotations },
    };
  }
}

/** The grace period of a pod being deleted (the API server sets it on the object), else its spec's. */
export function gracePeriod(pod: Pod): number {
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}
