// The benchmark's HTTPS client: node's https module with a keep-alive agent, speaking as the
// kubeconfig's user (the lab admin, by client certificate). A client with N connections carries at
// most N requests at once; more wait in the agent's queue, and that wait counts in their latency.

import { Agent, request } from 'node:https';
import type { RestConfig } from '../../src/cluster/client/kubeconfig.ts';

export interface ApiResponse {
  readonly status: number;
  readonly body: Buffer;
  /** performance.now() when the request was handed to the agent, and when its last byte arrived. */
  readonly sentAt: number;
  readonly doneAt: number;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Milliseconds before the request is abandoned (rejects); 60 s by default. */
  readonly timeoutMs?: number;
  /** Defaults to application/json; merge patches need their own. */
  readonly contentType?: string;
}

export interface Watch {
  /** Resolves when the server has answered with its headers: the watch is registered. */
  readonly ready: Promise<void>;
  close(): void;
}

export class ApiClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(rest: RestConfig, options: { connections: number }) {
    const url = new URL(rest.server);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: options.connections,
      ca: rest.certificateAuthority,
      cert: rest.clientCertificate,
      key: rest.clientKey,
      servername: rest.tlsServerName,
    });
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const sentAt = performance.now();
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string | number> = { Accept: 'application/json', ...options.headers };
    if (body) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    return new Promise<ApiResponse>((resolve, reject) => {
      const req = request(
        { host: this.host, port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
              sentAt,
              doneAt: performance.now(),
            }),
          );
        },
      );
      req.setTimeout(options.timeoutMs ?? 60_000, () =>
        req.destroy(new Error(`${method} ${path}: no answer in time`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A request that must succeed (2xx); anything else throws with the server's answer. */
  async expectOk(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const res = await this.request(method, path, options);
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`${method} ${path}: ${res.status} ${res.body.toString('utf8').slice(0, 500)}`);
    }
    return res;
  }

  /**
   * A watch on its own connection (not the agent's): `onEvent` hears each event line as it arrives,
   * with its arrival time, already parsed.
   */
  watch(path: string, onEvent: (event: { type: string; object: unknown }, at: number) => void): Watch {
    const opts = this.agent.options;
    const agent = new Agent({ keepAlive: false, ca: opts.ca, cert: opts.cert, key: opts.key });
    let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const req = request(
      {
        host: this.host,
        port: this.port,
        method: 'GET',
        path,
        headers: { Accept: 'application/json' },
        agent,
      },
      (res) => {
        if (res.statusCode !== 200) {
          settle?.reject(new Error(`watch ${path}: ${res.statusCode}`));
          res.resume();
          return;
        }
        settle?.resolve();
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          pending += chunk;
          let newline = pending.indexOf('\n');
          while (newline !== -1) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            if (line.trim() !== '') onEvent(JSON.parse(line) as { type: string; object: unknown }, at);
            newline = pending.indexOf('\n');
          }
        });
        res.on('error', () => {});
      },
    );
    req.on('error', (err) => settle?.reject(err));
    req.end();
    return {
      ready,
      close: () => {
        req.destroy();
        agent.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The p-th percentile (0-100) of `values`, by nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
