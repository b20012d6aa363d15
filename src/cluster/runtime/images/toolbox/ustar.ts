/**
 * The tar archive format: 512-byte blocks, each entry a header block then its content padded to a
 * whole block, two zero blocks at the end. Headers are POSIX ustar; a name longer than the header
 * holds goes in a GNU 'L' entry before it, as busybox and GNU tar write. Reading also takes what Go's
 * archive/tar (kubectl cp) writes: a ustar prefix field, or PAX 'x'/'g' entries for long paths.
 */

export const BLOCK = 512;

/** The entry types the lab's tar writes and extracts. */
export type EntryType = 'file' | 'hardlink' | 'symlink' | 'directory' | 'other';

export interface TarHeader {
  /** The member name; a directory's ends with '/'. */
  readonly name: string;
  readonly type: EntryType;
  /** Permission bits (0o7777). */
  readonly mode: number;
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly linkname?: string;
}

const typeFlags: Record<Exclude<EntryType, 'other'>, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  directory: '5',
};

/**
 * The header block of `header`, whose name and link name must fit their 100 bytes (see
 * headerBlocks for longer ones). Owner is root, as in a container running as root.
 */
export function encodeHeader(header: TarHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(header.name, 0, 100);
  octal(block, 100, 8, header.mode);
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, header.size);
  octal(block, 136, 12, header.mtime);
  block.write(header.type === 'other' ? '0' : typeFlags[header.type], 156);
  if (header.linkname) block.write(header.linkname, 157, 100);
  block.write('ustar\x0000', 257);
  block.write('root', 265, 32);
  block.write('root', 297, 32);
  // The checksum is summed with its own field counted as eight spaces.
  block.fill(' ', 148, 156);
  octal(
    block,
    148,
    7,
    block.reduce((sum, byte) => sum + byte, 0),
  );
  return block;
}

/** The blocks that introduce an entry: GNU 'L'/'K' entries for a long name or link, then its header. */
export function headerBlocks(header: TarHeader): Buffer[] {
  const blocks: Buffer[] = [];
  const long = (flag: 'L' | 'K', value: string) => {
    const data = Buffer.from(`${value}\0`);
    const longLink = encodeHeader({
      name: '././@LongLink',
      type: 'file',
      mode: 0,
      size: data.length,
      mtime: 0,
    });
    longLink.write(flag, 156);
    rechecksum(longLink);
    blocks.push(longLink, data, padding(data.length));
  };
  if (Buffer.byteLength(header.name) > 100) long('L', header.name);
  if (header.linkname && Buffer.byteLength(header.linkname) > 100) long('K', header.linkname);
  blocks.push(
    encodeHeader({
      ...header,
      name: truncate(header.name),
      ...(header.linkname ? { linkname: truncate(header.linkname) } : {}),
    }),
  );
  return blocks;
}

/** The zero bytes that fill an entry of `size` bytes up to a whole block. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The end of an archive: two zero blocks. */
export const endOfArchive = Buffer.alloc(2 * BLOCK);

/** A malformed archive, with busybox's message for it. */
export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

/**
 * readEntries parses an archive from `input` chunk by chunk. For each entry it yields the header
 * and a `content` stream of exactly its size, which the consumer must read through (or not at
 * all: what is left is skipped) before asking for the next entry. It stops at the end-of-archive
 * blocks without waiting for the input to end.
 */
