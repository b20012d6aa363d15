import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../support/lab.ts';
import {
  type RawClient,
  type RawRequest,
  type RawResponse,
  rawClient,
  warningHeaders,
} from '../support/raw-client.ts';

// Requests no well-behaved client sends, each answered with the Status kube-apiserver v1.32 gives
// (its code, reason, message and details, word for word), and after each: nothing stored changed,
// and the server still answers.

const NS = 'bad-input';
const configmaps = `/api/v1/namespaces/${NS}/configmaps`;
const pods = `/api/v1/namespaces/${NS}/pods`;
const JSON_TYPE = { 'Content-Type': 'application/json' };

let lab: TestLab;
let api: RawClient;
/** Collection paths of every namespaced, listable resource the server serves. */
let listable: string[] = [];

beforeAll(async () => {
  lab = await startTestLab({ scheduler: false, controllers: false });
  api = await rawClient(lab.kubeconfig);
  listable = await namespacedCollections();
  await must(201, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: NS } } });
  await must(201, {
    method: 'POST',
    path: configmaps,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { color: 'blue' } },
  });
});

afterAll(async () => {
  api?.close();
  await lab?.stop();
});

/** The Status fields every failure carries, and what kube-apiserver puts in details (if anything). */
interface ExpectedStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: unknown;
}

function expectStatus(res: RawResponse, expected: ExpectedStatus): void {
  expect(res.status).toBe(expected.code);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.json()).toEqual({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: expected.message,
    reason: expected.reason,
    ...(expected.details === undefined ? {} : { details: expected.details }),
    code: expected.code,
  });
}

type JsonRequest = Omit<RawRequest, 'body'> & { readonly body?: unknown };

function send(req: JsonRequest): Promise<RawResponse> {
  const { body } = req;
  const raw =
    body === undefined || typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return api.request({ ...req, headers: { ...JSON_TYPE, ...req.headers }, body: raw as string | Buffer });
}

async function must(code: number, req: JsonRequest): Promise<RawResponse> {
  const res = await send(req);
  expect(res.status, res.text).toBe(code);
  return res;
}

/** The namespaced resources discovery lists with a list verb, as collection paths in NS. */
async function namespacedCollections(): Promise<string[]> {
  interface ResourceList {
    resources: { name: string; namespaced: boolean; verbs: string[] }[];
  }
  const groups = (await must(200, { method: 'GET', path: '/apis' })).json<{
    groups: { preferredVersion: { groupVersion: string } }[];
  }>();
  const prefixes = ['/api/v1', ...groups.groups.map((g) => `/apis/${g.preferredVersion.groupVersion}`)];
  const paths: string[] = [];
  for (const prefix of prefixes) {
    const list = (await must(200, { method: 'GET', path: prefix })).json<ResourceList>();
    for (const r of list.resources) {
      if (r.namespaced && !r.name.includes('/') && r.verbs.includes('list')) {
        paths.push(`${prefix}/namespaces/${NS}/${r.name}`);
      }
    }
  }
  return paths;
}

/** Every object stored in NS, whole, by collection; and the store's revision, which any write moves. */
async function snapshot(): Promise<{ revision: number; objects: Record<string, unknown[]> }> {
  const objects: Record<string, unknown[]> = {};
  for (const path of listable) {
    objects[path] = (await must(200, { method: 'GET', path })).json<{ items: unknown[] }>().items;
  }
  return { revision: lab.plane.store.status().revision, objects };
}

/** The server still answers an ordinary request, and promptly. */
async function expectServing(): Promise<void> {
  const started = Date.now();
  const res = await must(200, { method: 'GET', path: `${configmaps}/x`, timeoutMs: 2_000 });
  expect(res.json<{ data: unknown }>().data).toEqual({ color: 'blue' });
  expect(Date.now() - started).toBeLessThan(2_000);
}

/**
 * Sends a request that must be refused: checks that nothing stored changed and that the server
 * still answers. `cut` allows the server to close the connection instead of answering.
 */
async function refused(req: JsonRequest, options: { cut?: boolean } = {}): Promise<RawResponse | undefined> {
  const before = await snapshot();
  let res: RawResponse | undefined;
  try {
    res = await send(req);
  } catch (err) {
    if (!options.cut) throw err;
  }
  expect(await snapshot()).toEqual(before);
  await expectServing();
  return res;
}

const badRequest = (message: string): ExpectedStatus => ({ code: 400, reason: 'BadRequest', message });

