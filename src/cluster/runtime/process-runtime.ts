import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { type Clock, systemClock } from '../clock/clock.ts';
import { ContainerIO } from './container-io.ts';
import type {
  AttachRequest,
  AttachSession,
  ContainerConfig,
  ContainerEvent,
  ContainerFilter,
  ContainerState,
  ContainerStatus,
  ExecRequest,
  ExecSession,
  Image,
  ImageService,
  ImageSpec,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxState,
  PodSandboxStatus,
  RuntimeService,
  VersionResponse,
} from './cri.ts';
import { RuntimeNotFoundError } from './cri.ts';
import { LabImageService, type LocalImage } from './image-service.ts';
import {
  execFailedExitCode,
  execFailedMessage,
  lookPath,
  startFailedExitCode,
  startFailedMessage,
} from './images/commands.ts';
import { contextEnv } from './images/lib/context.ts';
import { ContainerFs } from './images/lib/fs.ts';
import { lifelineFd } from './images/lib/lifeline.ts';
import { HostLocalIpam } from './ipam.ts';
import { ContainerLogWriter } from './log-writer.ts';

export interface ProcessRuntimeOptions {
  /** The node's directory: containers/<id>/rootfs and images.json live here. */
  readonly rootDir: string;
  /** The node's pod CIDR, e.g. 127.244.1.0/24; pod IPs come from it. */
  readonly podCIDR: string;
  /** The image cache shared by all nodes, e.g. $ORCH_LAB_HOME/images. */
  readonly imageCacheDir: string;
  readonly clock?: Clock;
  /** How often memory limits are checked. */
  readonly memoryPollMs?: number;
}

interface Sandbox {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly ip: string;
  readonly createdAt: bigint;
  state: PodSandboxState;
  ipReleased: boolean;
}

interface Container {
  readonly id: string;
  readonly sandbox: Sandbox;
  readonly config: ContainerConfig;
  readonly image: LocalImage;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string;
  readonly dir: string;
  readonly logPath: string;
  readonly createdAt: bigint;
  state: ContainerState;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  reason: string;
  message: string;
  process?: ChildProcess;
  exited?: Promise<void>;
  oomKilled: boolean;
  readonly execs: Set<ChildProcess>;
  /** The running process's streams as attach sessions see them. */
  io?: ContainerIO;
}

/**
 * ProcessRuntime is the lab's container runtime: a CRI RuntimeService and ImageService in which
 * a sandbox is a pod IP plus a log directory and a container is one OS process, the image's bundled
 * program run by node. What namespaces and cgroups would do is done by agreement and by watching:
 *  - filesystem: each container gets a rootfs directory copied from its image; mounts are a table
 *    the image library applies (images/lib/fs.ts);
 *  - network: servers bind the pod IP, "localhost" means the pod IP (images/lib/net.ts);
 *  - memory: the process's resident anonymous memory is polled and over the limit it is SIGKILLed
 *    and reported OOMKilled with exit code 137, as the kernel's OOM killer would leave it;
 *  - lifetime: a lifeline pipe makes every container exit when the process holding this runtime dies.
 */
