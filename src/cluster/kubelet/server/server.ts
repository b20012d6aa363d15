import { access } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ZodError } from 'zod';
import type { Pod } from '../../api/core/pod.ts';
import type { CriRuntimeService } from '../../cri/services.ts';
import { refuse } from '../../cri/streaming/server.ts';
import { ContainerLogNotFoundError, readContainerLogs } from '../../runtime/log.ts';
import type { KubeletServerOptions } from '../config.ts';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from '../kuberuntime/labels.ts';
import type { CPUAndMemoryStats } from '../stats/cpu-and-memory.ts';
import { AttachQueryError, parseAttachQuery } from './attach.ts';
import { parseExecQuery } from './exec.ts';
import { containerIdForLogs, LogRequestError, parseLogOptions } from './logs.ts';
import { PROMETHEUS_TEXT, resourceMetrics } from './resource-metrics.ts';
import { proxyStream } from './stream-proxy.ts';

/** What the server asks of the kubelet. */
export interface KubeletHost {
  runningPods(): Pod[];
  findPod(namespace: string, name: string): Pod | undefined;
  /** The status the kubelet last reported for the pod (the API object's may lag behind). */
  podStatus(pod: Pod): Pod['status'];
  /** A fresh sample of the node's and its containers' CPU and memory, for /metrics/resource. */
  cpuAndMemoryStats(): Promise<CPUAndMemoryStats>;
}

/** The group whose members may use the kubelet API (kube-apiserver's kubelet client is one). */
const ALLOWED_GROUP = 'system:masters';

/** A request the server refuses, answered in plain text as the kubelet's http.Error does. */
class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * KubeletServer is the kubelet's HTTPS API on <nodeIP>:10250 (pkg/kubelet/server): /healthz, /pods,
 * /containerLogs, /exec and /attach, which the API server proxies `kubectl logs`, `kubectl exec` and
 * `kubectl attach` (and `run -i`) to, and /metrics/resource, which the API server's metrics
 * provider scrapes for `kubectl top`, and /portForward for `kubectl port-forward`.
 * Clients prove who they are with a certificate from the cluster CA; only system:masters may in
 * (a real kubelet asks the API server with a SubjectAccessReview instead). Exec, attach and
 * port-forward are the runtime's to serve: the kubelet asks it over CRI for a streaming URL and
 * proxies the connection there.
 */
export class KubeletServer {
  private readonly server: Server;

