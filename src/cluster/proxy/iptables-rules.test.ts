import { describe, expect, it } from 'vitest';
import { endpointChain, portProtoHash, renderRules, serviceChain } from './iptables-rules.ts';
import type { ServicePortInfo } from './service-port.ts';

const info = (overrides: Partial<ServicePortInfo> = {}): ServicePortInfo => ({
  name: 'ns1/svc1:p80',
  protocol: 'TCP',
  clusterIP: '172.30.0.41',
  port: 80,
  nodePort: 0,
  loadBalancerIPs: [],
  externalIPs: [],
  stickySeconds: 0,
  endpoints: [{ ip: '10.180.0.1', port: 80, ready: true }],
  ...overrides,
});

describe('kube-proxy rules', () => {
  it('names chains as kube-proxy does (values from its own tests)', () => {
    expect(serviceChain(info())).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(endpointChain(info(), '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(portProtoHash('ns1/svc1:p80', 'tcp')).toHaveLength(16);
  });

  it('writes the cluster IP jump, the DNAT and per-endpoint probabilities', () => {
    const endpoints = ['10.180.0.1', '10.180.0.2', '10.180.0.3'].map((ip) => ({ ip, port: 80, ready: true }));
    const rules = renderRules([info({ endpoints, nodePort: 3001 })]);
    expect(rules).toContain(
      '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
    );
    expect(rules).toContain(
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-SXIVWICOYRO3J4NJ',
    );
    expect(rules).toMatch(
      /--probability 0\.5000000000 -j KUBE-SEP-\w+\n-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1\/svc1:p80 -> 10\.180\.0\.3:80" -j KUBE-SEP-/,
    );
    expect(rules).toContain(
      '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
    );
    expect(rules).toContain(
      '-A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-XPGD46QRK7WJZT7O',
    );
  });

  it('rejects a Service port with no ready endpoint in the filter table, and leaves unready ones out', () => {
    const rules = renderRules([info({ endpoints: [{ ip: '10.180.0.1', port: 80, ready: false }] })]);
    expect(rules).toContain(
      '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j REJECT',
    );
    expect(rules).not.toContain('KUBE-SVC-XPGD46QRK7WJZT7O');
  });

  it('adds the recent-match rules of ClientIP affinity', () => {
    const rules = renderRules([info({ stickySeconds: 10800 })]);
    expect(rules).toContain(
      '-m recent --name KUBE-SEP-SXIVWICOYRO3J4NJ --rcheck --seconds 10800 --reap -j KUBE-SEP-SXIVWICOYRO3J4NJ',
    );
    expect(rules).toContain('-m recent --name KUBE-SEP-SXIVWICOYRO3J4NJ --set -m tcp -p tcp -j DNAT');
  });
});