export class ProcessRuntime implements RuntimeService, ImageService {
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly containers = new Map<string, Container>();
  private readonly events = new EventEmitter();
  private readonly ipam: HostLocalIpam;
  private readonly images: LabImageService;
  private readonly clock: Clock;
  private memoryTimer: NodeJS.Timeout | undefined;
  private lastNanos = 0n;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.clock = options.clock ?? systemClock;
    this.ipam = new HostLocalIpam(options.podCIDR);
    this.images = new LabImageService({
      cacheDir: options.imageCacheDir,
      stateFile: join(options.rootDir, 'images.json'),
    });
  }

  async version(): Promise<VersionResponse> {
    return { runtimeName: 'orch-lab', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  // --- ImageService ---

  listImages(): Promise<Image[]> {
    return this.images.listImages();
  }

  imageStatus(image: ImageSpec): Promise<Image | undefined> {
    return this.images.imageStatus(image);
  }

  pullImage(image: ImageSpec): Promise<string> {
    return this.images.pullImage(image);
  }

  async removeImage(image: ImageSpec): Promise<void> {
    const status = await this.images.imageStatus(image);
    const user = [...this.containers.values()].find((c) => c.image.id === status?.id);
    if (user) throw new Error(`image "${image.image}" is in use by container ${user.id}`);
    await this.images.removeImage(image);
  }

  // --- sandboxes ---

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newId();
    const ip = this.ipam.allocate();
    await mkdir(config.logDirectory, { recursive: true });
    this.sandboxes.set(id, {
      id,
      config,
      ip,
      createdAt: this.nowNanos(),
      state: 'SANDBOX_READY',
      ipReleased: false,
    });
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    const sandbox = this.sandbox(podSandboxId);
    await Promise.all(this.containersOf(sandbox).map((c) => this.stopContainer(c.id, 0)));
    sandbox.state = 'SANDBOX_NOTREADY';
    this.releaseIp(sandbox);
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    const sandbox = this.sandboxes.get(podSandboxId);
    if (!sandbox) return;
    for (const container of this.containersOf(sandbox)) await this.removeContainer(container.id);
    sandbox.state = 'SANDBOX_NOTREADY';
    this.releaseIp(sandbox);
    this.sandboxes.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    return sandboxStatus(this.sandbox(podSandboxId));
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()]
      .filter(
        (s) =>
          (!filter.id || s.id.startsWith(filter.id)) &&
          (!filter.state || s.state === filter.state) &&
          matchLabels(s.config.labels, filter.labelSelector),
      )
      .map(sandboxStatus);
  }

  // --- containers ---

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    _sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const sandbox = this.sandbox(podSandboxId);
    if (sandbox.state !== 'SANDBOX_READY') throw new Error(`sandbox ${podSandboxId} is not ready`);
    const image = await this.images.localImage(config.image);
    if (!image) throw new Error(`failed to get image "${config.image}": not found (pull it first)`);
    const id = newId();
    const dir = join(this.options.rootDir, 'containers', id);
    await this.prepareRootfs(join(dir, 'rootfs'), image, sandbox, config);

    // Kubernetes' rule: command replaces the entrypoint (and drops the image's cmd), args replace cmd.
    const argv = config.command.length
      ? [...config.command, ...config.args]
      : [...image.config.entrypoint, ...(config.args.length ? config.args : image.config.cmd)];
    const env: Record<string, string> = {};
    for (const { key, value } of [
      ...image.config.env,
      { key: 'HOSTNAME', value: sandbox.config.hostname },
      ...config.envs,
    ]) {
      env[key] = value;
    }
    // runc sets HOME from the user's passwd entry when nothing else does; the lab's user is root.
    env.HOME ??= '/root';
    const logPath = join(sandbox.config.logDirectory, config.logPath);
    await mkdir(dirname(logPath), { recursive: true });
    const container: Container = {
      id,
      sandbox,
      config,
      image,
      argv,
      env,
      workingDir: config.workingDir || image.config.workingDir,
      dir,
      logPath,
      createdAt: this.nowNanos(),
      state: 'CONTAINER_CREATED',
      startedAt: 0n,
      finishedAt: 0n,
      exitCode: 0,
      reason: '',
      message: '',
      oomKilled: false,
      execs: new Set(),
    };
    this.containers.set(id, container);
    this.emit(container, 'CONTAINER_CREATED_EVENT');
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.container(containerId);
    if (c.state !== 'CONTAINER_CREATED')
      throw new Error(`container ${containerId} is in ${c.state}, not CONTAINER_CREATED`);
    if (lookPath(c.argv[0] ?? '', c.image.commands) === undefined) {
      // runc fails before any process exists: StartError, exit code 128.
      c.state = 'CONTAINER_EXITED';
      c.finishedAt = this.nowNanos();
      c.exitCode = startFailedExitCode;
      c.reason = 'StartError';
      c.message = startFailedMessage(c.argv[0] ?? '');
      this.emit(c, 'CONTAINER_STOPPED_EVENT');
      throw new Error(c.message);
    }
    const child = this.spawnIn(c, c.argv, { pid1: true, tty: c.config.tty, stdin: c.config.stdin });
    c.process = child;
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = this.nowNanos();
    // Held open for attach sessions; a write to it after the process has gone must not throw.
    child.stdin?.on('error', () => {});
    const io = new ContainerIO(child.stdin ?? undefined, c.config);
    c.io = io;
    const log = new ContainerLogWriter(c.logPath, () => this.nowNanos());
    log.follow(child.stdout!, 'stdout', (chunk) => io.write('stdout', chunk));
    log.follow(child.stderr!, 'stderr', (chunk) => io.write('stderr', chunk));
    c.exited = new Promise((resolve) => {
      let finished = false;
      const finish = async (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
        if (finished) return;
        finished = true;
        const finishedAt = this.nowNanos();
        // Output written just before the exit is still in the pipes: let the log take it first.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([log.closed(), new Promise((r) => (timer = setTimeout(r, 1000)))]);
        clearTimeout(timer);
        c.exitCode = error ? startFailedExitCode : (code ?? 128 + (constants.signals[signal!] ?? 0));
        c.reason = exitReason(c, error);
        c.message = error?.message ?? '';
        c.state = 'CONTAINER_EXITED';
        c.finishedAt = finishedAt;
        c.process = undefined;
        // The container's other processes go with it, as with its PID namespace.
        for (const exec of c.execs) exec.kill('SIGKILL');
        io.close();
        this.emit(c, 'CONTAINER_STOPPED_EVENT');
        resolve();
      };
      child.once('exit', (code, signal) => void finish(code, signal));
      child.once('error', (err) => void finish(null, null, err));
    });
    if (c.config.linux.resources.memoryLimitInBytes > 0) this.watchMemory();
    // Started means the program runs with its signal dispositions set (see images/lib/lifeline.ts),
    // so a stop right after a start meets PID 1's rules rather than node's defaults.
    const lifeline = child.stdio[lifelineFd] as Readable;
    lifeline.on('error', () => {});
    await Promise.race([new Promise((resolve) => lifeline.once('data', resolve)), c.exited]);
    this.emit(c, 'CONTAINER_STARTED_EVENT');
  }

  async stopContainer(containerId: string, timeout: number): Promise<void> {
    const c = this.container(containerId);
    const child = c.process;
    if (!child || !c.exited) return;
    if (timeout > 0) {
      child.kill(c.image.config.stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeout * 1000);
      await c.exited;
      clearTimeout(timer);
    } else {
      child.kill('SIGKILL');
      await c.exited;
    }
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) return;
    await this.stopContainer(containerId, 0);
    this.containers.delete(containerId);
    await rm(c.dir, { recursive: true, force: true });
    this.emit(c, 'CONTAINER_DELETED_EVENT');
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    return [...this.containers.values()]
      .filter(
        (c) =>
          (!filter.id || c.id.startsWith(filter.id)) &&
          (!filter.podSandboxId || c.sandbox.id.startsWith(filter.podSandboxId)) &&
          (!filter.state || c.state === filter.state) &&
          matchLabels(c.config.labels, filter.labelSelector),
      )
      .map(containerStatus);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return containerStatus(this.container(containerId));
  }

  async exec(request: ExecRequest): Promise<ExecSession> {
    const c = this.container(request.containerId);
    if (c.state !== 'CONTAINER_RUNNING')
      throw new Error(`cannot exec in a stopped state: container ${c.id} is not running`);
    const argv0 = request.cmd[0] ?? '';
    if (lookPath(argv0, c.image.commands) === undefined) return failedExec(execFailedMessage(argv0), request);
    const child = this.spawnIn(c, request.cmd, { pid1: false, tty: request.tty, stdin: request.stdin });
    c.execs.add(child);
    const exited = new Promise<number>((resolve) => {
      child.once('close', (code, signal) => {
        c.execs.delete(child);
        resolve(code ?? 128 + (constants.signals[signal!] ?? 0));
      });
      child.once('error', () => {
        c.execs.delete(child);
        resolve(execFailedExitCode);
      });
    });
    const session = {
      ...(child.stdin ? { stdin: child.stdin } : {}),
      // No pty: the lab's programs take the terminal size from nowhere, so a resize has nothing to change.
      resize: () => {},
      exited,
    };
    if (!request.tty) return { ...session, stdout: child.stdout!, stderr: child.stderr! };
    return { ...session, stdout: merge(child.stdout!, child.stderr!) };
  }

  async attach(request: AttachRequest): Promise<AttachSession> {
    const c = this.container(request.containerId);
    if (c.state !== 'CONTAINER_RUNNING' || !c.io)
      throw new Error(`container ${c.id} is in ${c.state} state, not running`);
    // The checks of the kubelet's CRI streaming server (validateAttachRequest).
    if (request.tty && request.stderr) throw new Error('tty and stderr cannot both be true');
    if (!request.stdin && !request.stdout && !request.stderr)
      throw new Error('one of stdin, stdout, and stderr must be set');
    return c.io.attach(request);
  }

  onContainerEvent(listener: (event: ContainerEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  /** Kills every container and forgets all state: for the node agent's shutdown and for tests. */
  async shutdown(): Promise<void> {
    clearInterval(this.memoryTimer);
    await Promise.all([...this.containers.values()].map((c) => this.removeContainer(c.id)));
    for (const id of [...this.sandboxes.keys()]) await this.removePodSandbox(id);
  }

  // --- internals ---

  /** Makes the container's root filesystem: the image's files, /etc/hostname and hosts, mount points. */
  private async prepareRootfs(rootfs: string, image: LocalImage, sandbox: Sandbox, config: ContainerConfig) {
    await cp(image.rootfs, rootfs, { recursive: true });
    const mounted = new Set(config.mounts.map((m) => m.containerPath));
    await writeFile(join(rootfs, 'etc/hostname'), `${sandbox.config.hostname}\n`);
    if (!mounted.has('/etc/hosts')) {
      await writeFile(
        join(rootfs, 'etc/hosts'),
        `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${sandbox.ip}\t${sandbox.config.hostname}\n`,
      );
    }
    for (const mount of config.mounts) {
      const point = join(rootfs, mount.containerPath);
      const isFile = existsSync(mount.hostPath) && statSync(mount.hostPath).isFile();
      await mkdir(isFile ? dirname(point) : point, { recursive: true });
      if (isFile && !existsSync(point)) await writeFile(point, '');
    }
  }

  /** Starts `argv` as a process of container `c`: its env, lab context, working directory and lifeline. */
  private spawnIn(c: Container, argv: readonly string[], o: { pid1: boolean; tty: boolean; stdin: boolean }) {
    const rootfs = join(c.dir, 'rootfs');
    const fs = new ContainerFs(rootfs, c.config.mounts);
    const cwd = fs.hostPath(c.workingDir);
    return spawn(process.execPath, [c.image.program, ...argv], {
      cwd: existsSync(cwd) ? cwd : rootfs,
      env: {
        ...c.env,
        [contextEnv.podIP]: c.sandbox.ip,
        [contextEnv.hostname]: c.sandbox.config.hostname,
        [contextEnv.rootfs]: rootfs,
        [contextEnv.mounts]: JSON.stringify(c.config.mounts),
        [contextEnv.containerId]: c.id,
        [contextEnv.workingDir]: c.workingDir,
        [contextEnv.tty]: o.tty ? '1' : '',
        [contextEnv.pid1]: o.pid1 ? '1' : '',
      },
      // fd 3 is the lifeline: this process holds the other end (see images/lib/lifeline.ts).
      stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...Array(lifelineFd - 2).fill('pipe')],
      // Its own session, so a Ctrl-C at the node agent's terminal reaches only the agent.
      detached: true,
    });
  }

  /** Polls the resident memory of running containers that have a limit; over it, SIGKILL. */
  private watchMemory(): void {
    if (this.memoryTimer) return;
    this.memoryTimer = setInterval(() => {
      const limited = [...this.containers.values()].filter(
        (c) => c.process?.pid && c.config.linux.resources.memoryLimitInBytes > 0,
      );
      if (!limited.length) {
        clearInterval(this.memoryTimer);
        this.memoryTimer = undefined;
        return;
      }
      for (const c of limited) {
        const used = chargedMemory(c.process!.pid!);
        if (used > c.config.linux.resources.memoryLimitInBytes) {
          c.oomKilled = true;
          c.process!.kill('SIGKILL');
        }
      }
    }, this.options.memoryPollMs ?? 100);
    this.memoryTimer.unref();
  }

  private releaseIp(sandbox: Sandbox): void {
    if (sandbox.ipReleased) return;
    this.ipam.release(sandbox.ip);
    sandbox.ipReleased = true;
  }

  private sandbox(id: string): Sandbox {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) throw new RuntimeNotFoundError('sandbox', id);
    return sandbox;
  }

  private container(id: string): Container {
    const container = this.containers.get(id);
    if (!container) throw new RuntimeNotFoundError('container', id);
    return container;
  }

  private containersOf(sandbox: Sandbox): Container[] {
    return [...this.containers.values()].filter((c) => c.sandbox === sandbox);
  }

  private emit(c: Container, type: ContainerEvent['type']): void {
    const event: ContainerEvent = {
      containerId: c.id,
      podSandboxId: c.sandbox.id,
      type,
      createdAt: this.nowNanos(),
    };
    this.events.emit('event', event);
  }

  /** The clock's milliseconds with the sub-millisecond part of the monotonic timer, as CRI's nanoseconds. */
  private nowNanos(): bigint {
    const now = BigInt(this.clock.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    // Never backwards, so log lines and events keep their order.
    this.lastNanos = now > this.lastNanos ? now : this.lastNanos + 1n;
    return this.lastNanos;
  }
}

