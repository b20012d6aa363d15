import type { Clock } from '../../clock/clock.ts';
import type { RuntimeService } from '../../runtime/cri.ts';
import { chargedMemory } from '../../runtime/process-runtime.ts';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL } from '../kuberuntime/labels.ts';
import { type ProcStat, readProcesses } from './proc.ts';

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
 * cpuAndMemoryStats samples what the kubelet's cAdvisor reads from cgroups, from /proc instead, as
 * the lab's containers are processes:
 * - a container is its main process and every process in its session (the runtime starts each one
 *   as a session leader); its CPU is their utime+stime plus what they have reaped of their
 *   children's, its working set their charged memory (chargedMemory, what a memory limit counts);
 * - the node is the node agent (kubelet, runtime and kube-proxy, this process) and its containers.
 *   The lab's nodes share one machine, so the machine's own /proc totals would count every node,
 *   and the control plane, once per node; this keeps each node to what it runs. The agent reaps
 *   the containers, so the CPU of one that has exited stays in the node's total.
 */
export async function cpuAndMemoryStats(
  runtime: RuntimeService,
  clock: Clock,
  agentPid: number = process.pid,
): Promise<CPUAndMemoryStats> {
  const running = await runtime.listContainers({ state: 'CONTAINER_RUNNING' });
  const processes = readProcesses();
  const timestampMs = clock.now();
  const bySession = new Map<number, ProcStat[]>();
  for (const p of processes) bySession.set(p.session, [...(bySession.get(p.session) ?? []), p]);
  const usageOf = (members: readonly ProcStat[]) => ({
    cpuSeconds: members.reduce((sum, p) => sum + p.cpuSeconds, 0),
    workingSetBytes: members.reduce((sum, p) => sum + chargedMemory(p.pid), 0),
  });
  const containers = running
    .filter((c) => c.pid !== undefined)
    .map((c) => ({
      namespace: c.labels[POD_NAMESPACE_LABEL] ?? '',
      pod: c.labels[POD_NAME_LABEL] ?? '',
      container: c.labels[CONTAINER_NAME_LABEL] ?? c.metadata.name,
      startTime: Number(c.startedAt / 1_000_000n) / 1000,
      ...usageOf(bySession.get(c.pid!) ?? []),
    }));
  const agent = usageOf(processes.filter((p) => p.pid === agentPid));
  return {
    timestampMs,
    node: {
      cpuSeconds: containers.reduce((sum, c) => sum + c.cpuSeconds, agent.cpuSeconds),
      workingSetBytes: containers.reduce((sum, c) => sum + c.workingSetBytes, agent.workingSetBytes),
    },
    containers,
  };
}
