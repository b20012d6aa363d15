/**
 * The lab's data path: a listener per Service frontend (ClusterIP:port, load balancer IP:port,
 * <nodeIP>:nodePort) that hands each new TCP connection or UDP flow to a ready endpoint. It plays
 * the part the kernel plays for iptables-mode kube-proxy, in the manner of the old userspace
 * proxy mode (pkg/proxy/userspace), since process nodes have no network namespace of their own.
 *
 * Every node shares the host's loopback, so a ClusterIP:port can be bound by one proxy only: every
 * proxy tries, the first wins, and the others retry every second, so when a node dies its
 * listeners are taken over. Node ports are bound by each node's proxy on its own node IP. A frontend
 * with no ready endpoint has no listener at all, so clients get "connection refused" at once, as
 * kube-proxy's REJECT rule gives them.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Clock, Timer } from '../clock/clock.ts';
import type { RoundRobin } from './round-robin.ts';
import type { Protocol } from './service-port.ts';

/** How often a proxy tries again to bind an address another proxy holds. */
export const BIND_RETRY_MS = 1000;
/** A UDP flow with no traffic for this long is forgotten (kube-proxy's conntrack UDP timeout is 30 s). */
const UDP_IDLE_MS = 30_000;

export interface Frontend {
  readonly address: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly balancer: RoundRobin;
}

export const frontendKey = (f: Pick<Frontend, 'address' | 'port' | 'protocol'>) =>
  `${f.protocol}/${f.address}:${f.port}`;

interface Listener {
  frontend: Frontend;
  /** Set while bound. */
  close?: () => Promise<void>;
  binding: boolean;
}

export interface UserspaceProxyOptions {
  readonly clock: Clock;
  readonly onError: (err: unknown) => void;
}

export class UserspaceProxy {
  private readonly listeners = new Map<string, Listener>();
  private retry?: Timer;
  private stopped = false;

  constructor(private readonly options: UserspaceProxyOptions) {}

  /** Makes the listeners match `frontends`: new ones bound, gone ones closed. */
  sync(frontends: readonly Frontend[]): void {
    const wanted = new Map(frontends.map((f) => [frontendKey(f), f]));
    for (const [key, listener] of this.listeners) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      void listener.close?.();
    }
    for (const [key, frontend] of wanted) {
      const listener = this.listeners.get(key);
      if (listener) listener.frontend = frontend;
      else {
        const fresh: Listener = { frontend, binding: false };
        this.listeners.set(key, fresh);
        void this.bind(fresh);
      }
    }
    this.scheduleRetry();
  }

  /** The frontends this proxy holds a listener for. */
  bound(): Frontend[] {
    return [...this.listeners.values()].filter((l) => l.close).map((l) => l.frontend);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.cancel();
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => l.close?.()));
  }

  private scheduleRetry(): void {
    if (this.retry || this.stopped) return;
    if (![...this.listeners.values()].some((l) => !l.close)) return;
    this.retry = this.options.clock.setTimeout(() => {
      this.retry = undefined;
      for (const listener of this.listeners.values()) if (!listener.close) void this.bind(listener);
      this.scheduleRetry();
    }, BIND_RETRY_MS);
  }

  private async bind(listener: Listener): Promise<void> {
    if (listener.binding || listener.close || this.stopped) return;
    listener.binding = true;
    const { address, port, protocol } = listener.frontend;
    try {
      const close =
        protocol === 'TCP'
          ? await listenTCP(address, port, () => listener.frontend.balancer)
          : await listenUDP(address, port, () => listener.frontend.balancer);
      // Dropped or stopped while binding: let go at once.
      if (this.listeners.get(frontendKey(listener.frontend)) !== listener || this.stopped) await close();
      else listener.close = close;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another node's proxy holds it (or the address is not ours yet): the retry loop tries again.
      if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') this.options.onError(err);
    } finally {
      listener.binding = false;
    }
  }
}

function listenTCP(address: string, port: number, balancer: () => RoundRobin): Promise<() => Promise<void>> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.setNoDelay(true);
    forward(client, balancer(), balancer().size);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', () => {});
      resolve(
        () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Connections already made stay up, as conntrack keeps established flows.
          }),
      );
    });
  });
}

/** Connects `client` to an endpoint, trying the next one when an endpoint refuses (a pod just gone). */
function forward(client: Socket, balancer: RoundRobin, attempts: number): void {
  const endpoint = balancer.pick(client.remoteAddress ?? '');
  if (!endpoint || attempts <= 0) {
    client.resetAndDestroy();
    return;
  }
  client.pause();
  const upstream = connect({ host: endpoint.ip, port: endpoint.port, noDelay: true });
  const onConnectError = () => {
    upstream.destroy();
    forward(client, balancer, attempts - 1);
  };
  upstream.once('error', onConnectError);
  upstream.once('connect', () => {
    upstream.off('error', onConnectError);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  client.once('close', () => upstream.destroy());
}

function listenUDP(address: string, port: number, balancer: () => RoundRobin): Promise<() => Promise<void>> {
  const server: UdpSocket = createSocket({ type: 'udp4', reuseAddr: false });
  // One upstream socket per client address and port, as conntrack keeps one entry per UDP flow;
  // datagrams that arrive before it is connected wait in `queued`.
  const flows = new Map<string, { upstream: UdpSocket; idle: NodeJS.Timeout; queued?: Buffer[] }>();
  const forget = (key: string) => {
    const flow = flows.get(key);
    if (!flow) return;
    flows.delete(key);
    clearTimeout(flow.idle);
    flow.upstream.close();
  };
  server.on('message', (msg: Buffer, from: RemoteInfo) => {
    const key = `${from.address}:${from.port}`;
    const existing = flows.get(key);
    if (existing) {
      existing.idle.refresh();
      if (existing.queued) existing.queued.push(msg);
      else existing.upstream.send(msg);
      return;
    }
    const endpoint = balancer().pick(from.address);
    if (!endpoint) return;
    const upstream = createSocket('udp4');
    const flow = {
      upstream,
      idle: setTimeout(() => forget(key), UDP_IDLE_MS),
      queued: [msg] as Buffer[] | undefined,
    };
    flows.set(key, flow);
    upstream.on('message', (reply) => server.send(reply, from.port, from.address));
    upstream.on('error', () => forget(key));
    upstream.connect(endpoint.port, endpoint.ip, () => {
      for (const queued of flow.queued ?? []) upstream.send(queued);
      flow.queued = undefined;
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.bind({ address, port, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', () => {});
      resolve(
        () =>
          new Promise<void>((done) => {
            for (const key of [...flows.keys()]) forget(key);
            server.close(() => done());
          }),
      );
    });
  });
}
