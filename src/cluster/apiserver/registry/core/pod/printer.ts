/**
 * The pod printer (printPod in kube's pkg/printers/internalversion): READY, STATUS and RESTARTS
 * worked out together from the pod's init, sidecar and app containers, as `kubectl get pods`
 * shows them. The TUI reads a pod's STATUS through podStatusReason.
 */
import type { Container } from '../../../../api/core/container.ts';
import type { Pod } from '../../../../api/core/pod.ts';
import {
  ageCell,
  ageColumn,
  column,
  nameCell,
  nameColumn,
  noneIfEmpty,
  wideColumn,
} from '../../../tables/columns.ts';
import { humanDuration, parseTimestamp } from '../../../tables/duration.ts';
import type { TableConvertor, TableRowCondition } from '../../../tables/types.ts';

type PodStatus = Pod['status'];
type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];
type TerminatedState = NonNullable<ContainerStatus['state']['terminated']>;

/** Restarts is a running count of container restarts and when the latest of them ended. */
interface Restarts {
  readonly count: number;
  /** When the most recent restarted container last terminated (epoch ms), if known. */
  readonly last?: number;
}

const noRestarts: Restarts = { count: 0 };

/** The later of two instants that may be unknown. */
function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/** Adds one container's restarts, keeping the later of the two last-termination times. */
function withRestarts(restarts: Restarts, status: ContainerStatus): Restarts {
  const finished = parseTimestamp(status.lastState?.terminated?.finishedAt);
  return { count: restarts.count + (status.restartCount ?? 0), last: later(restarts.last, finished) };
}

