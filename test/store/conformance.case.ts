// The store conformance suite: the same cases run against a real etcd 3.4 and against ours, through
// the `etcd3` client, so every answer of ours is held to etcd's. Expectations are literal values
// derived from etcd's semantics and checked against real etcd first; a case never branches on which
// server it talks to.
//
// Each case writes under its own prefix and reads the revision when it starts (`base`), so cases do
// not depend on one another yet assert exact revisions: a case that does three puts expects
// base+1, base+2 and base+3. Cases run in order in one file, and any lease a case grants is revoked
// before the next case starts, so nothing moves the revision behind a case's back.

import type { Etcd3, IEvent, IRangeRequest, IRequestOp, SortOrder, SortTarget } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  closeStream,
  connect,
  deleteEvent,
  type ExpectedKv,
  hdr,
  kv,
  norm,
  normHeader,
  putEvent,
  RawWatchStream,
  rejection,
  sleep,
  waitUntil,
} from '../support/etcd-client.ts';

export interface StoreUnderTest {
  /** `127.0.0.1:PORT` of an etcd v3 gRPC endpoint. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Keys of one case: `/conf/<slug>/<name>`. */
function keyspace(slug: string) {
  const prefix = `/conf/${slug}/`;
  return {
    prefix,
    /** The key as a string, the form `norm` gives back. */
    s: (name: string) => prefix + name,
    /** The key as bytes, the form requests take. */
    k: (name: string) => b(prefix + name),
    /** [key, rangeEnd) of the whole prefix. */
    range: { key: b(prefix), range_end: b(`/conf/${slug}0`) },
  };
}

// The messages below are what the etcd3 client makes of etcd's gRPC statuses: "<code> <NAME>: <etcd
// message>", so each one pins the status code as well as etcd's wording.
const ERR = {
  emptyKey: ['GRPCInvalidArgumentError', '3 INVALID_ARGUMENT: etcdserver: key is not provided'],
  keyNotFound: ['GRPCInvalidArgumentError', '3 INVALID_ARGUMENT: etcdserver: key not found'],
  valueProvided: ['GRPCInvalidArgumentError', '3 INVALID_ARGUMENT: etcdserver: value is provided'],
  leaseProvided: ['GRPCInvalidArgumentError', '3 INVALID_ARGUMENT: etcdserver: lease is provided'],
  duplicateKey: [
    'GRPCInvalidArgumentError',
    '3 INVALID_ARGUMENT: etcdserver: duplicate key given in txn request',
  ],
  tooManyOps: [
    'GRPCInvalidArgumentError',
    '3 INVALID_ARGUMENT: etcdserver: too many operations in txn request',
  ],
  tooLarge: ['GRPCInvalidArgumentError', '3 INVALID_ARGUMENT: etcdserver: request is too large'],
  compacted: [
    'GRPCOutOfRangeError',
    '11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted',
  ],
  futureRev: [
    'GRPCOutOfRangeError',
    '11 OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision',
  ],
  // etcd3 maps "requested lease not found" to EtcdLeaseInvalidError, whose constructor wraps the text.
  leaseNotFound: [
    'EtcdLeaseInvalidError',
    'Lease 5 NOT_FOUND: etcdserver: requested lease not found is expired or revoked',
  ],
  leaseExists: ['GRPCFailedPreconditionError', '9 FAILED_PRECONDITION: etcdserver: lease already exists'],
  leaseTtlTooLarge: ['GRPCOutOfRangeError', '11 OUT_OF_RANGE: etcdserver: too large lease TTL'],
} as const;

const asError = ([name, message]: readonly [string, string]) => ({ name, message });

/** etcd's lease minimum with default timing: ceil(1.5 × election timeout of 1 s) = 2 s. */
const MIN_LEASE_TTL = 2;
/** etcd's default --max-txn-ops. */
const MAX_TXN_OPS = 128;
/** etcd's default --max-request-bytes: 1.5 MiB. */
const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

export function runStoreConformance(name: string, start: () => Promise<StoreUnderTest>): void {
  describe(`store conformance: ${name}`, () => {
    let target: StoreUnderTest | undefined;
    let client: Etcd3;
    /** Leases granted by the running case, revoked after it. */
    let leases: string[] = [];

    beforeAll(async () => {
      target = await start();
      client = connect(target.endpoint);
    });

    afterAll(async () => {
      client?.close();
      await target?.stop();
    });

    afterEach(async () => {
      for (const id of leases) {
        await client.leaseClient.leaseRevoke({ ID: id }).catch(() => undefined);
      }
      leases = [];
    });

    // --- helpers bound to this target's client -------------------------------------------------

    const revision = async (): Promise<number> =>
      Number((await client.kv.range({ key: b('/conf/.revision-probe') })).header.revision);

    const range = async (req: IRangeRequest) => norm(await client.kv.range(req));

    const put = (key: Buffer, value: string, extra: { lease?: string } = {}) =>
      client.kv.put({ key, value: b(value), ...extra });

    const grant = async (ttl: number, id?: string) => {
      const res = await client.leaseClient.leaseGrant(id === undefined ? { TTL: ttl } : { TTL: ttl, ID: id });
      leases.push(res.ID);
      return res;
    };

    const rangeResponse = (revision: number, kvs: ExpectedKv[], count = kvs.length, more = false) => ({
      header: hdr(revision),
      kvs,
      more,
      count: String(count),
    });

    const txnSucceeded = async (compare: NonNullable<Parameters<Etcd3['kv']['txn']>[0]['compare']>) =>
      (await client.kv.txn({ compare, success: [], failure: [] })).succeeded;

    // --- put and get ----------------------------------------------------------------------------

    describe('put and get', () => {
      it('put then get returns the value with create/mod revision and version 1', async () => {
        const ks = keyspace('put-get');
        const base = await revision();
        expect(norm(await put(ks.k('a'), 'v1'))).toEqual({ header: hdr(base + 1), prev_kv: null });
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 1, [kv(ks.s('a'), 'v1', base + 1, base + 1, 1)]),
        );
        expect(await range({ key: ks.k('missing') })).toEqual(rangeResponse(base + 1, []));
      });

      it('each put bumps mod revision and version and keeps create revision, even with the same value', async () => {
        const ks = keyspace('put-versions');
        const base = await revision();
        await put(ks.k('a'), 'v1');
        await put(ks.k('a'), 'v2');
        expect(norm(await put(ks.k('a'), 'v2'))).toEqual({ header: hdr(base + 3), prev_kv: null });
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 3, [kv(ks.s('a'), 'v2', base + 1, base + 3, 3)]),
        );
        // A past read answers as of that revision; the header still carries the current revision.
        expect(await range({ key: ks.k('a'), revision: base + 1 })).toEqual(
          rangeResponse(base + 3, [kv(ks.s('a'), 'v1', base + 1, base + 1, 1)]),
        );
        expect(await range({ key: ks.k('a'), revision: base + 2 })).toEqual(
          rangeResponse(base + 3, [kv(ks.s('a'), 'v2', base + 1, base + 2, 2)]),
        );
      });

      it('delete resets the version; a recreated key starts a new create revision', async () => {
        const ks = keyspace('delete-recreate');
        const base = await revision();
        await put(ks.k('a'), '1');
        await put(ks.k('a'), '2');
        expect(norm(await client.kv.deleteRange({ key: ks.k('a') }))).toEqual({
          header: hdr(base + 3),
          deleted: '1',
          prev_kvs: [],
        });
        expect(await range({ key: ks.k('a') })).toEqual(rangeResponse(base + 3, []));
        await put(ks.k('a'), '3');
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 4, [kv(ks.s('a'), '3', base + 4, base + 4, 1)]),
        );
        expect(await range({ key: ks.k('a'), revision: base + 2 })).toEqual(
          rangeResponse(base + 4, [kv(ks.s('a'), '2', base + 1, base + 2, 2)]),
        );
        expect(await range({ key: ks.k('a'), revision: base + 3 })).toEqual(rangeResponse(base + 4, []));
      });

      it('deleting keys that do not exist changes nothing and keeps the revision', async () => {
        const ks = keyspace('delete-missing');
        const base = await revision();
        expect(norm(await client.kv.deleteRange({ key: ks.k('nope'), prev_kv: true }))).toEqual({
          header: hdr(base),
          deleted: '0',
          prev_kvs: [],
        });
        expect(norm(await client.kv.deleteRange({ ...ks.range }))).toEqual({
          header: hdr(base),
          deleted: '0',
          prev_kvs: [],
        });
        expect(await revision()).toBe(base);
      });

      it('keys and values are arbitrary bytes', async () => {
        const ks = keyspace('bytes');
        const base = await revision();
        const key = Buffer.concat([ks.k(''), Buffer.from([0x00, 0xff, 0x80, 0x0a])]);
        const value = Buffer.from([0xff, 0x00, 0xfe, 0x01]);
        await client.kv.put({ key, value });
        const res = await client.kv.range({ key });
        expect(res.kvs.map((x) => [x.key, x.value])).toEqual([[key, value]]);
        expect(res.header.revision).toBe(String(base + 1));
        // An empty value is a value: the key exists.
        await client.kv.put({ key: ks.k('empty'), value: Buffer.alloc(0) });
        expect(await range({ key: ks.k('empty') })).toEqual(
          rangeResponse(base + 2, [kv(ks.s('empty'), '', base + 2, base + 2, 1)]),
        );
      });
    });

    // --- range ----------------------------------------------------------------------------------

    describe('range', () => {
      it('[key, rangeEnd) is half-open and ordered bytewise', async () => {
        const ks = keyspace('range-end');
        const base = await revision();
        // Written out of order; 'Z' (0x5a) sorts before 'a' and 'é' (0xc3 0xa9 in UTF-8) after 'd'.
        for (const name of ['d', 'b', 'é', 'a', 'ba', 'Z', 'c']) {
          await client.kv.put({ key: Buffer.from(ks.prefix + name), value: Buffer.from(name) });
        }
        const rev = (name: string) => base + 1 + ['d', 'b', 'é', 'a', 'ba', 'Z', 'c'].indexOf(name);
        const at = (name: string) =>
          kv(
            Buffer.from(ks.prefix + name).toString('latin1'),
            Buffer.from(name).toString('latin1'),
            rev(name),
            rev(name),
            1,
          );
        expect(await range({ key: ks.k('b'), range_end: ks.k('d') })).toEqual(
          rangeResponse(base + 7, [at('b'), at('ba'), at('c')]),
        );
        expect(await range({ ...ks.range })).toEqual(
          rangeResponse(base + 7, [at('Z'), at('a'), at('b'), at('ba'), at('c'), at('d'), at('é')]),
        );
      });

      it('a prefix range returns only keys under the prefix', async () => {
        const ks = keyspace('range-prefix');
        const base = await revision();
        for (const name of ['x/1', 'xy', 'x/2', 'y', 'x']) await put(ks.k(name), name);
        // Prefix "x/" is the range ["x/", "x0"): '0' follows '/'.
        expect(await range({ key: ks.k('x/'), range_end: ks.k('x0') })).toEqual(
          rangeResponse(base + 5, [
            kv(ks.s('x/1'), 'x/1', base + 1, base + 1, 1),
            kv(ks.s('x/2'), 'x/2', base + 3, base + 3, 1),
          ]),
        );
      });

      it('rangeEnd "\\0" reads every key >= key', async () => {
        // This prefix sorts after every other case's keys ('/' < 'z'), so "from key" sees only ours.
        const prefix = 'zz-from-key/';
        const base = await revision();
        for (const name of ['a', 'b', 'c']) await put(b(prefix + name), name);
        expect(await range({ key: b(`${prefix}b`), range_end: Buffer.from([0]) })).toEqual(
          rangeResponse(base + 3, [
            kv(`${prefix}b`, 'b', base + 2, base + 2, 1),
            kv(`${prefix}c`, 'c', base + 3, base + 3, 1),
          ]),
        );
        await client.kv.deleteRange({ key: b(prefix), range_end: Buffer.from([0]) });
      });

      it('limit cuts the result and sets more; count is the whole range', async () => {
        const ks = keyspace('range-limit');
        const base = await revision();
        for (const name of ['a', 'b', 'c', 'd', 'e']) await put(ks.k(name), name);
        const at = (name: string) => {
          const rev = base + 1 + 'abcde'.indexOf(name);
          return kv(ks.s(name), name, rev, rev, 1);
        };
        expect(await range({ ...ks.range, limit: 2 })).toEqual(
          rangeResponse(base + 5, [at('a'), at('b')], 5, true),
        );
        expect(await range({ ...ks.range, limit: 4 })).toEqual(
          rangeResponse(base + 5, [at('a'), at('b'), at('c'), at('d')], 5, true),
        );
        const all = [at('a'), at('b'), at('c'), at('d'), at('e')];
        expect(await range({ ...ks.range, limit: 5 })).toEqual(rangeResponse(base + 5, all, 5, false));
        expect(await range({ ...ks.range, limit: 6 })).toEqual(rangeResponse(base + 5, all, 5, false));
        expect(await range({ ...ks.range, limit: 0 })).toEqual(rangeResponse(base + 5, all, 5, false));
        // Sorting happens before the limit.
        expect(await range({ ...ks.range, limit: 2, sort_order: 'Descend', sort_target: 'Key' })).toEqual(
          rangeResponse(base + 5, [at('e'), at('d')], 5, true),
        );
        // Limit and count at a past revision.
        expect(await range({ ...ks.range, limit: 1, revision: base + 3 })).toEqual(
          rangeResponse(base + 5, [at('a')], 3, true),
        );
      });

      it('keysOnly returns keys and revisions without values', async () => {
        const ks = keyspace('range-keys-only');
        const base = await revision();
        await put(ks.k('a'), 'va');
        await put(ks.k('b'), 'vb');
        await put(ks.k('a'), 'va2');
        expect(await range({ ...ks.range, keys_only: true })).toEqual(
          rangeResponse(base + 3, [
            kv(ks.s('a'), '', base + 1, base + 3, 2),
            kv(ks.s('b'), '', base + 2, base + 2, 1),
          ]),
        );
        expect(await range({ ...ks.range, keys_only: true, limit: 1 })).toEqual(
          rangeResponse(base + 3, [kv(ks.s('a'), '', base + 1, base + 3, 2)], 2, true),
        );
      });

      it('countOnly returns the count and no kvs, and never sets more', async () => {
        const ks = keyspace('range-count-only');
        const base = await revision();
        for (const name of ['a', 'b', 'c']) await put(ks.k(name), name);
        expect(await range({ ...ks.range, count_only: true })).toEqual(rangeResponse(base + 3, [], 3, false));
        expect(await range({ ...ks.range, count_only: true, limit: 1 })).toEqual(
          rangeResponse(base + 3, [], 3, false),
        );
        expect(await range({ ...ks.range, count_only: true, revision: base + 1 })).toEqual(
          rangeResponse(base + 3, [], 1, false),
        );
      });

      it('sorts by every target in every order (NONE on a non-key target means ascending)', async () => {
        const ks = keyspace('range-sort');
        const base = await revision();
        // After these writes each target orders k1, k2, k3 differently:
        //   k1: create base+2, mod base+6, version 3, value 'x'
        //   k2: create base+5, mod base+5, version 1, value 'z'
        //   k3: create base+1, mod base+4, version 2, value 'y'
        await put(ks.k('k3'), 'y');
        await put(ks.k('k1'), 'x');
        await put(ks.k('k1'), 'x');
        await put(ks.k('k3'), 'y');
        await put(ks.k('k2'), 'z');
        await put(ks.k('k1'), 'x');
        const kvs: Record<string, ExpectedKv> = {
          k1: kv(ks.s('k1'), 'x', base + 2, base + 6, 3),
          k2: kv(ks.s('k2'), 'z', base + 5, base + 5, 1),
          k3: kv(ks.s('k3'), 'y', base + 1, base + 4, 2),
        };
        const ascending: Record<keyof typeof SortTarget, string[]> = {
          Key: ['k1', 'k2', 'k3'],
          Version: ['k2', 'k3', 'k1'],
          Create: ['k3', 'k1', 'k2'],
          Mod: ['k3', 'k2', 'k1'],
          Value: ['k1', 'k3', 'k2'],
        };
        const orders: (keyof typeof SortOrder)[] = ['None', 'Ascend', 'Descend'];
        for (const [sortTarget, order] of Object.entries(ascending) as [
          keyof typeof SortTarget,
          string[],
        ][]) {
          for (const sortOrder of orders) {
            const names = sortOrder === 'Descend' ? [...order].reverse() : order;
            const res = await range({ ...ks.range, sort_order: sortOrder, sort_target: sortTarget });
            expect({ sortTarget, sortOrder, res }).toEqual({
              sortTarget,
              sortOrder,
              res: rangeResponse(
                base + 6,
                names.map((n) => kvs[n]!),
              ),
            });
          }
        }
        expect(await range({ ...ks.range, sort_order: 'Descend', sort_target: 'Mod', limit: 1 })).toEqual(
          rangeResponse(base + 6, [kvs.k1!], 3, true),
        );
        expect(await range({ ...ks.range, sort_order: 'Ascend', sort_target: 'Create', limit: 2 })).toEqual(
          rangeResponse(base + 6, [kvs.k3!, kvs.k1!], 3, true),
        );
      });

      it('min/max mod and create revision filters drop keys; count still counts the whole range', async () => {
        const ks = keyspace('range-filters');
        const base = await revision();
        await put(ks.k('a'), '1'); // a created base+1
        await put(ks.k('b'), '1'); // b created base+2
        await put(ks.k('c'), '1'); // c created base+3
        await put(ks.k('a'), '2'); // a modified base+4
        const a = kv(ks.s('a'), '2', base + 1, base + 4, 2);
        const bb = kv(ks.s('b'), '1', base + 2, base + 2, 1);
        const c = kv(ks.s('c'), '1', base + 3, base + 3, 1);
        expect(await range({ ...ks.range, min_mod_revision: base + 3 })).toEqual(
          rangeResponse(base + 4, [a, c], 3),
        );
        expect(await range({ ...ks.range, max_mod_revision: base + 3 })).toEqual(
          rangeResponse(base + 4, [bb, c], 3),
        );
        expect(await range({ ...ks.range, min_create_revision: base + 2 })).toEqual(
          rangeResponse(base + 4, [bb, c], 3),
        );
        expect(await range({ ...ks.range, max_create_revision: base + 2 })).toEqual(
          rangeResponse(base + 4, [a, bb], 3),
        );
        expect(await range({ ...ks.range, min_mod_revision: base + 3, limit: 1 })).toEqual(
          rangeResponse(base + 4, [a], 3, true),
        );
      });

      it('a serializable read answers like a linearizable one', async () => {
        const ks = keyspace('range-serializable');
        const base = await revision();
        await put(ks.k('a'), '1');
        await put(ks.k('b'), '2');
        const expected = rangeResponse(base + 2, [
          kv(ks.s('a'), '1', base + 1, base + 1, 1),
          kv(ks.s('b'), '2', base + 2, base + 2, 1),
        ]);
        expect(await range({ ...ks.range, serializable: true })).toEqual(expected);
        expect(await range({ ...ks.range })).toEqual(expected);
        expect(await range({ ...ks.range, serializable: true, revision: base + 1 })).toEqual(
          rangeResponse(base + 2, [kv(ks.s('a'), '1', base + 1, base + 1, 1)]),
        );
      });

      it('a rangeEnd below the key selects nothing', async () => {
        const ks = keyspace('range-end-below');
        const base = await revision();
        for (const name of ['a', 'b', 'c']) await put(ks.k(name), name);
        expect(await range({ key: ks.k('c'), range_end: ks.k('a') })).toEqual(rangeResponse(base + 3, []));
        expect(await range({ key: ks.k('b'), range_end: ks.k('b') })).toEqual(rangeResponse(base + 3, []));
        expect(norm(await client.kv.deleteRange({ key: ks.k('c'), range_end: ks.k('a') }))).toEqual({
          header: hdr(base + 3),
          deleted: '0',
          prev_kvs: [],
        });
      });

      it('an empty key is rejected by range, put, delete and txn', async () => {
        const base = await revision();
        const empty = Buffer.alloc(0);
        expect(await rejection(client.kv.range({ key: empty }))).toEqual(asError(ERR.emptyKey));
        expect(await rejection(client.kv.put({ key: empty, value: b('x') }))).toEqual(asError(ERR.emptyKey));
        expect(await rejection(client.kv.deleteRange({ key: empty }))).toEqual(asError(ERR.emptyKey));
        expect(
          await rejection(
            client.kv.txn({ compare: [{ key: empty, target: 'Version', result: 'Equal', version: 0 }] }),
          ),
        ).toEqual(asError(ERR.emptyKey));
        expect(
          await rejection(client.kv.txn({ success: [{ request_put: { key: empty, value: b('x') } }] })),
        ).toEqual(asError(ERR.emptyKey));
        expect(await revision()).toBe(base);
      });

      it('reading a future revision fails', async () => {
        const base = await revision();
        expect(await rejection(client.kv.range({ key: b('/conf/future/a'), revision: base + 1 }))).toEqual(
          asError(ERR.futureRev),
        );
        expect(await rejection(client.kv.range({ key: b('/conf/future/a'), revision: base + 100 }))).toEqual(
          asError(ERR.futureRev),
        );
      });
    });

    // --- put options ----------------------------------------------------------------------------

    describe('put options', () => {
      it('prevKv returns the previous pair, and nothing for a new key', async () => {
        const ks = keyspace('put-prev-kv');
        const base = await revision();
        expect(norm(await client.kv.put({ key: ks.k('a'), value: b('1'), prev_kv: true }))).toEqual({
          header: hdr(base + 1),
          prev_kv: null,
        });
        expect(norm(await client.kv.put({ key: ks.k('a'), value: b('2'), prev_kv: true }))).toEqual({
          header: hdr(base + 2),
          prev_kv: kv(ks.s('a'), '1', base + 1, base + 1, 1),
        });
        // Without prevKv the previous pair is not sent.
        expect(norm(await client.kv.put({ key: ks.k('a'), value: b('3') }))).toEqual({
          header: hdr(base + 3),
          prev_kv: null,
        });
      });

      it('ignoreValue keeps the value and still makes a new revision and version', async () => {
        const ks = keyspace('put-ignore-value');
        const base = await revision();
        await put(ks.k('a'), 'keep');
        expect(norm(await client.kv.put({ key: ks.k('a'), ignore_value: true, prev_kv: true }))).toEqual({
          header: hdr(base + 2),
          prev_kv: kv(ks.s('a'), 'keep', base + 1, base + 1, 1),
        });
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 2, [kv(ks.s('a'), 'keep', base + 1, base + 2, 2)]),
        );
      });

      it('ignoreValue fails on a missing key and when a value is given', async () => {
        const ks = keyspace('put-ignore-value-errors');
        const base = await revision();
        expect(await rejection(client.kv.put({ key: ks.k('missing'), ignore_value: true }))).toEqual(
          asError(ERR.keyNotFound),
        );
        await put(ks.k('a'), '1');
        expect(await rejection(client.kv.put({ key: ks.k('a'), value: b('x'), ignore_value: true }))).toEqual(
          asError(ERR.valueProvided),
        );
        expect(await revision()).toBe(base + 1);
      });

      it('a put with a lease attaches the key; ignoreLease keeps it; a plain put detaches it', async () => {
        const ks = keyspace('put-lease');
        const base = await revision();
        const lease = await grant(60);
        await client.kv.put({ key: ks.k('a'), value: b('1'), lease: lease.ID });
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 1, [kv(ks.s('a'), '1', base + 1, base + 1, 1, lease.ID)]),
        );
        await client.kv.put({ key: ks.k('a'), value: b('2'), ignore_lease: true });
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 2, [kv(ks.s('a'), '2', base + 1, base + 2, 2, lease.ID)]),
        );
        expect(norm((await client.leaseClient.leaseTimeToLive({ ID: lease.ID, keys: true })).keys)).toEqual([
          ks.s('a'),
        ]);
        // Both flags: the value and the lease stay as they were.
        await client.kv.put({ key: ks.k('a'), ignore_value: true, ignore_lease: true });
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 3, [kv(ks.s('a'), '2', base + 1, base + 3, 3, lease.ID)]),
        );
        await client.kv.put({ key: ks.k('a'), value: b('4') });
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 4, [kv(ks.s('a'), '4', base + 1, base + 4, 4)]),
        );
        expect(norm((await client.leaseClient.leaseTimeToLive({ ID: lease.ID, keys: true })).keys)).toEqual(
          [],
        );
        // The detached key survives the lease.
        await client.leaseClient.leaseRevoke({ ID: lease.ID });
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 4, [kv(ks.s('a'), '4', base + 1, base + 4, 4)]),
        );
      });

      it('ignoreLease fails on a missing key and when a lease is given', async () => {
        const ks = keyspace('put-ignore-lease-errors');
        const base = await revision();
        const lease = await grant(60);
        expect(
          await rejection(client.kv.put({ key: ks.k('missing'), value: b('x'), ignore_lease: true })),
        ).toEqual(asError(ERR.keyNotFound));
        await put(ks.k('a'), '1');
        expect(
          await rejection(
            client.kv.put({ key: ks.k('a'), value: b('x'), ignore_lease: true, lease: lease.ID }),
          ),
        ).toEqual(asError(ERR.leaseProvided));
        expect(await revision()).toBe(base + 1);
      });

      it('a put with an unknown lease fails: requested lease not found', async () => {
        const ks = keyspace('put-unknown-lease');
        const base = await revision();
        expect(await rejection(client.kv.put({ key: ks.k('a'), value: b('x'), lease: '1234567' }))).toEqual(
          asError(ERR.leaseNotFound),
        );
        expect(await range({ key: ks.k('a') })).toEqual(rangeResponse(base, []));
      });
    });

    // --- delete ---------------------------------------------------------------------------------

    describe('deleteRange', () => {
      it('deletes a range in one revision, counting and returning previous pairs in key order', async () => {
        const ks = keyspace('delete-range');
        const base = await revision();
        for (const name of ['a', 'b', 'c', 'd']) await put(ks.k(name), name);
        await put(ks.k('b'), 'b2');
        expect(
          norm(await client.kv.deleteRange({ key: ks.k('b'), range_end: ks.k('d'), prev_kv: true })),
        ).toEqual({
          header: hdr(base + 6),
          deleted: '2',
          prev_kvs: [kv(ks.s('b'), 'b2', base + 2, base + 5, 2), kv(ks.s('c'), 'c', base + 3, base + 3, 1)],
        });
        expect(norm(await client.kv.deleteRange({ ...ks.range }))).toEqual({
          header: hdr(base + 7),
          deleted: '2',
          prev_kvs: [],
        });
        expect(await range({ ...ks.range })).toEqual(rangeResponse(base + 7, []));
        expect(await range({ ...ks.range, revision: base + 6 })).toEqual(
          rangeResponse(base + 7, [
            kv(ks.s('a'), 'a', base + 1, base + 1, 1),
            kv(ks.s('d'), 'd', base + 4, base + 4, 1),
          ]),
        );
        expect(await range({ ...ks.range, revision: base + 5, count_only: true })).toEqual(
          rangeResponse(base + 7, [], 4),
        );
      });
    });

    // --- txn ------------------------------------------------------------------------------------

    describe('txn', () => {
      it('compares VALUE with =, !=, < and > bytewise', async () => {
        const ks = keyspace('txn-value');
        const base = await revision();
        await put(ks.k('a'), 'm');
        const cmp = (result: 'Equal' | 'NotEqual' | 'Less' | 'Greater', value: string) =>
          txnSucceeded([{ key: ks.k('a'), target: 'Value', result, value: b(value) }]);
        expect(await cmp('Equal', 'm')).toBe(true);
        expect(await cmp('Equal', 'n')).toBe(false);
        expect(await cmp('NotEqual', 'm')).toBe(false);
        expect(await cmp('NotEqual', 'mm')).toBe(true);
        expect(await cmp('Less', 'n')).toBe(true); // 'm' < 'n'
        expect(await cmp('Less', 'm')).toBe(false);
        expect(await cmp('Less', 'mm')).toBe(true); // a prefix sorts first
        expect(await cmp('Greater', 'l')).toBe(true);
        expect(await cmp('Greater', 'm')).toBe(false);
        expect(await cmp('Greater', '')).toBe(true);
        // Read-only transactions do not make a revision.
        expect(
          norm(
            await client.kv.txn({
              compare: [{ key: ks.k('a'), target: 'Value', result: 'Equal', value: b('m') }],
            }),
          ),
        ).toEqual({
          header: hdr(base + 1),
          succeeded: true,
          responses: [],
        });
      });

      it('compares VERSION, CREATE and MOD with =, !=, < and >', async () => {
        const ks = keyspace('txn-revisions');
        const base = await revision();
        await put(ks.k('a'), '1');
        await put(ks.k('a'), '2'); // a: create base+1, mod base+2, version 2
        const key = ks.k('a');
        const cases: [NonNullable<Parameters<typeof txnSucceeded>[0]>[number], boolean][] = [
          [{ key, target: 'Version', result: 'Equal', version: 2 }, true],
          [{ key, target: 'Version', result: 'NotEqual', version: 2 }, false],
          [{ key, target: 'Version', result: 'Greater', version: 1 }, true],
          [{ key, target: 'Version', result: 'Greater', version: 2 }, false],
          [{ key, target: 'Version', result: 'Less', version: 3 }, true],
          [{ key, target: 'Version', result: 'Less', version: 2 }, false],
          [{ key, target: 'Create', result: 'Equal', create_revision: base + 1 }, true],
          [{ key, target: 'Create', result: 'NotEqual', create_revision: base + 2 }, true],
          [{ key, target: 'Create', result: 'Greater', create_revision: base + 1 }, false],
          [{ key, target: 'Create', result: 'Less', create_revision: base + 2 }, true],
          [{ key, target: 'Mod', result: 'Equal', mod_revision: base + 2 }, true],
          [{ key, target: 'Mod', result: 'Equal', mod_revision: base + 1 }, false],
          [{ key, target: 'Mod', result: 'NotEqual', mod_revision: base + 2 }, false],
          [{ key, target: 'Mod', result: 'Greater', mod_revision: base + 1 }, true],
          [{ key, target: 'Mod', result: 'Less', mod_revision: base + 2 }, false],
          [{ key, target: 'Mod', result: 'Less', mod_revision: base + 3 }, true],
        ];
        for (const [compare, expected] of cases) {
          expect({ compare: norm(compare), succeeded: await txnSucceeded([compare]) }).toEqual({
            compare: norm(compare),
            succeeded: expected,
          });
        }
        // Every compare must hold.
        expect(
          await txnSucceeded([
            { key, target: 'Version', result: 'Equal', version: 2 },
            { key, target: 'Mod', result: 'Equal', mod_revision: base + 1 },
          ]),
        ).toBe(false);
      });

      it('compares on a missing key: version, create, mod and lease are 0; VALUE always fails', async () => {
        const ks = keyspace('txn-missing');
        const key = ks.k('missing');
        const cases: [NonNullable<Parameters<typeof txnSucceeded>[0]>[number], boolean][] = [
          [{ key, target: 'Version', result: 'Equal', version: 0 }, true],
          [{ key, target: 'Version', result: 'Greater', version: 0 }, false],
          [{ key, target: 'Version', result: 'Less', version: 1 }, true],
          [{ key, target: 'Version', result: 'NotEqual', version: 0 }, false],
          [{ key, target: 'Create', result: 'Equal', create_revision: 0 }, true],
          [{ key, target: 'Create', result: 'Less', create_revision: 1 }, true],
          [{ key, target: 'Mod', result: 'Equal', mod_revision: 0 }, true],
          [{ key, target: 'Mod', result: 'Greater', mod_revision: 0 }, false],
          [{ key, target: 'Lease', result: 'Equal', lease: 0 }, true],
          [{ key, target: 'Lease', result: 'NotEqual', lease: 0 }, false],
          [{ key, target: 'Value', result: 'Equal', value: b('') }, false],
          [{ key, target: 'Value', result: 'NotEqual', value: b('x') }, false],
          [{ key, target: 'Value', result: 'Greater', value: b('') }, false],
          [{ key, target: 'Value', result: 'Less', value: b('z') }, false],
        ];
        for (const [compare, expected] of cases) {
          expect({ compare: norm(compare), succeeded: await txnSucceeded([compare]) }).toEqual({
            compare: norm(compare),
            succeeded: expected,
          });
        }
      });

      it('compares LEASE', async () => {
        const ks = keyspace('txn-lease');
        const lease = await grant(60);
        await client.kv.put({ key: ks.k('a'), value: b('1'), lease: lease.ID });
        await put(ks.k('b'), '1');
        const key = ks.k('a');
        expect(await txnSucceeded([{ key, target: 'Lease', result: 'Equal', lease: lease.ID }])).toBe(true);
        expect(await txnSucceeded([{ key, target: 'Lease', result: 'NotEqual', lease: 0 }])).toBe(true);
        expect(await txnSucceeded([{ key, target: 'Lease', result: 'Equal', lease: 0 }])).toBe(false);
        expect(await txnSucceeded([{ key, target: 'Lease', result: 'Greater', lease: 0 }])).toBe(true);
        expect(await txnSucceeded([{ key: ks.k('b'), target: 'Lease', result: 'Equal', lease: 0 }])).toBe(
          true,
        );
        expect(
          await txnSucceeded([{ key: ks.k('b'), target: 'Lease', result: 'Equal', lease: lease.ID }]),
        ).toBe(false);
      });

      it('a compare with rangeEnd must hold for every key in the range', async () => {
        const ks = keyspace('txn-compare-range');
        await put(ks.k('a'), '1');
        await put(ks.k('b'), '1');
        await put(ks.k('b'), '2'); // a version 1, b version 2
        const { key, range_end } = ks.range;
        expect(
          await txnSucceeded([{ key, range_end, target: 'Version', result: 'Greater', version: 0 }]),
        ).toBe(true);
        expect(await txnSucceeded([{ key, range_end, target: 'Version', result: 'Equal', version: 1 }])).toBe(
          false,
        );
        expect(await txnSucceeded([{ key, range_end, target: 'Version', result: 'Less', version: 3 }])).toBe(
          true,
        );
        expect(
          await txnSucceeded([{ key, range_end, target: 'Value', result: 'Greater', value: b('0') }]),
        ).toBe(true);
        expect(
          await txnSucceeded([{ key, range_end, target: 'Value', result: 'Equal', value: b('1') }]),
        ).toBe(false);
        // An empty range compares like a missing key.
        const empty = { key: ks.k('x'), range_end: ks.k('y') };
        expect(await txnSucceeded([{ ...empty, target: 'Version', result: 'Equal', version: 0 }])).toBe(true);
        expect(await txnSucceeded([{ ...empty, target: 'Value', result: 'NotEqual', value: b('1') }])).toBe(
          false,
        );
      });

      it('runs the success or failure branch and returns its responses', async () => {
        const ks = keyspace('txn-branches');
        const base = await revision();
        const isNew = [{ key: ks.k('x'), target: 'Version' as const, result: 'Equal' as const, version: 0 }];
        const ops = {
          success: [
            { request_range: { key: ks.k('x') } },
            { request_put: { key: ks.k('x'), value: b('s') } },
          ],
          failure: [
            { request_range: { ...ks.range } },
            { request_put: { key: ks.k('y'), value: b('f') } },
            { request_delete_range: { key: ks.k('x'), prev_kv: true } },
          ],
        };
        const x = kv(ks.s('x'), 's', base + 1, base + 1, 1);
        expect(norm(await client.kv.txn({ compare: isNew, ...ops }))).toEqual({
          header: hdr(base + 1),
          succeeded: true,
          responses: [
            { response: 'response_range', response_range: rangeResponse(base, []) },
            { response: 'response_put', response_put: { header: hdr(base + 1), prev_kv: null } },
          ],
        });
        expect(norm(await client.kv.txn({ compare: isNew, ...ops }))).toEqual({
          header: hdr(base + 2),
          succeeded: false,
          responses: [
            { response: 'response_range', response_range: rangeResponse(base + 1, [x]) },
            { response: 'response_put', response_put: { header: hdr(base + 2), prev_kv: null } },
            {
              response: 'response_delete_range',
              response_delete_range: { header: hdr(base + 2), deleted: '1', prev_kvs: [x] },
            },
          ],
        });
        expect(await range({ ...ks.range })).toEqual(
          rangeResponse(base + 2, [kv(ks.s('y'), 'f', base + 2, base + 2, 1)]),
        );
      });

      it("a range inside a txn sees the txn's earlier writes, at the txn's new revision", async () => {
        const ks = keyspace('txn-read-own-writes');
        const base = await revision();
        await put(ks.k('a'), '1'); // base+1
        await put(ks.k('b'), '1'); // base+2
        const a = kv(ks.s('a'), '1', base + 1, base + 1, 1);
        const b1 = kv(ks.s('b'), '1', base + 2, base + 2, 1);
        const res = await client.kv.txn({
          success: [
            { request_range: { ...ks.range } },
            { request_put: { key: ks.k('c'), value: b('1') } },
            { request_delete_range: { key: ks.k('a') } },
            { request_range: { ...ks.range } },
            { request_range: { ...ks.range, count_only: true } },
            // An explicit revision still reads the past.
            { request_range: { ...ks.range, revision: base + 1 } },
          ],
        });
        const c = kv(ks.s('c'), '1', base + 3, base + 3, 1);
        expect(norm(res)).toEqual({
          header: hdr(base + 3),
          succeeded: true,
          responses: [
            { response: 'response_range', response_range: rangeResponse(base + 2, [a, b1]) },
            { response: 'response_put', response_put: { header: hdr(base + 3), prev_kv: null } },
            {
              response: 'response_delete_range',
              response_delete_range: { header: hdr(base + 3), deleted: '1', prev_kvs: [] },
            },
            { response: 'response_range', response_range: rangeResponse(base + 3, [b1, c]) },
            { response: 'response_range', response_range: rangeResponse(base + 3, [], 2) },
            { response: 'response_range', response_range: rangeResponse(base + 3, [a]) },
          ],
        });
      });

      it('a txn writing several keys commits them all in one revision', async () => {
        const ks = keyspace('txn-one-revision');
        const base = await revision();
        await put(ks.k('d'), 'old');
        const res = await client.kv.txn({
          success: [
            { request_put: { key: ks.k('a'), value: b('1') } },
            { request_put: { key: ks.k('b'), value: b('2') } },
            { request_delete_range: { key: ks.k('d') } },
            { request_put: { key: ks.k('c'), value: b('3') } },
          ],
        });
        expect(normHeader(res.header)).toEqual(hdr(base + 2));
        expect(await range({ ...ks.range })).toEqual(
          rangeResponse(base + 2, [
            kv(ks.s('a'), '1', base + 2, base + 2, 1),
            kv(ks.s('b'), '2', base + 2, base + 2, 1),
            kv(ks.s('c'), '3', base + 2, base + 2, 1),
          ]),
        );
        // A write txn that changes nothing (deleting a missing key) makes no revision.
        const none = await client.kv.txn({ success: [{ request_delete_range: { key: ks.k('zzz') } }] });
        expect(norm(none)).toEqual({
          header: hdr(base + 2),
          succeeded: true,
          responses: [
            {
              response: 'response_delete_range',
              response_delete_range: { header: hdr(base + 2), deleted: '0', prev_kvs: [] },
            },
          ],
        });
      });

      it('a nested txn chooses its branch from the state before the outer txn', async () => {
        const ks = keyspace('txn-nested');
        const base = await revision();
        const aIsNew = { key: ks.k('a'), target: 'Version' as const, result: 'Equal' as const, version: 0 };
        const res = await client.kv.txn({
          compare: [aIsNew],
          success: [
            { request_put: { key: ks.k('a'), value: b('outer') } },
            {
              request_txn: {
                // Evaluated against the state before the outer put, so it still holds.
                compare: [aIsNew],
                success: [{ request_put: { key: ks.k('b'), value: b('inner-success') } }],
                failure: [{ request_put: { key: ks.k('c'), value: b('inner-failure') } }],
              },
            },
          ],
        });
        expect(norm(res)).toEqual({
          header: hdr(base + 1),
          succeeded: true,
          responses: [
            { response: 'response_put', response_put: { header: hdr(base + 1), prev_kv: null } },
            {
              response: 'response_txn',
              response_txn: {
                // etcd leaves the nested txn's header empty.
                header: hdr(0),
                succeeded: true,
                responses: [
                  { response: 'response_put', response_put: { header: hdr(base + 1), prev_kv: null } },
                ],
              },
            },
          ],
        });
        expect(await range({ ...ks.range })).toEqual(
          rangeResponse(base + 1, [
            kv(ks.s('a'), 'outer', base + 1, base + 1, 1),
            kv(ks.s('b'), 'inner-success', base + 1, base + 1, 1),
          ]),
        );
      });

      it('writing one key twice in a txn is rejected; the same key in both branches is allowed', async () => {
        const ks = keyspace('txn-duplicate');
        const base = await revision();
        const putA = (v: string): IRequestOp => ({ request_put: { key: ks.k('a'), value: b(v) } });
        expect(await rejection(client.kv.txn({ success: [putA('1'), putA('2')] }))).toEqual(
          asError(ERR.duplicateKey),
        );
        expect(
          await rejection(client.kv.txn({ success: [putA('1'), { request_delete_range: { ...ks.range } }] })),
        ).toEqual(asError(ERR.duplicateKey));
        expect(
          await rejection(client.kv.txn({ success: [putA('1'), { request_txn: { success: [putA('2')] } }] })),
        ).toEqual(asError(ERR.duplicateKey));
        expect(await rejection(client.kv.txn({ failure: [putA('1'), putA('2')] }))).toEqual(
          asError(ERR.duplicateKey),
        );
        expect(await revision()).toBe(base);
        // Different branches, and reads next to a write, are fine.
        expect((await client.kv.txn({ success: [putA('s')], failure: [putA('f')] })).succeeded).toBe(true);
        expect(
          (await client.kv.txn({ success: [{ request_range: { key: ks.k('a') } }, putA('2')] })).succeeded,
        ).toBe(true);
        expect(await range({ key: ks.k('a') })).toEqual(
          rangeResponse(base + 2, [kv(ks.s('a'), '2', base + 1, base + 2, 2)]),
        );
      });

      it(`more than ${MAX_TXN_OPS} operations or compares is rejected; ${MAX_TXN_OPS} is allowed`, async () => {
        const ks = keyspace('txn-too-many');
        const base = await revision();
        const puts = (n: number): IRequestOp[] =>
          Array.from({ length: n }, (_, i) => ({
            request_put: { key: ks.k(String(i).padStart(3, '0')), value: b('v') },
          }));
        expect(await rejection(client.kv.txn({ success: puts(MAX_TXN_OPS + 1) }))).toEqual(
          asError(ERR.tooManyOps),
        );
        expect(await rejection(client.kv.txn({ failure: puts(MAX_TXN_OPS + 1) }))).toEqual(
          asError(ERR.tooManyOps),
        );
        const compares = Array.from({ length: MAX_TXN_OPS + 1 }, () => ({
          key: ks.k('000'),
          target: 'Version' as const,
          result: 'Equal' as const,
          version: 0,
        }));
        expect(await rejection(client.kv.txn({ compare: compares }))).toEqual(asError(ERR.tooManyOps));
        expect(await revision()).toBe(base);
        const ok = await client.kv.txn({ compare: compares.slice(1), success: puts(MAX_TXN_OPS) });
        expect(ok.succeeded).toBe(true);
        expect(normHeader(ok.header)).toEqual(hdr(base + 1));
        expect(await range({ ...ks.range, count_only: true })).toEqual(
          rangeResponse(base + 1, [], MAX_TXN_OPS),
        );
      });
    });

    // --- compaction -----------------------------------------------------------------------------

    describe('compaction', () => {
      it('reads below the compacted revision fail; at and above it they see that revision', async () => {
        const ks = keyspace('compact');
        const base = await revision();
        await put(ks.k('a'), '1'); // base+1
        await put(ks.k('d'), 'x'); // base+2
        await put(ks.k('a'), '2'); // base+3
        await client.kv.deleteRange({ key: ks.k('d') }); // base+4
        await put(ks.k('a'), '3'); // base+5
        expect(norm(await client.kv.compact({ revision: base + 3, physical: true }))).toEqual({
          header: hdr(base + 5),
        });
        expect(await rejection(client.kv.range({ ...ks.range, revision: base + 2 }))).toEqual(
          asError(ERR.compacted),
        );
        expect(await rejection(client.kv.range({ ...ks.range, revision: 1 }))).toEqual(
          asError(ERR.compacted),
        );
        expect(await range({ ...ks.range, revision: base + 3 })).toEqual(
          rangeResponse(base + 5, [
            kv(ks.s('a'), '2', base + 1, base + 3, 2),
            kv(ks.s('d'), 'x', base + 2, base + 2, 1),
          ]),
        );
        expect(await range({ ...ks.range, revision: base + 4 })).toEqual(
          rangeResponse(base + 5, [kv(ks.s('a'), '2', base + 1, base + 3, 2)]),
        );
        expect(await range({ ...ks.range })).toEqual(
          rangeResponse(base + 5, [kv(ks.s('a'), '3', base + 1, base + 5, 3)]),
        );
        // A range inside a txn is checked the same way.
        expect(
          await rejection(
            client.kv.txn({ success: [{ request_range: { key: ks.k('a'), revision: base + 2 } }] }),
          ),
        ).toEqual(asError(ERR.compacted));
        // Compacting again at or below the compacted revision, or past the current one, fails.
        expect(await rejection(client.kv.compact({ revision: base + 3 }))).toEqual(asError(ERR.compacted));
        expect(await rejection(client.kv.compact({ revision: base + 1 }))).toEqual(asError(ERR.compacted));
        expect(await rejection(client.kv.compact({ revision: base + 6 }))).toEqual(asError(ERR.futureRev));
        expect(await revision()).toBe(base + 5);
        // Compacting to the current revision is allowed (without waiting for it to be physical).
        expect(norm(await client.kv.compact({ revision: base + 5 }))).toEqual({ header: hdr(base + 5) });
        expect(await range({ ...ks.range, revision: base + 5 })).toEqual(
          rangeResponse(base + 5, [kv(ks.s('a'), '3', base + 1, base + 5, 3)]),
        );
      });
    });

    // --- watch ----------------------------------------------------------------------------------

    describe('watch', () => {
      let streams: RawWatchStream[] = [];
      const openStream = async () => {
        const s = await RawWatchStream.open(client);
        streams.push(s);
        return s;
      };
      afterEach(() => {
        for (const s of streams) s.close();
        streams = [];
      });

      /** The created answer of watch `id` on a store at `revision`. */
      const created = (id: string, revision: number) => ({
        header: hdr(revision),
        watch_id: id,
        created: true,
        canceled: false,
        compact_revision: '0',
        cancel_reason: '',
        fragment: false,
        events: [],
      });

      it('from a past revision replays history in order, then streams live events', async () => {
        const ks = keyspace('watch-history');
        const base = await revision();
        await put(ks.k('a'), '1'); // base+1
        await put(ks.k('b'), '1'); // base+2
        await client.kv.deleteRange({ key: ks.k('a') }); // base+3
        const s = await openStream();
        expect(norm(await s.create({ ...ks.range, start_revision: base + 1 }))).toEqual(
          created('0', base + 3),
        );
        await s.waitForEvents('0', 3);
        await put(ks.k('c'), '1'); // base+4
        await put(ks.k('b'), '2'); // base+5
        const events = await s.waitForEvents('0', 5);
        await sleep(100);
        expect(norm(s.eventsOf('0'))).toEqual([
          putEvent(kv(ks.s('a'), '1', base + 1, base + 1, 1)),
          putEvent(kv(ks.s('b'), '1', base + 2, base + 2, 1)),
          deleteEvent(ks.s('a'), base + 3),
          putEvent(kv(ks.s('c'), '1', base + 4, base + 4, 1)),
          putEvent(kv(ks.s('b'), '2', base + 2, base + 5, 2)),
        ]);
        expect(events).toHaveLength(5);
        // Every response is a plain event batch whose header is not behind its events.
        for (const res of s.responsesOf('0')) {
          expect(res.events.length).toBeGreaterThan(0);
          expect({ created: res.created, canceled: res.canceled, compact: res.compact_revision }).toEqual({
            created: false,
            canceled: false,
            compact: '0',
          });
          const newest = Math.max(...res.events.map((e: IEvent) => Number(e.kv.mod_revision)));
          expect(Number(res.header.revision)).toBeGreaterThanOrEqual(newest);
        }
        // A live event arrives with the header of its own revision.
        expect(normHeader(s.responsesOf('0').at(-1)?.header)).toEqual(hdr(base + 5));
      });

      it('from a future revision waits for it', async () => {
        const ks = keyspace('watch-future');
        const base = await revision();
        const s = await openStream();
        expect(norm(await s.create({ key: ks.k('a'), start_revision: base + 2 }))).toEqual(
          created('0', base),
        );
        await put(ks.k('a'), '1');
        await put(ks.k('a'), '2');
        await s.waitForEvents('0', 1);
        await sleep(100);
        expect(norm(s.eventsOf('0'))).toEqual([putEvent(kv(ks.s('a'), '2', base + 1, base + 2, 2))]);
      });

      it('prevKv carries the previous pair on puts and deletes', async () => {
        const ks = keyspace('watch-prev-kv');
        const base = await revision();
        await put(ks.k('a'), '1'); // base+1
        const s = await openStream();
        await s.create({ key: ks.k('a'), prev_kv: true });
        await put(ks.k('a'), '2'); // base+2
        await client.kv.deleteRange({ key: ks.k('a') }); // base+3
        await put(ks.k('a'), '3'); // base+4
        await s.waitForEvents('0', 3);
        await sleep(100);
        const v1 = kv(ks.s('a'), '1', base + 1, base + 1, 1);
        const v2 = kv(ks.s('a'), '2', base + 1, base + 2, 2);
        expect(norm(s.eventsOf('0'))).toEqual([
          putEvent(v2, v1),
          deleteEvent(ks.s('a'), base + 3, v2),
          putEvent(kv(ks.s('a'), '3', base + 4, base + 4, 1), null),
        ]);
      });

      it('NOPUT and NODELETE filters drop events without sending empty answers', async () => {
        const ks = keyspace('watch-filters');
        const base = await revision();
        const s = await openStream();
        expect(norm(await s.create({ key: ks.k('a'), filters: ['Noput'] }))).toEqual(created('0', base));
        expect(norm(await s.create({ key: ks.k('a'), filters: ['Nodelete'] }))).toEqual(created('1', base));
        expect(norm(await s.create({ key: ks.k('a'), filters: ['Noput', 'Nodelete'] }))).toEqual(
          created('2', base),
        );
        await put(ks.k('a'), '1');
        await put(ks.k('a'), '2');
        await client.kv.deleteRange({ key: ks.k('a') });
        await s.waitForEvents('0', 1);
        await s.waitForEvents('1', 2);
        await sleep(150);
        expect(norm(s.eventsOf('0'))).toEqual([deleteEvent(ks.s('a'), base + 3)]);
        expect(norm(s.eventsOf('1'))).toEqual([
          putEvent(kv(ks.s('a'), '1', base + 1, base + 1, 1)),
          putEvent(kv(ks.s('a'), '2', base + 1, base + 2, 2)),
        ]);
        expect(norm(s.responsesOf('2'))).toEqual([]);
        expect(s.responsesOf('0').every((r) => r.events.length > 0)).toBe(true);
        expect(s.responsesOf('1').every((r) => r.events.length > 0)).toBe(true);
      });

      it('a prefix watch sees only keys under the prefix', async () => {
        const ks = keyspace('watch-prefix');
        const base = await revision();
        const s = await openStream();
        await s.create({ key: ks.k('x/'), range_end: ks.k('x0') });
        for (const name of ['x/1', 'xy', 'x', 'x/2', 'y']) await put(ks.k(name), name);
        await s.waitForEvents('0', 2);
        await sleep(100);
        expect(norm(s.eventsOf('0'))).toEqual([
          putEvent(kv(ks.s('x/1'), 'x/1', base + 1, base + 1, 1)),
          putEvent(kv(ks.s('x/2'), 'x/2', base + 4, base + 4, 1)),
        ]);
      });

      it("a txn's events arrive together, in op order, with one revision", async () => {
        const ks = keyspace('watch-txn');
        const base = await revision();
        await put(ks.k('c'), 'old'); // base+1
        const s = await openStream();
        await s.create({ ...ks.range, prev_kv: true });
        await client.kv.txn({
          success: [
            { request_put: { key: ks.k('b'), value: b('2') } },
            { request_delete_range: { key: ks.k('c') } },
            { request_put: { key: ks.k('a'), value: b('1') } },
          ],
        });
        await s.waitForEvents('0', 3);
        await sleep(100);
        expect(norm(s.responsesOf('0').map((r) => ({ header: r.header, events: r.events })))).toEqual([
          {
            header: hdr(base + 2),
            events: [
              putEvent(kv(ks.s('b'), '2', base + 2, base + 2, 1)),
              deleteEvent(ks.s('c'), base + 2, kv(ks.s('c'), 'old', base + 1, base + 1, 1)),
              putEvent(kv(ks.s('a'), '1', base + 2, base + 2, 1)),
            ],
          },
        ]);
      });

      it('from a compacted revision is canceled with the compact revision', async () => {
        const ks = keyspace('watch-compacted');
        const base = await revision();
        await put(ks.k('a'), '1');
        await put(ks.k('a'), '2');
        await put(ks.k('a'), '3');
        await client.kv.compact({ revision: base + 2, physical: true });
        const s = await openStream();
        expect(norm(await s.create({ key: ks.k('a'), start_revision: base + 1 }))).toEqual(
          created('0', base + 3),
        );
        await s.waitFor(() => s.responsesOf('0').length > 0, 'the compaction answer');
        await sleep(100);
        expect(norm(s.responsesOf('0'))).toEqual([
          {
            header: hdr(0),
            watch_id: '0',
            created: false,
            canceled: true,
            compact_revision: String(base + 2),
            cancel_reason: '',
            fragment: false,
            events: [],
          },
        ]);
        // Watching from the compact revision itself still works.
        expect(norm(await s.create({ key: ks.k('a'), start_revision: base + 2 }))).toEqual(
          created('1', base + 3),
        );
        await s.waitForEvents('1', 2);
        await sleep(100);
        expect(norm(s.eventsOf('1'))).toEqual([
          putEvent(kv(ks.s('a'), '2', base + 1, base + 2, 2)),
          putEvent(kv(ks.s('a'), '3', base + 1, base + 3, 3)),
        ]);
      });

      it('cancel answers canceled for the watch and stops its events; unknown ids get no answer', async () => {
        const ks = keyspace('watch-cancel');
        const base = await revision();
        const s = await openStream();
        await s.create({ key: ks.k('a') });
        await s.create({ key: ks.k('a') });
        await put(ks.k('a'), '1');
        await s.waitForEvents('0', 1);
        await s.waitForEvents('1', 1);
        s.cancel('0');
        await s.waitFor(() => s.responsesOf('0').find((r) => r.canceled), 'the cancel answer');
        s.cancel('99');
        await put(ks.k('a'), '2');
        await s.waitForEvents('1', 2);
        await sleep(150);
        expect(norm(s.responsesOf('0'))).toEqual([
          {
            header: hdr(base + 1),
            watch_id: '0',
            created: false,
            canceled: false,
            compact_revision: '0',
            cancel_reason: '',
            fragment: false,
            events: [putEvent(kv(ks.s('a'), '1', base + 1, base + 1, 1))],
          },
          {
            header: hdr(base + 1),
            watch_id: '0',
            created: false,
            canceled: true,
            compact_revision: '0',
            cancel_reason: '',
            fragment: false,
            events: [],
          },
        ]);
        expect(norm(s.eventsOf('1'))).toEqual([
          putEvent(kv(ks.s('a'), '1', base + 1, base + 1, 1)),
          putEvent(kv(ks.s('a'), '2', base + 1, base + 2, 2)),
        ]);
        expect(s.responses.filter((r) => r.watch_id === '99')).toEqual([]);
      });

      it('a progress request answers with the current revision on watch id -1', async () => {
        const ks = keyspace('watch-progress');
        const base = await revision();
        const s = await openStream();
        await s.create({ key: ks.k('a') });
        await put(ks.k('other'), '1');
        s.requestProgress();
        const progress = await s.waitFor(
          () => s.responses.find((r) => r.watch_id === '-1'),
          'the progress answer',
        );
        expect(norm(progress)).toEqual({
          header: hdr(base + 1),
          watch_id: '-1',
          created: false,
          canceled: false,
          compact_revision: '0',
          cancel_reason: '',
          fragment: false,
          events: [],
        });
      });

      it('several watchers on one client get their own events; canceling one leaves the others', async () => {
        const ks = keyspace('watch-many');
        const base = await revision();
        const collect = async (build: (w: ReturnType<Etcd3['watch']>) => ReturnType<Etcd3['watch']>) => {
          const events: IEvent[] = [];
          const watcher = await build(client.watch()).create();
          watcher.on('data', (res) => events.push(...res.events));
          return { watcher, events };
        };
        const onA = await collect((w) => w.key(ks.k('a')));
        const onAll = await collect((w) => w.prefix(ks.prefix));
        const onB = await collect((w) => w.key(ks.k('b')));
        await put(ks.k('a'), '1');
        await put(ks.k('b'), '1');
        await waitUntil(
          () => onAll.events.length >= 2 && onA.events.length >= 1 && onB.events.length >= 1,
          'events',
        );
        await onA.watcher.cancel();
        await put(ks.k('a'), '2');
        await waitUntil(() => onAll.events.length >= 3, 'the third event');
        await sleep(100);
        const a1 = putEvent(kv(ks.s('a'), '1', base + 1, base + 1, 1));
        const b1 = putEvent(kv(ks.s('b'), '1', base + 2, base + 2, 1));
        const a2 = putEvent(kv(ks.s('a'), '2', base + 1, base + 3, 2));
        expect(norm(onA.events)).toEqual([a1]);
        expect(norm(onAll.events)).toEqual([a1, b1, a2]);
        expect(norm(onB.events)).toEqual([b1]);
        await onAll.watcher.cancel();
        await onB.watcher.cancel();
      });

      it('a client that disconnects mid-watch leaves the server serving', async () => {
        const ks = keyspace('watch-disconnect');
        const base = await revision();
        const other = connect(target!.endpoint);
        const abandoned = await other.watch().prefix(ks.prefix).create();
        const seen: IEvent[] = [];
        abandoned.on('data', (res) => seen.push(...res.events));
        const rawOther = await RawWatchStream.open(other);
        await rawOther.create({ ...ks.range });
        await put(ks.k('a'), '1');
        await waitUntil(() => seen.length >= 1, 'the first event');
        await rawOther.waitForEvents('0', 1);
        // Drop both the stream and the whole connection while the watches are live.
        rawOther.close();
        other.close();
        const s = await openStream();
        await s.create({ ...ks.range });
        await put(ks.k('b'), '1');
        await s.waitForEvents('0', 1);
        expect(norm(s.eventsOf('0'))).toEqual([putEvent(kv(ks.s('b'), '1', base + 2, base + 2, 1))]);
        expect(await range({ ...ks.range, count_only: true })).toEqual(rangeResponse(base + 2, [], 2));
        const fresh = connect(target!.endpoint);
        try {
          expect(norm((await fresh.kv.range({ key: ks.k('a') })).kvs)).toEqual([
            kv(ks.s('a'), '1', base + 1, base + 1, 1),
          ]);
        } finally {
          fresh.close();
        }
      });
    });

    // --- leases ---------------------------------------------------------------------------------

    describe('leases', () => {
      it('grant returns an ID and the TTL; timeToLive reports remaining and granted TTL and keys', async () => {
        const ks = keyspace('lease-grant');
        const base = await revision();
        const lease = await grant(30);
        expect(lease.ID).not.toBe('0');
        expect(norm(lease)).toEqual({ header: hdr(base), ID: lease.ID, TTL: '30', error: '' });
        await client.kv.put({ key: ks.k('b'), value: b('1'), lease: lease.ID });
        await client.kv.put({ key: ks.k('a'), value: b('1'), lease: lease.ID });
        const ttl = await client.leaseClient.leaseTimeToLive({ ID: lease.ID, keys: true });
        // Remaining seconds are truncated: just after a 30 s grant etcd reports 29.
        expect(norm({ ...ttl, keys: [...ttl.keys].sort(Buffer.compare) })).toEqual({
          header: hdr(base + 2),
          ID: lease.ID,
          TTL: '29',
          grantedTTL: '30',
          keys: [ks.s('a'), ks.s('b')],
        });
        expect(norm(await client.leaseClient.leaseTimeToLive({ ID: lease.ID }))).toEqual({
          header: hdr(base + 2),
          ID: lease.ID,
          TTL: '29',
          grantedTTL: '30',
          keys: [],
        });
        // Two grants never share an ID.
        const second = await grant(30);
        expect(second.ID).not.toBe(lease.ID);
      });

      it('grant with a chosen ID uses it; granting it again fails; too large a TTL fails', async () => {
        const base = await revision();
        const id = '7450381226549183';
        expect(norm(await grant(60, id))).toEqual({ header: hdr(base), ID: id, TTL: '60', error: '' });
        expect(await rejection(client.leaseClient.leaseGrant({ TTL: 60, ID: id }))).toEqual(
          asError(ERR.leaseExists),
        );
        expect(await rejection(client.leaseClient.leaseGrant({ TTL: '9000000001' }))).toEqual(
          asError(ERR.leaseTtlTooLarge),
        );
        await client.leaseClient.leaseRevoke({ ID: id });
        // A revoked ID can be granted again.
        expect(norm(await grant(60, id))).toEqual({ header: hdr(base), ID: id, TTL: '60', error: '' });
      });

      it(`a TTL below etcd's minimum is raised to ${MIN_LEASE_TTL} s`, async () => {
        for (const ttl of [1, 0, -5]) {
          const lease = await grant(ttl);
          expect({ asked: ttl, TTL: lease.TTL }).toEqual({ asked: ttl, TTL: String(MIN_LEASE_TTL) });
          const live = await client.leaseClient.leaseTimeToLive({ ID: lease.ID });
          expect({ TTL: live.TTL, grantedTTL: live.grantedTTL }).toEqual({
            TTL: String(MIN_LEASE_TTL - 1),
            grantedTTL: String(MIN_LEASE_TTL),
          });
        }
      });

      it('revoke deletes every attached key in one revision, in key order', async () => {
        const ks = keyspace('lease-revoke');
        const base = await revision();
        const lease = await grant(60);
        for (const name of ['c', 'a', 'b'])
          await client.kv.put({ key: ks.k(name), value: b(name), lease: lease.ID });
        await put(ks.k('d'), 'd'); // base+4, no lease
        const s = await RawWatchStream.open(client);
        try {
          await s.create({ ...ks.range });
          expect(norm(await client.leaseClient.leaseRevoke({ ID: lease.ID }))).toEqual({
            header: hdr(base + 5),
          });
          await s.waitForEvents('0', 3);
          await sleep(100);
          expect(norm(s.responsesOf('0').map((r) => ({ header: r.header, events: r.events })))).toEqual([
            {
              header: hdr(base + 5),
              events: [
                deleteEvent(ks.s('a'), base + 5),
                deleteEvent(ks.s('b'), base + 5),
                deleteEvent(ks.s('c'), base + 5),
              ],
            },
          ]);
        } finally {
          s.close();
        }
        expect(await range({ ...ks.range })).toEqual(
          rangeResponse(base + 5, [kv(ks.s('d'), 'd', base + 4, base + 4, 1)]),
        );
        expect(norm(await client.leaseClient.leaseTimeToLive({ ID: lease.ID, keys: true }))).toEqual({
          header: hdr(base + 5),
          ID: lease.ID,
          TTL: '-1',
          grantedTTL: '0',
          keys: [],
        });
        // A lease without keys goes without making a revision.
        const empty = await grant(60);
        expect(norm(await client.leaseClient.leaseRevoke({ ID: empty.ID }))).toEqual({
          header: hdr(base + 5),
        });
      });

      it('an expired lease deletes its keys in one revision', async () => {
        const ks = keyspace('lease-expiry');
        const base = await revision();
        const lease = await grant(1);
        expect(lease.TTL).toBe(String(MIN_LEASE_TTL));
        const granted = Date.now();
        await client.kv.put({ key: ks.k('b'), value: b('b'), lease: lease.ID });
        await client.kv.put({ key: ks.k('a'), value: b('a'), lease: lease.ID });
        const s = await RawWatchStream.open(client);
        try {
          await s.create({ ...ks.range });
          // The 1 s asked for is not what runs: the keys are still there after it.
          await sleep(Math.max(0, granted + 1_300 - Date.now()));
          expect(await range({ ...ks.range, count_only: true })).toEqual(rangeResponse(base + 2, [], 2));
          await s.waitForEvents('0', 2, 6_000);
          const gone = Date.now() - granted;
          expect(gone).toBeGreaterThanOrEqual(MIN_LEASE_TTL * 1_000 - 100);
          await sleep(100);
          expect(norm(s.eventsOf('0'))).toEqual([
            deleteEvent(ks.s('a'), base + 3),
            deleteEvent(ks.s('b'), base + 3),
          ]);
        } finally {
          s.close();
        }
        expect(await range({ ...ks.range })).toEqual(rangeResponse(base + 3, []));
        expect(norm(await client.leaseClient.leaseTimeToLive({ ID: lease.ID }))).toEqual({
          header: hdr(base + 3),
          ID: lease.ID,
          TTL: '-1',
          grantedTTL: '0',
          keys: [],
        });
      });

      it('keepalive renews the lease to its full TTL; an unknown lease answers TTL 0', async () => {
        const base = await revision();
        const lease = await grant(10);
        const stream = await client.leaseClient.leaseKeepAlive();
        const answers: unknown[] = [];
        stream.on('data', (res) => answers.push(norm(res)));
        stream.on('error', () => undefined);
        try {
          await sleep(1_100);
          expect((await client.leaseClient.leaseTimeToLive({ ID: lease.ID })).TTL).toBe('8');
          stream.write({ ID: lease.ID });
          await waitUntil(() => answers.length >= 1, 'the keepalive answer');
          expect(answers[0]).toEqual({ header: hdr(base), ID: lease.ID, TTL: '10' });
          expect((await client.leaseClient.leaseTimeToLive({ ID: lease.ID })).TTL).toBe('9');
          stream.write({ ID: '987654321' });
          await waitUntil(() => answers.length >= 2, 'the second keepalive answer');
          expect(answers[1]).toEqual({ header: hdr(base), ID: '987654321', TTL: '0' });
        } finally {
          closeStream(stream);
        }
      });

      it('leases lists granted leases and drops revoked ones', async () => {
        const base = await revision();
        const one = await grant(60);
        const two = await grant(60);
        const listed = async () => {
          const res = await client.leaseClient.leaseLeases();
          expect(normHeader(res.header)).toEqual(hdr(base));
          return res.leases.map((l) => l.ID);
        };
        expect(await listed()).toEqual(expect.arrayContaining([one.ID, two.ID]));
        await client.leaseClient.leaseRevoke({ ID: one.ID });
        const after = await listed();
        expect(after).toContain(two.ID);
        expect(after).not.toContain(one.ID);
      });

      it('an unknown lease: revoke fails, timeToLive answers TTL -1', async () => {
        const base = await revision();
        expect(await rejection(client.leaseClient.leaseRevoke({ ID: '424242' }))).toEqual(
          asError(ERR.leaseNotFound),
        );
        expect(norm(await client.leaseClient.leaseTimeToLive({ ID: '424242', keys: true }))).toEqual({
          header: hdr(base),
          ID: '424242',
          TTL: '-1',
          grantedTTL: '0',
          keys: [],
        });
      });
    });

    // --- limits ---------------------------------------------------------------------------------

    describe('limits', () => {
      it('a request over 1.5 MiB is rejected as too large; 1 MiB is accepted', async () => {
        const ks = keyspace('limit-size');
        const base = await revision();
        const big = Buffer.alloc(MAX_REQUEST_BYTES + 1024, 0x61);
        expect(await rejection(client.kv.put({ key: ks.k('big'), value: big }))).toEqual(
          asError(ERR.tooLarge),
        );
        expect(
          await rejection(client.kv.txn({ success: [{ request_put: { key: ks.k('big'), value: big } }] })),
        ).toEqual(asError(ERR.tooLarge));
        expect(await revision()).toBe(base);
        const mib = Buffer.alloc(1024 * 1024, 0x62);
        await client.kv.put({ key: ks.k('mib'), value: mib });
        const res = await client.kv.range({ key: ks.k('mib') });
        expect(res.kvs).toHaveLength(1);
        expect(res.kvs[0]!.value.equals(mib)).toBe(true);
        expect(res.header.revision).toBe(String(base + 1));
      });
    });
  });
}
