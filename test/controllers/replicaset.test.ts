import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, pods, replicaSets, replicationControllers } from '../../src/cluster/api/resources.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { ControlPlane } from '../../src/cluster/lab.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { eventually, markReady, ownedBy } from './support.ts';

const seed = (file: string) => `test/fixtures/seed/${file}`;

describe('ReplicaSet and ReplicationController controllers', () => {
  let lab: TestLab;
  let client: RestClient;

  beforeAll(async () => {
    lab = await startTestLab();
    client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'replicaset-test' });
  });
  afterAll(async () => {
    client?.close();
    await lab?.stop();
  });

  const podsOf = async (uid: string | undefined) =>
    (await client.resource(pods, 'default').list()).items.filter(
      (p) => ownedBy(p, uid) && !p.metadata.deletionTimestamp,
    );
  const countOf = (uid: string | undefined, n: number) =>
    eventually(async () => {
      const owned = await podsOf(uid);
      return owned.length === n ? owned : undefined;
    }, `${n} pods owned by ${uid}`);

  it('keeps myapp-replicaset at its replicas: creates, replaces, releases, scales', async () => {
    const created = await lab.kubectl(['create', '-f', seed('replicaset-definition.yaml')]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('replicaset.apps/myapp-replicaset created\n');
    const rs = await client.resource(replicaSets, 'default').get('myapp-replicaset');
    const first = await countOf(rs.metadata.uid, 3);
    for (const pod of first) {
      expect(pod.metadata.name).toMatch(/^myapp-replicaset-[a-z0-9]{5}$/);
      expect(pod.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'myapp-replicaset',
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(pod.metadata.labels).toEqual({ app: 'myapp', type: 'front-end' });
    }
    const got = await eventually(async () => {
      const r = await lab.kubectl(['get', 'replicaset', 'myapp-replicaset']);
      return /myapp-replicaset\s+3\s+3\s+0\s/.test(r.stdout) ? r.stdout : undefined;
    }, 'kubectl get replicaset to show 3 current');
    expect(got.split('\n')[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);

    // A pod deleted by hand comes back under a new name.
    const victim = first[0]!.metadata.name!;
    expect((await lab.kubectl(['delete', 'pod', victim, '--wait=false'])).code).toBe(0);
    const healed = await eventually(async () => {
      const owned = await podsOf(rs.metadata.uid);
      return owned.length === 3 && !owned.some((p) => p.metadata.name === victim) ? owned : undefined;
    }, 'the deleted pod to be replaced');
    expect(healed).toHaveLength(3);

    // A pod relabelled out of the selector is released (and kept), and replaced.
    const relabelled = healed[0]!.metadata.name!;
    expect((await lab.kubectl(['label', 'pod', relabelled, 'type=debug', '--overwrite'])).code).toBe(0);
    const afterRelease = await eventually(async () => {
      const owned = await podsOf(rs.metadata.uid);
      return owned.length === 3 && !owned.some((p) => p.metadata.name === relabelled) ? owned : undefined;
    }, 'the relabelled pod to be replaced');
    expect(afterRelease).toHaveLength(3);
    const released = await client.resource(pods, 'default').get(relabelled);
    expect(released.metadata.ownerReferences ?? []).toEqual([]);

    // Scale by file and by name; neither changes the file.
    const before = await readFile(seed('replicaset-definition.yaml'), 'utf8');
    expect(
      (await lab.kubectl(['scale', '--replicas=6', '-f', seed('replicaset-definition.yaml')])).stdout,
    ).toBe('replicaset.apps/myapp-replicaset scaled\n');
    await countOf(rs.metadata.uid, 6);
    expect((await lab.kubectl(['scale', '--replicas=2', 'replicaset', 'myapp-replicaset'])).code).toBe(0);
    await countOf(rs.metadata.uid, 2);
    expect(await readFile(seed('replicaset-definition.yaml'), 'utf8')).toBe(before);

    // Status as a kubelet would make it: both pods ready.
    for (const pod of await podsOf(rs.metadata.uid)) await markReady(client, pod);
    const status = await eventually(async () => {
      const s = (await client.resource(replicaSets, 'default').get('myapp-replicaset')).status;
      return s.readyReplicas === 2 && s.availableReplicas === 2 ? s : undefined;
    }, 'readyReplicas 2');
    expect(status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2, observedGeneration: 3 });

    const recorded = (await client.resource(events, 'default').list()).items.filter(
      (e) => e.involvedObject.uid === rs.metadata.uid,
    );
    expect(
      recorded.some(
        (e) => e.reason === 'SuccessfulCreate' && /^Created pod: myapp-replicaset-/.test(e.message ?? ''),
      ),
    ).toBe(true);
    expect(
      recorded.some(
        (e) => e.reason === 'SuccessfulDelete' && /^Deleted pod: myapp-replicaset-/.test(e.message ?? ''),
      ),
    ).toBe(true);
    expect(recorded.every((e) => e.source?.component === 'replicaset-controller')).toBe(true);
    await lab.kubectl(['delete', 'rs', 'myapp-replicaset']);
    await lab.kubectl(['delete', 'pod', relabelled, '--wait=false']);
  });

  it('reports pods the API server refuses: FailedCreate events and the ReplicaFailure condition', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'refused' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'refused' } },
        template: {
          metadata: { labels: { app: 'refused' } },
          spec: { priorityClassName: 'no-such-class', containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    };
    expect((await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(manifest) })).code).toBe(0);
    const failure = await eventually(async () => {
      const rs = await client.resource(replicaSets, 'default').get('refused');
      return rs.status.conditions?.find((c) => c.type === 'ReplicaFailure');
    }, 'the ReplicaFailure condition');
    expect(failure).toMatchObject({
      status: 'True',
      reason: 'FailedCreate',
      message: expect.stringMatching(
        /^pods "refused-\w*" is forbidden: no PriorityClass with name no-such-class was found$/,
      ),
    });
    const recorded = (await client.resource(events, 'default').list()).items.filter(
      (e) => e.involvedObject.name === 'refused' && e.reason === 'FailedCreate',
    );
    expect(recorded[0]).toMatchObject({
      type: 'Warning',
      message: expect.stringMatching(
        /^Error creating: pods "refused-\w*" is forbidden: no PriorityClass with name/,
      ),
    });
    await lab.kubectl(['delete', 'rs', 'refused']);
  });

  it('runs the seed ReplicationController myapp-rc the same way', async () => {
    expect((await lab.kubectl(['create', '-f', seed('rc-definition.yaml')])).stdout).toBe(
      'replicationcontroller/myapp-rc created\n',
    );
    const rc = await client.resource(replicationControllers, 'default').get('myapp-rc');
    const owned = await countOf(rc.metadata.uid, 3);
    expect(owned[0]!.metadata.ownerReferences?.[0]).toMatchObject({
      apiVersion: 'v1',
      kind: 'ReplicationController',
    });
    const listed = await eventually(async () => {
      const r = await lab.kubectl(['get', 'replicationcontroller']);
      return /myapp-rc\s+3\s+3\s+0\s/.test(r.stdout) ? r.stdout : undefined;
    }, 'kubectl get replicationcontroller');
    expect(listed).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/);
    await lab.kubectl(['delete', 'pod', owned[0]!.metadata.name!, '--wait=false']);
    await eventually(async () => {
      const now = await podsOf(rc.metadata.uid);
      return now.length === 3 && !now.some((p) => p.metadata.name === owned[0]!.metadata.name)
        ? now
        : undefined;
    }, 'the RC to replace its pod');
    const pods = await lab.kubectl(['get', 'pods']);
    expect(pods.stdout.match(/^myapp-rc-\w{5}\s/gm)).toHaveLength(3);
  });
});

