import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { WebSocket, WebSocketServer } from "ws";
import { decodeFrame, encodeClose, encodeFrame, type RemoteCommandStatus } from "../api/remote-command.js";
import { runExecSession, type ExecStreams } from "./exec-session.js";
import { webSocketTransport } from "./session-socket.js";
import { ProcessRuntime } from "./process-runtime.js";

const run = promisify(execFile);

interface Outcome { stdout: string; stderr: string; status: RemoteCommandStatus | undefined; closeCode: number }

/** One exec over a real WebSocket: the server side is runExecSession over ProcessRuntime.exec in this process's context. */
describe("agent exec session", () => {
  let server: Server;
  let port = 0;
  const runtime = new ProcessRuntime({ dataDir: tmpdir() });
  const sessions: Promise<void>[] = [];

  before(async () => {
    const wss = new WebSocketServer({ noServer: true });
    server = createServer();
    server.on("upgrade", (req, socket, head) => {
      const q = new URL(req.url ?? "/", "http://x").searchParams;
      const argv = q.getAll("command");
      const streams: ExecStreams = { stdin: q.get("stdin") === "1", stdout: true, stderr: q.get("tty") !== "1", tty: q.get("tty") === "1" };
      const env = { GREETING: "hello from the container" };
      wss.handleUpgrade(req, socket, head, (ws) => {
        sessions.push(runExecSession({
          transport: webSocketTransport(ws), argv, streams, drainMs: 300, onError: (err) => assert.fail(String(err)),
          start: (size) => runtime.exec({ argv, env, workingDir: "/tmp", pid: process.pid, stdin: streams.stdin, tty: streams.tty, size, onError: (err) => assert.fail(String(err)) }),
        }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await Promise.all(sessions);
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  const open = (argv: string[], q: Record<string, string> = {}): WebSocket => {
    const params = new URLSearchParams(q);
    for (const a of argv) params.append("command", a);
    return new WebSocket(`ws://127.0.0.1:${port}/?${params.toString()}`);
  };
  const outcome = (ws: WebSocket): Promise<Outcome> => new Promise((resolve) => {
    const out: Outcome = { stdout: "", stderr: "", status: undefined, closeCode: 0 };
    ws.on("message", (data: Buffer) => {
      const m = decodeFrame(data);
      if (m?.kind !== "data") return;
      if (m.channel === 1) out.stdout += m.data.toString();
      else if (m.channel === 2) out.stderr += m.data.toString();
      else if (m.channel === 3) out.status = JSON.parse(m.data.toString()) as RemoteCommandStatus;
    });
    ws.once("close", (code) => { out.closeCode = code; resolve(out); });
  });

  test("output on its channels, then Success and a normal close", async () => {
    const r = await outcome(open(["sh", "-c", "echo $GREETING; pwd; echo oops >&2"]));
    assert.deepEqual(r, { stdout: "hello from the container\n/tmp\n", stderr: "oops\n", status: { metadata: {}, status: "Success" }, closeCode: 1000 });
  });

  test("a non-zero exit is NonZeroExitCode with the code as its ExitCode cause", async () => {
    const r = await outcome(open(["sh", "-c", "exit 7"]));
    assert.equal(r.status?.reason, "NonZeroExitCode");
    assert.deepEqual(r.status?.details?.causes, [{ reason: "ExitCode", message: "7" }]);
  });

  test("stdin passes through and its half-close ends it", async () => {
    const ws = open(["sh", "-c", "cat; echo done"], { stdin: "1" });
    const result = outcome(ws);
    await new Promise<void>((ok) => ws.once("open", () => ok()));
    ws.send(encodeFrame(0, "abc\n"));
    ws.send(encodeFrame(4, '{"Width":100,"Height":40}'));
    ws.send(encodeFrame(0, "def\n"));
    ws.send(encodeClose(0));
    const r = await result;
    assert.equal(r.stdout, "abc\ndef\ndone\n");
    assert.equal(r.status?.status, "Success");
  });

  test("with tty the command runs on a terminal: echo, CRLF, stderr on stdout, sized by resize messages", async () => {
    const script = "read line; test -t 0 && test -t 1 && echo on-a-tty; echo err >&2; echo got $line; stty size; read line; sleep 0.5; stty size";
    const ws = open(["sh", "-c", script], { tty: "1", stdin: "1" });
    const result = outcome(ws);
    await new Promise<void>((ok) => ws.once("open", () => ok()));
    ws.send(encodeFrame(4, '{"Width":100,"Height":40}'));
    ws.send(encodeFrame(0, "typed\n"));
    await new Promise<void>((ok) => ws.on("message", (d: Buffer) => { if (d.toString().includes("40 100")) ok(); }));
    ws.send(encodeFrame(4, '{"Width":120,"Height":50}'));
    ws.send(encodeFrame(0, "x\n"));
    const r = await result;
    assert.equal(r.stdout, "typed\r\non-a-tty\r\nerr\r\ngot typed\r\n40 100\r\nx\r\n50 120\r\n");
    assert.equal(r.stderr, "");
    assert.equal(r.status?.status, "Success");
  });

  test("a command not found is the InternalError kubectl prints", async () => {
    const r = await outcome(open(["no-such-command-here"]));
    assert.deepEqual(r.status, {
      metadata: {}, status: "Failure", reason: "InternalError", code: 500,
      message: 'Internal error occurred: error executing command in container: exec: "no-such-command-here": executable file not found in $PATH',
      details: { causes: [{ message: 'error executing command in container: exec: "no-such-command-here": executable file not found in $PATH' }] },
    });
  });

  const alive = async (marker: string): Promise<boolean> => {
    const { stdout } = await run("ps", ["-eo", "args="]);
    return stdout.split("\n").some((l) => l.startsWith(marker));
  };

  test("what the command leaves running is killed once it exits", async () => {
    const r = await outcome(open(["sh", "-c", "sleep 31337 >/dev/null 2>&1 & echo left"]));
    assert.equal(r.stdout, "left\n");
    assert.equal(await alive("sleep 31337"), false);
  });

  test("a client that goes away ends the command's whole process group", async () => {
    const ws = open(["sh", "-c", "echo up; sleep 31338 & sleep 31339"]);
    await new Promise<void>((ok) => ws.on("message", (d: Buffer) => { if (d.toString().includes("up")) ok(); }));
    assert.equal(await alive("sleep 31339"), true);
    ws.terminate();
    const deadline = Date.now() + 5000;
    while ((await alive("sleep 31338")) || (await alive("sleep 31339"))) {
      assert.ok(Date.now() < deadline, "the exec's processes are still running");
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
