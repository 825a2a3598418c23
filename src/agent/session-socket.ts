/** The WebSocket side of a remote-command session: v5/v4 channel framing (api/remote-command.ts) on a `ws` socket. */
import type { WebSocket } from "ws";
import { channel, decodeFrame, decodeResize, encodeFrame, type RemoteCommandStatus } from "../api/remote-command.js";
import type { ClientInput, SessionTransport } from "./session-transport.js";

/** The client input a channel message carries, if any (stdin data, stdin's v5 half-close, a valid resize). */
export function channelInput(message: Buffer): ClientInput | undefined {
  const m = decodeFrame(message);
  if (m?.kind === "close") return m.channel === channel.stdin ? { kind: "stdinEnd" } : undefined;
  if (m?.kind !== "data") return undefined;
  if (m.channel === channel.stdin) return { kind: "stdin", data: m.data };
  if (m.channel !== channel.resize) return undefined;
  const size = decodeResize(m.data);
  return size && { kind: "resize", ...size };
}

/**
 * A SessionTransport over `ws`: output goes out on channels 1 and 2, the final Status on channel 3 followed by a
 * normal close; a socket error drops the connection.
 */
export function webSocketTransport(ws: WebSocket): SessionTransport {
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  ws.on("error", () => ws.terminate());
  const open = (): boolean => ws.readyState === ws.OPEN;
  // Input is held from the start until the session listens, so nothing the client sends early is lost.
  const early: ClientInput[] = [];
  let deliver = (input: ClientInput): void => { early.push(input); };
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const input = isBinary ? channelInput(data) : undefined;
    if (input) deliver(input);
  });
  return {
    closed,
    isOpen: open,
    onInput: (listener) => {
      deliver = listener;
      for (const input of early.splice(0)) listener(input);
    },
    pauseInput: () => ws.pause(),
    resumeInput: () => ws.resume(),
    send: (stream, data, sent) => {
      if (open()) ws.send(encodeFrame(stream === "stdout" ? channel.stdout : channel.stderr, data), sent && (() => sent()));
    },
    bufferedBytes: () => ws.bufferedAmount,
    finish: (status: RemoteCommandStatus) => {
      if (!open()) return;
      ws.send(encodeFrame(channel.error, JSON.stringify(status)));
      ws.close(1000);
    },
  };
}
