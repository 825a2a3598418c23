/**
 * The API server's side of a streamed command: a WebSocket to the agent's `/exec` endpoint over a pinned TLS
 * connection (agent-request.ts), and the relay that passes v5 channel messages between the client's WebSocket and
 * the agent's unchanged.
 */
import type { IncomingMessage } from "node:http";
import { WebSocket, type RawData } from "ws";
import { channel, encodeFrame, internalErrorStatus, remoteCommandProtocols } from "../../api/remote-command.js";
import { agentOrigin, connectToAgent, type AgentClientCertificate, type AgentTarget } from "./agent-request.js";

/** Messages waiting to be sent above which the sending side stops reading until they drain. */
const highWater = 1024 * 1024;
/** The largest message either side may send (kubectl sends at most 32 KiB of data per message). */
export const maxMessageBytes = 1024 * 1024;

async function responseText(res: IncomingMessage): Promise<string> {
  let text = "";
  res.setEncoding("utf8");
  for await (const d of res) { if (text.length < 4096) text += String(d); }
  return text.trim();
}

/**
 * Opens `path` on the agent as a v5.channel.k8s.io WebSocket; resolves with the open socket, rejects with the
 * error kubectl is to print (`error dialing backend: …`, or `unable to upgrade connection: <the agent's answer>`).
 */
export async function openAgentStream(target: AgentTarget, path: string, client: AgentClientCertificate, signal: AbortSignal): Promise<WebSocket> {
  let socket;
  try {
    socket = await connectToAgent(target, client, signal);
  } catch (err) {
    throw new Error(`error dialing backend: ${err instanceof Error ? err.message : String(err)}`);
  }
  const tls = socket;
  const ws = new WebSocket(`wss://${agentOrigin(target).slice("https://".length)}${path}`, [remoteCommandProtocols[0]], {
    createConnection: () => tls, perMessageDeflate: false, maxPayload: maxMessageBytes, handshakeTimeout: 30_000,
  });
  const aborted = (): void => ws.terminate();
  signal.addEventListener("abort", aborted, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      // Held until the relay listens, so no early output of the command is lost.
      ws.once("open", () => { ws.pause(); resolve(); });
      let refused = false;
      ws.once("unexpected-response", (_req, res) => {
        refused = true;
        responseText(res).then((text) => reject(new Error(`unable to upgrade connection: ${text || res.statusMessage || String(res.statusCode)}`)), reject);
      });
      ws.on("error", (err) => { if (!refused) reject(new Error(`error streaming from node "${target.nodeName}": ${err.message}`)); });
      ws.once("close", () => { if (!refused) reject(new Error(`error streaming from node "${target.nodeName}": the connection closed during the handshake`)); });
    });
  } catch (err) {
    ws.terminate();
    throw err;
  } finally {
    signal.removeEventListener("abort", aborted);
  }
  return ws;
}

/** Sends `data` from `from` on to `to`, pausing `from` while `to` has too much waiting. */
function forward(from: WebSocket, to: WebSocket, data: RawData): void {
  if (to.readyState !== WebSocket.OPEN) return;
  to.send(data, { binary: true }, () => { if (from.isPaused && to.bufferedAmount < highWater / 4) from.resume(); });
  if (to.bufferedAmount > highWater && !from.isPaused) from.pause();
}

/**
 * Relays between the client's WebSocket and the agent's until either closes: binary messages pass unchanged both
 * ways; the agent's normal close (after its Status on channel 3) closes the client normally; an agent connection
 * that breaks first gives the client an InternalError Status; a client that goes away closes the agent's side
 * (which ends the command). Resolves once both are closed.
 */
export async function relayStreams(client: WebSocket, agent: WebSocket, nodeName: string): Promise<void> {
  const closed = (ws: WebSocket): Promise<void> => new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve();
    else ws.once("close", () => resolve());
  });
  client.on("message", (data, isBinary) => { if (isBinary) forward(client, agent, data); });
  agent.on("message", (data, isBinary) => { if (isBinary) forward(agent, client, data); });
  client.on("error", () => client.terminate());
  agent.on("error", () => agent.terminate());
  agent.once("close", (code) => {
    if (client.readyState !== WebSocket.OPEN) return;
    if (code !== 1000) {
      const status = internalErrorStatus(`error streaming from node "${nodeName}": the connection to its agent closed (code ${code})`);
      client.send(encodeFrame(channel.error, JSON.stringify(status)));
    }
    client.close(1000);
  });
  client.once("close", () => {
    if (agent.readyState === WebSocket.OPEN) agent.close(1000);
    else agent.terminate();
  });
  agent.resume();
  await Promise.all([closed(client), closed(agent)]);
}
