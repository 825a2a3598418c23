/**
 * One `kubectl attach` on the agent: the running container's output from now on, stdout and stderr on their streams
 * (WebSocket channels or SPDY streams, see session-transport.ts), until the container instance exits (then the
 * Success Status and a normal close) or the client goes away. The output is shared with the container's log, so a
 * client too slow to take it is disconnected rather than allowed to hold the container back.
 *
 * With `stdin` (attach -i to a container with `stdin: true`) the client's input is written to the container's, and
 * the end of it (v5's close of channel 0 or the stdin stream's FIN over SPDY, or the client leaving) ends it as the
 * kubelet's runtimes do: with `stdinOnce` the container's stdin is closed for good and the session goes on until the
 * container exits; without, the container's stdin stays open for later clients and the session ends once output has
 * drained (`drainMs`). Resize messages size the terminal of a `tty` container.
 */
import type { Writable } from "node:stream";
import { internalErrorStatus, successStatus } from "../api/remote-command.js";
import type { ContainerLaunch } from "./runtime.js";
import type { SessionTransport } from "./session-transport.js";

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
  transport: SessionTransport;
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

/** Runs one attach session to its end; resolves once the connection is closed. */
export async function runAttachSession(o: AttachSessionOptions): Promise<void> {
  const t = o.transport;
  const limit = o.maxBufferedBytes ?? 8 * 1024 * 1024;
  const unsubscribe = o.subscribe((stream, chunk) => {
    const wanted = stream === "stdout" ? o.stdout : o.stderr;
    if (!wanted || !t.isOpen()) return;
    if (t.bufferedBytes() > limit) {
      t.finish(internalErrorStatus("the client did not keep up with the container's output"));
      return;
    }
    t.send(stream, chunk);
  });
  void t.closed.then(unsubscribe);
  void o.exited.then(() => t.finish(successStatus()));
  const input = o.stdin;
  let ended = false;
  const endInput = (): void => {
    if (!input || ended) return;
    ended = true;
    input.writer.end();
    if (input.once) input.close();
    else setTimeout(() => t.finish(successStatus()), o.drainMs ?? 1000).unref();
  };
  input?.writer.on("error", () => undefined);
  t.onInput((m) => {
    if (m.kind === "resize") o.resize?.(m.width, m.height);
    else if (m.kind === "stdinEnd") endInput();
    else if (input && !ended && !input.writer.write(m.data)) {
      t.pauseInput();
      input.writer.once("drain", () => t.resumeInput());
    }
  });
  void t.closed.then(endInput);
  await t.closed;
  unsubscribe();
}
