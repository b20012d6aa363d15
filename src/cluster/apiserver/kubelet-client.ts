import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Node } from '../api/core/node.ts';
import type { CertificateAndKey } from '../pki/pki.ts';
import { StatusError } from './status.ts';

/** The kubelet's port when its Node does not say (KubeletPort in Kubernetes). */
const DEFAULT_KUBELET_PORT = 10250;

/** An upgraded connection to a kubelet, or the kubelet's refusal. */
export type KubeletUpgrade =
  | {
      readonly upgraded: true;
      readonly response: IncomingMessage;
      readonly socket: Duplex;
      readonly head: Buffer;
    }
  | { readonly upgraded: false; readonly response: IncomingMessage };

/**
 * KubeletClient is how the API server reaches kubelets (kube's pkg/kubelet/client): HTTPS to the
 * address and port the Node reports, with the client certificate kube-apiserver is given as
 * --kubelet-client-certificate (CN=kube-apiserver-kubelet-client, O=system:masters), checking
 * the kubelet's serving certificate against the cluster CA.
 */
export class KubeletClient {
  private readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
  private readonly agent: Agent;

  constructor(credential: CertificateAndKey, ca: string) {
    this.tls = { cert: credential.cert, key: credential.key, ca };
    this.agent = new Agent({ keepAlive: true, ...this.tls });
  }

  /**
   * The kubelet's base URL from its Node, as GetConnectionInfo finds it: the InternalIP (the lab's
   * preferred address type) and status.daemonEndpoints.kubeletEndpoint.Port.
   */
  static location(node: Node): URL {
    const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (!address) {
      throw new StatusError(
        500,
        '',
        `no preferred addresses found; known addresses: ${JSON.stringify(node.status?.addresses ?? [])}`,
      );
    }
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT;
    return new URL(`https://${address}:${port}/`);
  }

  /** A GET whose answer is streamed back (container logs); rejects only when no answer comes. */
  get(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request(url, { agent: this.agent, signal }, resolve);
      req.on('error', (err) => reject(transportError('Get', url, err)));
      req.end();
    });
  }

  /** Opens an upgraded connection (exec, attach) with the client's upgrade headers. */
  upgrade(method: string, url: URL, headers: OutgoingHttpHeaders): Promise<KubeletUpgrade> {
    return new Promise((resolve, reject) => {
      // Upgraded sockets leave the pool for good, so they get a connection of their own.
      const req = request(url, {
        method,
        headers,
        agent: false,
        ...this.tls,
      });
      req.on('upgrade', (response, socket, head) => resolve({ upgraded: true, response, socket, head }));
      req.on('response', (response) => resolve({ upgraded: false, response }));
      req.on('error', (err) => reject(transportError(goMethod(method), url, err)));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Go's spelling of a method in a url.Error: "Get", "Post". */
const goMethod = (method: string) => method.charAt(0) + method.slice(1).toLowerCase();

/** Node's errors when connecting, as Go's net package words them, which is what kubectl users meet. */
const GO_NET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ETIMEDOUT: 'i/o timeout',
};

/**
 * A kubelet that could not be reached, worded as kube-apiserver's Go client reports it and
 * answered as it answers any error without a Status of its own: code 500, no reason, e.g.
 *
 *   Get "https://127.100.0.2:10250/containerLogs/default/web/web": dial tcp 127.100.0.2:10250: connect: connection refused
 */
function transportError(method: string, url: URL, err: Error & { code?: string }): StatusError {
  const net = err.code ? GO_NET_ERRORS[err.code] : undefined;
  const detail = net ? `dial tcp ${url.host}: ${net}` : err.message;
  return new StatusError(500, '', `${method} "${url.href}": ${detail}`, undefined, { cause: err });
}

/**
 * kube's GenericHttpResponseChecker: a kubelet's refusal (its body, plain text) becomes the
 * API server's Status: 400 stays a BadRequest with the kubelet's words, 500 an InternalError.
 */
export async function kubeletRefusal(response: IncomingMessage): Promise<StatusError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (size > MAX_READ_LENGTH) break;
    chunks.push(chunk);
    size += chunk.length;
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_READ_LENGTH).toString('utf8');
  const code = response.statusCode ?? 500;
  if (code === 400) return new StatusError(400, 'BadRequest', text);
  if (code === 404) return new StatusError(404, 'NotFound', text);
  return new StatusError(
    code,
    code === 500 ? 'InternalError' : '',
    code === 500 ? `Internal error occurred: ${text}` : text,
  );
}

/** How much of a refusal is read (kube's maxReadLength). */
const MAX_READ_LENGTH = 50 * 1024;
