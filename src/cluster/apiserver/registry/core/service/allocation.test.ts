import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBitmap, encodeBitmap } from '../../../../allocator/bitmap.ts';
import type { Service } from '../../../../api/core/service.ts';
import type { KubeObject } from '../../../../api/meta.ts';
import { services } from '../../../../api/resources.ts';
import { systemClock } from '../../../../clock/clock.ts';
import { MemoryBackend } from '../../../../store/memory-backend.ts';
import { Store } from '../../../../store/store.ts';
import { StatusError } from '../../../status.ts';
import { ObjectStore } from '../../../storage/object-store.ts';
import { GenericStore, type RequestScope } from '../../generic-store.ts';
import {
  NODE_PORTS_KEY,
  SERVICE_IPS_KEY,
  type ServiceAllocationOptions,
  ServiceAllocator,
} from './allocation.ts';
import { serviceStrategy } from './index.ts';

const scope: RequestScope = { namespace: 'default', dryRun: false, fieldValidation: 'Strict' };

let store: Store;
let storage: ObjectStore;
let svcs: GenericStore<Service>;

async function setup(options: ServiceAllocationOptions = {}) {
  store = await Store.open({ backend: new MemoryBackend(), autoCompaction: { mode: 'off' } });
  storage = new ObjectStore(store);
  const allocator = new ServiceAllocator(storage, options);
  svcs = new GenericStore(services, serviceStrategy, storage, systemClock, allocator.hooks());
}

beforeEach(() => setup());
afterEach(async () => store.close());

const service = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { ports: [{ port: 80 }], ...spec },
});

const create = async (name: string, spec: Record<string, unknown> = {}) =>
  (await svcs.create(service(name, spec), scope)).obj;

const refusal = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StatusError);
  return err as StatusError;
};

const takenIPs = async () =>
  decodeBitmap((await storage.get<{ data: string } & KubeObject>(SERVICE_IPS_KEY))?.data ?? '');

describe('bitmap encoding', () => {
  it("writes offsets as Go's big.Int bytes do", () => {
    expect(encodeBitmap(new Set())).toBe('');
    expect(Buffer.from(encodeBitmap(new Set([0, 9])), 'base64')).toEqual(Buffer.from([0x02, 0x01]));
    expect([...decodeBitmap(encodeBitmap(new Set([0, 7, 8, 1000])))].sort((a, b) => a - b)).toEqual([
      0, 7, 8, 1000,
    ]);
  });
});

