/**
 * Ingress routing as the Ingress specification defines it (networking.k8s.io/v1): a request's host
 * picks the rules (an exact host, then a one-label wildcard such as *.example.com, then rules with no
 * host), and within them the longest matching path wins, Exact before Prefix at the same length.
 * Prefix matches whole path elements: /foo matches /foo and /foo/bar, not /foobar.
 * ImplementationSpecific paths are treated as Prefix, as ingress-nginx does.
 */
import type { Ingress } from '../../../api/networking/ingress.ts';

export interface Route {
  readonly namespace: string;
  readonly ingress: string;
  readonly service: string;
  /** A port number, or a port name to look up in the Service. */
  readonly port: number | string;
}

interface Candidate extends Route {
  readonly path: string;
  readonly exact: boolean;
}

/** The IngressClass this controller serves, and whether it is the default class. */
export interface ClassFilter {
  readonly name: string;
  readonly isDefault: boolean;
}

export function servesIngress(ingress: Ingress, filter: ClassFilter): boolean {
  const name = ingress.spec?.ingressClassName;
  return name === undefined ? filter.isDefault : name === filter.name;
}

const hostMatches = (pattern: string, host: string) =>
  pattern.startsWith('*.')
    ? host.endsWith(pattern.slice(1)) &&
      !host.slice(0, -(pattern.length - 1)).includes('.') &&
      host.length > pattern.length - 1
    : pattern === host;

const prefixMatches = (prefix: string, path: string) => {
  const want = prefix.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  return want.length <= got.length && want.every((part, i) => got[i] === part);
};

/** The backend for a request, or undefined for the default backend's 404. */
export function route(ingresses: readonly Ingress[], host: string, path: string): Route | undefined {
  const bareHost = host.replace(/:\d+$/, '').toLowerCase();
  const bySpecificity: Candidate[][] = [[], [], []];
  let fallback: Route | undefined;
  for (const ingress of ingresses) {
    const namespace = ingress.metadata.namespace ?? 'default';
    const name = ingress.metadata.name ?? '';
    const defaultService = ingress.spec?.defaultBackend?.service;
    if (defaultService && !fallback) {
      fallback = {
        namespace,
        ingress: name,
        service: defaultService.name,
        port: defaultService.port?.number ?? defaultService.port?.name ?? 80,
      };
    }
    for (const rule of ingress.spec?.rules ?? []) {
      const tier = !rule.host ? 2 : rule.host.startsWith('*.') ? 1 : 0;
      if (rule.host && !hostMatches(rule.host.toLowerCase(), bareHost)) continue;
      for (const p of rule.http?.paths ?? []) {
        const service = p.backend.service;
        if (!service) continue;
        bySpecificity[tier]!.push({
          namespace,
          ingress: name,
          service: service.name,
          port: service.port?.number ?? service.port?.name ?? 80,
          path: p.path ?? '/',
          exact: p.pathType === 'Exact',
        });
      }
    }
  }
  for (const candidates of bySpecificity) {
    const matching = candidates
      .filter((c) => (c.exact ? c.path === path : prefixMatches(c.path, path)))
      .sort((a, b) => b.path.length - a.path.length || Number(b.exact) - Number(a.exact));
    const best = matching[0];
    if (best)
      return { namespace: best.namespace, ingress: best.ingress, service: best.service, port: best.port };
  }
  return fallback;
}
