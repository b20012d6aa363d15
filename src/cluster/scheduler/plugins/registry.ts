/**
 * The default profile: the plugins kube-scheduler v1.32 enables that the lab implements, with
 * their default score weights (TaintToleration 3, NodeAffinity 2, the resource plugins 1).
 */
import type { PluginEntry } from '../framework/runtime.ts';
import { NodeAffinity } from './nodeaffinity/node-affinity.ts';
import { NodeName } from './nodename/node-name.ts';
import { NodePorts } from './nodeports/node-ports.ts';
import { BalancedAllocation } from './noderesources/balanced-allocation.ts';
import { NodeResourcesFit } from './noderesources/fit.ts';
import { NodeUnschedulable } from './nodeunschedulable/node-unschedulable.ts';
import { TaintToleration } from './tainttoleration/taint-toleration.ts';

/** In kube-scheduler's order: Filter plugins run in this order, cheap and decisive ones first. */
export function defaultPlugins(): PluginEntry[] {
  return [
    { plugin: new NodeUnschedulable() },
    { plugin: new NodeName() },
    { plugin: new TaintToleration(), weight: 3 },
    { plugin: new NodeAffinity(), weight: 2 },
    { plugin: new NodePorts() },
    { plugin: new NodeResourcesFit(), weight: 1 },
    { plugin: new BalancedAllocation(), weight: 1 },
  ];
}
