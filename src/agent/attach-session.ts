/**
 * One `kubectl attach` on the agent: the running container's output from now on, stdout and stderr on their v5
 * channels, until the container instance exits (then Success on channel 3 and a normal close) or the client goes
 * away. The output is shared with the container's log, so a client too slow to take it is disconnected rather than
 * allowed to hold the container back.
 *
 * With `stdin` (attach -i to a container with `stdin: true`) the client's input is written to the container's, and
 * the end of it (v5's close of channel 0, or the client leaving) ends it as the kubelet's runtimes do: with
 * `stdinOnce` the container's stdin is closed for good and the session goes on until the container exits; without,
 * the container's stdin stays open for later clients and the session ends once output has drained (`drainMs`).
 * Resize messages size the terminal of a `tty` container.
 */
import type { Writable } from "node:stream";
import type { WebSocket } from "ws";
import { sessionSocket } from "./session-socket.js";
import { channel, decodeFrame, decodeResize, encodeFrame, internalErrorStatus, successStatus } from "../api/remote-command.js";
import type { ContainerLaunch } from "./runtime.js";

/** The container's input as one attached client gets it. */
export interface AttachInput {
  /** This client's writer of the container's stdin. */
  writer: Writable;
  /** Whether the end of this client's input closes the container's stdin for good (`stdinOnce`). */
  once: boolean;
  /** Closes the container's stdin for good. */
  close: () => void;
}

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
  /** The container's input (attach -i), undefined when the client sends none. */
  stdin?: AttachInput;
  /** Sizes the container's terminal (a `tty` container). */
  resize?: (width: number, height: number) => void;
  /** How long output still passes after the client's input ended, when that ends the session (default 1 s). */
  drainMs?: number;
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
  const input = o.stdin;
  let ended = false;
  const endInput = (): void => {
    if (!input || ended) return;
    ended = true;
    input.writer.end();
    if (input.once) input.close();
    else setTimeout(() => finish(successStatus()), o.drainMs ?? 1000).unref();
  };
  input?.writer.on("error", () => undefined);
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const m = isBinary ? decodeFrame(data) : undefined;
    if (m?.kind === "data" && m.channel === channel.resize) {
      const size = decodeResize(m.data);
      if (size) o.resize?.(size.width, size.height);
    } else if (m?.kind === "close" && m.channel === channel.stdin) {
      endInput();
    } else if (m?.kind === "data" && m.channel === channel.stdin && input && !ended && !input.writer.write(m.data)) {
      ws.pause();
      input.writer.once("drain", () => ws.resume());
    }
  });
  ws.once("close", endInput);
  await closed;
  unsubscribe();
}
