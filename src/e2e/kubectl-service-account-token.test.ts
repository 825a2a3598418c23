import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { ServiceAccountJwt } from "../apiserver/http/service-account-jwt.js";
import { defaultServiceAccountIssuer } from "../server/control-plane.js";
import { startTestCluster, type KubectlResult, type TestCluster } from "./harness.js";

const unauthorized = "error: You must be logged in to the server (Unauthorized)";

describe("ServiceAccount tokens: kubectl create token, then kubectl --token", () => {
  let c: TestCluster;
  let token = "";
  const withToken = (t: string, args: string[]): Promise<KubectlResult> => c.kubectl([`--token=${t}`, ...args]);

  before(async () => {
    c = await startTestCluster({ controllers: false });
    await c.kubectlOk(["create", "namespace", "team"]);
    await c.kubectlOk(["create", "serviceaccount", "reader", "-n", "team"]);
    await c.kubectlOk(["create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "-n", "team"]);
    await c.kubectlOk(["create", "rolebinding", "reader-reads-pods", "--role=pod-reader", "--serviceaccount=team:reader", "-n", "team"]);
    await c.kubectlOk(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "team" }, spec: { serviceAccountName: "reader", containers: [{ name: "web", image: "nginx" }] } }));
    token = (await c.kubectlOk(["create", "token", "reader", "-n", "team"])).trim();
  });
  after(async () => { await c.stop(); });

  test("the token lists the Role's pods; nodes are 403 with upstream's message; whoami names the ServiceAccount", async () => {
    const claims = decodeJwt(token);
    assert.equal(claims.sub, "system:serviceaccount:team:reader");
    assert.deepEqual(claims.aud, [defaultServiceAccountIssuer]);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);
    const pods = await withToken(token, ["get", "pods", "-n", "team"]);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^web\s/m);
    const nodes = await withToken(token, ["get", "nodes"]);
    assert.notEqual(nodes.code, 0);
    assert.equal(nodes.stderr.trim(), 'Error from server (Forbidden): nodes is forbidden: User "system:serviceaccount:team:reader" cannot list resource "nodes" in API group "" at the cluster scope');
    const who = await withToken(token, ["auth", "whoami"]);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /^Username\s+system:serviceaccount:team:reader$/m);
    assert.match(who.stdout, /^Groups\s+\[system:serviceaccounts system:serviceaccounts:team system:authenticated\]$/m);
    assert.equal((await withToken(token, ["auth", "can-i", "list", "pods", "-n", "team"])).stdout.trim(), "yes");
  });

  test("--duration, --audience and a token bound to a pod, which dies with the pod", async () => {
    const long = (await c.kubectlOk(["create", "token", "reader", "-n", "team", "--duration=2h", "--audience=vault"])).trim();
    const claims = decodeJwt(long);
    assert.deepEqual(claims.aud, ["vault"]);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 7200);
    assert.equal((await withToken(long, ["get", "pods", "-n", "team"])).stderr.trim(), unauthorized, "a token for another audience");
    const bound = (await c.kubectlOk(["create", "token", "reader", "-n", "team", "--bound-object-kind=Pod", "--bound-object-name=web"])).trim();
    assert.equal((decodeJwt(bound)["kubernetes.io"] as { pod?: { name: string } }).pod?.name, "web");
    assert.equal((await withToken(bound, ["get", "pods", "-n", "team"])).code, 0);
    await c.kubectlOk(["delete", "pod", "web", "-n", "team", "--wait=false"]);
    assert.equal((await withToken(bound, ["get", "pods", "-n", "team"])).stderr.trim(), unauthorized);
  });

  test("bad TokenRequests are 4xx with upstream's message", async () => {
    const short = await c.kubectl(["create", "token", "reader", "-n", "team", "--duration=1m"]);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /TokenRequest\.authentication\.k8s\.io "" is invalid: spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
    const missing = await c.kubectl(["create", "token", "nobody", "-n", "team"]);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
    const wrongPod = await c.kubectl(["create", "token", "reader", "-n", "team", "--bound-object-kind=Secret", "--bound-object-name=none"]);
    assert.match(wrongPod.stderr, /secrets "none" not found/);
    const raw = await c.kubectl(["create", "--raw", "/api/v1/namespaces/team/serviceaccounts/reader/token", "-f", "-"], JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { boundObjectRef: { kind: "ConfigMap", apiVersion: "v1", name: "x" } } }));
    assert.match(raw.stderr, /cannot bind token to object of type \/v1, Kind=ConfigMap/);
  });

  test("an expired token and the token of a deleted ServiceAccount are 401", async () => {
    const key = await readFile(join(c.dataDir, "pki", "sa.key"), "utf8");
    const pub = await readFile(join(c.dataDir, "pki", "sa.pub"), "utf8");
    const jwt = await ServiceAccountJwt.fromPem({ privateKey: key, publicKey: pub }, defaultServiceAccountIssuer);
    const uid = (await c.kubectlOk(["get", "sa", "reader", "-n", "team", "-o", "jsonpath={.metadata.uid}"])).trim();
    const expired = await jwt.issue({ claim: { namespace: "team", serviceaccount: { name: "reader", uid } }, audiences: [defaultServiceAccountIssuer], now: new Date(Date.now() - 7200_000), expirationSeconds: 3600 });
    assert.equal((await withToken(expired, ["get", "pods", "-n", "team"])).stderr.trim(), unauthorized);
    await c.kubectlOk(["delete", "serviceaccount", "reader", "-n", "team"]);
    assert.equal((await withToken(token, ["get", "pods", "-n", "team"])).stderr.trim(), unauthorized);
    await c.kubectlOk(["create", "serviceaccount", "reader", "-n", "team"]);
    assert.equal((await withToken(token, ["get", "pods", "-n", "team"])).stderr.trim(), unauthorized, "a new ServiceAccount of the same name");
  });
});
