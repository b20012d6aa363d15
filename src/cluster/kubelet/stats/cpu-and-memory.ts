import type { Clock } from '../../clock/clock.ts';
import type { CriRuntimeService } from '../../cri/services.ts';
import { readProcesses } from '../../runtime/proc-stat.ts';
import { chargedMemory } from '../../runtime/process-runtime.ts';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL } from '../kuberuntime/labels.ts';

/** CPU and memory of one running container, as the kubelet's stats provider reports them. */
export interface ContainerUsage {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** When the container started, in seconds since the epoch. */
  readonly startTime: number;
  /** Cumulative CPU time in core-seconds. */
  readonly cpuSeconds: number;
  readonly workingSetBytes: number;
}

/** One sample of the node and its containers, taken at timestampMs. */
export interface CPUAndMemoryStats {
  readonly timestampMs: number;
  readonly node: { readonly cpuSeconds: number; readonly workingSetBytes: number };
  readonly containers: readonly ContainerUsage[];
}

/**
 * cpuAndMemoryStats is the kubelet's CRI stats provider: each running container's usage as the
 * runtime reports it (ListContainerStats; containerd reads cgroups, the lab runtime /proc), and
 * the node's. The lab's nodes share one machine, so the machine's own totals would count every
 * node, and the control plane, once per node: a node is its agent (kubelet, kube-proxy and a lab
 * runtime, this process, with the CPU of the children it has reaped) and its containers.
 */
export async function cpuAndMemoryStats(
  runtime: CriRuntimeService,
  clock: Clock,
  agentPid: number = process.pid,
): Promise<CPUAndMemoryStats> {
  const [running, stats] = await Promise.all([
    runtime.listContainers({ state: 'CONTAINER_RUNNING' }),
    runtime.listContainerStats(),
  ]);
  const timestampMs = clock.now();
  const usage = new Map(stats.map((s) => [s.id, s]));
  const containers = running.flatMap((c) => {
    const s = usage.get(c.id);
    if (!s) return [];
    return [
      {
        namespace: c.labels[POD_NAMESPACE_LABEL] ?? '',
        pod: c.labels[POD_NAME_LABEL] ?? '',
        container: c.labels[CONTAINER_NAME_LABEL] ?? c.metadata.name,
        startTime: Number(c.startedAt / 1_000_000n) / 1000,
        cpuSeconds: Number(s.usageCoreNanoSeconds) / 1e9,
        workingSetBytes: Number(s.workingSetBytes),
      },
    ];
  });
  const agent = readProcesses().find((p) => p.pid === agentPid);
  return {
    timestampMs,
    node: {
      cpuSeconds: containers.reduce((sum, c) => sum + c.cpuSeconds, agent?.cpuSeconds ?? 0),
      workingSetBytes: containers.reduce((sum, c) => sum + c.workingSetBytes, chargedMemory(agentPid)),
    },
    containers,
  };
}
