import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { build } from 'esbuild';
import { DockerEngineError } from './engine.ts';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const SANDBOX = join(ROOT, 'sandbox', 'node-image');
/** Where orch-lab lives in the image: the bundle, the lab images' sources and what they import. */
const OPT = '/opt/orch-lab';
/**
 * Packages loaded at run time rather than bundled: esbuild, with which the lab runtime bundles lab
 * images inside the node, and zod and yaml, which they import; sorted-btree, which the store loads
 * through require().
 */
const RUNTIME_PACKAGES = ['esbuild', '@esbuild', 'zod', 'yaml', 'sorted-btree'];

/** The image's labels: whose it is, and the hash of what it was built from. */
export const IMAGE_LABELS = { cluster: 'orch-lab.cluster', contentHash: 'orch-lab.content-hash' } as const;

/**
 * One file of the image, at its path inside the image: a file of the host (known to the hash by its
 * size and modification time, so checking a 100 MB node binary costs a stat) or content made here.
 */
type ImageFile = { readonly path: string; readonly mode: number } & (
  | { readonly source: string; readonly size: number; readonly mtimeMs: number }
  | { readonly content: Buffer }
  | { readonly link: string }
);

export interface NodeImageOptions {
  /** The lab the image belongs to (its label). */
  readonly cluster: string;
  /** Told each build step and line of output. */
  readonly onProgress?: (line: string) => void;
}

export interface NodeImage {
  readonly tag: string;
  /** Whether this call built it (false: an image with the same content hash was there). */
  readonly built: boolean;
}

/**
 * ensureNodeImage makes sure the engine has the node image for this checkout and this host: built
 * FROM scratch out of the host's node binary and shared libraries and orch-lab bundled with esbuild,
 * so it needs no registry. The tag carries a hash of every file that goes in, so a changed source
 * or a new node binary gives a new image, and an unchanged one is never built twice.
 */