  private constructor(
    options: KubeletServerOptions,
    private readonly host: KubeletHost,
    private readonly runtime: CriRuntimeService,
  ) {
    this.server = createServer({
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.server.on('request', (req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => void this.handleUpgrade(req, socket, head));
  }

  static async start(
    address: string,
    options: KubeletServerOptions,
    host: KubeletHost,
    runtime: CriRuntimeService,
  ): Promise<KubeletServer> {
    const server = new KubeletServer(options, host, runtime);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port, address, () => resolve());
    });
    return server;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      this.authorize(req, url);
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (url.pathname === '/healthz')
        return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      if (url.pathname === '/pods' && req.method === 'GET') {
        const items = this.host.runningPods();
        return void res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }));
      }
      if (url.pathname === '/metrics/resource' && req.method === 'GET') {
        const text = resourceMetrics(await this.host.cpuAndMemoryStats());
        return void res.writeHead(200, { 'Content-Type': PROMETHEUS_TEXT }).end(text);
      }
      if (parts[0] === 'containerLogs' && parts.length === 4 && req.method === 'GET') {
        return await this.containerLogs(res, parts[1]!, parts[2]!, parts[3]!, url.searchParams);
      }
      if (parts[0] === 'exec' || parts[0] === 'attach') throw new HttpError(400, 'Upgrade request required');
      throw new HttpError(404, '404 page not found');
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      const [code, message] = describe(err);
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
    }
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      this.authorize(req, url);
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (parts[0] === 'portForward' && parts.length === 3) {
        const pod = this.host.findPod(parts[1]!, parts[2]!);
        if (!pod) throw new HttpError(404, 'pod does not exist');
        const [sandbox] = await this.runtime.listPodSandbox({
          state: 'SANDBOX_READY',
          labelSelector: { [POD_UID_LABEL]: pod.metadata.uid ?? '' },
        });
        if (!sandbox) throw new HttpError(500, `pod sandbox for "${pod.metadata.name}" is not ready`);
        return proxyStream(req, socket, head, await this.runtime.portForward(sandbox.id, []));
      }
      if ((parts[0] !== 'exec' && parts[0] !== 'attach') || parts.length < 4)
        throw new HttpError(404, '404 page not found');
      const [namespace, podName, container] = [parts[1]!, parts[2]!, parts[3]!];
      const containerId = await this.runningContainer(namespace, podName, container);
      let location: string;
      if (parts[0] === 'exec') {
        const { command, ...streams } = parseExecQuery(url.searchParams);
        location = await this.runtime.exec({ containerId, cmd: command, ...streams });
      } else {
        const query = parseAttachQuery(url.searchParams);
        // Whether the process runs on a terminal was settled when it started (kubelet GetAttach).
        const tty = this.containerSpec(namespace, podName, container)?.tty === true;
        location = await this.runtime.attach({ containerId, ...query, stderr: query.stderr && !tty, tty });
      }
      proxyStream(req, socket, head, location);
    } catch (err) {
      const [code, message] = describe(err);
      refuse(socket, code, message);
    }
  }

  /** The client's certificate must chain to the cluster CA and name system:masters among its groups. */
  private authorize(req: IncomingMessage, url: URL): void {
    const socket = req.socket as TLSSocket;
    const cert = socket.getPeerCertificate();
    if (!socket.authorized || !cert?.subject) throw new HttpError(401, 'Unauthorized');
    const user = String(cert.subject.CN ?? '');
    const groups = [cert.subject.O ?? []].flat();
    if (groups.includes(ALLOWED_GROUP)) return;
    const path = url.pathname.split('/')[1];
    const subresource = path === 'containerLogs' ? 'log' : path === 'metrics' ? 'metrics' : 'proxy';
    throw new HttpError(
      403,
      `Forbidden (user=${user}, verb=${req.method === 'GET' ? 'get' : 'create'}, resource=nodes, subresource(s)=[${subresource}])`,
    );
  }

  private async containerLogs(
    res: ServerResponse,
    namespace: string,
    podName: string,
    container: string,
    params: URLSearchParams,
  ): Promise<void> {
    const options = parseLogOptions(params);
    const pod = this.host.findPod(namespace, podName);
    if (!pod) throw new HttpError(404, `pod "${podName}" does not exist`);
    const specs = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    if (!specs.some((c) => c.name === container)) {
      throw new HttpError(400, `container ${container} is not valid for pod ${podName}`);
    }
    const id = containerIdForLogs(pod, this.host.podStatus(pod), container, options.previous);
    const { logPath } = await this.runtime.containerStatus(id);
    await access(logPath).catch(() => {
      throw new HttpError(400, new ContainerLogNotFoundError(logPath).message);
    });
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const isRunning = async () =>
      (await this.runtime.containerStatus(id).catch(() => undefined))?.state === 'CONTAINER_RUNNING';
    await readContainerLogs(logPath, options, res, abort.signal, { isRunning });
    res.end();
  }

  /** The container as the pod spec has it: its tty decides how attach sees its output. */
  private containerSpec(namespace: string, podName: string, container: string) {
    const spec = this.host.findPod(namespace, podName)?.spec;
    return [
      ...(spec?.initContainers ?? []),
      ...(spec?.containers ?? []),
      ...(spec?.ephemeralContainers ?? []),
    ].find((c) => c.name === container);
  }

  /** The ID of the container's running instance, as exec and attach need it. */
  private async runningContainer(namespace: string, podName: string, container: string): Promise<string> {
    const pod = this.host.findPod(namespace, podName);
    if (!pod) throw new HttpError(404, `pod "${podName}" does not exist`);
    const [running] = await this.runtime.listContainers({
      state: 'CONTAINER_RUNNING',
      labelSelector: { [POD_UID_LABEL]: pod.metadata.uid ?? '', [CONTAINER_NAME_LABEL]: container },
    });
    if (!running) throw new HttpError(404, `container not found ("${container}")`);
    return running.id;
  }
}

function describe(err: unknown): [number, string] {
  if (err instanceof HttpError || err instanceof LogRequestError) return [err.code, err.message];
  if (err instanceof AttachQueryError) return [400, err.message];
  if (err instanceof ZodError)
    return [400, err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')];
  return [500, err instanceof Error ? err.message : String(err)];
}
