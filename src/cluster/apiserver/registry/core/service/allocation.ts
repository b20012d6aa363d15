/**
 * Service allocation, as kube-apiserver's service registry does it (pkg/registry/core/service):
 * cluster IPs come from the service CIDR and node ports from the node port range, each kept as a
 * range allocation in the store, where `etcdctl get /registry/ranges/serviceips` finds it.
 *
 * A range allocation is a bitmap (offset i taken = bit i set, written big-endian as Go's big.Int
 * writes it, then base64) in a `RangeAllocation` object. Every change is a conditional write of
 * that object (ObjectStore.update), so two creates racing for the next free IP never both get it.
 */
import { decodeBitmap, encodeBitmap, firstFree } from '../../../../allocator/bitmap.ts';
import { DEFAULT_SERVICE_CIDR, ServiceCIDR } from '../../../../allocator/ipallocator.ts';
import { DEFAULT_NODE_PORT_RANGE, PortRange } from '../../../../allocator/portallocator.ts';
import type { Service, ServicePort } from '../../../../api/core/service.ts';
import * as field from '../../../../api/field-error.ts';
import { internalError, invalid } from '../../../status.ts';
import { isStorageError } from '../../../storage/errors.ts';
import type { ObjectStore, StoredObject } from '../../../storage/object-store.ts';
import type { FinishFunc, RequestScope, StoreHooks } from '../../generic-store.ts';

export const SERVICE_IPS_KEY = '/registry/ranges/serviceips';
export const NODE_PORTS_KEY = '/registry/ranges/servicenodeports';

export interface ServiceAllocationOptions {
  /** The service CIDR cluster IPs come from (kube-apiserver's --service-cluster-ip-range). */
  readonly serviceClusterIPRange?: string;
  /** Node ports, "30000-32767" by default (--service-node-port-range). */
  readonly nodePortRange?: string;
  /** Where a search for a free node port starts, as a fraction in [0, 1); random by default. */
  readonly random?: () => number;
}

/** The stored form, kube's core/v1 RangeAllocation. */
interface RangeAllocation extends StoredObject {
  apiVersion: 'v1';
  kind: 'RangeAllocation';
  metadata: { resourceVersion?: string };
  range: string;
  data: string;
}

/** The allocator's own refusals, worded as kube's ipallocator and portallocator word them. */
export class AllocationError extends Error {
  constructor(
    readonly code: 'Full' | 'Allocated' | 'NotInRange',
    message: string,
  ) {
    super(message);
  }
}

/**
 * RangeAllocator hands out offsets 0..size-1 of one range, after kube's AllocationBitmap backed by
 * etcd (pkg/registry/core/service/allocator/storage): every call reads the stored bitmap and
 * writes it back on condition that nobody wrote in between, retrying otherwise.
 */
export class RangeAllocator {
  constructor(
    private readonly storage: ObjectStore,
    private readonly key: string,
    private readonly range: string,
    readonly size: number,
  ) {}

  /** Takes this offset, or refuses with Allocated. */
  async allocate(offset: number): Promise<void> {
    await this.change((taken) => {
      if (taken.has(offset)) throw new AllocationError('Allocated', 'already allocated');
      taken.add(offset);
    });
  }

  /** Takes the first free offset at or after `start` (wrapping around), or refuses with Full. */
  async allocateNext(start = 0): Promise<number> {
    let chosen = -1;
    await this.change((taken) => {
      chosen = firstFree(taken, this.size, start);
      if (chosen < 0) throw new AllocationError('Full', 'range is full');
      taken.add(chosen);
    });
    return chosen;
  }

  async release(offset: number): Promise<void> {
    await this.change((taken) => {
      taken.delete(offset);
    });
  }

  /** The offsets taken now (also what a dry run checks against). */
  async allocated(): Promise<Set<number>> {
    const stored = await this.storage.get<RangeAllocation>(this.key);
    return stored ? decodeBitmap(stored.data) : new Set();
  }

  /** The first free offset from `start`, without taking it (a dry run's answer); -1 when full. */
  async peekNext(start = 0): Promise<number> {
    return firstFree(await this.allocated(), this.size, start);
  }