export async function ensureNodeImage(docker: Dockerode, options: NodeImageOptions): Promise<NodeImage> {
  const files = await imageFiles();
  const hash = contentHash(await readFile(join(SANDBOX, 'Dockerfile')), files);
  const tag = `orch-lab-node:${hash.slice(0, 12)}`;
  const existing = await docker
    .getImage(tag)
    .inspect()
    .catch(() => undefined);
  if (existing?.Config?.Labels?.[IMAGE_LABELS.contentHash] === hash) return { tag, built: false };
  const context = await mkdtemp(join(tmpdir(), 'orch-lab-node-image-'));
  try {
    await writeContext(context, files);
    await buildImage(
      docker,
      context,
      tag,
      { [IMAGE_LABELS.cluster]: options.cluster, [IMAGE_LABELS.contentHash]: hash },
      options.onProgress,
    );
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return { tag, built: true };
}

/** Every file of the image's root filesystem, in a fixed order. */
async function imageFiles(): Promise<ImageFile[]> {
  const files: ImageFile[] = [];
  const add = async (path: string, source: string) => {
    const info = await stat(source);
    files.push({ path, source, size: info.size, mtimeMs: info.mtimeMs, mode: info.mode & 0o777 });
  };
  await add('/usr/local/bin/node', process.execPath);
  const ip = await findExecutable('ip');
  await add('/usr/sbin/ip', ip);
  for (const lib of await sharedLibraries([process.execPath, ip])) await add(lib, lib);
  await add('/usr/local/bin/orch-lab', join(SANDBOX, 'orch-lab'));
  files.push({ path: `${OPT}/orch-lab.mjs`, content: await bundleCli(), mode: 0o644 });
  // The bundle is one module, so files modules read beside themselves sit beside it: the store's
  // gRPC face loads etcd's proto files as the CLI loads (the node never serves it), and the runtime
  // and kubelet load CRI's.
  for (const room of ['etcd', 'cri']) {
    const dir = join(ROOT, 'src', 'cluster', room);
    for (const file of (await walk(dir)).filter((f) => f.endsWith('.proto'))) {
      await add(`${OPT}/${relative(dir, file)}`, file);
    }
  }
  // The lab runtime bundles its images from their sources on first pull, from images/ beside its
  // own module; they import other cluster code (the in-cluster client of coredns), so the cluster
  // sources go in whole and images/ points into them.
  const cluster = join(ROOT, 'src', 'cluster');
  for (const file of (await walk(cluster)).filter((f) => !f.endsWith('.test.ts'))) {
    await add(`${OPT}/src/cluster/${relative(cluster, file)}`, file);
  }
  files.push({ path: `${OPT}/images`, link: 'src/cluster/runtime/images', mode: 0o777 });
  for (const pkg of RUNTIME_PACKAGES) {
    const dir = join(ROOT, 'node_modules', pkg);
    for (const file of await walk(dir)) await add(`${OPT}/node_modules/${pkg}/${relative(dir, file)}`, file);
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function contentHash(dockerfile: Buffer, files: readonly ImageFile[]): string {
  const hash = createHash('sha256').update(dockerfile);
  for (const file of files) {
    hash.update(`\0${file.path}\0${file.mode}\0`);
    if ('content' in file) hash.update(file.content);
    else if ('link' in file) hash.update(`-> ${file.link}`);
    else hash.update(`${file.source}\0${file.size}\0${file.mtimeMs}`);
  }
  return hash.digest('hex');
}

/**
 * The orch-lab CLI as one ES module: the node runs `orch-lab node-agent` and a learner
 * `orch-lab crictl`. The terminal UI stays out (it is for the host), and so do dockerode (only the
 * host talks to Docker) and esbuild (a native binary, shipped as its package).
 */
async function bundleCli(): Promise<Buffer> {
  const bundling = build({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    external: ['esbuild', 'dockerode'],
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as orchLabRequire } from 'node:module'; const require = orchLabRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'host-only',
        setup: (b) => b.onResolve({ filter: /\/tui\// }, (args) => ({ path: args.path, external: true })),
      },
    ],
  });
  const result = await bundling.catch((err: Error) => {
    throw new DockerEngineError(`bundling orch-lab for the node image failed: ${err.message}`, {
      cause: err,
    });
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

/** The shared libraries (and the dynamic loader) the executables load, as ldd lists them. */
async function sharedLibraries(executables: readonly string[]): Promise<string[]> {
  const libraries = new Set<string>();
  for (const executable of executables) {
    const { stdout } = await promisify(execFile)('ldd', [executable]).catch((err) => {
      throw new DockerEngineError(`cannot list the libraries of ${executable} (ldd): ${err.message}`);
    });
    for (const match of stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) libraries.add(match[1]!);
  }
  return [...libraries].sort();
}

async function findExecutable(name: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const path = join(dir, name);
    if (
      await stat(path).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return path;
  }
  throw new DockerEngineError(`the node image needs ${name} from the host (install iproute2)`);
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** The build context: the Dockerfile beside rootfs/, holding each file at its image path. */
async function writeContext(context: string, files: readonly ImageFile[]): Promise<void> {
  await cp(join(SANDBOX, 'Dockerfile'), join(context, 'Dockerfile'));
  const rootfs = join(context, 'rootfs');
  for (const dir of ['tmp', 'var/lib/orch-lab']) await mkdir(join(rootfs, dir), { recursive: true });
  await chmod(join(rootfs, 'tmp'), 0o1777);
  for (const file of files) {
    const target = join(rootfs, file.path);
    await mkdir(dirname(target), { recursive: true });
    if ('content' in file) await writeFile(target, file.content, { mode: file.mode });
    else if ('link' in file) await symlink(file.link, target);
    else await copyFile(file.source, target);
  }
}

interface BuildMessage {
  readonly stream?: string;
  readonly error?: string;
}

async function buildImage(
  docker: Dockerode,
  context: string,
  tag: string,
  labels: Record<string, string>,
  onProgress: (line: string) => void = () => {},
): Promise<void> {
  const fail = (detail: string, cause?: unknown) =>
    new DockerEngineError(
      `building the node image ${tag} failed: ${detail}\n` +
        'The build needs no registry; check the engine (docker info) and its free disk (docker system df), ' +
        'then run orch-lab up again.',
      { cause },
    );
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(
      { context, src: ['Dockerfile', 'rootfs'] },
      { t: tag, labels, rm: true, forcerm: true },
    );
  } catch (err) {
    throw fail((err as Error).message, err);
  }
  const messages = await new Promise<BuildMessage[]>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: BuildMessage[]) => (err ? reject(fail(err.message, err)) : resolve(output)),
      (message: BuildMessage) => {
        // The steps and the result; the engine's intermediate containers are noise here.
        const line = message.stream?.trim();
        if (line && /^(Step|Successfully)/.test(line)) onProgress(line);
      },
    ),
  );
  const error = messages.find((m) => m.error);
  if (error) throw fail(error.error ?? 'unknown error');
}
