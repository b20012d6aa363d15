import { join, posix } from 'node:path';
import type { LabMount } from './context.ts';

/**
 * ContainerFs maps paths as the container sees them to host paths, as a mount namespace would:
 * the longest mount whose containerPath holds the path wins, everything else lives under the
 * container's rootfs directory. For example, with the mount /usr/share/nginx/html -> /vol/web:
 *   /usr/share/nginx/html/index.html -> /vol/web/index.html
 *   /etc/nginx/nginx.conf            -> <rootfs>/etc/nginx/nginx.conf
 */
export class ContainerFs {
  private readonly mounts: readonly LabMount[];

  constructor(
    private readonly rootfs: string,
    mounts: readonly LabMount[],
  ) {
    // Longest first, so /data/cache wins over /data.
    this.mounts = [...mounts].sort((a, b) => b.containerPath.length - a.containerPath.length);
  }

  /** The host path for `path`, taken relative to the container directory `cwd` when not absolute. */
  hostPath(path: string, cwd = '/'): string {
    const absolute = posix.resolve(cwd, path);
    for (const mount of this.mounts) {
      const root = mount.containerPath.replace(/\/+$/, '') || '/';
      if (absolute === root) return mount.hostPath;
      if (absolute.startsWith(root === '/' ? '/' : `${root}/`)) {
        return join(mount.hostPath, absolute.slice(root.length));
      }
    }
    return join(this.rootfs, absolute);
  }

  /** The host path to write `path` at; throws ReadOnlyFileSystemError under a read-only mount. */
  writableHostPath(path: string, cwd = '/'): string {
    const absolute = posix.resolve(cwd, path);
    const mount = this.mounts.find((m) => {
      const root = m.containerPath.replace(/\/+$/, '');
      return absolute === root || absolute.startsWith(`${root}/`);
    });
    if (mount?.readonly) throw new ReadOnlyFileSystemError(path);
    return this.hostPath(path, cwd);
  }
}

/** EROFS: a write under a read-only mount, such as a ConfigMap or Secret volume. */
export class ReadOnlyFileSystemError extends Error {
  constructor(readonly path: string) {
    super('Read-only file system');
    this.name = 'ReadOnlyFileSystemError';
  }
}
