/**
 * One `kubectl attach` on the agent: the running container's output from now on, stdout and stderr on their v5
 * channels, until the container instance exits (then Success on channel 3 and a normal close) or the client goes
 * away. Containers of the process runtime have no stdin and no terminal, so an attach carries output only. The
 * output is shared with the container's log, so a client too slow to take it is disconnected rather than allowed to
 * hold the container back.
 */
import type { WebSocket } from "ws";
import { sessionSocket } from "./session-socket.js";
import { channel, encodeFrame, internalErrorStatus, successStatus } from "../api/remote-command.js";
import type { ContainerLaunch } from "./runtime.js";

/** Options of runAttachSession. */
export interface AttachSessionOptions {
  socket: WebSocket;
  stdout: boolean;
  stderr: boolean;
  /** Starts passing the container's output to `listener`; returns the function that stops it. */
  subscribe: (listener: ContainerLaunch["onOutput"]) => () => void;
  /** Resolves when the container instance has exited. */
  exited: Promise<unknown>;
  /** Bytes waiting for the client past which it is disconnected (default 8 MiB). */
  maxBufferedBytes?: number;
}

/** Runs one attach session to its end; resolves once the socket is closed. */
export async function runAttachSession(o: AttachSessionOptions): Promise<void> {
  const ws = o.socket;
  const { closed, finish } = sessionSocket(ws);
  const limit = o.maxBufferedBytes ?? 8 * 1024 * 1024;
  ws.on("error", () => ws.terminate());
  const unsubscribe = o.subscribe((stream, chunk) => {
    const ch = stream === "stdout" ? (o.stdout ? channel.stdout : undefined) : (o.stderr ? channel.stderr : undefined);
    if (ch === undefined || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limit) {
      finish(internalErrorStatus("the client did not keep up with the container's output"));
      return;
    }
    ws.send(encodeFrame(ch, chunk));
  });
  ws.once("close", unsubscribe);
  void o.exited.then(() => finish(successStatus()));
  await closed;
  unsubscribe();
}
