import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

/**
 * SPDY/3.1 framing (the protocol of moby/spdystream, which kubectl and the kubelet still speak
 * for port-forward): frames to bytes and back, and the zlib contexts that compress header blocks.
 * What streams and windows mean is the connection's business (spdy-connection.ts).
 *
 * A control frame starts with the control bit, version 3 and its type; a data frame with the
 * stream ID. Both then carry 8 bits of flags and a 24-bit length:
 *
 *   +----------------------------------+      +----------------------------------+
 *   |1| version (15) |   type (16)     |      |0|        stream ID (31)          |
 *   | flags (8) |    length (24)       |      | flags (8) |    length (24)       |
 *   +----------------------------------+      +----------------------------------+
 */

export const SPDY_VERSION = 3;

export const FrameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** FLAG_FIN on data frames and stream frames; FLAG_UNIDIRECTIONAL on SYN_STREAM. */
export const Flag = { fin: 0x01, unidirectional: 0x02 } as const;

/** RST_STREAM status codes. */
export const RstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
} as const;

/** SETTINGS IDs used here. */
export const SettingsId = { maxConcurrentStreams: 4, initialWindowSize: 7 } as const;

/** Every stream's window and the session's start at 64 KiB (SPDY/3.1 section 2.6.8). */
export const INITIAL_WINDOW_SIZE = 64 * 1024;

const MAX_LENGTH = 0xffffff;
const HEADER_LENGTH = 8;

/** Header names are lowercase; a name with several values carries them separated by NUL. */
export type HeaderBlock = Readonly<Record<string, string>>;

export type Frame =
  | { readonly type: 'data'; readonly streamId: number; readonly fin: boolean; readonly data: Buffer }
  | {
      readonly type: 'synStream';
      readonly streamId: number;
      readonly associatedStreamId: number;
      readonly priority: number;
      readonly fin: boolean;
      readonly unidirectional: boolean;
      readonly headers: HeaderBlock;
    }
  | {
      readonly type: 'synReply';
      readonly streamId: number;
      readonly fin: boolean;
      readonly headers: HeaderBlock;
    }
  | {
      readonly type: 'headers';
      readonly streamId: number;
      readonly fin: boolean;
      readonly headers: HeaderBlock;
    }
  | { readonly type: 'rstStream'; readonly streamId: number; readonly status: number }
  | {
      readonly type: 'settings';
      readonly entries: readonly { readonly id: number; readonly value: number; readonly flags: number }[];
    }
  | { readonly type: 'ping'; readonly id: number }
  | { readonly type: 'goAway'; readonly lastGoodStreamId: number; readonly status: number }
  | { readonly type: 'windowUpdate'; readonly streamId: number; readonly delta: number };

/** A frame the peer sent that cannot be read: the session is over (GOAWAY with PROTOCOL_ERROR). */
export class SpdyProtocolError extends Error {}

/**
 * The zlib dictionary header blocks are compressed with (SPDY/3 section 2.6.10.1): the words
 * each with a 32-bit length before it, then a run of plain text.
 */
// biome-ignore format: a word list, kept dense
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
  'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
  'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
  'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via',
  'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
  'public', 'set-cookie', 'keep-alive', 'origin',
];
const DICTIONARY_TEXT =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const HEADER_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((word) => lengthPrefixed(Buffer.from(word, 'latin1'))),
  Buffer.from(DICTIONARY_TEXT, 'latin1'),
]);

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * One direction's zlib context. Each header block is compressed (or inflated) with a sync flush,
 * continuing the stream the previous blocks started, so the peer must see them in that order.
 */
class ZlibContext {
  private pending: Buffer[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly stream: Deflate | Inflate) {
    stream.on('data', (chunk: Buffer) => this.pending.push(chunk));
  }

  run(input: Buffer): Promise<Buffer> {
    const result = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const fail = (err: Error) => reject(new SpdyProtocolError(`header block: ${err.message}`));
          this.stream.once('error', fail);
          this.stream.write(input, () => {
            this.stream.off('error', fail);
            const output = Buffer.concat(this.pending);
            this.pending = [];
            resolve(output);
          });
        }),
    );
    this.queue = result.catch(() => {});
    return result;
  }

  close(): void {
    this.stream.destroy();
  }
}

