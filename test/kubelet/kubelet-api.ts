import { request } from 'node:https';
import WebSocket from 'ws';

export interface Credentials {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** A GET to the kubelet server; answers the status code and body. */
export function kubeletGet(url: string, tls: Credentials): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What an exec session said: its stdout, stderr and the error channel's Status. */
export interface ExecOutcome {
  readonly protocol: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: {
    status: string;
    reason?: string;
    details?: { causes?: { reason: string; message: string }[] };
  };
}

/** Runs a command through the kubelet's /exec WebSocket, as kubectl does, optionally feeding stdin. */
export function kubeletExec(
  url: string,
  tls: Credentials,
  options: { protocols?: string[]; stdin?: string } = {},
): Promise<ExecOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      ...tls,
    });
    let stdout = '';
    let stderr = '';
    let status: ExecOutcome['status'] | undefined;
    ws.on('open', () => {
      if (options.stdin === undefined) return;
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(options.stdin)]));
      ws.send(Buffer.from([255, 0]));
    });
    ws.on('message', (data: Buffer) => {
      const text = data.subarray(1).toString();
      if (data[0] === 1) stdout += text;
      else if (data[0] === 2) stderr += text;
      else if (data[0] === 3) status = JSON.parse(text);
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`exec refused: ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('close', () => {
      if (!status) return reject(new Error('exec closed without a status'));
      resolve({ protocol: ws.protocol, stdout, stderr, status });
    });
  });
}
