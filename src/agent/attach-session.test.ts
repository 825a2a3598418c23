import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { channel, decodeFrame, encodeClose, encodeFrame, type RemoteCommandStatus } from "../api/remote-command.js";
import { runAttachSession } from "./attach-session.js";
import { webSocketTransport } from "./session-socket.js";
import type { ContainerLaunch } from "./runtime.js";

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 500) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("agent attach session", () => {
  let server: Server;
  let port = 0;
  const listeners = new Set<ContainerLaunch["onOutput"]>();
  let exit: () => void = () => undefined;
  let maxBufferedBytes: number | undefined;
  let typed = "";
  let inputEnded = false;
  let stdinClosed = false;
  const sizes: string[] = [];
  const inputSink = (): Writable => {
    typed = "";
    inputEnded = false;
    stdinClosed = false;
    return new Writable({
      write: (chunk: Buffer, _enc, done) => { typed += chunk.toString(); done(); },
      final: (done) => { inputEnded = true; done(); },
    });
  };

  before(async () => {
    const wss = new WebSocketServer({ noServer: true });
    server = createServer();
    server.on("upgrade", (req, socket, head) => {
      const q = new URL(req.url ?? "/", "http://x").searchParams;
      const stderr = q.get("stderr") === "1";
      const exited = new Promise<void>((resolve) => { exit = resolve; });
      const once = q.get("once") === "1";
      const input = q.get("stdin") === "1" ? { writer: inputSink(), once, close: () => { stdinClosed = true; } } : undefined;
      wss.handleUpgrade(req, socket, head, (ws) => {
        void runAttachSession({
          transport: webSocketTransport(ws), stdout: true, stderr, exited, maxBufferedBytes, stdin: input, drainMs: 50,
          resize: (width, height) => sizes.push(`${width}x${height}`),
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

  test("with stdinOnce, the client's input reaches the container and its end closes stdin for good; output goes on", async () => {
    const a = await attach("stdin=1&once=1");
    a.ws.send(encodeFrame(channel.resize, JSON.stringify({ Width: 90, Height: 20 })));
    a.ws.send(encodeFrame(channel.stdin, "ls\n"));
    a.ws.send(encodeClose(channel.stdin));
    await until(() => inputEnded && stdinClosed);
    assert.equal(typed, "ls\n");
    assert.deepEqual(sizes.splice(0), ["90x20"]);
    emit("stdout", "after the input\n");
    exit();
    assert.equal(await a.closed, 1000);
    assert.deepEqual(a.frames.map((f) => f.ch), [1, 3]);
  });

  test("without stdinOnce, the end of the client's input ends the session, not the container's stdin", async () => {
    const a = await attach("stdin=1");
    a.ws.send(encodeFrame(channel.stdin, "x"));
    a.ws.send(encodeClose(channel.stdin));
    // The container has not exited: the session ends by itself once output had a moment to drain.
    assert.equal(await a.closed, 1000);
    assert.deepEqual([typed, inputEnded, stdinClosed], ["x", true, false]);
    assert.deepEqual(JSON.parse(a.frames.at(-1)?.text ?? "") as RemoteCommandStatus, { metadata: {}, status: "Success" });
    exit();
  });

  test("a stdinOnce client that goes away closes the container's stdin", async () => {
    const a = await attach("stdin=1&once=1");
    a.ws.close();
    await a.closed;
    await until(() => inputEnded && stdinClosed);
    exit();
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