/** kube-apiserver's wording when it cannot read apiVersion and kind from a body (transformDecodeError). */
const unrecognized = (kind: string, why: string, summary: string) =>
  badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why} (${summary})`);

const DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('malformed bodies', () => {
  it('refuses a truncated JSON body as Go would fail to read its kind', async () => {
    const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"';
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body }))!,
      unrecognized(
        'ConfigMap',
        "couldn't get version/kind; json parse error: unexpected end of JSON input",
        '{"apiVersion":"v1","kind":"Con ...',
      ),
    );
  });

  // Go's encoding/json words each syntax error by what it expected where it failed.
  it.each([
    ['{"apiVersion":"v1",}', "invalid character '}' looking for beginning of object key string"],
    ['{"metadata" {}}', "invalid character '{' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{"a":[1 2]}', "invalid character '2' after array element"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":nul!}', "invalid character '!' in literal null (expecting 'l')"],
    ['{"a":01}', "invalid character '1' after object key:value pair"],
    ['{"a":-}', "invalid character '}' in numeric literal"],
    ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
    ['{"a":1e+}', "invalid character '}' in exponent of numeric literal"],
    ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
    ['{"a":"\\u12x4"}', "invalid character 'x' in \\u hexadecimal character escape"],
    ['{"a":"\t"}', "invalid character '\\t' in string literal"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['{} {}', "invalid character '{' after top-level value"],
  ])('refuses %j in Go words', async (body, problem) => {
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body }))!,
      unrecognized('ConfigMap', `couldn't get version/kind; json parse error: ${problem}`, body),
    );
  });

  it('refuses an empty body and bodies that are not objects', async () => {
    const struct =
      'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body: '' }))!,
      unrecognized(
        'ConfigMap',
        "couldn't get version/kind; json parse error: unexpected end of JSON input",
        '<empty>',
      ),
    );
    for (const [body, type] of [
      ['[]', 'array'],
      ['"x"', 'string'],
      ['12', 'number'],
      ['true', 'bool'],
    ]) {
      expectStatus(
        (await refused({ method: 'POST', path: configmaps, body }))!,
        unrecognized(
          'ConfigMap',
          `couldn't get version/kind; json parse error: json: cannot unmarshal ${type} into Go value of type ${struct}`,
          Buffer.from(body!).toString('hex'),
        ),
      );
    }
    const body = '{"apiVersion":1,"kind":"ConfigMap"}';
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body }))!,
      unrecognized(
        'ConfigMap',
        "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .apiVersion of type string",
        '{"apiVersion":1,"kind":"Config ...',
      ),
    );
    // JSON null is an empty object to Go's decoder, which then has no name.
    expectStatus((await refused({ method: 'POST', path: configmaps, body: 'null' }))!, {
      code: 422,
      reason: 'Invalid',
      message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
      details: {
        kind: 'ConfigMap',
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: name or generateName is required',
            field: 'metadata.name',
          },
        ],
      },
    });
  });

  it('refuses malformed YAML', async () => {
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\ndata: [\n';
    const res = (await refused({
      method: 'POST',
      path: configmaps,
      body,
      headers: { 'Content-Type': 'application/yaml' },
    }))!;
    // The shape is kube-apiserver's; the problem text after "yaml: line N:" is our YAML parser's,
    // not go-yaml's, whose messages it cannot reproduce.
    const summary = `${Buffer.from(body).subarray(0, 30).toString('hex')} ...`;
    expect(res.status).toBe(400);
    const status = res.json<{ message: string; reason: string }>();
    expect(status.reason).toBe('BadRequest');
    expect(status.message).toMatch(
      /^the object provided is unrecognized \(must be of type ConfigMap\): yaml: line \d+: \S.* \(([0-9a-f]{60}) \.\.\.\)$/,
    );
    expect(status.message.endsWith(`(${summary})`)).toBe(true);
  });

  it('refuses garbage bytes, naming the first byte as Go does', async () => {
    const body = Buffer.from([0xff, 0x00, 0x80, 0x41, 0x7b]);
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body }))!,
      unrecognized(
        'ConfigMap',
        "couldn't get version/kind; json parse error: invalid character 'ÿ' looking for beginning of value",
        'ff0080417b',
      ),
    );
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body: Buffer.from([0x00, 0x01]) }))!,
      unrecognized(
        'ConfigMap',
        "couldn't get version/kind; json parse error: invalid character '\\x00' looking for beginning of value",
        '0001',
      ),
    );
  });

  it('refuses deeply nested JSON before parsing it', async () => {
    const arrays = '['.repeat(20_000) + ']'.repeat(20_000);
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body: arrays }))!,
      unrecognized(
        'ConfigMap',
        "couldn't get version/kind; json parse error: invalid character '[' exceeded max depth",
        `${'5b'.repeat(30)} ...`,
      ),
    );
    const objects = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body: objects }))!,
      unrecognized(
        'ConfigMap',
        "couldn't get version/kind; json parse error: invalid character '{' exceeded max depth",
        '{"a":{"a":{"a":{"a":{"a":{"a": ...',
      ),
    );
  });

  it('refuses deeply nested and self-containing YAML without overflowing the stack', async () => {
    const yaml = { 'Content-Type': 'application/yaml' };
    const bodies = [
      '['.repeat(20_000),
      `a: ${'['.repeat(3_000)}${']'.repeat(3_000)}`,
      `${'- '.repeat(50_000)}x`,
      'metadata: {name: loop}\nfoo: &x [*x]\n',
    ];
    for (const body of bodies) {
      expectStatus(
        (await refused({ method: 'POST', path: configmaps, body, headers: yaml }))!,
        unrecognized(
          'ConfigMap',
          'yaml: exceeded max depth of 200',
          body.startsWith('{') ? body : `${Buffer.from(body).subarray(0, 30).toString('hex')} ...`,
        ),
      );
    }
  });

  it('refuses a body over 3 MiB with 413, whether or not it declares its length', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
    const tooLarge = {
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: limit is 3145728',
    };
    expectStatus((await refused({ method: 'POST', path: configmaps, body: big }))!, tooLarge);
    // Sent in chunks, the body is refused as it passes the limit; the connection may be cut.
    const chunked = await refused(
      { method: 'POST', path: configmaps, body: big, headers: { 'Transfer-Encoding': 'chunked' } },
      { cut: true },
    );
    if (chunked) expectStatus(chunked, tooLarge);
  });

  it('refuses a Content-Type it cannot decode with 415', async () => {
    expectStatus(
      (await refused({
        method: 'POST',
        path: configmaps,
        body: '{"metadata":{"name":"plain"}}',
        headers: { 'Content-Type': 'text/plain' },
      }))!,
      {
        code: 415,
        reason: 'UnsupportedMediaType',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      },
    );
  });
});

