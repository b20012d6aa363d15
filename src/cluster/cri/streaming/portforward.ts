import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { SpdyConnection, type SpdyStream } from './spdy-connection.ts';

/** The port-forward subprotocol (PortForwardProtocolV1Name), negotiated in X-Stream-Protocol-Version. */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** What kubectl offers over WebSocket: SPDY tunneled in binary messages (KEP 4006). */
export const TUNNELING_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

/** How long the second stream of a pair may keep the first waiting (the kubelet's streamCreationTimeout). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** A port-forward request the streaming server refuses before upgrading (answered 400). */
export class PortForwardRequestError extends Error {}

/** Where a pod's ports are: its sandbox, and the IP the sandbox's network has. */
export interface PortForwardTarget {
  readonly sandboxId: string;
  readonly ip: string;
}

/**
 * PortForwardServer answers a runtime streaming server's /portforward/{token}, which the kubelet
 * proxies its /portForward/{namespace}/{pod} to (cri/streaming/portforward upstream): the client upgrades to SPDY/3.1, either tunneled over a WebSocket
 * (what kubectl 1.31+ tries first) or with a plain `Upgrade: SPDY/3.1` (its fallback). Each
 * forwarded connection is a pair of streams with the same `requestid` header: a data stream whose
 * bytes are copied to and from the pod's `port`, and an error stream that carries, as text, why a
 * connection to the pod failed.
 */
export class PortForwardServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<SpdyConnection>();

  constructor() {
    // ws refuses "SPDY/3.1+portforward.k8s.io" as a subprotocol ('/' is no token character, though
    // kubectl's gorilla/websocket sends and accepts it), so upgrade() checks the offer itself and
    // the answer is added here.
    this.wss.on('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${TUNNELING_PROTOCOL}`));
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: PortForwardTarget): void {
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      if (!offered.includes(TUNNELING_PROTOCOL)) {
        throw new PortForwardRequestError(`unable to upgrade: no supported protocol among [${offered}]`);
      }
      delete req.headers['sec-websocket-protocol'];
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(createWebSocketStream(ws), target));
      return;
    }
    const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(/,\s*/);
    if (upgrade !== 'spdy/3.1' || !versions.includes(PORT_FORWARD_PROTOCOL)) {
      throw new PortForwardRequestError('unable to upgrade: missing upgrade headers in request');
    }
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
    );
    if (head.length > 0) socket.unshift(head);
    this.serve(socket, target);
  }

  close(): void {
    for (const connection of this.connections) connection.close();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private serve(transport: Duplex, target: PortForwardTarget): void {
    const pairs = new Map<string, StreamPair>();
    const connection = new SpdyConnection(transport, (stream) => {
      const port = Number(stream.headers.port);
      if (!/^\d+$/.test(stream.headers.port ?? '') || port < 1 || port > 65535) {
        throw new Error(`unable to parse "${stream.headers.port}" as a port`);
      }
      const type = stream.headers.streamtype;
      if (type !== 'error' && type !== 'data') throw new Error(`invalid stream type "${type}"`);
      const requestId = stream.headers.requestid ?? '';
      let pair = pairs.get(requestId);
      if (!pair) {
        const created: StreamPair = { timer: undefined };
        created.timer = setTimeout(() => {
          pairs.delete(requestId);
          created.error?.end(`(request=${requestId}) timed out waiting for streams`);
          created.data?.reset();
        }, STREAM_CREATION_TIMEOUT_MS).unref();
        pair = created;
        pairs.set(requestId, pair);
      }
      if (pair[type]) {
        const message = `error processing stream for request ${requestId}: ${type} stream already assigned`;
        pair.error?.write(message);
        throw new Error(message);
      }
      pair[type] = stream;
      if (pair.data && pair.error) {
        clearTimeout(pair.timer);
        pairs.delete(requestId);
        forward(pair.data, pair.error, port, target);
      }
    });
    this.connections.add(connection);
    void connection.done.then(() => this.connections.delete(connection));
  }
}

interface StreamPair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Copies bytes between the data stream and a new connection to the pod's port until both sides
 * are done, then finishes both streams; a failure to connect is reported on the error stream in
 * the kubelet's words: "error forwarding port 81 to pod <sandbox>, uid : <cause>" (the CRI
 * streaming server knows the sandbox, not the pod's UID).
 */
function forward(data: SpdyStream, error: SpdyStream, port: number, target: PortForwardTarget): void {
  const socket: Socket = connect({ host: target.ip, port });
  let connected = false;
  const finish = () => {
    if (!data.destroyed) data.end();
    if (!error.destroyed) error.end();
  };
  socket.once('connect', () => {
    connected = true;
    data.pipe(socket);
    socket.pipe(data);
  });
  socket.once('error', (err: NodeJS.ErrnoException) => {
    if (connected) return;
    const cause = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
    error.write(
      `error forwarding port ${port} to pod ${target.sandboxId}, uid : dial tcp4 ${target.ip}:${port}: ${cause}`,
    );
  });
  socket.once('close', finish);
  // The client reset the stream (its local connection went away): drop the pod's end too.
  data.once('close', () => socket.destroy());
  error.resume();
}
