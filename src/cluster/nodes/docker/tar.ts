import { endOfArchive, headerBlocks, padding } from '../../runtime/images/toolbox/ustar.ts';

/** A file, folder or symbolic link to put in a tar archive; a folder's path ends with '/'. */
export interface TarEntry {
  readonly path: string;
  readonly content?: Buffer;
  readonly mode: number;
  /** Makes the entry a symbolic link to this target. */
  readonly link?: string;
}

/**
 * tarArchive writes a POSIX ustar archive (GNU long-name entries for paths past 100 bytes): what
 * the engine's "extract an archive into a container" endpoint (PUT /containers/{id}/archive) takes,
 * so a node's credentials reach its container without a bind mount and a node can run on an engine
 * on another machine (DOCKER_HOST); and the layers of the OCI images containerd nodes import.
 */
export function tarArchive(entries: readonly TarEntry[], mtime = Math.floor(Date.now() / 1000)): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const folder = entry.path.endsWith('/');
    const content = folder || entry.link ? Buffer.alloc(0) : (entry.content ?? Buffer.alloc(0));
    const type = entry.link ? 'symlink' : folder ? 'directory' : 'file';
    blocks.push(
      ...headerBlocks({
        name: entry.path,
        type,
        mode: entry.mode,
        size: content.length,
        mtime,
        linkname: entry.link,
      }),
    );
    blocks.push(content, padding(content.length));
  }
  blocks.push(endOfArchive);
  return Buffer.concat(blocks);
}