describe('objects of the wrong kind or version for the URL', () => {
  it('refuses a version the kind is not registered in', async () => {
    expectStatus(
      (await refused({
        method: 'POST',
        path: configmaps,
        body: { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'wrong' } },
      }))!,
      badRequest(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "apps/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
      ),
    );
    expectStatus(
      (await refused({
        method: 'POST',
        path: configmaps,
        body: { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'wrong' } },
      }))!,
      badRequest(
        'ConfigMap in version "v2" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "v2" in scheme "pkg/api/legacyscheme/scheme.go:30"',
      ),
    );
  });

  it('refuses a kind spelled wrong, as a real cluster does', async () => {
    expectStatus(
      (await refused({
        method: 'POST',
        path: pods,
        body: { apiVersion: 'v1', kind: 'pod', metadata: { name: 'lower' } },
      }))!,
      badRequest(
        'pod in version "v1" cannot be handled as a Pod: no kind "pod" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
      ),
    );
  });

  it('refuses another known kind, which cannot be converted to the URL’s', async () => {
    expectStatus(
      (await refused({
        method: 'POST',
        path: configmaps,
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wrong' }, type: 'Opaque' },
      }))!,
      badRequest(
        'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion',
      ),
    );
    expectStatus(
      (await refused({
        method: 'POST',
        path: `/apis/apps/v1/namespaces/${NS}/replicasets?fieldValidation=Strict`,
        body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'wrong' } },
      }))!,
      badRequest(
        'Deployment in version "v1" cannot be handled as a ReplicaSet: converting (v1.Deployment) to (apps.ReplicaSet): unknown conversion',
      ),
    );
  });

  it('refuses an apiVersion that is no group/version', async () => {
    const body = '{"apiVersion":"a/b/c","kind":"ConfigMap"}';
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body }))!,
      unrecognized(
        'ConfigMap',
        'unexpected GroupVersion string: a/b/c',
        '{"apiVersion":"a/b/c","kind":" ...',
      ),
    );
  });

  it('refuses a patch that would change the kind or version of the object', async () => {
    const mergePatch = { 'Content-Type': 'application/merge-patch+json' };
    expectStatus(
      (await refused({
        method: 'PATCH',
        path: `${configmaps}/x`,
        body: { kind: 'Secret' },
        headers: mergePatch,
      }))!,
      badRequest(
        'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion',
      ),
    );
    expectStatus(
      (await refused({
        method: 'PATCH',
        path: `${configmaps}/x`,
        body: { apiVersion: 'apps/v1' },
        headers: mergePatch,
      }))!,
      badRequest(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "apps/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
      ),
    );
  });
});

