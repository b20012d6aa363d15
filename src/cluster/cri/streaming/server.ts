import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AttachRequest, AttachSession, ExecRequest, ExecSession } from '../../runtime/cri.ts';
import type { ExecStreamRequest } from '../services.ts';
import { PortForwardRequestError, PortForwardServer } from './portforward.ts';
import { RemoteCommandServer, type StreamSession, successStatus } from './remotecommand.ts';

/** What a runtime gives its streaming server: the sessions it serves, and its pods' addresses. */
export interface StreamingRuntime {
  exec(request: ExecRequest): Promise<ExecSession>;
  attach(request: AttachRequest): Promise<AttachSession>;
  /** The IP a sandbox's ports are reached at. */
  sandboxIP(podSandboxId: string): Promise<string>;
}

type Pending =
  | { readonly kind: 'exec'; readonly request: ExecStreamRequest }
  | { readonly kind: 'attach'; readonly request: AttachRequest }
  | { readonly kind: 'portforward'; readonly podSandboxId: string };

/** How long a URL handed out by Exec, Attach or PortForward stays good (upstream's cacheTTL). */
const TOKEN_TTL_MS = 60_000;

/**
 * StreamingServer is a CRI runtime's streaming server (k8s.io/kubelet/pkg/cri/streaming): the
 * Exec, Attach and PortForward calls store their request under a one-time token and answer with
 * http://<address>:<port>/{exec,attach,portforward}/<token>; the kubelet proxies the client's
 * upgraded connection there, and this server runs the session the token names. containerd runs the
 * same kind of server on 127.0.0.1 for its own containers.
 */
export class StreamingServer {
  private readonly pending = new Map<string, { entry: Pending; timer: NodeJS.Timeout }>();
  private readonly remoteCommand = new RemoteCommandServer();
  private readonly portForwards = new PortForwardServer();

  private constructor(
    private readonly server: Server,
    private readonly runtime: StreamingRuntime,
  ) {
    server.on('request', (_req, res) => res.writeHead(400).end('Upgrade request required\n'));
    server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
  }

  static async start(runtime: StreamingRuntime, address = '127.0.0.1'): Promise<StreamingServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve());
    });
    return new StreamingServer(server, runtime);
  }

  getExec(request: ExecStreamRequest): string {
    return this.url({ kind: 'exec', request });
  }

  getAttach(request: AttachRequest): string {
    return this.url({ kind: 'attach', request });
  }

  getPortForward(podSandboxId: string): string {
    return this.url({ kind: 'portforward', podSandboxId });
  }

  async close(): Promise<void> {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.remoteCommand.close();
    this.portForwards.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private url(entry: Pending): string {
    const token = randomBytes(6).toString('base64url');
    const timer = setTimeout(() => this.pending.delete(token), TOKEN_TTL_MS).unref();
    this.pending.set(token, { entry, timer });
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}/${entry.kind}/${token}`;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const [, kind, token = ''] = new URL(req.url ?? '/', 'http://stream').pathname.split('/');
    const found = this.pending.get(token);
    if (!found || found.entry.kind !== kind) return refuse(socket, 404, 'Not Found');
    clearTimeout(found.timer);
    this.pending.delete(token);
    const { entry } = found;
    try {
      if (entry.kind === 'portforward') {
        const ip = await this.runtime.sandboxIP(entry.podSandboxId);
        return this.portForwards.upgrade(req, socket, head, { sandboxId: entry.podSandboxId, ip });
      }
      const open = entry.kind === 'exec' ? () => this.exec(entry.request) : () => this.attach(entry.request);
      this.remoteCommand.upgrade(req, socket, head, open);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      refuse(socket, err instanceof PortForwardRequestError ? 400 : 500, message);
    }
  }

  private async exec(request: ExecStreamRequest): Promise<StreamSession> {
    const process = await this.runtime.exec(request);
    // Output nobody asked for is still read, so a full pipe does not stall the process.
    if (!request.stdout) process.stdout.resume();
    if (!request.stderr) process.stderr?.resume();
    return {
      ...(process.stdin ? { stdin: process.stdin } : {}),
      ...(request.stdout ? { stdout: process.stdout } : {}),
      ...(request.stderr && process.stderr ? { stderr: process.stderr } : {}),
      resize: (size) => process.resize(size),
      status: process.exited.then((code) => exitStatus(request.cmd, code)),
      hangUp: () => process.stdin?.end(),
    };
  }

  private async attach(request: AttachRequest): Promise<StreamSession> {
    const session = await this.runtime.attach(request);
    return {
      ...session,
      status: session.ended.then(() => successStatus),
      hangUp: () => session.detach(),
    };
  }
}

/** The error channel's last word: Success, or NonZeroExitCode with the code (remotecommand v4). */
export function exitStatus(cmd: readonly string[], code: number): object {
  if (code === 0) return successStatus;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
export function refuse(socket: Duplex | Socket, code: number, message: string): void {
  const body = `${message}\n`;
  const text =
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[code] ??
    'Internal Server Error';
  socket.end(
    `HTTP/1.1 ${code} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
