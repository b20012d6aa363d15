import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installClusterDNS } from '../../src/cluster/addons/dns.ts';
import { installIngressController } from '../../src/cluster/addons/ingress.ts';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import { readProxySocket } from '../../src/cluster/proxy/index.ts';
import { processScenarioLab } from '../scenarios/lab.ts';
import { runServiceScenarios, SERVICE_SCENARIOS_NAMESPACE } from '../scenarios/services.case.ts';
import { eventually, get, ok } from '../scenarios/steps.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// Issue 6's Services walk (test/scenarios/services.case.ts) on a three-node process lab. Nodes 7 to
// 9 (127.100.0.7-9); the service range 127.97.0.0/16 is this file's own, so another lab's
// kube-proxies never hold its addresses.

const SERVICE_CIDR = '127.97.0.0/16';
const LB_RANGE = '127.201.7.0/24';
const NODES = ['node-7', 'node-8', 'node-9'];
let lab: TestLab;

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
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

runServiceScenarios(() => processScenarioLab(lab, NODES));

// Process nodes share the host's loopback, where one kube-proxy at a time can hold a cluster IP's
// listener; Docker nodes each hold every cluster IP in their own network namespace.
describe('a process node that dies', () => {
  it('hands the cluster IPs its kube-proxy held to another node within seconds', async () => {
    const clusterIP = ok(
      await lab.kubectl([
        'get',
        'svc',
        '-n',
        SERVICE_SCENARIOS_NAMESPACE,
        'web',
        '-o',
        'jsonpath={.spec.clusterIP}',
      ]),
    );
    const holders = await Promise.all(
      NODES.map(async (node) => ({
        node,
        listeners: await readProxySocket(join(lab.home, 'nodes', node), '/listeners'),
      })),
    );
    const holder = holders.filter((h) => h.listeners.includes(`tcp ${clusterIP}:80\n`));
    expect(holder).toHaveLength(1);
    await lab.nodes.kill(holder[0]!.node);
    const killedAt = Date.now();
    const body = await eventually(
      async () => {
        const answer = await get(clusterIP, 80);
        return answer.startsWith('myapp') ? answer : undefined;
      },
      10_000,
      100,
    );
    expect(body).toMatch(/^myapp v1 \| pod web-/);
    const survivors = holders.filter((h) => h !== holder[0]).map((h) => h.node);
    const now = await Promise.all(
      survivors.map((node) => readProxySocket(join(lab.home, 'nodes', node), '/listeners')),
    );
    expect(now.filter((l) => l.includes(`tcp ${clusterIP}:80\n`))).toHaveLength(1);
    console.log(`${clusterIP}:80 served again ${Date.now() - killedAt} ms after its node was killed`);
  });
});
