// Starts a real single-member etcd for tests: free loopback ports, a throwaway data dir, and a
// stop() that kills the process and removes the dir. The conformance suite runs against it to learn
// what etcd answers, so ours can be held to the same answers.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BINARY = process.env.ETCD_BINARY ?? '/usr/bin/etcd';

export interface EtcdProcess {
  /** `127.0.0.1:PORT`, the form gRPC clients and `EtcdGrpcServer` use. */
  readonly endpoint: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** How long to wait for /health to answer. */
  readonly readyTimeoutMs?: number;
  /** Extra flags, e.g. `--max-txn-ops=16`. */
  readonly extraArgs?: readonly string[];
}

/** Asks the kernel for a free loopback port by binding :0 and closing again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the bound port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdProcess> {
  if (!existsSync(ETCD_BINARY)) {
    throw new Error(
      `etcd binary not found at ${ETCD_BINARY}: install etcd 3.4 (the CI script does) or set ETCD_BINARY`,
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'orch-lab-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const name = 'conformance';
  const args = [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=orch-lab-${clientPort}`,
    '--logger=zap',
    '--log-level=error',
    ...(options.extraArgs ?? []),
  ];

  const child = spawn(ETCD_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // Keep the tail of etcd's log to explain a failed start.
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log = (log + chunk).slice(-8_000);
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });

  // A test worker that dies without calling stop() must not leave etcd running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await kill(child, exit, () => exited !== undefined);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitHealthy(clientUrl, options.readyTimeoutMs ?? 20_000, () => exited);
  } catch (err) {
    await stop();
    throw new Error(`etcd did not become ready: ${(err as Error).message}\n--- etcd log tail ---\n${log}`, {
      cause: err,
    });
  }
  return { endpoint: `127.0.0.1:${clientPort}`, dataDir, stop };
}

async function waitHealthy(
  clientUrl: string,
  timeoutMs: number,
  exited: () => { code: number | null; signal: NodeJS.Signals | null } | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const status = exited();
    if (status) throw new Error(`etcd exited early (code ${status.code}, signal ${status.signal})`);
    try {
      const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
      lastError = new Error(`health: ${JSON.stringify(body)}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms (${String(lastError)})`);
}

async function kill(child: ChildProcess, exit: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!hasExited()) child.kill('SIGKILL');
  }, 5_000);
  await exit;
  clearTimeout(timer);
}
