import { type Clock, systemClock } from '../clock/clock.ts';
import type { ContainerStats, ContainerStatsFilter } from '../cri/services.ts';
import type { RuntimeService } from './cri.ts';
import { type ProcStat, readProcesses } from './proc-stat.ts';
import { chargedMemory } from './process-runtime.ts';

/**
 * listContainerStats is the lab runtime's ListContainerStats: what containerd reads from each
 * container's cgroup, read from /proc instead, as the lab's containers are processes. A container
 * is its main process and every process in its session (the runtime starts each one as a session
 * leader): its CPU is their utime+stime plus what they have reaped of their children's, its working
 * set their charged memory (chargedMemory, what a memory limit counts).
 */
export async function listContainerStats(
  runtime: RuntimeService,
  filter: ContainerStatsFilter = {},
  clock: Clock = systemClock,
): Promise<ContainerStats[]> {
  const running = await runtime.listContainers({ ...filter, state: 'CONTAINER_RUNNING' });
  const bySession = new Map<number, ProcStat[]>();
  for (const p of readProcesses()) bySession.set(p.session, [...(bySession.get(p.session) ?? []), p]);
  const timestamp = BigInt(clock.now()) * 1_000_000n;
  return running
    .filter((c) => c.pid !== undefined)
    .map((c) => {
      const members = bySession.get(c.pid!) ?? [];
      const cpuSeconds = members.reduce((sum, p) => sum + p.cpuSeconds, 0);
      return {
        id: c.id,
        metadata: c.metadata,
        labels: c.labels,
        annotations: c.annotations,
        timestamp,
        usageCoreNanoSeconds: BigInt(Math.round(cpuSeconds * 1e9)),
        workingSetBytes: BigInt(members.reduce((sum, p) => sum + chargedMemory(p.pid), 0)),
      };
    });
}
