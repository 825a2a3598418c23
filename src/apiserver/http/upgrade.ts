/**
 * Taking over the connection of an upgrade request (WebSocket or SPDY) once it was authenticated, authorized and
 * routed like any other request: the listener hands such requests to the API handler with a response bound to the
 * raw connection (listener.ts); a streaming subresource calls `takeUpgrade` and from then on owns the socket.
 */
import type { Duplex } from "node:stream";
import { badRequest } from "../../api/status-error.js";
import type { RequestContext } from "./context.js";

/**
 * True when the request asks for a protocol upgrade and so came through the listener's `upgrade` event (node:http
 * marks such requests `upgrade`; its typings omit the field).
 */
export function isUpgradeRequest(ctx: RequestContext): boolean {
  return (ctx.req as { upgrade?: unknown }).upgrade === true && ctx.req.method !== "CONNECT";
}

/** True for a WebSocket handshake (`Upgrade: websocket`). */
export function isWebSocketRequest(ctx: RequestContext): boolean {
  return isUpgradeRequest(ctx) && (ctx.req.headers.upgrade ?? "").toLowerCase().split(",").some((p) => p.trim() === "websocket");
}

/** Detaches the connection from the HTTP response and hands it over; 400 when the request is no upgrade. */
export function takeUpgrade(ctx: RequestContext, what: string): Duplex {
  if (!isUpgradeRequest(ctx)) throw badRequest(`Upgrade request required: ${what} needs a connection upgrade (SPDY/3.1 or WebSocket)`);
  const socket = ctx.req.socket;
  ctx.res.detachSocket(socket);
  return socket;
}
