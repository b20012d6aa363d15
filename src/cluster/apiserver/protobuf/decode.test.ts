import { describe, expect, it } from 'vitest';
import { StatusError } from '../status.ts';
import {
  decodeKubernetesProtobuf,
  KUBERNETES_PROTOBUF,
  kubernetesProtobufSchema,
  PROTOBUF_KINDS,
} from './decode.ts';

const MAGIC = Buffer.from('k8s\0', 'latin1');

/** Wraps a message in the runtime.Unknown envelope, the way client-go does. */
function envelope(typeMeta: { apiVersion?: string; kind?: string }, raw: Uint8Array): Buffer {
  const unknown = kubernetesProtobufSchema().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  return Buffer.concat([MAGIC, unknown.encode(unknown.fromObject({ typeMeta, raw })).finish()]);
}

/**
 * A body holding `object` encoded as message `type`. protobufjs writes only the fields `object`
 * sets, so a test chooses exactly what is on the wire (Go would also write every zero non-pointer).
 */
function body(apiVersion: string, kind: string, object: Record<string, unknown>, type?: string): Buffer {
  const pkg = apiVersion === 'meta.k8s.io/v1' ? undefined : PROTOBUF_KINDS[apiVersion]?.pkg;
  const message = kubernetesProtobufSchema().lookupType(type ?? `${pkg}.${kind}`);
  return envelope({ apiVersion, kind }, message.encode(message.fromObject(object)).finish());
}

function statusOf(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    const { code, reason, message } = err as StatusError;
    return { code, reason, message };
  }
  throw new Error('expected a StatusError');
}

// 2024-01-02T03:04:05Z
const SECONDS = 1704164645;