/** Writes frames; header blocks share one compression context, so encode frames in wire order. */
export class FrameEncoder {
  private readonly deflate = new ZlibContext(
    createDeflate({ dictionary: HEADER_DICTIONARY, flush: constants.Z_SYNC_FLUSH }),
  );

  async encode(frame: Frame): Promise<Buffer> {
    switch (frame.type) {
      case 'data': {
        if (frame.data.length > MAX_LENGTH) throw new RangeError('data frame too long');
        const head = Buffer.alloc(HEADER_LENGTH);
        head.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
        head.writeUInt32BE((((frame.fin ? Flag.fin : 0) << 24) | frame.data.length) >>> 0, 4);
        return Buffer.concat([head, frame.data]);
      }
      case 'synStream': {
        const fixed = Buffer.alloc(10);
        fixed.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
        fixed.writeUInt32BE(frame.associatedStreamId & 0x7fffffff, 4);
        fixed[8] = (frame.priority & 0x07) << 5;
        const flags = (frame.fin ? Flag.fin : 0) | (frame.unidirectional ? Flag.unidirectional : 0);
        return control(FrameType.synStream, flags, fixed, await this.headerBlock(frame.headers));
      }
      case 'synReply':
      case 'headers':
        return control(
          FrameType[frame.type],
          frame.fin ? Flag.fin : 0,
          uint32s(frame.streamId & 0x7fffffff),
          await this.headerBlock(frame.headers),
        );
      case 'rstStream':
        return control(FrameType.rstStream, 0, uint32s(frame.streamId & 0x7fffffff, frame.status));
      case 'settings': {
        const body = Buffer.alloc(4 + frame.entries.length * 8);
        body.writeUInt32BE(frame.entries.length, 0);
        frame.entries.forEach((entry, i) => {
          body.writeUInt32BE((((entry.flags & 0xff) << 24) | (entry.id & 0xffffff)) >>> 0, 4 + i * 8);
          body.writeUInt32BE(entry.value, 8 + i * 8);
        });
        return control(FrameType.settings, 0, body);
      }
      case 'ping':
        return control(FrameType.ping, 0, uint32s(frame.id));
      case 'goAway':
        return control(FrameType.goAway, 0, uint32s(frame.lastGoodStreamId & 0x7fffffff, frame.status));
      case 'windowUpdate':
        return control(
          FrameType.windowUpdate,
          0,
          uint32s(frame.streamId & 0x7fffffff, frame.delta & 0x7fffffff),
        );
    }
  }

  close(): void {
    this.deflate.close();
  }

  private headerBlock(headers: HeaderBlock): Promise<Buffer> {
    const entries = Object.entries(headers);
    const parts = [uint32s(entries.length)];
    for (const [name, value] of entries) {
      parts.push(lengthPrefixed(Buffer.from(name.toLowerCase())), lengthPrefixed(Buffer.from(value)));
    }
    return this.deflate.run(Buffer.concat(parts));
  }
}

/**
 * Reads frames from a byte stream that may split or join them anywhere. Unknown control frames
 * are skipped, as the spec asks; anything malformed throws SpdyProtocolError.
 */
export class FrameDecoder {
  private readonly inflate = new ZlibContext(
    createInflate({ dictionary: HEADER_DICTIONARY, flush: constants.Z_SYNC_FLUSH }),
  );

  async *decode(source: AsyncIterable<Buffer>): AsyncGenerator<Frame> {
    // Chunks are joined only once a whole header, then a whole frame, is there.
    let chunks: Buffer[] = [];
    let length = 0;
    let wanted = HEADER_LENGTH;
    for await (const chunk of source) {
      chunks.push(chunk);
      length += chunk.length;
      while (length >= wanted) {
        const buffered = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
        const frameLength = HEADER_LENGTH + (buffered.readUInt32BE(4) & 0xffffff);
        if (length < frameLength) {
          chunks = [buffered];
          wanted = frameLength;
          break;
        }
        const rest = buffered.subarray(frameLength);
        chunks = rest.length > 0 ? [rest] : [];
        length = rest.length;
        wanted = HEADER_LENGTH;
        const frame = await this.frame(buffered.subarray(0, frameLength));
        if (frame) yield frame;
      }
    }
  }

