import {
  type LeaderElectedComponent,
  type LeaderElectionTimings,
  runLeaderElected,
} from '../client/leader-election.ts';
import { RestClient } from '../client/rest-client.ts';
import { SharedInformerFactory } from '../client/shared-informer.ts';
import type { ClusterPki } from '../pki/pki.ts';
import {
  ControllerManager,
  type ControllerManagerOptions,
  type ControllerServiceAccount,
  ControllerServiceAccounts,
} from './controller-manager.ts';

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
}): Promise<LeaderElectedComponent> {
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
  const running = runLeaderElected({
    client: own,
    name: 'kube-controller-manager',
    component: 'kube-controller-manager',
    timings: options.leaderElection,
    onError: options.onError,
    lead: async (signal) => {
      const informers = new SharedInformerFactory({ client: own });
      const manager = new ControllerManager(informers, (name) => serviceAccountClients.get(name)!, {
        rootCACertificate: options.pki.caCertificate,
        ...options.controllers,
        onError: options.onError,
      });
      await manager.run(signal);
    },
  });
  return {
    isLeader: () => running.isLeader(),
    stop: async () => {
      await running.stop();
      own.close();
      for (const client of serviceAccountClients.values()) client.close();
    },
  };
}
