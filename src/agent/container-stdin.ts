/**
 * The standard input and terminal of a `process` container started with `stdin` or `tty`. Its stdin is the FIFO
 * `in` in the instance's directory; the shim (process-shim.ts) holds a writer of it, so the container sees no end of
 * input while no client is attached and across agent restarts. An attach opens a writer of its own; closing stdin
 * for good (`stdinOnce`, after the first attach that had stdin) is marked by the file `stdin-closed` and SIGUSR1 to
 * the shim, which then lets go of its writer: the container reads the end of its input once no attach writes any
 * more. A `tty` container runs under util-linux `script` (the shim's child), whose terminal is sized with `stty`.
 */
import { constants as fsc, existsSync, openSync, readlinkSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { ExecTerminal, firstChild } from "./exec-terminal.js";

/** Name of the stdin FIFO in an instance's directory. */
export const stdinFifo = "in";
const closedMarker = "stdin-closed";

/**
 * A writer of the stdin of the instance in `dir`; undefined when the instance has no stdin, its stdin was closed for
 * good, or nothing reads it any more (the instance is over).
 */
export function openStdin(dir: string): Writable | undefined {
  if (existsSync(join(dir, closedMarker))) return undefined;
  let fd: number;
  try {
    // Non-blocking: fails with ENXIO instead of waiting when no process has the FIFO open for reading.
    fd = openSync(join(dir, stdinFifo), fsc.O_WRONLY | fsc.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const socket = new Socket({ fd, readable: false, writable: true });
  // A container that ended while input was still being written: the client's input has nowhere to go.
  socket.on("error", () => socket.destroy());
  return socket;
}

/**
 * Resolves once shim `shimPid` holds the stdin FIFO of the instance in `dir` (its descriptor 6), so attached clients
 * find a reader and the shim takes SIGUSR1; also when `ended` settles or after `timeoutMs` (checked every 10 ms).
 */
export async function stdinHeld(shimPid: number, dir: string, ended: Promise<unknown>, timeoutMs = 10_000): Promise<void> {
  let over = false;
  const done = (): void => { over = true; };
  ended.then(done, done);
  const fifo = join(dir, stdinFifo);
  const deadline = Date.now() + timeoutMs;
  while (!over && Date.now() < deadline) {
    try {
      if (readlinkSync(`/proc/${shimPid}/fd/6`) === fifo) return;
    } catch {
      // Not open yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Closes the stdin of the instance in `dir` (shim process `shimPid`) for good. */
export function closeStdin(dir: string, shimPid: number): void {
  try {
    writeFileSync(join(dir, closedMarker), "");
  } catch {
    // The instance's directory is gone: so is the instance.
  }
  try {
    process.kill(shimPid, "SIGUSR1");
  } catch {
    // The shim is gone.
  }
}

/** The terminal of a `tty` instance whose shim is process `shimPid`: sized as clients ask. */
export class ContainerTerminal {
  private terminal: ExecTerminal | undefined;

  /** Follows the terminal of the instance under shim `shimPid`. */
  constructor(private readonly shimPid: number) {}

  /** Sets the terminal's size (a no-op when the instance runs no terminal); `onError` receives a size not set. */
  resize(width: number, height: number, onError: (error: unknown) => void): void {
    if (!this.terminal) {
      const script = firstChild(this.shimPid);
      if (script === undefined) return;
      this.terminal = new ExecTerminal(script, { width: 0, height: 0 }, onError);
    }
    this.terminal.resize(width, height);
  }
}