/** A sidecar is an init container with restartPolicy Always: it starts first and keeps running. */
function isSidecar(container: Container | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

/** Mirrors hasPodReadyCondition: any Ready condition that is True. */
function isReady(status: PodStatus): boolean {
  return (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Mirrors isPodInitializedConditionTrue: the first Initialized condition decides. */
function isInitialized(status: PodStatus): boolean {
  return (status.conditions ?? []).find((c) => c.type === 'Initialized')?.status === 'True';
}

/**
 * startingReason is the STATUS a pod shows before its containers have a say: its phase, or the
 * kubelet's status.reason ("Evicted", "NodeLost"), or SchedulingGated while a scheduling gate
 * holds it back.
 */
function startingReason(status: PodStatus): string {
  const gated = (status.conditions ?? []).some(
    (c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated',
  );
  if (gated) return 'SchedulingGated';
  return status.reason || status.phase || '';
}

/** Names how a container ended when its runtime gave no reason: "Signal:9", else "ExitCode:1". */
function terminatedReason(terminated: TerminatedState): string {
  if (terminated.reason) return terminated.reason;
  return terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
}

/**
 * initBlockedReason says why initialization stops at the init container at `index`: it failed
 * ("Init:Error", "Init:ExitCode:3"), it waits for a reason ("Init:ImagePullBackOff",
 * "Init:CrashLoopBackOff"), or it is simply the next one to run ("Init:1/3").
 */
function initBlockedReason(status: ContainerStatus, index: number, initCount: number): string {
  const terminated = status.state?.terminated;
  if (terminated) return `Init:${terminatedReason(terminated)}`;
  const waiting = status.state?.waiting?.reason;
  if (waiting && waiting !== 'PodInitializing') return `Init:${waiting}`;
  return `Init:${index}/${initCount}`;
}

interface InitProgress {
  /** Restarts of every init container looked at. */
  readonly restarts: Restarts;
  /** Restarts of the sidecars among them, which still count once the pod is initialized. */
  readonly sidecarRestarts: Restarts;
  /** Sidecars that have started and are ready. */
  readonly ready: number;
  /** Set when initialization has not finished: the STATUS that says where it stands. */
  readonly blockedReason?: string;
}

/**
 * walkInitContainers goes through the init container statuses in order. One that exited 0 is
 * done, and a started sidecar is running as it should; the first container that is neither
 * blocks initialization and the walk stops there.
 */
function walkInitContainers(pod: Pod): InitProgress {
  const specs = pod.spec.initContainers ?? [];
  const specByName = new Map(specs.map((c) => [c.name, c]));
  let progress: InitProgress = { restarts: noRestarts, sidecarRestarts: noRestarts, ready: 0 };
  for (const [index, status] of (pod.status.initContainerStatuses ?? []).entries()) {
    const sidecar = isSidecar(specByName.get(status.name));
    progress = {
      restarts: withRestarts(progress.restarts, status),
      sidecarRestarts: sidecar ? withRestarts(progress.sidecarRestarts, status) : progress.sidecarRestarts,
      ready: progress.ready,
    };
    const terminated = status.state?.terminated;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && status.started === true) {
      if (status.ready) progress = { ...progress, ready: progress.ready + 1 };
      continue;
    }
    return { ...progress, blockedReason: initBlockedReason(status, index, specs.length) };
  }
  return progress;
}

interface AppProgress {
  readonly reason: string;
  readonly ready: number;
  readonly restarts: Restarts;
  /** Some container is running and ready. */
  readonly running: boolean;
}

/**
 * walkAppContainers goes through the app container statuses from last to first, so the first
 * container with something to say (a waiting or terminated reason) has the final word in STATUS.
 * Worked example: containers [app: waiting CrashLoopBackOff, proxy: running and ready] give
 * STATUS CrashLoopBackOff and READY 1/2.
 */
function walkAppContainers(
  statuses: readonly ContainerStatus[],
  reason: string,
  restarts: Restarts,
): AppProgress {
  let progress: AppProgress = { reason, ready: 0, restarts, running: false };
  for (const status of [...statuses].reverse()) {
    progress = { ...progress, restarts: withRestarts(progress.restarts, status) };
    const waiting = status.state?.waiting?.reason;
    const terminated = status.state?.terminated;
    if (waiting) progress = { ...progress, reason: waiting };
    else if (terminated) progress = { ...progress, reason: terminatedReason(terminated) };
    else if (status.ready && status.state?.running) {
      progress = { ...progress, running: true, ready: progress.ready + 1 };
    }
  }
  return progress;
}

/**
 * deletionReason overrides STATUS for a pod being deleted: "Unknown" when its node was lost (the
 * node controller set reason NodeLost), else "Terminating" unless the pod had already finished.
 */
function deletionReason(pod: Pod, reason: string): string {
  if (!pod.metadata.deletionTimestamp) return reason;
  if (pod.status.reason === 'NodeLost') return 'Unknown';
  const phase = pod.status.phase;
  return phase === 'Succeeded' || phase === 'Failed' ? reason : 'Terminating';
}

interface PodSummary {
  readonly reason: string;
  readonly ready: number;
  readonly total: number;
  readonly restarts: Restarts;
}

/**
 * summarizePod works out READY, STATUS and RESTARTS together, as printPod does. While the pod
 * initializes only init containers count; once initialized, the app containers and the sidecars
 * count and the other init containers' restarts are forgotten. A container that completed while
 * another still runs does not make the pod "Completed": it is Running, or NotReady if the pod's
 * Ready condition is not True.
 */
function summarizePod(pod: Pod): PodSummary {
  const status = pod.status;
  const init = walkInitContainers(pod);
  let reason = init.blockedReason ?? startingReason(status);
  let ready = init.ready;
  let restarts = init.restarts;
  if (init.blockedReason === undefined || isInitialized(status)) {
    const app = walkAppContainers(status.containerStatuses ?? [], reason, init.sidecarRestarts);
    reason = app.reason;
    ready += app.ready;
    restarts = app.restarts;
    if (reason === 'Completed' && app.running) reason = isReady(status) ? 'Running' : 'NotReady';
  }
  return { reason: deletionReason(pod, reason), ready, total: totalContainers(pod), restarts };
}

/** The containers READY counts: app containers and sidecars, not run-to-completion init containers. */
function totalContainers(pod: Pod): number {
  const sidecars = (pod.spec.initContainers ?? []).filter(isSidecar).length;
  return pod.spec.containers.length + sidecars;
}

/** RESTARTS: "3", or "3 (12s ago)" when the time of the latest restart is known. */
function restartsCell(restarts: Restarts, now: Date): string {
  if (restarts.count === 0 || restarts.last === undefined) return String(restarts.count);
  return `${restarts.count} (${humanDuration(now.getTime() - restarts.last)} ago)`;
}

/** READINESS GATES: how many of the pod's readiness gates have a True condition, "1/2". */
function readinessGatesCell(pod: Pod): string {
  const gates = pod.spec.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status.conditions ?? [];
  const met = gates.filter(
    (gate) => conditions.find((c) => c.type === gate.conditionType)?.status === 'True',
  ).length;
  return `${met}/${gates.length}`;
}

/** A finished pod's row is marked Completed, so clients can tell it apart from live pods. */
function completedConditions(phase: string | undefined): TableRowCondition[] {
  switch (phase) {
    case 'Succeeded':
      return [
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ];
    case 'Failed':
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    default:
      return [];
  }
}

/** The pod printer: `kubectl get pods`. */
export const podConvertor: TableConvertor<Pod> = {
  columns: [
    nameColumn,
    column('Ready', 'string', 'Ready containers out of all long-running containers.'),
    column('Status', 'string', 'A one-word summary of the pod and its containers.'),
    column('Restarts', 'string', 'Container restarts, and how long ago the latest one was.'),
    ageColumn,
    wideColumn('IP', 'string', "The pod's first IP address."),
    wideColumn('Node', 'string', 'The node the pod is bound to.'),
    wideColumn('Nominated Node', 'string', 'The node a preempting pod is waiting to be scheduled on.'),
    wideColumn('Readiness Gates', 'string', 'Readiness gates whose condition is True, out of all gates.'),
  ],
  cells(pod, now) {
    const summary = summarizePod(pod);
    return [
      nameCell(pod),
      `${summary.ready}/${summary.total}`,
      summary.reason,
      restartsCell(summary.restarts, now),
      ageCell(pod, now),
      noneIfEmpty(pod.status.podIPs?.[0]?.ip),
      noneIfEmpty(pod.spec.nodeName),
      noneIfEmpty(pod.status.nominatedNodeName),
      readinessGatesCell(pod),
    ];
  },
  conditions(pod) {
    return completedConditions(pod.status.phase);
  },
};

/** podStatusReason is the STATUS column of `kubectl get pods`: Running, Pending, CrashLoopBackOff, Init:0/1... */
export function podStatusReason(pod: Pod): string {
  return summarizePod(pod).reason;
}