describe('cluster IP allocation', () => {
  it('gives the next free address, honours a requested one and keeps clusterIPs in step', async () => {
    const first = await create('kubernetes', { clusterIP: '10.96.0.1' });
    expect(first.spec.clusterIP).toBe('10.96.0.1');
    expect(first.spec.clusterIPs).toEqual(['10.96.0.1']);
    const next = await create('web');
    expect(next.spec.clusterIP).toBe('10.96.0.2');
    expect(next.spec.clusterIPs).toEqual(['10.96.0.2']);
    const byList = await create('listed', { clusterIPs: ['10.96.0.50'] });
    expect(byList.spec.clusterIP).toBe('10.96.0.50');
    const stored = await storage.get<KubeObject & { range: string; kind: string }>(SERVICE_IPS_KEY);
    expect(stored?.kind).toBe('RangeAllocation');
    expect(stored?.range).toBe('10.96.0.0/12');
    expect([...(await takenIPs())].sort((a, b) => a - b)).toEqual([0, 1, 49]);
  });

  it('refuses a taken or out-of-range address with 422 in kube wording', async () => {
    await create('kubernetes', { clusterIP: '10.96.0.1' });
    const taken = await refusal(create('web2', { clusterIP: '10.96.0.1' }));
    expect(taken.code).toBe(422);
    expect(taken.message).toBe(
      'Service "web2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated',
    );
    const outside = await refusal(create('web3', { clusterIP: '10.0.0.5' }));
    expect(outside.message).toBe(
      'Service "web3" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
  });

  it('leaves headless and ExternalName services without an address', async () => {
    const headless = await create('db', { clusterIP: 'None' });
    expect(headless.spec.clusterIPs).toEqual(['None']);
    const external = await create('ext', { type: 'ExternalName', externalName: 'example.com', ports: [] });
    expect(external.spec.clusterIP).toBeUndefined();
    expect((await takenIPs()).size).toBe(0);
  });

  it('releases the address on delete, and when the create fails', async () => {
    await create('web');
    await svcs.delete('web', scope);
    expect((await takenIPs()).size).toBe(0);
    expect((await create('again', { clusterIP: '10.96.0.1' })).spec.clusterIP).toBe('10.96.0.1');
    // AlreadyExists after the address was taken gives it back.
    expect((await refusal(create('again'))).reason).toBe('AlreadyExists');
    expect([...(await takenIPs())]).toEqual([0]);
  });

  it('takes nothing on a dry run', async () => {
    const { obj } = await svcs.create(service('dry'), { ...scope, dryRun: true });
    expect(obj.spec.clusterIP).toBe('10.96.0.1');
    expect((await takenIPs()).size).toBe(0);
  });

  it('never gives two concurrent creates the same address', async () => {
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => create(`s${i}`)));
    const ips = made.map((s) => s.spec.clusterIP);
    expect(new Set(ips).size).toBe(12);
    expect((await takenIPs()).size).toBe(12);
  });

  it('says the range is full when it is', async () => {
    await store.close();
    await setup({ serviceClusterIPRange: '10.96.0.0/30' });
    await create('a');
    await create('b');
    const full = await refusal(create('c'));
    expect(full.code).toBe(500);
    expect(full.message).toBe('Internal error occurred: failed to allocate a serviceIP: range is full');
  });

  it('keeps the address on update and refuses a change', async () => {
    const made = await create('web');
    const body = service('web', { type: 'ClusterIP', ports: [{ port: 81 }] });
    const updated = (await svcs.update('web', body, scope)).obj;
    expect(updated.spec.clusterIP).toBe(made.spec.clusterIP);
    const changed = await refusal(svcs.update('web', service('web', { clusterIP: '10.96.0.9' }), scope));
    expect(changed.code).toBe(422);
    expect(changed.message).toContain('may not change once set');
    expect([...(await takenIPs())]).toEqual([0]);
  });
});

describe('node port allocation', () => {
  const ports = async () =>
    decodeBitmap((await storage.get<{ data: string } & KubeObject>(NODE_PORTS_KEY))?.data ?? '');

  it('gives NodePort and LoadBalancer ports a node port in range, or the one asked for', async () => {
    const np = await create('web', { type: 'NodePort' });
    const port = np.spec.ports?.[0]?.nodePort ?? 0;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    const lb = await create('lb', { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30080 }] });
    expect(lb.spec.ports?.[0]?.nodePort).toBe(30080);
    expect(lb.spec.clusterIP).toBe('10.96.0.2');
    const taken = await refusal(create('lb2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(taken.message).toBe(
      'Service "lb2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    // The refused service's cluster IP went back.
    expect((await create('next')).spec.clusterIP).toBe('10.96.0.3');
    const outside = await refusal(create('lb3', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }));
    expect(outside.message).toContain(
      'spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    await svcs.delete('lb', scope);
    expect((await ports()).has(80)).toBe(false);
    expect((await ports()).size).toBe(1);
  });

  it('allocates ports when an update turns a service into a NodePort, and frees them going back', async () => {
    await create('web');
    const np = (await svcs.update('web', service('web', { type: 'NodePort' }), scope)).obj;
    const port = np.spec.ports?.[0]?.nodePort ?? 0;
    expect(port).toBeGreaterThanOrEqual(30000);
    // A replace without the node port keeps it.
    const kept = (await svcs.update('web', service('web', { type: 'NodePort' }), scope)).obj;
    expect(kept.spec.ports?.[0]?.nodePort).toBe(port);
    expect((await ports()).size).toBe(1);
    const back = (await svcs.update('web', service('web', { type: 'ClusterIP' }), scope)).obj;
    expect(back.spec.ports?.[0]?.nodePort).toBeUndefined();
    expect((await ports()).size).toBe(0);
  });
});
