import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fixturePath } from "./fixtures.js";
import { kubectlStream, startTestCluster, type TestCluster } from "./harness.js";

describe("kubectl get -w", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c.stop(); });

  test("streams Table rows for existing and new DaemonSets", async () => {
    await c.kubectlOk(["create", "-f", fixturePath("demo.yaml")]);
    const w = kubectlStream(c, ["get", "ds", "-w"]);
    try {
      await w.waitFor(/^demo\s+0\s+0/m);
      await c.kubectlOk(["create", "-f", fixturePath("daemon-set-definition.yaml")]);
      await w.waitFor(/^monitoring-daemon\s+0/m);
      await c.kubectlOk(["label", "ds", "demo", "x=y"]);
      await w.waitFor(/^demo[\s\S]*^monitoring-daemon[\s\S]*^demo\s/m);
      const lines = w.output().trim().split("\n");
      assert.match(lines[0] ?? "", /^NAME\s+DESIRED/);
      assert.equal(lines.filter((l) => l.startsWith("NAME")).length, 1);
    } finally {
      await w.stop();
    }
  });

  test("a watch never repeats an object version", async () => {
    const w = kubectlStream(c, ["get", "ds", "-w", "-o", "custom-columns=NAME:.metadata.name,RV:.metadata.resourceVersion"]);
    try {
      await w.waitFor(/^monitoring-daemon\s+\d+/m);
      await c.kubectlOk(["label", "ds", "monitoring-daemon", "round=1"]);
      await c.kubectlOk(["label", "ds", "monitoring-daemon", "round=2", "--overwrite"]);
      const labelled = (await c.kubectlOk(["get", "ds", "monitoring-daemon", "-o", "jsonpath={.metadata.resourceVersion}"])).trim();
      await w.waitFor(new RegExp(`^monitoring-daemon\\s+${labelled}$`, "m"));
      const rows = w.output().trim().split("\n").slice(1);
      assert.equal(new Set(rows).size, rows.length, `duplicate rows in:\n${rows.join("\n")}`);
    } finally {
      await w.stop();
    }
  });

  test("a raw JSON watch carries each event as its type and object only, the object as a get answers it", async () => {
    const out = await c.kubectlOk(["get", "--raw", "/apis/apps/v1/namespaces/default/daemonsets?watch=1&timeoutSeconds=1"]);
    type Ds = { metadata: { name: string; uid: string; resourceVersion: string }; spec: unknown };
    const events = out.trim().split("\n").map((l) => JSON.parse(l) as { type: string; object: Ds });
    assert.ok(events.length >= 2, out);
    for (const event of events) assert.deepEqual(Object.keys(event), ["type", "object"]);
    const named = events.find((e) => e.object.metadata.name === "monitoring-daemon")?.object;
    const got = JSON.parse(await c.kubectlOk(["get", "--raw", "/apis/apps/v1/namespaces/default/daemonsets/monitoring-daemon"])) as Ds;
    assert.equal(named?.metadata.uid, got.metadata.uid);
    assert.deepEqual(named.spec, got.spec);
    if (named.metadata.resourceVersion === got.metadata.resourceVersion) assert.deepEqual(named, got);
  });

  test("watch one object with --output-watch-events", async () => {
    const w = kubectlStream(c, ["get", "ds", "demo", "-w", "--output-watch-events"]);
    try {
      await w.waitFor(/^EVENT\s+NAME/m);
      await c.kubectlOk(["delete", "ds", "demo"]);
      await w.waitFor(/^DELETED\s+demo/m);
    } finally {
      await w.stop();
    }
  });

  test("kubectl wait --for=delete", async () => {
    await c.kubectlOk(["create", "-f", fixturePath("demo.yaml")]);
    const waiting = c.kubectl(["wait", "--for=delete", "ds/demo", "--timeout=20s"]);
    await new Promise((r) => setTimeout(r, 300));
    await c.kubectlOk(["delete", "ds", "demo", "--wait=false"]);
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /daemonset.apps\/demo condition met/);
  });
});
