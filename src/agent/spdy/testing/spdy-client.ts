/** A SPDY/3.1 client for tests of the agent's SPDY endpoints. */
import { request, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { encodeFrame, FrameReader, type SpdyFrame } from "../frame.js";
import { HeaderCompressor, HeaderDecompressor } from "../header-block.js";

/** A minimal SPDY client, as kubectl's: opens streams, collects what the server sends per stream (for tests). */
export class SpdyTestClient {
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  readonly decompressor = new HeaderDecompressor();
  readonly frames: SpdyFrame[] = [];
  readonly data = new Map<number, string>();
  readonly fins = new Set<number>();

  /** Reads the server's frames from `socket` (an upgraded connection). */
  constructor(readonly socket: Duplex) {
    socket.on("data", (c: Buffer) => {
      for (const f of this.reader.push(c)) {
        this.frames.push(f);
        if (f.type === "data") {
          this.data.set(f.streamId, (this.data.get(f.streamId) ?? "") + f.data.toString());
          if (f.fin) this.fins.add(f.streamId);
        }
      }
    });
  }

  /** Opens stream `id` with `headers` (SYN_STREAM; `fin` half-closes it at once). */
  async open(id: number, headers: Record<string, string>, fin = false): Promise<void> {
    const headerBlock = await this.compressor.compress(headers);
    this.socket.write(encodeFrame({ type: "synStream", streamId: id, associatedId: 0, priority: 0, fin, unidirectional: false, headerBlock }));
  }

  /** Writes one frame. */
  send(frame: Parameters<typeof encodeFrame>[0]): void { this.socket.write(encodeFrame(frame)); }

  /** Writes `text` on stream `streamId` as one DATA frame (`fin` ends the stream). */
  write(streamId: number, text: string, fin = false): void {
    this.send({ type: "data", streamId, fin, data: Buffer.from(text) });
  }

  /** Resolves once `check` holds; rejects after 5 s naming `what`. */
  async waitFor(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Drops the connection. */
  close(): void { this.compressor.close(); this.decompressor.close(); this.socket.destroy(); }
}

/** An upgrade's outcome: the 101 and a client on the connection, or the refusal with its body. */
export interface SpdyUpgradeResult { res: IncomingMessage; client?: SpdyTestClient; body?: string }

/** Sends `method path` asking for SPDY/3.1 with protocol versions `protocols` to 127.0.0.1:`port`. */
export function spdyUpgrade(port: number, method: string, path: string, protocols: readonly string[]): Promise<SpdyUpgradeResult> {
  return new Promise((resolve, reject) => {
    const headers = { Connection: "Upgrade", Upgrade: "SPDY/3.1", ...(protocols.length > 0 ? { "X-Stream-Protocol-Version": protocols.join(", ") } : {}) };
    const req = request({ port, host: "127.0.0.1", method, path, headers });
    req.once("upgrade", (res, socket) => resolve({ res, client: new SpdyTestClient(socket) }));
    req.once("response", (res) => { let body = ""; res.on("data", (d: Buffer) => { body += d.toString(); }); res.once("end", () => resolve({ res, body })); });
    req.once("error", reject);
    req.end();
  });
}
