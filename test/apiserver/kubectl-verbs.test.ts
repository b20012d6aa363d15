import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.ts';

/**
 * The kubectl commands of the API server issue, each compared with what a v1.32 cluster prints at
 * the same point: no nodes and no controllers yet, so pods stay Pending and ReplicaSets own nothing.
 */

const seed = (name: string) => join(import.meta.dirname, '../fixtures/seed', name);

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab({ controllers: false });
});

afterAll(async () => {
  await lab?.stop();
});

/** kubectl's ages ("0s", "12s") and generated suffixes change from run to run; the rest must not. */
const stable = (text: string) =>
  text
    .replace(/kube-api-access-[a-z0-9]{5}/g, 'kube-api-access-XXXXX')
    .replace(/(^| {2})\d+s( {2,}|$)/gm, '$1Ns$2');

async function ok(args: string[], input?: string): Promise<string> {
  const result = await lab.kubectl(args, input === undefined ? {} : { input });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

describe("the seed's pod, Pending with no node", () => {
  beforeAll(async () => {
    await ok(['create', '-f', seed('pod-definition.yaml')]);
    // The scheduler's verdict is what describe's Events show.
    for (let tries = 0; (await ok(['get', 'events', '-o', 'name'])) === ''; tries++) {
      if (tries === 100) throw new Error('the scheduler recorded no event');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('describes it exactly as a cluster with no nodes does', async () => {
    expect(stable(await ok(['describe', 'pod', 'myapp-pod']))).toBe(`Name:             myapp-pod
Namespace:        default
Priority:         0
Service Account:  default
Node:             <none>
Labels:           app=myapp
                  type=front-end
Annotations:      <none>
Status:           Pending
IP:               
IPs:              <none>
Containers:
  nginx-container:
    Image:        nginx
    Port:         <none>
    Host Port:    <none>
    Environment:  <none>
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-XXXXX (ro)
Conditions:
  Type           Status
  PodScheduled   False 
Volumes:
  kube-api-access-XXXXX:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    ConfigMapOptional:       <nil>
    DownwardAPI:             true
QoS Class:                   BestEffort
Node-Selectors:              <none>
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 30s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 30s
Events:
  Type     Reason            Age   From               Message
  ----     ------            ----  ----               -------
  Warning  FailedScheduling  Ns    default-scheduler  no nodes available to schedule pods
`);
  });

  it('prints it in every output format', async () => {
    expect(stable(await ok(['get', 'pods', '-o', 'wide']))).toBe(
      'NAME        READY   STATUS    RESTARTS   AGE   IP       NODE     NOMINATED NODE   READINESS GATES\n' +
        'myapp-pod   0/1     Pending   0          Ns    <none>   <none>   <none>           <none>\n',
    );
    expect(stable(await ok(['get', 'pods', '-A']))).toBe(
      'NAMESPACE   NAME        READY   STATUS    RESTARTS   AGE\n' +
        'default     myapp-pod   0/1     Pending   0          Ns\n',
    );
    expect(await ok(['get', 'pods', '-o', 'name'])).toBe('pod/myapp-pod\n');
    expect(await ok(['get', 'pod', 'myapp-pod', '-o', 'jsonpath={.status.phase}'])).toBe('Pending');
    expect(
      await ok(['get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image']),
    ).toBe('NAME        IMAGE\nmyapp-pod   nginx\n');
    const yaml = await ok(['get', 'pod', 'myapp-pod', '-o', 'yaml']);
    expect(yaml).toMatch(/^apiVersion: v1\nkind: Pod\nmetadata:\n {2}creationTimestamp: "/);
    const json = JSON.parse(await ok(['get', 'pod', 'myapp-pod', '-o', 'json']));
    expect(json.status.conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: 'no nodes available to schedule pods',
        lastProbeTime: null,
        lastTransitionTime: expect.any(String),
      },
    ]);
    expect(await ok(['get', 'pods', '-l', 'type=front-end', '-o', 'name'])).toBe('pod/myapp-pod\n');
    expect(await lab.kubectl(['get', 'pods', '-l', 'type!=front-end'])).toMatchObject({
      stdout: '',
      stderr: 'No resources found in default namespace.\n',
    });
  });

  it('lists it with the kubernetes Service under get all, and its event under get events', async () => {
    expect(stable(await ok(['get', 'all']))).toBe(
      'NAME            READY   STATUS    RESTARTS   AGE\n' +
        'pod/myapp-pod   0/1     Pending   0          Ns\n\n' +
        'NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n' +
        'service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   Ns\n',
    );
    expect(stable(await ok(['get', 'events']))).toBe(
      'LAST SEEN   TYPE      REASON             OBJECT          MESSAGE\n' +
        'Ns          Warning   FailedScheduling   pod/myapp-pod   no nodes available to schedule pods\n',
    );
  });

  it('streams changes with get -w', async () => {
    const watch = spawn('kubectl', [
      '--kubeconfig',
      lab.kubeconfig,
      'get',
      'pods',
      '-w',
      '--output-watch-events',
    ]);
    let out = '';
    watch.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await expect.poll(() => out, { timeout: 10_000 }).toContain('myapp-pod');
      await ok(['label', 'pod', 'myapp-pod', 'watched=yes']);
      await expect
        .poll(() => stable(out), { timeout: 10_000 })
        .toBe(
          'EVENT      NAME        READY   STATUS    RESTARTS   AGE\n' +
            'ADDED      myapp-pod   0/1     Pending   0          Ns\n' +
            'MODIFIED   myapp-pod   0/1     Pending   0          Ns\n',
        );
    } finally {
      watch.kill();
    }
  });

  it('deletes it at once, since no kubelet has to confirm, and --wait returns', async () => {
    expect(await ok(['delete', 'pod', 'myapp-pod', '--wait'])).toBe('pod "myapp-pod" deleted\n');
    expect((await lab.kubectl(['get', 'pod', 'myapp-pod'])).stderr).toBe(
      'Error from server (NotFound): pods "myapp-pod" not found\n',
    );
  });
});

describe("the seed's ReplicaSet, changed every way kubectl can", () => {
  const name = 'replicaset.apps/myapp-replicaset';

  beforeAll(async () => {
    expect(await ok(['create', '-f', seed('replicaset-definition.yaml')])).toBe(`${name} created\n`);
  });

  it('scales, annotates, and patches in all three patch types', async () => {
    expect(await ok(['scale', '--replicas=6', 'replicaset', 'myapp-replicaset'])).toBe(`${name} scaled\n`);
    expect(await ok(['annotate', 'rs', 'myapp-replicaset', 'owner=lab'])).toBe(`${name} annotated\n`);
    // Strategic merge: containers merge by name, so only the image changes.
    const image =
      '{"spec":{"template":{"spec":{"containers":[{"name":"nginx-container","image":"nginx:1.27"}]}}}}';
    expect(await ok(['patch', 'rs', 'myapp-replicaset', '-p', image])).toBe(`${name} patched\n`);
    const json = '[{"op":"replace","path":"/spec/replicas","value":2}]';
    expect(await ok(['patch', 'rs', 'myapp-replicaset', '--type=json', '-p', json])).toBe(
      `${name} patched\n`,
    );
    const merge = '{"metadata":{"labels":{"tier":"web"}}}';
    expect(await ok(['patch', 'rs', 'myapp-replicaset', '--type=merge', '-p', merge])).toBe(
      `${name} patched\n`,
    );
    expect(
      await ok([
        'get',
        'rs',
        'myapp-replicaset',
        '-o',
        'custom-columns=IMAGE:.spec.template.spec.containers[0].image,NAME:.spec.template.spec.containers[0].name,REPLICAS:.spec.replicas,OWNER:.metadata.annotations.owner,TIER:.metadata.labels.tier',
      ]),
    ).toBe(
      'IMAGE        NAME              REPLICAS   OWNER   TIER\nnginx:1.27   nginx-container   2          lab     web\n',
    );
    expect(stable(await ok(['get', 'rs', '-o', 'wide']))).toBe(
      'NAME               DESIRED   CURRENT   READY   AGE   CONTAINERS        IMAGES       SELECTOR\n' +
        'myapp-replicaset   2         0         0       Ns    nginx-container   nginx:1.27   type=front-end\n',
    );
  });

  it('edits it through $EDITOR, and scale -f leaves the file as it was', async () => {
    const editor = join(lab.home, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/replicas: 2/replicas: 4/" "$1"\n', { mode: 0o755 });
    expect(await lab.kubectl(['edit', 'rs', 'myapp-replicaset'], { env: { EDITOR: editor } })).toMatchObject({
      code: 0,
      stdout: `${name} edited\n`,
    });
    expect(await ok(['get', 'rs', 'myapp-replicaset', '-o', 'jsonpath={.spec.replicas}'])).toBe('4');
    expect(await ok(['scale', '--replicas=6', '-f', seed('replicaset-definition.yaml')])).toBe(
      `${name} scaled\n`,
    );
    expect(await ok(['get', 'rs', 'myapp-replicaset', '-o', 'jsonpath={.spec.replicas}'])).toBe('6');
  });

  it('replaces it from the file, and apply then reports it configured and unchanged', async () => {
    expect(await ok(['replace', '-f', seed('replicaset-definition.yaml')])).toBe(`${name} replaced\n`);
    expect(await ok(['get', 'rs', 'myapp-replicaset', '-o', 'jsonpath={.spec.replicas}'])).toBe('3');
    const applied = await lab.kubectl(['apply', '-f', seed('replicaset-definition.yaml')]);
    expect(applied.stdout).toBe(`${name} configured\n`);
    // kubectl warns that the object was not made by apply, as it does against any cluster.
    expect(applied.stderr).toContain('Warning: resource replicasets/myapp-replicaset is missing the');
    expect(await ok(['apply', '-f', seed('replicaset-definition.yaml')])).toBe(`${name} unchanged\n`);
  });

  it('describes it as a cluster whose controllers have not acted yet', async () => {
    expect(await ok(['describe', 'rs', 'myapp-replicaset'])).toBe(`Name:         myapp-replicaset
Namespace:    default
Selector:     type=front-end
Labels:       app=myapp
              type=front-end
Annotations:  <none>
Replicas:     0 current / 3 desired
Pods Status:  0 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=myapp
           type=front-end
  Containers:
   nginx-container:
    Image:         nginx
    Port:          <none>
    Host Port:     <none>
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:            <none>
`);
  });
});
