/**
 * SPDY/3 name/value header blocks: the uncompressed layout (32-bit counts and lengths, lower-case names, several
 * values of one name joined by NUL) and the zlib layer around it, one compression context per direction for the
 * whole session, primed with the protocol's dictionary (SPDY/3 §2.6.10.1).
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from "node:zlib";
import { SpdyProtocolError } from "./frame.js";

const dictionaryWords = [
  "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding", "accept-language",
  "accept-ranges", "age", "allow", "authorization", "cache-control", "connection", "content-base", "content-encoding",
  "content-language", "content-length", "content-location", "content-md5", "content-range", "content-type", "date",
  "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
  "if-unmodified-since", "last-modified", "location", "max-forwards", "pragma", "proxy-authenticate",
  "proxy-authorization", "range", "referer", "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade",
  "user-agent", "vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK", "version",
  "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
];
const dictionaryTail = "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden" +
  "404 Not Found500 Internal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug " +
  "Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif," +
  "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch" +
  "charset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

/** The SPDY/3 zlib dictionary: each word with its 32-bit length in front, then the tail as is (1423 bytes). */
export const spdyDictionary: Buffer = Buffer.concat([
  ...dictionaryWords.map((w) => { const b = Buffer.alloc(4 + w.length); b.writeUInt32BE(w.length, 0); b.write(w, 4, "latin1"); return b; }),
  Buffer.from(dictionaryTail, "latin1"),
]);

/** Header names (lower case) to values; a name sent with several values has them joined by NUL. */
export type SpdyHeaders = Record<string, string>;

/** The uncompressed block of `headers` (names lower-cased, as SPDY/3 requires). */
export function encodeHeaderPairs(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length, 0);
  parts.push(count);
  for (const [name, value] of entries) {
    for (const s of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(s, "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length, 0);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Reads an uncompressed block; throws SpdyProtocolError when it is truncated or repeats a name. */
export function decodeHeaderPairs(block: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  if (block.length < 4) throw new SpdyProtocolError("header block is too short");
  const count = block.readUInt32BE(0);
  let at = 4;
  const next = (): string => {
    if (block.length - at < 4) throw new SpdyProtocolError("header block is truncated");
    const len = block.readUInt32BE(at);
    at += 4;
    if (block.length - at < len) throw new SpdyProtocolError("header block is truncated");
    const s = block.toString("utf8", at, at + len);
    at += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = next().toLowerCase();
    const value = next();
    if (name === "" || Object.hasOwn(out, name)) throw new SpdyProtocolError(`header block has an empty or repeated name ${JSON.stringify(name)}`);
    out[name] = value;
  }
  return out;
}

/** Largest uncompressed header block accepted (a compression bomb is refused past it). */
const maxHeaderBlockBytes = 1 << 20;

/** Runs one zlib stream block by block, each block ended by a sync flush, one block at a time. */
class ZlibContext {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly z: Deflate | Inflate) {
    z.on("error", () => undefined);
  }

  run(input: Buffer): Promise<Buffer> {
    const result = this.tail.then(() => new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (c: Buffer): void => {
        chunks.push(c);
        size += c.length;
        if (size > maxHeaderBlockBytes) fail(new SpdyProtocolError(`header block is larger than ${maxHeaderBlockBytes} bytes`));
      };
      const onError = (err: Error): void => fail(new SpdyProtocolError(`header block does not decompress: ${err.message}`));
      const cleanup = (): void => { this.z.off("data", onData); this.z.off("error", onError); };
      const fail = (err: Error): void => { cleanup(); this.z.destroy(); reject(err); };
      this.z.on("data", onData);
      this.z.once("error", onError);
      this.z.write(input);
      this.z.flush(constants.Z_SYNC_FLUSH, () => { cleanup(); resolve(Buffer.concat(chunks, size)); });
    }));
    this.tail = result.catch(() => undefined);
    return result;
  }

  close(): void { this.z.destroy(); }
}

/** The compressing side of one session: blocks come out in call order, each decodable as soon as it is sent. */
export class HeaderCompressor {
  private readonly ctx = new ZlibContext(createDeflate({ dictionary: spdyDictionary }));

  /** The compressed block of `headers`. */
  compress(headers: SpdyHeaders): Promise<Buffer> { return this.ctx.run(encodeHeaderPairs(headers)); }

  /** Releases the zlib context. */
  close(): void { this.ctx.close(); }
}

/** The decompressing side of one session: blocks must be given in the order they arrived. */
export class HeaderDecompressor {
  private readonly ctx = new ZlibContext(createInflate({ dictionary: spdyDictionary }));

  /** The headers of a compressed block; rejects with SpdyProtocolError when it is not a valid block. */
  async decompress(block: Buffer): Promise<SpdyHeaders> { return decodeHeaderPairs(await this.ctx.run(block)); }

  /** Releases the zlib context. */
  close(): void { this.ctx.close(); }
}
