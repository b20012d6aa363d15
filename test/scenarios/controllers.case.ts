import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubectlResult } from '../support/lab.ts';
import type { ScenarioLabRef } from './lab.ts';

// Issue 5's controllers on real nodes, as a learner drives them with real kubectl: the seed's
// ReplicationController, ReplicaSet and Deployment, a rolling update and its undo, a node killed
// under a Deployment, and a restarted control plane. Run on process nodes
// (test/controllers/on-nodes.test.ts) and Docker nodes (test/docker/docker-lab.test.ts).

const seed = (file: string) => join(import.meta.dirname, '../fixtures/seed', file);
const SEED_RC = seed('rc-definition.yaml');
const SEED_REPLICASET = seed('replicaset-definition.yaml');
const SEED_DEPLOYMENT = seed('deployment-definition.yaml');

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs / 1000}s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const ok = (result: KubectlResult) => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout;
};

interface PodRow {
  readonly name: string;
  readonly uid: string;
  readonly node: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly image: string;
}

export function runControllerScenarios(lab: ScenarioLabRef): void {
  const kubectl = (...args: string[]) => lab().kubectl(args);

  /** The pods with `selector`, read through kubectl's jsonpath. */
  const podRows = async (selector: string): Promise<PodRow[]> => {
    const template =
      '{range .items[*]}{.metadata.name} {.metadata.uid} {.spec.nodeName} {.status.phase} ' +
      '{.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp} ' +
      '{.spec.containers[0].image}{"\\n"}{end}';
    const out = ok(await kubectl('get', 'pods', '-l', selector, '-o', `jsonpath=${template}`));
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        // A missing deletionTimestamp leaves an empty field: two spaces in a row.
        const [name, uid, node, phase, ready, deletion, image] = line.split(' ');
        return {
          name: name!,
          uid: uid!,
          node: node!,
          phase: phase!,
          ready: ready === 'True',
          terminating: deletion !== '',
          image: image!,
        };
      });
  };
  const live = (rows: PodRow[]) => rows.filter((p) => !p.terminating);
  const rolledOut = async (deployment: string) =>
    ok(await lab().kubectl(['rollout', 'status', `deployment/${deployment}`, '--timeout=90s']));

  describe('controllers, with nodes that run the pods', () => {
    it("keeps the seed's ReplicationController and ReplicaSet at their replicas, then deletes them with their namespace", async () => {
      // A namespace of its own: the seed's RC, ReplicaSet and Deployment select the same labels.
      const ns = ['-n', 'scenario-seed'];
      ok(await kubectl('create', 'namespace', 'scenario-seed'));
      const readyCounts = async (kind: string, name: string) =>
        ok(
          await kubectl(
            ...ns,
            'get',
            kind,
            name,
            '-o',
            'jsonpath={.spec.replicas}/{.status.replicas}/{.status.readyReplicas}',
          ),
        );
      const settled = (kind: string, name: string, n: number) =>
        eventually(
          `${kind} ${name} at ${n} ready`,
          async () => ((await readyCounts(kind, name)) === `${n}/${n}/${n}` ? true : undefined),
          60_000,
        );
      expect(ok(await kubectl(...ns, 'create', '-f', SEED_RC))).toBe(
        'replicationcontroller/myapp-rc created\n',
      );
      await settled('replicationcontroller', 'myapp-rc', 3);
      expect(ok(await kubectl(...ns, 'get', 'replicationcontroller'))).toMatch(
        /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nmyapp-rc\s+3\s+3\s+3\s+\d+s\n$/,
      );
      const rcPods = ok(await kubectl(...ns, 'get', 'pods'))
        .trim()
        .split('\n')
        .slice(1);
      expect(rcPods).toHaveLength(3);
      for (const line of rcPods) expect(line).toMatch(/^myapp-rc-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\d+s$/);

      expect(ok(await kubectl(...ns, 'create', '-f', SEED_REPLICASET))).toBe(
        'replicaset.apps/myapp-replicaset created\n',
      );
      await settled('replicaset', 'myapp-replicaset', 3);
      expect(ok(await kubectl(...ns, 'get', 'replicaset'))).toMatch(
        /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nmyapp-replicaset\s+3\s+3\s+3\s+\d+s\n$/,
      );
      // Edit the file's replicas and replace; then scale by file and by name, which leave the file be.
      const file = await readFile(SEED_REPLICASET, 'utf8');
      const edited = file.replace('replicas: 3', 'replicas: 6');
      expect(ok(await lab().kubectl([...ns, 'replace', '-f', '-'], { input: edited }))).toBe(
        'replicaset.apps/myapp-replicaset replaced\n',
      );
      await settled('replicaset', 'myapp-replicaset', 6);
      ok(await kubectl(...ns, 'scale', '--replicas=4', '-f', SEED_REPLICASET));
      await settled('replicaset', 'myapp-replicaset', 4);
      expect(ok(await kubectl(...ns, 'scale', '--replicas=2', 'replicaset', 'myapp-replicaset'))).toBe(
        'replicaset.apps/myapp-replicaset scaled\n',
      );
      await settled('replicaset', 'myapp-replicaset', 2);
      expect(await readFile(SEED_REPLICASET, 'utf8')).toBe(file);
      // The RC's three pods were never the ReplicaSet's, though its selector matches them.
      await settled('replicationcontroller', 'myapp-rc', 3);

      expect(ok(await kubectl('delete', 'namespace', 'scenario-seed'))).toBe(
        'namespace "scenario-seed" deleted\n',
      );
      expect((await kubectl(...ns, 'get', 'pods')).stderr).toBe(
        'No resources found in scenario-seed namespace.\n',
      );
    }, 180_000);

    it("runs the seed's Deployment: create -f, get deployments, get replicaset, get pods, get all", async () => {
      expect(ok(await kubectl('create', '-f', SEED_DEPLOYMENT))).toBe(
        'deployment.apps/myapp-replicaset created\n',
      );
      expect(await rolledOut('myapp-replicaset')).toContain(
        'deployment "myapp-replicaset" successfully rolled out',
      );
      expect(ok(await kubectl('get', 'deployments'))).toMatch(
        /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nmyapp-replicaset\s+3\/3\s+3\s+3\s+\d+s\n$/,
      );
      const rs = ok(await kubectl('get', 'replicaset'));
      expect(rs).toMatch(
        /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nmyapp-replicaset-[a-z0-9]+\s+3\s+3\s+3\s+\d+s\n$/,
      );
      const hash = /myapp-replicaset-([a-z0-9]+)/.exec(rs)![1]!;
      const podLines = ok(await kubectl('get', 'pods', '-l', 'type=front-end'))
        .trim()
        .split('\n');
      expect(podLines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
      expect(podLines.slice(1)).toHaveLength(3);
      for (const line of podLines.slice(1))
        expect(line).toMatch(
          new RegExp(`^myapp-replicaset-${hash}-[a-z0-9]{5}\\s+1/1\\s+Running\\s+0\\s+\\d+s$`),
        );
      // Real containers on real nodes: every pod has a node and an IP from that node's pod CIDR.
      const placed = await podRows('type=front-end');
      for (const pod of placed) expect(lab().nodes).toContain(pod.node);
      const all = ok(await kubectl('get', 'all'));
      expect(all).toContain('deployment.apps/myapp-replicaset   3/3     3            3');
      expect(all).toMatch(new RegExp(`replicaset\\.apps/myapp-replicaset-${hash}\\s+3\\s+3\\s+3\\s`));
      expect(
        all.match(new RegExp(`pod/myapp-replicaset-${hash}-[a-z0-9]{5}\\s+1/1\\s+Running`, 'g')),
      ).toHaveLength(3);
    }, 120_000);

    it('rolls out a new image within the surge limits, records its history, undoes it (to a revision too), and pauses', async () => {
      // 3 replicas at 25% each way: at most 4 pods (maxSurge rounds up), never fewer than 3 ready.
      const watch = spawn('kubectl', [
        '--kubeconfig',
        lab().kubeconfig,
        'get',
        'rs',
        '-l',
        'type=front-end',
        '-w',
        '--no-headers',
      ]);
      let watched = '';
      watch.stdout.on('data', (chunk: Buffer) => {
        watched += chunk.toString();
      });
      try {
        await eventually(
          'kubectl get rs -w to list the ReplicaSet',
          async () => (watched ? true : undefined),
          20_000,
        );
        expect(
          ok(await kubectl('set', 'image', 'deployment/myapp-replicaset', 'nginx-container=httpd')),
        ).toBe('deployment.apps/myapp-replicaset image updated\n');
        ok(
          await kubectl(
            'annotate',
            'deployment/myapp-replicaset',
            'kubernetes.io/change-cause=serve with httpd',
          ),
        );
        expect(await rolledOut('myapp-replicaset')).toContain('successfully rolled out');
      } finally {
        watch.kill();
      }
      // Each line is one ReplicaSet's latest counts; the sums across sets are the Deployment's. The
      // surge limit bounds DESIRED (spec.replicas), as the Deployment controller counts: CURRENT may
      // briefly include a pod an old set has just been told to delete.
      const latest = new Map<string, { desired: number; ready: number }>();
      let peak = 0;
      let lowestReady = Number.POSITIVE_INFINITY;
      for (const line of watched.trim().split('\n')) {
        const [name, desired, , ready] = line.trim().split(/\s+/);
        latest.set(name!, { desired: Number(desired), ready: Number(ready) });
        const sums = [...latest.values()].reduce((a, b) => ({
          desired: a.desired + b.desired,
          ready: a.ready + b.ready,
        }));
        peak = Math.max(peak, sums.desired);
        lowestReady = Math.min(lowestReady, sums.ready);
      }
      expect(latest.size).toBe(2);
      expect(peak).toBeLessThanOrEqual(4);
      expect(lowestReady).toBeGreaterThanOrEqual(3);
      const rolled = live(await podRows('type=front-end'));
      expect(rolled.map((p) => `${p.image}/${p.phase}`)).toEqual([
        'httpd/Running',
        'httpd/Running',
        'httpd/Running',
      ]);

      const history = ok(await kubectl('rollout', 'history', 'deployment/myapp-replicaset'));
      expect(history).toMatch(
        /^deployment\.apps\/myapp-replicaset \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+serve with httpd\n\n$/,
      );
      expect(ok(await kubectl('rollout', 'undo', 'deployment/myapp-replicaset'))).toBe(
        'deployment.apps/myapp-replicaset rolled back\n',
      );
      await rolledOut('myapp-replicaset');
      const back = await eventually(
        'three nginx pods again, and no others',
        async () => {
          const rows = await podRows('type=front-end');
          return rows.length === 3 && rows.every((p) => p.image === 'nginx' && p.ready) ? rows : undefined;
        },
        60_000,
      );
      expect(back).toHaveLength(3);
      // The undo made revision 1 the newest, as revision 3.
      expect(ok(await kubectl('rollout', 'history', 'deployment/myapp-replicaset'))).toMatch(
        /\n2\s+serve with httpd\n3\s/,
      );
      const images = async () => live(await podRows('type=front-end')).map((p) => `${p.image}/${p.ready}`);

      // Back to a chosen revision, then a paused Deployment that holds a change until resumed.
      expect(ok(await kubectl('rollout', 'undo', 'deployment/myapp-replicaset', '--to-revision=2'))).toBe(
        'deployment.apps/myapp-replicaset rolled back\n',
      );
      await rolledOut('myapp-replicaset');
      await eventually(
        'three httpd pods',
        async () => ((await images()).join() === 'httpd/true,httpd/true,httpd/true' ? true : undefined),
        60_000,
      );
      expect(ok(await kubectl('rollout', 'pause', 'deployment/myapp-replicaset'))).toBe(
        'deployment.apps/myapp-replicaset paused\n',
      );
      ok(await kubectl('set', 'image', 'deployment/myapp-replicaset', 'nginx-container=nginx'));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await images()).toEqual(['httpd/true', 'httpd/true', 'httpd/true']);
      expect(ok(await kubectl('rollout', 'resume', 'deployment/myapp-replicaset'))).toBe(
        'deployment.apps/myapp-replicaset resumed\n',
      );
      await rolledOut('myapp-replicaset');
      await eventually(
        'three nginx pods after the resume',
        async () => ((await images()).join() === 'nginx/true,nginx/true,nginx/true' ? true : undefined),
        60_000,
      );
    }, 180_000);

    it('rebuilds the pods of a killed node elsewhere, and schedules onto the node once it is back', async () => {
      const state = JSON.parse(await readFile(join(lab().home, 'lab.json'), 'utf8')) as {
        nodeMonitorGracePeriodSeconds: number;
        defaultTolerationSeconds: number;
      };
      ok(await kubectl('create', 'deployment', 'heal', '--image', 'nginx', '--replicas', '6'));
      await rolledOut('heal');
      const before = live(await podRows('app=heal'));
      const perNode = new Map<string, number>();
      for (const pod of before) perNode.set(pod.node, (perNode.get(pod.node) ?? 0) + 1);
      const victim = [...perNode.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const survivors = before.filter((p) => p.node !== victim);
      const replicaSets = ok(await kubectl('get', 'rs', '-l', 'app=heal', '-o', 'name'));

      ok(await lab().orchLab(['node', 'kill', victim]));
      const killedAt = Date.now();
      // Grace period, then the unreachable toleration, then a new pod's start: a few seconds more.
      const budgetMs = (state.nodeMonitorGracePeriodSeconds + state.defaultTolerationSeconds + 30) * 1000;
      const healed = await eventually(
        `6 ready replicas of heal away from ${victim}`,
        async () => {
          const rows = live(await podRows('app=heal'));
          return rows.length === 6 && rows.every((p) => p.node !== victim && p.ready) ? rows : undefined;
        },
        budgetMs,
      );
      const tookSeconds = (Date.now() - killedAt) / 1000;
      expect(tookSeconds).toBeGreaterThanOrEqual(state.nodeMonitorGracePeriodSeconds);
      const nodes = ok(await kubectl('get', 'nodes', '--no-headers'));
      expect(nodes).toMatch(new RegExp(`^${victim}\\s+NotReady\\s`, 'm'));
      for (const other of lab().nodes.filter((n) => n !== victim))
        expect(nodes).toMatch(new RegExp(`^${other}\\s+Ready\\s`, 'm'));
      // Nothing else changed: the survivors are the same pods, under the same ReplicaSet.
      expect(healed.map((p) => p.uid)).toEqual(expect.arrayContaining(survivors.map((p) => p.uid)));
      expect(ok(await kubectl('get', 'rs', '-l', 'app=heal', '-o', 'name'))).toBe(replicaSets);

      ok(await lab().orchLab(['node', 'start', victim]));
      await eventually(
        `${victim} Ready again`,
        async () =>
          /\sReady\s/.test(ok(await kubectl('get', 'node', victim, '--no-headers'))) ? true : undefined,
        60_000,
      );
      // Ready is the kubelet's word; the unreachable taints go on the node controller's next pass,
      // and until then the scheduler keeps new pods off the node.
      await eventually(
        `${victim}'s unreachable taints to go`,
        async () =>
          ok(await kubectl('get', 'node', victim, '-o', 'jsonpath={.spec.taints}')) === '' ? true : undefined,
        60_000,
      );
      // The pods evicted from it, left Terminating while it was away, are finished off by its kubelet.
      await eventually(
        'no heal pods left Terminating',
        async () => ((await podRows('app=heal')).length === 6 ? true : undefined),
        60_000,
      );
      ok(await kubectl('scale', 'deployment/heal', '--replicas', '9'));
      await rolledOut('heal');
      const onVictim = live(await podRows('app=heal')).filter((p) => p.node === victim);
      expect(onVictim.length).toBeGreaterThan(0);
    }, 240_000);

    it('restarts the control plane without losing or duplicating anything', async () => {
      const snapshot = async () => {
        const rows = await podRows('app in (heal,myapp)');
        return rows.map((p) => `${p.name} ${p.uid}`).sort();
      };
      const objects = async () => ok(await kubectl('get', 'deployments,replicasets', '-o', 'name'));
      const pods = await snapshot();
      const owners = await objects();
      await lab().restartControlPlane();
      // Time for the controllers to resync and act, had they anything (wrong) to do.
      await eventually(
        'the API server back',
        async () => ((await kubectl('get', '--raw', '/readyz')).stdout === 'ok' ? true : undefined),
        60_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await snapshot()).toEqual(pods);
      expect(await objects()).toBe(owners);
      // The controllers act again.
      ok(await kubectl('scale', 'deployment/heal', '--replicas', '2'));
      await eventually(
        'heal scaled to 2',
        async () => (live(await podRows('app=heal')).length === 2 ? true : undefined),
        60_000,
      );
    }, 120_000);

    it('deletes a Deployment with its ReplicaSets and pods, stopping their containers', async () => {
      ok(await kubectl('delete', 'deployment', 'heal', 'myapp-replicaset'));
      await eventually(
        'the pods gone',
        async () => ((await podRows('app in (heal,myapp)')).length === 0 ? true : undefined),
        60_000,
      );
      expect(ok(await kubectl('get', 'rs', '-o', 'name'))).toBe('');
    }, 90_000);
  });
}
