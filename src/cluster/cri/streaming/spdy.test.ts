import { describe, expect, it } from 'vitest';
import { type Frame, FrameDecoder, FrameEncoder, HEADER_DICTIONARY } from './spdy.ts';

/**
 * The first SYN_STREAM kubectl v1.32 sends for a forwarded connection (its error stream), as it
 * arrived in the WebSocket's binary messages: Go's framer writes the fields one by one, and the
 * header block is compressed by Go's zlib at its best compression with the SPDY/3 dictionary.
 */
const KUBECTL_SYN_STREAM = [
  '8003',
  '0001',
  '0000003d',
  '00000001',
  '00000000',
  '00',
  '00',
  '78f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45a024cc6461c0c0c0c0590489c44c50e2663400000000ffff',
].map((hex) => Buffer.from(hex, 'hex'));

/** The dictionary's ID in a zlib header (its Adler-32), as the SPDY/3 spec gives it. */
const SPDY3_DICTIONARY_ID = 'e3c6a7c2';

async function decodeAll(chunks: readonly Buffer[]): Promise<Frame[]> {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const frame of decoder.decode(source())) frames.push(frame);
  decoder.close();
  return frames;
}

describe('SPDY/3.1 framing', () => {
  it('reads the SYN_STREAM kubectl sends, split as it wrote it', async () => {
    expect(await decodeAll(KUBECTL_SYN_STREAM)).toEqual([
      {
        type: 'synStream',
        streamId: 1,
        associatedStreamId: 0,
        priority: 0,
        fin: false,
        unidirectional: false,
        headers: { port: '80', requestid: '0', streamtype: 'error' },
      },
    ]);
  });

  it('compresses header blocks with the SPDY/3 dictionary, the one kubectl uses', async () => {
    expect(HEADER_DICTIONARY.length).toBe(1423);
    expect(KUBECTL_SYN_STREAM.at(-1)!.subarray(2, 6).toString('hex')).toBe(SPDY3_DICTIONARY_ID);
    const encoder = new FrameEncoder();
    const frame = await encoder.encode({ type: 'synReply', streamId: 1, fin: false, headers: {} });
    encoder.close();
    // Control header (8 bytes), stream ID (4), then the zlib stream: CMF, FLG with FDICT, DICTID.
    const zlib = frame.subarray(12);
    expect(zlib[0]).toBe(0x78);
    expect(zlib[1]! & 0x20).toBe(0x20);
    expect(zlib.subarray(2, 6).toString('hex')).toBe(SPDY3_DICTIONARY_ID);
  });

  it('lays out a SYN_STREAM as the spec draws it', async () => {
    const encoder = new FrameEncoder();
    const frame = await encoder.encode({
      type: 'synStream',
      streamId: 5,
      associatedStreamId: 0,
      priority: 2,
      fin: true,
      unidirectional: false,
      headers: { streamtype: 'data', port: '8080', requestid: '2' },
    });
    encoder.close();
    expect(frame.subarray(0, 4).toString('hex')).toBe('80030001'); // control bit, version 3, type 1
    expect(frame[4]).toBe(0x01); // FLAG_FIN
    expect(frame.readUIntBE(5, 3)).toBe(frame.length - 8);
    expect(frame.readUInt32BE(8)).toBe(5);
    expect(frame.readUInt32BE(12)).toBe(0);
    expect(frame[16]! >> 5).toBe(2);
  });

  it('round-trips every frame type, header blocks sharing one zlib stream, through any split', async () => {
    const frames: Frame[] = [
      {
        type: 'synStream',
        streamId: 1,
        associatedStreamId: 0,
        priority: 0,
        fin: false,
        unidirectional: true,
        headers: { streamtype: 'error', port: '80', requestid: '0' },
      },
      { type: 'synReply', streamId: 1, fin: false, headers: {} },
      {
        type: 'synStream',
        streamId: 3,
        associatedStreamId: 0,
        priority: 0,
        fin: false,
        unidirectional: false,
        headers: { streamtype: 'data', port: '80', requestid: '0' },
      },
      { type: 'headers', streamId: 3, fin: true, headers: { 'x-multi': 'a\0b' } },
      { type: 'data', streamId: 3, fin: false, data: Buffer.alloc(70_000, 7) },
      { type: 'data', streamId: 3, fin: true, data: Buffer.alloc(0) },
      { type: 'rstStream', streamId: 3, status: 5 },
      { type: 'settings', entries: [{ id: 7, value: 1 << 20, flags: 1 }] },
      { type: 'ping', id: 0xffffffff },
      { type: 'windowUpdate', streamId: 0, delta: 0x7fffffff },
      { type: 'goAway', lastGoodStreamId: 3, status: 0 },
    ];
    const encoder = new FrameEncoder();
    const bytes = Buffer.concat(await Promise.all(frames.map((frame) => encoder.encode(frame))));
    encoder.close();
    for (const size of [5, 4096, bytes.length]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
        bytes.subarray(i * size, (i + 1) * size),
      );
      expect(await decodeAll(chunks)).toEqual(frames);
    }
  });

  it('skips control frames of unknown types', async () => {
    const unknown = Buffer.from('8003000a0000000400000000', 'hex');
    const ping = Buffer.from('80030006000000040000002a', 'hex');
    expect(await decodeAll([unknown, ping])).toEqual([{ type: 'ping', id: 42 }]);
  });
});
