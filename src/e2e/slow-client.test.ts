import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseResponses, statusOf, type RawResponse } from "../apiserver/http/testing/raw-http.js";
import { ControlPlane } from "../server/control-plane.js";
import { rawApi, type RawApi } from "./raw-api.js";

/** Limits short enough for a quick test; production defaults are 30 s and 60 s. */
const headersMs = 600;
const requestMs = 1500;

interface Outcome {
  /** True when the server closed the connection before the client finished sending. */
  cutOff: boolean;
  /** What the server wrote back. */
  received: string;
}

/**
 * Sends `head` at once, then `trickle` one byte every `everyMs` while the connection lasts, never finishing.
 * Resolves when the server closes the connection, or with cutOff false once `giveUpMs` passes.
 */
function dribble(socket: Socket, head: string, trickle: string, everyMs: number, giveUpMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let received = "";
    let i = 0;
    socket.on("data", (d: Buffer) => { received += d.toString("latin1"); });
    socket.on("error", () => undefined);
    const timer = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(trickle[i++ % trickle.length] ?? "x");
    }, everyMs);
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    const finish = (cutOff: boolean): void => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ cutOff, received });
    };
    socket.once("close", () => finish(true));
    if (head) socket.write(head);
  });
}

/** Asserts that `received` is one 408 response whose body is a v1 Status. */
function assertTimeoutStatus(received: string): void {
  assert.match(received, /^HTTP\/1\.1 408 Request Timeout/);
  const { responses } = parseResponses(Buffer.from(received, "latin1"));
  assert.equal(responses.length, 1);
  const status = statusOf(responses[0] as RawResponse);
  assert.deepEqual([status.kind, status.status, status.code, status.reason], ["Status", "Failure", 408, "Timeout"]);
}

describe("slow clients are cut off; long watches are not", () => {
  let dir: string;
  let plane: ControlPlane;
  let api: RawApi;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "everynode-slow-"));
    plane = await ControlPlane.start({
      dataDir: join(dir, "data"), port: 0, listen: "127.0.0.1", insecureHttp: false, storage: "memory", controllers: false,
      httpTimeouts: { headersMs, requestMs, checkIntervalMs: 100 },
    });
    api = await rawApi(plane.kubeconfigPath);
  });
  after(async () => {
    api.close();
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("a slowloris sending its headers byte by byte gets 408 and is disconnected", async () => {
    const started = Date.now();
    const outcome = await dribble(await api.connect(), "GET /api/v1/namespaces HTTP/1.1\r\nHost: localhost\r\n", "X-Slow: aaaaaaaa\r\n", 50, 10_000);
    assert.equal(outcome.cutOff, true, "the connection was never closed");
    assertTimeoutStatus(outcome.received);
    assert.ok(Date.now() - started >= headersMs - 100, "cut off before the headers limit");
  });

  test("a connection that never even starts TLS is disconnected", async () => {
    const socket = connect({ host: api.url.hostname, port: Number(api.url.port) });
    await new Promise((resolve) => socket.once("connect", resolve));
    const outcome = await dribble(socket, "", "", 1_000_000, 10_000);
    assert.equal(outcome.cutOff, true);
  });

  test("a client sending its body slower than the request limit gets 408 and is disconnected", async () => {
    const body = JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "never-created" } });
    const head = `POST /api/v1/namespaces HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${api.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const started = Date.now();
    // The whole body would take 100 ms × its length (several seconds): far past the request limit.
    const outcome = await dribble(await api.connect(), head, body, 100, 10_000);
    assert.equal(outcome.cutOff, true, "the connection was never closed");
    assertTimeoutStatus(outcome.received);
    assert.ok(Date.now() - started >= requestMs - 100, "cut off before the request limit");
    assert.equal((await api.request("GET", "/api/v1/namespaces/never-created")).status, 404);
  });

  test("a watch lives past both limits and still delivers events; ordinary requests still work", async () => {
    const events: string[] = [];
    const socket = await api.connect();
    socket.on("data", (d: Buffer) => { events.push(...d.toString().split("\n").filter((l) => l.includes('"type"'))); });
    socket.write(`GET /api/v1/namespaces?watch=1&timeoutSeconds=10&resourceVersion=0 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${api.token}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, requestMs + 500));
    const created = await api.request("POST", "/api/v1/namespaces", { body: JSON.stringify({ metadata: { name: "late" } }), headers: { "Content-Type": "application/json" } });
    assert.equal(created.status, 201);
    const deadline = Date.now() + 5_000;
    while (!events.some((e) => e.includes('"name":"late"'))) {
      assert.ok(Date.now() < deadline, `the watch did not deliver the late event: ${events.length} events`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(socket.destroyed, false);
    socket.destroy();
    assert.equal((await api.request("GET", "/healthz")).status, 200);
  });
});
