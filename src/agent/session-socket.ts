/** What exec and attach sessions share about their client's WebSocket: when it closes, and how a session ends. */
import type { WebSocket } from "ws";
import { channel, encodeFrame, type RemoteCommandStatus } from "../api/remote-command.js";

/**
 * `closed` resolves once the socket is closed; `finish` sends the session's final status on the error channel and
 * closes the socket normally (nothing when the socket is no longer open).
 */
export function sessionSocket(ws: WebSocket): { closed: Promise<void>; finish: (status: RemoteCommandStatus) => void } {
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  const finish = (status: RemoteCommandStatus): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(encodeFrame(channel.error, JSON.stringify(status)));
    ws.close(1000);
  };
  return { closed, finish };
}
