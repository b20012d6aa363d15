import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF } from './protobuf/decode.ts';
import { badRequest, type Status, StatusError, tooLarge, unsupportedMediaType } from './status.ts';

/** kube-apiserver's limit on a request body: 3 MiB. */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/**
 * JSON nested deeper than this is refused before parsing. Go's decoder stops at 10,000; we stop
 * sooner because later steps (validation, copies) recurse, and no real object nests past a few dozen.
 */
const MAX_JSON_DEPTH = 1000;

/** Reads the whole body, refusing it with 413 as soon as it passes the limit. */
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
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge(limit));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a request body as JSON (or YAML, which kube-apiserver also accepts) into a plain value. */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim();
  const text = body.toString('utf8');
  if (type === KUBERNETES_PROTOBUF) return decodeKubernetesProtobuf(body);
  if (text.trim().length === 0) throw badRequest('the body of the request was empty');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      return parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (type !== 'application/json' && !type.endsWith('+json') && type !== '*/*') {
    throw unsupportedMediaType([
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
    ]);
  }
  if (depthExceeds(text, MAX_JSON_DEPTH)) throw badRequest('json: exceeded max depth');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`json: ${(err as Error).message}`);
  }
}

/** Counts bracket depth outside strings, so a hostile body cannot exhaust the parser's stack. */
function depthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

export function sendJSON(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
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

export function sendStatus(res: ServerResponse, err: StatusError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status: Status = err.toStatus();
  sendJSON(res, err.code, status);
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

export function asStatusError(err: unknown): StatusError | undefined {
  return err instanceof StatusError ? err : undefined;
}
