/**
 * One `kubectl exec` on the agent, as the kubelet's streaming server runs it: the command's stdin, stdout and stderr
 * travel over a WebSocket in v5 channel framing (see api/remote-command.ts), and the session ends with the Status on
 * channel 3 — Success, NonZeroExitCode with the exit code, or InternalError when the command could not be started —
 * followed by a normal close. The command runs in a process group of its own: when its main process exits, whatever
 * it left behind in that group is killed once output has drained (at most `drainMs`), and a client that goes away
 * ends the whole group at once, so an exec never leaves processes on the machine.
 *
 * With `tty`, there is no terminal here: the command runs with pipes (it sees no TTY, nothing is echoed), its stderr
 * is sent on the stdout channel as a terminal would show it, and resize messages are accepted and ignored.
 */
import type { ChildProcess } from "node:child_process";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import type { WebSocket } from "ws";
import {
  channel, decodeFrame, encodeFrame, exitCodeStatus, internalErrorStatus, successStatus, type RemoteCommandStatus,
} from "../api/remote-command.js";
import { ExecStartError } from "./runtime.js";

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
  /** Starts the command (stdin piped when asked for); throws ExecStartError when it cannot be started. */
  start: () => ChildProcess;
  /** How long output is still relayed after the main process exited (default 1 s). */
  drainMs?: number;
  /** Unexpected faults (never the command's own failure). */
  onError: (error: unknown) => void;
}

/** Outgoing bytes above which the command's output is paused until the client has read some. */
const highWater = 1024 * 1024;

/** Runs one exec session to its end; resolves once the socket is closed and the process group is gone. */
export async function runExecSession(o: ExecSessionOptions): Promise<void> {
  const ws = o.socket;
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  const finish = (status: RemoteCommandStatus): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(encodeFrame(channel.error, JSON.stringify(status)));
    ws.close(1000);
  };
  let child: ChildProcess;
  try {
    child = o.start();
  } catch (err) {
    if (!(err instanceof ExecStartError)) o.onError(err);
    finish(internalErrorStatus(`error executing command in container: ${err instanceof Error ? err.message : String(err)}`));
    await closed;
    return;
  }
  const group = child.pid;
  const killGroup = (): void => {
    if (group === undefined) return;
    try { process.kill(-group, "SIGKILL"); } catch { /* already gone */ }
  };
  ws.once("close", killGroup);
  ws.on("error", () => ws.terminate());

  // Client to command: stdin data, its half-close, resize (no terminal: ignored).
  const stdin = child.stdin;
  stdin?.on("error", () => undefined);
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const m = isBinary ? decodeFrame(data) : undefined;
    if (!m || !stdin) return;
    if (m.kind === "close" && m.channel === channel.stdin) stdin.end();
    else if (m.kind === "data" && m.channel === channel.stdin && !stdin.writableEnded) {
      if (!stdin.write(m.data)) {
        ws.pause();
        stdin.once("drain", () => ws.resume());
      }
    }
  });

  // Command to client: stdout, and stderr on its channel (on stdout's with a tty, as a terminal merges them).
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
