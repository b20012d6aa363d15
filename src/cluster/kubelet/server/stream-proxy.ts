import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { refuse } from '../../cri/streaming/server.ts';

/**
 * proxyStream hands an upgrade request on to the runtime's streaming server (the kubelet's
 * proxyStream with an UpgradeAwareHandler): the request goes out again, headers and all, to the
 * URL the runtime answered Exec, Attach or PortForward with, and from then on bytes are copied both
 * ways, whatever protocol the two ends agree on (WebSocket, SPDY).
 */
export function proxyStream(req: IncomingMessage, socket: Duplex, head: Buffer, location: string): void {
  const target = new URL(location);
  const upstream = connect({ host: target.hostname, port: Number(target.port) });
  const lines = [`${req.method ?? 'GET'} ${target.pathname}${target.search} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    lines.push(`${name}: ${name.toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]}`);
  }
  upstream.once('connect', () => {
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  upstream.once('error', (err) => {
    if (upstream.bytesRead === 0 && socket.writable) {
      refuse(socket, 500, `error dialing the runtime's streaming server: ${err.message}`);
    } else socket.destroy();
  });
  socket.once('error', () => upstream.destroy());
  socket.once('close', () => upstream.destroy());
  upstream.once('close', () => socket.destroy());
}