describe('invalid objects', () => {
  it('refuses names that are not DNS-1123 with 422 and the field in causes', async () => {
    const message = `Invalid value: "Bad_Name": ${DNS1123_SUBDOMAIN}`;
    expectStatus(
      (await refused({ method: 'POST', path: configmaps, body: { metadata: { name: 'Bad_Name' } } }))!,
      {
        code: 422,
        reason: 'Invalid',
        message: `ConfigMap "Bad_Name" is invalid: metadata.name: ${message}`,
        details: {
          name: 'Bad_Name',
          kind: 'ConfigMap',
          causes: [{ reason: 'FieldValueInvalid', message, field: 'metadata.name' }],
        },
      },
    );
    // A namespace's name is a label; one that would be a fine subdomain fails only for its dots.
    for (const [name, why] of [
      ['Bad_Name', DNS1123_LABEL],
      ['bad.name', 'must not contain dots'],
    ] as const) {
      const label = `Invalid value: "${name}": ${why}`;
      expectStatus(
        (await refused({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } }))!,
        {
          code: 422,
          reason: 'Invalid',
          message: `Namespace "${name}" is invalid: metadata.name: ${label}`,
          details: {
            name,
            kind: 'Namespace',
            causes: [{ reason: 'FieldValueInvalid', message: label, field: 'metadata.name' }],
          },
        },
      );
    }
  });

  it('refuses a pod without containers with spec.containers: Required value', async () => {
    expectStatus(
      (await refused({
        method: 'POST',
        path: pods,
        body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: {} },
      }))!,
      {
        code: 422,
        reason: 'Invalid',
        message: 'Pod "empty" is invalid: spec.containers: Required value',
        details: {
          name: 'empty',
          kind: 'Pod',
          causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }],
        },
      },
    );
  });
});

describe('unknown fields', () => {
  const pod = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { foo: 'bar', containers: [{ name: 'web', image: 'nginx' }] },
  });

  it('refuses them with fieldValidation=Strict', async () => {
    expectStatus(
      (await refused({ method: 'POST', path: `${pods}?fieldValidation=Strict`, body: pod('strict') }))!,
      badRequest(
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"',
      ),
    );
  });

  it('refuses a fieldValidation it does not know, on writes only', async () => {
    const message = 'Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"';
    expectStatus(
      (await refused({ method: 'POST', path: `${pods}?fieldValidation=Loud`, body: pod('loud') }))!,
      {
        code: 422,
        reason: 'Invalid',
        message: `CreateOptions.meta.k8s.io "" is invalid: fieldValidation: ${message}`,
        details: {
          group: 'meta.k8s.io',
          kind: 'CreateOptions',
          causes: [{ reason: 'FieldValueNotSupported', message, field: 'fieldValidation' }],
        },
      },
    );
    await must(200, { method: 'GET', path: `${configmaps}?fieldValidation=Loud` });
  });

  it('drops them with a Warning header under fieldValidation=Warn', async () => {
    const before = await snapshot();
    const res = await must(201, {
      method: 'POST',
      path: `${pods}?fieldValidation=Warn`,
      body: pod('warned'),
    });
    expect(warningHeaders(res)).toEqual(['299 - "unknown field \\"spec.foo\\""']);
    const stored = (await must(200, { method: 'GET', path: `${pods}/warned` })).json<{ spec: object }>();
    expect(stored.spec).not.toHaveProperty('foo');
    // The pod is all that changed.
    const after = await snapshot();
    const name = (o: unknown) => (o as { metadata: { name: string } }).metadata.name;
    expect(after.objects[pods]!.map(name)).toEqual([...before.objects[pods]!.map(name), 'warned']);
    expect({ ...after.objects, [pods]: before.objects[pods] }).toEqual(before.objects);
    await must(200, { method: 'DELETE', path: `${pods}/warned` });
  });
});

