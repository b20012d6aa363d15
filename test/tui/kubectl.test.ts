import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments } from '../../src/cluster/api/resources.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { splitWords } from '../../src/tui/command-line.ts';
import { builtinCommand, runBuiltinKubectl } from '../../src/tui/kubectl/kubectl.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

/*
 * The built-in kubectl against the real kubectl v1.32, command by command, on one lab: stdout,
 * stderr and the exit code must be the same once what differs between two runs is blanked out
 * (ages, generated names, allocated cluster IPs and node ports).
 */

const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: "fast"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: {app: shop}
spec:
  replicas: 0
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
      - name: shop
        image: nginx:1.25
        ports: [{containerPort: 80}]
`;

interface Output {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Blanks what two runs cannot share; `namespace` becomes NS. */
function normalized(output: Output, namespace?: string): Output {
  const blank = (text: string) =>
    (namespace ? text.replaceAll(namespace, 'NS') : text)
      .replace(/\b\d+(s|m\d*s?|h\d*m?|d\d*h?|y\d*d?)\b/g, 'AGE')
      .replace(/\b10\.96\.\d+\.\d+\b/g, 'CLUSTER-IP')
      .replace(/:3\d{4}\//g, ':NODE-PORT/')
      // Column widths follow the ages; indentation (YAML's) is kept.
      .replace(/(\S) {2,}/g, '$1 ');
  return { code: output.code, stdout: blank(output.stdout), stderr: blank(output.stderr) };
}

describe('the built-in kubectl prints what kubectl v1.32 prints', () => {
  let lab: TestLab;
  let client: RestClient;
  let manifest: string;
  let changed: string;

  const builtin = async (line: string): Promise<Output> => {
    const args = builtinCommand(splitWords(line));
    if (!args) throw new Error(`the built-in kubectl does not run: ${line}`);
    let stdout = '';
    let stderr = '';
    const code = await runBuiltinKubectl(args, {
      client,
      cwd: lab.home,
      signal: new AbortController().signal,
      out: (text) => (stdout += text),
      err: (text) => (stderr += text),
    });
    return { code, stdout, stderr };
  };
  const real = (line: string): Promise<Output> => lab.kubectl(splitWords(line));

  /** The deployment controller has seen the latest spec (so its replica sets and revisions exist). */
  const settled = async (namespace: string, name: string) => {
    for (let i = 0; i < 100; i++) {
      const d = await client.resource(deployments, namespace).get(name);
      if ((d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    lab = await startTestLab();
    client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'tui' });
    manifest = join(lab.home, 'shop.yaml');
    changed = join(lab.home, 'shop-v2.yaml');
    await writeFile(manifest, MANIFEST);
    await writeFile(changed, MANIFEST.replace('nginx:1.25', 'nginx:1.26'));
  });
  afterAll(async () => {
    client?.close();
    await lab?.stop();
  });

  it('reads: get in every output the lessons use, with its errors', async () => {
    for (const line of [
      'create namespace reads',
      `apply -f ${manifest} -n reads`,
      'run web --image=nginx --labels=app=web,tier=front -n reads',
      'expose pod web --port=80 -n reads',
    ]) {
      expect((await real(line)).code).toBe(0);
    }
    // Strings YAML would read as something else, or must quote, or folds past column 80.
    const tricky = {
      bool: 'yes',
      number: '1.5',
      hex: '0x1F',
      empty: '',
      colon: 'a: b',
      lead: ' leading space',
      hash: 'a #comment',
      tab: 'a\tb',
      lines: 'one\ntwo\n',
      quote: "it's",
      long: 'a plain line of text that runs on well past the eighty columns go-yaml writes before it folds',
      longQuoted:
        "'quoted' and long enough to fold as well, since single quotes fold the way plain text does",
    };
    const literals = Object.entries(tricky).map(([k, v]) => `--from-literal=${k}=${v}`);
    expect((await lab.kubectl(['create', 'configmap', 'tricky', '-n', 'reads', ...literals])).code).toBe(0);
    await settled('reads', 'shop');
    for (const line of [
      'get pods -n reads',
      'get all -n reads',
      'get pods,deploy -o wide -n reads',
      'get deploy shop -o yaml -n reads',
      'get deployment.apps/shop -o json -n reads',
      'get cm,svc -o yaml -n reads',
      'get pods -A --show-labels',
      'get po -l app=none -n reads',
      'get deploy,svc -o name -n reads',
      'get pod/web deploy/shop -n reads',
      'get pod/web pod/nope -n reads',
      'get pods web nope -n reads',
      'get ns',
      'get nodes',
      'get all -n kube-public',
      'get foos',
      'get svc kubernetes -o yaml',
      'get leases -n kube-system',
      'get endpointslices -n reads -o wide',
      'get rs,rc -n reads --show-labels',
      'get configmap tricky -n reads -o yaml',
      'get configmap tricky -n reads -o json',
    ]) {
      expect({ line, ...normalized(await builtin(line)) }).toEqual({ line, ...normalized(await real(line)) });
    }
  });

  it('writes: each command run by both, on twin namespaces, says the same', async () => {
    const [mine, theirs] = ['builtin-twin', 'kubectl-twin'];
    const steps = [
      'create namespace NS',
      `create -f ${manifest} -n NS`,
      `create -f ${manifest} -n NS`,
      `apply -f ${manifest} -n NS`,
      `apply -f ${manifest} -n NS`,
      `apply -f ${changed} -n NS`,
      'run web --image=nginx -n NS',
      'run tool --image=busybox --labels=a=b,c=d --port=8080 --env=MODE=x --restart=Never -n NS -- sleep 60',
      'scale deploy shop --replicas=0 -n NS',
      'scale deployment/shop --replicas=0 -n NS',
      'label pod web tier=front -n NS',
      'label pod web tier=back -n NS',
      'label pod web tier=back --overwrite -n NS',
      'label pod web tier=back -n NS',
      'label pod web tier- -n NS',
      'label pod/web missing- -n NS',
      'annotate deploy shop owner=team-a -n NS',
      'set image deploy/shop shop=nginx:1.27 -n NS',
      'set image deploy/shop shop=nginx:1.27 -n NS',
      'set image deployment shop nope=nginx -n NS',
      'rollout history deploy/shop -n NS',
      'rollout undo deploy/shop -n NS',
      'rollout undo deployment/shop --to-revision=9 -n NS',
      'rollout status deploy/shop -n NS',
      'rollout history deployment shop -n NS',
      'rollout pause deploy/shop -n NS',
      'rollout pause deploy/shop -n NS',
      'rollout undo deploy/shop -n NS',
      'rollout resume deploy/shop -n NS',
      'rollout resume deployment/shop -n NS',
      'expose deploy shop --port=80 -n NS',
      'expose deploy shop --name=shop-np --type=NodePort --target-port=8080 -n NS',
      'expose pod tool -n NS',
      'create deployment api --image=httpd:2.4 --replicas=0 -n NS',
      'create configmap flags --from-literal=a=1 --from-literal=b=two -n NS',
      'logs web -n NS',
      'logs nope -n NS',
      'get deploy,rs,cm,svc -n NS',
      'delete pod web -n NS',
      'delete deploy api nope -n NS',
      'delete cm -l none=here -n NS',
      `delete -f ${manifest} -n NS`,
      'delete namespace NS --wait=false',
    ];
    for (const step of steps) {
      const ours = normalized(await builtin(step.replaceAll('NS', mine)), mine);
      const theirsOut = normalized(await real(step.replaceAll('NS', theirs)), theirs);
      expect({ step, ...ours }).toEqual({ step, ...theirsOut });
      // Rollout commands read what the deployment controller wrote after the previous step.
      if (/apply|set image|rollout undo|annotate/.test(step)) {
        await settled(mine, 'shop');
        await settled(theirs, 'shop');
      }
    }
  });

  it('leaves what it does not cover to the real kubectl', () => {
    for (const line of [
      'describe pod web',
      'exec -it web -- sh',
      'edit deploy shop',
      'get pods -o jsonpath={.items}',
      'get pods -w',
      'logs -f web',
      'apply -f - ',
      'rollout restart deploy/shop',
      'create secret generic s --from-literal=a=b',
      'delete pod web --grace-period=0',
    ]) {
      expect({ line, args: builtinCommand(splitWords(line)) }).toEqual({ line, args: undefined });
    }
  });
});
