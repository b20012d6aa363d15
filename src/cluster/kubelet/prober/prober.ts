import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Probe } from '../../api/core/container.ts';
import { RpcError } from '../../cri/client.ts';
import type { CriRuntimeService } from '../../cri/services.ts';

export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';

export interface ProbeResult {
  readonly success: boolean;
  /** What a failure says, as the Unhealthy event repeats it. */
  readonly output: string;
}

/** A named port (httpGet.port: http) is looked up among the container's ports. */
function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((p) => p.name === port);
  if (named) return named.containerPort;
  const asNumber = Number(port);
  if (Number.isInteger(asNumber)) return asNumber;
  throw new Error(`couldn't find port: ${port} in ${JSON.stringify(container.ports ?? [])}`);
}

/** Go's net error for a refused or timed-out connection, so messages read as the kubelet's. */
function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const address = `dial tcp ${host}:${port}`;
  if (err.code === 'ECONNREFUSED') return `${address}: connect: connection refused`;
  if (err.code === 'ETIMEDOUT') return `${address}: i/o timeout`;
  return `${address}: ${err.message}`;
}

/**
 * Prober runs one probe of a container (pkg/kubelet/prober/prober.go and pkg/probe/{http,tcp,exec}):
 * an HTTP GET that must answer 200-399, a TCP connection that must open, or a command that must
 * exit 0, each within timeoutSeconds. Inside the lab a pod's "localhost" is its IP, so a probe with
 * no host goes to the pod IP, as the kubelet's does.
 */
export class Prober {
  constructor(private readonly runtime: CriRuntimeService) {}

  async probe(probe: Probe, container: Container, podIP: string, containerId: string): Promise<ProbeResult> {
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    try {
      if (probe.httpGet) return await this.httpProbe(probe.httpGet, container, podIP, timeoutMs);
      if (probe.tcpSocket) {
        const port = resolvePort(probe.tcpSocket.port, container);
        return await this.tcpProbe(probe.tcpSocket.host || podIP, port, timeoutMs);
      }
      if (probe.exec) return await this.execProbe(probe.exec.command ?? [], containerId, timeoutMs);
      return { success: false, output: 'missing probe handler' };
    } catch (err) {
      return { success: false, output: err instanceof Error ? err.message : String(err) };
    }
  }

  private httpProbe(
    action: NonNullable<Probe['httpGet']>,
    container: Container,
    podIP: string,
    timeoutMs: number,
  ): Promise<ProbeResult> {
    const host = action.host || podIP;
    const port = resolvePort(action.port, container);
    const scheme = (action.scheme ?? 'HTTP').toLowerCase();
    const path = action.path || '/';
    const url = `${scheme}://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
    const send = scheme === 'https' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(
        url,
        { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false },
        (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(
            code >= 200 && code < 400
              ? { success: true, output: '' }
              : { success: false, output: `HTTP probe failed with statuscode: ${code}` },
          );
        },
      );
      req.on('timeout', () => {
        req.destroy();
        resolve({
          success: false,
          output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ success: false, output: `Get "${url}": ${dialError(err, host, port)}` }),
      );
      req.end();
    });
  }

  private tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
    return new Promise((resolve) => {
      const socket = connect({ host, port, timeout: timeoutMs });
      socket.once('connect', () => {
        socket.destroy();
        resolve({ success: true, output: '' });
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve({ success: false, output: `dial tcp ${host}:${port}: i/o timeout` });
      });
      socket.once('error', (err: NodeJS.ErrnoException) =>
        resolve({ success: false, output: dialError(err, host, port) }),
      );
    });
  }

  /** ExecSync with the probe's timeout: exit code 0 passes; the output is what a failure says. */
  private async execProbe(
    cmd: readonly string[],
    containerId: string,
    timeoutMs: number,
  ): Promise<ProbeResult> {
    try {
      const result = await this.runtime.execSync(containerId, cmd, Math.ceil(timeoutMs / 1000));
      const output = Buffer.concat([result.stdout, result.stderr]).toString();
      return { success: result.exitCode === 0, output };
    } catch (err) {
      if (err instanceof RpcError && err.code === 'DeadlineExceeded')
        return { success: false, output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
      throw err;
    }
  }
}
