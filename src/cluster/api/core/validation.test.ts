import { describe, expect, it } from 'vitest';
import { createAs } from '../../apiserver/registry/testing/create.ts';
import { type FieldError, fieldErrorString } from '../field-error.ts';
import { configMaps, namespaces, nodes, replicationControllers, secrets } from '../resources.ts';
import { fixture } from '../testdata/fixtures.ts';
import {
  validateBinding,
  validateConfigMap,
  validateConfigMapUpdate,
  validateEndpoints,
  validateEvent,
  validateNamespace,
  validateNode,
  validateReplicationController,
  validateSecret,
  validateSecretUpdate,
} from './validation.ts';

const text = (errs: FieldError[]) => errs.map(fieldErrorString);

describe('Namespace', () => {
  it('needs a DNS label name', () => {
    const ns = createAs(namespaces, { metadata: { name: 'my.team' } });
    expect(text(validateNamespace(ns))).toEqual([
      'metadata.name: Invalid value: "my.team": must not contain dots',
    ]);
  });
});

describe('ConfigMap and Secret', () => {
  it('check data keys', () => {
    const cm = createAs(configMaps, {
      metadata: { name: 'cfg', namespace: 'default' },
      data: { 'my key': 'x', ok: 'y' },
      binaryData: { ok: 'eA==' },
    });
    expect(text(validateConfigMap(cm))).toEqual([
      `data[my key]: Invalid value: "my key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      'data[ok]: Invalid value: "ok": duplicate of key present in binaryData',
    ]);
  });

  it('freeze immutable data', () => {
    const old = createAs(configMaps, {
      metadata: { name: 'cfg', namespace: 'default', resourceVersion: '1' },
      immutable: true,
      data: { a: '1' },
    });
    const next = { ...structuredClone(old), data: { a: '2' } };
    expect(text(validateConfigMapUpdate(next, old))).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });

  it('check the keys a secret type requires, and keep the type', () => {
    const tls = createAs(secrets, {
      metadata: { name: 't', namespace: 'default', resourceVersion: '1' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'eA==' },
    });
    expect(text(validateSecret(tls))).toEqual(['data[tls.key]: Required value']);
    const opaque = { ...structuredClone(tls), type: 'Opaque' };
    expect(text(validateSecretUpdate(opaque, tls))).toEqual([
      'type: Invalid value: "Opaque": field is immutable',
    ]);
  });
});

describe('ReplicationController', () => {
  it('accepts the controller from the learner notes', () => {
    const rc = createAs(replicationControllers, fixture('seed-replication-controller'));
    rc.metadata.namespace = 'default';
    expect(validateReplicationController(rc)).toEqual([]);
  });

  it('needs a template whose labels match the selector', () => {
    const rc = createAs(replicationControllers, fixture('seed-replication-controller'));
    rc.metadata.namespace = 'default';
    rc.spec.selector = { app: 'other' };
    expect(text(validateReplicationController(rc))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"myapp", "type":"front-end"}: `selector` does not match template `labels`',
    ]);
  });
});

describe('Node', () => {
  it('reports taint problems under metadata.taints, as Kubernetes does', () => {
    const node = createAs(nodes, {
      metadata: { name: 'node-1' },
      spec: {
        taints: [
          { key: 'a', effect: 'NoSchedule' },
          { key: 'a', effect: 'NoSchedule' },
          { key: 'b', effect: 'Never' },
        ],
      },
    });
    expect(text(validateNode(node))).toEqual([
      'metadata.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
      'metadata.taints[2].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  it('copies capacity into allocatable by default', () => {
    const node = createAs(nodes, {
      metadata: { name: 'node-1' },
      status: { capacity: { cpu: 4, memory: '8192Mi' } },
    });
    expect(node.status.allocatable).toEqual({ cpu: '4', memory: '8Gi' });
  });
});

describe('Endpoints, Event and Binding', () => {
  it('refuse loopback endpoint addresses', () => {
    const errs = validateEndpoints({
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }] }],
    });
    expect(text(errs)).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ]);
  });

  it('keep events in the namespace of their object', () => {
    const errs = validateEvent({
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { namespace: 'shop' },
      source: {},
    });
    expect(text(errs)).toEqual([
      'involvedObject.namespace: Invalid value: "shop": does not match event.namespace',
    ]);
  });

  it('bind pods to nodes only', () => {
    expect(text(validateBinding({ metadata: { name: 'p' }, target: { kind: 'Pod' } }))).toEqual([
      'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
      'target.name: Required value',
    ]);
  });
});
