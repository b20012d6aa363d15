import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TarEntry } from '../docker/tar.ts';
import type { OciImage } from './oci-archive.ts';

const run = promisify(execFile);
const PAUSE_SOURCE = new URL('./pause.c', import.meta.url).pathname;

/** The sandbox image containerd is configured with; built here, never pulled. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.9';

/** The folders and files every image made here starts from: root's home, /tmp, users and groups. */
const BASE: readonly TarEntry[] = [
  { path: 'etc/', mode: 0o755 },
  {
    path: 'etc/passwd',
    content: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n'),
    mode: 0o644,
  },
  { path: 'etc/group', content: Buffer.from('root:x:0:\nnogroup:x:65534:\n'), mode: 0o644 },
  { path: 'root/', mode: 0o700 },
  { path: 'tmp/', mode: 0o1777 },
];

/**
 * The pause image: one static binary, compiled from pause.c with the host's gcc on first use and
 * kept in cacheDir (keyed by the source's hash), so a containerd lab needs no registry.k8s.io.
 */
export async function pauseImage(cacheDir: string): Promise<OciImage> {
  const source = await readFile(PAUSE_SOURCE);
  const binary = join(cacheDir, `pause-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  if (
    !(await access(binary).then(
      () => true,
      () => false,
    ))
  ) {
    await mkdir(cacheDir, { recursive: true });
    const temp = `${binary}.${process.pid}.tmp`;
    await run('gcc', ['-static', '-Os', '-s', '-o', temp, PAUSE_SOURCE]).catch((err: Error) => {
      throw new Error(
        `building the pause image needs gcc and a static libc (apt-get install gcc libc6-dev): ${err.message}`,
      );
    });
    await rename(temp, binary);
  }
  return {
    names: [PAUSE_IMAGE],
    files: [{ path: 'pause', content: await readFile(binary), mode: 0o755 }],
    config: { Entrypoint: ['/pause'] },
  };
}

/**
 * busybox as Docker Hub's busybox image is: the host's static busybox (Debian's busybox-static) at
 * /bin/busybox, every applet a symbolic link to it, `sh` as the command.
 */
export async function busyboxImage(busybox = '/bin/busybox'): Promise<OciImage> {
  const { stdout: version } = await run(busybox, ['--help']).catch((err: Error) => {
    throw new Error(
      `the busybox image needs a static busybox at ${busybox} (apt-get install busybox-static): ${err.message}`,
    );
  });
  const tag = /BusyBox v(\d+\.\d+)/.exec(version)?.[1] ?? 'latest';
  const { stdout: applets } = await run(busybox, ['--list-full']);
  const links = applets
    .split('\n')
    .filter((path) => path !== '' && path !== 'bin/busybox')
    .map((path): TarEntry => ({ path, link: '/bin/busybox', mode: 0o777 }));
  const folders = [...new Set(links.map((l) => l.path.slice(0, l.path.lastIndexOf('/') + 1)))]
    .sort()
    .flatMap((dir) =>
      dir
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`),
    )
    .filter((dir, i, all) => all.indexOf(dir) === i)
    .map((path): TarEntry => ({ path, mode: 0o755 }));
  return {
    names: [`docker.io/library/busybox:${tag}`, 'docker.io/library/busybox:latest'],
    files: [
      ...BASE,
      ...folders,
      { path: 'bin/busybox', content: await readFile(busybox), mode: 0o755 },
      ...links,
    ],
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
  };
}
