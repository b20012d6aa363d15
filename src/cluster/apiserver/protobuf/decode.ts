/**
 * Kubernetes' protobuf encoding of request bodies (Content-Type: application/vnd.kubernetes.protobuf),
 * turned back into the JSON object a JSON client would have sent. kubectl's typed commands
 * (`create configmap|secret|deployment|...`, `auth can-i`, `drain`) send protobuf; everything after
 * decoding (validation, defaults, storage) then sees the same object it sees for a JSON body.
 *
 * A body is the magic "k8s\0" and a runtime.Unknown: typeMeta {apiVersion, kind} names the kind and
 * raw holds that kind's own message. `kubectl create configmap x --from-literal=a=b` sends
 *
 *   6b 38 73 00                                   "k8s\0"
 *   0a 0f  0a 02 "v1"  12 09 "ConfigMap"           typeMeta
 *   12 1b  0a 11  0a 01 "x"  12 00 1a 00 22 00     raw: metadata {name: "x", generateName: "",
 *                 2a 00 32 00 38 00 42 00               namespace: "", ..., creationTimestamp: {}}
 *          12 06  0a 01 "a"  12 01 "b"                  data {a: b}
 *   1a 00  22 00                                  contentEncoding, contentType: empty
 *
 * and decodes to what `kubectl create configmap x --from-literal=a=b --dry-run=client -o json` prints:
 *
 *   {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null},"data":{"a":"b"}}
 *
 * Go writes every non-pointer field, so the empty strings are on the wire; Go's JSON leaves them out
 * (omitempty), and the empty Time is null. The schema's (orchlab.json) annotations carry the few
 * places where Go's JSON differs from that rule; see schema/json-option.proto.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { badRequest, unsupportedMediaType } from '../status.ts';

/** The media type of Kubernetes' protobuf encoding. */
export const KUBERNETES_PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The four bytes every protobuf body starts with: "k8s" and a zero. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** kube-apiserver's words for a body without the magic (Go prints the bytes as a decimal list). */
const NOT_PROTOBUF = `provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`;

/**
 * The kinds a protobuf body may hold, by apiVersion, with the protobuf package that defines them.
 * The schema holds exactly what these kinds reach.
 */
export const PROTOBUF_KINDS: Readonly<
  Record<string, { readonly pkg: string; readonly kinds: readonly string[] }>
> = {
  v1: {
    pkg: 'k8s.io.api.core.v1',
    kinds: [
      'Binding',
      'ConfigMap',
      'Endpoints',
      'Event',
      'LimitRange',
      'Namespace',
      'Node',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'Pod',
      'PodTemplate',
      'ReplicationController',
      'ResourceQuota',
      'Secret',
      'Service',
      'ServiceAccount',
    ],
  },
  'apps/v1': { pkg: 'k8s.io.api.apps.v1', kinds: ['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'] },
  'authentication.k8s.io/v1': {
    pkg: 'k8s.io.api.authentication.v1',
    kinds: ['SelfSubjectReview', 'TokenRequest', 'TokenReview'],
  },
  'authorization.k8s.io/v1': {
    pkg: 'k8s.io.api.authorization.v1',
    kinds: [
      'LocalSubjectAccessReview',
      'SelfSubjectAccessReview',
      'SelfSubjectRulesReview',
      'SubjectAccessReview',
    ],
  },
  'autoscaling/v1': { pkg: 'k8s.io.api.autoscaling.v1', kinds: ['HorizontalPodAutoscaler', 'Scale'] },
  'batch/v1': { pkg: 'k8s.io.api.batch.v1', kinds: ['CronJob', 'Job'] },
  'certificates.k8s.io/v1': { pkg: 'k8s.io.api.certificates.v1', kinds: ['CertificateSigningRequest'] },
  'coordination.k8s.io/v1': { pkg: 'k8s.io.api.coordination.v1', kinds: ['Lease'] },
  'discovery.k8s.io/v1': { pkg: 'k8s.io.api.discovery.v1', kinds: ['EndpointSlice'] },
  'networking.k8s.io/v1': {
    pkg: 'k8s.io.api.networking.v1',
    kinds: ['Ingress', 'IngressClass', 'NetworkPolicy'],
  },
  'policy/v1': { pkg: 'k8s.io.api.policy.v1', kinds: ['Eviction', 'PodDisruptionBudget'] },
  'rbac.authorization.k8s.io/v1': {
    pkg: 'k8s.io.api.rbac.v1',
    kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  },
  'scheduling.k8s.io/v1': { pkg: 'k8s.io.api.scheduling.v1', kinds: ['PriorityClass'] },
};

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/**
 * DeleteOptions is registered in every group version, so a client encodes it with the apiVersion of
 * whichever client sent it ("v1", "apps/v1", ...), or with meta.k8s.io/v1.
 */
