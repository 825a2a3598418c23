/**
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with the 3.1 flow-control frames): the binary frames kubectl's
 * `port-forward` (and the SPDY fallback of `exec`) speak to a kubelet. Header blocks stay compressed here; see
 * header-block.ts for their zlib layer.
 */

/** The protocol version of every control frame. */
export const spdyVersion = 3;

/** Control frame types. */
export const FrameType = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;

/** RST_STREAM status codes. */
export const RstStatus = { protocolError: 1, invalidStream: 2, refusedStream: 3, unsupportedVersion: 4, cancel: 5, internalError: 6, flowControlError: 7, streamInUse: 8, streamAlreadyClosed: 9 } as const;

/** GOAWAY status codes. */
export const GoAwayStatus = { ok: 0, protocolError: 1, internalError: 2 } as const;

const flagFin = 0x01;
const flagUnidirectional = 0x02;
/** Largest payload a frame's 24-bit length can carry. */
export const maxFrameLength = 0xffffff;

/** One decoded frame; `headerBlock` is the still-compressed name/value block. */
export type SpdyFrame =
  | { type: "data"; streamId: number; fin: boolean; data: Buffer }
  | { type: "synStream"; streamId: number; associatedId: number; priority: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: "synReply"; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: "rstStream"; streamId: number; status: number }
  | { type: "settings"; entries: { id: number; flags: number; value: number }[] }
  | { type: "ping"; id: number }
  | { type: "goAway"; lastGoodStreamId: number; status: number }
  | { type: "headers"; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: "windowUpdate"; streamId: number; delta: number }
  | { type: "unknown"; frameType: number };

/** A frame that breaks the protocol: the session answers it with GOAWAY (or RST_STREAM) and the given status. */
export class SpdyProtocolError extends Error {
  /** Creates the error with the status to send. */
  constructor(message: string, readonly status: number = GoAwayStatus.protocolError) {
    super(message);
  }
}

