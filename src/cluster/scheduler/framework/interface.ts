/**
 * The scheduling framework's extension points, after kube-scheduler's
 * pkg/scheduler/framework/interface.go. A plugin is a class with a `name` that implements the
 * points it serves; the framework (runtime.ts) calls them in this order for one pod:
 *
 *   PreFilter  once per pod: compute what Filter needs (the pod's requests, its host ports)
 *   Filter     once per node: can the pod run here? Any non-success status rules the node out
 *   Score      once per feasible node: 0..100, higher is better
 *   NormalizeScore  once per plugin: rescale the plugin's scores to 0..100 (optional)
 *
 * Then each plugin's scores are multiplied by its weight and summed, and the highest sum wins.
 */
import type { Node } from '../../api/core/node.ts';
import type { Pod } from '../../api/core/pod.ts';
import type { NodeInfo } from './node-info.ts';

/** The best score a plugin can give a node. */
export const MaxNodeScore = 100;

/**
 * How a plugin answers, after framework.Code. Unschedulable means the node may fit later (when
 * pods leave it); UnschedulableAndUnresolvable means only a change to the node or the pod helps,
 * so preemption would not either; Error is a failure of the plugin itself.
 */
export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

/** A plugin's answer: a code and kube-scheduler's fixed reason strings ("Insufficient cpu"). */
export class Status {
  constructor(
    readonly code: Code,
    readonly reasons: readonly string[] = [],
    /** The plugin that answered; the framework fills it in. */
    readonly plugin = '',
  ) {}

  static unschedulable(...reasons: string[]): Status {
    return new Status('Unschedulable', reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status('UnschedulableAndUnresolvable', reasons);
  }

  static error(message: string): Status {
    return new Status('Error', [message]);
  }

  withPlugin(plugin: string): Status {
    return new Status(this.code, this.reasons, plugin);
  }

  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }

  message(): string {
    return this.reasons.join(', ');
  }
}

/** No status means success, as a nil *Status does in kube-scheduler. */
export type Result = Status | undefined;

/**
 * CycleState carries what one plugin's PreFilter computed to its own Filter and Score calls for
 * the same pod; it lives for one scheduling attempt.
 */
export class CycleState {
  private readonly data = new Map<string, unknown>();

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
}

/** What the framework did for one pod, shaped for kube-scheduler-simulator's annotations. */
export interface DecisionRecord {
  /** node -> plugin -> "passed" or the plugin's reasons. */
  readonly filter: Record<string, Record<string, string>>;
  /** node -> plugin -> raw score. */
  readonly score: Record<string, Record<string, number>>;
  /** node -> plugin -> normalised score times weight. */
  readonly finalScore: Record<string, Record<string, number>>;
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod): Result;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Result;
}

/** Per-node scores of one plugin, before and after normalisation. */
export interface NodeScore {
  readonly name: string;
  score: number;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: readonly Node[]): Result;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** Rescales `scores` in place to 0..MaxNodeScore. */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

export const isPreFilter = (p: Plugin): p is PreFilterPlugin => 'preFilter' in p;
export const isFilter = (p: Plugin): p is FilterPlugin => 'filter' in p;
export const isPreScore = (p: Plugin): p is PreScorePlugin => 'preScore' in p;
export const isScore = (p: Plugin): p is ScorePlugin => 'score' in p;

/**
 * DefaultNormalizeScore of kube-scheduler's plugins/helper: scales scores so the highest becomes
 * MaxNodeScore; `reverse` turns "more is worse" counts (untolerated taints) into scores.
 *   [0, 1, 2] -> [0, 50, 100], reversed [100, 50, 0]; all zero -> all 0, reversed all 100.
 */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean): void {
  const max = Math.max(0, ...scores.map((s) => s.score));
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = MaxNodeScore;
    return;
  }
  for (const s of scores) {
    const scaled = Math.trunc((MaxNodeScore * s.score) / max);
    s.score = reverse ? MaxNodeScore - scaled : scaled;
  }
}
