/**
 * What an exec or attach session needs from its client's connection, whichever protocol carries it: a WebSocket in
 * channel framing (session-socket.ts) or SPDY/3.1 streams (spdy-remote-command.ts). The session logic (starting the
 * command, relaying, back-pressure, the final Status) is written once against this interface.
 */
import type { RemoteCommandStatus } from "../api/remote-command.js";

/** Something the client sent: stdin data, the end of stdin, or its terminal's size. */
export type ClientInput =
  | { kind: "stdin"; data: Buffer }
  | { kind: "stdinEnd" }
  | { kind: "resize"; width: number; height: number };

/** The output streams a session writes. */
export type OutputStream = "stdout" | "stderr";

/** One client connection of a remote-command session. */
export interface SessionTransport {
  /** Resolves once the connection is closed, by either side. */
  readonly closed: Promise<void>;
  /** True while the connection can still carry output. */
  isOpen(): boolean;
  /** Calls `listener` with what the client sends from now on (input the client sent before is delivered too). */
  onInput(listener: (input: ClientInput) => void): void;
  /** Stops reading the client's input until `resumeInput` (back-pressure on the client). */
  pauseInput(): void;
  /** Reads the client's input again. */
  resumeInput(): void;
  /** Sends output on `stream`; `sent` is called once the connection took it. Nothing once the connection is closed. */
  send(stream: OutputStream, data: Buffer, sent?: () => void): void;
  /** Output bytes passed to `send` that the connection has not taken yet. */
  bufferedBytes(): number;
  /** Sends the session's final Status and closes the connection normally (nothing once it is closed). */
  finish(status: RemoteCommandStatus): void;
}