describe('decodeKubernetesProtobuf', () => {
  it('names the media type it decodes', () => {
    expect(KUBERNETES_PROTOBUF).toBe('application/vnd.kubernetes.protobuf');
  });

  it('turns a pod into the JSON a JSON client sends, inline fields, int-or-strings and quantities included', () => {
    const pod = body('v1', 'Pod', {
      metadata: {
        name: 'web',
        namespace: 'default',
        labels: { app: 'web' },
        creationTimestamp: { seconds: SECONDS },
      },
      spec: {
        volumes: [
          { name: 'data', volumeSource: { emptyDir: { sizeLimit: { string: '1Gi' } } } },
          {
            name: 'conf',
            volumeSource: { configMap: { localObjectReference: { name: 'settings' }, defaultMode: 420 } },
          },
        ],
        containers: [
          {
            name: 'nginx',
            image: 'nginx',
            ports: [{ containerPort: 80, protocol: 'TCP', hostPort: 0 }],
            resources: { requests: { cpu: { string: '100m' } } },
            livenessProbe: {
              handler: { httpGet: { path: '/', port: { type: 1, strVal: 'http' } } },
              periodSeconds: 10,
            },
            readinessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 8080 } } } },
            env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          },
        ],
        activeDeadlineSeconds: 30,
        securityContext: { supplementalGroups: [1000, 2000], runAsNonRoot: false },
      },
    });
    expect(JSON.stringify(decodeKubernetesProtobuf(pod))).toBe(
      JSON.stringify({
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: {
          name: 'web',
          namespace: 'default',
          creationTimestamp: '2024-01-02T03:04:05Z',
          labels: { app: 'web' },
        },
        spec: {
          volumes: [
            { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
            { name: 'conf', configMap: { name: 'settings', defaultMode: 420 } },
          ],
          containers: [
            {
              name: 'nginx',
              image: 'nginx',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              resources: { requests: { cpu: '100m' } },
              livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10 },
              readinessProbe: { tcpSocket: { port: 8080 } },
            },
          ],
          activeDeadlineSeconds: 30,
          securityContext: { runAsNonRoot: false, supplementalGroups: [1000, 2000] },
        },
      }),
    );
  });

  it('keeps a pointer that is zero and drops a plain zero, as omitempty does', () => {
    const decoded = decodeKubernetesProtobuf(
      body('apps/v1', 'Deployment', {
        metadata: { name: 'idle' },
        spec: { replicas: 0, minReadySeconds: 0 },
      }),
    );
    expect(decoded).toEqual({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'idle' },
      // selector and template have no omitempty, so Go's JSON has them even when missing.
      spec: { replicas: 0, selector: null, template: null },
    });
  });

  it('writes fields without omitempty even when zero', () => {
    const decoded = decodeKubernetesProtobuf(
      body('rbac.authorization.k8s.io/v1', 'RoleBinding', {
        metadata: { name: 'rb' },
        subjects: [{ name: 'alice' }],
      }),
    );
    expect(decoded).toEqual({
      kind: 'RoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'rb' },
      subjects: [{ kind: '', name: 'alice' }],
      roleRef: null,
    });
  });

  it('writes bytes as base64 and a secret type as is', () => {
    const decoded = decodeKubernetesProtobuf(
      body('v1', 'Secret', { metadata: { name: 's' }, data: { k: Buffer.from('v') }, type: 'Opaque' }),
    );
    expect(decoded).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's' },
      data: { k: 'dg==' },
      type: 'Opaque',
    });
  });

  it('gives MicroTime six fractional digits and Time none', () => {
    const decoded = decodeKubernetesProtobuf(
      body('coordination.k8s.io/v1', 'Lease', {
        metadata: { name: 'node-1', creationTimestamp: { seconds: SECONDS, nanos: 999_000_000 } },
        spec: {
          holderIdentity: 'node-1',
          acquireTime: { seconds: SECONDS },
          renewTime: { seconds: SECONDS, nanos: 123_456_789 },
          leaseDurationSeconds: 40,
        },
      }),
    );
    expect(decoded).toEqual({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'node-1', creationTimestamp: '2024-01-02T03:04:05Z' },
      spec: {
        holderIdentity: 'node-1',
        leaseDurationSeconds: 40,
        acquireTime: '2024-01-02T03:04:05.000000Z',
        renewTime: '2024-01-02T03:04:05.123456Z',
      },
    });
  });

  it('writes an empty Time, and the zero time, as null', () => {
    const empty = body('v1', 'ConfigMap', { metadata: { name: 'a', creationTimestamp: {} } });
    expect(decodeKubernetesProtobuf(empty)).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'a', creationTimestamp: null },
    });
    const zero = body('v1', 'ConfigMap', {
      metadata: { name: 'a', creationTimestamp: { seconds: -62135596800 } },
    });
    expect(decodeKubernetesProtobuf(zero)).toMatchObject({ metadata: { creationTimestamp: null } });
  });

  it('uses the JSON names where they differ from the protobuf names', () => {
    const decoded = decodeKubernetesProtobuf(
      body('networking.k8s.io/v1', 'IngressClass', {
        metadata: { name: 'nginx' },
        spec: {
          controller: 'k8s.io/ingress-nginx',
          parameters: { aPIGroup: 'k8s.example.com', kind: 'Params', name: 'p' },
        },
      }),
    );
    expect(decoded).toEqual({
      kind: 'IngressClass',
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'nginx' },
      spec: {
        controller: 'k8s.io/ingress-nginx',
        // scope is a pointer without omitempty: null when unset.
        parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p', scope: null },
      },
    });
    const token = decodeKubernetesProtobuf(
      body('authentication.k8s.io/v1', 'TokenRequest', {
        spec: { audiences: ['api'], boundObjectRef: { kind: 'Pod', name: 'p', uID: 'u-1' } },
      }),
    ) as { spec: Record<string, unknown> };
    expect(token.spec.boundObjectRef).toEqual({ kind: 'Pod', name: 'p', uid: 'u-1' });
  });

  it('writes managedFields as the JSON they hold and extra values as lists', () => {
    const cm = decodeKubernetesProtobuf(
      body('v1', 'ConfigMap', {
        metadata: {
          name: 'a',
          managedFields: [
            {
              manager: 'kubectl',
              operation: 'Update',
              apiVersion: 'v1',
              time: { seconds: SECONDS },
              fieldsType: 'FieldsV1',
              fieldsV1: { Raw: Buffer.from('{"f:data":{"f:a":{}}}') },
            },
          ],
        },
      }),
    ) as { metadata: { managedFields: unknown[] } };
    expect(cm.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2024-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {} } },
      },
    ]);
    const sar = decodeKubernetesProtobuf(
      body('authorization.k8s.io/v1', 'SubjectAccessReview', {
        spec: {
          user: 'alice',
          extra: { scopes: { items: ['a', 'b'] } },
          nonResourceAttributes: { path: '/logs', verb: 'get' },
        },
      }),
    ) as { spec: Record<string, unknown> };
    expect(sar.spec).toEqual({
      nonResourceAttributes: { path: '/logs', verb: 'get' },
      user: 'alice',
      extra: { scopes: ['a', 'b'] },
    });
  });

  it('decodes an eviction with its delete options', () => {
    const decoded = decodeKubernetesProtobuf(
      body('policy/v1', 'Eviction', {
        metadata: { name: 'web-1', namespace: 'default' },
        deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u-1' } },
      }),
    );
    expect(decoded).toEqual({
      kind: 'Eviction',
      apiVersion: 'policy/v1',
      metadata: { name: 'web-1', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u-1' } },
    });
  });

  it('decodes DeleteOptions sent under any group version', () => {
    const options = { propagationPolicy: 'Foreground', dryRun: ['All'] };
    const type = 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions';
    for (const apiVersion of ['v1', 'apps/v1', 'meta.k8s.io/v1']) {
      expect(decodeKubernetesProtobuf(body(apiVersion, 'DeleteOptions', options, type))).toEqual({
        kind: 'DeleteOptions',
        apiVersion,
        ...options,
      });
    }
  });

  it('knows a message for every kind it accepts', () => {
    for (const [apiVersion, { kinds }] of Object.entries(PROTOBUF_KINDS)) {
      for (const kind of kinds) {
        expect(decodeKubernetesProtobuf(body(apiVersion, kind, {}))).toMatchObject({ kind, apiVersion });
      }
    }
  });

  it('answers a kind it does not know with 415, so the client sends JSON instead', () => {
    const unsupported = {
      code: 415,
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    };
    expect(
      statusOf(() =>
        decodeKubernetesProtobuf(envelope({ apiVersion: 'v1', kind: 'Widget' }, new Uint8Array())),
      ),
    ).toEqual(unsupported);
    expect(
      statusOf(() =>
        decodeKubernetesProtobuf(
          envelope({ apiVersion: 'example.com/v1', kind: 'ConfigMap' }, new Uint8Array()),
        ),
      ),
    ).toEqual(unsupported);
    expect(
      statusOf(() =>
        decodeKubernetesProtobuf(
          envelope({ apiVersion: 'apps/v1beta1', kind: 'Deployment' }, new Uint8Array()),
        ),
      ),
    ).toEqual(unsupported);
    expect(statusOf(() => decodeKubernetesProtobuf(envelope({}, new Uint8Array())))).toEqual(unsupported);
    expect(
      statusOf(() =>
        decodeKubernetesProtobuf(
          envelope({ apiVersion: 'toString', kind: 'DeleteOptions' }, new Uint8Array()),
        ),
      ),
    ).toEqual(unsupported);
    expect(
      statusOf(() =>
        decodeKubernetesProtobuf(envelope({ apiVersion: 'toString', kind: 'constructor' }, new Uint8Array())),
      ),
    ).toEqual(unsupported);
  });

  it('answers a body without the magic with 400', () => {
    for (const bad of [Buffer.alloc(0), Buffer.from('k8s'), Buffer.from('{"kind":"ConfigMap"}')]) {
      expect(statusOf(() => decodeKubernetesProtobuf(bad))).toEqual({
        code: 400,
        reason: 'BadRequest',
        message: 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
      });
    }
  });

  it('answers broken bytes with 400', () => {
    // Field 1 claims 100 bytes that are not there.
    const envelopeBroken = Buffer.concat([MAGIC, Buffer.from([0x0a, 0x64, 0x0a])]);
    expect(statusOf(() => decodeKubernetesProtobuf(envelopeBroken))).toMatchObject({
      code: 400,
      reason: 'BadRequest',
    });
    // A wire type 7 does not exist.
    const rawBroken = envelope({ apiVersion: 'v1', kind: 'ConfigMap' }, Buffer.from([0x0f, 0x01]));
    const status = statusOf(() => decodeKubernetesProtobuf(rawBroken));
    expect(status).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(status.message).toMatch(/^ConfigMap in version "v1" cannot be handled as a ConfigMap: /);
    // metadata (field 1) cut short.
    const truncated = envelope(
      { apiVersion: 'apps/v1', kind: 'Deployment' },
      Buffer.from([0x0a, 0x05, 0x0a, 0x01]),
    );
    expect(statusOf(() => decodeKubernetesProtobuf(truncated)).message).toMatch(
      /^Deployment in version "v1" cannot be handled as a Deployment: /,
    );
  });

  it('answers an int-or-string of no known type with 400', () => {
    const service = body('v1', 'Service', {
      spec: { ports: [{ port: 80, targetPort: { type: 2, intVal: 80 } }] },
    });
    expect(statusOf(() => decodeKubernetesProtobuf(service))).toMatchObject({
      code: 400,
      message: 'Service in version "v1" cannot be handled as a Service: impossible IntOrString.Type 2',
    });
  });

  it('answers managedFields that are not JSON with 400', () => {
    const cm = body('v1', 'ConfigMap', {
      metadata: { managedFields: [{ fieldsV1: { Raw: Buffer.from('{nope') } }] },
    });
    expect(statusOf(() => decodeKubernetesProtobuf(cm))).toMatchObject({ code: 400, reason: 'BadRequest' });
  });
});
