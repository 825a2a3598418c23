import "reflect-metadata";
import assert from "node:assert/strict";
import { webcrypto, X509Certificate } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import * as x509 from "@peculiar/x509";
import { getFromAgent, type AgentTarget } from "./agent-request.js";

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

async function selfSigned(cn: string): Promise<{ cert: string; key: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${cn}`, keys, signingAlgorithm: alg, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86400_000),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  return { cert: cert.toString("pem"), key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n` };
}

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
