import assert from "node:assert/strict";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { after, before, test } from "node:test";
import { servePortForward, type PortForwardTarget } from "./port-forward.js";
import { RstStatus } from "./spdy/frame.js";
import { spdyUpgrade, type SpdyTestClient, type SpdyUpgradeResult } from "./spdy/testing/spdy-client.js";

let echo: Server;
let echoPort = 0;
let refusedPort = 0;
let agent: ReturnType<typeof createHttpServer>;
let agentPort = 0;
const clients: SpdyTestClient[] = [];

before(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((ok) => echo.listen(0, "127.0.0.1", ok));
  echoPort = (echo.address() as AddressInfo).port;
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, "127.0.0.1", ok));
  refusedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((ok) => probe.close(() => ok()));
  const target: PortForwardTarget = {
    pod: "ns/p", uid: "u-1",
    dial: (port) => new Promise<Socket>((resolve, reject) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => resolve(s));
      s.once("error", (e) => reject(new Error(`dial tcp4 127.0.0.1:${port}: ${e.message}`)));
    }),
  };
  agent = createHttpServer();
  agent.on("upgrade", (req: IncomingMessage, socket: Duplex) => servePortForward(req, socket, target, { streamCreationTimeoutMs: 300, onError: () => undefined }));
  await new Promise<void>((ok) => agent.listen(0, "127.0.0.1", ok));
  agentPort = (agent.address() as AddressInfo).port;
});
after(async () => {
  for (const c of clients) c.close();
  echo.close();
  await new Promise<void>((ok) => agent.close(() => ok()));
});

async function upgrade(protocol = "portforward.k8s.io"): Promise<SpdyUpgradeResult> {
  const result = await spdyUpgrade(agentPort, "POST", "/", [protocol]);
  if (result.client) clients.push(result.client);
  return result;
}

test("the upgrade answers 101 with the negotiated protocol; an unknown protocol gets 403", async () => {
  const ok = await upgrade();
  assert.equal(ok.res.statusCode, 101);
  assert.equal(ok.res.headers["x-stream-protocol-version"], "portforward.k8s.io");
  const refused = await upgrade("v4.channel.k8s.io");
  assert.equal(refused.res.statusCode, 403);
  assert.match(refused.body ?? "", /unable to negotiate protocol: client supports \[v4\.channel\.k8s\.io\], server accepts \[portforward\.k8s\.io\]/);
});

test("an error and a data stream forward bytes both ways, then both end with FIN", async () => {
  const { client } = await upgrade();
  assert.ok(client);
  await client.open(1, { streamtype: "error", port: String(echoPort), requestid: "0" }, true);
  await client.open(3, { streamtype: "data", port: String(echoPort), requestid: "0" });
  client.write(3, "hello ");
  client.write(3, "pod");
  await client.waitFor("echo", () => client.data.get(3) === "hello pod");
  assert.deepEqual(client.frames.filter((f) => f.type === "synReply").map((f) => f.type === "synReply" && f.streamId), [1, 3]);
  client.send({ type: "data", streamId: 3, fin: true, data: Buffer.alloc(0) });
  await client.waitFor("FIN on both streams", () => client.fins.has(3) && client.fins.has(1));
  assert.equal(client.data.get(1) ?? "", "", "no error text");
});

test("PINGs of the client are echoed; a stream without port is reset; a refused dial is told on the error stream", async () => {
  const { client } = await upgrade();
  assert.ok(client);
  client.send({ type: "ping", id: 5 });
  await client.waitFor("PING echo", () => client.frames.some((f) => f.type === "ping" && f.id === 5));
  await client.open(1, { streamtype: "data", requestid: "0" });
  await client.waitFor("RST_STREAM", () => client.frames.some((f) => f.type === "rstStream" && f.streamId === 1 && f.status === RstStatus.cancel));
  await client.open(3, { streamtype: "error", port: String(refusedPort), requestid: "1" }, true);
  await client.open(5, { streamtype: "data", port: String(refusedPort), requestid: "1" });
  await client.waitFor("error text", () => client.fins.has(3));
  assert.match(client.data.get(3) ?? "", new RegExp(`^error forwarding port ${refusedPort} to pod ns/p, uid u-1: dial tcp4 127.0.0.1:${refusedPort}: connect ECONNREFUSED`));
  await client.waitFor("data stream FIN", () => client.fins.has(5));
});

test("a data stream whose error stream never comes times out with a message; a stream id going backwards ends the session", async () => {
  const { client } = await upgrade();
  assert.ok(client);
  await client.open(1, { streamtype: "error", port: String(echoPort), requestid: "7" }, true);
  await client.waitFor("timeout text", () => client.fins.has(1));
  assert.equal(client.data.get(1), "timed out waiting for streams of request 7");
  await client.open(1, { streamtype: "error", port: String(echoPort), requestid: "8" }, true);
  await client.waitFor("GOAWAY", () => client.frames.some((f) => f.type === "goAway" && f.status === 1));
});
