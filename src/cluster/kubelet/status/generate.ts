import type { Container } from '../../api/core/container.ts';
import type {
  ContainerStatus as ApiContainerStatus,
  Pod,
  PodCondition,
  PodStatus,
} from '../../api/core/pod.ts';
import { podQOSClass } from '../../api/core/qos.ts';
import { formatTime } from '../../api/meta.ts';
import type { ContainerStatus } from '../../runtime/cri.ts';
import { type ContainerWaiting, nanosToMs, type RuntimePodStatus } from '../kuberuntime/runtime-manager.ts';

/** What the probes say about a running container. */
export interface ProbeState {
  ready(containerId: string): boolean;
  started(containerId: string): boolean;
}

export interface StatusInput {
  readonly pod: Pod;
  readonly runtime: RuntimePodStatus;
  /** Waiting reasons from the last sync, by container name. */
  readonly waiting: ReadonlyMap<string, ContainerWaiting>;
  readonly probes: ProbeState;
  readonly nodeIP: string;
  readonly now: number;
  /** How container IDs are written in the status: <runtime>://, as containerd:// or orch-lab://. */
  readonly containerIDPrefix: string;
}

const time = (ns: bigint) => formatTime(nanosToMs(ns));

function terminated(c: ContainerStatus, containerIDPrefix: string) {
  return {
    exitCode: c.exitCode,
    reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
    ...(c.message ? { message: c.message } : {}),
    startedAt: time(c.startedAt || c.createdAt),
    finishedAt: time(c.finishedAt),
    containerID: `${containerIDPrefix}${c.id}`,
  };
}

/**
 * convertToAPIContainerStatuses: a container's state from its newest run in the runtime, its
 * lastState from the run before, and a waiting reason from the last sync when it is not running
 * (CrashLoopBackOff over the exited run, ErrImagePull before any run).
 */
function containerStatuses(
  specs: readonly Container[],
  input: StatusInput,
  defaultWaiting: string,
): ApiContainerStatus[] {
  return specs.map((spec) => {
    const runs = input.runtime.containers.filter((c) => c.metadata.name === spec.name);
    const [current, previous] = runs;
    const waiting = input.waiting.get(spec.name);
    const base = {
      name: spec.name,
      image: spec.image ?? '',
      imageID: current?.imageRef ?? '',
      restartCount: current?.metadata.attempt ?? 0,
    };
    if (!current || current.state === 'CONTAINER_CREATED' || current.state === 'CONTAINER_UNKNOWN') {
      return {
        ...base,
        state: {
          waiting: {
            reason: waiting?.reason ?? defaultWaiting,
            ...(waiting?.message ? { message: waiting.message } : {}),
          },
        },
        lastState:
          previous?.state === 'CONTAINER_EXITED'
            ? { terminated: terminated(previous, input.containerIDPrefix) }
            : {},
        ready: false,
        started: false,
      };
    }
    const containerID = `${input.containerIDPrefix}${current.id}`;
    if (current.state === 'CONTAINER_RUNNING') {
      return {
        ...base,
        containerID,
        state: { running: { startedAt: time(current.startedAt) } },
        lastState:
          previous?.state === 'CONTAINER_EXITED'
            ? { terminated: terminated(previous, input.containerIDPrefix) }
            : {},
        ready: input.probes.ready(current.id),
        started: input.probes.started(current.id),
      };
    }
    if (waiting) {
      return {
        ...base,
        containerID,
        state: {
          waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) },
        },
        lastState: { terminated: terminated(current, input.containerIDPrefix) },
        ready: false,
        started: false,
      };
    }
    return {
      ...base,
      containerID,
      state: { terminated: terminated(current, input.containerIDPrefix) },
      lastState:
        previous?.state === 'CONTAINER_EXITED'
          ? { terminated: terminated(previous, input.containerIDPrefix) }
          : {},
      ready: false,
      started: false,
    };
  });
}

/**
 * getPhase (kubelet_pods.go): Pending until the init containers are done and every container has
 * run; Running while one runs (or will be restarted); Succeeded or Failed when all have stopped for
 * good, by restartPolicy. A container waiting after an exit (CrashLoopBackOff) counts as stopped.
 */
export function podPhase(
  pod: Pod,
  init: readonly ApiContainerStatus[],
  app: readonly ApiContainerStatus[],
): string {
  const restartPolicy = pod.spec.restartPolicy ?? 'Always';
  for (const s of init) {
    if (s.state.terminated?.exitCode === 0) continue;
    if (s.state.terminated && restartPolicy === 'Never') return 'Failed';
    return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type ConditionFields = Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>;

/** A condition with lastTransitionTime carried over while its status stays the same. */
function condition(previous: readonly PodCondition[], now: string, c: ConditionFields): PodCondition {
  const before = previous.find((p) => p.type === c.type);
  const since = before?.status === c.status ? before.lastTransitionTime : undefined;
  return { ...c, lastProbeTime: null, lastTransitionTime: since ?? now };
}

/**
 * generateAPIPodStatus: the status the kubelet reports, in v1.32's shape and order of conditions
 * (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled).
 */
export function generateAPIPodStatus(input: StatusInput): PodStatus {
  const { pod, runtime, nodeIP } = input;
  const now = formatTime(input.now);
  const previous = pod.status ?? {};
  const previousConditions = previous.conditions ?? [];
  const sandbox = runtime.sandboxes.find((s) => s.state === 'SANDBOX_READY');
  const initSpecs = pod.spec.initContainers ?? [];
  const init = containerStatuses(initSpecs, input, 'PodInitializing');
  const initDone = init.every((s) => s.state.terminated?.exitCode === 0);
  const app = containerStatuses(
    pod.spec.containers,
    input,
    initDone ? 'ContainerCreating' : 'PodInitializing',
  );
  const phase = podPhase(pod, init, app);
  const podIP = sandbox?.network.ip || previous.podIP;

  const incompleteInit = init.filter((s) => s.state.terminated?.exitCode !== 0).map((s) => s.name);
  const unready = app.filter((s) => !s.ready).map((s) => s.name);
  const completed = phase === 'Succeeded';
  const readiness = (type: string): ConditionFields => {
    if (completed) return { type, status: 'False', reason: 'PodCompleted' };
    if (unready.length) {
      return {
        type,
        status: 'False',
        reason: 'ContainersNotReady',
        message: `containers with unready status: [${unready.join(' ')}]`,
      };
    }
    return { type, status: 'True' };
  };
  const conditions = [
    condition(previousConditions, now, {
      type: 'PodReadyToStartContainers',
      status: sandbox ? 'True' : 'False',
    }),
    condition(
      previousConditions,
      now,
      incompleteInit.length && !completed
        ? {
            type: 'Initialized',
            status: 'False',
            reason: 'ContainersNotInitialized',
            message: `containers with incomplete status: [${incompleteInit.join(' ')}]`,
          }
        : { type: 'Initialized', status: 'True' },
    ),
    condition(previousConditions, now, readiness('Ready')),
    condition(previousConditions, now, readiness('ContainersReady')),
    // Once the kubelet has the pod, it has been scheduled, whoever bound it.
    condition(previousConditions, now, { type: 'PodScheduled', status: 'True' }),
  ];
  return {
    phase,
    conditions,
    hostIP: nodeIP,
    hostIPs: [{ ip: nodeIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: previous.startTime ?? now,
    ...(initSpecs.length ? { initContainerStatuses: init } : {}),
    containerStatuses: app,
    qosClass: previous.qosClass ?? podQOSClass(pod),
  };
}
