import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml, Parser as YamlParser } from 'yaml';
import { goJsonSyntaxError } from './json-syntax.ts';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF } from './protobuf/decode.ts';
import { badRequest, type Status, StatusError, tooLarge, unsupportedMediaType } from './status.ts';

/** kube-apiserver's limit on a request body: 3 MiB. */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/**
 * JSON nested deeper than this is refused before parsing. Go's decoder stops at 10,000; we stop
 * sooner because later steps (validation, copies) recurse, and no real object nests past a few dozen.
 */
const MAX_JSON_DEPTH = 1000;

/**
 * YAML nested deeper than this is refused before it is parsed. Our YAML parser recurses, much more
 * per level than JSON's, and a stack overflow in the middle of it can take the whole process down
 * (V8 may be compiling a regular expression just then), so the limit sits far below the overflow.
 */
const MAX_YAML_DEPTH = 200;

/**
 * Reads the whole body, refusing it with 413 as soon as it passes the limit. The rest of a refused
 * body is discarded rather than the connection cut, so the client still reads the 413; sendStatus
 * then closes the connection, as Go's server does after a handler left a large body unread.
 */
export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(tooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A body kube-apiserver's decoder could not read: not JSON (or YAML), or not an object whose
 * apiVersion and kind it could find. The message is the decoder's own; a create or update names
 * the kind it expected with forKind, as kube-apiserver's transformDecodeError does:
 *
 *   the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind;
 *   json parse error: unexpected end of JSON input ({"apiVersion":"v1","kind":"Con ...)
 */
export class BodyDecodeError extends StatusError {
  constructor(
    message: string,
    /** The start of the body as Kubernetes quotes it: as text when it starts with "{", else in hex. */
    readonly summary: string,
  ) {
    super(400, 'BadRequest', message);
  }

  forKind(kind: string): StatusError {
    return badRequest(
      `the object provided is unrecognized (must be of type ${kind}): ${this.message} (${this.summary})`,
    );
  }
}

/** kube-apiserver's summarizeData: the first 30 bytes, as text for a JSON object, else as hex. */
function summarize(body: Buffer, max = 30): string {
  if (body.length === 0) return '<empty>';
  const head = body.subarray(0, max);
  const text = body[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return body.length > max ? `${text} ...` : text;
}

/**
 * Parses a request body as JSON (or YAML, which kube-apiserver also accepts) into a plain value.
 * With `typeMeta` (create, update and delete bodies) it must be an object kube-apiserver's
 * decoder can read apiVersion and kind from, and failures are worded as that decoder words them.
 */
export function decodeBody(
  body: Buffer,
  contentType: string | undefined,
  options: { typeMeta?: boolean } = {},
): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim();
  const text = body.toString('utf8');
  if (type === KUBERNETES_PROTOBUF) return decodeKubernetesProtobuf(body);
  if (!options.typeMeta && text.trim().length === 0) throw badRequest('the body of the request was empty');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    const tooDeep = () =>
      new BodyDecodeError(`yaml: exceeded max depth of ${MAX_YAML_DEPTH}`, summarize(body));
    if (yamlDepth(text) > MAX_YAML_DEPTH) throw tooDeep();
    let value: unknown;
    try {
      value = parseYaml(text, { maxAliasCount: 100 }) ?? null;
    } catch (err) {
      throw new BodyDecodeError(yamlMessage(err), summarize(body));
    }
    // An alias inside the node it names ("a: &x [*x]") makes a value that contains itself.
    if (valueDepthExceeds(value, MAX_YAML_DEPTH)) throw tooDeep();
    if (options.typeMeta) interpretTypeMeta(value, body);
    return value;
  }
  if (type !== 'application/json' && !type.endsWith('+json') && type !== '*/*') {
    throw unsupportedMediaType([
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
    ]);
  }
  // V8's parser is fast and does not recurse; Go's wording for what it refuses is worked out only
  // when something is wrong, so a valid body pays for one parse and one depth check.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (value === undefined || valueDepthExceeds(value, MAX_JSON_DEPTH)) {
    // The scanner is the judge: it words the error as Go would, and counts depth as Go does.
    const syntax = goJsonSyntaxError(body, MAX_JSON_DEPTH);
    if (syntax) {
      const message = options.typeMeta ? `couldn't get version/kind; json parse error: ${syntax}` : syntax;
      throw new BodyDecodeError(message, summarize(body));
    }
  }
  if (options.typeMeta) interpretTypeMeta(value, body);
  return value;
}

/**
 * How deeply a YAML text nests its collections, read from the parser's syntax tree (built without
 * recursion) with an explicit stack, so that measuring cannot overflow either.
 */
function yamlDepth(text: string): number {
  const collections = new Set(['block-map', 'block-seq', 'flow-collection']);
  const stack: [object, number][] = [];
  for (const token of new YamlParser().parse(text)) stack.push([token, 0]);
  let max = 0;
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, above] = next;
    const depth = above + (collections.has((node as { type?: string }).type ?? '') ? 1 : 0);
    if (depth > max) max = depth;
    for (const child of Object.values(node))
      if (child && typeof child === 'object') stack.push([child, depth]);
  }
  return max;
}

