import type { IncomingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";

/** One HTTP/1.x response as read off a socket. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a connection received: the complete responses in order, and whether the server closed it. */
export interface RawExchange {
  responses: RawResponse[];
  closed: boolean;
  /** Bytes after the last complete response (a response cut short). */
  rest: Buffer;
}

/**
 * Writes `parts` to `socket` one after another, `gapMs` apart, then reads until the server closes the connection
 * or `waitMs` passes after the last write; the socket is destroyed at the end. With `halfClose` the client ends
 * its side after the last part.
 */
export async function exchange(socket: Duplex, parts: (string | Buffer)[], options: { gapMs?: number; waitMs?: number; halfClose?: boolean } = {}): Promise<RawExchange> {
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on("data", (d: Buffer) => chunks.push(d));
  socket.on("error", () => undefined);
  const gone = new Promise<void>((resolve) => socket.once("close", () => { closed = true; resolve(); }));
  for (const [i, part] of parts.entries()) {
    if (closed) break;
    if (i > 0 && (options.gapMs ?? 0) > 0) await Promise.race([gone, new Promise((r) => setTimeout(r, options.gapMs))]);
    if (!closed && socket.writable) socket.write(part);
  }
  if (options.halfClose && !closed) socket.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gone, new Promise<void>((resolve) => { timer = setTimeout(resolve, options.waitMs ?? 5_000); })]);
  clearTimeout(timer);
  socket.destroy();
  return { ...parseResponses(Buffer.concat(chunks)), closed };
}

/** Splits a byte stream into HTTP/1.x responses (Content-Length or chunked bodies). */
export function parseResponses(data: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf("\r\n\r\n", at);
    if (end < 0) break;
    const [statusLine = "", ...lines] = data.subarray(at, end).toString("latin1").split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let pos = end + 4;
    let body: Buffer;
    if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf("\r\n", pos);
        if (lineEnd < 0) return { responses, rest: data.subarray(at) };
        const size = parseInt(data.subarray(pos, lineEnd).toString("latin1"), 16);
        if (!Number.isFinite(size) || lineEnd + 2 + size + 2 > data.length) return { responses, rest: data.subarray(at) };
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        pos = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers["content-length"] ?? 0);
      if (pos + length > data.length) break;
      body = data.subarray(pos, pos + length);
      pos += length;
    }
    responses.push({ status, headers, body });
    at = pos;
  }
  return { responses, rest: data.subarray(at) };
}

/** The Status in a response body, or an error naming what is wrong with it. */
export function statusOf(response: RawResponse): { kind: string; apiVersion: string; status: string; code: number; reason: string; message: string } {
  const type = String(response.headers["content-type"] ?? "");
  if (!type.startsWith("application/json")) throw new Error(`HTTP ${response.status} with Content-Type ${JSON.stringify(type)}: ${response.body.toString().slice(0, 200)}`);
  return JSON.parse(response.body.toString()) as ReturnType<typeof statusOf>;
}
