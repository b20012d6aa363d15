import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import type { Event, KeyValue } from '../store/types.ts';
import { event, longBits } from './convert.ts';
import type { ResponseHeaderPb, WatchResponsePb } from './messages.ts';
import { WatchEncoder } from './watch-encoder.ts';

const watchService = protoLoader.loadSync('etcd.proto', {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [fileURLToPath(new URL('.', import.meta.url))],
})['etcdserverpb.Watch'] as grpc.ServiceDefinition;
const method = watchService.Watch!;

const header = (revision: number): ResponseHeaderPb => ({
  cluster_id: longBits(0xcdef_0123_4567_89abn),
  member_id: longBits(0x8000_0000_0000_0001n),
  revision,
  raft_term: 1,
});

const kv = (key: string, modRevision: number, lease = 0n): KeyValue => ({
  key: Buffer.from(key),
  createRevision: 2,
  modRevision,
  version: modRevision - 1,
  value: Buffer.from(`value of ${key}`),
  lease,
});

const batches: Event[][] = [
  [],
  [{ type: 'PUT', kv: kv('/registry/pods/default/a', 7) }],
  [
    { type: 'PUT', kv: kv('/a', 300, 7587876135464437257n), prevKv: kv('/a', 299) },
    { type: 'DELETE', kv: { ...kv('/b', 300), value: Buffer.alloc(0), version: 0, createRevision: 0 } },
    { type: 'PUT', kv: kv('\u00ff\u0000', 300, -1n) },
  ],
];

describe('WatchEncoder', () => {
  it('encodes a response byte for byte as encoding the whole message does', () => {
    const encoder = new WatchEncoder(watchService, header);
    for (const revision of [1, 300, 2 ** 40]) {
      for (const id of [0, 1, 129, 2 ** 31]) {
        for (const events of batches) {
          const whole: WatchResponsePb = {
            header: header(revision),
            watch_id: id,
            events: events.map(event),
          };
          const parts = encoder.events(revision, encoder.watchId(id), [events]);
          expect(parts.equals(method.responseSerialize(whole))).toBe(true);
        }
      }
    }
  });

  it('encodes several batches as one response carrying their events in order', () => {
    const encoder = new WatchEncoder(watchService, header);
    const [, one, three] = batches;
    const whole: WatchResponsePb = {
      header: header(300),
      watch_id: 4,
      events: [...one!, ...three!].map(event),
    };
    const parts = encoder.events(300, encoder.watchId(4), [one!, [], three!]);
    expect(parts.equals(method.responseSerialize(whole))).toBe(true);
  });

  it('encodes a shared batch once, and passes its bytes through the served serializer', () => {
    const encoder = new WatchEncoder(watchService, header);
    const events = batches[2]!;
    const first = encoder.events(9, encoder.watchId(1), [events]);
    const second = encoder.events(9, encoder.watchId(2), [events]);
    // Same header and events, different watcher: only the watch_id field differs.
    expect(first.length).toBe(second.length);
    const served = encoder.service().Watch!;
    expect(served.responseSerialize(first)).toBe(first);
    const decoded = served.responseDeserialize(second) as WatchResponsePb;
    expect(decoded).toMatchObject({ watch_id: '2', header: { revision: '9' } });
    expect(decoded.events).toHaveLength(3);
    // Other responses are encoded as before.
    const created = { header: header(9), watch_id: 3, created: true };
    expect(served.responseSerialize(created).equals(method.responseSerialize(created))).toBe(true);
  });
});
