import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';

/** The stream protocols kubectl offers, newest first; v5 adds the close channel (255). */
export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** The channels of the channel.k8s.io protocols: the first byte of every binary frame. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Which streams a request asks for: `stdin`, `stdout`, `stderr`, `tty`, each on when 1 or true. */
export interface StreamOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

export function parseStreamOptions(params: URLSearchParams): StreamOptions {
  const flag = (name: string) => ['1', 'true'].includes(params.get(name) ?? '');
  return { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
}

/** The error channel's word for a session that ended well. */
export const successStatus = { metadata: {}, status: 'Success' } as const;

/** What the WebSocket is joined to: an exec'd process or an attached container. */
export interface StreamSession {
  readonly stdin?: Writable;
  /** The streams to send; the session's Status goes out once they have ended. */
  readonly stdout?: Readable;
  readonly stderr?: Readable;
  resize(size: { readonly width: number; readonly height: number }): void;
  /** The Status the error channel carries at the end. */
  readonly status: Promise<object>;
  /** The client went away. */
  hangUp(): void;
}

const TerminalSize = z.object({
  Width: z.number().int().nonnegative(),
  Height: z.number().int().nonnegative(),
});

/**
 * RemoteCommandServer answers the streaming server's /exec and /attach upgrades (the kubelet's,
 * proxied) with the WebSocket protocols kubectl speaks (remotecommand over channel.k8s.io): stdin arrives on channel 0, stdout and stderr
 * leave on 1 and 2, terminal sizes arrive on 4, and once the session is over its status goes out
 * on 3 and the connection closes.
 */
export class RemoteCommandServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => STREAM_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });

  /** Upgrades the request, then opens the session; a failure to open goes out as a Failure Status. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, open: () => Promise<StreamSession>): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.serve(ws, open));
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private async serve(ws: WebSocket, open: () => Promise<StreamSession>): Promise<void> {
    const send = (channel: number, data: Buffer | string) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    };
    let session: StreamSession;
    try {
      session = await open();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      send(
        Channel.error,
        JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError' }),
      );
      ws.close(1000);
      return;
    }
    ws.on('message', (raw: Buffer) => {
      const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer);
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === Channel.stdin) session.stdin?.write(payload);
      else if (channel === Channel.close && payload[0] === Channel.stdin) session.stdin?.end();
      else if (channel === Channel.resize) {
        const size = TerminalSize.safeParse(JSONparse(payload.toString()));
        if (size.success) session.resize({ width: size.data.Width, height: size.data.Height });
      }
    });
    ws.on('close', () => session.hangUp());
    const outputs = [
      [session.stdout, Channel.stdout],
      [session.stderr, Channel.stderr],
    ] as const;
    for (const [stream, channel] of outputs) stream?.on('data', (chunk: Buffer) => send(channel, chunk));
    const [status] = await Promise.all([
      session.status,
      ...outputs.map(([stream]) => (stream ? finished(stream).catch(() => {}) : undefined)),
    ]);
    send(Channel.error, JSON.stringify(status));
    ws.close(1000);
  }
}

/** JSON.parse that answers undefined for garbage, so a bad resize frame is ignored. */
function JSONparse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
