import type { ClusterPki } from '../apiserver/pki.ts';
import { RestClient } from '../client/rest-client.ts';
import { SharedInformerFactory } from '../client/shared-informer.ts';
import { Scheduler } from './scheduler.ts';

/** A scheduler running against an API server, until stopped. */
export interface RunningScheduler {
  stop(): Promise<void>;
}

/**
 * startScheduler runs kube-scheduler's counterpart as the control plane's own client: it signs in
 * with a certificate for system:kube-scheduler (RBAC's bootstrap policy says what that user may
 * do) and meets the rest of the cluster only through the API server.
 */
export async function startScheduler(options: {
  server: string;
  pki: ClusterPki;
  onError: (err: unknown) => void;
}): Promise<RunningScheduler> {
  const credential = await options.pki.issueClientCertificate({ commonName: 'system:kube-scheduler' });
  const client = new RestClient(
    {
      contextName: 'kube-scheduler',
      server: options.server,
      certificateAuthority: options.pki.caCertificate,
      clientCertificate: credential.cert,
      clientKey: credential.key,
      insecureSkipTlsVerify: false,
      namespace: 'default',
    },
    { component: 'kube-scheduler' },
  );
  const informers = new SharedInformerFactory({ client });
  const abort = new AbortController();
  const running = new Scheduler(informers, client, { onError: options.onError }).run(abort.signal);
  return {
    stop: async () => {
      abort.abort();
      await running.catch(options.onError);
      await informers.shutdown();
      client.close();
    },
  };
}
