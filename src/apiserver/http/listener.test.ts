import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { exchange, statusOf, type RawExchange } from "./testing/raw-http.js";
import { serveApi, type TestServer } from "./testing/serve.js";
import { stubClient } from "./testing/stub-client.js";

const limits = { headersMs: 400, requestMs: 800, checkIntervalMs: 50 };

/** Asserts that the connection got exactly one response, a Failure Status with `code`, and was closed. */
function assertRefused(got: RawExchange, code: number, message?: RegExp): void {
  assert.equal(got.responses.length, 1, `responses: ${got.responses.length}, rest: ${got.rest.toString().slice(0, 200)}`);
  const [response] = got.responses;
  assert.ok(response);
  assert.equal(response.status, code, response.body.toString());
  const status = statusOf(response);
  assert.equal(status.kind, "Status");
  assert.equal(status.apiVersion, "v1");
  assert.equal(status.status, "Failure");
  assert.equal(status.code, code);
  assert.ok(status.reason !== "", "no reason");
  if (message) assert.match(status.message, message);
  assert.equal(got.closed, true, "the connection stayed open");
}

describe("requests node:http refuses are answered with a Status", () => {
  let server: TestServer;
  let port: number;
  const send = async (parts: (string | Buffer)[], options: Parameters<typeof exchange>[2] = {}): Promise<RawExchange> => {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise((resolve) => socket.once("connect", resolve));
    return exchange(socket, parts, options);
  };
  before(async () => {
    const client = stubClient({ list: () => Promise.resolve({ apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "1" }, items: [] }) });
    // The request deadline (300 ms) is shorter than node's request limit, as in production (both 60 s, node's
    // checked only every second).
    server = await serveApi({ client, requestTimeoutMs: 300 }, limits);
    port = Number(new URL(server.url).port);
  });
  after(() => server.close());

  test("malformed request lines and headers: 400", async () => {
    assertRefused(await send(["get /api/v1/pods HTTP/1.1\r\nHost: x\r\n\r\n"]), 400, /malformed HTTP request/);
    assertRefused(await send(["GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n"]), 400);
    assertRefused(await send(["GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n"]), 400);
    assertRefused(await send(["POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"]), 400);
    assertRefused(await send(["GARBAGE\r\n\r\n"]), 400);
  });

  test("HTTP/1.1 without Host: 400; HTTP/1.0 without Host is served", async () => {
    assertRefused(await send(["GET /api/v1/pods HTTP/1.1\r\n\r\n"]), 400, /missing required Host header/);
    const old = await send(["GET /api/v1/pods HTTP/1.0\r\n\r\n"]);
    assert.equal(old.responses[0]?.status, 200);
  });

  test("a bad chunk size in a body: 400 through the request's own response", async () => {
    assertRefused(await send(["POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", "zz\r\n{}\r\n0\r\n\r\n"], { gapMs: 50 }), 400);
  });

  test("headers or a URL over 16 KiB: 431", async () => {
    assertRefused(await send([`GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`]), 431);
    assertRefused(await send([`GET /api/v1/pods?q=${"a".repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`]), 431);
  });

  test("a huge chunk extension: 413", async () => {
    const head = "POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertRefused(await send([head, `2;ext=${"e".repeat(20 * 1024)}\r\n{}\r\n0\r\n\r\n`], { gapMs: 20 }), 413);
  });

  test("an Expect other than 100-continue: 417", async () => {
    assertRefused(await send(["POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}"]), 417, /teapot/);
  });

  test("CONNECT is answered as any unsupported method", async () => {
    assertRefused(await send(["CONNECT /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\n\r\n"]), 405);
  });

  test("slow headers: 408", async () => {
    const got = await send(["GET /api/v1/pods HTTP/1.1\r\n", "Host: x\r\n", "X-A: 1\r\n", "X-B: 1\r\n", "X-C: 1\r\n"], { gapMs: 150, waitMs: 3_000 });
    assertRefused(got, 408);
  });

  test("a slow or truncated body: 408 from the request deadline, never 504", async () => {
    const head = "POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    assertRefused(await send([head, "{\"metadata\""], { gapMs: 10, waitMs: 3_000 }), 408);
  });

  test("a body cut short by the client ending its side: 400", async () => {
    const head = "POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    const got = await send([head, "{\"metadata\""], { gapMs: 10, waitMs: 3_000, halfClose: true });
    assertRefused(got, 400);
  });

  test("pipelined requests are answered in order", async () => {
    const got = await send(["GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/pods HTTP/1.1\r\nHost: x\r\n\r\nget /x HTTP/1.1\r\nHost: x\r\n\r\n"]);
    assert.deepEqual(got.responses.map((r) => r.status), [200, 200, 400]);
    assert.equal(statusOf(got.responses[2] ?? got.responses[0] as never).code, 400);
    assert.equal(got.closed, true);
  });
});
