import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDNSIP, installClusterDNS } from '../../src/cluster/addons/dns.ts';
import {
  INGRESS_NAMESPACE,
  INGRESS_SERVICE,
  installIngressController,
} from '../../src/cluster/addons/ingress.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { readProxySocket } from '../../src/cluster/proxy/index.ts';
import { type KubectlResult, startTestLab, type TestLab } from '../support/lab.ts';

// Issue 6's walk through Services on a three-node process lab with real kubectl. Nodes 7 to 9
// (127.100.0.7-9); the service range 127.97.0.0/16 is this file's own, so another lab's
// kube-proxies never hold its addresses.

const SERVICE_CIDR = '127.97.0.0/16';
const LB_RANGE = '127.201.7.0/24';
const NODE_IPS = ['127.100.0.7', '127.100.0.8', '127.100.0.9'];
let lab: TestLab;
const kubectl = (...args: string[]) => lab.kubectl(args);

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ok = (result: KubectlResult) => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
};

/** GET http://host:port/ from the host: the body, or the error code (ECONNREFUSED, ...). */
function get(host: string, port: number, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', headers, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.end();
  });
}

const podOf = (body: string) => /pod (\S+)/.exec(body)?.[1];

beforeAll(async () => {
  lab = await startTestLab({
    serviceClusterIPRange: SERVICE_CIDR,
    controllerManager: { serviceLB: { loadBalancerIPRange: LB_RANGE } },
    nodes: { count: 3, firstNode: 7 },
  });
  const client = await RestClient.fromKubeconfig(lab.kubeconfig, { component: 'services-test' });
  await installClusterDNS({ client, serviceCIDR: SERVICE_CIDR, replicas: 1 });
  await installIngressController({ client });
  client.close();
  ok(await kubectl('create', 'deployment', 'web', '--image', 'myapp:v1', '--replicas', '3'));
  ok(await kubectl('rollout', 'status', 'deployment/web', '--timeout', '60s'));
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

describe('a NodePort Service in front of three pods', () => {
  let nodePort = 0;
  let clusterIP = '';

  it('is created by kubectl expose and listed as a real cluster lists it', async () => {
    expect(ok(await kubectl('expose', 'deployment', 'web', '--port', '80', '--type', 'NodePort'))).toBe(
      'service/web exposed\n',
    );
    nodePort = Number(ok(await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}')));
    clusterIP = ok(await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'));
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(clusterIP).toMatch(/^127\.97\./);
    const svc = ok(await kubectl('get', 'svc', 'web'));
    expect(svc).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
    expect(svc).toContain(`web    NodePort   ${clusterIP}`);
    expect(svc).toContain(`80:${nodePort}/TCP`);
  });

  it('has Endpoints and an EndpointSlice with the three pod IPs', async () => {
    const podIPs = ok(
      await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'),
    )
      .split(' ')
      .sort();
    const endpoints = await eventually(async () => {
      const out = ok(
        await kubectl('get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[0].addresses[*].ip}'),
      );
      return out.split(' ').length === 3 ? out : undefined;
    });
    expect(endpoints.split(' ').sort()).toEqual(podIPs);
    const table = ok(await kubectl('get', 'endpoints', 'web'));
    expect(table).toMatch(/^NAME\s+ENDPOINTS\s+AGE\n/);
    const slices = ok(await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'));
    expect(slices).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
    expect(slices).toMatch(/web-[a-z0-9]{5}\s+IPv4\s+80\s+/);
    const describe = ok(await kubectl('describe', 'svc', 'web'));
    expect(describe).toMatch(/Type:\s+NodePort/);
    expect(describe).toMatch(/Endpoints:\s+127\.244\./);
  });

  it('reaches different pods in turn at every node IP', async () => {
    for (const ip of NODE_IPS) {
      const seen = new Set<string>();
      await eventually(async () => {
        const pod = podOf(await get(ip, nodePort));
        if (pod) seen.add(pod);
        return seen.size === 3 ? true : undefined;
      }, 15_000);
      expect(seen.size).toBe(3);
    }
  });

  it('reaches the pods at its cluster IP from the host', async () => {
    const bodies = await Promise.all([1, 2, 3].map(() => get(clusterIP, 80)));
    for (const body of bodies) expect(body).toMatch(/^myapp v1 \| pod web-/);
  });

  it('prints the rules kube-proxy keeps, in iptables-save form', async () => {
    const rules = await readProxySocket(`${lab.home}/nodes/node-7`, '/rules');
    expect(rules).toMatch(/^:KUBE-SERVICES - \[0:0\]$/m);
    expect(rules).toContain(
      `-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d ${clusterIP} --dport 80 -j KUBE-SVC-`,
    );
    expect(rules).toMatch(
      new RegExp(
        `-A KUBE-NODEPORTS -m comment --comment default/web -m tcp -p tcp --dport ${nodePort} -j KUBE-EXT-`,
      ),
    );
    expect(rules).toMatch(/--probability 0\.3333333333 -j KUBE-SEP-/);
    expect(rules).toMatch(/--probability 0\.5000000000 -j KUBE-SEP-/);
    expect(
      rules.match(/--comment default\/web -m tcp -p tcp -j DNAT --to-destination 127\.244\.\d+\.\d+:80/g),
    ).toHaveLength(3);
  });
});

describe('cluster DNS', () => {
  it('answers for Services from a busybox pod, and wget reaches a Service by its short name', async () => {
    ok(await kubectl('rollout', 'status', '-n', 'kube-system', 'deployment/coredns', '--timeout', '60s'));
    ok(await kubectl('run', 'client', '--image', 'busybox', '--restart', 'Never', '--', 'sleep', '3600'));
    ok(await kubectl('wait', '--for', 'condition=Ready', 'pod/client', '--timeout', '60s'));
    const clusterIP = ok(await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'));
    const lookup = ok(await kubectl('exec', 'client', '--', 'nslookup', 'web.default.svc.cluster.local'));
    expect(lookup).toContain(`Server:\t\t${clusterDNSIP(SERVICE_CIDR)}`);
    expect(lookup).toContain(`Name:\tweb.default.svc.cluster.local\nAddress: ${clusterIP}`);
    const missing = await kubectl('exec', 'client', '--', 'nslookup', 'nothing.default.svc.cluster.local');
    expect(missing.stdout).toContain("** server can't find nothing.default.svc.cluster.local: NXDOMAIN");
    const page = ok(await kubectl('exec', 'client', '--', 'wget', '-qO-', 'http://web'));
    expect(page).toMatch(/^myapp v1 \| pod web-/);
    const env = ok(await kubectl('exec', 'client', '--', 'env'));
    expect(env).toContain(`WEB_SERVICE_HOST=${clusterIP}`);
    expect(env).toContain('WEB_SERVICE_PORT=80');
    expect(env).toContain('KUBERNETES_SERVICE_PORT=443');
  });

  it('gives pods a projected token of their ServiceAccount, bound to the pod (coredns signs in with it)', async () => {
    const token = ok(
      await kubectl('exec', 'client', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'),
    );
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.sub).toBe('system:serviceaccount:default:default');
    expect(claims['kubernetes.io'].pod.name).toBe('client');
    const ca = ok(
      await kubectl('exec', 'client', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'),
    );
    expect(ca).toContain('BEGIN CERTIFICATE');
    const created = ok(await kubectl('create', 'token', 'default', '--duration', '15m'));
    expect(created.split('.')).toHaveLength(3);
  });
});

/** The external IP the lab's load balancer gave a Service, once it has one. */
const externalIP = (namespace: string, name: string) =>
  eventually(async () => {
    const ip = ok(
      await kubectl(
        'get',
        'svc',
        '-n',
        namespace,
        name,
        '-o',
        'jsonpath={.status.loadBalancer.ingress[0].ip}',
      ),
    );
    return ip || undefined;
  });

describe('more Services', () => {
  it('kubectl create service makes a ClusterIP Service with its endpoints', async () => {
    expect(ok(await kubectl('create', 'service', 'clusterip', 'api', '--tcp', '8080:80'))).toBe(
      'service/api created\n',
    );
    ok(await kubectl('create', 'deployment', 'api', '--image', 'myapp:v2', '--replicas', '2'));
    ok(await kubectl('rollout', 'status', 'deployment/api', '--timeout', '60s'));
    const ip = ok(await kubectl('get', 'svc', 'api', '-o', 'jsonpath={.spec.clusterIP}'));
    expect(ok(await kubectl('get', 'svc', 'api'))).toMatch(
      new RegExp(`api\\s+ClusterIP\\s+${ip.replaceAll('.', '\\.')}\\s+<none>\\s+8080/TCP`),
    );
    const body = await eventually(async () => {
      const answer = await get(ip, 8080);
      return answer.startsWith('myapp v2') ? answer : undefined;
    }, 10_000);
    expect(body).toMatch(/^myapp v2 \| pod api-/);
  });

  it('gives a LoadBalancer Service an external IP the host reaches', async () => {
    ok(
      await kubectl(
        'expose',
        'deployment',
        'web',
        '--name',
        'web-lb',
        '--port',
        '8081',
        '--target-port',
        '80',
        '--type',
        'LoadBalancer',
      ),
    );
    const ip = await externalIP('default', 'web-lb');
    expect(ip).toMatch(/^127\.201\.7\./);
    expect(ok(await kubectl('get', 'svc', 'web-lb'))).toContain(ip);
    const body = await eventually(async () => {
      const answer = await get(ip, 8081);
      return answer.startsWith('myapp') ? answer : undefined;
    }, 10_000);
    expect(body).toMatch(/^myapp v1 \| pod web-/);
  });

  it('routes two hosts of an Ingress to two Services', async () => {
    ok(
      await kubectl(
        'rollout',
        'status',
        '-n',
        INGRESS_NAMESPACE,
        `deployment/${INGRESS_SERVICE}`,
        '--timeout',
        '60s',
      ),
    );
    ok(
      await kubectl(
        'create',
        'ingress',
        'two',
        '--class',
        'orch-lab',
        '--rule',
        'web.example.com/*=web:80',
        '--rule',
        'api.example.com/*=api:8080',
      ),
    );
    const ip = await externalIP(INGRESS_NAMESPACE, INGRESS_SERVICE);
    const web = await eventually(async () => {
      const answer = await get(ip, 80, { Host: 'web.example.com' });
      return answer.startsWith('myapp') ? answer : undefined;
    }, 10_000);
    expect(web).toMatch(/^myapp v1 \| pod web-/);
    expect(await get(ip, 80, { Host: 'api.example.com' })).toMatch(/^myapp v2 \| pod api-/);
    expect(await get(ip, 80, { Host: 'other.example.com' })).toBe('default backend - 404\n');
    const address = await eventually(async () => {
      const out = ok(
        await kubectl('get', 'ingress', 'two', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'),
      );
      return out || undefined;
    });
    expect(address).toBe(ip);
  });

  it('refuses connections while scaled to zero and serves again when scaled back', async () => {
    ok(await kubectl('scale', 'deployment', 'api', '--replicas', '0'));
    const ip = ok(await kubectl('get', 'svc', 'api', '-o', 'jsonpath={.spec.clusterIP}'));
    const started = Date.now();
    await eventually(async () => ((await get(ip, 8080)) === 'ECONNREFUSED' ? true : undefined), 20_000);
    const refusedAfter = Date.now() - started;
    const attempt = Date.now();
    expect(await get(ip, 8080)).toBe('ECONNREFUSED');
    expect(Date.now() - attempt).toBeLessThan(1000);
    ok(await kubectl('scale', 'deployment', 'api', '--replicas', '1'));
    const body = await eventually(async () => {
      const answer = await get(ip, 8080);
      return answer.startsWith('myapp') ? answer : undefined;
    }, 20_000);
    expect(body).toMatch(/^myapp v2/);
    console.log(`api refused ${refusedAfter} ms after scaling to 0`);
  });

  it('takes a pod that turns unready out of the rotation', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'probed' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'probed' } },
        template: {
          metadata: { labels: { app: 'probed' } },
          spec: {
            containers: [
              {
                name: 'myapp',
                image: 'myapp:v1',
                readinessProbe: {
                  exec: { command: ['cat', '/tmp/ready'] },
                  periodSeconds: 1,
                  failureThreshold: 1,
                },
              },
            ],
          },
        },
      },
    };
    ok(await lab.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) }));
    const pods = await eventually(async () => {
      const out = ok(
        await kubectl(
          'get',
          'pods',
          '-l',
          'app=probed',
          '--field-selector',
          'status.phase=Running',
          '-o',
          'name',
        ),
      );
      const names = out
        .split('\n')
        .filter(Boolean)
        .map((n) => n.replace('pod/', ''));
      return names.length === 2 ? names : undefined;
    });
    for (const pod of pods) ok(await kubectl('exec', pod, '--', 'touch', '/tmp/ready'));
    ok(await kubectl('wait', '--for', 'condition=Ready', 'pod', '-l', 'app=probed', '--timeout', '30s'));
    ok(await kubectl('expose', 'deployment', 'probed', '--port', '80'));
    const ip = ok(await kubectl('get', 'svc', 'probed', '-o', 'jsonpath={.spec.clusterIP}'));
    const seen = new Set<string>();
    await eventually(async () => {
      const pod = podOf(await get(ip, 80));
      if (pod) seen.add(pod);
      return seen.size === 2 ? true : undefined;
    }, 10_000);
    const [leaving, staying] = pods as [string, string];
    ok(await kubectl('exec', leaving, '--', 'rm', '/tmp/ready'));
    ok(await kubectl('wait', '--for', 'condition=Ready=false', `pod/${leaving}`, '--timeout', '30s'));
    const unreadyAt = Date.now();
    // Within a second of the pod's Ready condition turning False, no request reaches it.
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 4 }, () => get(ip, 80)));
      return answers.every((a) => podOf(a) === staying) ? true : undefined;
    }, 5_000);
    const leftAfter = Date.now() - unreadyAt;
    const later = await Promise.all(Array.from({ length: 6 }, () => get(ip, 80)));
    expect(later.map(podOf)).toEqual(Array(6).fill(staying));
    const endpoints = ok(
      await kubectl(
        'get',
        'endpoints',
        'probed',
        '-o',
        'jsonpath={.subsets[0].notReadyAddresses[*].targetRef.name}',
      ),
    );
    expect(endpoints).toBe(leaving);
    console.log(`unready pod out of rotation ${leftAfter} ms after its Ready condition turned False`);
  });
});

