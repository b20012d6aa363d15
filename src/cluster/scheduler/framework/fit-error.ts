/**
 * FitError is "no node fits this pod", after kube-scheduler's framework.FitError. Its message is
 * the one learners see in `kubectl describe pod` (v1.32 wording): a histogram of the reasons the
 * nodes gave, sorted as strings, then what preemption would have done.
 *
 *   0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.
 *   preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod,
 *   2 Preemption is not helpful for scheduling.
 *
 * The lab has no preemption, so the second sentence says what DefaultPreemption would conclude
 * with no lower-priority pods to evict: a node ruled out by an Unresolvable status cannot be helped
 * by evicting pods; for a node that is merely full there are no victims.
 */
import type { DecisionRecord, Status } from './interface.ts';

export const NoNodeAvailableMsg = (n: number) => `0/${n} nodes are available`;
export const ErrNoNodesAvailable = 'no nodes available to schedule pods';

export class FitError extends Error {
  constructor(
    readonly numAllNodes: number,
    /** The status of every node that was ruled out, by node name. */
    readonly nodeToStatus: ReadonlyMap<string, Status>,
    /** Set when a PreFilter plugin rejected the pod outright. */
    readonly preFilterMsg = '',
    /** The per-node, per-plugin verdicts behind the message. */
    readonly record: DecisionRecord = { filter: {}, score: {}, finalScore: {} },
  ) {
    super('');
    this.name = 'FitError';
    this.message = this.describe();
  }

  /** The plugins that ruled out some node: a cluster event they care about may help the pod. */
  unschedulablePlugins(): Set<string> {
    return new Set([...this.nodeToStatus.values()].map((s) => s.plugin).filter(Boolean));
  }

  private describe(): string {
    let msg = `${NoNodeAvailableMsg(this.numAllNodes)}:`;
    if (this.preFilterMsg) msg += ` ${this.preFilterMsg}.`;
    const histogram = new Map<string, number>();
    for (const status of this.nodeToStatus.values()) {
      for (const reason of status.reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
    }
    const reasons = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
    if (reasons.length) msg += ` ${reasons.join(', ')}.`;
    return `${msg} ${this.preemptionMsg()}.`;
  }

  private preemptionMsg(): string {
    const counts = new Map<string, number>();
    for (const status of this.nodeToStatus.values()) {
      const why =
        status.code === 'Unschedulable'
          ? 'No preemption victims found for incoming pod'
          : 'Preemption is not helpful for scheduling';
      counts.set(why, (counts.get(why) ?? 0) + 1);
    }
    const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
    return `preemption: ${NoNodeAvailableMsg(this.numAllNodes)}: ${parts.join(', ')}`;
  }
}
