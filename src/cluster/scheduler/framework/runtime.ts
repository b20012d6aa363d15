/**
 * The framework runtime, after kube-scheduler's framework/runtime and schedule_one.go: runs a
 * profile's plugins over the nodes for one pod and keeps a record of every verdict, so the
 * learner can see why each node was ruled out and how each survivor scored.
 *
 * schedulePod(pod, nodes):
 *   1. PreFilter plugins, once.
 *   2. Filter plugins on each node, starting where the last pod's search stopped; per node the
 *      first rejecting plugin decides (later ones are not asked). On big clusters the search stops
 *      once numFeasibleNodesToFind nodes fit (percentageOfNodesToScore).
 *   3. No node fits: FitError. One fits: it wins unscored, as in kube-scheduler.
 *   4. Score plugins on each feasible node, NormalizeScore, times the plugin's weight, summed;
 *      the highest total wins, ties broken at random (reservoir sampling).
 */
import type { Pod } from '../../api/core/pod.ts';
import { FitError } from './fit-error.ts';
import {
  CycleState,
  type DecisionRecord,
  type FilterPlugin,
  isFilter,
  isPreFilter,
  isPreScore,
  isScore,
  type NodeScore,
  type Plugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  Status,
} from './interface.ts';
import type { NodeInfo } from './node-info.ts';

/** A plugin of a profile; `weight` counts for Score plugins (1 unless given). */
export interface PluginEntry {
  readonly plugin: Plugin;
  readonly weight?: number;
}

export interface FrameworkOptions {
  readonly plugins: readonly PluginEntry[];
  /**
   * Percentage of nodes to find feasible before scoring; 0 picks kube-scheduler's adaptive
   * default (50% minus 1% per 125 nodes, at least 5%). Clusters below 100 nodes are searched whole.
   */
  readonly percentageOfNodesToScore?: number;
  /** Random numbers in [0, 1) for tie-breaking; Math.random unless a test brings its own. */
  readonly random?: () => number;
}

export type { DecisionRecord };

export interface ScheduleResult {
  readonly suggestedHost: string;
  readonly evaluatedNodes: number;
  readonly feasibleNodes: number;
  readonly record: DecisionRecord;
}

export const PassedFilterMessage = 'passed';
const minFeasibleNodesToFind = 100;
const minFeasibleNodesPercentageToFind = 5;

