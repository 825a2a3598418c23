/**
 * The server side of a SPDY/3.1 session over an upgraded connection, as a kubelet runs one for `kubectl
 * port-forward`: the client opens streams (SYN_STREAM), the server accepts each with SYN_REPLY or refuses it with
 * RST_STREAM, and every stream is a Duplex of its DATA frames (FIN = end). PINGs from the client are echoed,
 * GOAWAY ends the session, SETTINGS/WINDOW_UPDATE/HEADERS are read and ignored.
 *
 * Flow control: the client library kubectl uses (spdystream) never sends WINDOW_UPDATE and ignores it, so a
 * sender counting the 64 KiB initial window would stall; as spdystream does, both directions rely on TCP
 * back-pressure instead: a stream whose reader lags pauses the connection, and stream writes wait for the
 * connection to drain.
 */
import { Duplex } from "node:stream";
import { encodeFrame, FrameReader, GoAwayStatus, RstStatus, SpdyProtocolError, type SpdyFrame } from "./frame.js";
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from "./header-block.js";

/** Largest DATA payload this side sends in one frame. */
const maxDataChunk = 32 * 1024;

/** One client-opened stream: read its DATA, write yours; `end()` sends FIN, `destroy()` resets it. */
export class SpdyStream extends Duplex {
  /** True once the client finished its side (FIN) or reset the stream. */
  remoteEnded = false;
  private localEnded = false;

  /** Wraps stream `id`, opened with `headers`; the session calls `receive`/`remoteEnd`/`remoteReset`. */
  constructor(readonly id: number, readonly headers: SpdyHeaders, private readonly session: SpdySession) {
    super({ allowHalfOpen: true });
  }

  override _read(): void { this.session.resume(); }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.localEnded = true;
    this.session.sendData(this.id, Buffer.alloc(0), true).then(() => { this.session.settle(this); done(); }, done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (!this.remoteEnded || !this.localEnded) this.session.reset(this.id, RstStatus.cancel);
    this.remoteEnded = this.localEnded = true;
    this.session.settle(this);
    done(error);
  }

  /** True when both sides have finished. */
  finishedBothWays(): boolean { return this.remoteEnded && this.localEnded; }

  /** Delivers a DATA payload; false when the reader is behind. */
  receive(data: Buffer): boolean { return this.remoteEnded ? true : this.push(data); }

  /** The client sent FIN. */
  remoteEnd(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    this.push(null);
    this.session.settle(this);
  }

  /** The client reset the stream. */
  remoteReset(): void {
    this.remoteEnded = this.localEnded = true;
    this.destroy();
  }
}

/** What the session asks of its owner. */
export interface SpdySessionHandler {
  /** Whether to accept a new stream with these headers: undefined accepts (SYN_REPLY), a reason refuses it (RST_STREAM CANCEL). */
  check: (headers: SpdyHeaders) => string | undefined;
  /** An accepted stream, after its SYN_REPLY was queued (so anything written to it follows the reply). */
  onStream: (stream: SpdyStream) => void;
  /** A protocol fault or connection error that ended the session. */
  onError: (error: Error) => void;
}

/** A SPDY/3.1 server session on `socket` (after the HTTP 101). */
export class SpdySession {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private goingAway = false;
  private ended = false;
  private readonly closedCallbacks: (() => void)[] = [];

  /** Starts reading frames from `socket`. */
  constructor(private readonly socket: Duplex, private readonly handler: SpdySessionHandler) {
    socket.on("data", (chunk: Buffer) => this.onBytes(chunk));
    socket.on("error", (err) => this.close(err));
    socket.on("close", () => this.close());
    socket.on("end", () => this.close());
  }

  /** Calls `fn` once the session has ended. */
  onClosed(fn: () => void): void {
    if (this.ended) fn(); else this.closedCallbacks.push(fn);
  }

  /** Number of open streams. */
  streamCount(): number { return this.streams.size; }

  /** Sends GOAWAY and closes the connection once the frames are out; every stream is ended. */
  goAway(status: number = GoAwayStatus.ok): void {
    if (this.ended) return;
    this.goingAway = true;
    void this.enqueue(() => encodeFrame({ type: "goAway", lastGoodStreamId: this.lastStreamId, status })).then(() => this.socket.end());
  }

  /** Resumes reading the connection (a stream's reader caught up). */
  resume(): void { if (!this.ended) this.socket.resume(); }

