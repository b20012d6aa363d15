/** A file or folder to put in a tar archive; a folder's path ends with '/'. */
export interface TarEntry {
  readonly path: string;
  readonly content?: Buffer;
  readonly mode: number;
}

const BLOCK = 512;

/**
 * tarArchive writes a POSIX ustar archive, which is what the engine's "extract an archive into a
 * container" endpoint (PUT /containers/{id}/archive) takes: how a node's credentials reach its
 * container without a bind mount, so a node can run on an engine on another machine (DOCKER_HOST).
 * Paths must fit ustar's 100 bytes; node folders are short.
 */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const folder = entry.path.endsWith('/');
    const content = folder ? Buffer.alloc(0) : (entry.content ?? Buffer.alloc(0));
    const header = Buffer.alloc(BLOCK);
    if (Buffer.byteLength(entry.path) > 100) throw new Error(`tar: path too long: ${entry.path}`);
    header.write(entry.path, 0, 100);
    octal(header, 100, 8, entry.mode);
    octal(header, 108, 8, 0); // uid: root
    octal(header, 116, 8, 0); // gid
    octal(header, 124, 12, content.length);
    octal(header, 136, 12, Math.floor(Date.now() / 1000));
    header.write(folder ? '5' : '0', 156); // type flag
    header.write('ustar\x0000', 257);
    // The checksum is summed with its own field counted as eight spaces.
    header.fill(' ', 148, 156);
    octal(
      header,
      148,
      7,
      header.reduce((sum, byte) => sum + byte, 0),
    );
    blocks.push(header, content, Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

/** A zero-padded octal number ending in NUL, as ustar's numeric fields are. */
function octal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length);
}
