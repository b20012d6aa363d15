// The storage suite over the embedded store, as `orch-lab up` runs it by default.

import { MemoryBackend } from '../../src/cluster/store/memory-backend.ts';
import { Store } from '../../src/cluster/store/store.ts';
import { runStorageSuite } from './storage.case.ts';

runStorageSuite('the embedded store', async () => {
  const store = await Store.open({ backend: new MemoryBackend(), autoCompaction: { mode: 'off' } });
  return {
    kv: store,
    compact: async (revision) => {
      await store.compact({ revision });
    },
    stop: () => store.close(),
  };
});
