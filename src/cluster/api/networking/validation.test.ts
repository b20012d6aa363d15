import { describe, expect, it } from 'vitest';
import { createAs } from '../../apiserver/registry/testing/create.ts';
import { fieldErrorString } from '../field-error.ts';
import { ingressClasses, ingresses } from '../resources.ts';

describe('Ingress', () => {
  const rule = (path: Record<string, unknown>) => ({ host: 'shop.example.com', http: { paths: [path] } });

  it('accepts a typical ingress', () => {
    const ing = createAs(ingresses, {
      metadata: { name: 'shop', namespace: 'default' },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [
          rule({
            path: '/',
            pathType: 'Prefix',
            backend: { service: { name: 'web', port: { name: 'http' } } },
          }),
        ],
      },
    });
    expect(ingresses.validate(ing)).toEqual([]);
    expect(ing.status).toEqual({ loadBalancer: {} });
    expect(ing.metadata.generation).toBe(1);
  });

  it('checks hosts, paths and backends', () => {
    const ing = createAs(ingresses, {
      metadata: { name: 'shop', namespace: 'default' },
      spec: {
        rules: [
          {
            host: '10.0.0.1',
            http: { paths: [{ path: 'api', pathType: 'Exact', backend: { service: { name: 'web' } } }] },
          },
          rule({
            path: '/',
            pathType: 'Regex',
            backend: { service: { name: 'web', port: { number: 80, name: 'http' } } },
          }),
        ],
      },
    });
    expect(ingresses.validate(ing).map(fieldErrorString)).toEqual([
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
      'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
      'spec.rules[1].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
      'spec.rules[1].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
    ]);
  });

  it('needs rules or a default backend', () => {
    const ing = createAs(ingresses, { metadata: { name: 'shop', namespace: 'default' } });
    expect(ingresses.validate(ing).map(fieldErrorString)).toEqual([
      'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
    ]);
  });
});

describe('IngressClass', () => {
  it('needs a domain-prefixed controller and defaults parameter scope', () => {
    const ic = createAs(ingressClasses, {
      metadata: { name: 'nginx' },
      spec: { controller: 'nginx', parameters: { kind: 'Config', name: 'c' } },
    });
    expect(ic.spec.parameters?.scope).toBe('Cluster');
    expect(ingressClasses.validate(ic).map(fieldErrorString)).toEqual([
      'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    ]);
  });
});
