import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { generateKeyPairSync } from "node:crypto";
import { mustFindResource } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { FakeClient } from "../../client/testing/fake-client.js";
import { serviceAccountAuthenticator } from "./service-account-auth.js";
import { ServiceAccountJwt } from "./service-account-jwt.js";
import { answerTokenRequest } from "./token-request.js";

const R = { sa: mustFindResource("", "serviceaccounts"), pods: mustFindResource("", "pods"), secrets: mustFindResource("", "secrets") };
const issuer = "https://kubernetes.default.svc.cluster.local";

function keys(): { privateKey: string; publicKey: string } {
  const k = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey: k.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), publicKey: k.publicKey.export({ type: "spki", format: "pem" }).toString() };
}

async function setup(): Promise<{ client: FakeClient; jwt: ServiceAccountJwt; clock: { ms: number } }> {
  const client = new FakeClient();
  await client.create(R.sa, "ns", { metadata: { name: "reader" } });
  return { client, jwt: await ServiceAccountJwt.fromPem(keys(), issuer), clock: { ms: Date.parse("2026-01-01T00:00:00Z") } };
}

async function status(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  throw new Error("expected a StatusError");
}

describe("TokenRequest and the ServiceAccount token authenticator", () => {
  test("a token with upstream's claims and defaults; it authenticates until it expires", async () => {
    const { client, jwt, clock } = await setup();
    const now = new Date(clock.ms);
    const answer = await answerTokenRequest(client, jwt, "ns", "reader", { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} }, now);
    assert.deepEqual(answer.spec, { audiences: [issuer], expirationSeconds: 3600, boundObjectRef: null });
    const status = answer.status as { token: string; expirationTimestamp: string };
    assert.equal(status.expirationTimestamp, "2026-01-01T01:00:00Z");
    const claims = decodeJwt(status.token);
    assert.equal(decodeProtectedHeader(status.token).alg, "ES256");
    const uid = (await client.get(R.sa, "ns", "reader")).metadata?.uid ?? "";
    assert.deepEqual({ ...claims, jti: undefined }, {
      iss: issuer, sub: "system:serviceaccount:ns:reader", aud: [issuer], iat: now.getTime() / 1000, nbf: now.getTime() / 1000, exp: now.getTime() / 1000 + 3600,
      jti: undefined, "kubernetes.io": { namespace: "ns", serviceaccount: { name: "reader", uid } },
    });
    const authenticate = serviceAccountAuthenticator(jwt, client, () => new Date(clock.ms));
    assert.deepEqual(await authenticate(status.token), { name: "system:serviceaccount:ns:reader", uid, groups: ["system:serviceaccounts", "system:serviceaccounts:ns"] });
    clock.ms += 3601_000;
    assert.equal(await authenticate(status.token), undefined, "expired");
  });

  test("bad input is a 4xx Status as upstream answers it", async () => {
    const { client, jwt } = await setup();
    const ask = (body: KubeObject, name = "reader"): Promise<StatusError> => status(answerTokenRequest(client, jwt, "ns", name, body, new Date()));
    let e = await ask({ spec: { expirationSeconds: 60 } });
    assert.equal(e.code, 422);
    assert.equal(e.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    e = await ask({ spec: { expirationSeconds: 2 ** 33 } });
    assert.match(e.message, /may not specify a duration larger than 2\^32 seconds/);
    e = await ask({ spec: { expirationSeconds: "soon" } });
    assert.equal(e.code, 400);
    e = await ask({ metadata: { name: "other" }, spec: {} });
    assert.equal(e.message, 'TokenRequest.authentication.k8s.io "reader" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified');
    e = await ask({ spec: {} }, "missing");
    assert.equal(e.code, 404);
    e = await ask({ spec: { boundObjectRef: { kind: "Deployment", apiVersion: "apps/v1", name: "x" } } });
    assert.equal(e.message, "cannot bind token to object of type apps/v1, Kind=Deployment");
    await client.create(R.pods, "ns", { metadata: { name: "web" }, spec: { serviceAccountName: "default", containers: [] } });
    e = await ask({ spec: { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web" } } });
    assert.equal(e.message, 'cannot bind token for serviceaccount "reader" to pod running with different serviceaccount name.');
    e = await ask({ spec: { boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "nope" } } });
    assert.equal(e.code, 404);
  });

  test("a pod-bound token names the pod and dies with it; a recreated ServiceAccount does not accept old tokens", async () => {
    const { client, jwt } = await setup();
    const pod = await client.create(R.pods, "ns", { metadata: { name: "web" }, spec: { serviceAccountName: "reader", containers: [] } });
    const e = await status(answerTokenRequest(client, jwt, "ns", "reader", { spec: { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web", uid: "wrong" } } }, new Date()));
    assert.equal(e.code, 409);
    assert.match(e.message, /^Operation cannot be fulfilled on Pod "web": the UID in the bound object reference \(wrong\) does not match/);
    const answer = await answerTokenRequest(client, jwt, "ns", "reader", { spec: { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web" }, audiences: ["vault"] } }, new Date());
    const token = (answer.status as { token: string }).token;
    assert.deepEqual((decodeJwt(token)["kubernetes.io"] as { pod: unknown }).pod, { name: "web", uid: (pod.metadata as { uid?: string }).uid });
    const authenticate = serviceAccountAuthenticator(jwt, client);
    assert.equal(await authenticate(token), undefined, "another audience");
    const own = (await answerTokenRequest(client, jwt, "ns", "reader", { spec: { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web" } } }, new Date())).status as { token: string };
    assert.equal((await authenticate(own.token))?.name, "system:serviceaccount:ns:reader");
    await client.delete(R.pods, "ns", "web");
    assert.equal(await authenticate(own.token), undefined, "the pod is gone");
    const plain = (await answerTokenRequest(client, jwt, "ns", "reader", { spec: {} }, new Date())).status as { token: string };
    await client.delete(R.sa, "ns", "reader");
    await client.create(R.sa, "ns", { metadata: { name: "reader" } });
    assert.equal(await authenticate(plain.token), undefined, "the ServiceAccount was recreated");
    const foreign = await ServiceAccountJwt.fromPem(keys(), issuer);
    const forged = (await answerTokenRequest(client, foreign, "ns", "reader", { spec: {} }, new Date())).status as { token: string };
    assert.equal(await authenticate(forged.token), undefined, "signed by another key");
    assert.equal(await authenticate("not-a-jwt"), undefined);
  });

  test("a node's token must be bound to a pod of its own, as NodeRestriction admits it", async () => {
    const { client, jwt } = await setup();
    const pod = await client.create(R.pods, "ns", { metadata: { name: "web" }, spec: { serviceAccountName: "reader", nodeName: "n1", containers: [] } });
    const uid = (pod.metadata as { uid?: string }).uid ?? "";
    const ask = (node: string, ref: Record<string, unknown> | undefined): Promise<KubeObject> =>
      answerTokenRequest(client, jwt, "ns", "reader", { spec: ref ? { boundObjectRef: ref } : {} }, new Date(), node);
    const refused = async (node: string, ref: Record<string, unknown> | undefined, why: string): Promise<void> => {
      const e = await status(ask(node, ref));
      assert.equal(e.code, 403);
      assert.equal(e.message, `serviceaccounts "reader" is forbidden: ${why}`);
    };
    await refused("n1", undefined, "node requested token not bound to a pod");
    await refused("n1", { kind: "Secret", apiVersion: "v1", name: "web" }, "node requested token not bound to a pod");
    await refused("n1", { kind: "Pod", apiVersion: "v1", name: "web" }, "node requested token with a pod binding without a uid");
    await refused("n1", { kind: "Pod", apiVersion: "v1", name: "web", uid: "other" },
      "the UID in the bound object reference (other) does not match the UID in record. The object might have been deleted and then recreated");
    await refused("n2", { kind: "Pod", apiVersion: "v1", name: "web", uid }, "node requested token bound to a pod scheduled on a different node");
    assert.equal((await status(ask("n1", { kind: "Pod", apiVersion: "v1", name: "gone", uid }))).code, 404);
    const answer = await ask("n1", { kind: "Pod", apiVersion: "v1", name: "web", uid });
    assert.deepEqual((decodeJwt((answer.status as { token: string }).token)["kubernetes.io"] as { pod: unknown }).pod, { name: "web", uid });
  });

  test("a legacy token authenticates while its Secret holds it", async () => {
    const { client, jwt } = await setup();
    const uid = (await client.get(R.sa, "ns", "reader")).metadata?.uid ?? "";
    const token = await jwt.issueLegacy("ns", { name: "reader", uid }, "reader-token");
    const authenticate = serviceAccountAuthenticator(jwt, client);
    assert.equal(await authenticate(token), undefined, "no Secret yet");
    await client.create(R.secrets, "ns", { metadata: { name: "reader-token" }, type: "kubernetes.io/service-account-token", data: { token: Buffer.from(token).toString("base64") } });
    assert.equal((await authenticate(token))?.name, "system:serviceaccount:ns:reader");
    await client.delete(R.secrets, "ns", "reader-token");
    assert.equal(await authenticate(token), undefined);
  });
});
