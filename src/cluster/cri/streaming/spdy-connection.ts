import { Duplex } from 'node:stream';
import {
  type Frame,
  FrameDecoder,
  FrameEncoder,
  type HeaderBlock,
  INITIAL_WINDOW_SIZE,
  RstStatus,
  SettingsId,
  SpdyProtocolError,
} from './spdy.ts';

/** Larger writes go out as several DATA frames, so one stream cannot hold the line for long. */
const MAX_DATA_FRAME = 32 * 1024;

/**
 * SpdyStream is one stream the peer opened: what the peer sends in DATA frames is read from it,
 * what is written to it goes back in DATA frames, and ending it sends FIN. A RST_STREAM from the
 * peer destroys it.
 */
export class SpdyStream extends Duplex {
  /** Bytes received but not yet acknowledged with a WINDOW_UPDATE. */
  private unacknowledged = 0;
  /** How much the peer lets us send on this stream before it opens the window again. */
  sendWindow: number;
  finSent = false;
  finReceived = false;
  /** Settles once SYN_REPLY is queued: no DATA may reach the peer before it (spdystream drops it). */
  private readonly replied: Promise<void>;
  private markReplied!: () => void;

  constructor(
    readonly id: number,
    readonly headers: HeaderBlock,
    private readonly connection: SpdyConnection,
    sendWindow: number,
  ) {
    super({ allowHalfOpen: true });
    this.sendWindow = sendWindow;
    this.replied = new Promise((resolve) => {
      this.markReplied = resolve;
    });
  }

  /** The connection has queued SYN_REPLY: what was written so far may follow it. */
  accepted(): void {
    this.markReplied();
  }

  /** The peer's data: read, then acknowledged once the reader has taken it (backpressure). */
  receive(data: Buffer, fin: boolean): void {
    if (data.length > 0) {
      this.unacknowledged += data.length;
      if (this.push(data)) this.acknowledge();
    }
    if (fin) {
      this.finReceived = true;
      this.push(null);
      this.connection.forgetIfDone(this);
    }
  }

  /** Refuses or abandons the stream: RST_STREAM to the peer, and no more reading or writing. */
  reset(status: number = RstStatus.cancel): void {
    if (this.destroyed) return;
    void this.connection.send({ type: 'rstStream', streamId: this.id, status }).catch(() => {});
    this.destroy();
  }

