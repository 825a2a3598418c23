import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fixturePath } from "./fixtures.js";
import { startTestCluster, type TestCluster } from "./harness.js";

describe("kubectl labels, taints, cordons nodes", () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster();
    await c.kubectlOk(["create", "-f", fixturePath("node.yaml")]);
  });
  after(async () => { await c.stop(); });

  const node = async (): Promise<Record<string, any>> => JSON.parse(await c.kubectlOk(["get", "node", "worker-1", "-o", "json"])) as Record<string, any>;

  test("get nodes prints the node table", async () => {
    const out = await c.kubectlOk(["get", "nodes"]);
    assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/m);
    assert.match(out, /^worker-1\s+\S+\s+<none>\s+\d+s\s+/m);
    assert.match(await c.kubectlOk(["get", "no", "-o", "wide"]), /INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
  });

  test("label and unlabel", async () => {
    assert.equal((await c.kubectlOk(["label", "node", "worker-1", "color=blue"])).trim(), "node/worker-1 labeled");
    assert.equal((await node()).metadata.labels.color, "blue");
    assert.match(await c.kubectlOk(["get", "nodes", "-l", "color=blue", "--show-labels"]), /worker-1.*color=blue/);
    const clash = await c.kubectl(["label", "node", "worker-1", "color=green"]);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /already has a value \(blue\)/);
    assert.equal((await c.kubectlOk(["label", "node", "worker-1", "color=green", "--overwrite"])).trim(), "node/worker-1 labeled");
    assert.equal((await c.kubectlOk(["label", "node", "worker-1", "color-"])).trim(), "node/worker-1 unlabeled");
    assert.equal((await node()).metadata.labels.color, undefined);
  });

  test("taint and untaint replace the whole list", async () => {
    assert.equal((await c.kubectlOk(["taint", "nodes", "worker-1", "dedicated=infra:NoSchedule"])).trim(), "node/worker-1 tainted");
    assert.equal((await c.kubectlOk(["taint", "nodes", "worker-1", "gpu:NoExecute"])).trim(), "node/worker-1 tainted");
    assert.deepEqual((await node()).spec.taints.map((t: any) => `${t.key}=${t.value ?? ""}:${t.effect}`).sort(), ["dedicated=infra:NoSchedule", "gpu=:NoExecute"]);
    assert.equal((await c.kubectlOk(["taint", "nodes", "worker-1", "dedicated=infra:NoSchedule-"])).trim(), "node/worker-1 untainted");
    assert.deepEqual((await node()).spec.taints.map((t: any) => t.key), ["gpu"]);
    const bad = await c.kubectl(["taint", "nodes", "worker-1", "x=y:Sometimes"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid taint effect|Unsupported value/);
    await c.kubectlOk(["taint", "nodes", "worker-1", "gpu:NoExecute-"]);
    assert.equal((await node()).spec.taints, undefined);
  });

  test("cordon and uncordon", async () => {
    assert.equal((await c.kubectlOk(["cordon", "worker-1"])).trim(), "node/worker-1 cordoned");
    assert.equal((await node()).spec.unschedulable, true);
    assert.match(await c.kubectlOk(["get", "nodes"]), /worker-1\s+\S*SchedulingDisabled/);
    assert.equal((await c.kubectlOk(["uncordon", "worker-1"])).trim(), "node/worker-1 uncordoned");
    assert.equal((await node()).spec.unschedulable, undefined);
  });

  test("a pod CIDR is set once, podCIDR and podCIDRs[0] always agree", async () => {
    await c.kubectlOk(["create", "-f", "-"], "apiVersion: v1\nkind: Node\nmetadata:\n  name: cidr-node\n");
    const cidrs = (): Promise<string> => c.kubectlOk(["get", "node", "cidr-node", "-o", "jsonpath={.spec.podCIDR} {.spec.podCIDRs}"]);
    assert.equal((await c.kubectlOk(["patch", "node", "cidr-node", "--type", "merge", "-p", '{"spec":{"podCIDR":"10.99.0.0/24"}}'])).trim(), "node/cidr-node patched");
    assert.equal(await cidrs(), '10.99.0.0/24 ["10.99.0.0/24"]');
    const changed = await c.kubectl(["patch", "node", "cidr-node", "--type", "merge", "-p", '{"spec":{"podCIDR":"10.98.0.0/24"}}']);
    assert.equal(changed.code, 1);
    assert.equal(changed.stderr.trim(),
      'The Node "cidr-node" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid');
    assert.equal(await cidrs(), '10.99.0.0/24 ["10.99.0.0/24"]');
    const bad = await c.kubectl(["create", "-f", "-"], 'apiVersion: v1\nkind: Node\nmetadata:\n  name: bad-cidr\nspec:\n  podCIDR: "10.1.0.300/24"\n');
    assert.equal(bad.stderr.trim(),
      'The Node "bad-cidr" is invalid: spec.podCIDRs[0]: Invalid value: "10.1.0.300/24": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)');
    await c.kubectlOk(["delete", "node", "cidr-node"]);
  });

  test("delete node", async () => {
    await c.kubectlOk(["create", "-f", "-"], "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-2\n");
    assert.equal((await c.kubectlOk(["delete", "node", "worker-2"])).trim(), 'node "worker-2" deleted');
    assert.equal((await c.kubectl(["get", "node", "worker-2"])).code, 1);
  });
});
