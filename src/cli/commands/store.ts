import { EtcdGrpcServer } from '../../cluster/etcd/server.ts';
import { FileBackend } from '../../cluster/store/file-backend.ts';
import { Store } from '../../cluster/store/store.ts';

export interface StoreCommandOptions {
  /** Where the store's snapshots and WAL live. */
  readonly dataDir: string;
  /** 'host:port' for the etcd v3 gRPC face. */
  readonly listen: string;
}

/**
 * `orch-lab store` runs the store on its own, durable in `dataDir` and served over etcd's v3 gRPC
 * API, so a learner can poke at it with etcdctl. It runs until SIGINT or SIGTERM, then stops taking
 * requests and closes the store, whose acknowledged writes are already on disk.
 */
export async function runStore(options: StoreCommandOptions): Promise<void> {
  const store = await Store.open({ backend: new FileBackend({ dir: options.dataDir }) });
  let server: EtcdGrpcServer;
  try {
    server = await EtcdGrpcServer.start(store, { listen: options.listen });
  } catch (err) {
    await store.close();
    throw err;
  }
  console.log(`orch-lab store: serving the etcd v3 API on ${server.address}, data in ${options.dataDir}`);
  console.log(`try: etcdctl --endpoints=${server.address} put hello world`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log(`orch-lab store: ${signal}, shutting down`);
  await server.close();
  await store.close();
}
