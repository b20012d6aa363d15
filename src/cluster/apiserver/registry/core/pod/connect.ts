import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Pod } from '../../../../api/core/pod.ts';
import { nodes } from '../../../../api/core/register.ts';
import { type Attributes, forbiddenStatus } from '../../../authz/attributes.ts';
import type { ResourceRequest } from '../../../handlers/resource.ts';
import { KubeletClient, kubeletRefusal } from '../../../kubelet-client.ts';
import { badRequest, methodNotSupported, StatusError } from '../../../status.ts';
import type { SubresourceDeps, SubresourceHandler } from '../../registration.ts';

/**
 * The pod subresources the kubelet serves (kube's LogREST, ExecREST, AttachREST and PortForwardREST):
 * the API server checks who asks and for which container, finds the pod's node, and hands the
 * request on to that node's kubelet, streaming the answer back. `kubectl logs`, `exec`, `attach` and
 * `port-forward` go through here.
 */

/** The query parameters of pods/log the kubelet's /containerLogs takes as they are (PodLogOptions). */
const LOG_PARAMETERS = [
  'follow',
  'previous',
  'timestamps',
  'sinceSeconds',
  'sinceTime',
  'tailLines',
  'limitBytes',
];

/** The request headers an upgrade needs at the kubelet: the protocol negotiation, nothing about the caller. */
const UPGRADE_HEADERS = [
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'x-stream-protocol-version',
  'user-agent',
];

/** pods/log: GET /containerLogs/{ns}/{pod}/{container} on the pod's kubelet, streamed (follow included). */
export const podLog: SubresourceHandler<Pod> = async (ctx, deps) => {
  if (ctx.info.verb !== 'get') throw methodNotSupported();
  const { pod, container, kubelet } = await locate(ctx, deps);
  const url = new URL(`containerLogs/${pathOf(pod, container)}`, kubelet);
  for (const name of LOG_PARAMETERS) {
    const value = ctx.query.get(name);
    if (value !== null) url.searchParams.set(name, value);
  }
  const abort = new AbortController();
  ctx.res.once('close', () => abort.abort());
  const response = await deps.kubelet.get(url, abort.signal);
  if (!ok(response)) throw await kubeletRefusal(response);
  ctx.res.writeHead(200, {
    'Content-Type': response.headers['content-type'] ?? 'text/plain',
    'Cache-Control': 'no-cache, private',
  });
  response.pipe(ctx.res);
  await finished(ctx.res).catch(() => {});
  response.destroy();
};

/**
 * pods/exec and pods/attach: the request arrives as an HTTP upgrade (WebSocket with
 * v5.channel.k8s.io and its elders, or SPDY); the same upgrade goes to the kubelet's
 * /exec/{ns}/{pod}/{container} or /attach/{ns}/{pod}/{container} and, once the kubelet switches
 * protocols, the two connections are joined byte for byte, as kube-apiserver's
 * UpgradeAwareHandler joins them.
 */
export const podExec = podStream((ctx, deps) => streamLocation(ctx, deps, 'exec'));
export const podAttach = podStream((ctx, deps) => streamLocation(ctx, deps, 'attach'));

/**
 * pods/portforward: the upgrade (a WebSocket tunneling SPDY, or SPDY itself) goes to the kubelet's
 * /portForward/{ns}/{pod}, which speaks SPDY either way; kube-apiserver would turn the WebSocket
 * into SPDY itself (its tunneling handler), the lab's kubelet takes both. The ports travel in each
 * stream's headers; PodPortForwardOptions' `ports` are handed on as `port`, as PortForwardLocation does.
 */
export const podPortForward = podStream(async (ctx, deps) => {
  const pod = await podOf(ctx);
  const url = new URL(`portForward/${pathOf(pod)}`, await kubeletOf(pod, ctx, deps));
  for (const port of ctx.query.getAll('ports')) url.searchParams.append('port', port);
  return url;
});

function podStream(
  location: (ctx: ResourceRequest<Pod>, deps: SubresourceDeps) => Promise<URL>,
): SubresourceHandler<Pod> {
  return async (ctx, deps) => {
    if (ctx.info.verb !== 'get' && ctx.info.verb !== 'create') throw methodNotSupported();
    if (!ctx.req.headers.upgrade) throw badRequest('Upgrade request required');
    // A WebSocket upgrade is a GET, but running a command or joining a container's stdin is
    // creating something: kube-apiserver (AuthorizePodWebsocketUpgradeCreatePermission) asks for
    // create as well.
    if (ctx.info.verb === 'get') {
      const attributes: Attributes = { ...ctx.info, user: ctx.user, verb: 'create' };
      const verdict = deps.authorize(attributes);
      if (verdict.decision !== 'Allow') {
        const status = forbiddenStatus(attributes, verdict.reason);
        throw new StatusError(403, 'Forbidden', status.message, status.details);
      }
    }
    const url = await location(ctx, deps);
    const upgrade = await deps.kubelet.upgrade(ctx.req.method ?? 'GET', url, upgradeHeaders(ctx.req.headers));
    if (!upgrade.upgraded) throw await kubeletRefusal(upgrade.response);
    // The audit record is written when the connection closes, with this code.
    ctx.res.statusCode = 101;
    const client = ctx.req.socket as Duplex;
    client.write(responseHead(upgrade.response));
    if (upgrade.head.length > 0) client.write(upgrade.head);
    await join(client, upgrade.socket);
  };
}

