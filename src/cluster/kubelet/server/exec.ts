import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { ExecSession, RuntimeService } from '../../runtime/cri.ts';

/** The stream protocols kubectl offers, newest first; v5 adds the close channel (255). */
export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** The channels of the channel.k8s.io protocols: the first byte of every binary frame. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The query of an exec request: repeated `command`, and which streams to attach. */
export const ExecQuery = z.object({
  command: z.array(z.string()).min(1, 'you must specify at least 1 command'),
  stdin: z.boolean(),
  stdout: z.boolean(),
  stderr: z.boolean(),
  tty: z.boolean(),
});
export type ExecQuery = z.infer<typeof ExecQuery>;

/** Parses the exec query; a flag is on when given as 1 or true. */
export function parseExecQuery(params: URLSearchParams): ExecQuery {
  const flag = (name: string) => ['1', 'true'].includes(params.get(name) ?? '');
  return ExecQuery.parse({
    command: params.getAll('command'),
    stdin: flag('stdin'),
    stdout: flag('stdout'),
    stderr: flag('stderr'),
    tty: flag('tty'),
  });
}

const TerminalSize = z.object({
  Width: z.number().int().nonnegative(),
  Height: z.number().int().nonnegative(),
});

/** The error channel's last word: Success, or NonZeroExitCode with the code (remotecommand v4). */
export function exitStatus(cmd: readonly string[], code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/**
 * ExecServer answers the kubelet's /exec upgrade with the WebSocket protocols kubectl speaks
 * (remotecommand over channel.k8s.io): stdin arrives on channel 0, stdout and stderr leave on 1
 * and 2, terminal sizes arrive on 4, and once the process has exited its status goes out on 3
 * and the connection closes.
 */
export class ExecServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => STREAM_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });

  constructor(private readonly runtime: RuntimeService) {}

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, containerId: string, query: ExecQuery): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.serve(ws, containerId, query));
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private async serve(ws: WebSocket, containerId: string, query: ExecQuery): Promise<void> {
    const send = (channel: number, data: Buffer | string) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    };
    let session: ExecSession;
    try {
      session = await this.runtime.exec({
        containerId,
        cmd: query.command,
        tty: query.tty,
        stdin: query.stdin,
      });
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
    ws.on('close', () => session.stdin?.end());
    if (query.stdout) session.stdout.on('data', (chunk: Buffer) => send(Channel.stdout, chunk));
    else session.stdout.resume();
    if (query.stderr) session.stderr?.on('data', (chunk: Buffer) => send(Channel.stderr, chunk));
    else session.stderr?.resume();
    const code = await session.exited;
    send(Channel.error, JSON.stringify(exitStatus(query.command, code)));
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