  close(): void {
    this.inflate.close();
  }

  private async frame(raw: Buffer): Promise<Frame | undefined> {
    const flags = raw[4]!;
    const body = raw.subarray(HEADER_LENGTH);
    const fin = (flags & Flag.fin) !== 0;
    if ((raw[0]! & 0x80) === 0) {
      return { type: 'data', streamId: raw.readUInt32BE(0) & 0x7fffffff, fin, data: body };
    }
    const version = raw.readUInt16BE(0) & 0x7fff;
    if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    const type = raw.readUInt16BE(2);
    const need = (n: number) => {
      if (body.length < n) throw new SpdyProtocolError(`control frame ${type} too short`);
    };
    const streamId = () => body.readUInt32BE(0) & 0x7fffffff;
    switch (type) {
      case FrameType.synStream:
        need(10);
        return {
          type: 'synStream',
          streamId: streamId(),
          associatedStreamId: body.readUInt32BE(4) & 0x7fffffff,
          priority: body[8]! >> 5,
          fin,
          unidirectional: (flags & Flag.unidirectional) !== 0,
          headers: await this.headerBlock(body.subarray(10)),
        };
      case FrameType.synReply:
      case FrameType.headers:
        need(4);
        return {
          type: type === FrameType.synReply ? 'synReply' : 'headers',
          streamId: streamId(),
          fin,
          headers: await this.headerBlock(body.subarray(4)),
        };
      case FrameType.rstStream:
        need(8);
        return { type: 'rstStream', streamId: streamId(), status: body.readUInt32BE(4) };
      case FrameType.settings: {
        need(4);
        const count = body.readUInt32BE(0);
        need(4 + count * 8);
        const entries = Array.from({ length: count }, (_, i) => ({
          flags: body[4 + i * 8]!,
          id: body.readUInt32BE(4 + i * 8) & 0xffffff,
          value: body.readUInt32BE(8 + i * 8),
        }));
        return { type: 'settings', entries };
      }
      case FrameType.ping:
        need(4);
        return { type: 'ping', id: body.readUInt32BE(0) };
      case FrameType.goAway:
        need(8);
        return { type: 'goAway', lastGoodStreamId: streamId(), status: body.readUInt32BE(4) };
      case FrameType.windowUpdate:
        need(8);
        return { type: 'windowUpdate', streamId: streamId(), delta: body.readUInt32BE(4) & 0x7fffffff };
      default:
        return undefined;
    }
  }

  private async headerBlock(compressed: Buffer): Promise<HeaderBlock> {
    const block = await this.inflate.run(compressed);
    const headers: Record<string, string> = {};
    let offset = 0;
    const read = () => {
      if (offset + 4 > block.length) throw new SpdyProtocolError('header block truncated');
      const length = block.readUInt32BE(offset);
      const end = offset + 4 + length;
      if (end > block.length) throw new SpdyProtocolError('header block truncated');
      const text = block.toString('utf8', offset + 4, end);
      offset = end;
      return text;
    };
    if (block.length < 4) throw new SpdyProtocolError('header block truncated');
    const count = block.readUInt32BE(0);
    offset = 4;
    for (let i = 0; i < count; i++) {
      const name = read();
      headers[name] = read();
    }
    return headers;
  }
}

function control(type: number, flags: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  if (body.length > MAX_LENGTH) throw new RangeError('control frame too long');
  const head = Buffer.alloc(HEADER_LENGTH);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE((((flags & 0xff) << 24) | body.length) >>> 0, 4);
  return Buffer.concat([head, body]);
}

function uint32s(...values: number[]): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  for (const [i, value] of values.entries()) bytes.writeUInt32BE(value >>> 0, i * 4);
  return bytes;
}
