import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { exchange, statusOf, type RawExchange } from "../apiserver/http/testing/raw-http.js";
import { ControlPlane } from "../server/control-plane.js";
import { rawApi, type RawApi } from "./raw-api.js";

/** One byte-level request and the one Status code it must be refused with. */
interface RawProbe {
  label: string;
  parts: string[];
  expect: number;
  gapMs?: number;
  halfClose?: boolean;
}

describe("byte-level malformed requests get a Status body over TLS", () => {
  let dir: string;
  let plane: ControlPlane;
  let api: RawApi;
  let auth: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "everynode-fuzz-raw-"));
    plane = await ControlPlane.start({
      dataDir: join(dir, "data"), port: 0, listen: "127.0.0.1", insecureHttp: false, storage: "memory", controllers: false,
      httpTimeouts: { headersMs: 800, requestMs: 1500, checkIntervalMs: 100 },
    });
    api = await rawApi(plane.kubeconfigPath);
    auth = `Authorization: Bearer ${api.token}\r\n`;
  });
  after(async () => {
    api.close();
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const send = async (p: Omit<RawProbe, "label" | "expect">): Promise<RawExchange> =>
    exchange(await api.connect(), p.parts, { gapMs: p.gapMs, halfClose: p.halfClose, waitMs: 5_000 });

  /** Why `got` is not one Failure Status with `code` on a connection then closed; undefined when it is. */
  function problem(got: RawExchange, code: number): string | undefined {
    const [response] = got.responses;
    if (got.responses.length !== 1 || !response) return `${got.responses.length} responses; rest ${JSON.stringify(got.rest.toString().slice(0, 120))}`;
    if (response.status !== code) return `HTTP ${response.status}: ${response.body.toString().slice(0, 200)}`;
    try {
      const s = statusOf(response);
      if (s.kind !== "Status" || s.apiVersion !== "v1" || s.status !== "Failure" || s.code !== code || !s.reason || !s.message) return `malformed Status ${response.body.toString()}`;
    } catch (err) {
      return String(err);
    }
    return got.closed ? undefined : "the connection stayed open";
  }

  test("malformed request lines, headers, framing, sizes, expectations and slow or cut bodies", async () => {
    const post = (framing: string): string => `POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\n${framing}\r\n`;
    const probes: RawProbe[] = [
      { label: "lowercase method", parts: [`get /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n${auth}\r\n`], expect: 400 },
      { label: "unknown protocol", parts: [`GET /api/v1/namespaces HTTP/9.9\r\nHost: x\r\n\r\n`], expect: 400 },
      { label: "garbage request line", parts: ["\x16\x03\x01 hello\r\n\r\n"], expect: 400 },
      { label: "space in the target", parts: ["GET /api/v1/name spaces HTTP/1.1\r\nHost: x\r\n\r\n"], expect: 400 },
      { label: "control character in a header value", parts: [`GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-A: a\x07b\r\n\r\n`], expect: 400 },
      { label: "space in a header name", parts: ["GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n"], expect: 400 },
      { label: "header without a colon", parts: ["GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n"], expect: 400 },
      { label: "Content-Length and Transfer-Encoding", parts: [post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), "0\r\n\r\n"], expect: 400 },
      { label: "two different Content-Lengths", parts: [post("Content-Length: 5\r\nContent-Length: 6\r\n"), "{}"], expect: 400 },
      { label: "negative Content-Length", parts: [post("Content-Length: -1\r\n")], expect: 400 },
      { label: "bad chunk size", parts: [post("Transfer-Encoding: chunked\r\n"), "zz\r\n{}\r\n0\r\n\r\n"], gapMs: 50, expect: 400 },
      { label: "HTTP/1.1 without Host", parts: [`GET /api/v1/namespaces HTTP/1.1\r\n${auth}\r\n`], expect: 400 },
      { label: "headers over 16 KiB", parts: [`GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(17_000)}\r\n\r\n`], expect: 431 },
      { label: "URL over 16 KiB", parts: [`GET /api/v1/namespaces?x=${"u".repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`], expect: 431 },
      { label: "huge chunk extension", parts: [post("Transfer-Encoding: chunked\r\n"), `2;e=${"e".repeat(20_000)}\r\n{}\r\n0\r\n\r\n`], gapMs: 50, expect: 413 },
      { label: "unknown Expect", parts: [post("Expect: 200-ok\r\nContent-Length: 2\r\n"), "{}"], expect: 417 },
      { label: "CONNECT without credentials", parts: ["CONNECT /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n"], expect: 401 },
      { label: "CONNECT", parts: [`CONNECT /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n${auth}\r\n`], expect: 405 },
      { label: "slow headers", parts: ["GET /api/v1/namespaces HTTP/1.1\r\n", "Host: x\r\n", "X-A: 1\r\n", "X-B: 1\r\n", "X-C: 1\r\n", "X-D: 1\r\n"], gapMs: 300, expect: 408 },
      { label: "slow body", parts: [post("Content-Length: 80\r\n"), "{\"metadata\":", "{\"name\":", "\"slow\""], gapMs: 700, expect: 408 },
      { label: "body cut short", parts: [post("Content-Length: 80\r\n"), "{\"metadata\":{\"name\":\"cut\"}"], halfClose: true, expect: 400 },
    ];
    const failures: string[] = [];
    for (const p of probes) {
      const why = problem(await send(p), p.expect);
      if (why) failures.push(`${p.label}: ${why}`);
    }
    assert.deepEqual(failures, []);
    // Nothing the probes sent was stored.
    const names = (await api.request("GET", "/api/v1/namespaces")).body.toString();
    assert.doesNotMatch(names, /"name":"(slow|cut)"/);
  });

  test("pipelined requests are answered in order; HTTP/1.0 needs no Host", async () => {
    const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`;
    const got = await send({ parts: [get("/healthz") + get("/api/v1/namespaces/default") + get("/api/v1/namespaces/missing") + get("/version")] });
    assert.deepEqual(got.responses.map((r) => r.status), [200, 200, 404, 200]);
    assert.equal(statusOf(got.responses[2] ?? assert.fail("no third response")).reason, "NotFound");
    const broken = await send({ parts: [get("/healthz") + "get / HTTP/1.1\r\nHost: x\r\n\r\n"] });
    assert.deepEqual(broken.responses.map((r) => r.status), [200, 400]);
    assert.equal(statusOf(broken.responses[1] ?? assert.fail("no second response")).code, 400);
    const old = await send({ parts: [`GET /api/v1/namespaces/default HTTP/1.0\r\n${auth}\r\n`] });
    assert.equal(old.responses[0]?.status, 200);
  });
});
