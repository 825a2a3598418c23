import "reflect-metadata";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { getFromAgent, type AgentTarget } from "./agent-request.js";
import { selfSigned } from "./testing/self-signed.js";

async function body(res: AsyncIterable<unknown>): Promise<string> {
  let text = "";
  for await (const d of res) text += String(d);
  return text;
}

describe("getFromAgent", () => {
  let server: Server;
  let target: AgentTarget;
  let client: { cert: string; key: string };
  before(async () => {
    const serving = await selfSigned("agent-a@agent");
    client = await selfSigned("kube-apiserver-kubelet-client");
    // Each answer closes its connection (as a finished log stream does), so every request needs a new handshake.
    server = createServer({ ...serving }, (req, res) => { res.setHeader("Connection", "close"); res.end(`hello ${req.url ?? ""}`); });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    target = { nodeName: "agent-a", address: "127.0.0.1", port: (server.address() as AddressInfo).port, fingerprint: new X509Certificate(serving.cert).fingerprint256 };
  });
  after(() => new Promise<void>((ok) => server.close(() => ok())));

  test("request after request to the same agent all check the pinned certificate (no resumed TLS session hides it)", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await getFromAgent(target, `/containerLogs/default/p/c?i=${i}`, client);
      assert.equal(res.statusCode, 200);
      assert.equal(await body(res), `hello /containerLogs/default/p/c?i=${i}`);
    }
  });

  test("a certificate other than the published one is refused", async () => {
    await assert.rejects(getFromAgent({ ...target, fingerprint: "00:11" }, "/x", client),
      new RegExp(`^Error: x509: the certificate of node "agent-a" at 127\\.0\\.0\\.1:${target.port} is not the one its agent published$`));
  });
});
