import { describe, expect, it } from 'vitest';
import { requestInfo } from './request-info.ts';

const info = (method: string, url: string) => {
  const u = new URL(url, 'https://x');
  return requestInfo(method, u.pathname, u.searchParams);
};

describe('requestInfo', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods', 'list', 'default', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/default/pods?watch=true', 'watch', 'default', 'pods', '', ''],
    ['GET', '/api/v1/namespaces/default/pods/web/log', 'get', 'default', 'pods', 'web', 'log'],
    ['POST', '/api/v1/namespaces/default/pods/web/binding', 'create', 'default', 'pods', 'web', 'binding'],
    ['GET', '/apis/apps/v1/deployments', 'list', '', 'deployments', '', ''],
    ['GET', '/api/v1/namespaces/default', 'get', 'default', 'namespaces', 'default', ''],
    [
      'PUT',
      '/api/v1/namespaces/kube-system/finalize',
      'update',
      'kube-system',
      'namespaces',
      'kube-system',
      'finalize',
    ],
    ['DELETE', '/api/v1/namespaces/default/configmaps', 'deletecollection', 'default', 'configmaps', '', ''],
    ['GET', '/api/v1/watch/namespaces/default/pods/web', 'watch', 'default', 'pods', 'web', ''],
    ['GET', '/api/v1/nodes/node-1', 'get', '', 'nodes', 'node-1', ''],
  ])('%s %s', (method, url, verb, namespace, resource, name, subresource) => {
    expect(info(method, url)).toMatchObject({
      isResourceRequest: true,
      verb,
      namespace,
      resource,
      name,
      subresource,
    });
  });

  it('treats discovery and health paths as non-resource requests', () => {
    expect(info('GET', '/api/v1').isResourceRequest).toBe(false);
    expect(info('GET', '/apis/apps').isResourceRequest).toBe(false);
    expect(info('GET', '/healthz')).toMatchObject({ isResourceRequest: false, verb: 'get' });
  });
});
