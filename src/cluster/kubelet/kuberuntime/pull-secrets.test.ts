import { describe, expect, it } from 'vitest';
import { Pod } from '../../api/core/pod.ts';
import type { ConfigSources } from '../config-sources.ts';
import { pullCredentials, registryOf } from './pull-secrets.ts';

describe('registryOf', () => {
  it('reads a host from the first part only when it looks like one', () => {
    expect(registryOf('nginx')).toBe('docker.io');
    expect(registryOf('library/nginx:1.27')).toBe('docker.io');
    expect(registryOf('docker.io/library/nginx')).toBe('docker.io');
    expect(registryOf('127.0.0.1:5000/team/app:v1')).toBe('127.0.0.1:5000');
    expect(registryOf('localhost/app')).toBe('localhost');
    expect(registryOf('ghcr.io/org/app@sha256:abc')).toBe('ghcr.io');
  });
});

describe('pullCredentials', () => {
  const secrets: Record<string, Record<string, string>> = {
    hub: {
      '.dockerconfigjson': JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: 'aHViOnB3' } } }),
    },
    local: {
      '.dockerconfigjson': JSON.stringify({
        auths: { '127.0.0.1:5000': { username: 'me', password: 'pw' } },
      }),
    },
    old: { '.dockercfg': JSON.stringify({ 'ghcr.io': { username: 'o', password: 'p' } }) },
    junk: { '.dockerconfigjson': 'not json' },
  };
  const sources: Pick<ConfigSources, 'secret'> = { secret: async (_ns, name) => secrets[name] };
  const pod = (...names: string[]) =>
    Pod.parse({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'x' }], imagePullSecrets: names.map((name) => ({ name })) },
    });

  it('takes the first secret with an entry for the image registry', async () => {
    const find = (image: string, ...names: string[]) => pullCredentials(pod(...names), image, sources);
    expect(await find('127.0.0.1:5000/team/app:v1', 'junk', 'missing', 'hub', 'local')).toEqual({
      username: 'me',
      password: 'pw',
      serverAddress: '127.0.0.1:5000',
    });
    expect(await find('redis', 'local', 'hub')).toEqual({ auth: 'aHViOnB3', serverAddress: 'docker.io' });
    expect(await find('ghcr.io/o/app', 'old')).toEqual({
      username: 'o',
      password: 'p',
      serverAddress: 'ghcr.io',
    });
    expect(await find('quay.io/x/y', 'hub', 'local')).toBeUndefined();
  });
});
