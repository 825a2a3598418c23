import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { decodeFrame, type RemoteCommandStatus } from "../api/remote-command.js";
import { runAttachSession } from "./attach-session.js";
import { webSocketTransport } from "./session-socket.js";
import type { ContainerLaunch } from "./runtime.js";

describe("agent attach session", () => {
  let server: Server;
  let port = 0;
  const listeners = new Set<ContainerLaunch["onOutput"]>();
  let exit: () => void = () => undefined;
  let maxBufferedBytes: number | undefined;

  before(async () => {
    const wss = new WebSocketServer({ noServer: true });
    server = createServer();
    server.on("upgrade", (req, socket, head) => {
      const stderr = new URL(req.url ?? "/", "http://x").searchParams.get("stderr") === "1";
      const exited = new Promise<void>((resolve) => { exit = resolve; });
      wss.handleUpgrade(req, socket, head, (ws) => {
        void runAttachSession({
          transport: webSocketTransport(ws), stdout: true, stderr, exited, maxBufferedBytes,
          subscribe: (l) => { listeners.add(l); return () => listeners.delete(l); },
        });
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((ok) => server.close(() => ok())));

  const attach = async (query: string): Promise<{ ws: WebSocket; frames: { ch: number; text: string }[]; closed: Promise<number> }> => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?${query}`);
    const frames: { ch: number; text: string }[] = [];
    ws.on("message", (d: Buffer) => {
      const m = decodeFrame(d);
      if (m?.kind === "data") frames.push({ ch: m.channel, text: m.data.toString() });
    });
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    await new Promise<void>((ok) => ws.once("open", () => ok()));
    await new Promise((r) => setTimeout(r, 20));
    return { ws, frames, closed };
  };
  const emit = (stream: "stdout" | "stderr", text: string): void => { for (const l of listeners) l(stream, Buffer.from(text)); };

  test("output from now on, on the channels asked for, then Success when the container exits", async () => {
    const a = await attach("stderr=0");
    emit("stdout", "one\n");
    emit("stderr", "hidden\n");
    emit("stdout", "two\n");
    exit();
    assert.equal(await a.closed, 1000);
    assert.deepEqual(a.frames.slice(0, 2), [{ ch: 1, text: "one\n" }, { ch: 1, text: "two\n" }]);
    assert.deepEqual(JSON.parse(a.frames[2]?.text ?? "") as RemoteCommandStatus, { metadata: {}, status: "Success" });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(listeners.size, 0, "the listener is removed");
  });

  test("a client that leaves stops listening; one that cannot keep up is disconnected", async () => {
    const a = await attach("stderr=1");
    assert.equal(listeners.size, 1);
    a.ws.close();
    await a.closed;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(listeners.size, 0);
    maxBufferedBytes = -1;
    const slow = await attach("stderr=1");
    emit("stderr", "x");
    assert.equal(await slow.closed, 1000);
    assert.match(slow.frames.at(-1)?.text ?? "", /did not keep up/);
    maxBufferedBytes = undefined;
  });
});
