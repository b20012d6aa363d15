import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClusterPki } from '../apiserver/pki.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { type LeaderElectionTimings, LeaderElector } from '../client/leader-election.ts';
import { RestClient } from '../client/rest-client.ts';
import { SharedInformerFactory } from '../client/shared-informer.ts';
import { Scheduler } from './scheduler.ts';

/** A scheduler running against an API server, until stopped. */
export interface RunningScheduler {
  /** True while this one holds the kube-system/kube-scheduler Lease. */
  isLeader(): boolean;
  stop(): Promise<void>;
}

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
}): Promise<RunningScheduler> {
  const credential = await options.pki.issueClientCertificate({ commonName: 'system:kube-scheduler' });
  const client = RestClient.withCertificate(
    options.server,
    { ca: options.pki.caCertificate, ...credential },
    { component: 'kube-scheduler' },
  );
  const elector = new LeaderElector({
    client,
    namespace: 'kube-system',
    name: 'kube-scheduler',
    identity: `${hostname()}_${randomUUID()}`,
    ...options.leaderElection,
    releaseOnCancel: true,
    recorder: new EventRecorder({ client, component: 'default-scheduler', onError: options.onError }),
    onError: options.onError,
  });
  const lead = async (signal: AbortSignal) => {
    const informers = new SharedInformerFactory({ client });
    await new Scheduler(informers, client, { onError: options.onError }).run(signal).catch(options.onError);
    await informers.shutdown();
  };
  const abort = new AbortController();
  // Leadership lost is not the end (kube-scheduler exits and is restarted): campaign again.
  const running = (async () => {
    while (!abort.signal.aborted) await elector.run(abort.signal, lead);
  })();
  return {
    isLeader: () => elector.isLeader(),
    stop: async () => {
      abort.abort();
      await running.catch(options.onError);
      client.close();
    },
  };
}
