import type { ServerResponse } from "node:http";
import { stringify as toYaml } from "yaml";
import type { StatusError } from "../../api/status-error.js";

/** What a handler answers: a body to encode, or `streamed` when it wrote the response itself (watch). */
export type Reply =
  | { kind: "object"; code: number; body: unknown; contentType?: string; headers?: Record<string, string> }
  | { kind: "text"; code: number; body: string }
  | { kind: "raw"; code: number; body: string | Uint8Array; contentType: string; headers?: Record<string, string> }
  /** A body produced piece by piece as the connection takes it (a large list), of encoding's media type. */
  | { kind: "chunks"; code: number; chunks: Iterable<string | Uint8Array> }
  | { kind: "streamed" };

/** How response bodies are encoded for one request. */
export interface Encoding {
  /** `application/yaml` only when the client accepts nothing else we serve. */
  mediaType: "application/json" | "application/yaml";
  pretty: boolean;
}

/** An object reply with `code`. */
export function objectReply(code: number, body: unknown, contentType?: string): Reply {
  return contentType === undefined ? { kind: "object", code, body } : { kind: "object", code, body, contentType };
}

/** The Status reply for a StatusError. */
export function statusReply(err: StatusError): Reply {
  return { kind: "object", code: err.code, body: err.status };
}

/** Serializes `body` as `encoding` says, ending with a newline as upstream's encoders do. */
function encodeBody(body: unknown, encoding: Encoding): string {
  if (encoding.mediaType === "application/yaml") return toYaml(body);
  return `${encoding.pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body)}\n`;
}

/** Writes a reply unless the response has already been started or closed; never throws. */
export function sendReply(res: ServerResponse, reply: Reply, encoding: Encoding, warnings: readonly string[]): void {
  if (reply.kind === "streamed" || res.headersSent || res.writableEnded || res.destroyed) return;
  setCommonHeaders(res, warnings);
  if (reply.kind === "text") {
    res.statusCode = reply.code;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end(reply.body);
    return;
  }
  res.statusCode = reply.code;
  if (reply.kind === "chunks") {
    res.setHeader("Content-Type", encoding.mediaType);
    sendChunks(res, reply.chunks[Symbol.iterator]());
    return;
  }
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.code === 304) {
    res.end();
    return;
  }
  const text = reply.kind === "raw" ? reply.body : encodeBody(reply.body, encoding);
  res.setHeader("Content-Type", reply.contentType ?? encoding.mediaType);
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

/**
 * Writes the chunks as the connection drains (a body of one chunk goes out with its Content-Length, longer ones
 * chunked); a chunk that fails to render cuts the response off rather than ending it as if complete.
 */
function sendChunks(res: ServerResponse, chunks: Iterator<string | Uint8Array>): void {
  let pending: IteratorResult<string | Uint8Array>;
  try {
    const first = chunks.next();
    pending = first.done ? first : chunks.next();
    if (first.done || pending.done) {
      const text = first.done ? "" : first.value;
      res.setHeader("Content-Length", Buffer.byteLength(text));
      res.end(text);
      return;
    }
    res.write(first.value);
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  const pump = (): void => {
    try {
      while (!res.destroyed) {
        if (pending.done) {
          res.end();
          return;
        }
        const written = res.write(pending.value);
        pending = chunks.next();
        if (!written) {
          res.once("drain", pump);
          return;
        }
      }
    } catch (error) {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  };
  pump();
}

/** Headers every API response carries, plus one `Warning` header per warning. */
export function setCommonHeaders(res: ServerResponse, warnings: readonly string[]): void {
  res.setHeader("Cache-Control", "no-cache, private");
  res.setHeader("X-Content-Type-Options", "nosniff");
  if (warnings.length > 0) res.setHeader("Warning", [...new Set(warnings)].map(warningHeader));
}

/** Formats a warning as RFC 7234 `299 - "text"` with quotes and backslashes escaped, unprintable bytes replaced. */
function warningHeader(text: string): string {
  const clean = text.replace(/[^\x20-\x7e\t]/g, "?").replace(/[\\"]/g, (c) => `\\${c}`);
  return `299 - "${clean}"`;
}
