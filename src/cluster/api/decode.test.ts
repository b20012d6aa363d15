import { describe, expect, it } from 'vitest';
import { Deployment } from './apps/deployment.ts';
import { Secret } from './core/config.ts';
import { Pod } from './core/pod.ts';
import { type DecodeTarget, decode } from './decode.ts';
import { fixture } from './testdata/fixtures.ts';

const pod = { schema: Pod, kind: 'Pod', version: 'v1' };
const deployment = { schema: Deployment, kind: 'Deployment', version: 'v1' };

describe('real manifests parse strictly', () => {
  it.each<[string, DecodeTarget<unknown>]>([
    ['seed-pod', pod],
    ['seed-deployment', deployment],
    ['web-deployment', deployment],
    ['kubectl-create-deployment', deployment],
  ])('%s', (name, target) => {
    const result = decode(target, fixture(name), 'Strict');
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });
});

describe('unknown fields follow fieldValidation', () => {
  const body = {
    metadata: { name: 'p' },
    spec: {
      containers: [
        { name: 'a', image: 'nginx', imagePullPolice: 'Always', ports: [{ containerPort: 80, hostport: 1 }] },
      ],
      foo: 1,
    },
  };

  it('Strict refuses them, in document order, with the full path', () => {
    expect(decode(pod, body, 'Strict')).toEqual({
      ok: false,
      reason: 'BadRequest',
      message:
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolice", unknown field "spec.containers[0].ports[0].hostport", unknown field "spec.foo"',
    });
  });

  it('Warn drops them and warns', () => {
    const result = decode(pod, body, 'Warn');
    expect(result).toMatchObject({
      ok: true,
      warnings: [
        'unknown field "spec.containers[0].imagePullPolice"',
        'unknown field "spec.containers[0].ports[0].hostport"',
        'unknown field "spec.foo"',
      ],
    });
    expect(result.ok && result.object.spec.containers[0]).toEqual({
      name: 'a',
      image: 'nginx',
      ports: [{ containerPort: 80 }],
      resources: {},
    });
  });

  it('Ignore drops them silently', () => {
    expect(decode(pod, body, 'Ignore')).toMatchObject({ ok: true, warnings: [] });
  });
});

describe('type errors are worded as Go encoding/json words them', () => {
  it.each<[DecodeTarget<unknown>, unknown, string]>([
    [
      pod,
      { spec: { containers: 'nginx' } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container',
    ],
    [
      pod,
      { spec: { containers: [{ name: 'a', image: 3 }] } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string',
    ],
    [
      pod,
      { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80.5 }] }] } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    ],
    [
      pod,
      { metadata: { labels: { app: true } } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string',
    ],
    [
      pod,
      { metadata: 'web' },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta',
    ],
    [
      pod,
      { spec: { containers: [{ name: 'a', resources: { limits: { cpu: 'one' } } }] } },
      `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ],
    [
      pod,
      { metadata: { creationTimestamp: 'yesterday' } },
      'Pod in version "v1" cannot be handled as a Pod: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    ],
    [
      deployment,
      { spec: { replicas: '3' } },
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      deployment,
      { spec: { strategy: { rollingUpdate: { maxSurge: true } } } },
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32',
    ],
    [
      { schema: Secret, kind: 'Secret', version: 'v1' },
      { data: { password: 'c2VjcmV0!' } },
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 8',
    ],
  ])('%#', (target, body, message) => {
    expect(decode(target, body, 'Strict')).toEqual({ ok: false, reason: 'BadRequest', message });
  });
});

describe('missing required fields are field errors, as validation reports them', () => {
  it('names the path', () => {
    expect(
      decode(pod, { metadata: { name: 'p' }, spec: { containers: [{ image: 'nginx' }] } }, 'Strict'),
    ).toEqual({
      ok: false,
      reason: 'Invalid',
      errors: [{ type: 'FieldValueRequired', field: 'spec.containers[0].name', message: 'Required value' }],
    });
    expect(decode(pod, { metadata: { name: 'p' } }, 'Strict')).toMatchObject({
      errors: [{ field: 'spec.containers', message: 'Required value' }],
    });
    expect(decode(deployment, { metadata: { name: 'd' } }, 'Strict')).toMatchObject({
      errors: [
        { field: 'spec.selector', message: 'Required value' },
        { field: 'spec.template.spec.containers', message: 'Required value' },
      ],
    });
  });
});

describe('JSON null', () => {
  it('means "not set" for an object field, as for Go', () => {
    expect(
      decode(
        pod,
        { metadata: { name: 'p', labels: null }, spec: { containers: [{ name: 'a', command: null }] } },
        'Strict',
      ),
    ).toMatchObject({
      ok: true,
      object: { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }] } },
    });
  });
});

describe('hostile input', () => {
  it('treats a __proto__ key as an unknown field', () => {
    const body = JSON.parse(
      '{"metadata":{"name":"p","__proto__":{"polluted":true}},"spec":{"containers":[{"name":"a"}]}}',
    );
    expect(decode(pod, body, 'Strict')).toMatchObject({
      ok: false,
      message:
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.__proto__"',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the kind when the body is not an object at all', () => {
    expect(decode(pod, [], 'Strict')).toMatchObject({
      message:
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal array into Go value of type v1.Pod',
    });
  });
});
