/**
 * The remote command protocol of `pods/exec` and `pods/attach` over WebSockets (upstream's channel.k8s.io family):
 * every binary message starts with one channel byte — 0 stdin, 1 stdout, 2 stderr, 3 the final Status (JSON),
 * 4 terminal resize (`{"Width":80,"Height":24}`). Version 5 adds `[255, channel]`, which half-closes a channel (stdin
 * reaching its end). The Status written on channel 3 is what kubectl turns into its exit code.
 */

/** The channel numbers. */
export const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;

/** The first byte of a v5 message half-closing the channel in its second byte. */
export const closeSignal = 255;

/** The WebSocket subprotocols spoken, best first: v5 (with half-close) and v4 (the same framing without it). */
export const remoteCommandProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"] as const;

/** One decoded message: data on a channel, or (v5) the half-close of a channel. */
export type RemoteCommandMessage =
  | { kind: "data"; channel: number; data: Buffer }
  | { kind: "close"; channel: number };

/** A message carrying `data` on `ch`. */
export function encodeFrame(ch: number, data: Uint8Array | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = ch;
  out.set(body, 1);
  return out;
}

/** The v5 message half-closing `ch`. */
export function encodeClose(ch: number): Buffer {
  return Buffer.from([closeSignal, ch]);
}

/** Decodes a message; undefined for an empty one (no channel byte), which carries nothing. */
export function decodeFrame(message: Buffer): RemoteCommandMessage | undefined {
  const ch = message[0];
  if (ch === undefined) return undefined;
  if (ch === closeSignal) {
    const closed = message[1];
    return closed === undefined ? undefined : { kind: "close", channel: closed };
  }
  return { kind: "data", channel: ch, data: message.subarray(1) };
}

/** A terminal size from a resize message; undefined when it is not `{"Width":w,"Height":h}` with sizes 0..65535. */
export function decodeResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString("utf8")) as { Width?: unknown; Height?: unknown };
    const ok = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 65535;
    return ok(v.Width) && ok(v.Height) ? { width: v.Width, height: v.Height } : undefined;
  } catch {
    return undefined;
  }
}

/** The metav1.Status a remote command ends with (serialized bare, as the kubelet writes it). */
export interface RemoteCommandStatus {
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

/** The command exited 0. */
export function successStatus(): RemoteCommandStatus {
  return { metadata: {}, status: "Success" };
}

/**
 * The command exited with `exitCode` (not 0): reason NonZeroExitCode with an ExitCode cause, from which kubectl prints
 * `command terminated with exit code N` and exits N.
 */
export function exitCodeStatus(exitCode: number, command: readonly string[]): RemoteCommandStatus {
  return {
    metadata: {}, status: "Failure",
    message: `command terminated with non-zero exit code: command '${command.join(" ")}' exited with ${exitCode}`,
    reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
  };
}

/** The command could not be run (or the stream broke): a 500 InternalError kubectl prints as `error: <message>`. */
export function internalErrorStatus(message: string): RemoteCommandStatus {
  return { metadata: {}, status: "Failure", message: `Internal error occurred: ${message}`, reason: "InternalError", details: { causes: [{ message }] }, code: 500 };
}

/** The exit code kubectl reports for a Status (0 success, N for NonZeroExitCode, 1 for any other failure). */
export function statusExitCode(status: RemoteCommandStatus): number {
  if (status.status === "Success") return 0;
  const cause = status.reason === "NonZeroExitCode" ? status.details?.causes.find((c) => c.reason === "ExitCode") : undefined;
  return cause ? Number(cause.message) : 1;
}

/** The refusal of `attach -i` to a container started without `stdin: true` (nothing would read the input). */
export function attachWithoutStdinMessage(container: string): string {
  return `container ${container} has no stdin to attach to: its spec does not set stdin: true (attach without -i to see its output)`;
}
