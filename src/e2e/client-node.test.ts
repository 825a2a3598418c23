import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { fixture } from "./fixtures.js";
import { startTestCluster, type TestCluster } from "./harness.js";
import { parse } from "yaml";

describe("@kubernetes/client-node works against everynode", () => {
  let c: TestCluster;
  let kc: k8s.KubeConfig;
  before(async () => {
    c = await startTestCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.plane.kubeconfigPath);
  });
  after(async () => { await c.stop(); });

  test("create, list, patch and an informer-based watch", async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const seen: string[] = [];
    const informer = k8s.makeInformer(kc, "/apis/apps/v1/namespaces/default/daemonsets", () => apps.listNamespacedDaemonSet({ namespace: "default" }));
    informer.on("add", (ds: k8s.V1DaemonSet) => seen.push(`add:${ds.metadata?.name}`));
    informer.on("update", (ds: k8s.V1DaemonSet) => seen.push(`update:${ds.metadata?.name}:${ds.metadata?.labels?.tier ?? ""}`));
    await informer.start();
    try {
      await apps.createNamespacedDaemonSet({ namespace: "default", body: parse(fixture("demo.yaml")) as k8s.V1DaemonSet });
      const list = await apps.listNamespacedDaemonSet({ namespace: "default" });
      assert.deepEqual(list.items.map((d) => d.metadata?.name), ["demo"]);
      await apps.patchNamespacedDaemonSet({ name: "demo", namespace: "default", body: { metadata: { labels: { tier: "infra" } } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
      const deadline = Date.now() + 10_000;
      while (!seen.includes("update:demo:infra")) {
        if (Date.now() > deadline) throw new Error(`informer saw only ${seen.join(", ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(seen.includes("add:demo"));
    } finally {
      await informer.stop();
    }
  });
});
