import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { KubeObject } from '../cluster/api/meta.ts';
import type { ResourceType } from '../cluster/api/resources.ts';
import { loadRestConfig } from '../cluster/client/kubeconfig.ts';
import { RestClient } from '../cluster/client/rest-client.ts';
import { type SharedInformer, SharedInformerFactory } from '../cluster/client/shared-informer.ts';
import { EtcdKV } from '../cluster/etcd/client.ts';
import type { KV } from '../cluster/etcd/kv.ts';

/** Where a running lab is: what `up` returns and lab.json records. */
export interface LabAddress {
  readonly home: string;
  readonly kubeconfig: string;
  /** The store's etcd v3 endpoint(s), comma-separated. */
  readonly etcd: string;
}

/**
 * LabSession is everything the UI reaches the lab through: an API client with its informers, the
 * store's etcd face (for the Store tab, read-only), and the lab's files. One per running UI; the
 * components get it from LabContext, never from a module-level variable.
 */
export interface LabSession extends LabAddress {
  readonly client: RestClient;
  /** The built-in kubectl's client: its requests show in the Flow tab as `kubectl`, the UI's own are left out. */
  readonly kubectlClient: RestClient;
  /** The shared informer of a resource (all namespaces), running from its first request on. */
  informer<T extends KubeObject>(type: ResourceType<T>): SharedInformer<T>;
  /** The store's etcd face: keys and their history (range) and changes as they happen (watch). */
  readonly kv: Pick<KV, 'range' | 'watch'>;
  readonly auditLog: string;
  readonly historyFile: string;
  /** The UI's settings (settings.ts). */
  readonly settingsFile: string;
  /** Stops the informers and closes every connection. */
  close(): Promise<void>;
}

/** Connects to a lab; the informers start at once and reconnect on their own (2 s backoff at most). */
export async function connectLab(address: LabAddress): Promise<LabSession> {
  const config = await loadRestConfig(address.kubeconfig);
  const client = new RestClient(config, { component: 'tui', timeoutMs: 5000 });
  const kubectlClient = new RestClient(config, { component: 'kubectl' });
  const informers = new SharedInformerFactory({ client, reflector: { backoff: { maxMs: 2000 } } });
  const kv = new EtcdKV({ endpoints: address.etcd.split(','), onError: () => {} });
  const abort = new AbortController();
  // Every informer's reflector listens on this one signal; a screen watches more than Node's default 10.
  setMaxListeners(100, abort.signal);
  return {
    ...address,
    client,
    kubectlClient,
    informer: (type) => {
      const informer = informers.forResource(type);
      informers.start(abort.signal);
      return informer;
    },
    kv,
    auditLog: join(address.home, 'audit.log'),
    historyFile: join(address.home, 'history'),
    settingsFile: join(address.home, 'settings.json'),
    close: async () => {
      abort.abort();
      await informers.shutdown();
      client.close();
      kubectlClient.close();
      kv.close();
    },
  };
}
