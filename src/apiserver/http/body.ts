import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest, statusError, StatusError } from "../../api/status-error.js";

/** 413 RequestEntityTooLarge as upstream words it. */
function tooLarge(limit: number): StatusError {
  return statusError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limit}`);
}

/**
 * Reads a request body of at most `maxBytes`. Past the limit (declared or actual) it throws 413 at once, keeps
 * nothing more in memory, and marks the connection to close after the answer. So that the client still receives
 * that answer, up to `maxBytes` further bytes are read and dropped; beyond that reading stops. Throws 400 when
 * the client goes away mid-body, and when `signal` aborts rejects with its reason when that is a StatusError (a
 * deadline), else with that 400.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      signal.removeEventListener("abort", onAbort);
    };
    const refuse = (): void => {
      refused = true;
      chunks.length = 0;
      closeAfterReply(res);
      reject(tooLarge(maxBytes));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (refused) {
        if (size > 2 * maxBytes) {
          cleanup();
          req.pause();
        }
        return;
      }
      if (size > maxBytes) refuse();
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      if (!refused) resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      if (!refused) reject(badRequest(`error reading request body: ${err.message}`));
    };
    const onAbort = (): void => {
      cleanup();
      closeAfterReply(res);
      // A deadline aborts with its 504; a client that went away mid-body is its own (unanswerable) 400, not a fault.
      if (!refused) reject(signal.reason instanceof StatusError ? signal.reason : badRequest("error reading request body: the client closed the connection"));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      size = maxBytes;
      refuse();
    }
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function closeAfterReply(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("Connection", "close");
}
