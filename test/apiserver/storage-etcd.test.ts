// The storage suite over a real etcd 3.4 through EtcdKV, as `orch-lab up --etcd-endpoints` runs it.

import { EtcdKV } from '../../src/cluster/etcd/client.ts';
import { startEtcd } from '../support/etcd-process.ts';
import { runStorageSuite } from './storage.case.ts';

runStorageSuite('etcd 3.4 (EtcdKV)', async () => {
  const etcd = await startEtcd();
  const kv = new EtcdKV({ endpoints: [`http://${etcd.endpoint}`] });
  return {
    kv,
    compact: async (revision) => {
      await kv.compact({ revision, physical: true });
    },
    stop: async () => {
      kv.close();
      await etcd.stop();
    },
  };
});
