// The control plane under test as its own process, exactly as `orch-lab up` starts it:
// `node bin/orch-lab.js control-plane --api-port 0 --etcd-port 0` with ORCH_LAB_HOME in a fresh temp
// dir, ready once lab.json exists and /readyz answers 200 to the admin's client certificate. It
// satisfies bench/store's ServerProcess, so bench/store/pair.ts's `measure` can read its CPU.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadRestConfig, type RestConfig } from '../../src/cluster/client/kubeconfig.ts';
import { labPaths } from '../../src/cluster/lab.ts';
import { readCpuSeconds, readRss } from '../proc.ts';
import type { ServerProcess } from '../store/server-process.ts';
import { ApiClient } from './client.ts';

export interface ControlPlaneProcess extends ServerProcess {
  /** $ORCH_LAB_HOME of this lab: removed by stop(). */
  readonly home: string;
  readonly rest: RestConfig;
  /** From spawn to the first 200 from /readyz. */
  readonly readyMs: number;
}

/** Same as bench/store's: our CLI, or another checkout's to compare builds. */
const ORCH_LAB_BIN =
  process.env.BENCH_ORCH_LAB_BIN ?? fileURLToPath(new URL('../../bin/orch-lab.js', import.meta.url));

/**
 * Extra node flags for the control plane, e.g. `BENCH_CP_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"`;
 * the profile is written when the process exits at the end of the run (SIGTERM, clean stop).
 */
const NODE_ARGS = (process.env.BENCH_CP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** Children still running, killed if the benchmark exits early (an error, Ctrl-C) so none linger. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startControlPlane(): Promise<ControlPlaneProcess> {
  const home = await mkdtemp(join(tmpdir(), 'orch-lab-bench-apiserver-'));
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, ORCH_LAB_BIN, 'control-plane', '--api-port', '0', '--etcd-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORCH_LAB_HOME: home } },
  );
  live.add(child);
  let log = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      log = (log + chunk).slice(-8_000);
    });
  }
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `code ${code}, signal ${signal}`;
      live.delete(child);
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (exited === undefined) child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    }
    await rm(home, { recursive: true, force: true });
  };

  try {
    const rest = await waitReady(home, () => exited);
    const pid = child.pid!;
    return {
      target: 'ours',
      endpoint: rest.server,
      pid,
      dataDir: home,
      home,
      rest,
      readyMs: performance.now() - spawnedAt,
      rss: () => readRss(pid),
      cpuSeconds: () => readCpuSeconds(pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw new Error(
      `the control plane did not become ready: ${(err as Error).message}\n--- log tail ---\n${log}`,
      {
        cause: err,
      },
    );
  }
}

async function waitReady(home: string, exited: () => string | undefined): Promise<RestConfig> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  const paths = labPaths(home);
  let lastError: unknown;
  while (performance.now() < deadline) {
    const status = exited();
    if (status) throw new Error(`exited early (${status})`);
    try {
      // lab.json is written last, after the kubeconfig: once it is there the kubeconfig is whole.
      await readFile(paths.state, 'utf8');
      const rest = await loadRestConfig(paths.kubeconfig);
      const client = new ApiClient(rest, { connections: 1 });
      try {
        const res = await client.request('GET', '/readyz', { timeoutMs: 1_000 });
        if (res.status === 200) return rest;
        lastError = new Error(`/readyz answered ${res.status}`);
      } finally {
        client.close();
      }
    } catch (err) {
      lastError = err;
    }
    await sleep(20);
  }
  throw new Error(`timed out after ${READY_TIMEOUT_MS} ms (${String(lastError)})`);
}