describe('a controller-manager restarted with its control plane', () => {
  it('finds the pods it made and creates no duplicates', async () => {
    const lab = await startTestLab();
    let plane = lab.plane;
    try {
      expect((await lab.kubectl(['create', '-f', seed('replicaset-definition.yaml')])).code).toBe(0);
      const replace = seed('replicaset-definition.yaml');
      const edited = (await readFile(replace, 'utf8')).replace('replicas: 3', 'replicas: 5');
      const replaced = await lab.kubectl(['replace', '-f', '-'], { input: edited });
      expect(replaced.stdout).toBe('replicaset.apps/myapp-replicaset replaced\n');
      const count = async () => {
        const client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'restart-test' });
        try {
          return (await client.resource(pods, 'default').list()).items.length;
        } finally {
          client.close();
        }
      };
      await eventually(async () => ((await count()) === 5 ? true : undefined), 'five pods');
      await plane.stop();
      plane = await ControlPlane.start({ home: lab.home, apiPort: 0, etcdPort: 0 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await count()).toBe(5);
      const rs = await lab.kubectl(['get', 'rs', 'myapp-replicaset']);
      expect(rs.stdout).toMatch(/myapp-replicaset\s+5\s+5\s+0\s/);
    } finally {
      await plane.stop();
      await rm(lab.home, { recursive: true, force: true });
    }
  });
});
