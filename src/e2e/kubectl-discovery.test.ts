import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestCluster, type TestCluster } from "./harness.js";

describe("kubectl discovers the API", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c.stop(); });

  test("version reports 1.32", async () => {
    const v = JSON.parse(await c.kubectlOk(["version", "-o", "json"])) as { serverVersion: { major: string; minor: string } };
    assert.equal(v.serverVersion.major, "1");
    assert.equal(v.serverVersion.minor, "32");
  });

  test("api-resources lists every served resource with short names", async () => {
    const out = await c.kubectlOk(["api-resources"]);
    for (const re of [/^daemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet$/m, /^pods\s+po\s+v1\s+true\s+Pod$/m, /^nodes\s+no\s+v1\s+false\s+Node$/m,
      /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m, /^events\s+ev\s+v1\s+true\s+Event$/m,
      /^controllerrevisions\s+apps\/v1\s+true\s+ControllerRevision$/m, /^leases\s+coordination.k8s.io\/v1\s+true\s+Lease$/m]) {
      assert.match(out, re);
    }
  });

  test("namespaces exist from the first start, and short names work", async () => {
    const out = await c.kubectlOk(["get", "ns"]);
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) assert.match(out, new RegExp(`^${ns}\\s+Active\\s+`, "m"));
    assert.equal((await c.kubectl(["get", "ds"])).code, 0);
    assert.equal((await c.kubectl(["get", "po"])).code, 0);
    assert.equal((await c.kubectl(["get", "ev"])).code, 0);
    assert.equal((await c.kubectl(["get", "all"])).code, 0);
  });

  test("explain uses the OpenAPI v3 schema", async () => {
    const out = await c.kubectlOk(["explain", "daemonset.spec.updateStrategy"]);
    assert.match(out, /KIND:\s+DaemonSet/);
    assert.match(out, /rollingUpdate/);
  });

  test("create namespace sends protobuf and succeeds", async () => {
    assert.equal((await c.kubectlOk(["create", "namespace", "team-a"])).trim(), "namespace/team-a created");
    assert.equal((await c.kubectlOk(["delete", "namespace", "team-a"])).trim(), 'namespace "team-a" deleted');
  });

  test("requests without the token get 401", async () => {
    const r = await c.kubectl(["get", "ds", "--token", "wrong"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unauthorized|You must be logged in/);
  });
});
