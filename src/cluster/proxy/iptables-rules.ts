/**
 * The rules kube-proxy's iptables proxier (pkg/proxy/iptables/proxier.go, syncProxyRules) would
 * write for these Service ports, in the shape `iptables-save` prints them. The lab keeps them as
 * data, for `orch-lab proxy rules`; its own data path (userspace.ts) does what they describe:
 *
 *   KUBE-SERVICES    one rule per ClusterIP:port (and load balancer IP:port) ──> KUBE-SVC-<hash>
 *   KUBE-NODEPORTS   one rule per node port ──> KUBE-EXT-<hash> ──> KUBE-SVC-<hash>
 *   KUBE-SVC-<hash>  endpoint i of n is picked with probability 1/(n-i), so each gets 1/n overall
 *   KUBE-SEP-<hash>  DNAT to the endpoint's ip:port
 *   filter table     REJECT for a Service port with no ready endpoints (connection refused)
 */
import { createHash } from 'node:crypto';
import { endpointString, readyEndpoints, type ServicePortInfo } from './service-port.ts';

/** Masquerading marks kube-proxy's default --iptables-masquerade-bit 14 sets. */
const MASQ_MARK = '0x4000/0x4000';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding), enough of it for chain names. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** kube-proxy's portProtoHash: base32 of sha256(servicePortName + protocol), first 16 characters. */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return base32(
    createHash('sha256')
      .update(servicePortName + protocol)
      .digest(),
  ).slice(0, 16);
}

export const serviceChain = (info: ServicePortInfo) =>
  `KUBE-SVC-${portProtoHash(info.name, info.protocol.toLowerCase())}`;
export const externalChain = (info: ServicePortInfo) =>
  `KUBE-EXT-${portProtoHash(info.name, info.protocol.toLowerCase())}`;
/** servicePortEndpointChainName: the hash also covers the endpoint's ip:port. */
export const endpointChain = (info: ServicePortInfo, endpoint: string) =>
  `KUBE-SEP-${portProtoHash(info.name, info.protocol.toLowerCase() + endpoint)}`;

/** iptables-save quotes a comment only when it has a space. */
const comment = (text: string) => `-m comment --comment ${text.includes(' ') ? `"${text}"` : text}`;

export interface RulesOptions {
  /** The pod range, for the masquerade rule of traffic from outside it (kube-proxy's --cluster-cidr). */
  readonly clusterCIDR?: string;
}

/** The nat and filter tables for `ports`, as `iptables-save` prints them. */
export function renderRules(ports: readonly ServicePortInfo[], options: RulesOptions = {}): string {
  const natChains = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ'];
  const nat: string[] = [
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    `-A KUBE-POSTROUTING ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];
  const filter: string[] = [];
  for (const info of ports) {
    const proto = info.protocol.toLowerCase();
    const match = `-m ${proto} -p ${proto}`;
    const ready = readyEndpoints(info);
    const svcChain = serviceChain(info);
    const extChain = externalChain(info);
    const external = info.nodePort > 0 || info.loadBalancerIPs.length > 0 || info.externalIPs.length > 0;
    if (ready.length === 0) {
      filter.push(
        `-A KUBE-SERVICES ${comment(`${info.name} has no endpoints`)} ${match} -d ${info.clusterIP} --dport ${info.port} -j REJECT`,
      );
      for (const ip of [...info.loadBalancerIPs, ...info.externalIPs]) {
        filter.push(
          `-A KUBE-EXTERNAL-SERVICES ${comment(`${info.name} has no endpoints`)} ${match} -d ${ip} --dport ${info.port} -j REJECT`,
        );
      }
      if (info.nodePort > 0) {
        filter.push(
          `-A KUBE-EXTERNAL-SERVICES ${comment(`${info.name} has no endpoints`)} -m addrtype --dst-type LOCAL ${match} --dport ${info.nodePort} -j REJECT`,
        );
      }
      continue;
    }
    natChains.push(svcChain);
    nat.push(
      `-A KUBE-SERVICES ${comment(`${info.name} cluster IP`)} ${match} -d ${info.clusterIP} --dport ${info.port} -j ${svcChain}`,
    );
    if (external) {
      natChains.push(extChain);
      for (const ip of info.externalIPs) {
        nat.push(
          `-A KUBE-SERVICES ${comment(`${info.name} external IP`)} ${match} -d ${ip} --dport ${info.port} -j ${extChain}`,
        );
      }
      for (const ip of info.loadBalancerIPs) {
        nat.push(
          `-A KUBE-SERVICES ${comment(`${info.name} loadbalancer IP`)} ${match} -d ${ip} --dport ${info.port} -j ${extChain}`,
        );
      }
      if (info.nodePort > 0) {
        nat.push(`-A KUBE-NODEPORTS ${comment(info.name)} ${match} --dport ${info.nodePort} -j ${extChain}`);
      }
      nat.push(
        `-A ${extChain} ${comment(`masquerade traffic for ${info.name} external destinations`)} -j KUBE-MARK-MASQ`,
        `-A ${extChain} -j ${svcChain}`,
      );
    }
    if (options.clusterCIDR) {
      nat.push(
        `-A ${svcChain} ${comment(`${info.name} cluster IP`)} ${match} -d ${info.clusterIP} --dport ${info.port} ! -s ${options.clusterCIDR} -j KUBE-MARK-MASQ`,
      );
    }
    const endpoints = ready.map((ep) => ({
      text: endpointString(ep),
      chain: endpointChain(info, endpointString(ep)),
    }));
    if (info.stickySeconds > 0) {
      for (const ep of endpoints) {
        nat.push(
          `-A ${svcChain} ${comment(`${info.name} -> ${ep.text}`)} -m recent --name ${ep.chain} --rcheck --seconds ${info.stickySeconds} --reap -j ${ep.chain}`,
        );
      }
    }
    endpoints.forEach((ep, i) => {
      const n = endpoints.length;
      const pick = i < n - 1 ? `-m statistic --mode random --probability ${(1 / (n - i)).toFixed(10)} ` : '';
      nat.push(`-A ${svcChain} ${comment(`${info.name} -> ${ep.text}`)} ${pick}-j ${ep.chain}`);
    });
    for (const ep of endpoints) {
      natChains.push(ep.chain);
      const recent = info.stickySeconds > 0 ? `-m recent --name ${ep.chain} --set ` : '';
      nat.push(
        `-A ${ep.chain} ${comment(info.name)} -s ${ep.text.split(':')[0]} -j KUBE-MARK-MASQ`,
        `-A ${ep.chain} ${comment(info.name)} ${recent}${match} -j DNAT --to-destination ${ep.text}`,
      );
    }
  }
  nat.push(
    `-A KUBE-SERVICES ${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`,
  );
  const filterChains = ['KUBE-NODEPORTS', 'KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD'];
  // iptables-save lists the chains by name and each chain's rules together, in their order.
  const table = (name: string, chains: string[], rules: string[]) => {
    const sorted = [...new Set(chains)].sort();
    const chainOf = (rule: string) => sorted.indexOf(rule.split(' ')[1] ?? '');
    const grouped = rules
      .map((rule, i) => ({ rule, i }))
      .sort((a, b) => chainOf(a.rule) - chainOf(b.rule) || a.i - b.i);
    return [`*${name}`, ...sorted.map((c) => `:${c} - [0:0]`), ...grouped.map((r) => r.rule), 'COMMIT'].join(
      '\n',
    );
  };
  return `${table('filter', filterChains, filter)}\n${table('nat', natChains, nat)}\n`;
}
