/**
 * The scheduler's cache, after kube-scheduler's pkg/scheduler/backend/cache: one NodeInfo per node,
 * kept up to date by informer events and by the scheduler's own assumptions, so a scheduling cycle
 * reads the cluster in O(nodes) without re-adding every pod to every node each time.
 *
 *   informer: node add/update/delete ─> addNode / updateNode / removeNode
 *   informer: bound pod add/update/delete ─> addPod / updatePod / removePod
 *   scheduler: a node was chosen ─> assumePod (the pod counts on that node from now on)
 *              the binding failed ─> forgetPod
 *              the informer shows the binding ─> addPod confirms the assumption
 *
 * The scheduler runs one cycle at a time on one thread, so a cycle reads the cache itself as its
 * snapshot: nothing can change it while Filter and Score run.
 */
import type { Node } from '../api/core/node.ts';
import type { Pod } from '../api/core/pod.ts';
import { NodeInfo } from './framework/node-info.ts';
import { podKey } from './queue/scheduling-queue.ts';

interface PodState {
  /** The copy of the pod counted on `node`; removal takes back exactly what it added. */
  readonly pod: Pod;
  readonly node: string;
  readonly assumed: boolean;
}

export class SchedulerCache {
  /** Every node with a Node object or pods on it; a node whose object is gone keeps its pods' NodeInfo. */
  private readonly infos = new Map<string, { info?: NodeInfo; pods: Set<string> }>();
  private readonly podStates = new Map<string, PodState>();
  /** The NodeInfos of nodes that exist, by name; rebuilt only when nodes come or go. */
  private snapshotList: NodeInfo[] | undefined;

  addNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const entry = this.entry(name);
    if (entry.info) {
      entry.info.setNode(node);
      return;
    }
    const info = new NodeInfo(node);
    for (const key of entry.pods) info.addPod(this.podStates.get(key)!.pod);
    entry.info = info;
    this.snapshotList = undefined;
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const entry = this.infos.get(name);
    if (!entry) return;
    entry.info = undefined;
    if (entry.pods.size === 0) this.infos.delete(name);
    this.snapshotList = undefined;
  }

  /** A pod the scheduler placed: it counts on `pod.spec.nodeName` until confirmed or forgotten. */
  assumePod(pod: Pod): void {
    this.place(pod, true);
  }

  /** The binding failed: the node has room again. Only an assumed pod can be forgotten. */
  forgetPod(pod: Pod): void {
    if (this.podStates.get(podKey(pod))?.assumed) this.unplace(podKey(pod));
  }

  isAssumed(pod: Pod): boolean {
    return this.podStates.get(podKey(pod))?.assumed ?? false;
  }

  /** A bound pod the informer shows (which confirms an assumption). */
  addPod(pod: Pod): void {
    this.place(pod, false);
  }

  updatePod(pod: Pod): void {
    this.place(pod, false);
  }

  removePod(pod: Pod): void {
    this.unplace(podKey(pod));
  }

  /** The nodes that exist, sorted by name: the cycle's snapshot. */
  nodeInfos(): readonly NodeInfo[] {
    this.snapshotList ??= [...this.infos.entries()]
      .filter(([, entry]) => entry.info)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, entry]) => entry.info!);
    return this.snapshotList;
  }

  private place(pod: Pod, assumed: boolean): void {
    const key = podKey(pod);
    this.unplace(key);
    const node = pod.spec.nodeName ?? '';
    const entry = this.entry(node);
    entry.pods.add(key);
    entry.info?.addPod(pod);
    this.podStates.set(key, { pod, node, assumed });
  }

  private unplace(key: string): void {
    const state = this.podStates.get(key);
    if (!state) return;
    this.podStates.delete(key);
    const entry = this.infos.get(state.node);
    if (!entry) return;
    entry.pods.delete(key);
    entry.info?.removePod(state.pod);
    if (!entry.info && entry.pods.size === 0) this.infos.delete(state.node);
  }

  private entry(name: string): { info?: NodeInfo; pods: Set<string> } {
    let entry = this.infos.get(name);
    if (!entry) {
      entry = { pods: new Set() };
      this.infos.set(name, entry);
    }
    return entry;
  }
}
