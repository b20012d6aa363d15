// Starts our store in-process behind its etcd v3 gRPC face on a free loopback port, so tests can talk
// to it with any etcd client exactly as they would to a real etcd.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdGrpcServer } from '../../src/cluster/etcd/server.ts';
import { FileBackend } from '../../src/cluster/store/file-backend.ts';
import { MemoryBackend } from '../../src/cluster/store/memory-backend.ts';
import { Store, type StoreOptions } from '../../src/cluster/store/store.ts';

export interface OrchStore {
  /** `127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly store: Store;
  stop(): Promise<void>;
}

export interface StartOrchStoreOptions extends Omit<Partial<StoreOptions>, 'backend'> {
  /** `memory` (default) or `file` on a throwaway directory removed by stop(). */
  readonly backend?: 'memory' | 'file';
}

export async function startOrchStore(options: StartOrchStoreOptions = {}): Promise<OrchStore> {
  const { backend: kind = 'memory', ...storeOptions } = options;
  const dir = kind === 'file' ? await mkdtemp(join(tmpdir(), 'orch-lab-store-')) : undefined;
  const backend = dir === undefined ? new MemoryBackend() : new FileBackend({ dir });
  const store = await Store.open({ ...storeOptions, backend });
  let server: EtcdGrpcServer;
  try {
    server = await EtcdGrpcServer.start(store, {
      listen: '127.0.0.1:0',
      clusterId: 0x6f72_6368_6c61_62n,
      memberId: 1n,
      name: 'orch-lab-test',
    });
  } catch (err) {
    await store.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint: server.address,
    store,
    async stop() {
      try {
        await server.close();
      } finally {
        await store.close();
        if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
