import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/cluster/api/core/pod.ts';
import { deployments, events, pods, replicaSets } from '../../src/cluster/api/resources.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { eventually, markReady, readyPodsAsTheyCome } from './support.ts';

const isReady = (p: Pod) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('Deployment controller', () => {
  let lab: TestLab;
  let client: RestClient;
  let kubelet: { stop(): Promise<void> };

  beforeAll(async () => {
    lab = await startTestLab();
    client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'deployment-test' });
    // No nodes here: this stands in for kubelets, marking each pod Ready through pods/status.
    kubelet = readyPodsAsTheyCome(client, 'default');
  });
  afterAll(async () => {
    await kubelet?.stop();
    client?.close();
    await lab?.stop();
  });

  const rsOf = async (name: string) =>
    (await client.resource(replicaSets, 'default').list()).items.filter((rs) =>
      rs.metadata.ownerReferences?.some((r) => r.name === name && r.kind === 'Deployment'),
    );
  const rolledOut = async (name: string) => {
    const r = await lab.kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=20s']);
    expect(r.stderr).toBe('');
    return r.stdout;
  };

  it('creates the seed deployment: a ReplicaSet named by pod-template-hash, its pods, status and events', async () => {
    const created = await lab.kubectl(['create', '-f', 'test/fixtures/seed/deployment-definition.yaml']);
    expect(created.stdout).toBe('deployment.apps/myapp-replicaset created\n');
    expect(await rolledOut('myapp-replicaset')).toContain(
      'deployment "myapp-replicaset" successfully rolled out',
    );
    const [rs] = await rsOf('myapp-replicaset');
    const hash = rs!.metadata.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs!.metadata.name).toBe(`myapp-replicaset-${hash}`);
    expect(rs!.spec.selector.matchLabels).toEqual({ type: 'front-end', 'pod-template-hash': hash });
    expect(rs!.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    const d = await client.resource(deployments, 'default').get('myapp-replicaset');
    expect(d.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    const conditions = Object.fromEntries((d.status.conditions ?? []).map((c) => [c.type, c]));
    expect(conditions.Available).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(conditions.Progressing).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${rs!.metadata.name}" has successfully progressed.`,
    });
    const get = await lab.kubectl(['get', 'deployments']);
    expect(get.stdout).toMatch(/myapp-replicaset\s+3\/3\s+3\s+3\s/);
    const all = await lab.kubectl(['get', 'all']);
    expect(all.stdout).toContain(`replicaset.apps/myapp-replicaset-${hash}`);
    expect(all.stdout).toContain('deployment.apps/myapp-replicaset');
    expect(all.stdout.match(new RegExp(`pod/myapp-replicaset-${hash}-\\w{5}`, 'g'))).toHaveLength(3);
    const scaling = (await client.resource(events, 'default').list()).items.find(
      (e) => e.involvedObject.uid === d.metadata.uid && e.reason === 'ScalingReplicaSet',
    );
    expect(scaling?.message).toBe(`Scaled up replica set myapp-replicaset-${hash} from 0 to 3`);
    expect(scaling?.source?.component).toBe('deployment-controller');
  });

  it('rolls out `kubectl set image` within maxSurge and maxUnavailable at every observed moment', async () => {
    await lab.kubectl(['scale', 'deployment/myapp-replicaset', '--replicas=4']);
    await rolledOut('myapp-replicaset');
    // 4 replicas, 25% each way: at most 5 pods, at least 3 ready.
    const list = await client.resource(pods, 'default').list();
    const seen = new Map(list.items.map((p) => [p.metadata.name!, p]));
    const abort = new AbortController();
    const watcher = await client
      .resource(pods, 'default')
      .watch({ resourceVersion: list.metadata.resourceVersion, signal: abort.signal });
    const violations: string[] = [];
    let observations = 0;
    let sawBoth = false;
    const watching = (async () => {
      for await (const event of watcher) {
        if (event.type === 'ERROR' || event.type === 'BOOKMARK') continue;
        const pod = event.object as Pod;
        if (event.type === 'DELETED') seen.delete(pod.metadata.name!);
        else seen.set(pod.metadata.name!, pod);
        const live = [...seen.values()].filter((p) => !p.metadata.deletionTimestamp);
        observations++;
        if (live.length > 5) violations.push(`${live.length} pods`);
        if (live.filter(isReady).length < 3) violations.push(`${live.filter(isReady).length} ready`);
        if (new Set(live.map((p) => p.metadata.labels?.['pod-template-hash'])).size > 1) sawBoth = true;
      }
    })();
    // What a learner watches meanwhile: the old and the new ReplicaSet crossing over.
    const cache = join(lab.home, 'kube-cache');
    const rsWatch = spawn('kubectl', [
      '--kubeconfig',
      lab.kubeconfig,
      '--cache-dir',
      cache,
      'get',
      'rs',
      '-w',
    ]);
    let watched = '';
    rsWatch.stdout.on('data', (chunk: Buffer) => {
      watched += chunk.toString();
    });
    await eventually(async () => (watched.includes('NAME') ? true : undefined), 'kubectl get rs -w to start');
    const set = await lab.kubectl([
      'set',
      'image',
      'deployment/myapp-replicaset',
      'nginx-container=nginx:1.25',
    ]);
    expect(set.stdout).toBe('deployment.apps/myapp-replicaset image updated\n');
    expect(await rolledOut('myapp-replicaset')).toContain('successfully rolled out');
    abort.abort();
    await watching.catch(() => {});
    expect(violations).toEqual([]);
    expect(observations).toBeGreaterThan(8);
    expect(sawBoth).toBe(true);
    const sets = await rsOf('myapp-replicaset');
    expect(sets).toHaveLength(2);
    const byRevision = Object.fromEntries(
      sets.map((rs) => [rs.metadata.annotations?.['deployment.kubernetes.io/revision'], rs]),
    );
    expect(byRevision['1']!.spec.replicas).toBe(0);
    expect(byRevision['2']!.spec.replicas).toBe(4);
    expect(byRevision['2']!.spec.template.spec.containers[0]!.image).toBe('nginx:1.25');
    const messages = (await client.resource(events, 'default').list()).items
      .filter((e) => e.reason === 'ScalingReplicaSet')
      .map((e) => e.message);
    expect(messages).toContain(`Scaled down replica set ${byRevision['1']!.metadata.name} from 4 to 3`);
    await eventually(
      async () =>
        new RegExp(`${byRevision['2']!.metadata.name}\\s+4\\s+4\\s+4\\s`).test(watched) ? true : undefined,
      'the watch to show the new set complete',
    );
    rsWatch.kill();
    const rows = watched.split('\n').filter((line) => line.startsWith('myapp-replicaset-'));
    const desired = (name: string) =>
      rows.filter((r) => r.startsWith(`${name} `)).map((r) => Number(r.split(/\s+/)[1]));
    // The old set's DESIRED only goes down and the new one's only up, to 0 and 4.
    const oldSizes = desired(byRevision['1']!.metadata.name!);
    const newSizes = desired(byRevision['2']!.metadata.name!);
    expect(oldSizes.at(-1)).toBe(0);
    expect(newSizes.at(-1)).toBe(4);
    expect(oldSizes).toEqual([...oldSizes].sort((a, b) => b - a));
    expect(newSizes).toEqual([...newSizes].sort((a, b) => a - b));
  });

  it('keeps history with change-cause, undoes, undoes to a revision, pauses and resumes', async () => {
    await lab.kubectl([
      'annotate',
      'deployment/myapp-replicaset',
      'kubernetes.io/change-cause=image updated to nginx:1.25',
    ]);
    await eventually(async () => {
      const rs = (await rsOf('myapp-replicaset')).find(
        (s) => s.spec.template.spec.containers[0]!.image === 'nginx:1.25',
      );
      return rs?.metadata.annotations?.['kubernetes.io/change-cause'] ? rs : undefined;
    }, 'change-cause copied to the new ReplicaSet');
    const history = await lab.kubectl(['rollout', 'history', 'deployment/myapp-replicaset']);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+image updated to nginx:1.25\n/);

    const undo = await lab.kubectl(['rollout', 'undo', 'deployment/myapp-replicaset']);
    expect(undo.stdout).toBe('deployment.apps/myapp-replicaset rolled back\n');
    await rolledOut('myapp-replicaset');
    let sets = await rsOf('myapp-replicaset');
    const current = sets.find((s) => s.spec.replicas === 4)!;
    expect(current.spec.template.spec.containers[0]!.image).toBe('nginx');
    expect(current.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(current.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');

    expect(
      (await lab.kubectl(['rollout', 'undo', 'deployment/myapp-replicaset', '--to-revision=2'])).code,
    ).toBe(0);
    await rolledOut('myapp-replicaset');
    sets = await rsOf('myapp-replicaset');
    expect(sets.find((s) => s.spec.replicas === 4)!.spec.template.spec.containers[0]!.image).toBe(
      'nginx:1.25',
    );
    const after = await lab.kubectl(['rollout', 'history', 'deployment/myapp-replicaset']);
    expect(after.stdout).toMatch(/\n3\s+<none>\n4\s+image updated to nginx:1.25\n/);

    expect((await lab.kubectl(['rollout', 'pause', 'deployment/myapp-replicaset'])).stdout).toBe(
      'deployment.apps/myapp-replicaset paused\n',
    );
    await lab.kubectl(['set', 'image', 'deployment/myapp-replicaset', 'nginx-container=nginx:1.26']);
    const paused = await eventually(async () => {
      const d = await client.resource(deployments, 'default').get('myapp-replicaset');
      const c = d.status.conditions?.find((x) => x.type === 'Progressing');
      return d.status.observedGeneration === d.metadata.generation && c?.reason === 'DeploymentPaused'
        ? c
        : undefined;
    }, 'the DeploymentPaused condition');
    expect(paused).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });
    expect(await rsOf('myapp-replicaset')).toHaveLength(2);
    expect((await lab.kubectl(['rollout', 'resume', 'deployment/myapp-replicaset'])).code).toBe(0);
    expect(await rolledOut('myapp-replicaset')).toContain('successfully rolled out');
    sets = await rsOf('myapp-replicaset');
    expect(sets).toHaveLength(3);
    expect(sets.find((s) => s.spec.replicas === 4)!.spec.template.spec.containers[0]!.image).toBe(
      'nginx:1.26',
    );
  });

  it('reports ProgressDeadlineExceeded when pods never become ready, and Recreate replaces all at once', async () => {
    await kubelet.stop();
    const manifest = (name: string, extra: object) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'web', image: 'nginx' }] },
          },
          ...extra,
        },
      });
    await lab.kubectl(['create', '-f', '-'], { input: manifest('stuck', { progressDeadlineSeconds: 1 }) });
    const timedOut = await eventually(async () => {
      const d = await client.resource(deployments, 'default').get('stuck');
      const c = d.status.conditions?.find((x) => x.type === 'Progressing');
      return c?.reason === 'ProgressDeadlineExceeded' ? { d, c } : undefined;
    }, 'ProgressDeadlineExceeded');
    const [stuckRS] = await rsOf('stuck');
    expect(timedOut.c).toMatchObject({
      status: 'False',
      message: `ReplicaSet "${stuckRS!.metadata.name}" has timed out progressing.`,
    });
    expect(timedOut.d.status).toMatchObject({ replicas: 2, unavailableReplicas: 2 });
    const status = await lab.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=5s']);
    expect(status.stderr).toContain('deployment "stuck" exceeded its progress deadline');

    await lab.kubectl(['create', '-f', '-'], {
      input: manifest('recreate', { strategy: { type: 'Recreate' } }),
    });
    await eventually(
      async () =>
        (await client.resource(deployments, 'default').get('recreate')).status.replicas === 2
          ? true
          : undefined,
      'recreate pods',
    );
    await lab.kubectl(['set', 'image', 'deployment/recreate', 'web=nginx:1.25']);
    await eventually(async () => {
      const sets = await rsOf('recreate');
      const next = sets.find((s) => s.spec.template.spec.containers[0]!.image === 'nginx:1.25');
      const old = sets.find((s) => s !== next);
      return next?.status.replicas === 2 && old?.spec.replicas === 0 ? true : undefined;
    }, 'the new ReplicaSet to take over');
  });
  it('scales a rollout in progress proportionally across the old and the new ReplicaSet', async () => {
    // The stand-in kubelet is off since the test above: only the pods marked here become ready.
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'scaled' },
      spec: {
        replicas: 10,
        selector: { matchLabels: { app: 'scaled' } },
        template: {
          metadata: { labels: { app: 'scaled' } },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    };
    await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(manifest) });
    const first = await eventually(async () => {
      const list = (await client.resource(pods, 'default').list({ labelSelector: 'app=scaled' })).items;
      return list.length === 10 ? list : undefined;
    }, 'ten pods');
    for (const p of first) await markReady(client, p);
    await eventually(async () => {
      const d = await client.resource(deployments, 'default').get('scaled');
      return d.status.availableReplicas === 10 ? true : undefined;
    }, 'ten available');
    await lab.kubectl(['set', 'image', 'deployment/scaled', 'web=nginx:1.25']);
    // maxSurge 3 and maxUnavailable 2 of 10, with new pods never ready: old 8, new 5.
    const sizes = async () => {
      const sets = await rsOf('scaled');
      const next = sets.find((s) => s.spec.template.spec.containers[0]!.image === 'nginx:1.25');
      const old = sets.find((s) => s !== next);
      return { old: old?.spec.replicas, next: next?.spec.replicas, sets };
    };
    await eventually(async () => {
      const s = await sizes();
      return s.old === 8 && s.next === 5 ? s : undefined;
    }, 'the rollout to stall at 8 old and 5 new');
    await lab.kubectl(['scale', 'deployment/scaled', '--replicas=20']);
    // 20 + maxSurge 5 = 25 pods, shared in proportion to 8:5 of the 13 there were.
    const scaled = await eventually(async () => {
      const s = await sizes();
      return s.old === 15 && s.next === 10 ? s : undefined;
    }, 'old 15 and new 10');
    for (const rs of scaled.sets) {
      expect(rs.metadata.annotations).toMatchObject({
        'deployment.kubernetes.io/desired-replicas': '20',
        'deployment.kubernetes.io/max-replicas': '25',
      });
    }
  });
});