describe('warnings', () => {
  it('sends any unknown field name as a valid Warning header, never failing the write', async () => {
    // Node refuses a header value with characters past Latin-1 or line breaks: such a warning once
    // turned the answer into a 500 after the object was stored.
    const body = '{"metadata":{"name":"odd-fields"},"日本":1,"a\\"b\\\\":2,"x\\ny":3}';
    const res = await must(201, { method: 'POST', path: configmaps, body });
    const utf8 = warningHeaders(res).map((v) => Buffer.from(v, 'latin1').toString('utf8'));
    // The field's name is quoted as Go's %q quotes it, so its line break arrives escaped.
    expect(utf8).toEqual([
      '299 - "unknown field \\"日本\\""',
      '299 - "unknown field \\"a\\\\\\"b\\\\\\\\\\""',
      '299 - "unknown field \\"x\\\\ny\\""',
    ]);
    await must(200, { method: 'DELETE', path: `${configmaps}/odd-fields` });
  });
});

describe('fields the lab accepts but does not act on', () => {
  const manifest = (name: string, extra: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  securityContext:
    runAsUser: 1000
  containers:
  - name: app
    image: nginx
${extra}`;

  it('are stored, and kubectl prints a Warning for each', async () => {
    const applied = await lab.kubectl(['apply', '-f', '-'], {
      input: manifest('guarded', '    securityContext:\n      privileged: true\n'),
    });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('pod/guarded created\n');
    expect(applied.stderr).toBe(
      'Warning: spec.securityContext: the lab accepts this field but does not act on it\n' +
        'Warning: spec.containers[0].securityContext: the lab accepts this field but does not act on it\n',
    );
    const stored = await lab.kubectl([
      'get',
      'pod',
      'guarded',
      '-o',
      'jsonpath={.spec.securityContext.runAsUser}',
    ]);
    expect(stored.stdout).toBe('1000');
    await lab.kubectl(['delete', 'pod', 'guarded', '--wait=false']);
  });

  it('are told apart from a misspelt field, which is still refused', async () => {
    const typo = await lab.kubectl(['apply', '-f', '-'], {
      input: manifest('typo', '    securityContxt:\n      privileged: true\n'),
    });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('unknown field "spec.containers[0].securityContxt"');
    expect((await lab.kubectl(['get', 'pod', 'typo'])).code).toBe(1);
  });

  it('are warned about in a Deployment pod template too', async () => {
    const created = await lab.kubectl([
      'create',
      'deployment',
      'spread',
      '--image',
      'nginx',
      '--dry-run=server',
      '-o',
      'name',
    ]);
    expect(created.stderr).toBe('');
    const applied = await lab.kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  selector:
    matchLabels: {app: spread}
  template:
    metadata:
      labels: {app: spread}
    spec:
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        labelSelector:
          matchLabels: {app: spread}
      containers:
      - name: app
        image: nginx
`,
    });
    expect(applied.code).toBe(0);
    expect(applied.stderr).toBe(
      'Warning: spec.template.spec.topologySpreadConstraints: the lab scheduler has no PodTopologySpread plugin\n',
    );
  });
});

describe('requests the API does not serve', () => {
  it('answers an unknown PATCH type with 415', async () => {
    for (const type of ['application/json', 'application/foo']) {
      expectStatus(
        (await refused({
          method: 'PATCH',
          path: `${configmaps}/x`,
          body: { data: { color: 'red' } },
          headers: { 'Content-Type': type },
        }))!,
        {
          code: 415,
          reason: 'UnsupportedMediaType',
          message:
            'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
        },
      );
    }
  });

  it('answers a PUT from a stale resourceVersion with 409 Conflict', async () => {
    const current = (await must(200, { method: 'GET', path: `${configmaps}/x` })).json<{
      metadata: { resourceVersion: string };
    }>();
    const stale = String(Number(current.metadata.resourceVersion) - 1);
    expectStatus(
      (await refused({
        method: 'PUT',
        path: `${configmaps}/x`,
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x', resourceVersion: stale },
          data: { color: 'red' },
        },
      }))!,
      {
        code: 409,
        reason: 'Conflict',
        message:
          'Operation cannot be fulfilled on configmaps "x": the object has been modified; please apply your changes to the latest version and try again',
        details: { name: 'x', kind: 'configmaps' },
      },
    );
  });

  it('answers a path it does not serve with 404', async () => {
    const notFound = {
      code: 404,
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
      details: {},
    };
    for (const path of [
      `/api/v1/namespaces/${NS}/foos`,
      `/apis/apps/v1/namespaces/${NS}/foos/x`,
      `/api/v1/namespaces/${NS}/configmaps/x/foo`,
      '/apis/nope.example.com/v1/things',
    ]) {
      expectStatus((await refused({ method: 'GET', path }))!, notFound);
    }
  });

  it('answers a method or verb it does not serve with 405', async () => {
    const notAllowed = {
      code: 405,
      reason: 'MethodNotAllowed',
      message: 'the server does not allow this method on the requested resource',
      details: {},
    };
    const requests: JsonRequest[] = [
      { method: 'FOO', path: configmaps },
      { method: 'PROPFIND', path: `${configmaps}/x` },
      { method: 'CONNECT', path: configmaps },
      { method: 'OPTIONS', path: configmaps },
      { method: 'PUT', path: configmaps, body: { metadata: { name: 'x' } } },
      {
        method: 'PATCH',
        path: configmaps,
        body: {},
        headers: { 'Content-Type': 'application/merge-patch+json' },
      },
      { method: 'POST', path: `${configmaps}/x`, body: { metadata: { name: 'x' } } },
    ];
    for (const req of requests) expectStatus((await refused(req))!, notAllowed);
  });
});

