import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAs, type ResourceType, resources } from '../../src/cluster/api/resources.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { type RawClient, type RawRequest, type RawResponse, rawClient } from '../support/raw-client.ts';

// A few thousand random mutations of valid requests, from a seeded PRNG so a failure replays:
// FUZZ_SEED=<seed> FUZZ_RUNS=<n> npx vitest run test/apiserver/fuzz.test.ts
//
// Every failure must be a well-formed Kubernetes Status, never a 5xx; the server must keep
// answering; and whatever the fuzzer managed to create must read back as a well-formed object.

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const PARALLEL = 8;
const NS = 'fuzz';

let lab: TestLab;
let api: RawClient;

beforeAll(async () => {
  lab = await startTestLab({ scheduler: false });
  api = await rawClient(lab.kubeconfig, { keepAlive: true });
  await json(201, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
  for (const [path, obj] of Object.entries(SEEDS)) await json(201, 'POST', path, obj);
});

afterAll(async () => {
  api?.close();
  await lab?.stop();
});

async function json(code: number, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const res = await api.request({
    method,
    path,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}: ${res.text}`).toBe(code);
  return res;
}

/** mulberry32: small, fast and good enough to pick mutations. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rand = ReturnType<typeof prng>;

const core = `/api/v1/namespaces/${NS}`;
const apps = `/apis/apps/v1/namespaces/${NS}`;

/** Valid objects the mutations start from, by the collection they are created in. */
const SEEDS: Record<string, object> = {
  [`${core}/configmaps`]: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', labels: { app: 'web', tier: 'front' }, annotations: { note: 'seed' } },
    data: { color: 'blue', size: '3' },
  },
  [`${core}/pods`]: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'prod' }],
          resources: { limits: { cpu: '500m', memory: '128Mi' } },
        },
      ],
      restartPolicy: 'Always',
    },
  },
  [`${core}/services`]: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  },
  [`${apps}/deployments`]: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    },
  },
};

const COLLECTIONS = Object.keys(SEEDS);
const NAMES = ['settings', 'web', 'fuzzed', 'x', '', 'Bad_Name', 'a.b', '%00', '..', 'a%2Fb', 'ç', '-'];
const RESOURCES = {
  '/api/v1': ['pods', 'configmaps', 'services', 'secrets', 'events', 'endpoints', 'serviceaccounts', 'foos'],
  '/apis/apps/v1': ['deployments', 'replicasets', 'daemonsets', 'foos'],
};
const SUBRESOURCES = ['status', 'scale', 'log', 'exec', 'binding', 'eviction', 'foo', 'proxy'];
const METHODS = [
  'GET',
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'FOO',
  'PROPFIND',
  'CONNECT',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/yaml',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/vnd.kubernetes.protobuf',
  'text/plain',
  '',
];

/** Values of every JSON type, and a few that Go or our decoders find awkward. */
function oddValue(r: Rand): unknown {
  return r.pick<() => unknown>([
    () => null,
    () => r.chance(0.5),
    () => r.int(2_000_000) - 1_000_000,
    () => 2 ** 63,
    () => -0.5,
    () => 1e308,
    () => '',
    () => 'x'.repeat(r.int(400)),
    () => '日本\u0000\n"\\',
    () => ['a', 1, null],
    () => ({ nested: { deeper: [r.int(10)] } }),
    () => ({}),
    () => [],
    () => '500m',
    () => 'Always',
  ])();
}

/** Replaces, deletes or adds values at random places in a copy of `value`. */
function mutateValue(r: Rand, value: unknown, depth = 0): unknown {
  if (depth > 0 && r.chance(0.15)) return oddValue(r);
  if (Array.isArray(value)) {
    const copy = value.map((v) => (r.chance(0.4) ? mutateValue(r, v, depth + 1) : v));
    if (r.chance(0.1)) copy.push(oddValue(r));
    return copy;
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (r.chance(0.05)) continue;
      copy[r.chance(0.02) ? k.toUpperCase() : k] = r.chance(0.4) ? mutateValue(r, v, depth + 1) : v;
    }
    if (r.chance(0.1)) {
      const key = r.pick([
        'foo',
        'status',
        'spec',
        '__proto__',
        'constructor',
        'kind',
        '$patch',
        '日本',
        'a"b\\',
        'x\ny',
      ]);
      // Defined, not assigned: "__proto__" must stay a key, as JSON.parse makes it.
      Object.defineProperty(copy, key, {
        value: oddValue(r),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return r.chance(0.3) ? oddValue(r) : value;
}

const TOKENS = ['{', '}', '[', ']', '"', ',', ':', 'null', '\\', '\u0000', '\uffff', '1e999', '-', '\n'];

/** Flips, inserts and deletes bytes (and JSON tokens) of a serialised body. */
function mutateBytes(r: Rand, text: string): Buffer {
  let bytes = Buffer.from(text);
  for (let n = 1 + r.int(4); n > 0; n--) {
    const at = r.int(bytes.length + 1);
    const op = r.int(4);
    if (op === 0 && at < bytes.length) bytes[at] = bytes[at]! ^ (1 << r.int(8));
    else if (op === 1)
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([r.int(256)]), bytes.subarray(at)]);
    else if (op === 2) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + r.int(8))]);
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(r.pick(TOKENS)), bytes.subarray(at)]);
  }
  return bytes;
}

/** A query string of list, watch and write parameters, valid and not. */
function randomQuery(r: Rand): string {
  const params = new URLSearchParams();
  const garbage = () =>
    r.pick(['', 'abc', '-1', '0', '1', '99999999999999999999', '1.5', '%', '\u0000', 'true', ' 5']);
  const choices: [string, () => string][] = [
    ['limit', () => r.pick(['1', '2', '500', garbage()])],
    [
      'continue',
      () => r.pick([garbage(), 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJ4In0', 'not-base64!!']),
    ],
    [
      'labelSelector',
      () =>
        r.pick([
          'app=web',
          'app in (web,db)',
          '!app',
          'app!=x,tier',
          'a===b',
          '(',
          'app notin ()',
          garbage(),
        ]),
    ],
    [
      'fieldSelector',
      () =>
        r.pick([
          'metadata.name=web',
          'metadata.namespace!=x',
          'spec.nodeName=',
          'status.phase=Running',
          'foo=bar',
          '=',
          garbage(),
        ]),
    ],
    ['resourceVersion', () => r.pick(['0', '1', '', '999999999', garbage()])],
    ['resourceVersionMatch', () => r.pick(['Exact', 'NotOlderThan', 'Bogus'])],
    ['watch', () => r.pick(['true', '1', 'false', 'no', garbage()])],
    ['timeoutSeconds', () => r.pick(['1', '0', garbage()])],
    ['allowWatchBookmarks', () => r.pick(['true', garbage()])],
    ['fieldValidation', () => r.pick(['Strict', 'Warn', 'Ignore', 'strict', garbage()])],
    ['dryRun', () => r.pick(['All', 'None', garbage()])],
    ['propagationPolicy', () => r.pick(['Background', 'Foreground', 'Orphan', garbage()])],
    ['gracePeriodSeconds', () => r.pick(['0', '30', garbage()])],
    ['includeObject', () => r.pick(['Object', 'None', 'Metadata', garbage()])],
    ['fieldManager', () => r.pick(['kubectl', 'x'.repeat(200), garbage()])],
    ['pretty', () => r.pick(['true', garbage()])],
    [garbage() || 'zz', garbage],
  ];
  for (let n = r.int(4); n > 0; n--) {
    const [name, value] = r.pick(choices);
    params.append(name, value());
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function randomPath(r: Rand): string {
  const prefix = r.pick(Object.keys(RESOURCES) as (keyof typeof RESOURCES)[]);
  const resource = r.pick(RESOURCES[prefix]);
  const ns = r.pick([NS, NS, NS, 'nope', 'Bad_NS']);
  const parts: string[] = [prefix];
  if (r.chance(0.9)) parts.push('namespaces', encodeURIComponent(ns));
  if (r.chance(0.05)) parts.push('watch');
  parts.push(resource);
  if (r.chance(0.7)) parts.push(encodeURIComponent(r.pick(NAMES)));
  if (r.chance(0.2)) parts.push(r.pick(SUBRESOURCES));
  if (r.chance(0.03)) parts.push('extra');
  return parts.join('/');
}

/** One random request, from one of the generators. */
function randomRequest(r: Rand): RawRequest {
  const seedPath = r.pick(COLLECTIONS);
  const seed = SEEDS[seedPath]!;
  const name = `fuzzed-${r.int(50)}`;
  const named = { ...seed, metadata: { ...(seed as { metadata: object }).metadata, name } };
  const headers = { 'Content-Type': 'application/json' };
  switch (r.int(7)) {
    case 0: // a create whose bytes were damaged
      return {
        method: 'POST',
        path: seedPath + randomQuery(r),
        headers,
        body: mutateBytes(r, JSON.stringify(named)),
      };
    case 1: // a create or replace with values of the wrong type, missing or unknown fields
      return {
        method: r.pick(['POST', 'POST', 'PUT']),
        path: `${seedPath}${r.chance(0.5) ? `/${name}` : ''}${r.chance(0.5) ? '?fieldValidation=Warn' : ''}`,
        headers: r.chance(0.1) ? { 'Content-Type': 'application/yaml' } : headers,
        body: JSON.stringify(mutateValue(r, named)),
      };
    case 2: {
      // a patch of an existing object, of any type, with any body
      const type = r.pick([
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/json-patch+json',
      ]);
      const body =
        type === 'application/json-patch+json'
          ? JSON.stringify(
              Array.from({ length: 1 + r.int(3) }, () => ({
                op: r.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'nope']),
                path: r.pick([
                  '/metadata/labels/x',
                  '/spec',
                  '/data/color',
                  '/kind',
                  '/metadata/name',
                  '/a/b/c',
                  '',
                  '/-',
                ]),
                value: oddValue(r),
                from: r.pick(['/metadata', '/spec', '/x']),
              })),
            )
          : JSON.stringify(mutateValue(r, r.chance(0.5) ? seed : { metadata: { labels: { a: 'b' } } }));
      const target = `${seedPath}/${r.pick([(seed as { metadata: { name: string } }).metadata.name, name])}`;
      return {
        method: 'PATCH',
        path: `${target}${r.chance(0.2) ? `/${r.pick(['status', 'scale'])}` : ''}${randomQuery(r)}`,
        headers: { 'Content-Type': type },
        body: r.chance(0.2) ? mutateBytes(r, body) : body,
      };
    }
    case 3: // list and watch with odd parameters
      return {
        method: 'GET',
        path: `${r.chance(0.5) ? seedPath : randomPath(r)}${randomQuery(r)}`,
        cutStreams: true,
      };
    case 4: {
      // any method on any path, with any body and content type
      const method = r.pick(METHODS);
      const body = r.chance(0.5) ? JSON.stringify(r.chance(0.5) ? named : mutateValue(r, named)) : undefined;
      return {
        method,
        path: randomPath(r) + randomQuery(r),
        headers: { 'Content-Type': r.pick(CONTENT_TYPES) },
        body: method === 'GET' || method === 'HEAD' || method === 'CONNECT' ? undefined : body,
        cutStreams: true,
      };
    }
    case 5: {
      // the subresources and virtual resources served by code of their own
      const [method, path, body] = r.pick<[string, string, object]>([
        [
          'POST',
          `${core}/pods/web/binding`,
          {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name: 'web' },
            target: { kind: 'Node', name: 'node-1' },
          },
        ],
        [
          'POST',
          `${core}/pods/web/eviction`,
          {
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name: 'web' },
            deleteOptions: { gracePeriodSeconds: 0 },
          },
        ],
        [
          'PUT',
          `${apps}/deployments/web/scale`,
          { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 3 } },
        ],
        [
          'PUT',
          `${core}/pods/web/status`,
          { ...named, metadata: { name: 'web' }, status: { phase: 'Running' } },
        ],
        [
          'POST',
          '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: NS } },
          },
        ],
      ]);
      const text = JSON.stringify(r.chance(0.7) ? mutateValue(r, body) : body);
      return {
        method,
        path: path + randomQuery(r),
        headers,
        body: r.chance(0.3) ? mutateBytes(r, text) : text,
      };
    }
    default: // deletes, with options in the query and the body
      return {
        method: 'DELETE',
        path: `${seedPath}${r.chance(0.7) ? `/${name}` : ''}${randomQuery(r)}`,
        headers,
        body: r.chance(0.5)
          ? JSON.stringify(
              mutateValue(r, {
                kind: 'DeleteOptions',
                apiVersion: 'v1',
                propagationPolicy: 'Background',
                gracePeriodSeconds: 0,
              }),
            )
          : undefined,
      };
  }
}

const describeRequest = (req: RawRequest) =>
  `${req.method} ${req.path} [${JSON.stringify(req.headers ?? {})}] ${req.body === undefined ? '' : JSON.stringify(req.body.toString()).slice(0, 300)}`;

/** What is wrong with a response, if anything. */
function problemWith(req: RawRequest, res: RawResponse): string | undefined {
  // kube-apiserver's one 5xx for a client's request: a resourceVersion the store has not reached.
  const tooLargeRV = res.status === 504 && res.text.includes('"reason":"Timeout"');
  if (res.status >= 500 && !tooLargeRV) return `server error ${res.status}: ${res.text.slice(0, 400)}`;
  if (res.status < 400 || req.method === 'HEAD' || res.streamed) return undefined;
  let status: Record<string, unknown>;
  try {
    status = res.json();
  } catch {
    return `${res.status} with a body that is not JSON: ${JSON.stringify(res.text.slice(0, 200))}`;
  }
  const wellFormed =
    status.kind === 'Status' &&
    status.apiVersion === 'v1' &&
    status.status === 'Failure' &&
    status.code === res.status &&
    typeof status.reason === 'string' &&
    status.reason !== '' &&
    typeof status.message === 'string' &&
    JSON.stringify(status.metadata) === '{}' &&
    res.headers['content-type'] === 'application/json';
  return wellFormed ? undefined : `${res.status} with a malformed Status: ${res.text.slice(0, 300)}`;
}

describe('fuzzing the API with mutated requests', () => {
  it(`answers ${RUNS} random requests (seed ${SEED}) with well-formed Statuses and stores only well-formed objects`, async () => {
    const r = prng(SEED);
    const requests = Array.from({ length: RUNS }, () => randomRequest(r));
    const problems: string[] = [];
    const codes = new Map<number, number>();
    /** What successful writes answered with, to read back at the end. */
    const written = new Map<string, ResourceType>();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const req = requests[next++]!;
        try {
          const res = await api.request({ ...req, timeoutMs: 5_000 });
          codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
          const problem = problemWith(req, res);
          if (problem) problems.push(`${problem}\n    after ${describeRequest(req)}`);
          // A dry run answers with an object that was never stored (and has no resourceVersion).
          const write = req.method !== 'GET' && req.method !== 'HEAD' && !req.path.includes('dryRun=All');
          const stored = res.status < 300 && write && storedObject(res);
          if (stored && 'unknown' in stored) {
            problems.push(
              `wrote an object of no served type: ${stored.unknown}\n    after ${describeRequest(req)}`,
            );
          } else if (stored) {
            const found = objectProblems(stored.type, stored.obj);
            if (found.length) problems.push(`wrote ${found.join('; ')}\n    after ${describeRequest(req)}`);
            written.set(stored.path, stored.type);
          }
        } catch (err) {
          problems.push(`no answer (${(err as Error).message})\n    after ${describeRequest(req)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    expect(problems, `seed ${SEED}; answers by code: ${JSON.stringify([...codes])}`).toEqual([]);
    // The fuzzer reached past the decoders: some writes succeeded, and many requests were refused.
    expect(written.size).toBeGreaterThan(0);
    expect([...codes.keys()].some((c) => c >= 400)).toBe(true);

    // Still serving, and every object written that is still there reads back well-formed.
    await json(200, 'GET', '/version');
    const malformed: string[] = [];
    for (const [path, type] of written) {
      const res = await api.request({ method: 'GET', path });
      if (res.status === 404) continue;
      expect(res.status, `GET ${path}: ${res.text}`).toBe(200);
      malformed.push(...objectProblems(type, res.json()).map((p) => `${path}: ${p}`));
    }
    expect(malformed).toEqual([]);
  });
});

