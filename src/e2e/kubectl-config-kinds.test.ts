import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestCluster, type TestCluster } from "./harness.js";

describe("kubectl with ConfigMaps, Secrets, ServiceAccounts and PriorityClasses", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ controllers: false }); });
  after(async () => { await c.stop(); });

  test("create configmap / secret / serviceaccount and get their tables", async () => {
    assert.equal((await c.kubectlOk(["create", "configmap", "conf", "--from-literal=a=1", "--from-literal=b=2"])).trim(), "configmap/conf created");
    assert.match(await c.kubectlOk(["get", "cm", "conf"]), /^NAME\s+DATA\s+AGE\nconf\s+2\s+\d+s\n$/);
    assert.equal((await c.kubectlOk(["create", "secret", "generic", "creds", "--from-literal=password=s3cret"])).trim(), "secret/creds created");
    assert.match(await c.kubectlOk(["get", "secret", "creds"]), /^NAME\s+TYPE\s+DATA\s+AGE\ncreds\s+Opaque\s+1\s+\d+s\n$/);
    const value = await c.kubectlOk(["get", "secret", "creds", "-o", "jsonpath={.data.password}"]);
    assert.equal(Buffer.from(value, "base64").toString(), "s3cret");
    assert.equal((await c.kubectlOk(["create", "serviceaccount", "agent"])).trim(), "serviceaccount/agent created");
    assert.match(await c.kubectlOk(["get", "sa", "agent"]), /^NAME\s+SECRETS\s+AGE\nagent\s+0\s+\d+s\n$/);
  });

  test("apply of a Secret with stringData stores it base64 in data", async () => {
    const manifest = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied\nstringData:\n  token: hello\n";
    assert.equal((await c.kubectlOk(["apply", "-f", "-"], manifest)).trim(), "secret/applied created");
    const secret = JSON.parse(await c.kubectlOk(["get", "secret", "applied", "-o", "json"])) as { data: Record<string, string>; stringData?: unknown };
    assert.deepEqual(secret.data, { token: Buffer.from("hello").toString("base64") });
    assert.equal(secret.stringData, undefined);
    // As upstream: the live object never shows stringData, so kubectl always sends it again ("configured"), and nothing changes.
    const before = await c.kubectlOk(["get", "secret", "applied", "-o", "jsonpath={.metadata.resourceVersion}"]);
    await c.kubectlOk(["apply", "-f", "-"], manifest);
    assert.equal(await c.kubectlOk(["get", "secret", "applied", "-o", "jsonpath={.metadata.resourceVersion}"]), before);
  });

  test("malformed Secret data is refused and not stored", async () => {
    const bad = await c.kubectl(["create", "-f", "-"], "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bad\ndata:\n  k: not base64!\n");
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /illegal base64 data at input byte 3/);
    const get = await c.kubectl(["get", "secret", "bad"]);
    assert.match(get.stderr, /secrets "bad" not found/);
  });

  test("priority classes: built-ins listed, unknown class refused for pods", async () => {
    const out = await c.kubectlOk(["get", "priorityclasses"]);
    assert.match(out, /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY$/m);
    assert.match(out, /^system-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority$/m);
    assert.match(out, /^system-cluster-critical\s+2000000000\s+false\s+/m);
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  priorityClassName: missing\n  containers:\n  - name: c\n    image: busybox\n";
    const r = await c.kubectl(["create", "-f", "-"], pod);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "p" is forbidden: no PriorityClass with name missing was found/);
    const ok = pod.replace("missing", "system-node-critical");
    await c.kubectlOk(["create", "-f", "-"], ok);
    assert.equal(await c.kubectlOk(["get", "pod", "p", "-o", "jsonpath={.spec.priority}"]), "2000001000");
    assert.match(await c.kubectlOk(["explain", "priorityclass.value"]), /FIELD: value <integer>/);
  });
});
