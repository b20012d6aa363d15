import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { loadRestConfig } from '../../src/cluster/client/kubeconfig.ts';

/**
 * A raw HTTPS client for tests that must send what no well-behaved client sends: broken bodies,
 * odd methods, bad headers, half-finished requests. It speaks as the kubeconfig's user (the lab
 * admin, by client certificate) and hands back exactly what the server answered.
 */
export interface RawClient {
  readonly host: string;
  readonly port: number;
  request(req: RawRequest): Promise<RawResponse>;
  /** Opens a bare TLS connection, authenticated like request(), for hand-written HTTP. */
  socket(): Promise<TLSSocket>;
  close(): void;
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: string | Buffer;
  /** Milliseconds before the request is abandoned (rejects); 10 s by default. */
  readonly timeoutMs?: number;
  /**
   * Resolve as soon as a streamed answer (a watch: chunked, no Content-Length) starts, with the
   * body read so far, and close the connection, rather than wait for the stream to end.
   */
  readonly cutStreams?: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Raw header lines, for headers that may repeat (Warning). */
  readonly rawHeaders: readonly string[];
  /** True when cutStreams cut a streamed answer short. */
  readonly streamed: boolean;
  readonly body: Buffer;
  readonly text: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json<T = unknown>(): T;
}

/**
 * `keepAlive` reuses connections (for many requests, fast); by default each request has a
 * connection of its own, so a request that makes the server cut its connection takes no
 * pooled neighbour with it.
 */
export async function rawClient(
  kubeconfig: string,
  options: { keepAlive?: boolean } = {},
): Promise<RawClient> {
  const config = await loadRestConfig(kubeconfig);
  const url = new URL(config.server);
  const host = url.hostname;
  const port = Number(url.port);
  const tls = {
    ca: config.certificateAuthority,
    cert: config.clientCertificate,
    key: config.clientKey,
    servername: config.tlsServerName,
  };
  const agent = new Agent({ ...tls, keepAlive: options.keepAlive ?? false, maxSockets: 16 });
  return {
    host,
    port,
    request: (req) =>
      new Promise<RawResponse>((resolve, reject) => {
        const body = req.body === undefined ? undefined : Buffer.from(req.body);
        const headers: Record<string, string | number> = { ...req.headers };
        const framed = Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
        if (body && !framed) {
          headers['Content-Length'] = body.length;
        }
        const outgoing = request(
          { host, port, method: req.method, path: req.path, headers, agent },
          (res) => {
            const chunks: Buffer[] = [];
            if (req.cutStreams && res.headers['transfer-encoding'] === 'chunked') {
              resolve(response(res, Buffer.alloc(0), true));
              res.destroy();
              return;
            }
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => resolve(response(res, Buffer.concat(chunks))));
          },
        );
        // Node hands the answer to a CONNECT over as a tunnel: read what comes through it.
        outgoing.on('connect', (res, socket, head: Buffer) => {
          const chunks = [head];
          socket.on('data', (chunk: Buffer) => chunks.push(chunk));
          socket.on('error', reject);
          socket.on('close', () => resolve(response(res, Buffer.concat(chunks))));
        });
        outgoing.setTimeout(req.timeoutMs ?? 10_000, () =>
          outgoing.destroy(new Error(`${req.method} ${req.path}: no answer in time`)),
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      }),
    socket: () =>
      new Promise<TLSSocket>((resolve, reject) => {
        const socket = connect({ host, port, ...tls }, () => resolve(socket));
        socket.once('error', reject);
      }),
    close: () => agent.destroy(),
  };
}

function response(res: IncomingMessage, body: Buffer, streamed = false): RawResponse {
  const text = body.toString('utf8');
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    rawHeaders: res.rawHeaders,
    streamed,
    body,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** The Warning headers of a response, one entry per warning as the server sent them. */
export function warningHeaders(res: RawResponse): string[] {
  const values: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    if (res.rawHeaders[i]!.toLowerCase() === 'warning') values.push(res.rawHeaders[i + 1]!);
  }
  return values;
}
