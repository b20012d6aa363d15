import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, leases, pods } from '../../src/cluster/api/resources.ts';
import type { LeaderElectedComponent } from '../../src/cluster/client/leader-election.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { startControllerManager } from '../../src/cluster/controllers/run.ts';
import { ClusterPki } from '../../src/cluster/pki/pki.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { eventually } from './support.ts';

const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 };
const rs = (replicas: number) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx' }] },
      },
    },
  });

describe('leader election between controller-managers', () => {
  let lab: TestLab;
  let client: RestClient;
  const managers: LeaderElectedComponent[] = [];

  beforeAll(async () => {
    // The lab's own controller-manager stays off: the test runs two of them against its API server.
    lab = await startTestLab({ controllers: false, leaderElection: timings });
    client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'leader-election-test' });
  });
  afterAll(async () => {
    for (const m of managers) await m.stop();
    client?.close();
    await lab?.stop();
  });

  const start = async () => {
    const pki = await ClusterPki.open({ dir: join(lab.home, 'pki') });
    const m = await startControllerManager({
      server: lab.plane.state.apiServer,
      pki,
      onError: (err) => console.error(err),
      leaderElection: timings,
    });
    managers.push(m);
    return m;
  };
  const webPods = async () =>
    (await client.resource(pods, 'default').list({ labelSelector: 'app=web' })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );

  it('acts only while holding kube-system/kube-controller-manager; the standby takes over when it stops', async () => {
    const first = await start();
    await eventually(async () => (first.isLeader() ? true : undefined), 'the first to lead');
    const second = await start();
    const leases_ = await lab.kubectl(['get', 'leases', '-n', 'kube-system']);
    expect(leases_.stdout).toMatch(/^NAME\s+HOLDER\s+AGE/);
    expect(leases_.stdout).toMatch(/\nkube-controller-manager\s+\S+_[0-9a-f-]{36}\s/);
    expect(leases_.stdout).toMatch(/\nkube-scheduler\s+\S+_[0-9a-f-]{36}\s/);

    // Two controllers acting at once would each create the five pods.
    await lab.kubectl(['create', '-f', '-'], { input: rs(5) });
    await eventually(async () => ((await webPods()).length === 5 ? true : undefined), 'five pods');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await webPods()).toHaveLength(5);
    expect(second.isLeader()).toBe(false);
    const lease = await client.resource(leases, 'kube-system').get('kube-controller-manager');
    const holder = lease.spec.holderIdentity;

    await first.stop();
    await eventually(async () => (second.isLeader() ? true : undefined), 'the second to take over', 5000);
    const taken = await client.resource(leases, 'kube-system').get('kube-controller-manager');
    expect(taken.spec.holderIdentity).not.toBe(holder);
    expect(taken.spec.leaseTransitions).toBeGreaterThanOrEqual(1);
    // The new leader keeps the set at its size.
    await client.resource(pods, 'default').delete((await webPods())[0]!.metadata.name!);
    await eventually(async () => ((await webPods()).length === 5 ? true : undefined), 'the pod to come back');
    const recorded = (await client.resource(events, 'kube-system').list()).items.filter(
      (e) => e.reason === 'LeaderElection' && e.involvedObject.name === 'kube-controller-manager',
    );
    expect(recorded.map((e) => e.message)).toEqual(
      expect.arrayContaining([`${holder} became leader`, `${taken.spec.holderIdentity} became leader`]),
    );
  });
});
