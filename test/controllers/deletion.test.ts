import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMaps, deployments, namespaces, pods, replicaSets } from '../../src/cluster/api/resources.ts';
import { isNotFound, RestClient } from '../../src/cluster/client/rest-client.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { eventually, ownedBy } from './support.ts';

const seed = 'test/fixtures/seed/replicaset-definition.yaml';

describe('cascading deletion and namespace deletion', () => {
  let lab: TestLab;
  let client: RestClient;

  beforeAll(async () => {
    lab = await startTestLab();
    client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'deletion-test' });
  });
  afterAll(async () => {
    client?.close();
    await lab?.stop();
  });

  const createReplicaSet = async () => {
    expect((await lab.kubectl(['create', '-f', seed])).code).toBe(0);
    const rs = await client.resource(replicaSets, 'default').get('myapp-replicaset');
    await eventually(async () => {
      const owned = (await client.resource(pods, 'default').list()).items.filter((p) =>
        ownedBy(p, rs.metadata.uid),
      );
      return owned.length === 3 ? owned : undefined;
    }, 'three pods');
    return rs;
  };
  const podsLabelled = async () =>
    (await client.resource(pods, 'default').list({ labelSelector: 'type=front-end' })).items;

  it('background (kubectl delete): the ReplicaSet goes at once, the garbage collector takes its pods', async () => {
    await createReplicaSet();
    const deleted = await lab.kubectl(['delete', 'rs', 'myapp-replicaset']);
    expect(deleted.stdout).toBe('replicaset.apps "myapp-replicaset" deleted\n');
    await eventually(
      async () => ((await podsLabelled()).length === 0 ? true : undefined),
      'the pods to be collected',
    );
  });

  it('orphan: --cascade=orphan leaves the pods, without owner references', async () => {
    const rs = await createReplicaSet();
    const deleted = await lab.kubectl(['delete', 'rs', 'myapp-replicaset', '--cascade=orphan']);
    expect(deleted.code).toBe(0);
    await expect(client.resource(replicaSets, 'default').get('myapp-replicaset')).rejects.toSatisfy(
      isNotFound,
    );
    const left = await podsLabelled();
    expect(left).toHaveLength(3);
    for (const pod of left)
      expect(pod.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid) ?? false).toBe(false);
    // A new set with the same selector adopts them instead of creating more.
    const again = await createReplicaSet();
    expect((await podsLabelled()).every((p) => ownedBy(p, again.metadata.uid))).toBe(true);
    await lab.kubectl(['delete', 'rs', 'myapp-replicaset']);
    await eventually(
      async () => ((await podsLabelled()).length === 0 ? true : undefined),
      'the pods to be collected',
    );
  });

  it('foreground with kubectl waiting: when kubectl returns, the pods went before the ReplicaSet', async () => {
    await createReplicaSet();
    const deleted = await lab.kubectl(['delete', 'rs', 'myapp-replicaset', '--cascade=foreground']);
    expect(deleted.stdout).toBe('replicaset.apps "myapp-replicaset" deleted\n');
    await expect(client.resource(replicaSets, 'default').get('myapp-replicaset')).rejects.toSatisfy(
      isNotFound,
    );
    expect(await podsLabelled()).toEqual([]);
  });

  it('foreground: the Deployment waits, with deletionTimestamp, until its ReplicaSet and pods are gone', async () => {
    expect((await lab.kubectl(['create', '-f', 'test/fixtures/seed/deployment-definition.yaml'])).code).toBe(
      0,
    );
    await eventually(async () => ((await podsLabelled()).length === 3 ? true : undefined), 'deployment pods');
    // A finalizer of our own holds one pod, so the wait can be seen.
    const [held] = await podsLabelled();
    await client
      .resource(pods, 'default')
      .patch(held!.metadata.name!, 'merge', { metadata: { finalizers: ['test/hold'] } });
    const deleting = await lab.kubectl([
      'delete',
      'deployment',
      'myapp-replicaset',
      '--cascade=foreground',
      '--wait=false',
    ]);
    expect(deleting.code).toBe(0);
    const waiting = await eventually(async () => {
      const d = await client.resource(deployments, 'default').get('myapp-replicaset');
      const rss = await client.resource(replicaSets, 'default').list();
      return rss.items.every((rs) => rs.metadata.deletionTimestamp) && (await podsLabelled()).length === 1
        ? d
        : undefined;
    }, 'the dependents to go but for the held pod');
    expect(waiting.metadata.deletionTimestamp).toBeDefined();
    expect(waiting.metadata.finalizers).toEqual(['foregroundDeletion']);
    await client
      .resource(pods, 'default')
      .patch(held!.metadata.name!, 'merge', { metadata: { finalizers: null } });
    const waited = await lab.kubectl([
      'wait',
      '--for=delete',
      'deployment/myapp-replicaset',
      '--timeout=10s',
    ]);
    expect(waited.stderr).toBe('');
    expect((await client.resource(replicaSets, 'default').list()).items).toEqual([]);
  });

  it('kubectl delete ns: Terminating with conditions while content goes, then the namespace goes', async () => {
    expect((await lab.kubectl(['create', 'namespace', 'doomed'])).code).toBe(0);
    expect((await lab.kubectl(['create', '-n', 'doomed', '-f', seed])).code).toBe(0);
    await lab.kubectl(['create', 'configmap', 'settings', '-n', 'doomed', '--from-literal=a=b']);
    await eventually(async () => {
      const n = (await client.resource(pods, 'doomed').list()).items.length;
      return n === 3 ? true : undefined;
    }, 'pods in doomed');
    const held = await client.resource(configMaps, 'doomed').get('settings');
    await client
      .resource(configMaps, 'doomed')
      .patch(held.metadata.name!, 'merge', { metadata: { finalizers: ['test/hold'] } });
    const deleting = await lab.kubectl(['delete', 'ns', 'doomed', '--wait=false']);
    expect(deleting.stdout).toBe('namespace "doomed" deleted\n');
    const terminating = await eventually(async () => {
      const ns = await client.resource(namespaces).get('doomed');
      const remaining = ns.status.conditions?.find((c) => c.type === 'NamespaceContentRemaining');
      return remaining?.status === 'True' ? ns : undefined;
    }, 'NamespaceContentRemaining');
    expect(terminating.status.phase).toBe('Terminating');
    expect(terminating.spec.finalizers).toEqual(['kubernetes']);
    const conditions = Object.fromEntries((terminating.status.conditions ?? []).map((c) => [c.type, c]));
    expect(conditions.NamespaceDeletionDiscoveryFailure).toMatchObject({
      status: 'False',
      reason: 'ResourcesDiscovered',
    });
    expect(conditions.NamespaceContentRemaining).toMatchObject({
      reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: configmaps. has 1 resource instances',
    });
    expect(conditions.NamespaceFinalizersRemaining).toMatchObject({
      status: 'True',
      message: 'Some content in the namespace has finalizers remaining: test/hold in 1 resource instances',
    });
    expect((await lab.kubectl(['get', 'ns', 'doomed'])).stdout).toMatch(/doomed\s+Terminating\s/);
    const refused = await lab.kubectl(['create', 'configmap', 'late', '-n', 'doomed']);
    expect(refused.stderr).toContain('because it is being terminated');
    expect((await client.resource(pods, 'doomed').list()).items).toEqual([]);
    await client
      .resource(configMaps, 'doomed')
      .patch('settings', 'merge', { metadata: { finalizers: null } });
    const waited = await lab.kubectl(['wait', '--for=delete', 'namespace/doomed', '--timeout=10s']);
    expect(waited.stderr).toBe('');
    expect((await lab.kubectl(['get', 'ns', 'doomed'])).stderr).toContain('namespaces "doomed" not found');
  });
});