/**
 * The memory a container is charged for: its anonymous and shared resident pages. Node's own
 * binary (about 35 MB of file-backed pages) is shared by every container, as a cgroup would not
 * charge a shared library's page cache to each, so a 32Mi limit leaves a program room to run.
 */
export function chargedMemory(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return (kb('RssAnon') + kb('RssShmem')) * 1024;
  } catch {
    return 0;
  }
}

/** The reason CRI reports for an exited container, as containerd words it. */
function exitReason(c: Container, spawnError: Error | undefined): string {
  if (spawnError) return 'StartError';
  if (c.oomKilled) return 'OOMKilled';
  return c.exitCode === 0 ? 'Completed' : 'Error';
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

function matchLabels(
  labels: Readonly<Record<string, string>>,
  selector?: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function sandboxStatus(s: Sandbox): PodSandboxStatus {
  return {
    id: s.id,
    metadata: s.config.metadata,
    state: s.state,
    createdAt: s.createdAt,
    network: { ip: s.ip },
    labels: s.config.labels,
    annotations: s.config.annotations,
  };
}

function containerStatus(c: Container): ContainerStatus {
  return {
    id: c.id,
    podSandboxId: c.sandbox.id,
    metadata: c.config.metadata,
    state: c.state,
    createdAt: c.createdAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    exitCode: c.exitCode,
    image: c.config.image,
    imageRef: c.image.id,
    reason: c.reason,
    message: c.message,
    labels: c.config.labels,
    annotations: c.config.annotations,
    logPath: c.logPath,
    ...(c.process?.pid ? { pid: c.process.pid } : {}),
  };
}

/** One stream of both, as a terminal shows a tty's stdout and stderr. */
function merge(a: Readable, b: Readable): Readable {
  const out = new PassThrough();
  let open = 2;
  for (const source of [a, b]) {
    source.pipe(out, { end: false });
    source.once('end', () => {
      if (--open === 0) out.end();
    });
  }
  return out;
}

/** An exec whose command does not exist: runc's message on stderr and exit code 126, no process. */
function failedExec(message: string, request: ExecRequest): ExecSession {
  const stdout = new PassThrough();
  const stderr = request.tty ? stdout : new PassThrough();
  stderr.end(`${message}\n`);
  if (stdout !== stderr) stdout.end();
  return {
    ...(request.stdin ? { stdin: new PassThrough() } : {}),
    stdout,
    ...(request.tty ? {} : { stderr }),
    resize: () => {},
    exited: Promise.resolve(execFailedExitCode),
  };
}