/** The kubelet's /exec or /attach URL for the request's container. */
async function streamLocation(
  ctx: ResourceRequest<Pod>,
  deps: SubresourceDeps,
  kind: 'exec' | 'attach',
): Promise<URL> {
  const { pod, container, kubelet } = await locate(ctx, deps);
  const url = new URL(`${kind}/${pathOf(pod, container)}`, kubelet);
  // PodExecOptions has the command; PodAttachOptions only the streams.
  if (kind === 'exec')
    for (const command of ctx.query.getAll('command')) url.searchParams.append('command', command);
  for (const stream of ['stdin', 'stdout', 'stderr', 'tty']) {
    if (isTrue(ctx.query.get(stream))) url.searchParams.set(stream, '1');
  }
  return url;
}

/** The pod, the container the request is for, and its kubelet's base URL. */
async function locate(
  ctx: ResourceRequest<Pod>,
  deps: SubresourceDeps,
): Promise<{ pod: Pod; container: string; kubelet: URL }> {
  const pod = await podOf(ctx);
  const container = containerFor(pod, ctx.query.get('container'));
  return { pod, container, kubelet: await kubeletOf(pod, ctx, deps) };
}

const podOf = (ctx: ResourceRequest<Pod>) => ctx.store.get(ctx.scope.namespace, ctx.info.name);

/** The base URL of the kubelet on the pod's node. */
async function kubeletOf(pod: Pod, ctx: ResourceRequest<Pod>, deps: SubresourceDeps): Promise<URL> {
  if (!pod.spec.nodeName) throw badRequest(`pod ${ctx.info.name} does not have a host assigned`);
  const node = await deps.stores(nodes).get('', pod.spec.nodeName);
  return KubeletClient.location(node);
}

/**
 * The container a request names, or the one it means when it names none: the pod's only
 * container, or the one kubectl.kubernetes.io/default-container names. Otherwise the caller
 * must choose, with kube-apiserver's wording.
 */
function containerFor(pod: Pod, requested: string | null): string {
  const name = pod.metadata.name;
  const { containers, initContainers = [], ephemeralContainers = [] } = pod.spec;
  if (requested) {
    const known = [...containers, ...initContainers, ...ephemeralContainers].some(
      (c) => c.name === requested,
    );
    if (!known) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && containers.some((c) => c.name === annotated)) return annotated;
  if (containers.length === 1) return containers[0]!.name;
  const names = (list: readonly { name: string }[]) => list.map((c) => c.name).join(' ');
  let message = `a container name must be specified for pod ${name}, choose one of: [${names(containers)}]`;
  if (initContainers.length > 0) message += ` or one of the init containers: [${names(initContainers)}]`;
  throw badRequest(message);
}

const pathOf = (pod: Pod, container?: string) =>
  [
    pod.metadata.namespace ?? 'default',
    pod.metadata.name ?? '',
    ...(container === undefined ? [] : [container]),
  ]
    .map((segment) => encodeURIComponent(segment))
    .join('/');

const ok = (response: IncomingMessage) =>
  (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300;

const isTrue = (value: string | null) => value === 'true' || value === '1';

function upgradeHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const picked: Record<string, string | string[]> = {};
  for (const name of UPGRADE_HEADERS) {
    const value = headers[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/** The kubelet's 101 answer as it goes back to the client: status line and headers, as received. */
function responseHead(response: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${response.statusCode} ${response.statusMessage}`];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Pipes two connections into each other until both have closed. An end on one side ends the other
 * once what it sent is delivered (an exec's last frame carries its exit status); an error ends both.
 */
function join(a: Duplex, b: Duplex): Promise<void> {
  a.pipe(b);
  b.pipe(a);
  const both = [a, b].map(
    (socket, i) =>
      new Promise<void>((resolve) => {
        const other = i === 0 ? b : a;
        socket.once('error', () => other.destroy());
        socket.once('close', () => {
          other.end();
          resolve();
        });
      }),
  );
  return Promise.all(both).then(() => {});
}
