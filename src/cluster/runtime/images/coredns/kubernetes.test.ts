import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../../api/core/service.ts';
import type { EndpointSlice } from '../../../api/discovery/endpoint-slice.ts';
import { encodeResponse, parseQuery } from './dns-message.ts';
import { KubernetesRecords } from './kubernetes.ts';

const service = (name: string, clusterIP: string, ports = [{ name: 'http', port: 80 }]): Service =>
  ({ metadata: { name, namespace: 'default' }, spec: { clusterIP, ports }, status: {} }) as Service;

const slice = (service: string, ips: string[], ready = true): EndpointSlice => ({
  metadata: {
    name: `${service}-abcde`,
    namespace: 'default',
    labels: { 'kubernetes.io/service-name': service },
  },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

const records = new KubernetesRecords({
  services: () => [service('web', '10.96.0.20'), service('db', 'None')],
  slices: () => [slice('web', ['10.244.1.2']), slice('db', ['10.244.1.3', '10.244.2.4'])],
});

// A real resolver (c-ares, what the lab images' nslookup uses) asks a server made of these records.
let port = 0;
const server = createSocket('udp4');
beforeAll(async () => {
  server.on('message', (msg, from) => {
    const question = parseQuery(msg);
    const { rcode, answers, extra } = records.lookup(question.name, question.type);
    server.send(encodeResponse(question, rcode, answers, extra), from.port, from.address);
  });
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  port = server.address().port;
});
afterAll(() => server.close());

const resolver = () => {
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  return r;
};

describe('cluster DNS records', () => {
  it('answers A with the ClusterIP, and with ready pod IPs for a headless Service', async () => {
    expect(await resolver().resolve4('web.default.svc.cluster.local')).toEqual(['10.96.0.20']);
    expect((await resolver().resolve4('db.default.svc.cluster.local')).sort()).toEqual([
      '10.244.1.3',
      '10.244.2.4',
    ]);
    expect(await resolver().resolve4('10-244-1-3.db.default.svc.cluster.local')).toEqual(['10.244.1.3']);
    expect(await resolver().resolve4('10-244-9-9.default.pod.cluster.local')).toEqual(['10.244.9.9']);
  });

  it('answers SRV for a named port, and PTR for a ClusterIP', async () => {
    expect(await resolver().resolveSrv('_http._tcp.web.default.svc.cluster.local')).toEqual([
      { name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 },
    ]);
    expect(await resolver().reverse('10.96.0.20')).toEqual(['web.default.svc.cluster.local']);
  });

  it('says NXDOMAIN for names that do not exist, in the zone or outside it', async () => {
    await expect(resolver().resolve4('nothing.default.svc.cluster.local')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    await expect(resolver().resolve4('example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