  private async change(apply: (taken: Set<number>) => void): Promise<void> {
    for (;;) {
      const stored = await this.storage.get<RangeAllocation>(this.key);
      if (!stored) {
        const taken = new Set<number>();
        apply(taken);
        try {
          await this.storage.create<RangeAllocation>(this.key, this.snapshot(taken));
          return;
        } catch (err) {
          // Someone else created it first: apply the change to theirs.
          if (isStorageError(err, 'KeyExists')) continue;
          throw err;
        }
      }
      try {
        await this.storage.update<RangeAllocation>(this.key, (current) => {
          const taken = decodeBitmap(current.data);
          apply(taken);
          return { ...current, ...this.snapshot(taken), metadata: current.metadata };
        });
        return;
      } catch (err) {
        if (isStorageError(err, 'KeyNotFound')) continue;
        throw err;
      }
    }
  }

  private snapshot(taken: Set<number>): RangeAllocation {
    return {
      apiVersion: 'v1',
      kind: 'RangeAllocation',
      metadata: {},
      range: this.range,
      data: encodeBitmap(taken),
    };
  }
}

// What a service needs, as pkg/registry/core/service/storage/alloc.go decides it.

const needsClusterIP = (svc: Service) => svc.spec.type !== 'ExternalName';
const isHeadless = (svc: Service) => (svc.spec.clusterIP || svc.spec.clusterIPs?.[0]) === 'None';
const needsNodePort = (svc: Service) =>
  svc.spec.type === 'NodePort' ||
  (svc.spec.type === 'LoadBalancer' && svc.spec.allocateLoadBalancerNodePorts !== false);
const needsHealthCheckNodePort = (svc: Service) =>
  svc.spec.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';

/** A service's allocations, in the order they were made, so a failure gives back exactly these. */
class Transaction {
  private readonly undo: (() => Promise<void>)[] = [];
  private readonly onCommit: (() => Promise<void>)[] = [];

  taken(release: () => Promise<void>): void {
    this.undo.push(release);
  }

  /** Released only if the write succeeds (what the old object held and the new one drops). */
  releaseOnCommit(release: () => Promise<void>): void {
    this.onCommit.push(release);
  }

  get empty(): boolean {
    return this.undo.length === 0 && this.onCommit.length === 0;
  }

  async revert(): Promise<void> {
    for (const release of this.undo.splice(0).reverse()) await release().catch(() => {});
  }

  finish(): FinishFunc {
    return async (success) => {
      if (!success) return this.revert();
      for (const release of this.onCommit.splice(0)) await release().catch(() => {});
    };
  }
}

/**
 * ServiceAllocator is the service registry's allocation step: BeginCreate and BeginUpdate reserve
 * the cluster IP and node ports a service needs (or refuse it), a failed write gives them back,
 * and a deleted service releases what it held.
 */
export class ServiceAllocator {
  readonly serviceCIDR: ServiceCIDR;
  readonly nodePorts: PortRange;
  readonly ips: RangeAllocator;
  readonly ports: RangeAllocator;
  private readonly random: () => number;