const DELETE_OPTIONS = 'DeleteOptions';

/** The plain object protobufjs gives for a message: only the fields on the wire, int64 as numbers. */
type Plain = Record<string, unknown>;

const TO_PLAIN: protobuf.IConversionOptions = {
  longs: Number,
  bytes: String,
  defaults: false,
  arrays: false,
  objects: false,
};

/**
 * decodeKubernetesProtobuf decodes a protobuf request body into the JSON object of the same object:
 * kind and apiVersion first, then the fields as Go's JSON encoding writes them.
 * Every failure is a StatusError the caller can answer as is: a body without the magic, or with
 * broken bytes, is a 400 BadRequest; a kind the schema lacks is a 415 UnsupportedMediaType that
 * names the media types that always work.
 */
export function decodeKubernetesProtobuf(body: Buffer): unknown {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC))
    throw badRequest(NOT_PROTOBUF);
  const schema = loadSchema();
  let envelope: Plain;
  try {
    envelope = schema.unknown.toObject(schema.unknown.decode(body.subarray(MAGIC.length)), TO_PLAIN);
  } catch (err) {
    throw badRequest(`unable to decode the protobuf envelope: ${(err as Error).message}`);
  }
  const typeMeta = (envelope.typeMeta ?? {}) as Plain;
  const apiVersion = typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '';
  const kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
  const type = messageFor(schema.root, apiVersion, kind);
  if (!type) throw unsupportedMediaType(['application/json', 'application/yaml']);

  try {
    const raw = Buffer.from((envelope.raw as string | undefined) ?? '', 'base64');
    return { kind, apiVersion, ...(toJSON(type, type.toObject(type.decode(raw), TO_PLAIN)) as Plain) };
  } catch (err) {
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    throw badRequest(
      `${kind} in version "${version}" cannot be handled as a ${kind}: ${(err as Error).message}`,
    );
  }
}

function messageFor(root: protobuf.Root, apiVersion: string, kind: string): protobuf.Type | undefined {
  const known = Object.hasOwn(PROTOBUF_KINDS, apiVersion);
  if (kind === DELETE_OPTIONS && (known || apiVersion === 'meta.k8s.io/v1')) {
    return root.lookupType(`${META}.${DELETE_OPTIONS}`);
  }
  const group = known ? PROTOBUF_KINDS[apiVersion] : undefined;
  if (!group?.kinds.includes(kind)) return undefined;
  return root.lookupType(`${group.pkg}.${kind}`);
}

// ---- the schema ----

interface Schema {
  readonly root: protobuf.Root;
  readonly unknown: protobuf.Type;
}

let schema: Schema | undefined;

