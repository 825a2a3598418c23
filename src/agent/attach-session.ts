/**
 * One `kubectl attach` on the agent: the running container's output from now on, stdout and stderr on their streams
 * (WebSocket channels or SPDY streams, see session-transport.ts), until the container instance exits (then the
 * Success Status and a normal close) or the client goes away. Containers of the process runtime have no stdin and no
 * terminal, so an attach carries output only. The output is shared with the container's log, so a client too slow
 * to take it is disconnected rather than allowed to hold the container back.
 */
import { internalErrorStatus, successStatus } from "../api/remote-command.js";
import type { ContainerLaunch } from "./runtime.js";
import type { SessionTransport } from "./session-transport.js";

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
  await t.closed;
  unsubscribe();
}