/**
 * The object a write answered with, its type and where it lives; `unknown` for a named object of
 * a type no resource serves; undefined for anything else (a Status, a list, a Scale).
 */
function storedObject(res: RawResponse) {
  let obj: Record<string, unknown>;
  try {
    obj = res.json();
  } catch {
    return undefined;
  }
  const [group, version] = String(obj.apiVersion).includes('/')
    ? String(obj.apiVersion).split('/')
    : ['', obj.apiVersion];
  const type = resources.find((t) => t.group === group && t.version === version && t.kind === obj.kind);
  const meta = obj.metadata as { name?: string; namespace?: string } | undefined;
  if (!meta?.name || obj.kind === 'Scale') return undefined;
  if (!type) return { unknown: `${obj.apiVersion} ${obj.kind} ${meta.name}` };
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const path = `${prefix}${type.namespaced ? `/namespaces/${meta.namespace}` : ''}/${type.plural}/${meta.name}`;
  return { obj, type, path };
}

/** Why a stored object is not one the API could have accepted: the wrong type, or invalid. */
function objectProblems(type: ResourceType, obj: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
  if (obj.apiVersion !== apiVersion || obj.kind !== type.kind)
    problems.push(`is ${obj.apiVersion} ${obj.kind}`);
  const meta = obj.metadata as Record<string, unknown>;
  if (type.namespaced && meta.namespace !== NS) problems.push(`namespace ${JSON.stringify(meta.namespace)}`);
  if (typeof meta.uid !== 'string' || !/^[0-9a-f-]{36}$/.test(meta.uid))
    problems.push(`uid ${JSON.stringify(meta.uid)}`);
  if (typeof meta.resourceVersion !== 'string' || !/^\d+$/.test(meta.resourceVersion)) {
    problems.push(`resourceVersion ${JSON.stringify(meta.resourceVersion)}`);
  }
  const decoded = decodeAs(type, obj, 'Strict');
  if (!decoded.ok) {
    problems.push(
      `does not decode: ${decoded.reason === 'BadRequest' ? decoded.message : JSON.stringify(decoded.errors)}`,
    );
  } else {
    const errors = type.validate(decoded.object);
    if (errors.length)
      problems.push(`is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
  return problems;
}
