/**
 * `POST /portForward/<namespace>/<pod>` on the agent's endpoint, as the kubelet serves it: an HTTP upgrade to
 * SPDY/3.1 with protocol `portforward.k8s.io`; for every forwarded connection the client opens an error stream and
 * a data stream (headers `streamType`, `port`, `requestID`); once both are there the agent dials the pod's port
 * and copies bytes both ways (half-closes included), and a failure is written as text on the error stream.
 */
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { acceptSpdyUpgrade } from "./spdy-upgrade.js";
import { SpdySession, type SpdyStream } from "./spdy/session.js";
import type { SpdyHeaders } from "./spdy/header-block.js";

/** The sub-protocol of port forwarding over SPDY. */
export const portForwardProtocol = "portforward.k8s.io";

/** The pod a port-forward request reaches, and how to connect to one of its ports. */
export interface PortForwardTarget {
  /** `namespace/name`, for messages. */
  pod: string;
  uid: string;
  /** Connects to `port` of the pod; rejects with an Error whose message says why (kubelet style). */
  dial: (port: number) => Promise<Socket>;
}

/** Options of servePortForward. */
export interface PortForwardOptions {
  /** How long the second stream of a pair may take after the first (the kubelet's 30 s). */
  streamCreationTimeoutMs: number;
  onError: (error: unknown) => void;
}

/**
 * Answers the upgrade request on `socket` (101 and the SPDY session, or an HTTP error) and serves the session until
 * either side closes it.
 */
export function servePortForward(req: IncomingMessage, socket: Duplex, target: PortForwardTarget, options: PortForwardOptions): void {
  if (acceptSpdyUpgrade(req, socket, [portForwardProtocol]) === undefined) return;
  const pairs = new Map<string, StreamPair>();
  const session = new SpdySession(socket, {
    check: streamHeaderProblem,
    onStream: (stream) => {
      const id = requestId(stream);
      let pair = pairs.get(id);
      if (!pair) {
        const created: StreamPair = { timer: setTimeout(() => {
          pairs.delete(id);
          created.error?.end(`timed out waiting for streams of request ${id}`);
          created.data?.destroy();
        }, options.streamCreationTimeoutMs) };
        pairs.set(id, (pair = created));
      }
      const kind = stream.headers.streamtype === "error" ? "error" : "data";
      if (pair[kind]) {
        const message = `error processing stream for request ${id}: ${kind} stream already assigned`;
        if (kind === "error") stream.end(message); else { pair.error?.write(message); stream.destroy(); }
        return;
      }
      pair[kind] = stream;
      if (pair.error && pair.data) {
        clearTimeout(pair.timer);
        pairs.delete(id);
        forward(pair.error, pair.data, target, options.onError);
      }
    },
    onError: (err) => options.onError(err),
  });
  session.onClosed(() => { for (const p of pairs.values()) clearTimeout(p.timer); pairs.clear(); });
}

interface StreamPair { error?: SpdyStream; data?: SpdyStream; timer: NodeJS.Timeout }

/** Why a stream's headers are unacceptable (the kubelet's checks), or undefined. */
export function streamHeaderProblem(headers: SpdyHeaders): string | undefined {
  const port = headers.port ?? "";
  if (port === "") return `"port" header is required`;
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `unable to parse "${port}" as a port`;
  if (Number(port) < 1) return `port "${port}" must be > 0`;
  const type = headers.streamtype ?? "";
  if (type === "") return `"streamType" header is required`;
  if (type !== "error" && type !== "data") return `invalid stream type "${type}"`;
  return undefined;
}

/** The request a stream belongs to: its `requestID` header, or for clients without one the kubelet's guess. */
function requestId(stream: SpdyStream): string {
  const id = stream.headers.requestid;
  if (id !== undefined && id !== "") return id;
  return String(stream.headers.streamtype === "error" ? stream.id : stream.id - 2);
}

function forward(errorStream: SpdyStream, data: SpdyStream, target: PortForwardTarget, onError: (error: unknown) => void): void {
  const port = Number(data.headers.port);
  errorStream.resume();
  const fail = (err: unknown): void => {
    const why = err instanceof Error ? err.message : String(err);
    if (!errorStream.destroyed && !errorStream.writableEnded) errorStream.end(`error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${why}`);
  };
  target.dial(port).then((conn) => {
    if (data.destroyed) { conn.destroy(); errorStream.end(); return; }
    data.pipe(conn);
    conn.pipe(data);
    conn.on("error", (err) => { fail(err); data.destroy(); });
    data.once("close", () => conn.destroy());
    conn.once("close", () => { if (!errorStream.writableEnded) errorStream.end(); });
  }, (err: unknown) => {
    fail(err);
    data.end();
  }).catch(onError);
}
