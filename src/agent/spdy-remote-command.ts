/**
 * Exec and attach over SPDY/3.1, as the kubelet serves them to clients that do not use WebSockets (kubectl with
 * `KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`, or its fallback when a WebSocket upgrade is refused on the way). The
 * client negotiates `v4.channel.k8s.io` (or v3, v2) with `X-Stream-Protocol-Version` — like the kubelet, not v5,
 * which kubectl offers first but which only WebSockets need — then opens one SPDY stream per
 * purpose, named by its `streamType` header: `error` always; `stdin`, `stdout`, `stderr` as the request asked for
 * (no stderr with a tty); `resize` with a tty from v3 on. Once all of them are there the session runs over them:
 * stdin's FIN is the end of input, the resize stream carries `{"Width":w,"Height":h}` JSON objects one after the
 * other, and at the end stdout and stderr are finished, the error stream carries the final Status — v4 as
 * metav1.Status JSON (v4), v2/v3 as the failure's message only (nothing on success) — and GOAWAY closes the connection.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { decodeResize, type RemoteCommandStatus } from "../api/remote-command.js";
import type { ExecStreams } from "./exec-session.js";
import type { SessionTransport } from "./session-transport.js";
import { acceptSpdyUpgrade } from "./spdy-upgrade.js";
import { SpdySession, type SpdyStream } from "./spdy/session.js";

/** The remote-command protocol versions served over SPDY, best first. */
export const spdyRemoteCommandProtocols = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io"] as const;

const streamTypes = ["error", "stdin", "stdout", "stderr", "resize"] as const;
type StreamType = (typeof streamTypes)[number];
type SessionStreams = Partial<Record<StreamType, SpdyStream>>;

/** Options of serveSpdyRemoteCommand. */
export interface SpdyRemoteCommandOptions {
  /** What the request asked for (stderr is not expected with a tty). */
  streams: ExecStreams;
  /** How long the client may take to open its streams (the kubelet's 30 s). */
  streamCreationTimeoutMs: number;
  onError: (error: unknown) => void;
}

/**
 * Answers the upgrade on `socket` (101 with the negotiated version, or the refusal), waits for the client's streams
 * and then runs `session` over them; a client that does not open them in time is disconnected.
 */
export function serveSpdyRemoteCommand(req: IncomingMessage, socket: Duplex, o: SpdyRemoteCommandOptions, session: (transport: SessionTransport) => Promise<void>): void {
  const protocol = acceptSpdyUpgrade(req, socket, spdyRemoteCommandProtocols);
  if (protocol === undefined) return;
  const resizable = protocol !== "v2.channel.k8s.io";
  const { stdin, stdout, tty } = o.streams;
  const stderr = o.streams.stderr && !tty;
  const expected = 1 + Number(stdin) + Number(stdout) + Number(stderr) + Number(tty && resizable);
  const found: SessionStreams = {};
  let received = 0;
  const spdy = new SpdySession(socket, {
    check: () => undefined,
    onStream: (stream) => {
      stream.on("error", () => undefined);
      const type = streamTypes.find((t) => t === stream.headers.streamtype);
      // Streams of no known type, and any opened after the session started, are read and ignored (as upstream).
      if (type === undefined || (type === "resize" && !resizable) || received === expected) { stream.resume(); return; }
      found[type] = stream;
      if (++received < expected) return;
      clearTimeout(timer);
      session(spdyTransport(spdy, found, protocol)).catch(o.onError);
    },
    onError: (err) => o.onError(err),
  });
  const timer = setTimeout(() => {
    o.onError(new Error(`timed out waiting for client to create streams (${received} of ${expected})`));
    spdy.close();
  }, o.streamCreationTimeoutMs);
  spdy.onClosed(() => clearTimeout(timer));
}

/** Splits a byte stream of concatenated JSON objects into terminal sizes (others are skipped). */
export class ResizeDecoder {
  private readonly utf8 = new StringDecoder("utf8");
  private pending = "";

  /** The sizes of the objects completed by `chunk`. */
  push(chunk: Buffer): { width: number; height: number }[] {
    this.pending += this.utf8.write(chunk);
    const sizes: { width: number; height: number }[] = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let start = 0;
    for (let i = 0; i < this.pending.length; i++) {
      const c = this.pending[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = depth > 0;
      else if (c === "{") { if (depth++ === 0) start = i; }
      else if (c === "}" && depth > 0 && --depth === 0) {
        const size = decodeResize(Buffer.from(this.pending.slice(start, i + 1)));
        if (size) sizes.push(size);
      }
    }
    this.pending = depth > 0 ? this.pending.slice(start) : "";
    // An object that never ends is not a terminal size: drop it rather than grow without bound.
    if (this.pending.length > 4096) this.pending = "";
    return sizes;
  }
}

/** Finishes `stream` (after `last`, when given); resolves once its FIN was sent or the stream is gone. */
function endStream(stream: SpdyStream, last?: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableFinished) { resolve(); return; }
    stream.once("finish", () => resolve());
    stream.once("close", () => resolve());
    if (stream.writableEnded) return;
    if (last) stream.end(last); else stream.end();
  });
}

/** The body of the error stream for `status` in `protocol`. */
export function errorStreamBody(protocol: string, status: RemoteCommandStatus): string {
  if (protocol === "v4.channel.k8s.io") return JSON.stringify(status);
  return status.status === "Success" ? "" : status.message ?? "";
}

/** A SessionTransport over the streams of one SPDY session. */
function spdyTransport(spdy: SpdySession, s: SessionStreams, protocol: string): SessionTransport {
  let ended = false;
  let finished = false;
  const closed = new Promise<void>((resolve) => spdy.onClosed(() => { ended = true; resolve(); }));
  s.error?.resume();
  return {
    closed,
    isOpen: () => !ended && !finished,
    onInput: (listener) => {
      s.stdin?.on("data", (data: Buffer) => listener({ kind: "stdin", data }));
      s.stdin?.once("end", () => listener({ kind: "stdinEnd" }));
      const decoder = new ResizeDecoder();
      s.resize?.on("data", (chunk: Buffer) => { for (const size of decoder.push(chunk)) listener({ kind: "resize", ...size }); });
    },
    pauseInput: () => { s.stdin?.pause(); },
    resumeInput: () => { s.stdin?.resume(); },
    send: (stream, data, sent) => {
      const out = s[stream];
      if (ended || finished || !out || out.destroyed || out.writableEnded) return;
      out.write(data, () => sent?.());
    },
    bufferedBytes: () => (s.stdout?.writableLength ?? 0) + (s.stderr?.writableLength ?? 0),
    finish: (status) => {
      if (ended || finished) return;
      finished = true;
      const outputs = [s.stdout, s.stderr].filter((x) => x !== undefined);
      void Promise.all(outputs.map((x) => endStream(x)))
        .then(() => (s.error ? endStream(s.error, errorStreamBody(protocol, status)) : undefined))
        .then(() => {
          spdy.goAway();
          // A client that keeps the connection open after GOAWAY is disconnected.
          const timer = setTimeout(() => spdy.close(), 10_000);
          timer.unref();
          spdy.onClosed(() => clearTimeout(timer));
        });
    },
  };
}
