import { beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_NAMESPACE, INGRESS_SERVICE } from '../../src/cluster/addons/ingress.ts';
import type { ScenarioLabRef } from './lab.ts';
import { eventually, get, inCIDR, literal, ok, scenarioNamespace } from './steps.ts';

/** The namespace the Service scenarios work in. */
export const SERVICE_SCENARIOS_NAMESPACE = 'scenario-services';

const podOf = (body: string) => /pod (\S+)/.exec(body)?.[1];

/**
 * Issue 6's walk through Services with real kubectl on a lab of three worker nodes whose addons
 * (cluster DNS, the ingress controller) are installed: a NodePort Service in front of three pods,
 * cluster DNS, ClusterIP and LoadBalancer Services, an Ingress, and endpoints that come and go.
 * The host reaches cluster IPs, node ports and external IPs as it would on a bare-metal cluster
 * that routes them; every address is read from the cluster, so the walk holds on both runtimes.
 */
export function runServiceScenarios(lab: ScenarioLabRef): void {
  describe('Service scenarios', () => {
    const ns = SERVICE_SCENARIOS_NAMESPACE;
    const { kubectl: inNs, jsonpath, apply } = scenarioNamespace(lab, ns);
    const kubectl = (...args: string[]) => inNs(args);
    const clusterIPOf = (service: string) => jsonpath('svc', service, '.spec.clusterIP');
    let serviceCIDR = '';

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

    beforeAll(async () => {
      ok(await kubectl('create', 'deployment', 'web', '--image', 'myapp:v1', '--replicas', '3'));
      ok(await kubectl('rollout', 'status', 'deployment/web', '--timeout', '60s'));
    }, 90_000);

    describe('a NodePort Service in front of three pods', () => {
      let nodePort = 0;
      let clusterIP = '';

      it('names the range of cluster IPs when asked for an address outside it', async () => {
        const refused = await kubectl(
          'create',
          'service',
          'clusterip',
          'outside',
          '--tcp',
          '80:80',
          '--clusterip',
          '1.1.1.1',
        );
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(
          'failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range',
        );
        serviceCIDR = /The range of valid IPs is (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(refused.stderr)?.[1] ?? '';
        expect(serviceCIDR).not.toBe('');
      });

      it('is created by kubectl expose and listed as a real cluster lists it', async () => {
        expect(ok(await kubectl('expose', 'deployment', 'web', '--port', '80', '--type', 'NodePort'))).toBe(
          'service/web exposed\n',
        );
        nodePort = Number(await jsonpath('svc', 'web', '.spec.ports[0].nodePort'));
        clusterIP = await clusterIPOf('web');
        expect(nodePort).toBeGreaterThanOrEqual(30000);
        expect(inCIDR(clusterIP, serviceCIDR)).toBe(true);
        const svc = ok(await kubectl('get', 'svc', 'web'));
        expect(svc).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
        expect(svc).toMatch(new RegExp(`\\nweb\\s+NodePort\\s+${literal(clusterIP)}\\s`));
        expect(svc).toContain(`80:${nodePort}/TCP`);
      });

      it('has Endpoints and an EndpointSlice with the three pod IPs', async () => {
        const podIPs = ok(
          await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'),
        )
          .split(' ')
          .sort();
        const endpoints = await eventually(async () => {
          const out = await jsonpath('endpoints', 'web', '.subsets[0].addresses[*].ip');
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
        expect(describe).toMatch(new RegExp(`Endpoints:\\s+(${podIPs.map(escape).join('|')}):80`));
      });

      it('reaches different pods in turn at every node IP', async () => {
        for (const node of lab().nodes) {
          const ip = await jsonpath('node', node, '.status.addresses[?(@.type=="InternalIP")].address');
          const seen = new Set<string>();
          await eventually(
            async () => {
              const pod = podOf(await get(ip, nodePort));
              if (pod) seen.add(pod);
              return seen.size === 3 ? true : undefined;
            },
            15_000,
            100,
          );
          expect(seen.size).toBe(3);
        }
      });

      it('reaches the pods at its cluster IP from the host', async () => {
        const bodies = await eventually(async () => {
          const answers = await Promise.all([1, 2, 3].map(() => get(clusterIP, 80)));
          return answers.every((a) => a.startsWith('myapp')) ? answers : undefined;
        }, 10_000);
        for (const body of bodies) expect(body).toMatch(/^myapp v1 \| pod web-/);
      });

      it('prints the rules kube-proxy keeps, in iptables-save form', async () => {
        const rules = await lab().proxyRules(lab().nodes[0]!);
        expect(rules).toMatch(/^:KUBE-SERVICES - \[0:0\]$/m);
        expect(rules).toContain(
          `-A KUBE-SERVICES -m comment --comment "${ns}/web cluster IP" -m tcp -p tcp -d ${clusterIP} --dport 80 -j KUBE-SVC-`,
        );
        expect(rules).toMatch(
          new RegExp(
            `-A KUBE-NODEPORTS -m comment --comment ${ns}/web -m tcp -p tcp --dport ${nodePort} -j KUBE-EXT-`,
          ),
        );
        expect(rules).toMatch(/--probability 0\.3333333333 -j KUBE-SEP-/);
        expect(rules).toMatch(/--probability 0\.5000000000 -j KUBE-SEP-/);
        const podIPs = (await jsonpath('endpoints', 'web', '.subsets[0].addresses[*].ip')).split(' ');
        const dnat = new RegExp(`--comment ${ns}/web -m tcp -p tcp -j DNAT --to-destination (\\S+):80`, 'g');
        expect([...rules.matchAll(dnat)].map((m) => m[1]).sort()).toEqual(podIPs.sort());
        // Traffic to the cluster IP from outside the pods' range is masqueraded (--cluster-cidr): the
        // range holds every node's pod CIDR.
        const clusterCIDR = /! -s (\S+) -j KUBE-MARK-MASQ/.exec(rules)?.[1] ?? '';
        for (const node of lab().nodes) {
          const podCIDR = await jsonpath('node', node, '.spec.podCIDR');
          expect(inCIDR(podCIDR.split('/')[0]!, clusterCIDR), `${podCIDR} in ${clusterCIDR}`).toBe(true);
        }
      });
    });

    describe('cluster DNS', () => {
      it('answers for Services from a busybox pod, and wget reaches a Service by its short name', async () => {
        ok(await kubectl('rollout', 'status', '-n', 'kube-system', 'deployment/coredns', '--timeout', '60s'));
        ok(await kubectl('run', 'client', '--image', 'busybox', '--restart', 'Never', '--', 'sleep', '3600'));
        ok(await kubectl('wait', '--for', 'condition=Ready', 'pod/client', '--timeout', '60s'));
        const clusterIP = await clusterIPOf('web');
        const dnsIP = ok(
          await kubectl('get', 'svc', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'),
        );
        expect(inCIDR(dnsIP, serviceCIDR)).toBe(true);
        const name = `web.${ns}.svc.cluster.local`;
        const lookup = await eventually(async () => {
          const out = await kubectl('exec', 'client', '--', 'nslookup', name);
          return out.code === 0 ? out.stdout : undefined;
        }, 20_000);
        expect(lookup).toContain(`Server:\t\t${dnsIP}`);
        expect(lookup).toContain(`Name:\t${name}\nAddress: ${clusterIP}`);
        const missing = await kubectl('exec', 'client', '--', 'nslookup', `nothing.${ns}.svc.cluster.local`);
        expect(missing.stdout).toContain(`** server can't find nothing.${ns}.svc.cluster.local: NXDOMAIN`);
        const page = ok(await kubectl('exec', 'client', '--', 'wget', '-qO-', 'http://web'));
        expect(page).toMatch(/^myapp v1 \| pod web-/);
        const env = ok(await kubectl('exec', 'client', '--', 'env'));
        expect(env).toContain(`WEB_SERVICE_HOST=${clusterIP}`);
        expect(env).toContain('WEB_SERVICE_PORT=80');
        expect(env).toContain('KUBERNETES_SERVICE_PORT=443');
      }, 90_000);

      it('gives pods a projected token of their ServiceAccount, bound to the pod (coredns signs in with it)', async () => {
        const token = ok(
          await kubectl('exec', 'client', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'),
        );
        const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
        expect(claims.sub).toBe(`system:serviceaccount:${ns}:default`);
        expect(claims['kubernetes.io'].pod.name).toBe('client');
        const ca = ok(
          await kubectl(
            'exec',
            'client',
            '--',
            'cat',
            '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
          ),
        );
        expect(ca).toContain('BEGIN CERTIFICATE');
        const created = ok(await kubectl('create', 'token', 'default', '--duration', '15m'));
        expect(created.split('.')).toHaveLength(3);
      });
    });

    describe('more Services', () => {
      it('kubectl create service makes a ClusterIP Service with its endpoints', async () => {
        expect(ok(await kubectl('create', 'service', 'clusterip', 'api', '--tcp', '8080:80'))).toBe(
          'service/api created\n',
        );
        ok(await kubectl('create', 'deployment', 'api', '--image', 'myapp:v2', '--replicas', '2'));
        ok(await kubectl('rollout', 'status', 'deployment/api', '--timeout', '60s'));
        const ip = await clusterIPOf('api');
        expect(ok(await kubectl('get', 'svc', 'api'))).toMatch(
          new RegExp(`api\\s+ClusterIP\\s+${literal(ip)}\\s+<none>\\s+8080/TCP`),
        );
        const body = await eventually(async () => {
          const answer = await get(ip, 8080);
          return answer.startsWith('myapp v2') ? answer : undefined;
        }, 10_000);
        expect(body).toMatch(/^myapp v2 \| pod api-/);
      }, 90_000);

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
        const ip = await externalIP(ns, 'web-lb');
        expect(inCIDR(ip, serviceCIDR)).toBe(false);
        expect(ok(await kubectl('get', 'svc', 'web-lb'))).toMatch(
          new RegExp(`web-lb\\s+LoadBalancer\\s+\\S+\\s+${literal(ip)}\\s+8081:\\d+/TCP`),
        );
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
          const out = await jsonpath('ingress', 'two', '.status.loadBalancer.ingress[0].ip');
          return out || undefined;
        });
        expect(address).toBe(ip);
      }, 90_000);

      it('refuses connections while scaled to zero and serves again when scaled back', async () => {
        ok(await kubectl('scale', 'deployment', 'api', '--replicas', '0'));
        const ip = await clusterIPOf('api');
        const started = Date.now();
        await eventually(
          async () => ((await get(ip, 8080)) === 'ECONNREFUSED' ? true : undefined),
          20_000,
          100,
        );
        const refusedAfter = Date.now() - started;
        expect(await get(ip, 8080)).toBe('ECONNREFUSED');
        ok(await kubectl('scale', 'deployment', 'api', '--replicas', '1'));
        const body = await eventually(
          async () => {
            const answer = await get(ip, 8080);
            return answer.startsWith('myapp') ? answer : undefined;
          },
          20_000,
          100,
        );
        expect(body).toMatch(/^myapp v2/);
        console.log(`api refused ${refusedAfter} ms after scaling to 0`);
      });

      it('takes a pod that turns unready out of the rotation', async () => {
        await apply({
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
        });
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
        const ip = await clusterIPOf('probed');
        const seen = new Set<string>();
        await eventually(
          async () => {
            const pod = podOf(await get(ip, 80));
            if (pod) seen.add(pod);
            return seen.size === 2 ? true : undefined;
          },
          10_000,
          100,
        );
        const [leaving, staying] = pods as [string, string];
        ok(await kubectl('exec', leaving, '--', 'rm', '/tmp/ready'));
        ok(await kubectl('wait', '--for', 'condition=Ready=false', `pod/${leaving}`, '--timeout', '30s'));
        const unreadyAt = Date.now();
        // Soon after the pod's Ready condition turns False, no request reaches it.
        await eventually(
          async () => {
            const answers = await Promise.all(Array.from({ length: 4 }, () => get(ip, 80)));
            return answers.every((a) => podOf(a) === staying) ? true : undefined;
          },
          10_000,
          100,
        );
        const leftAfter = Date.now() - unreadyAt;
        const later = await Promise.all(Array.from({ length: 6 }, () => get(ip, 80)));
        expect(later.map(podOf)).toEqual(Array(6).fill(staying));
        const notReady = await jsonpath(
          'endpoints',
          'probed',
          '.subsets[0].notReadyAddresses[*].targetRef.name',
        );
        expect(notReady).toBe(leaving);
        console.log(`unready pod out of rotation ${leftAfter} ms after its Ready condition turned False`);
      }, 60_000);
    });
  });
}
