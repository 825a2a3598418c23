/**
 * One `kubectl exec` on the agent, as the kubelet's streaming server runs it: the command's stdin, stdout and stderr
 * travel over a WebSocket in v5 channel framing (see api/remote-command.ts), and the session ends with the Status on
 * channel 3 — Success, NonZeroExitCode with the exit code, or InternalError when the command could not be started —
 * followed by a normal close. The command runs in a process group of its own: when its main process exits, whatever
 * it left behind in that group is killed once output has drained (at most `drainMs`), and a client that goes away
 * ends the whole group at once, so an exec never leaves processes on the machine.
 *
 * With `tty`, the runtime runs the command on a terminal: everything it shows arrives on stdout, and resize
 * messages size that terminal.
 */
import { constants } from "node:os";
import type { Readable } from "node:stream";
import type { WebSocket } from "ws";
import { sessionSocket } from "./session-socket.js";
import {
  channel, decodeFrame, decodeResize, encodeFrame, exitCodeStatus, internalErrorStatus, successStatus,
} from "../api/remote-command.js";
import { ExecStartError, type ExecProcess } from "./runtime.js";

/** What the client asked for. */
export interface ExecStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Options of runExecSession. */
export interface ExecSessionOptions {
  socket: WebSocket;
  argv: readonly string[];
  streams: ExecStreams;
  /**
   * Starts the command (stdin piped when asked for; with a tty, on a terminal of `size` when the client sent one);
   * throws ExecStartError when it cannot be started.
   */
  start: (size?: { width: number; height: number }) => ExecProcess;
  /** How long output is still relayed after the main process exited (default 1 s). */
  drainMs?: number;
  /** Unexpected faults (never the command's own failure). */
  onError: (error: unknown) => void;
}

/** How long a tty exec waits for the client's terminal size before starting the command. */
const initialSizeWaitMs = 300;

/** Outgoing bytes above which the command's output is paused until the client has read some. */
const highWater = 1024 * 1024;

/** Runs one exec session to its end; resolves once the socket is closed and the process group is gone. */
export async function runExecSession(o: ExecSessionOptions): Promise<void> {
  const ws = o.socket;
  const { closed, finish } = sessionSocket(ws);
  ws.on("error", () => ws.terminate());
  // A terminal starts at the client's size: kubectl sends it first thing, so wait a moment for it.
  const early: { data: Buffer; isBinary: boolean }[] = [];
  const hold = (data: Buffer, isBinary: boolean): void => { early.push({ data, isBinary }); };
  ws.on("message", hold);
  let size: { width: number; height: number } | undefined;
  if (o.streams.tty) {
    const deadline = Date.now() + initialSizeWaitMs;
    while (!size && Date.now() < deadline && ws.readyState === ws.OPEN) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      for (const m of early.map((e) => (e.isBinary ? decodeFrame(e.data) : undefined))) {
        if (m?.kind === "data" && m.channel === channel.resize) size = decodeResize(m.data) ?? size;
      }
    }
  }
  ws.off("message", hold);
  if (ws.readyState !== ws.OPEN) { await closed; return; }
  let exec: ExecProcess;
  try {
    exec = o.start(size);
  } catch (err) {
    if (!(err instanceof ExecStartError)) o.onError(err);
    finish(internalErrorStatus(`error executing command in container: ${err instanceof Error ? err.message : String(err)}`));
    await closed;
    return;
  }
  const child = exec.child;
  const killGroup = (): void => exec.kill();
  ws.once("close", killGroup);

  // Client to command: stdin data, its half-close, terminal sizes.
  const stdin = child.stdin;
  stdin?.on("error", () => undefined);
  const receive = (data: Buffer, isBinary: boolean): void => {
    const m = isBinary ? decodeFrame(data) : undefined;
    if (m?.kind === "data" && m.channel === channel.resize) {
      const size = decodeResize(m.data);
      if (size) exec.resize(size.width, size.height);
      return;
    }
    if (!m || !stdin) return;
    if (m.kind === "close" && m.channel === channel.stdin) stdin.end();
    else if (m.kind === "data" && m.channel === channel.stdin && !stdin.writableEnded) {
      if (!stdin.write(m.data)) {
        ws.pause();
        stdin.once("drain", () => ws.resume());
      }
    }
  };
  for (const e of early) receive(e.data, e.isBinary);
  ws.on("message", receive);

  // Command to client: stdout, and stderr on its channel (with a terminal, only the terminal's own errors).
  const relay = (stream: Readable | null, ch: number | undefined): Promise<void> => new Promise((resolve) => {
    if (!stream) { resolve(); return; }
    stream.on("data", (chunk: Buffer) => {
      if (ch === undefined || ws.readyState !== ws.OPEN) return;
      ws.send(encodeFrame(ch, chunk), () => { if (stream.isPaused() && ws.bufferedAmount < highWater / 4) stream.resume(); });
      if (ws.bufferedAmount > highWater) stream.pause();
    });
    stream.once("end", () => resolve());
    stream.once("close", () => resolve());
    stream.once("error", () => resolve());
  });
  const s = o.streams;
  const output = Promise.all([
    relay(child.stdout, s.stdout ? channel.stdout : undefined),
    relay(child.stderr, s.stderr ? channel.stderr : s.tty && s.stdout ? channel.stdout : undefined),
  ]);

  const exit = await new Promise<{ code: number } | { error: string }>((resolve) => {
    child.once("error", (err) => resolve({ error: err.message }));
    child.once("exit", (code, signal) => resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 9) }));
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([output, new Promise<void>((resolve) => { timer = setTimeout(resolve, o.drainMs ?? 1000); })]);
  clearTimeout(timer);
  killGroup();
  if ("error" in exit) finish(internalErrorStatus(`error executing command in container: ${exit.error}`));
  else finish(exit.code === 0 ? successStatus() : exitCodeStatus(exit.code, o.argv));
  child.stdout?.destroy();
  child.stderr?.destroy();
  await closed;
}
