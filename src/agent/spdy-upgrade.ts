/** The HTTP side of the agent's SPDY/3.1 endpoints: checking the upgrade and negotiating its protocol version. */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { writeRawResponse } from "./raw-response.js";

/** True when the request asks to upgrade to SPDY/3.1. */
export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? "").toLowerCase().split(",").map((s) => s.trim()).includes("spdy/3.1");
}

/** The protocol versions a client asked for with `X-Stream-Protocol-Version` (repeated or comma-separated). */
export function requestedProtocols(req: IncomingMessage): string[] {
  const raw = req.headersDistinct["x-stream-protocol-version"] ?? [];
  return raw.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

/**
 * Answers an upgrade request on `socket` as upstream's httpstream handshake does: the protocol is the first one the
 * client lists that `serverProtocols` holds, answered in `X-Stream-Protocol-Version` of the 101; returns it. Without
 * the SPDY upgrade headers the answer is a 400, without any protocol version a 400, without a common one a 403
 * listing the accepted versions; then the result is undefined and the connection is closed.
 */
export function acceptSpdyUpgrade(req: IncomingMessage, socket: Duplex, serverProtocols: readonly string[]): string | undefined {
  if (!isSpdyUpgrade(req)) {
    writeRawResponse(socket, 400, {}, `unable to upgrade: missing upgrade headers in request: Upgrade ${JSON.stringify(req.headers.upgrade ?? "")}`);
    return undefined;
  }
  const offered = requestedProtocols(req);
  if (offered.length === 0) {
    writeRawResponse(socket, 400, {}, "unable to upgrade: X-Stream-Protocol-Version is required");
    return undefined;
  }
  const chosen = offered.find((p) => serverProtocols.includes(p));
  if (chosen === undefined) {
    writeRawResponse(socket, 403, { "X-Accepted-Stream-Protocol-Versions": serverProtocols.join(", ") },
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${serverProtocols.join(" ")}]`);
    return undefined;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`);
  return chosen;
}
