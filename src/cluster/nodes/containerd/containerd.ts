import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { RemoteRuntimeService } from '../../cri/client.ts';
import {
  cniConfig,
  containerdConfig,
  containerdPaths,
  LOOPBACK_REGISTRIES,
  plainHttpRegistry,
} from './config.ts';
import { busyboxImage, pauseImage } from './lab-images.ts';
import { type OciImage, ociArchive } from './oci-archive.ts';
import { containerdPreflight } from './preflight.ts';

const run = promisify(execFile);

/** How long containerd gets to answer on its socket after it starts. */
const START_TIMEOUT_MS = 30_000;

export interface ContainerdOptions {
  readonly nodeDir: string;
  /** The CRI endpoint: containerd's gRPC socket. */
  readonly socket: string;
  readonly podCIDR: string;
  /** The node's bridge, at most 15 characters (a Linux interface name). */
  readonly bridge: string;
  /** Shared by the lab's nodes: the pause binary and the lab images' archives. */
  readonly imageCacheDir: string;
  readonly log: (line: string) => void;
}

export interface RunningContainerd {
  /** Removes every pod (their containers go with them), then stops containerd and the bridge. */
  stop(): Promise<void>;
}

/**
 * startContainerd runs a node's own containerd, as kind runs one in each node: config, root, state
 * and socket under the node's folder, pods on the node's CNI bridge, and the lab images (pause,
 * busybox) imported from archives built on the host, so a node needs no registry. containerd
 * keeps running containers through its own restarts; what takes them down with the node is a
 * lifeline, a shell that holds a pipe from this process and, when the node agent dies (even by
 * SIGKILL), kills the node's containers, their shims and containerd, as a machine switched off.
 */
