// EtcdKV below ObjectStore: conversions a real etcd answers (nested transactions, every compare
// target, 64-bit lease IDs, errors), failing over between endpoints, and a watch stream that survives
// the loss of the member it was on. The storage suite (test/apiserver/storage.case.ts) covers what
// the API server does through it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, waitUntil } from '../../../test/support/etcd-client.ts';
import { type EtcdProcess, freePort, startEtcd } from '../../../test/support/etcd-process.ts';
import { CompactedError, FutureRevisionError, StoreError } from '../store/errors.ts';
import { MemoryBackend } from '../store/memory-backend.ts';
import { Store } from '../store/store.ts';
import type { Event } from '../store/types.ts';
import { EtcdKV, endpointAddress } from './client.ts';
import { EtcdGrpcServer } from './server.ts';

const b = (s: string) => Buffer.from(s);

describe('EtcdKV against etcd 3.4', () => {
  let etcd: EtcdProcess;
  let kv: EtcdKV;

  beforeAll(async () => {
    etcd = await startEtcd();
    kv = new EtcdKV({ endpoints: [`http://${etcd.endpoint}`] });
  });

  afterAll(async () => {
    kv?.close();
    await etcd?.stop();
  });

  it('runs a nested transaction guarded by every compare target, leases as bigint', async () => {
    const client = connect(etcd.endpoint);
    const lease = client.lease(600, { autoKeepAlive: false });
    try {
      const id = BigInt(await lease.grant());
      await lease.put('/kv/leased').value('v1');
      await client.put('/kv/plain').value('p1');
      const leased = (await kv.range({ key: b('/kv/leased') })).kvs[0]!;
      expect(leased).toMatchObject({ key: b('/kv/leased'), value: b('v1'), version: 1, lease: id });

      const res = await kv.txn({
        compare: [
          { key: b('/kv/leased'), target: 'VERSION', result: 'EQUAL', version: 1 },
          { key: b('/kv/leased'), target: 'CREATE', result: 'EQUAL', createRevision: leased.createRevision },
          { key: b('/kv/leased'), target: 'MOD', result: 'LESS', modRevision: leased.modRevision + 1 },
          { key: b('/kv/leased'), target: 'VALUE', result: 'EQUAL', value: b('v1') },
          { key: b('/kv/leased'), target: 'LEASE', result: 'EQUAL', lease: id },
          { key: b('/kv/'), rangeEnd: b('/kv0'), target: 'VERSION', result: 'GREATER', version: 0 },
        ],
        success: [
          { requestPut: { key: b('/kv/leased'), value: b('v2'), prevKv: true, ignoreLease: true } },
          {
            requestTxn: {
              compare: [{ key: b('/kv/plain'), target: 'VALUE', result: 'NOT_EQUAL', value: b('p1') }],
              success: [],
              failure: [
                { requestDeleteRange: { key: b('/kv/plain'), prevKv: true } },
                { requestRange: { key: b('/kv/'), rangeEnd: b('/kv0') } },
              ],
            },
          },
        ],
        failure: [],
      });
      expect(res.succeeded).toBe(true);
      const revision = leased.modRevision + 2;
      expect(res.header.revision).toBe(revision);
      const [put, nested] = res.responses;
      expect(put).toEqual({ responsePut: { header: { revision }, prevKv: leased } });
      if (!nested || !('responseTxn' in nested))
        throw new Error(`expected a nested txn, got ${String(nested)}`);
      expect(nested.responseTxn.succeeded).toBe(false);
      const [deleted, read] = nested.responseTxn.responses;
      expect(deleted).toMatchObject({
        responseDeleteRange: { deleted: 1, prevKvs: [{ key: b('/kv/plain'), value: b('p1'), lease: 0n }] },
      });
      expect(read).toMatchObject({
        responseRange: {
          count: 1,
          more: false,
          kvs: [{ key: b('/kv/leased'), value: b('v2'), version: 2, modRevision: revision, lease: id }],
        },
      });
    } finally {
      await lease.revoke();
      client.close();
    }
  });

  it("answers etcd's errors as the store's error classes", async () => {
    const { header } = await kv.range({ key: b('/kv/none') });
    await expect(kv.range({ key: b('/kv/none'), revision: header.revision + 100 })).rejects.toBeInstanceOf(
      FutureRevisionError,
    );
    const empty = await kv.range({ key: Buffer.alloc(0) }).catch((err: unknown) => err);
    expect(empty).toBeInstanceOf(StoreError);
    expect(empty).toMatchObject({ grpcCode: 'INVALID_ARGUMENT', message: 'etcdserver: key is not provided' });

    await kv.txn({ compare: [], success: [{ requestPut: { key: b('/kv/c'), value: b('1') } }], failure: [] });
    const { header: now } = await kv.txn({
      compare: [],
      success: [{ requestPut: { key: b('/kv/c'), value: b('2') } }],
      failure: [],
    });
    await kv.compact({ revision: now.revision, physical: true });
    const compacted = await kv
      .range({ key: b('/kv/c'), revision: now.revision - 1 })
      .catch((err: unknown) => err);
    expect(compacted).toBeInstanceOf(CompactedError);
    expect((compacted as CompactedError).compactRevision).toBe(now.revision);
  });

  it('fails over from an endpoint nobody serves to the next one, for reads and writes', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const failover = new EtcdKV({ endpoints: [dead, `http://${etcd.endpoint}`] });
    try {
      const res = await failover.txn({
        compare: [],
        success: [{ requestPut: { key: b('/kv/failover'), value: b('ok') } }],
        failure: [],
      });
      const read = await failover.range({ key: b('/kv/failover') });
      expect(read.kvs[0]?.value).toEqual(b('ok'));
      expect(read.kvs[0]?.modRevision).toBe(res.header.revision);
    } finally {
      failover.close();
    }
    const nobody = new EtcdKV({ endpoints: [dead] });
    try {
      await expect(nobody.range({ key: b('/kv/x') })).rejects.toMatchObject({ grpcCode: 'UNAVAILABLE' });
    } finally {
      nobody.close();
    }
  });
});

