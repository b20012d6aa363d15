import {
  type LeaderElectedComponent,
  type LeaderElectionTimings,
  runLeaderElected,
} from '../client/leader-election.ts';
import { RestClient } from '../client/rest-client.ts';
import { SharedInformerFactory } from '../client/shared-informer.ts';
import type { ClusterPki } from '../pki/pki.ts';
import { Scheduler } from './scheduler.ts';

/**
 * startScheduler runs kube-scheduler's counterpart as the control plane's own client: it signs in
 * with a certificate for system:kube-scheduler (RBAC's bootstrap policy says what that user may
 * do) and meets the rest of the cluster only through the API server. It schedules only while it
 * holds the Lease kube-system/kube-scheduler, so two control planes never bind the same pod.
 */
export async function startScheduler(options: {
  server: string;
  pki: ClusterPki;
  onError: (err: unknown) => void;
  leaderElection?: LeaderElectionTimings;
}): Promise<LeaderElectedComponent> {
  const credential = await options.pki.issueClientCertificate({ commonName: 'system:kube-scheduler' });
  const client = RestClient.withCertificate(
    options.server,
    { ca: options.pki.caCertificate, ...credential },
    { component: 'kube-scheduler' },
  );
  const running = runLeaderElected({
    client,
    name: 'kube-scheduler',
    component: 'default-scheduler',
    timings: options.leaderElection,
    onError: options.onError,
    lead: async (signal) => {
      const informers = new SharedInformerFactory({ client });
      await new Scheduler(informers, client, { onError: options.onError }).run(signal).catch(options.onError);
      await informers.shutdown();
    },
  });
  return {
    isLeader: () => running.isLeader(),
    stop: async () => {
      await running.stop();
      client.close();
    },
  };
}