  constructor(storage: ObjectStore, options: ServiceAllocationOptions = {}) {
    this.serviceCIDR = new ServiceCIDR(options.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR);
    this.nodePorts = new PortRange(options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
    this.ips = new RangeAllocator(storage, SERVICE_IPS_KEY, this.serviceCIDR.cidr, this.serviceCIDR.size);
    this.ports = new RangeAllocator(storage, NODE_PORTS_KEY, this.nodePorts.text, this.nodePorts.size);
    this.random = options.random ?? Math.random;
  }

  /** The hooks to give the services' GenericStore. */
  hooks(): Required<Pick<StoreHooks<Service>, 'beginCreate' | 'beginUpdate' | 'afterDelete'>> {
    return {
      beginCreate: (svc, scope) => this.beginCreate(svc, scope),
      beginUpdate: (svc, old, scope) => this.beginUpdate(svc, old, scope),
      afterDelete: (svc) => this.release(svc),
    };
  }

  async beginCreate(svc: Service, scope: RequestScope): Promise<FinishFunc | undefined> {
    const txn = new Transaction();
    try {
      if (needsClusterIP(svc)) await this.allocateClusterIP(svc, scope.dryRun, txn);
      if (needsNodePort(svc)) await this.allocateNodePorts(svc, undefined, scope.dryRun, txn);
      if (needsHealthCheckNodePort(svc)) await this.allocateHealthCheckNodePort(svc, scope.dryRun, txn);
    } catch (err) {
      await txn.revert();
      throw err;
    }
    return txn.finish();
  }

  /**
   * An update keeps what the service holds: values the client left out are patched in from the
   * old object (patchAllocatedValues), new needs are allocated, and what the new object no longer
   * uses is released once the update is stored. A changed cluster IP is left to validation, which
   * refuses it.
   */
  async beginUpdate(svc: Service, old: Service, scope: RequestScope): Promise<FinishFunc | undefined> {
    patchAllocatedValues(svc, old);
    normalizeClusterIPs(svc, old);
    const txn = new Transaction();
    try {
      if (needsClusterIP(svc) && !needsClusterIP(old)) {
        await this.allocateClusterIP(svc, scope.dryRun, txn);
      } else if (needsClusterIP(svc) && svc.spec.clusterIP && !svc.spec.clusterIPs?.length) {
        svc.spec.clusterIPs = [svc.spec.clusterIP];
      }
      if (needsNodePort(svc)) await this.allocateNodePorts(svc, old, scope.dryRun, txn);
      if (needsHealthCheckNodePort(svc)) {
        if (!needsHealthCheckNodePort(old) || svc.spec.healthCheckNodePort !== old.spec.healthCheckNodePort) {
          await this.allocateHealthCheckNodePort(svc, scope.dryRun, txn);
        }
      }
      if (!scope.dryRun) this.releaseDropped(svc, old, txn);
    } catch (err) {
      await txn.revert();
      throw err;
    }
    return txn.empty ? undefined : txn.finish();
  }

  /** Gives back everything a deleted service held. */
  async release(svc: Service): Promise<void> {
    for (const ip of clusterIPsOf(svc)) {
      const offset = this.serviceCIDR.offsetOf(ip);
      if (offset !== undefined) await this.ips.release(offset);
    }
    for (const port of heldNodePorts(svc)) {
      const offset = this.nodePorts.offsetOf(port);
      if (offset !== undefined) await this.ports.release(offset);
    }
  }

  private releaseDropped(svc: Service, old: Service, txn: Transaction): void {
    const keptIPs = new Set(clusterIPsOf(svc));
    for (const ip of clusterIPsOf(old)) {
      const offset = this.serviceCIDR.offsetOf(ip);
      if (!keptIPs.has(ip) && offset !== undefined) txn.releaseOnCommit(() => this.ips.release(offset));
    }
    const keptPorts = heldNodePorts(svc);
    for (const port of heldNodePorts(old)) {
      const offset = this.nodePorts.offsetOf(port);
      if (!keptPorts.has(port) && offset !== undefined) txn.releaseOnCommit(() => this.ports.release(offset));
    }
  }

  private async allocateClusterIP(svc: Service, dryRun: boolean, txn: Transaction): Promise<void> {
    const spec = svc.spec;
    const requested = spec.clusterIP || spec.clusterIPs?.[0] || '';
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
      return;
    }
    if (!requested) {
      const offset = dryRun ? await this.ips.peekNext() : await this.allocateNextIP();
      if (offset < 0) throw internalError(new Error('failed to allocate a serviceIP: range is full'));
      if (!dryRun) txn.taken(() => this.ips.release(offset));
      spec.clusterIP = this.serviceCIDR.ipAt(offset);
      spec.clusterIPs = [spec.clusterIP];
      return;
    }
    spec.clusterIP = requested;
    if (!spec.clusterIPs?.length) spec.clusterIPs = [requested];
    const refuse = (why: string) =>
      refused(svc, [
        field.invalid('spec.clusterIPs', spec.clusterIPs, `failed to allocate IP ${requested}: ${why}`),
      ]);
    const offset = this.serviceCIDR.offsetOf(requested);
    if (offset === undefined) {
      throw refuse(
        `the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.serviceCIDR.cidr}`,
      );
    }
    try {
      if (dryRun) {
        if ((await this.ips.allocated()).has(offset)) throw new AllocationError('Allocated', '');
      } else {
        await this.ips.allocate(offset);
        txn.taken(() => this.ips.release(offset));
      }
    } catch (err) {
      if (err instanceof AllocationError) throw refuse('provided IP is already allocated');
      throw err;
    }
  }

