import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, startTestCluster, until, type TestCluster } from "./harness.js";

const gateTaint = "node.everynode.dev/daemons-not-ready";

function daemonSet(name: string, image: string, gating: boolean): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
${gating ? '  annotations:\n    everynode.dev/node-readiness-gate: "true"\n' : ""}spec:
  selector:
    matchLabels: {app: ${name}}
  updateStrategy:
    rollingUpdate: {maxUnavailable: 3}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: agent
        image: ${image}
`;
}

/** A node registering itself as a kubelet with --register-with-taints does (the simulator then runs it). */
const joiningNode = `apiVersion: v1
kind: Node
metadata:
  name: node-4
  annotations:
    everynode.dev/simulated: "true"
spec:
  taints:
  - key: ${gateTaint}
    effect: NoSchedule
`;

describe("node readiness gates through kubectl", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 3 }); });
  after(async () => { await c.stop(); });

  const taintsOf = async (node: string): Promise<string> =>
    (await c.kubectlOk(["get", "node", node, "-o", "jsonpath={.spec.taints[*].key}"])).trim();

  test("a gated node keeps its taint until its gating pod is Ready; plain pods wait for it", async () => {
    // Nodes register gated; with no gating DaemonSet they are released at once.
    await until(async () => (await c.kubectlOk(["get", "nodes", "-o", "name"])).trim().split("\n").length === 3, "three nodes");
    for (const n of ["node-1", "node-2", "node-3"]) await eventually(async () => assert.equal(await taintsOf(n), ""), 10_000);

    await c.kubectlOk(["create", "-f", "-"], daemonSet("cni", "everynode.dev/not-ready", true));
    await c.kubectlOk(["create", "-f", "-"], daemonSet("logs", "registry.k8s.io/pause:3.9", false));
    assert.equal((await c.kubectlOk(["create", "-f", "-"], joiningNode)).trim(), "node/node-4 created");
    await eventually(async () => {
      const pod = JSON.parse(await c.kubectlOk(["get", "pods", "-l", "app=cni", "--field-selector", "spec.nodeName=node-4", "-o", "json"])).items[0];
      assert.equal(pod?.status?.phase, "Running");
    });
    assert.equal(await taintsOf("node-4"), gateTaint);
    const cniPod = JSON.parse(await c.kubectlOk(["get", "pods", "-l", "app=cni", "--field-selector", "spec.nodeName=node-4", "-o", "json"])).items[0];
    assert.ok(cniPod.spec.tolerations.some((t: { key?: string }) => t.key === gateTaint), "gating pods tolerate the taint");

    await c.kubectlOk(["run", "plain", "--image=registry.k8s.io/pause:3.9", "--overrides", JSON.stringify({ spec: { nodeSelector: { "kubernetes.io/hostname": "node-4" } } })]);
    await eventually(async () => {
      const events = await c.kubectlOk(["get", "events", "--field-selector", "involvedObject.name=plain,reason=FailedScheduling", "-o", "jsonpath={.items[*].message}"]);
      assert.match(events, new RegExp(`untolerated taint \\{${gateTaint.replace(/\./g, "\\.")}: \\}`));
    });
    // Nodes already released stay released although their gating pods are not Ready either.
    for (const n of ["node-1", "node-2", "node-3"]) assert.equal(await taintsOf(n), "");
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await taintsOf("node-4"), gateTaint);
    assert.equal((await c.kubectlOk(["get", "pod", "plain", "-o", "jsonpath={.spec.nodeName}"])).trim(), "");
    // The plain DaemonSet does not tolerate the taint: it waits for the node as well.
    assert.equal((await c.kubectlOk(["get", "pods", "-l", "app=logs", "--field-selector", "spec.nodeName=node-4", "-o", "name"])).trim(), "");

    await c.kubectlOk(["set", "image", "ds/cni", "agent=registry.k8s.io/pause:3.9"]);
    await eventually(async () => assert.equal(await taintsOf("node-4"), ""));
    await eventually(async () => assert.equal((await c.kubectlOk(["get", "pod", "plain", "-o", "jsonpath={.spec.nodeName}"])).trim(), "node-4"));
    await eventually(async () => assert.match(await c.kubectlOk(["get", "pods", "-l", "app=logs", "--field-selector", "spec.nodeName=node-4", "-o", "name"]), /^pod\/logs-/));
    for (const n of ["node-1", "node-2", "node-3", "node-4"]) assert.equal(await taintsOf(n), "");
  });
});
