import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type { RemoteCommandStatus } from "../api/remote-command.js";
import { runExecSession, type ExecStreams } from "./exec-session.js";
import { ProcessRuntime } from "./process-runtime.js";
import { ResizeDecoder, serveSpdyRemoteCommand } from "./spdy-remote-command.js";
import { spdyUpgrade, type SpdyTestClient } from "./spdy/testing/spdy-client.js";

const v4 = "v4.channel.k8s.io";

/** The `sleep 3134…` processes on the machine. */
async function sleeping(): Promise<string[]> {
  const { stdout } = await promisify(execFile)("ps", ["-eo", "args="]);
  return stdout.split("\n").filter((l) => l.startsWith("sleep 3134")).sort();
}

test("the resize stream's JSON objects are decoded however the frames split them", () => {
  const d = new ResizeDecoder();
  assert.deepEqual(d.push(Buffer.from('{"Width":100,')), []);
  assert.deepEqual(d.push(Buffer.from('"Height":40}\n{"Width":1,"Height":2}\n{"Wid')), [{ width: 100, height: 40 }, { width: 1, height: 2 }]);
  assert.deepEqual(d.push(Buffer.from('th":"}{","Height":3}{"Width":-1,"Height":3}\n{"Width":7,"Height":8}')), [{ width: 7, height: 8 }], "not sizes: skipped");
});