describe('a node that dies', () => {
  it('hands the cluster IPs its kube-proxy held to another node within seconds', async () => {
    const clusterIP = ok(await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'));
    const holders = await Promise.all(
      ['node-7', 'node-8', 'node-9'].map(async (node) => ({
        node,
        listeners: await readProxySocket(join(lab.home, 'nodes', node), '/listeners'),
      })),
    );
    const holder = holders.filter((h) => h.listeners.includes(`tcp ${clusterIP}:80\n`));
    expect(holder).toHaveLength(1);
    await lab.nodes.kill(holder[0]!.node);
    const killedAt = Date.now();
    const body = await eventually(async () => {
      const answer = await get(clusterIP, 80);
      return answer.startsWith('myapp') ? answer : undefined;
    }, 10_000);
    expect(body).toMatch(/^myapp v1 \| pod web-/);
    const survivors = holders.filter((h) => h !== holder[0]).map((h) => h.node);
    const now = await Promise.all(
      survivors.map((node) => readProxySocket(join(lab.home, 'nodes', node), '/listeners')),
    );
    expect(now.filter((l) => l.includes(`tcp ${clusterIP}:80\n`))).toHaveLength(1);
    console.log(`${clusterIP}:80 served again ${Date.now() - killedAt} ms after its node was killed`);
  });
});
