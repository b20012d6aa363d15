// Memory of a process lab's nodes, read from /proc: the node agents' resident memory, and what their
// pods' processes are charged for, as the lab runtime charges a container.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chargedMemory } from '../../src/cluster/runtime/process-runtime.ts';
import { readRss } from '../proc.ts';

/** The node agents' resident memory, summed. */
export async function agentsRss(agentPids: readonly number[]): Promise<number> {
  return (await Promise.all(agentPids.map(readRss))).reduce((sum, b) => sum + b, 0);
}

/** The direct children of a process, over all its threads (/proc/<pid>/task/<tid>/children). */
async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const lists = await Promise.all(
    tasks.map((tid) => readFile(join('/proc', String(pid), 'task', tid, 'children'), 'utf8').catch(() => '')),
  );
  return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
}

/** Whether the process runs a lab image's program (node <cache>/<id>/program.mjs ...): a container. */
async function isContainer(pid: number): Promise<boolean> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  return argv[1]?.endsWith('/program.mjs') ?? false;
}

/**
 * Memory of the pods' processes: the node agents' children that are containers (an agent has others,
 * such as the esbuild service that bundled its images).
 */
export async function podsMemory(
  agentPids: readonly number[],
): Promise<{ processes: number; bytes: number }> {
  const children = (await Promise.all(agentPids.map(childrenOf))).flat();
  const containers = await Promise.all(children.map(isContainer));
  const pids = children.filter((_, i) => containers[i]);
  const bytes = pids.reduce((sum, pid) => sum + chargedMemory(pid), 0);
  return { processes: pids.length, bytes };
}
