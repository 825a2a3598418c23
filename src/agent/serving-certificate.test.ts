import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { test } from "node:test";
import { servingCertificate } from "./serving-certificate.js";

test("servingCertificate makes a self-signed serving certificate for the hosts, with its key", async () => {
  const pem = await servingCertificate("node-1@agent", ["10.1.2.3", "127.0.0.1", "node-1"]);
  const cert = new X509Certificate(pem.cert);
  assert.equal(cert.subject, "CN=node-1@agent");
  assert.equal(cert.issuer, cert.subject);
  assert.equal(cert.checkIP("10.1.2.3"), "10.1.2.3");
  assert.equal(cert.checkIP("127.0.0.1"), "127.0.0.1");
  assert.equal(cert.checkHost("node-1"), "node-1");
  assert.equal(cert.checkHost("node-2"), undefined);
  assert.ok(cert.checkPrivateKey(createPrivateKey(pem.key)));
  assert.ok(cert.verify(cert.publicKey), "self-signed");
  const again = await servingCertificate("node-1@agent", ["127.0.0.1"]);
  assert.notEqual(again.key, pem.key, "a new key each time");
});