  /** Sends DATA on `streamId`, split into frames; resolves when the connection took it. */
  async sendData(streamId: number, data: Buffer, fin: boolean): Promise<void> {
    if (this.ended) throw new Error("the SPDY session is closed");
    let at = 0;
    do {
      const part = data.subarray(at, at + maxDataChunk);
      at += part.length;
      const last = at >= data.length;
      await this.enqueue(() => encodeFrame({ type: "data", streamId, fin: fin && last, data: part }));
    } while (at < data.length);
  }

  /** Sends RST_STREAM for `streamId`. */
  reset(streamId: number, status: number): void {
    if (this.ended) return;
    this.enqueue(() => encodeFrame({ type: "rstStream", streamId, status })).catch(() => undefined);
  }

  /** Forgets a stream once both sides are done. */
  settle(stream: SpdyStream): void {
    if (stream.finishedBothWays() && this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
  }

  /** Ends the session: every stream is destroyed, the connection closed. */
  close(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    if (error) this.handler.onError(error);
    for (const s of this.streams.values()) { s.remoteEnded = true; s.destroy(); }
    this.streams.clear();
    this.compressor.close();
    this.decompressor.close();
    this.socket.destroy();
    for (const fn of this.closedCallbacks.splice(0)) fn();
  }

  /** Writes frames in order; resolves once the connection accepted the bytes (after a drain if it was full). */
  private enqueue(frame: () => Buffer | Promise<Buffer>): Promise<void> {
    const run = this.outbound.then(async () => {
      if (this.ended) throw new Error("the SPDY session is closed");
      const bytes = await frame();
      if (this.socket.write(bytes)) return;
      await new Promise<void>((resolve) => {
        const done = (): void => { this.socket.off("drain", done); this.socket.off("close", done); resolve(); };
        this.socket.once("drain", done);
        this.socket.once("close", done);
      });
    });
    this.outbound = run.catch(() => undefined);
    return run;
  }

  private onBytes(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.fail(err);
      return;
    }
    for (const frame of frames) {
      this.inbound = this.inbound.then(() => this.onFrame(frame)).catch((err: unknown) => this.fail(err));
    }
  }

  private fail(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    const status = error instanceof SpdyProtocolError ? error.status : GoAwayStatus.internalError;
    if (!this.ended) this.socket.write(encodeFrame({ type: "goAway", lastGoodStreamId: this.lastStreamId, status }));
    this.close(error);
  }

  private async onFrame(frame: SpdyFrame): Promise<void> {
    if (this.ended) return;
    switch (frame.type) {
      case "synStream": {
        // Decompress first: every header block advances the shared zlib context, also those of refused streams.
        const headers = await this.decompressor.decompress(frame.headerBlock);
        if (frame.streamId % 2 === 0 || frame.streamId <= this.lastStreamId) {
          throw new SpdyProtocolError(`stream id ${frame.streamId} is not a new client stream id`);
        }
        this.lastStreamId = frame.streamId;
        if (this.goingAway) { this.reset(frame.streamId, RstStatus.refusedStream); return; }
        // As the kubelet, a stream it will not serve is reset (CANCEL) rather than answered.
        if (this.handler.check(headers) !== undefined) { this.reset(frame.streamId, RstStatus.cancel); return; }
        const stream = new SpdyStream(frame.streamId, headers, this);
        this.streams.set(frame.streamId, stream);
        const reply = this.compressor.compress({});
        const replied = this.enqueue(async () => encodeFrame({ type: "synReply", streamId: frame.streamId, fin: false, headerBlock: await reply }));
        this.handler.onStream(stream);
        await replied;
        if (frame.fin || frame.unidirectional) stream.remoteEnd();
        return;
      }
      case "data": {
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        if (frame.data.length > 0 && !stream.receive(frame.data)) this.socket.pause();
        if (frame.fin) stream.remoteEnd();
        return;
      }
      case "rstStream": this.streams.get(frame.streamId)?.remoteReset(); return;
      case "ping":
        // Odd ids are the client's: echo them. Even ids would answer pings of ours; none are sent.
        if (frame.id % 2 === 1) await this.enqueue(() => encodeFrame(frame));
        return;
      case "goAway": this.goingAway = true; this.close(); return;
      case "headers": await this.decompressor.decompress(frame.headerBlock); return;
      case "synReply": throw new SpdyProtocolError("SYN_REPLY received for a stream this side never opened");
      case "settings": case "windowUpdate": case "unknown": return;
    }
  }
}