export async function* readEntries(
  input: AsyncIterable<Buffer | string>,
): AsyncGenerator<{ header: TarHeader; content: AsyncGenerator<Buffer> }> {
  const reader = new BlockReader(input[Symbol.asyncIterator]());
  let global: Record<string, string> = {};
  let local: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await reader.read(BLOCK);
    if (!block) throw new TarFormatError('short read');
    if (block.every((b) => b === 0)) return; // the first of the two end blocks
    const raw = decodeHeader(block);
    if (raw.flag === 'L' || raw.flag === 'K' || raw.flag === 'x' || raw.flag === 'g') {
      const data = await reader.read(raw.size);
      if (data?.length !== raw.size) throw new TarFormatError('short read');
      await reader.skip(padding(raw.size).length);
      if (raw.flag === 'L') longName = cString(data);
      else if (raw.flag === 'K') longLink = cString(data);
      else if (raw.flag === 'x') local = { ...local, ...paxRecords(data) };
      else global = { ...global, ...paxRecords(data) };
      continue;
    }
    const pax = { ...global, ...local };
    // Links, devices, directories and fifos have no content whatever their size field says.
    const size = '123456'.includes(raw.flag) ? 0 : pax.size !== undefined ? Number(pax.size) : raw.size;
    const header: TarHeader = {
      name: pax.path ?? longName ?? raw.name,
      type: raw.type,
      mode: raw.mode,
      size,
      mtime: pax.mtime !== undefined ? Math.floor(Number(pax.mtime)) : raw.mtime,
      linkname: pax.linkpath ?? longLink ?? raw.linkname,
    };
    local = {};
    longName = undefined;
    longLink = undefined;
    const content = reader.take(size);
    yield { header, content: content.chunks };
    // Whatever the consumer left of the content, then the padding.
    await reader.skip(content.left() + padding(size).length);
  }
}

function decodeHeader(block: Buffer): TarHeader & { flag: string } {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (parseNumber(block.subarray(148, 156)) !== sum) throw new TarFormatError('invalid tar header checksum');
  const flag = String.fromCharCode(block[156]!);
  // Only POSIX ustar ("ustar\0") keeps a prefix there; GNU's "ustar  " keeps times in that place.
  const posixUstar = block.toString('latin1', 257, 263) === 'ustar\0';
  const prefix = posixUstar ? cString(block.subarray(345, 500)) : '';
  const name = cString(block.subarray(0, 100));
  const type: EntryType =
    flag === '0' || flag === '\0' || flag === '7'
      ? 'file'
      : flag === '1'
        ? 'hardlink'
        : flag === '2'
          ? 'symlink'
          : flag === '5'
            ? 'directory'
            : 'other';
  return {
    flag,
    name: prefix ? `${prefix}/${name}` : name,
    type,
    mode: parseNumber(block.subarray(100, 108)) & 0o7777,
    size: parseNumber(block.subarray(124, 136)),
    mtime: parseNumber(block.subarray(136, 148)),
    linkname: cString(block.subarray(157, 257)),
  };
}

/** A numeric field: octal text, or base-256 when the high bit of its first byte is set. */
function parseNumber(field: Buffer): number {
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ].*$/s, '')
    .trim();
  return text ? Number.parseInt(text, 8) : 0;
}

/** PAX records, each "<length> <key>=<value>\n" where length counts the whole record. */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.toString('latin1', at, space));
    if (space < 0 || !Number.isInteger(length) || length <= 0) throw new TarFormatError('invalid pax header');
    const record = data.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    records[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return records;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

function truncate(name: string): string {
  return Buffer.from(name).subarray(0, 100).toString('utf8');
}

/** A zero-padded octal number ending in NUL, as ustar's numeric fields are. */
function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length);
}

function rechecksum(block: Buffer): void {
  block.fill(' ', 148, 156);
  octal(
    block,
    148,
    7,
    block.reduce((sum, byte) => sum + byte, 0),
  );
}

/** Reads exact byte counts from a stream of chunks of any size. */
class BlockReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly input: AsyncIterator<Buffer | string>) {}

  /** The next `n` bytes, fewer if the input ends first, undefined if it has ended. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.buffered.length < n) {
      const next = await this.input.next();
      if (next.done) break;
      this.buffered = Buffer.concat([this.buffered, Buffer.from(next.value)]);
    }
    if (this.buffered.length === 0 && n > 0) return undefined;
    const taken = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(taken.length);
    return taken;
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.take(n).chunks);
  }

  /** The next `n` bytes as chunks as they arrive, and how many of them are still unread. */
  take(n: number): { chunks: AsyncGenerator<Buffer>; left: () => number } {
    let left = n;
    const reader = this;
    async function* chunks(): AsyncGenerator<Buffer> {
      while (left > 0) {
        const chunk = await reader.read(Math.min(left, reader.buffered.length || BLOCK));
        if (!chunk?.length) throw new TarFormatError('short read');
        left -= chunk.length;
        yield chunk;
      }
    }
    return { chunks: chunks(), left: () => left };
  }
}
