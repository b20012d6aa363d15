import { spawn } from 'node:child_process';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { loadRestConfig } from '../../cluster/client/kubeconfig.ts';
import { ControlPlane, type LabState, labPaths, runningLab } from '../../cluster/lab.ts';

export interface UpOptions {
  readonly home: string;
  readonly apiPort: number;
  readonly etcdPort: number;
  /** A real etcd cluster to keep objects in, instead of the lab's own store. */
  readonly etcdEndpoints?: readonly string[];
  readonly nodes: number;
  readonly runtime: string;
}

const BIN = new URL('../../../bin/orch-lab.js', import.meta.url).pathname;
const READY_TIMEOUT_MS = 30_000;

/**
 * `orch-lab up` starts the control plane as a background process, waits until the API server
 * answers /readyz with the admin credentials, prints where the kubeconfig is, and exits.
 */
export async function up(options: UpOptions): Promise<void> {
  const running = await runningLab(options.home);
  if (running) {
    console.log(`The lab in ${options.home} is already running (pid ${running.pid}).`);
    console.log(`kubeconfig: ${running.kubeconfig}`);
    return;
  }
  if (options.nodes > 0) {
    console.log(
      `Nodes are not built yet: starting the control plane only (--nodes ${options.nodes} ignored).`,
    );
  }
  const paths = labPaths(options.home);
  await mkdir(paths.logs, { recursive: true, mode: 0o700 });
  const log = await open(join(paths.logs, 'control-plane.log'), 'a', 0o600);
  const args = [
    'control-plane',
    '--api-port',
    String(options.apiPort),
    '--etcd-port',
    String(options.etcdPort),
  ];
  if (options.etcdEndpoints) args.push('--etcd-endpoints', options.etcdEndpoints.join(','));
  const child = spawn(process.execPath, [BIN, ...args], {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: { ...process.env, ORCH_LAB_HOME: options.home },
  });
  child.unref();
  await log.close();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const state = await Promise.race([waitUntilReady(options.home), exited.then((code) => ({ exited: code }))]);
  if ('exited' in state) {
    const tail = await readFile(join(paths.logs, 'control-plane.log'), 'utf8').catch(() => '');
    throw new Error(
      `the control plane exited (code ${state.exited}) before it was ready:\n${tail.split('\n').slice(-15).join('\n')}`,
    );
  }
  console.log(`Control plane ready: API server ${state.apiServer}, etcd ${state.etcd}`);
  console.log(`kubeconfig: ${state.kubeconfig}`);
  console.log(`Try: kubectl --kubeconfig ${state.kubeconfig} get namespaces`);
}

async function waitUntilReady(home: string): Promise<LabState> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const state = await runningLab(home);
    if (state && (await readyz(state))) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `the control plane did not become ready within ${READY_TIMEOUT_MS / 1000}s; see ${labPaths(home).logs}`,
  );
}

async function readyz(state: LabState): Promise<boolean> {
  const rest = await loadRestConfig(state.kubeconfig).catch(() => undefined);
  if (!rest) return false;
  return new Promise((resolve) => {
    const req = request(
      `${rest.server}/readyz`,
      { ca: rest.certificateAuthority, cert: rest.clientCertificate, key: rest.clientKey, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** `orch-lab down`: stops the lab; its state stays for the next `up` unless purged. */
export async function down(options: { home: string; purge: boolean }): Promise<void> {
  const state = await runningLab(options.home);
  if (state) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await runningLab(options.home)))
      await new Promise((r) => setTimeout(r, 100));
    if (await runningLab(options.home)) process.kill(state.pid, 'SIGKILL');
    console.log(`Stopped the lab (pid ${state.pid}).`);
  } else {
    console.log(`No lab is running in ${options.home}.`);
  }
  if (options.purge) {
    const paths = labPaths(options.home);
    for (const path of [
      paths.store,
      paths.pki,
      paths.kubeconfig,
      paths.state,
      paths.logs,
      join(options.home, 'audit.log'),
    ]) {
      await rm(path, { recursive: true, force: true });
    }
    console.log(`Removed the lab's state from ${options.home}.`);
  }
}

export async function status(options: { home: string }): Promise<void> {
  const state = await runningLab(options.home);
  if (!state) {
    console.log(`No lab is running in ${options.home}. Start one with: orch-lab up`);
    process.exitCode = 1;
    return;
  }
  const ready = await readyz(state);
  console.log(`Lab home:      ${options.home}`);
  console.log(`Control plane: pid ${state.pid}, up since ${state.startedAt}`);
  console.log(`  API server   ${state.apiServer} (${ready ? 'ready' : 'not ready'})`);
  console.log(`  store        etcd v3 API on ${state.etcd}`);
  console.log(`kubeconfig:    ${state.kubeconfig}`);
}

export async function logs(options: { home: string; component?: string }): Promise<void> {
  const dir = labPaths(options.home).logs;
  const files = (await readdir(dir).catch(() => [])).filter(
    (f) => !options.component || f.startsWith(options.component),
  );
  if (files.length === 0) {
    console.log(`No logs${options.component ? ` for ${options.component}` : ''} in ${dir}.`);
    return;
  }
  for (const file of files) {
    console.log(`==> ${file} <==`);
    process.stdout.write(await readFile(join(dir, file), 'utf8'));
  }
}

/** The daemon behind `up`: runs the control plane until SIGTERM or SIGINT. */
export async function controlPlane(options: {
  home: string;
  apiPort: number;
  etcdPort: number;
  etcdEndpoints?: readonly string[];
}): Promise<void> {
  const plane = await ControlPlane.start({
    home: options.home,
    apiPort: options.apiPort,
    etcdPort: options.etcdPort,
    etcdEndpoints: options.etcdEndpoints,
  });
  console.log(
    `${new Date().toISOString()} control plane up: ${plane.state.apiServer}, etcd ${plane.state.etcd}`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log(`${new Date().toISOString()} ${signal}: stopping`);
  await plane.stop();
}
