/**
 * One `kubectl exec` on the agent, as the kubelet's streaming server runs it: the command's stdin, stdout and stderr
 * travel over the client's connection (a WebSocket in v5/v4 channel framing, or SPDY/3.1 streams: see
 * session-transport.ts), and the session ends with the Status on the error stream — Success, NonZeroExitCode with the
 * exit code, or InternalError when the command could not be started — followed by a normal close. The command runs in
 * a process group of its own: when its main process exits, whatever it left behind in that group is killed once
 * output has drained (at most `drainMs`), and a client that goes away ends the whole group at once, so an exec never
 * leaves processes on the machine.
 *
 * With `tty`, the runtime runs the command on a terminal: everything it shows arrives on stdout, and resize
 * messages size that terminal.
 */
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { exitCodeStatus, internalErrorStatus, successStatus } from "../api/remote-command.js";
import { ExecStartError, type ExecProcess } from "./runtime.js";
import type { ClientInput, OutputStream, SessionTransport } from "./session-transport.js";

/** What the client asked for. */
export interface ExecStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Options of runExecSession. */
export interface ExecSessionOptions {
  transport: SessionTransport;
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

/** Runs one exec session to its end; resolves once the connection is closed and the process group is gone. */
export async function runExecSession(o: ExecSessionOptions): Promise<void> {
  const t = o.transport;
  // Input is held until the command runs. A terminal starts at the client's size: kubectl sends it first thing.
  const early: ClientInput[] = [];
  let deliver = (input: ClientInput): void => { early.push(input); };
  t.onInput((input) => deliver(input));
  let size: { width: number; height: number } | undefined;
  if (o.streams.tty) {
    const deadline = Date.now() + initialSizeWaitMs;
    while (!size && Date.now() < deadline && t.isOpen()) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      for (const input of early) if (input.kind === "resize") size = { width: input.width, height: input.height };
    }
  }
  if (!t.isOpen()) { await t.closed; return; }
  let exec: ExecProcess;
  try {
    exec = o.start(size);
  } catch (err) {
    if (!(err instanceof ExecStartError)) o.onError(err);
    t.finish(internalErrorStatus(`error executing command in container: ${err instanceof Error ? err.message : String(err)}`));
    await t.closed;
    return;
  }
  const child = exec.child;
  const killGroup = (): void => exec.kill();
  void t.closed.then(killGroup);

  // Client to command: stdin data, its end, terminal sizes.
  const stdin = child.stdin;
  stdin?.on("error", () => undefined);
  const receive = (input: ClientInput): void => {
    if (input.kind === "resize") { exec.resize(input.width, input.height); return; }
    if (!stdin) return;
    if (input.kind === "stdinEnd") stdin.end();
    else if (!stdin.writableEnded && !stdin.write(input.data)) {
      t.pauseInput();
      stdin.once("drain", () => t.resumeInput());
    }
  };
  for (const input of early.splice(0)) receive(input);
  deliver = receive;

  // Command to client: stdout, and stderr on its stream (with a terminal, only the terminal's own errors).
  const relay = (stream: Readable | null, target: OutputStream | undefined): Promise<void> => new Promise((resolve) => {
    if (!stream) { resolve(); return; }
    stream.on("data", (chunk: Buffer) => {
      if (target === undefined || !t.isOpen()) return;
      t.send(target, chunk, () => { if (stream.isPaused() && t.bufferedBytes() < highWater / 4) stream.resume(); });
      if (t.bufferedBytes() > highWater) stream.pause();
    });
    stream.once("end", () => resolve());
    stream.once("close", () => resolve());
    stream.once("error", () => resolve());
  });
  const s = o.streams;
  const output = Promise.all([
    relay(child.stdout, s.stdout ? "stdout" : undefined),
    relay(child.stderr, s.stderr ? "stderr" : s.tty && s.stdout ? "stdout" : undefined),
  ]);

  const exit = await new Promise<{ code: number } | { error: string }>((resolve) => {
    child.once("error", (err) => resolve({ error: err.message }));
    child.once("exit", (code, signal) => resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 9) }));
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([output, new Promise<void>((resolve) => { timer = setTimeout(resolve, o.drainMs ?? 1000); })]);
  clearTimeout(timer);
  killGroup();
  if ("error" in exit) t.finish(internalErrorStatus(`error executing command in container: ${exit.error}`));
  else t.finish(exit.code === 0 ? successStatus() : exitCodeStatus(exit.code, o.argv));
  child.stdout?.destroy();
  child.stderr?.destroy();
  await t.closed;
}