/** Whether a plain value nests deeper than `max`; a value that contains itself always does. */
function valueDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** go-yaml's shape, "yaml: line 3: <problem>", around our YAML parser's own problem text. */
function yamlMessage(err: unknown): string {
  const { message = String(err), linePos } = err as { message?: string; linePos?: { line: number }[] };
  const problem = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const line = linePos?.[0]?.line;
  return line ? `yaml: line ${line}: ${problem}` : `yaml: ${problem}`;
}

/** The Go type kube-apiserver reads apiVersion and kind into (SimpleMetaFactory.Interpret). */
const TYPE_META_STRUCT =
  'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/**
 * interpretTypeMeta fails where kube-apiserver's SimpleMetaFactory.Interpret fails: the body must
 * be an object (or null), its apiVersion and kind strings (keys matched case-insensitively, as
 * Go's json.Unmarshal matches them), and apiVersion a "group/version" or a "version".
 */
function interpretTypeMeta(value: unknown, body: Buffer): void {
  const unmarshal = (what: string) =>
    new BodyDecodeError(`couldn't get version/kind; json parse error: json: ${what}`, summarize(body));
  if (value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw unmarshal(`cannot unmarshal ${goJsonType(value)} into Go value of type ${TYPE_META_STRUCT}`);
  }
  let apiVersion = '';
  for (const [key, field] of Object.entries(value)) {
    const lower = key.toLowerCase();
    const name = lower === 'apiversion' ? 'apiVersion' : lower === 'kind' ? 'kind' : undefined;
    if (!name || field === null) continue;
    if (typeof field !== 'string') {
      throw unmarshal(`cannot unmarshal ${goJsonType(field)} into Go struct field .${name} of type string`);
    }
    if (name === 'apiVersion') apiVersion = field;
  }
  if (apiVersion.split('/').length > 2) {
    throw new BodyDecodeError(`unexpected GroupVersion string: ${apiVersion}`, summarize(body));
  }
}

/** The JSON type as Go's UnmarshalTypeError names it. */
function goJsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

export function sendJSON(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': String(data.length),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(data);
}

/**
 * Warning header values, one per warning, as k8s.io/apimachinery's NewWarningHeader writes them:
 * `299 - "unknown field \\"spec.foo\\""`, with quotes and backslashes escaped. Text is sent as its
 * UTF-8 bytes; a warning with a line break or another control character is dropped, as Go drops one
 * it cannot put in a header.
 */
export function warningHeaders(warnings: readonly string[]): string[] {
  const values = warnings
    .filter((w) => ![...w].some((ch) => isControl(ch.charCodeAt(0))))
    .map((w) => `299 - "${w.replace(/["\\]/g, '\\$&')}"`)
    .map((v) => Buffer.from(v, 'utf8').toString('latin1'));
  return [...new Set(values)];
}

/** A control character, tab aside: not allowed in a header value. */
const isControl = (c: number) => (c < 0x20 && c !== 0x09) || c === 0x7f;

export function sendStatus(res: ServerResponse, err: StatusError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status: Status = err.toStatus();
  // A refused body may still be arriving: close the connection rather than read it all.
  sendJSON(res, err.code, status, err.code === 413 ? { Connection: 'close' } : {});
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

/** The media types a client asked for, best first, with their parameters (as=Table, g=, v=). */
export interface MediaType {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

export function acceptedMediaTypes(accept: string | undefined): MediaType[] {
  if (!accept) return [{ type: 'application/json', params: {} }];
  return accept.split(',').map((part) => {
    const [type = '', ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const [k, v] = p.split('=');
      if (k && v !== undefined) params[k] = v;
    }
    return { type, params };
  });
}

/** What shape the client wants a GET answered in: the object itself, a Table, or only metadata. */
export type ResponseShape = 'object' | 'table' | 'metadata';

export function responseShape(accept: string | undefined): ResponseShape {
  for (const media of acceptedMediaTypes(accept)) {
    const { as, g } = media.params;
    if (as === 'Table' && g === 'meta.k8s.io') return 'table';
    if (as === 'PartialObjectMetadata' && g === 'meta.k8s.io') return 'metadata';
    if (
      !as &&
      (media.type === 'application/json' || media.type === '*/*' || media.type.includes('protobuf'))
    ) {
      return 'object';
    }
  }
  return 'object';
}