  override _read(): void {
    this.acknowledge();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.replied.then(() => this.connection.sendData(this, chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finSent = true;
    this.replied
      .then(() => this.connection.send({ type: 'data', streamId: this.id, fin: true, data: Buffer.alloc(0) }))
      .then(() => {
        this.connection.forgetIfDone(this);
        callback();
      }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.connection.forget(this);
    callback(error);
  }

  private acknowledge(): void {
    if (this.unacknowledged === 0 || this.destroyed) return;
    const delta = this.unacknowledged;
    this.unacknowledged = 0;
    this.connection.acknowledge(this.id, delta);
  }
}

/**
 * SpdyConnection is the server end of a SPDY/3.1 session over any byte stream (a socket after an
 * HTTP upgrade, or a WebSocket carrying SPDY in binary messages). It answers each SYN_STREAM the
 * peer sends with SYN_REPLY (or RST_STREAM when `onStream` refuses it by throwing; what `onStream`
 * writes at once waits for the reply, as spdystream's replySent makes it), echoes PINGs,
 * and gives the peer WINDOW_UPDATEs as its data is consumed.
 *
 * Flow control in the other direction: SPDY/3.1 says not to send more than the peer's window,
 * but moby/spdystream, which kubectl and the kubelet use, neither sends nor reads WINDOW_UPDATE,
 * so honouring the 64 KiB initial window would stall every kubectl transfer after 64 KiB. A peer
 * shows it does flow control by sending SETTINGS_INITIAL_WINDOW_SIZE or a WINDOW_UPDATE; from
 * then on its windows are respected.
 */
export class SpdyConnection {
  private readonly encoder = new FrameEncoder();
  private readonly decoder = new FrameDecoder();
  private readonly streams = new Map<number, SpdyStream>();
  private sending: Promise<unknown> = Promise.resolve();
  private lastStreamId = 0;
  private peerFlowControl = false;
  private initialSendWindow = INITIAL_WINDOW_SIZE;
  private sessionSendWindow = INITIAL_WINDOW_SIZE;
  /** Writers waiting for the peer to open a window. */
  private windowWaiters: (() => void)[] = [];
  private closed = false;
  /** Resolves once the transport has ended and every stream is gone. */
  readonly done: Promise<void>;

  constructor(
    private readonly transport: Duplex,
    private readonly onStream: (stream: SpdyStream) => void,
  ) {
    transport.on('error', () => this.close());
    this.done = this.serve();
  }

  /** Says GOAWAY and ends the session; open streams are destroyed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.send({ type: 'goAway', lastGoodStreamId: this.lastStreamId, status: 0 })
      .catch(() => {})
      .then(() => this.transport.end());
    this.teardown();
  }

  /** Queues a frame; frames leave in the order they were queued, as header compression needs. */
  send(frame: Frame): Promise<void> {
    const sent = this.sending.then(async () => {
      if (this.transport.destroyed || this.transport.writableEnded) throw new Error('connection closed');
      const bytes = await this.encoder.encode(frame);
      await new Promise<void>((resolve, reject) =>
        this.transport.write(bytes, (err) => (err ? reject(err) : resolve())),
      );
    });
    this.sending = sent.catch(() => {});
    return sent;
  }

  /** Sends `data` on the stream in DATA frames, each within the windows when the peer keeps them. */
  async sendData(stream: SpdyStream, data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      if (stream.destroyed) throw new Error('stream reset');
      let size = Math.min(MAX_DATA_FRAME, data.length - offset);
      if (this.peerFlowControl) {
        size = Math.min(size, stream.sendWindow, this.sessionSendWindow);
        if (size <= 0) {
          await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
          continue;
        }
        stream.sendWindow -= size;
        this.sessionSendWindow -= size;
      }
      await this.send({
        type: 'data',
        streamId: stream.id,
        fin: false,
        data: data.subarray(offset, offset + size),
      });
      offset += size;
    }
  }

  /** Gives the peer back `delta` bytes of window on the stream and on the session. */
  acknowledge(streamId: number, delta: number): void {
    for (const id of [streamId, 0]) {
      void this.send({ type: 'windowUpdate', streamId: id, delta }).catch(() => {});
    }
  }

  /** A stream both sides have finished needs no more bookkeeping. */
  forgetIfDone(stream: SpdyStream): void {
    if (stream.finSent && stream.finReceived) this.forget(stream);
  }

  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
  }

  private async serve(): Promise<void> {
    try {
      for await (const frame of this.decoder.decode(this.transport)) this.dispatch(frame);
    } catch (err) {
      if (err instanceof SpdyProtocolError) {
        await this.send({ type: 'goAway', lastGoodStreamId: this.lastStreamId, status: 1 }).catch(() => {});
      }
    } finally {
      this.closed = true;
      this.teardown();
      this.transport.end();
    }
  }

  private dispatch(frame: Frame): void {
    switch (frame.type) {
      case 'synStream':
        this.open(frame.streamId, frame.headers, frame.fin);
        break;
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        if (stream) stream.receive(frame.data, frame.fin);
        else void this.send({ type: 'rstStream', streamId: frame.streamId, status: RstStatus.invalidStream });
        break;
      }
      case 'rstStream':
        this.streams.get(frame.streamId)?.destroy();
        break;
      case 'ping':
        // Odd IDs are the client's pings, which the server echoes; even ones would be answers to ours.
        if (frame.id % 2 === 1) void this.send(frame).catch(() => {});
        break;
      case 'settings':
        for (const entry of frame.entries) {
          if (entry.id !== SettingsId.initialWindowSize) continue;
          this.peerFlowControl = true;
          const change = entry.value - this.initialSendWindow;
          this.initialSendWindow = entry.value;
          for (const stream of this.streams.values()) stream.sendWindow += change;
        }
        this.wakeWriters();
        break;
      case 'windowUpdate':
        this.peerFlowControl = true;
        if (frame.streamId === 0) this.sessionSendWindow += frame.delta;
        else {
          const stream = this.streams.get(frame.streamId);
          if (stream) stream.sendWindow += frame.delta;
        }
        this.wakeWriters();
        break;
      case 'goAway':
        this.close();
        break;
    }
  }

  private open(id: number, headers: HeaderBlock, fin: boolean): void {
    // Client streams have odd IDs that only grow (SPDY/3 section 2.3.2).
    if (this.closed || id % 2 === 0 || id <= this.lastStreamId) {
      void this.send({ type: 'rstStream', streamId: id, status: RstStatus.protocolError }).catch(() => {});
      return;
    }
    this.lastStreamId = id;
    const stream = new SpdyStream(id, headers, this, this.initialSendWindow);
    this.streams.set(id, stream);
    try {
      this.onStream(stream);
    } catch {
      stream.reset(RstStatus.refusedStream);
      return;
    }
    void this.send({ type: 'synReply', streamId: id, fin: false, headers: {} }).catch(() => {});
    stream.accepted();
    if (fin) stream.receive(Buffer.alloc(0), true);
  }

  private wakeWriters(): void {
    const waiters = this.windowWaiters;
    this.windowWaiters = [];
    for (const wake of waiters) wake();
  }

  private teardown(): void {
    for (const stream of this.streams.values()) stream.destroy();
    this.streams.clear();
    this.wakeWriters();
    this.encoder.close();
    this.decoder.close();
  }
}