  private async allocateNextIP(): Promise<number> {
    try {
      return await this.ips.allocateNext();
    } catch (err) {
      if (err instanceof AllocationError) return -1;
      throw err;
    }
  }

  /**
   * Node ports: the ones asked for first (so a free pick cannot take them), then one for each port
   * without. A port the old service already held is kept, not allocated again; one number may
   * serve two protocols of the same service.
   */
  private async allocateNodePorts(
    svc: Service,
    old: Service | undefined,
    dryRun: boolean,
    txn: Transaction,
  ): Promise<void> {
    const held = old && needsNodePort(old) ? heldNodePorts(old) : new Set<number>();
    const ports = svc.spec.ports ?? [];
    const taken = dryRun ? await this.ports.allocated() : undefined;
    const mine = new Set<number>();
    for (const [i, port] of ports.entries()) {
      if (!port.nodePort || held.has(port.nodePort) || mine.has(port.nodePort)) continue;
      await this.allocatePort(
        svc,
        port.nodePort,
        field.child(field.index('spec.ports', i), 'nodePort'),
        taken,
        txn,
      );
      mine.add(port.nodePort);
    }
    for (const port of ports) {
      if (port.nodePort) continue;
      port.nodePort = await this.allocateNextPort(taken, txn);
    }
  }

  private async allocateHealthCheckNodePort(svc: Service, dryRun: boolean, txn: Transaction): Promise<void> {
    const taken = dryRun ? await this.ports.allocated() : undefined;
    const requested = svc.spec.healthCheckNodePort;
    if (requested) await this.allocatePort(svc, requested, 'spec.healthCheckNodePort', taken, txn);
    else svc.spec.healthCheckNodePort = await this.allocateNextPort(taken, txn);
  }

  /** One requested port; `taken` is given in a dry run, which only checks. */
  private async allocatePort(
    svc: Service,
    port: number,
    path: string,
    taken: Set<number> | undefined,
    txn: Transaction,
  ): Promise<void> {
    const offset = this.nodePorts.offsetOf(port);
    if (offset === undefined) {
      throw refused(svc, [
        field.invalid(
          path,
          port,
          `provided port is not in the valid range. The range of valid ports is ${this.nodePorts.text}`,
        ),
      ]);
    }
    try {
      if (taken) {
        if (taken.has(offset)) throw new AllocationError('Allocated', '');
        taken.add(offset);
      } else {
        await this.ports.allocate(offset);
        txn.taken(() => this.ports.release(offset));
      }
    } catch (err) {
      if (err instanceof AllocationError) {
        throw refused(svc, [field.invalid(path, port, 'provided port is already allocated')]);
      }
      throw err;
    }
  }

  private async allocateNextPort(taken: Set<number> | undefined, txn: Transaction): Promise<number> {
    const start = Math.floor(this.random() * this.nodePorts.size) % this.nodePorts.size;
    let offset: number;
    if (taken) {
      offset = firstFree(taken, this.nodePorts.size, start);
      if (offset >= 0) taken.add(offset);
    } else {
      offset = await this.ports.allocateNext(start).catch((err) => {
        if (err instanceof AllocationError) return -1;
        throw err;
      });
      if (offset >= 0) txn.taken(() => this.ports.release(offset));
    }
    if (offset < 0) throw internalError(new Error('failed to allocate a nodePort: range is full'));
    return this.nodePorts.base + offset;
  }
}