describe('names and versions no object can have', () => {
  it('takes "." and ".." as names, never as path steps, and refuses them', async () => {
    for (const [path, message] of [
      [`${configmaps}/..`, `Name parameter invalid: "..": may not be '..'`],
      [`${configmaps}/.`, `Name parameter invalid: ".": may not be '.'`],
      [`/api/v1/namespaces/${NS}/pods/..`, `Name parameter invalid: "..": may not be '..'`],
      [`/api/v1/namespaces/../configmaps/x`, `Namespace parameter invalid: "..": may not be '..'`],
      [`${configmaps}/a%2Fb`, `Name parameter invalid: "a%2Fb": may not contain '%'`],
    ]) {
      // A DELETE that URL resolution would have turned into one of the namespace itself.
      expectStatus((await refused({ method: 'DELETE', path: path! }))!, badRequest(message!));
    }
    await must(200, { method: 'GET', path: `/api/v1/namespaces/${NS}` });
  });

  it('answers an exact read at a resourceVersion the store has not reached with 504', async () => {
    const res = (await refused({
      method: 'GET',
      path: `${configmaps}?resourceVersionMatch=Exact&resourceVersion=999999999`,
    }))!;
    const current = lab.plane.store.status().revision;
    expectStatus(res, {
      code: 504,
      reason: 'Timeout',
      message: `Timeout: Too large resource version: 999999999, current: ${current}`,
      details: {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      },
    });
  });

  it('refuses int64 query parameters that are not numbers, in strconv words', async () => {
    for (const [query, value] of [
      ['limit=abc', 'abc'],
      ['limit=1.5', '1.5'],
      ['watch=true&timeoutSeconds=soon', 'soon'],
      ['limit=99999999999999999999', '99999999999999999999'],
    ]) {
      const why = value!.length > 15 ? 'value out of range' : 'invalid syntax';
      expectStatus(
        (await refused({ method: 'GET', path: `${configmaps}?${query}` }))!,
        badRequest(`strconv.ParseInt: parsing "${value}": ${why}`),
      );
    }
  });
});

describe('slow and half-open connections', () => {
  it('keeps serving others while a client sends its headers slowly or never finishes its body', async () => {
    const before = await snapshot();
    const slowHeaders = await api.socket();
    slowHeaders.write(`GET ${configmaps} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow`);
    const halfBody = await api.socket();
    halfBody.write(
      `POST ${configmaps} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"metadata":{"name":"half"`,
    );
    let closed = 0;
    for (const socket of [slowHeaders, halfBody]) {
      socket.on('close', () => closed++);
      socket.on('error', () => {});
    }
    // Others are served at once, many at a time, while both sockets hang.
    const started = Date.now();
    await Promise.all(Array.from({ length: 8 }, () => expectServing()));
    expect(Date.now() - started).toBeLessThan(2_000);
    slowHeaders.write('\r\nX-More: 1');
    await expectServing();
    // Neither hanging request reached the store. (The server cuts them after its header and
    // request timeouts, 30 s and 60 s, too long to wait for here.)
    expect(await snapshot()).toEqual(before);
    expect(closed).toBe(0);
    slowHeaders.destroy();
    halfBody.destroy();
    await expectServing();
  });
});