/** Exec over SPDY against ProcessRuntime in this process's context; the query says what the client asks for. */
describe("agent exec over SPDY", () => {
  let server: Server;
  let port = 0;
  const runtime = new ProcessRuntime({ dataDir: tmpdir() });
  const clients: SpdyTestClient[] = [];

  before(async () => {
    server = createServer();
    server.on("upgrade", (req, socket) => {
      const q = new URL(req.url ?? "/", "http://x").searchParams;
      const argv = q.getAll("command");
      const flag = (name: string): boolean => q.get(name) === "1";
      const streams: ExecStreams = { stdin: flag("input"), stdout: flag("output"), stderr: flag("error"), tty: flag("tty") };
      const timeout = Number(q.get("timeout") ?? "5000");
      serveSpdyRemoteCommand(req, socket, { streams, streamCreationTimeoutMs: timeout, onError: () => undefined }, (transport) => runExecSession({
        transport, argv, streams, drainMs: 300, onError: (err) => assert.fail(String(err)),
        start: (size) => runtime.exec({ argv, env: {}, workingDir: "/tmp", pid: process.pid, stdin: streams.stdin, tty: streams.tty, size, onError: (err) => assert.fail(String(err)) }),
      }));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const c of clients) c.close();
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  const path = (argv: string[], q: Record<string, string>): string => {
    const params = new URLSearchParams(q);
    for (const a of argv) params.append("command", a);
    return `/exec/ns/pod/c?${params.toString()}`;
  };
  const connect = async (argv: string[], q: Record<string, string>, protocols = ["v5.channel.k8s.io", v4, "v3.channel.k8s.io", "v2.channel.k8s.io"]): Promise<SpdyTestClient> => {
    const r = await spdyUpgrade(port, "POST", path(argv, q), protocols);
    assert.ok(r.client, `upgraded: ${r.body ?? ""}`);
    clients.push(r.client);
    return r.client;
  };
  /** Opens one stream per type, with ids 1, 3, 5, … in order. */
  const openStreams = async (c: SpdyTestClient, ...types: string[]): Promise<void> => {
    for (const [i, streamtype] of types.entries()) await c.open(2 * i + 1, { streamtype });
  };
  const goneAway = (c: SpdyTestClient): Promise<void> => c.waitFor("GOAWAY", () => c.frames.some((f) => f.type === "goAway"));

  test("the first version the client lists that is served is chosen; no common one is a 403, none at all a 400", async () => {
    const order = await spdyUpgrade(port, "POST", path(["true"], { output: "1" }), ["v5.channel.k8s.io", "v3.channel.k8s.io", v4]);
    assert.equal(order.res.statusCode, 101);
    assert.equal(order.res.headers["x-stream-protocol-version"], "v3.channel.k8s.io");
    order.client?.close();
    const none = await spdyUpgrade(port, "POST", path(["true"], { output: "1" }), ["channel.k8s.io"]);
    assert.equal(none.res.statusCode, 403);
    assert.equal(none.res.headers["x-accepted-stream-protocol-versions"], "v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io");
    assert.equal(none.body, "unable to upgrade: unable to negotiate protocol: client supports [channel.k8s.io], server accepts [v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io]");
    const missing = await spdyUpgrade(port, "POST", path(["true"], { output: "1" }), []);
    assert.deepEqual([missing.res.statusCode, missing.body], [400, "unable to upgrade: X-Stream-Protocol-Version is required"]);
  });

  test("v4: stdout and stderr on their streams, each finished, then the NonZeroExitCode Status on the error stream and GOAWAY", async () => {
    const c = await connect(["sh", "-c", "echo out; echo err >&2; exit 3"], { output: "1", error: "1" });
    await openStreams(c, "error", "stdout", "stderr");
    await goneAway(c);
    assert.deepEqual([c.data.get(3), c.data.get(5)], ["out\n", "err\n"]);
    assert.ok(c.fins.has(1) && c.fins.has(3) && c.fins.has(5), "every stream finished");
    const status = JSON.parse(c.data.get(1) ?? "") as RemoteCommandStatus;
    assert.equal(status.reason, "NonZeroExitCode");
    assert.deepEqual(status.details?.causes, [{ reason: "ExitCode", message: "3" }]);
    const order = c.frames.map((f) => (f.type === "data" && f.fin ? `fin ${f.streamId}` : f.type)).filter((t) => t === "fin 1" || t === "goAway");
    assert.deepEqual(order, ["fin 1", "goAway"], "the Status precedes GOAWAY");
  });

  test("the command starts once every stream is there; stdin's FIN ends its input", async () => {
    const c = await connect(["sh", "-c", "echo started; cat; echo done"], { input: "1", output: "1" });
    await openStreams(c, "error", "stdout");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.data.get(3), undefined, "nothing runs before the stdin stream");
    await c.open(5, { streamtype: "stdin" });
    c.write(5, "abc\n");
    c.write(5, "def\n", true);
    await goneAway(c);
    assert.equal(c.data.get(3), "started\nabc\ndef\ndone\n");
    assert.deepEqual(JSON.parse(c.data.get(1) ?? ""), { metadata: {}, status: "Success" });
  });

  test("with a tty the resize stream sizes the terminal, from the first size on", async () => {
    const c = await connect(["sh", "-c", "stty size; read line; sleep 0.3; stty size"], { input: "1", output: "1", error: "1", tty: "1" });
    await openStreams(c, "error", "stdin", "stdout", "resize");
    c.write(7, '{"Width":100,');
    c.write(7, '"Height":40}\n');
    await c.waitFor("the first size", () => (c.data.get(5) ?? "").includes("40 100"));
    c.write(7, '{"Width":120,"Height":50}\n');
    c.write(3, "x\n");
    await goneAway(c);
    assert.equal(c.data.get(5), "40 100\r\nx\r\n50 120\r\n");
    assert.deepEqual(JSON.parse(c.data.get(1) ?? ""), { metadata: {}, status: "Success" });
  });

  test("v2 and v3 carry only a failure's message on the error stream", async () => {
    const failed = await connect(["sh", "-c", "exit 4"], { output: "1" }, ["v2.channel.k8s.io"]);
    await openStreams(failed, "error", "stdout");
    await goneAway(failed);
    assert.equal(failed.data.get(1), "command terminated with non-zero exit code: command 'sh -c exit 4' exited with 4");
    const ok = await connect(["true"], { output: "1" }, ["v3.channel.k8s.io"]);
    await openStreams(ok, "error", "stdout");
    await goneAway(ok);
    assert.ok(ok.fins.has(1));
    assert.equal(ok.data.get(1) ?? "", "");
  });

  test("a client that goes away ends the command's whole process group", async () => {
    const c = await connect(["sh", "-c", "echo up; sleep 31341 & sleep 31342"], { output: "1" });
    await openStreams(c, "error", "stdout");
    await c.waitFor("the command's output", () => c.data.get(3) === "up\n");
    assert.deepEqual(await sleeping(), ["sleep 31341", "sleep 31342"]);
    c.socket.destroy();
    const deadline = Date.now() + 5000;
    while ((await sleeping()).length > 0) {
      assert.ok(Date.now() < deadline, "the exec's processes are still running");
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  test("a client that does not open its streams in time is disconnected; nothing runs", async () => {
    const c = await connect(["sh", "-c", "echo never"], { output: "1", timeout: "200" });
    const closed = new Promise<void>((ok) => c.socket.once("close", () => ok()));
    await c.open(1, { streamtype: "error" });
    await closed;
    assert.equal(c.data.get(1), undefined);
  });
});