describe('EtcdKV watch stream', () => {
  it('moves to the next member when its member goes away, losing and repeating no event', async () => {
    // Two etcd faces over one store stand in for two members of one cluster.
    const store = await Store.open({ backend: new MemoryBackend() });
    const first = await EtcdGrpcServer.start(store, { listen: '127.0.0.1:0' });
    const second = await EtcdGrpcServer.start(store, { listen: '127.0.0.1:0' });
    const kv = new EtcdKV({ endpoints: [`http://${first.address}`, second.address], onError: () => {} });
    const put = (key: string, value: string) => store.put({ key: b(key), value: b(value) });
    try {
      const events: Event[] = [];
      const start = (await put('/w/a', '1')).header.revision;
      kv.watch({ key: b('/w/'), rangeEnd: b('/w0'), startRevision: start, prevKv: true }, (batch) => {
        events.push(...batch.events);
        return true;
      });
      await waitUntil(() => events.length === 1 || undefined, 'the first event');
      await first.close();
      for (const n of ['b', 'c', 'd']) await put(`/w/${n}`, n);
      await waitUntil(() => events.length === 4 || undefined, 'the events after the failover');
      expect(events.map((e) => `${e.kv.key}@${e.kv.modRevision}`)).toEqual([
        `/w/a@${start}`,
        `/w/b@${start + 1}`,
        `/w/c@${start + 2}`,
        `/w/d@${start + 3}`,
      ]);
      // Unary calls follow the watch stream to the member that answers.
      expect((await kv.range({ key: b('/w/d') })).kvs[0]?.value).toEqual(b('d'));
    } finally {
      kv.close();
      await second.close();
      await first.close();
      await store.close();
    }
  });
});

describe('endpointAddress', () => {
  it('takes etcd client URLs and bare host:port, and refuses TLS', () => {
    expect(endpointAddress('http://127.0.0.1:2379')).toBe('127.0.0.1:2379');
    expect(endpointAddress(' 127.0.0.1:2379 ')).toBe('127.0.0.1:2379');
    expect(() => endpointAddress('https://127.0.0.1:2379')).toThrow('only http://');
  });
});
