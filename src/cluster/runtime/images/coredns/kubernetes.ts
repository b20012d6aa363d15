/**
 * The records of CoreDNS's kubernetes plugin (the DNS-based service discovery specification,
 * kubernetes/dns docs/specification.md), from the Services and EndpointSlices a program watches:
 *
 *   web.default.svc.cluster.local            A    the ClusterIP; a headless Service's ready pod IPs
 *   _http._tcp.web.default.svc.cluster.local SRV  0 100 80 web.default.svc.cluster.local.
 *   127-244-1-5.web.default.svc.cluster.local A   one endpoint of a headless Service
 *   127-244-1-5.default.pod.cluster.local    A    any pod IP ("pods insecure")
 *   <reversed IP>.in-addr.arpa               PTR  a ClusterIP's Service, an endpoint's name
 *
 * Anything else under the zone, or outside it, is NXDOMAIN; a name that exists asked for a type it
 * has no record of gets an empty NOERROR answer (NODATA).
 */
import type { Service } from '../../../api/core/service.ts';
import type { EndpointSlice } from '../../../api/discovery/endpoint-slice.ts';
import { RCODE, type Record, TYPE } from './dns-message.ts';

export interface Answer {
  readonly rcode: number;
  readonly answers: Record[];
  readonly extra: Record[];
}

export interface ClusterState {
  services(): readonly Service[];
  slices(): readonly EndpointSlice[];
}

const nxdomain: Answer = { rcode: RCODE.NXDOMAIN, answers: [], extra: [] };
const dashed = (ip: string) => ip.replaceAll('.', '-');

export class KubernetesRecords {
  constructor(
    private readonly state: ClusterState,
    readonly zone = 'cluster.local',
  ) {}

  lookup(name: string, type: number): Answer {
    if (name.endsWith('.in-addr.arpa')) return this.reverse(name, type);
    if (name !== this.zone && !name.endsWith(`.${this.zone}`)) return nxdomain;
    const labels = name === this.zone ? [] : name.slice(0, -this.zone.length - 1).split('.');
    const [kind, namespace, ...rest] = [...labels].reverse();
    if (kind === undefined) return this.noData();
    if (kind === 'pod' && rest.length === 1 && namespace) {
      const ip = rest[0]!.replaceAll('-', '.');
      return /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? this.answer(type, [{ type: TYPE.A, name, ip }]) : nxdomain;
    }
    if (kind !== 'svc') return nxdomain;
    if (namespace === undefined) return this.noData();
    const [serviceName, ...inner] = rest;
    if (serviceName === undefined) {
      return this.state.services().some((s) => s.metadata.namespace === namespace) ? this.noData() : nxdomain;
    }
    const service = this.state
      .services()
      .find((s) => s.metadata.namespace === namespace && s.metadata.name === serviceName);
    if (!service) return nxdomain;
    const fqdn = `${serviceName}.${namespace}.svc.${this.zone}`;
    const endpoints = this.readyEndpoints(service);
    const headless = service.spec.clusterIP === 'None';
    if (inner.length === 0) {
      const addresses = headless ? endpoints.map((e) => e.ip) : [service.spec.clusterIP ?? ''];
      const a: Record[] = addresses.map((ip) => ({ type: TYPE.A, name, ip }));
      const srv = (service.spec.ports ?? []).flatMap((p) =>
        this.srvRecords(name, fqdn, p.port, headless, endpoints),
      );
      return this.answer(type, [...a, ...srv], srv.length ? a : []);
    }
    if (inner.length === 1 && headless) {
      const endpoint = endpoints.find((e) => e.label === inner[0]);
      return endpoint ? this.answer(type, [{ type: TYPE.A, name, ip: endpoint.ip }]) : nxdomain;
    }
    if (inner.length === 2 && inner[0]?.startsWith('_') && inner[1]?.startsWith('_')) {
      const [protocol, portName] = [inner[0].slice(1), inner[1].slice(1)];
      const port = (service.spec.ports ?? []).find(
        (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP').toLowerCase() === protocol,
      );
      if (!port) return nxdomain;
      const srv = this.srvRecords(name, fqdn, port.port, headless, endpoints);
      const extra: Record[] = headless
        ? endpoints.map((e) => ({ type: TYPE.A, name: `${e.label}.${fqdn}`, ip: e.ip }))
        : [{ type: TYPE.A, name: fqdn, ip: service.spec.clusterIP ?? '' }];
      return this.answer(type, srv, extra);
    }
    return nxdomain;
  }

  /** SRV records of one port: the Service's name, or each endpoint's for a headless Service. */
  private srvRecords(
    name: string,
    fqdn: string,
    port: number,
    headless: boolean,
    endpoints: readonly { label: string; ip: string; port?: number }[],
  ): Record[] {
    if (!headless) return [{ type: TYPE.SRV, name, priority: 0, weight: 100, port, target: fqdn }];
    const weight = endpoints.length ? Math.floor(100 / endpoints.length) : 0;
    return endpoints.map((e) => ({
      type: TYPE.SRV,
      name,
      priority: 0,
      weight,
      port: e.port ?? port,
      target: `${e.label}.${fqdn}`,
    }));
  }

  /** Ready endpoints (all of them with publishNotReadyAddresses), named by hostname or dashed IP. */
  private readyEndpoints(service: Service): { label: string; ip: string; port?: number }[] {
    const all = service.spec.publishNotReadyAddresses === true;
    return this.slicesOf(service).flatMap((slice) =>
      slice.endpoints
        .filter((e) => all || e.conditions?.ready !== false)
        .flatMap((e) =>
          e.addresses.map((ip) => ({ label: e.hostname ?? dashed(ip), ip, port: slice.ports?.[0]?.port })),
        ),
    );
  }

  private slicesOf(service: Service): EndpointSlice[] {
    return this.state
      .slices()
      .filter(
        (s) =>
          s.metadata.namespace === service.metadata.namespace &&
          s.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name,
      );
  }

  private reverse(name: string, type: number): Answer {
    const octets = name.slice(0, -'.in-addr.arpa'.length).split('.').reverse();
    if (octets.length !== 4) return nxdomain;
    const ip = octets.join('.');
    for (const service of this.state.services()) {
      const fqdn = `${service.metadata.name}.${service.metadata.namespace}.svc.${this.zone}`;
      if (service.spec.clusterIP === ip) return this.answer(type, [{ type: TYPE.PTR, name, target: fqdn }]);
      const endpoint = this.readyEndpoints(service).find((e) => e.ip === ip);
      if (endpoint && service.spec.clusterIP === 'None')
        return this.answer(type, [{ type: TYPE.PTR, name, target: `${endpoint.label}.${fqdn}` }]);
    }
    return nxdomain;
  }

  /** The records of the asked type (all for ANY); an existing name with none of them is NODATA. */
  private answer(type: number, records: Record[], extra: Record[] = []): Answer {
    const matching = type === TYPE.ANY ? records : records.filter((r) => r.type === type);
    return { rcode: RCODE.NOERROR, answers: matching, extra: type === TYPE.SRV ? extra : [] };
  }

  private noData(): Answer {
    return { rcode: RCODE.NOERROR, answers: [], extra: [] };
  }
}