function controlHeader(type: number, flags: number, length: number): Buffer {
  if (length > maxFrameLength) throw new RangeError(`SPDY frame payload of ${length} bytes is too long`);
  const b = Buffer.alloc(8);
  b.writeUInt16BE(0x8000 | spdyVersion, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt32BE(((flags & 0xff) << 24 | length) >>> 0, 4);
  return b;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([controlHeader(type, flags, payload.length), payload]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** Encodes one frame (header blocks must already be compressed). */
export function encodeFrame(frame: Exclude<SpdyFrame, { type: "unknown" }>): Buffer {
  switch (frame.type) {
    case "data": {
      if (frame.data.length > maxFrameLength) throw new RangeError(`SPDY frame payload of ${frame.data.length} bytes is too long`);
      const head = u32s(frame.streamId & 0x7fffffff, ((frame.fin ? flagFin : 0) << 24 | frame.data.length) >>> 0);
      return Buffer.concat([head, frame.data]);
    }
    case "synStream": {
      const flags = (frame.fin ? flagFin : 0) | (frame.unidirectional ? flagUnidirectional : 0);
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(frame.associatedId & 0x7fffffff, 4);
      fixed.writeUInt8((frame.priority & 0x07) << 5, 8);
      return control(FrameType.synStream, flags, Buffer.concat([fixed, frame.headerBlock]));
    }
    case "synReply": return control(FrameType.synReply, frame.fin ? flagFin : 0, Buffer.concat([u32s(frame.streamId & 0x7fffffff), frame.headerBlock]));
    case "headers": return control(FrameType.headers, frame.fin ? flagFin : 0, Buffer.concat([u32s(frame.streamId & 0x7fffffff), frame.headerBlock]));
    case "rstStream": return control(FrameType.rstStream, 0, u32s(frame.streamId & 0x7fffffff, frame.status));
    case "settings": {
      const body = Buffer.alloc(4 + frame.entries.length * 8);
      body.writeUInt32BE(frame.entries.length, 0);
      frame.entries.forEach((e, i) => {
        body.writeUInt32BE(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + i * 8);
        body.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return control(FrameType.settings, 0, body);
    }
    case "ping": return control(FrameType.ping, 0, u32s(frame.id));
    case "goAway": return control(FrameType.goAway, 0, u32s(frame.lastGoodStreamId & 0x7fffffff, frame.status));
    case "windowUpdate": return control(FrameType.windowUpdate, 0, u32s(frame.streamId & 0x7fffffff, frame.delta & 0x7fffffff));
  }
}

function need(payload: Buffer, bytes: number, what: string): void {
  if (payload.length < bytes) throw new SpdyProtocolError(`${what} frame of ${payload.length} bytes is too short`);
}

function decodeControl(type: number, flags: number, p: Buffer): SpdyFrame {
  const fin = (flags & flagFin) !== 0;
  switch (type) {
    case FrameType.synStream:
      need(p, 10, "SYN_STREAM");
      return {
        type: "synStream", streamId: p.readUInt32BE(0) & 0x7fffffff, associatedId: p.readUInt32BE(4) & 0x7fffffff,
        priority: p.readUInt8(8) >> 5, fin, unidirectional: (flags & flagUnidirectional) !== 0, headerBlock: p.subarray(10),
      };
    case FrameType.synReply:
      need(p, 4, "SYN_REPLY");
      return { type: "synReply", streamId: p.readUInt32BE(0) & 0x7fffffff, fin, headerBlock: p.subarray(4) };
    case FrameType.headers:
      need(p, 4, "HEADERS");
      return { type: "headers", streamId: p.readUInt32BE(0) & 0x7fffffff, fin, headerBlock: p.subarray(4) };
    case FrameType.rstStream:
      need(p, 8, "RST_STREAM");
      return { type: "rstStream", streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.settings: {
      need(p, 4, "SETTINGS");
      const count = p.readUInt32BE(0);
      if (p.length !== 4 + count * 8) throw new SpdyProtocolError(`SETTINGS frame of ${p.length} bytes does not hold ${count} entries`);
      const entries = Array.from({ length: count }, (_, i) => {
        const w = p.readUInt32BE(4 + i * 8);
        return { flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + i * 8) };
      });
      return { type: "settings", entries };
    }
    case FrameType.ping:
      need(p, 4, "PING");
      return { type: "ping", id: p.readUInt32BE(0) };
    case FrameType.goAway:
      need(p, 8, "GOAWAY");
      return { type: "goAway", lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.windowUpdate:
      need(p, 8, "WINDOW_UPDATE");
      return { type: "windowUpdate", streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      // Unknown control frames are ignored (SPDY/3 §2.2.1).
      return { type: "unknown", frameType: type };
  }
}

/**
 * Splits a byte stream into frames: `push` takes bytes as they arrive and returns the frames completed by them.
 * Throws SpdyProtocolError on a control frame of another version or a malformed fixed part.
 */
export class FrameReader {
  private buffered: Buffer[] = [];
  private length = 0;
  /** Bytes the frame at the head needs before it is worth joining the buffered chunks again. */
  private needed = 8;

  /** Adds bytes; returns every frame now complete, in order. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buffered.push(chunk);
    this.length += chunk.length;
    const frames: SpdyFrame[] = [];
    if (this.length < this.needed) return frames;
    let all = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered, this.length);
    let at = 0;
    while (all.length - at >= 8) {
      const word = all.readUInt32BE(at + 4);
      const length = word & 0xffffff;
      if (all.length - at < 8 + length) { this.needed = 8 + length; break; }
      const payload = all.subarray(at + 8, at + 8 + length);
      const first = all.readUInt32BE(at);
      if ((first & 0x80000000) === 0) {
        frames.push({ type: "data", streamId: first & 0x7fffffff, fin: ((word >>> 24) & flagFin) !== 0, data: Buffer.from(payload) });
      } else {
        const version = (first >>> 16) & 0x7fff;
        if (version !== spdyVersion) throw new SpdyProtocolError(`unsupported SPDY version ${version}`, GoAwayStatus.protocolError);
        frames.push(decodeControl(first & 0xffff, word >>> 24, Buffer.from(payload)));
      }
      at += 8 + length;
    }
    all = all.subarray(at);
    if (all.length < 8) this.needed = 8;
    this.buffered = all.length > 0 ? [all] : [];
    this.length = all.length;
    return frames;
  }
}
