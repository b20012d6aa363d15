import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClusterPki } from '../apiserver/pki.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { type LeaderElectionTimings, LeaderElector } from '../client/leader-election.ts';
import { RestClient } from '../client/rest-client.ts';
import { SharedInformerFactory } from '../client/shared-informer.ts';
import {
  ControllerManager,
  type ControllerManagerOptions,
  type ControllerServiceAccount,
  ControllerServiceAccounts,
} from './controller-manager.ts';

/** A controller-manager running against an API server, until stopped. */
export interface RunningControllerManager {
  /** True while this one holds the kube-system/kube-controller-manager Lease. */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * startControllerManager runs kube-controller-manager's counterpart as a client of the API server.
 * It signs in as system:kube-controller-manager for its informers and its Lease, and gives each
 * controller a client certificate for the kube-system service account of its name
 * (CN=system:serviceaccount:kube-system:<name>, O=system:serviceaccounts and
 * system:serviceaccounts:kube-system), which the bootstrap policy binds to
 * system:controller:<name>. Controllers run only while this copy holds the Lease
 * kube-system/kube-controller-manager, so a second control plane waits its turn.
 */
export async function startControllerManager(options: {
  server: string;
  pki: ClusterPki;
  onError: (err: unknown) => void;
  leaderElection?: LeaderElectionTimings;
  controllers?: Omit<ControllerManagerOptions, 'onError'>;
}): Promise<RunningControllerManager> {
  const clientAs = async (commonName: string, organizations: string[], component: string) => {
    const credential = await options.pki.issueClientCertificate({ commonName, organizations });
    return RestClient.withCertificate(
      options.server,
      { ca: options.pki.caCertificate, ...credential },
      { component },
    );
  };
  const own = await clientAs('system:kube-controller-manager', [], 'kube-controller-manager');
  const serviceAccountClients = new Map<ControllerServiceAccount, RestClient>();
  for (const name of ControllerServiceAccounts) {
    serviceAccountClients.set(
      name,
      await clientAs(
        `system:serviceaccount:kube-system:${name}`,
        ['system:serviceaccounts', 'system:serviceaccounts:kube-system'],
        `kube-controller-manager/${name}`,
      ),
    );
  }
  const identity = `${hostname()}_${randomUUID()}`;
  const elector = new LeaderElector({
    client: own,
    namespace: 'kube-system',
    name: 'kube-controller-manager',
    identity,
    ...options.leaderElection,
    releaseOnCancel: true,
    recorder: new EventRecorder({
      client: own,
      component: 'kube-controller-manager',
      onError: options.onError,
    }),
    onError: options.onError,
  });
  const abort = new AbortController();
  const lead = async (signal: AbortSignal) => {
    const informers = new SharedInformerFactory({ client: own });
    const manager = new ControllerManager(informers, (name) => serviceAccountClients.get(name)!, {
      rootCACertificate: options.pki.caCertificate,
      ...options.controllers,
      onError: options.onError,
    });
    await manager.run(signal);
  };
  // Leadership lost is not the end (kube-controller-manager exits and is restarted): campaign again.
  const running = (async () => {
    while (!abort.signal.aborted) await elector.run(abort.signal, lead);
  })();
  return {
    isLeader: () => elector.isLeader(),
    stop: async () => {
      abort.abort();
      await running.catch(options.onError);
      own.close();
      for (const client of serviceAccountClients.values()) client.close();
    },
  };
}
