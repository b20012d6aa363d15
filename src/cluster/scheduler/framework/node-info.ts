/**
 * NodeInfo is what the scheduler knows about one node for one scheduling cycle, after
 * kube-scheduler's framework.NodeInfo: the node, the pods assigned to it (bound or assumed), and
 * their summed requests and host ports. Amounts are plain numbers: CPU in millicores, every other
 * resource in its whole unit (bytes for memory, a count for pods and extended resources).
 */
import type { Container } from '../../api/core/container.ts';
import type { Node } from '../../api/core/node.ts';
import type { Pod } from '../../api/core/pod.ts';
import { milliValue, parseQuantity, value } from '../../api/quantity.ts';

/** Resource name -> amount (cpu in millicores). */
export type ResourceList = Record<string, number>;

/** What kube-scheduler assumes a container without a CPU request uses, for spreading only. */
export const DefaultMilliCPURequest = 100;
/** What kube-scheduler assumes a container without a memory request uses: 200 MiB. */
export const DefaultMemoryRequest = 200 * 1024 * 1024;

/** One host port a pod takes on its node. */
export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

export function toResourceList(list: Readonly<Record<string, string | number>> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [name, amount] of Object.entries(list ?? {})) {
    const q = parseQuantity(amount);
    out[name] = name === 'cpu' ? milliValue(q) : value(q);
  }
  return out;
}

function addInto(into: ResourceList, add: ResourceList): void {
  for (const [name, amount] of Object.entries(add)) into[name] = (into[name] ?? 0) + amount;
}

function maxInto(into: ResourceList, other: ResourceList): void {
  for (const [name, amount] of Object.entries(other)) into[name] = Math.max(into[name] ?? 0, amount);
}

/**
 * PodRequests of k8s.io/component-helpers/resource: what a pod reserves on its node.
 *
 * App containers and sidecars (init containers with restartPolicy Always) run together, so they
 * add up. A regular init container runs alone, next to the sidecars started before it, so the pod
 * needs the larger of "everything running at the end" and "the biggest init step"; then the
 * runtime's overhead on top. With `nonZero`, a container that asks for no CPU or memory counts as
 * asking for the defaults above (NodeResourcesFit's scoring does that so empty pods still spread).
 */
export function podRequests(pod: Pod, options: { readonly nonZero?: boolean } = {}): Readonly<ResourceList> {
  // Scoring asks once per node and plugin; a pod's requests cannot change (its spec's resources
  // are immutable), so they are worked out once per pod object, and frozen so no caller adds to them.
  const cached = requestsCache.get(pod) ?? {};
  const key = options.nonZero ? 'nonZero' : 'requested';
  const known = cached[key];
  if (known) return known;
  const computed = Object.freeze(computePodRequests(pod, options));
  requestsCache.set(pod, { ...cached, [key]: computed });
  return computed;
}

const requestsCache = new WeakMap<
  Pod,
  { requested?: Readonly<ResourceList>; nonZero?: Readonly<ResourceList> }
>();

function computePodRequests(pod: Pod, options: { readonly nonZero?: boolean }): ResourceList {
  const containerRequests = (c: Container): ResourceList => {
    const list = toResourceList(c.resources?.requests);
    if (options.nonZero) {
      list.cpu ??= DefaultMilliCPURequest;
      list.memory ??= DefaultMemoryRequest;
    }
    return list;
  };
  const reqs: ResourceList = {};
  for (const c of pod.spec.containers) addInto(reqs, containerRequests(c));
  const sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of pod.spec.initContainers ?? []) {
    const own = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, own);
      addInto(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const step = { ...sidecars };
      addInto(step, own);
      maxInto(initMax, step);
    }
  }
  maxInto(reqs, initMax);
  addInto(reqs, toResourceList(pod.spec.overhead));
  return reqs;
}

/** The host ports a pod's containers ask for (containerPort alone takes nothing on the node). */
export function podHostPorts(pod: Pod): HostPort[] {
  const ports: HostPort[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      ports.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return ports;
}

/** What one pod takes from its node, worked out once per pod object (pods are replaced, never edited). */
interface PodFootprint {
  readonly requests: ResourceList;
  readonly nonZeroRequests: ResourceList;
  readonly ports: readonly HostPort[];
}

const footprints = new WeakMap<Pod, PodFootprint>();

function footprint(pod: Pod): PodFootprint {
  let fp = footprints.get(pod);
  if (!fp) {
    fp = {
      requests: podRequests(pod),
      nonZeroRequests: podRequests(pod, { nonZero: true }),
      ports: podHostPorts(pod),
    };
    footprints.set(pod, fp);
  }
  return fp;
}

function subtractFrom(from: ResourceList, sub: ResourceList): void {
  for (const [name, amount] of Object.entries(sub)) from[name] = (from[name] ?? 0) - amount;
}

export class NodeInfo {
  readonly pods: Pod[] = [];
  /** Sum of the pods' requests. */
  readonly requested: ResourceList = {};
  /** Sum of the pods' requests with the CPU and memory defaults for containers that ask for none. */
  readonly nonZeroRequested: ResourceList = {};
  allocatable: ResourceList;
  usedPorts: HostPort[] = [];

  constructor(public node: Node) {
    this.allocatable = toResourceList(node.status.allocatable ?? node.status.capacity);
  }

  get name(): string {
    return this.node.metadata.name ?? '';
  }

  /** A newer copy of the node: its labels, taints and allocatable change, its pods stay. */
  setNode(node: Node): void {
    this.node = node;
    this.allocatable = toResourceList(node.status.allocatable ?? node.status.capacity);
  }

  addPod(pod: Pod): void {
    const fp = footprint(pod);
    this.pods.push(pod);
    addInto(this.requested, fp.requests);
    addInto(this.nonZeroRequested, fp.nonZeroRequests);
    this.usedPorts.push(...fp.ports);
  }

  /** Takes back exactly what addPod(pod) added; false if the pod is not on this node. */
  removePod(pod: Pod): boolean {
    const i = this.pods.indexOf(pod);
    if (i < 0) return false;
    const fp = footprint(pod);
    this.pods.splice(i, 1);
    subtractFrom(this.requested, fp.requests);
    subtractFrom(this.nonZeroRequested, fp.nonZeroRequests);
    if (fp.ports.length > 0) this.usedPorts = this.usedPorts.filter((port) => !fp.ports.includes(port));
    return true;
  }
}
