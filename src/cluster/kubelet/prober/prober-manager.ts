import type { Container, Probe } from '../../api/core/container.ts';
import type { Pod } from '../../api/core/pod.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import type { Clock, Timer } from '../../clock/clock.ts';
import type { ContainerStatus } from '../../runtime/cri.ts';
import { nanosToMs } from '../kuberuntime/runtime-manager.ts';
import type { Prober, ProbeType } from './prober.ts';

/** The container a worker probes: its current run. */
interface Target {
  readonly pod: Pod;
  readonly podIP: string;
  readonly container: Container;
  readonly containerId: string;
  readonly startedAt: number;
}

/**
 * worker probes one container of one pod with one probe, every periodSeconds (prober/worker.go).
 * A result counts only after failureThreshold failures or successThreshold successes in a row;
 * a new container run starts the count over with the probe's initial result (readiness: not
 * ready, liveness: alive, startup: not started). After a liveness or startup failure the worker
 * holds until the kubelet has restarted the container.
 */
class Worker {
  private target: Target | undefined;
  private result: boolean | undefined;
  private lastResult: boolean | undefined;
  private resultRun = 0;
  private onHold = false;
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    readonly type: ProbeType,
    private readonly probe: Probe,
    private readonly manager: ProbeManager,
  ) {}

  /** The current result for `containerId`; undefined while the probe has not decided. */
  resultFor(containerId: string): boolean | undefined {
    return this.target?.containerId === containerId ? this.result : undefined;
  }

  setTarget(target: Target | undefined): void {
    if (target?.containerId === this.target?.containerId) {
      if (target) this.target = target;
      return;
    }
    this.target = target;
    this.result = this.type === 'Liveness' ? true : this.type === 'Readiness' ? false : undefined;
    this.lastResult = undefined;
    this.resultRun = 0;
    this.onHold = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(ms: number): void {
    this.timer?.cancel();
    if (this.stopped || !this.target) return;
    this.timer = this.manager.clock.setTimeout(() => void this.doProbe(), ms);
  }

  private async doProbe(): Promise<void> {
    const target = this.target;
    if (!target || this.stopped) return;
    const period = (this.probe.periodSeconds ?? 10) * 1000;
    try {
      if (this.onHold) return;
      const started = this.manager.started(target.pod, target.container, target.containerId);
      if (this.type !== 'Startup' && !started) return;
      if (this.type === 'Startup' && started) return;
      if (this.manager.clock.now() - target.startedAt < (this.probe.initialDelaySeconds ?? 0) * 1000) return;
      const { success, output } = await this.manager.prober.probe(
        this.probe,
        target.container,
        target.podIP,
        target.containerId,
      );
      if (this.target?.containerId !== target.containerId || this.stopped) return;
      if (!success) {
        await this.manager.recorder.event(
          target.pod,
          'Warning',
          'Unhealthy',
          `${this.type} probe failed: ${output}`,
        );
      }
      this.resultRun = this.lastResult === success ? this.resultRun + 1 : 1;
      this.lastResult = success;
      const threshold = success ? (this.probe.successThreshold ?? 1) : (this.probe.failureThreshold ?? 3);
      if (this.resultRun < threshold || this.result === success) return;
      this.result = success;
      if (!success && this.type !== 'Readiness') {
        this.onHold = true;
        this.resultRun = 0;
      }
      this.manager.changed(target.pod);
    } finally {
      this.schedule(period);
    }
  }
}

/**
 * ProbeManager keeps a worker per probe of every running container (prober/prober_manager.go) and
 * answers what the status and the sync need: is a container ready, has it started, must it be
 * restarted. A changed result makes the pod sync again.
 */
export class ProbeManager {
  private readonly workers = new Map<string, Worker>();

  constructor(
    readonly prober: Prober,
    readonly recorder: EventRecorder,
    readonly clock: Clock,
    /** Called when a result changes, to sync the pod. */
    private readonly onChange: (uid: string) => void,
  ) {}

  /** Brings the pod's workers in line with its spec and its containers' current runs. */
  updatePod(pod: Pod, podIP: string, runs: ReadonlyMap<string, ContainerStatus>): void {
    const uid = pod.metadata.uid ?? '';
    for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const run = runs.get(container.name);
      const target =
        run?.state === 'CONTAINER_RUNNING'
          ? { pod, podIP, container, containerId: run.id, startedAt: nanosToMs(run.startedAt) }
          : undefined;
      const probes: [ProbeType, Probe | undefined][] = [
        ['Liveness', container.livenessProbe],
        ['Readiness', container.readinessProbe],
        ['Startup', container.startupProbe],
      ];
      for (const [type, probe] of probes) {
        if (!probe) continue;
        const key = `${uid}/${container.name}/${type}`;
        let worker = this.workers.get(key);
        if (!worker) {
          worker = new Worker(type, probe, this);
          this.workers.set(key, worker);
        }
        worker.setTarget(target);
      }
    }
  }

  removePod(uid: string): void {
    for (const [key, worker] of this.workers) {
      if (!key.startsWith(`${uid}/`)) continue;
      worker.stop();
      this.workers.delete(key);
    }
  }

  stop(): void {
    for (const worker of this.workers.values()) worker.stop();
    this.workers.clear();
  }

  /** Readiness: a probe's success, or simply running and started without a readiness probe. */
  ready(pod: Pod, container: Container, containerId: string): boolean {
    if (!this.started(pod, container, containerId)) return false;
    if (!container.readinessProbe) return true;
    return this.worker(pod, container, 'Readiness')?.resultFor(containerId) === true;
  }

  /** Started: the startup probe succeeded, or there is none. */
  started(pod: Pod, container: Container, containerId: string): boolean {
    if (!container.startupProbe) return true;
    return this.worker(pod, container, 'Startup')?.resultFor(containerId) === true;
  }

  /** The probe that failed and wants the container restarted. */
  unhealthy(pod: Pod, container: Container, containerId: string): 'liveness' | 'startup' | undefined {
    if (this.worker(pod, container, 'Liveness')?.resultFor(containerId) === false) return 'liveness';
    if (this.worker(pod, container, 'Startup')?.resultFor(containerId) === false) return 'startup';
    return undefined;
  }

  changed(pod: Pod): void {
    this.onChange(pod.metadata.uid ?? '');
  }

  private worker(pod: Pod, container: Container, type: ProbeType): Worker | undefined {
    return this.workers.get(`${pod.metadata.uid}/${container.name}/${type}`);
  }
}
