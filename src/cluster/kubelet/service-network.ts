/**
 * What the kubelet tells a container about Services: the environment variables of every Service in
 * its namespace (pkg/kubelet/envvars) and the resolv.conf pointing at cluster DNS
 * (pkg/kubelet/network/dns). Both read the kubelet's Service informer.
 *
 * The real kubelet is told the DNS address with --cluster-dns; the lab's kubelet reads it from the
 * kube-dns Service in kube-system, since the service range (and so that address) is chosen when the
 * lab starts. With no kube-dns Service, a ClusterFirst pod falls back to the Default policy, as the
 * kubelet does without --cluster-dns, and gets no resolv.conf.
 */
import type { Pod } from '../api/core/pod.ts';
import type { Service } from '../api/core/service.ts';
import type { SharedInformer } from '../client/shared-informer.ts';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

export class ServiceNetwork {
  constructor(
    private readonly services: Pick<SharedInformer<Service>, 'store'>,
    private readonly clusterDomain = DEFAULT_CLUSTER_DOMAIN,
  ) {}

  /**
   * getServiceEnvVarMap: the Services of the pod's namespace (all of them unless
   * enableServiceLinks is false) and the `kubernetes` Service of default, each as
   * NAME_SERVICE_HOST, NAME_SERVICE_PORT[_PORTNAME] and the Docker link variables NAME_PORT_...
   */
  environment(pod: Pod): Map<string, string> {
    const namespace = pod.metadata.namespace ?? 'default';
    const chosen = new Map<string, Service>();
    for (const svc of this.services.store.list()) {
      const { clusterIP } = svc.spec;
      if (!clusterIP || clusterIP === 'None') continue;
      const name = svc.metadata.name ?? '';
      const inNamespace = svc.metadata.namespace === namespace;
      if (inNamespace && pod.spec.enableServiceLinks !== false) chosen.set(name, svc);
      // The master service is always there, and a Service of the pod's namespace wins over it.
      if (svc.metadata.namespace === 'default' && name === 'kubernetes' && !chosen.has(name))
        chosen.set(name, svc);
    }
    const env = new Map<string, string>();
    for (const svc of [...chosen.values()].sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    )) {
      const prefix = envName(svc.metadata.name ?? '');
      const ip = svc.spec.clusterIP ?? '';
      const ports = svc.spec.ports ?? [];
      env.set(`${prefix}_SERVICE_HOST`, ip);
      if (ports[0]) env.set(`${prefix}_SERVICE_PORT`, String(ports[0].port));
      for (const port of ports) {
        if (port.name) env.set(`${prefix}_SERVICE_PORT_${envName(port.name)}`, String(port.port));
      }
      if (ports[0]) {
        const first = ports[0];
        env.set(`${prefix}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`);
      }
      for (const port of ports) {
        const protocol = port.protocol ?? 'TCP';
        const base = `${prefix}_PORT_${port.port}_${protocol}`;
        env.set(base, `${protocol.toLowerCase()}://${ip}:${port.port}`);
        env.set(`${base}_PROTO`, protocol.toLowerCase());
        env.set(`${base}_PORT`, String(port.port));
        env.set(`${base}_ADDR`, ip);
      }
    }
    return env;
  }

  /** The pod's /etc/resolv.conf, or undefined when it keeps the node's (dnsPolicy Default, no cluster DNS). */
  resolvConf(pod: Pod): string | undefined {
    const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
    const extra = pod.spec.dnsConfig;
    let nameservers: string[] = [];
    let searches: string[] = [];
    let options: string[] = [];
    if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
      if (policy === 'ClusterFirst' && pod.spec.hostNetwork) return undefined;
      const dns = this.services.store.get('kube-system/kube-dns')?.spec.clusterIP;
      if (!dns || dns === 'None') return undefined;
      const namespace = pod.metadata.namespace ?? 'default';
      nameservers = [dns];
      searches = [`${namespace}.svc.${this.clusterDomain}`, `svc.${this.clusterDomain}`, this.clusterDomain];
      options = ['ndots:5'];
    } else if (policy !== 'None') return undefined;
    nameservers = [...new Set([...nameservers, ...(extra?.nameservers ?? [])])].slice(0, 3);
    searches = [...new Set([...searches, ...(extra?.searches ?? [])])].slice(0, 32);
    for (const o of extra?.options ?? []) {
      options = options.filter((existing) => existing.split(':')[0] !== o.name);
      options.push(o.value === undefined ? (o.name ?? '') : `${o.name}:${o.value}`);
    }
    const lines = [
      ...(searches.length ? [`search ${searches.join(' ')}`] : []),
      ...nameservers.map((ns) => `nameserver ${ns}`),
      ...(options.length ? [`options ${options.join(' ')}`] : []),
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** makeEnvVariableName: upper case, dashes to underscores. */
const envName = (name: string) => name.toUpperCase().replaceAll('-', '_');