/** numFeasibleNodesToFind: how many fitting nodes are enough to stop searching. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = Math.max(50 - Math.trunc(numAllNodes / 125), minFeasibleNodesPercentageToFind);
  }
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return Math.max(numNodes, minFeasibleNodesToFind);
}

export class Framework {
  private readonly preFilters: PreFilterPlugin[];
  private readonly filters: FilterPlugin[];
  private readonly preScores: PreScorePlugin[];
  private readonly scores: { plugin: ScorePlugin; weight: number }[];
  private readonly percentage: number;
  private readonly random: () => number;
  /** Where the next search starts, so consecutive pods spread the search over a big cluster. */
  private nextStartNodeIndex = 0;

  constructor(options: FrameworkOptions) {
    const plugins = options.plugins.map((e) => e.plugin);
    this.preFilters = plugins.filter(isPreFilter);
    this.filters = plugins.filter(isFilter);
    this.preScores = plugins.filter(isPreScore);
    this.scores = options.plugins
      .filter((e) => isScore(e.plugin))
      .map((e) => ({ plugin: e.plugin as ScorePlugin, weight: e.weight ?? 1 }));
    this.percentage = options.percentageOfNodesToScore ?? 0;
    this.random = options.random ?? Math.random;
  }

  /** Finds the node for `pod` among `nodes`, or throws FitError. */
  schedulePod(pod: Pod, nodes: readonly NodeInfo[]): ScheduleResult {
    const record: DecisionRecord = { filter: {}, score: {}, finalScore: {} };
    const state = new CycleState();
    for (const p of this.preFilters) {
      const status = p.preFilter(state, pod);
      if (status?.isRejected()) {
        const rejected = new Map(nodes.map((n) => [n.name, status.withPlugin(p.name)]));
        throw new FitError(nodes.length, rejected, status.message(), record);
      }
      if (status?.code === 'Error') throw new Error(`${p.name}: ${status.message()}`);
    }

    const { feasible, rejected, evaluated } = this.findNodesThatFit(state, pod, nodes, record);
    if (feasible.length === 0) throw new FitError(nodes.length, rejected, '', record);
    const only = feasible[0];
    if (feasible.length === 1 && only) {
      return { suggestedHost: only.name, evaluatedNodes: evaluated, feasibleNodes: 1, record };
    }
    const totals = this.prioritize(state, pod, feasible, record);
    return {
      suggestedHost: this.selectHost(totals),
      evaluatedNodes: evaluated,
      feasibleNodes: feasible.length,
      record,
    };
  }

  private findNodesThatFit(state: CycleState, pod: Pod, nodes: readonly NodeInfo[], record: DecisionRecord) {
    const wanted = numFeasibleNodesToFind(nodes.length, this.percentage);
    const feasible: NodeInfo[] = [];
    const rejected = new Map<string, Status>();
    let evaluated = 0;
    for (let i = 0; i < nodes.length && feasible.length < wanted; i++) {
      const nodeInfo = nodes[(this.nextStartNodeIndex + i) % nodes.length]!;
      evaluated++;
      const status = this.runFilters(state, pod, nodeInfo, record);
      if (status) rejected.set(nodeInfo.name, status);
      else feasible.push(nodeInfo);
    }
    if (nodes.length > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + evaluated) % nodes.length;
    return { feasible, rejected, evaluated };
  }

  /** The first rejecting plugin's status, or undefined when every Filter passed. */
  runFilters(state: CycleState, pod: Pod, nodeInfo: NodeInfo, record?: DecisionRecord): Status | undefined {
    const results: Record<string, string> = {};
    if (record) record.filter[nodeInfo.name] = results;
    for (const p of this.filters) {
      let status: Status | undefined;
      try {
        status = p.filter(state, pod, nodeInfo);
      } catch (err) {
        status = Status.error(err instanceof Error ? err.message : String(err));
      }
      if (status && status.code !== 'Success' && status.code !== 'Skip') {
        results[p.name] = status.message();
        if (status.code === 'Error') throw new Error(`${p.name}: ${status.message()}`);
        return status.withPlugin(p.name);
      }
      results[p.name] = PassedFilterMessage;
    }
    return undefined;
  }

  /** Scores, normalises and weighs; returns the total per node. */
  private prioritize(
    state: CycleState,
    pod: Pod,
    nodes: readonly NodeInfo[],
    record: DecisionRecord,
  ): Map<string, number> {
    const skipped = new Set<string>();
    for (const p of this.preScores) {
      const status = p.preScore(
        state,
        pod,
        nodes.map((n) => n.node),
      );
      if (status?.code === 'Skip') skipped.add(p.name);
    }
    const totals = new Map(nodes.map((n) => [n.name, 0]));
    for (const n of nodes) {
      record.score[n.name] = {};
      record.finalScore[n.name] = {};
    }
    for (const { plugin, weight } of this.scores) {
      if (skipped.has(plugin.name)) continue;
      const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
      for (const s of scores) record.score[s.name]![plugin.name] = s.score;
      plugin.normalizeScore?.(state, pod, scores);
      for (const s of scores) {
        const weighted = s.score * weight;
        record.finalScore[s.name]![plugin.name] = weighted;
        totals.set(s.name, (totals.get(s.name) ?? 0) + weighted);
      }
    }
    return totals;
  }

  /** The highest total; among equals each has the same chance (reservoir sampling). */
  private selectHost(totals: ReadonlyMap<string, number>): string {
    let best = '';
    let bestScore = Number.NEGATIVE_INFINITY;
    let ties = 0;
    for (const [name, score] of totals) {
      if (score > bestScore) {
        best = name;
        bestScore = score;
        ties = 1;
      } else if (score === bestScore) {
        ties++;
        if (this.random() * ties < 1) best = name;
      }
    }
    return best;
  }
}
