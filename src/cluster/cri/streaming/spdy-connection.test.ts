import { Duplex, PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../../test/controllers/support.ts';
import { type Frame, FrameDecoder, FrameEncoder, INITIAL_WINDOW_SIZE, SettingsId } from './spdy.ts';
import { SpdyConnection, type SpdyStream } from './spdy-connection.ts';

/** A client end speaking to a SpdyConnection over an in-memory pipe, recording what it receives. */
function session(onStream: (stream: SpdyStream) => void) {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const connection = new SpdyConnection(Duplex.from({ readable: toServer, writable: toClient }), onStream);
  const encoder = new FrameEncoder();
  const decoder = new FrameDecoder();
  const received: Frame[] = [];
  void (async () => {
    for await (const frame of decoder.decode(toClient)) received.push(frame);
  })();
  const send = async (frame: Frame) => {
    toServer.write(await encoder.encode(frame));
  };
  const close = () => {
    connection.close();
    toServer.end();
    encoder.close();
  };
  return { send, received, close };
}

const synStream = (streamId: number, headers: Record<string, string> = {}): Frame => ({
  type: 'synStream',
  streamId,
  associatedStreamId: 0,
  priority: 0,
  fin: false,
  unidirectional: false,
  headers,
});

const dataBytes = (frames: Frame[], streamId: number) =>
  frames.reduce((n, f) => n + (f.type === 'data' && f.streamId === streamId ? f.data.length : 0), 0);

describe('SpdyConnection', () => {
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  it('replies to a stream before the data its handler writes at once, and echoes pings', async () => {
    const client = session((stream) => {
      if (stream.headers.refuse) throw new Error('refused');
      stream.end('hello');
    });
    open.push(client);
    await client.send(synStream(1, { port: '80' }));
    await client.send(synStream(3, { refuse: 'yes' }));
    await client.send({ type: 'ping', id: 7 });
    await eventually(async () => (client.received.length >= 5 ? true : undefined), 'five frames');
    expect(client.received).toEqual(
      expect.arrayContaining([
        { type: 'rstStream', streamId: 3, status: 3 },
        { type: 'ping', id: 7 },
      ]),
    );
    const stream1 = client.received.filter((f) => 'streamId' in f && f.streamId === 1).map((f) => f.type);
    expect(stream1).toEqual(['synReply', 'data', 'data']);
    expect(client.received).toContainEqual({ type: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) });
  });

  it('gives back window on the stream and the session as the handler consumes data', async () => {
    const chunks: Buffer[] = [];
    const client = session((stream) => stream.on('data', (chunk: Buffer) => chunks.push(chunk)));
    open.push(client);
    await client.send(synStream(1));
    await client.send({ type: 'data', streamId: 1, fin: false, data: Buffer.alloc(40_000, 1) });
    await eventually(
      async () => (client.received.filter((f) => f.type === 'windowUpdate').length >= 2 ? true : undefined),
      'window updates',
    );
    expect(Buffer.concat(chunks).length).toBe(40_000);
    expect(client.received).toContainEqual({ type: 'windowUpdate', streamId: 1, delta: 40_000 });
    expect(client.received).toContainEqual({ type: 'windowUpdate', streamId: 0, delta: 40_000 });
  });

  it("sends past 64 KiB to a peer that never updates windows, as kubectl's spdystream never does", async () => {
    let server: SpdyStream | undefined;
    const client = session((stream) => {
      server = stream;
    });
    open.push(client);
    await client.send(synStream(1));
    await eventually(async () => server, 'the stream');
    server!.write(Buffer.alloc(3 * INITIAL_WINDOW_SIZE));
    await eventually(
      async () => (dataBytes(client.received, 1) === 3 * INITIAL_WINDOW_SIZE ? true : undefined),
      'all the data',
    );
  });

  it('keeps within the windows of a peer that announces its own', async () => {
    let server: SpdyStream | undefined;
    const client = session((stream) => {
      server = stream;
    });
    open.push(client);
    await client.send({
      type: 'settings',
      entries: [{ id: SettingsId.initialWindowSize, value: 1000, flags: 0 }],
    });
    await client.send(synStream(1));
    await eventually(async () => server, 'the stream');
    server!.write(Buffer.alloc(5000));
    await eventually(async () => (dataBytes(client.received, 1) === 1000 ? true : undefined), 'one window');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(dataBytes(client.received, 1)).toBe(1000);
    await client.send({ type: 'windowUpdate', streamId: 1, delta: 4000 });
    await eventually(async () => (dataBytes(client.received, 1) === 5000 ? true : undefined), 'the rest');
  });
});