export async function startContainerd(options: ContainerdOptions): Promise<RunningContainerd> {
  const problems = await containerdPreflight();
  if (problems.length > 0)
    throw new Error(`this host cannot run a containerd node:\n  ${problems.join('\n  ')}`);
  const paths = containerdPaths(options.nodeDir);
  for (const dir of [paths.dir, paths.cniConfDir, paths.certsDir]) await mkdir(dir, { recursive: true });
  await writeFile(
    paths.config,
    containerdConfig({ nodeDir: options.nodeDir, socket: options.socket, snapshotter: await snapshotter() }),
  );
  await writeFile(
    join(paths.cniConfDir, '10-orch-lab.conflist'),
    cniConfig(options.bridge, options.podCIDR, paths.cniDataDir),
  );
  for (const host of LOOPBACK_REGISTRIES) {
    await mkdir(join(paths.certsDir, host), { recursive: true });
    await writeFile(join(paths.certsDir, host, 'hosts.toml'), plainHttpRegistry(host));
  }
  await rm(options.socket, { force: true });
  const log = await open(paths.log, 'a');
  const containerd = spawn('containerd', ['--config', paths.config], { stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  const lifeline = startLifeline(containerd, options);
  const exited = new Promise<number | null>((resolve) => containerd.once('exit', resolve));
  const cri = new RemoteRuntimeService(options.socket);
  try {
    await answering(cri, exited, paths.log);
    await importLabImages(cri, options);
  } catch (err) {
    containerd.kill('SIGKILL');
    cri.close();
    throw err;
  }
  return {
    stop: async () => {
      for (const sandbox of await cri.listPodSandbox().catch(() => [])) {
        await cri.stopPodSandbox(sandbox.id).catch(() => {});
        await cri.removePodSandbox(sandbox.id).catch(() => {});
      }
      cri.close();
      containerd.kill('SIGTERM');
      await exited;
      lifeline.end();
      await run('ip', ['link', 'delete', options.bridge]).catch(() => {});
    },
  };
}

/** overlayfs where the kernel has it (kind's default), else native, which copies each layer. */
async function snapshotter(): Promise<'overlayfs' | 'native'> {
  const filesystems = await readFile('/proc/filesystems', 'utf8');
  return /\boverlay\b/.test(filesystems) ? 'overlayfs' : 'native';
}

/**
 * The lifeline: `sh` reads its fd 3, a pipe this process holds the other end of, and reads
 * end-of-file when this process is gone. Then it does what switching the machine off would: it
 * SIGKILLs each container's init (taking the container's PID namespace with it, found by the
 * init.pid files under containerd's state), the shims (found by the socket their command line
 * names), and containerd; unmounts what containerd had mounted under its folder (root filesystems,
 * sandboxes' /dev/shm); and deletes the bridge. stop() ends the pipe after a clean stop, when
 * there is nothing left to do.
 */
function startLifeline(containerd: ChildProcess, options: ContainerdOptions) {
  const script = `
    read -r _ <&3 && exit 0
    for pid in "$1"/state/io.containerd.runtime.v2.task/*/*/init.pid; do kill -9 "$(cat "$pid")"; done
    for proc in /proc/[0-9]*; do
      case "$(tr '\\0' ' ' < "$proc/cmdline")" in *"containerd-shim"*"-address $2 "*) kill -9 "\${proc#/proc/}";; esac
    done
    kill -9 "$3"
    for mount in $(awk -v dir="$1/" 'index($2, dir) == 1 { print $2 }' /proc/self/mounts | sort -r); do
      umount -l "$mount"
    done
    ip link delete "$4"
    exit 0`;
  const dir = containerdPaths(options.nodeDir).dir;
  const args = [dir, options.socket, String(containerd.pid), options.bridge];
  const child = spawn('sh', ['-c', script, 'lifeline', ...args], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    detached: true,
  });
  child.unref();
  const pipe = child.stdio[3] as Readable & { end(line?: string): void };
  pipe.on('error', () => {});
  return { end: () => pipe.end('stopped\n') };
}

/** Polls Version until containerd answers; fails with its log's tail if it exits first. */
async function answering(cri: RemoteRuntimeService, exited: Promise<number | null>, logPath: string) {
  let code: number | null | undefined;
  void exited.then((c) => {
    code = c;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (code !== undefined || Date.now() > deadline) {
      const tail = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-8).join('\n');
      throw new Error(
        code !== undefined
          ? `containerd exited (${code}) as it started:\n${tail}`
          : `containerd did not answer within ${START_TIMEOUT_MS / 1000}s:\n${tail}`,
      );
    }
    if (
      await cri.version().then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Imports the images a node needs and no registry serves here, unless it has them: each is written
 * once per lab as an OCI archive in the image cache and imported with `ctr images import`, the
 * command `orch-lab image load` uses too.
 */
async function importLabImages(cri: RemoteRuntimeService, options: ContainerdOptions) {
  const cache = join(options.imageCacheDir, 'oci');
  for (const image of [await pauseImage(cache), await busyboxImage()]) {
    if (await cri.imageStatus({ image: image.names[0]! })) continue;
    const archive = await cachedArchive(cache, image);
    await importArchive(options.socket, archive);
    options.log(`imported ${image.names.join(', ')}`);
  }
}

async function cachedArchive(cache: string, image: OciImage): Promise<string> {
  const data = ociArchive(image);
  const path = join(cache, `${createHash('sha256').update(data).digest('hex').slice(0, 16)}.tar`);
  if (
    await access(path).then(
      () => false,
      () => true,
    )
  ) {
    await mkdir(cache, { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, data);
    await rename(temp, path);
  }
  return path;
}

/** `ctr images import` into the k8s.io namespace, where the CRI plugin keeps its images. */
export async function importArchive(socket: string, archive: string): Promise<void> {
  await run('ctr', ['--address', socket, '--namespace', 'k8s.io', 'images', 'import', archive]).catch(
    (err: Error & { stderr?: string }) => {
      throw new Error(`importing ${archive} failed: ${err.stderr?.trim() || err.message}`);
    },
  );
}
