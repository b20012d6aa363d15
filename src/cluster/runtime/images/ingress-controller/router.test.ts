import { describe, expect, it } from 'vitest';
import type { Ingress } from '../../../api/networking/ingress.ts';
import { route } from './router.ts';

const ingress = (rules: NonNullable<Ingress['spec']>['rules']): Ingress =>
  ({ metadata: { name: 'i', namespace: 'default' }, spec: { rules } }) as Ingress;
const backend = (name: string) => ({ service: { name, port: { number: 80 } } });

describe('Ingress routing', () => {
  const all = [
    ingress([
      {
        host: 'a.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: backend('root') },
            { path: '/api', pathType: 'Prefix', backend: backend('api') },
            { path: '/api/exact', pathType: 'Exact', backend: backend('exact') },
          ],
        },
      },
      {
        host: '*.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('wild') }] },
      },
    ]),
  ];
  const to = (host: string, path: string) => route(all, host, path)?.service;

  it('matches hosts exactly, then by one-label wildcard', () => {
    expect(to('a.example.com:80', '/')).toBe('root');
    expect(to('b.example.com', '/')).toBe('wild');
    expect(to('x.b.example.com', '/')).toBeUndefined();
  });

  it('takes the longest path, Prefix by whole elements, Exact only exactly', () => {
    expect(to('a.example.com', '/api/v1')).toBe('api');
    expect(to('a.example.com', '/apiv1')).toBe('root');
    expect(to('a.example.com', '/api/exact')).toBe('exact');
    expect(to('a.example.com', '/api/exact/more')).toBe('api');
  });
});
