import { encodeHeader, endOfArchive, padding } from '../../runtime/images/toolbox/ustar.ts';

/** A file or folder to put in a tar archive; a folder's path ends with '/'. */
export interface TarEntry {
  readonly path: string;
  readonly content?: Buffer;
  readonly mode: number;
}

/**
 * tarArchive writes a POSIX ustar archive, which is what the engine's "extract an archive into a
 * container" endpoint (PUT /containers/{id}/archive) takes: how a node's credentials reach its
 * container without a bind mount, so a node can run on an engine on another machine (DOCKER_HOST).
 * Paths must fit ustar's 100 bytes; node folders are short.
 */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  const mtime = Math.floor(Date.now() / 1000);
  for (const entry of entries) {
    const folder = entry.path.endsWith('/');
    const content = folder ? Buffer.alloc(0) : (entry.content ?? Buffer.alloc(0));
    if (Buffer.byteLength(entry.path) > 100) throw new Error(`tar: path too long: ${entry.path}`);
    const type = folder ? 'directory' : 'file';
    blocks.push(encodeHeader({ name: entry.path, type, mode: entry.mode, size: content.length, mtime }));
    blocks.push(content, padding(content.length));
  }
  blocks.push(endOfArchive);
  return Buffer.concat(blocks);
}