/** loadSchema parses the .proto files beside this module once, on the first protobuf body. */
function loadSchema(): Schema {
  if (schema) return schema;
  const dir = fileURLToPath(new URL('./schema/', import.meta.url));
  const require = createRequire(import.meta.url);
  const root = new protobuf.Root();
  // json-option.proto extends google's descriptor.proto, which protobufjs ships.
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? require.resolve(`protobufjs/${target}`) : join(dir, target);
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.proto'))
    .sort();
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  schema = { root, unknown: root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown') };
  return schema;
}

/** kubernetesProtobufSchema gives the parsed schema, for tests that encode bodies of their own. */
export function kubernetesProtobufSchema(): protobuf.Root {
  return loadSchema().root;
}

// ---- protobuf to JSON ----

/** A field with its JSON rule worked out from (orchlab.json); see schema/json-option.proto. */
interface FieldPlan {
  readonly field: protobuf.Field;
  readonly json: string;
  readonly inline: boolean;
  readonly always: boolean;
  readonly ptr: boolean;
}

const plans = new Map<protobuf.Type, readonly FieldPlan[]>();

function plansOf(type: protobuf.Type): readonly FieldPlan[] {
  let list = plans.get(type);
  if (!list) {
    list = type.fieldsArray.map((field) => {
      const words = String(field.options?.['(orchlab.json)'] ?? '').split(',');
      const rename = words.find((w) => w.startsWith('name='));
      return {
        field,
        json: rename ? rename.slice('name='.length) : field.name,
        inline: words.includes('inline'),
        always: words.includes('always'),
        ptr: words.includes('ptr'),
      };
    });
    plans.set(type, list);
  }
  return list;
}

/** Messages whose JSON is not an object of their fields, by full name. */
const SPECIAL: ReadonlyMap<string, (plain: Plain) => unknown> = new Map([
  [`.${META}.Time`, (t: Plain) => time(t, false)],
  [`.${META}.MicroTime`, (t: Plain) => time(t, true)],
  [`.${META}.FieldsV1`, fieldsV1],
  ['.k8s.io.apimachinery.pkg.api.resource.Quantity', (q: Plain) => q.string ?? ''],
  ['.k8s.io.apimachinery.pkg.util.intstr.IntOrString', intOrString],
  ['.k8s.io.api.authentication.v1.ExtraValue', extraValue],
  ['.k8s.io.api.authorization.v1.ExtraValue', extraValue],
  ['.k8s.io.api.certificates.v1.ExtraValue', extraValue],
]);

function toJSON(type: protobuf.Type, plain: Plain): unknown {
  const special = SPECIAL.get(type.fullName);
  if (special) return special(plain);
  const out: Plain = {};
  for (const plan of plansOf(type)) {
    const { field } = plan;
    const value = plain[field.name];
    if (field.map) {
      if (value === undefined) {
        if (plan.always) out[plan.json] = null;
      } else {
        out[plan.json] = Object.fromEntries(
          Object.entries(value as Plain).map(([key, item]) => [key, element(field, item)]),
        );
      }
    } else if (field.repeated) {
      if (value === undefined) {
        if (plan.always) out[plan.json] = null;
      } else {
        out[plan.json] = (value as unknown[]).map((item) => element(field, item));
      }
    } else if (field.resolvedType instanceof protobuf.Type) {
      if (value === undefined) {
        if (plan.always && !plan.inline) out[plan.json] = null;
      } else if (plan.inline) {
        Object.assign(out, toJSON(field.resolvedType, value as Plain));
      } else {
        out[plan.json] = toJSON(field.resolvedType, value as Plain);
      }
    } else if (value === undefined) {
      // Only a pointer (or bytes) is ever missing from Go's output; a non-pointer is zero then.
      if (plan.always) out[plan.json] = plan.ptr || field.type === 'bytes' ? null : zeroOf(field.type);
    } else if (plan.ptr || plan.always || !isZero(value)) {
      out[plan.json] = value;
    }
  }
  return out;
}

function element(field: protobuf.Field, item: unknown): unknown {
  return field.resolvedType instanceof protobuf.Type ? toJSON(field.resolvedType, item as Plain) : item;
}

const isZero = (value: unknown) => value === '' || value === 0 || value === false;

function zeroOf(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  return 0;
}

/** Go's zero time.Time (0001-01-01T00:00:00Z), which JSON writes as null. */
const ZERO_TIME_SECONDS = -62135596800;

/**
 * time formats a metav1.Time as Go's JSON does: RFC 3339 in UTC, to the second. A MicroTime keeps
 * six fractional digits, truncated as Go truncates them. An empty message (what Go writes for the
 * zero time) and the zero time itself are null; a Time's nanos are dropped, as Go drops them on read.
 */
function time(t: Plain, micro: boolean): string | null {
  if (Object.keys(t).length === 0) return null;
  const seconds = Number(t.seconds ?? 0);
  const nanos = micro ? Number(t.nanos ?? 0) : 0;
  if (seconds === ZERO_TIME_SECONDS && nanos === 0) return null;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw new RangeError(`time ${seconds}s is out of range`);
  const base = date.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.trunc(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** IntOrString is its int (type 0) or its string (type 1); Go refuses any other type. */
function intOrString(v: Plain): number | string {
  const type = Number(v.type ?? 0);
  if (type === 0) return Number(v.intVal ?? 0);
  if (type === 1) return String(v.strVal ?? '');
  throw new Error(`impossible IntOrString.Type ${type}`);
}

/** FieldsV1's Raw already is JSON (base64 here, as protobufjs gives bytes). */
function fieldsV1(v: Plain): unknown {
  const raw = Buffer.from(String(v.Raw ?? ''), 'base64').toString('utf8');
  return raw === '' ? null : JSON.parse(raw);
}

/** ExtraValue is a Go []string; a nil one is null in JSON. */
function extraValue(v: Plain): unknown {
  return v.items ?? null;
}