/**
 * patchAllocatedValues fills what a client left out of an update (kubectl apply and replace send
 * no clusterIP or nodePort) from the old object, so an update keeps its allocations.
 */
export function patchAllocatedValues(svc: Service, old: Service): void {
  dropTypeDependentFields(svc, old);
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!svc.spec.clusterIP && old.spec.clusterIP) svc.spec.clusterIP = old.spec.clusterIP;
    if (!svc.spec.clusterIPs?.length && old.spec.clusterIPs?.length)
      svc.spec.clusterIPs = [...old.spec.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const oldPorts = new Set((old.spec.ports ?? []).map((p) => p.nodePort).filter(Boolean));
    const used = new Set((svc.spec.ports ?? []).map((p) => p.nodePort).filter((p) => p && oldPorts.has(p)));
    const byName = new Map((old.spec.ports ?? []).map((p) => [p.name ?? '', p.nodePort]));
    for (const port of svc.spec.ports ?? []) {
      const previous = byName.get(port.name ?? '');
      if (!port.nodePort && previous && !used.has(previous)) port.nodePort = previous;
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(svc)) {
    svc.spec.healthCheckNodePort ||= old.spec.healthCheckNodePort;
  }
}

/**
 * normalizeClusterIPs keeps clusterIPs in step with a clusterIP an update changed or cleared (the
 * singular field is what old clients send); validation then judges the change.
 */
function normalizeClusterIPs(svc: Service, old: Service): void {
  const spec = svc.spec;
  const same = JSON.stringify(spec.clusterIPs ?? []) === JSON.stringify(old.spec.clusterIPs ?? []);
  if ((old.spec.clusterIP ?? '') === (spec.clusterIP ?? '') || !same) return;
  if (old.spec.clusterIP && !spec.clusterIP) delete spec.clusterIPs;
  else if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
}

/**
 * dropTypeDependentFields: a type change that makes a value meaningless clears it, when the client
 * left it as it was (a NodePort service turned ClusterIP loses its node ports).
 */
function dropTypeDependentFields(svc: Service, old: Service): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (needsClusterIP(old) && !needsClusterIP(svc) && same(svc.spec.clusterIPs, old.spec.clusterIPs)) {
    delete svc.spec.clusterIP;
    delete svc.spec.clusterIPs;
    delete svc.spec.ipFamilies;
    delete svc.spec.ipFamilyPolicy;
  }
  const nodePorts = (s: Service) => (s.spec.ports ?? []).map((p) => p.nodePort ?? 0);
  if (needsNodePort(old) && !needsNodePort(svc) && same(nodePorts(svc), nodePorts(old))) {
    for (const port of svc.spec.ports ?? []) delete port.nodePort;
  }
  if (
    needsHealthCheckNodePort(old) &&
    !needsHealthCheckNodePort(svc) &&
    svc.spec.healthCheckNodePort === old.spec.healthCheckNodePort
  ) {
    delete svc.spec.healthCheckNodePort;
  }
}

function clusterIPsOf(svc: Service): string[] {
  if (!needsClusterIP(svc) || isHeadless(svc)) return [];
  const ips = svc.spec.clusterIPs?.length
    ? svc.spec.clusterIPs
    : svc.spec.clusterIP
      ? [svc.spec.clusterIP]
      : [];
  return ips.filter((ip) => ip && ip !== 'None');
}

/** The node ports a stored service holds (its ports' and its health check's). */
function heldNodePorts(svc: Service): Set<number> {
  const held = new Set<number>();
  if (needsNodePort(svc)) {
    for (const port of svc.spec.ports ?? ([] as ServicePort[])) if (port.nodePort) held.add(port.nodePort);
  }
  if (needsHealthCheckNodePort(svc) && svc.spec.healthCheckNodePort) held.add(svc.spec.healthCheckNodePort);
  return held;
}

function refused(svc: Service, errors: field.FieldError[]) {
  return invalid('', 'Service', svc.metadata.name ?? '', field.statusCauses(errors));
}
